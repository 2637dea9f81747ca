"""LiveStore against the real local HTTP server (tests/httpd.py) serving the real recorded
feeds, calendar and Bright Sky answers: refreshes, 304s, failures that keep the last good
result, picture verification and the offline cold start from the disk cache."""

from __future__ import annotations

import hashlib
import json
import random
import struct
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from stele.adapters.livedata_fetch import LiveStore
from stele.adapters.livedata_source import LiveSource, Place
from stele.domain.livedata import Event, LiveData, select_events, select_news, select_weather_days
from tests.httpd import HttpServer, Resource

DATA = Path(__file__).parents[1] / "data" / "live"
BERLIN = ZoneInfo("Europe/Berlin")
RSS = (DATA / "salzkotten-news.rss").read_bytes()
ATOM = (DATA / "newsfeed.atom").read_bytes()
MACHBAR = (DATA / "machbar-potsdam.ics").read_bytes()  # real, with EXDATEs (SOURCES.md)


def wait_until(pred: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def png_1x1(rgb: bytes = b"\xff\x00\x00") -> bytes:
    """A real, minimal PNG: one pixel of colour `rgb`."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + rgb)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
def srv() -> Iterator[HttpServer]:
    with HttpServer() as server:
        yield server


@pytest.fixture
def make_store(tmp_path: Path) -> Iterator[Callable[..., LiveStore]]:
    stores: list[LiveStore] = []

    def make(clock: Callable[[], datetime] | None = None, **kw: object) -> LiveStore:
        args: dict[str, object] = {
            "place": Place(BERLIN, 52.52, 13.40),
            "rng": random.Random(7),
            "timeout_s": 1.0,
            "retry_min_s": 0.05,
        }
        if clock is not None:
            args["clock"] = clock
        args.update(kw)
        store = LiveStore(tmp_path / "live", **args)  # type: ignore[arg-type]
        stores.append(store)
        return store

    yield make
    for store in stores:
        store.close()


def test_news_refresh_is_conditional_and_moves_the_stand(srv, make_store) -> None:
    srv.put("/feed.rss", RSS, "application/rss+xml")
    updates: list[str] = []
    store = make_store(on_update=updates.append)
    url = srv.url("/feed.rss")
    store.set_sources([LiveSource("news", url, max_items=5, refresh_s=0.2)])
    wait_until(lambda: store.get(url) is not None)
    first = store.get(url)
    assert len(first.news) == 8 and len(select_news(first, 5)) == 5
    wait_until(lambda: srv.count("/feed.rss") >= 3)
    wait_until(lambda: store.get(url).fetched_at > first.fetched_at)
    log = [r for r in srv.requests if r.path == "/feed.rss"]
    assert log[0].status == 200 and log[0].body_bytes == len(RSS)
    assert all(r.status == 304 and r.body_bytes == 0 for r in log[1:])
    assert all("If-None-Match" in r.headers for r in log[1:])
    assert store.get(url).news == first.news
    assert updates[:2] == [url, url] and store.error(url) is None


def test_failures_keep_the_last_good_result(srv, make_store) -> None:
    srv.put("/feed.rss", RSS)
    store = make_store()
    url = srv.url("/feed.rss")
    store.set_sources([LiveSource("news", url, max_items=5, refresh_s=0.2)])
    wait_until(lambda: store.get(url) is not None)
    good = store.get(url)

    def fails_with(text: str) -> None:
        srv.reset_log()
        wait_until(lambda: text in (store.error(url) or ""))
        assert store.get(url) == good  # same entries, same Stand time

    srv.resource("/feed.rss").status = 500
    fails_with("HTTP 500")
    srv.put("/feed.rss", Resource(RSS + b"<!-- changed -->", cut_at=len(RSS) // 2))
    fails_with("cut off")
    srv.put("/feed.rss", Resource(ATOM, delay_s=1.5))
    fails_with("no answer within 1 s")
    srv.put("/feed.rss", b"\x00\x01 garbage \xff" * 100)
    fails_with("not a readable RSS/Atom feed")
    srv.put("/feed.rss", b"<rss>" + b"x" * (3 * 1024 * 1024))
    fails_with("over the cap")
    srv.remove("/feed.rss")
    fails_with("HTTP 404")
    srv.put("/feed.rss", ATOM)  # the source recovers: new data, error cleared
    wait_until(lambda: len(store.get(url).news) == 5 and store.error(url) is None)


def test_news_pictures_are_verified_before_they_are_kept(srv, make_store) -> None:
    png = png_1x1()
    srv.put("/img/rathaus.png", png, "image/png")
    srv.put("/img/fake.jpg", b"<html><body>Not found</body></html>", "image/jpeg")
    items = RSS.split(b"<item>")
    feed = (
        items[0]
        + b"<item>"
        + items[1].replace(
            b"</item>", b'<enclosure url="/img/rathaus.png" type="image/png" length="1"/></item>'
        )
        + b"<item>"
        + items[2].replace(
            b"</item>", b'<enclosure url="/img/fake.jpg" type="image/jpeg" length="1"/></item>'
        )
        + b"<item>"
        + b"<item>".join(items[3:])
    )
    srv.put("/feed.rss", feed)
    store = make_store()
    url = srv.url("/feed.rss")
    store.set_sources([LiveSource("news", url, max_items=5, refresh_s=0.2)])
    wait_until(lambda: store.get(url) is not None)
    ratssitzung, digitalbuero = store.get(url).news[:2]
    assert ratssitzung.image_url == srv.url("/img/rathaus.png")
    assert ratssitzung.image_sha256 == hashlib.sha256(png).hexdigest()
    path = store.image_path(ratssitzung.image_sha256)
    assert path is not None and path.read_bytes() == png
    assert digitalbuero.image_url == srv.url("/img/fake.jpg") and digitalbuero.image_sha256 is None
    assert store.error(url) is None  # a bad picture costs the picture, not the news
    wait_until(lambda: srv.count("/img/fake.jpg") >= 2)  # retried at the next refresh ...
    assert srv.count("/img/rathaus.png") == 1  # ... a verified one is never fetched again
    assert sorted(p.name for p in (path.parent).iterdir()) == [ratssitzung.image_sha256]


def test_events_and_weather_through_http(srv, make_store) -> None:
    srv.put("/cal.ics", (DATA / "fablab-cottbus.ics").read_bytes(), "text/calendar")
    srv.put("/bs/current_weather", (DATA / "brightsky-current_weather.json").read_bytes())
    srv.put("/bs/weather", (DATA / "brightsky-weather.json").read_bytes())
    now = datetime(2025, 9, 18, 13, 30, tzinfo=UTC)
    store = make_store(clock=lambda: now)
    cal, bs = srv.url("/cal.ics"), srv.url("/bs/")
    store.set_sources([LiveSource("events", cal, 3, 600), LiveSource("weather", bs, 5, 600)])
    wait_until(lambda: store.get(cal) is not None and store.get(bs) is not None)
    shown = select_events(store.get(cal), now, 3)
    # the monthly repair café on the first Saturdays after 18 Sept 2025
    assert [(e.start.date(), e.start.hour) for e in shown] == [
        (date(2025, 10, 4), 14),
        (date(2025, 11, 1), 14),
        (date(2025, 12, 6), 14),
    ]
    weather = store.get(bs)
    assert weather.weather.now.temperature_c == 19.7
    days = select_weather_days(weather, now, BERLIN)
    assert [(d.day.day, d.temp_min_c, d.temp_max_c) for d in days] == [
        (18, 14.6, 19.6),
        (19, 16.2, 24.5),
        (20, 13.4, 27.6),
    ]
    assert srv.count("/bs/current_weather") == 1 and srv.count("/bs/weather") == 1


def test_weather_without_a_position_is_a_clear_error(srv, make_store) -> None:
    store = make_store(place=Place(BERLIN))
    url = srv.url("/bs/")
    store.set_sources([LiveSource("weather", url, 5, 600)])
    wait_until(lambda: store.error(url) is not None)
    assert "latitude and longitude" in store.error(url) and store.get(url) is None
    assert srv.count() == 0


def test_offline_cold_start_shows_the_cache_with_its_old_stand(tmp_path, make_store) -> None:
    with HttpServer() as srv:
        srv.put("/feed.rss", RSS)
        srv.put("/cal.ics", (DATA / "fablab-cottbus.ics").read_bytes())
        sources = [
            LiveSource("news", srv.url("/feed.rss"), 5, 0.3),
            LiveSource("events", srv.url("/cal.ics"), 5, 0.3),
        ]
        first = make_store()
        first.set_sources(sources)
        wait_until(lambda: all(first.get(s.url) for s in sources))
        before = {s.url: first.get(s.url) for s in sources}
        first.close()
    # the server is gone; a new process starts from the same cache directory
    second = make_store()
    second.set_sources(sources)
    for s in sources:
        assert second.get(s.url) == before[s.url]  # at once, before any request
    wait_until(lambda: all(second.error(s.url) for s in sources))
    for s in sources:
        assert second.get(s.url) == before[s.url]
        assert second.get(s.url).fetched_at == before[s.url].fetched_at  # the old Stand


def test_a_corrupt_cache_file_is_ignored_not_shown(tmp_path, srv, make_store) -> None:
    srv.put("/feed.rss", RSS)
    url = srv.url("/feed.rss")
    first = make_store()
    first.set_sources([LiveSource("news", url, 5, 600)])
    wait_until(lambda: first.get(url) is not None)
    first.close()
    cache_file = next((tmp_path / "live").glob("*.json"))
    cache_file.write_bytes(cache_file.read_bytes()[:100])  # a torn file
    srv.stop()
    second = make_store()
    second.set_sources([LiveSource("news", url, 5, 600)])
    assert second.get(url) is None


def test_set_sources_starts_and_stops_fetchers(srv, make_store) -> None:
    srv.put("/a.rss", RSS)
    srv.put("/b.atom", ATOM)
    store = make_store()
    a, b = srv.url("/a.rss"), srv.url("/b.atom")
    store.set_sources([LiveSource("news", a, 5, 0.2)])
    wait_until(lambda: store.get(a) is not None)
    store.set_sources([LiveSource("news", b, 3, 0.2)])
    assert store.get(a) is None
    wait_until(lambda: store.get(b) is not None)
    count_a = srv.count("/a.rss")
    time.sleep(0.6)
    assert srv.count("/a.rss") == count_a  # no more requests for the dropped source
    assert srv.count("/b.atom") >= 2
    store.set_sources([])
    assert store.get(b) is None


def test_pictures_no_entry_uses_are_deleted(srv, make_store) -> None:
    png_a, png_b = png_1x1(b"\xff\x00\x00"), png_1x1(b"\x00\x00\xff")
    srv.put("/a.png", png_a, "image/png")
    srv.put("/b.png", png_b, "image/png")

    def feed(picture: str) -> bytes:
        return RSS.replace(
            b"</item>",
            f'<enclosure url="{picture}" type="image/png" length="1"/></item>'.encode(),
            1,
        )

    srv.put("/feed.rss", feed("/a.png"))
    store = make_store(picture_grace_s=0.0)
    url = srv.url("/feed.rss")
    store.set_sources([LiveSource("news", url, 5, 0.2)])
    sha_a, sha_b = hashlib.sha256(png_a).hexdigest(), hashlib.sha256(png_b).hexdigest()
    wait_until(lambda: store.get(url) is not None and store.get(url).news[0].image_sha256 == sha_a)
    srv.put("/feed.rss", feed("/b.png"))
    wait_until(lambda: store.get(url).news[0].image_sha256 == sha_b)
    wait_until(lambda: store.image_path(sha_a) is None)
    assert store.image_path(sha_b) is not None


def test_an_unchanged_calendar_is_expanded_again_each_day(srv, make_store) -> None:
    srv.put("/cal.ics", (DATA / "fablab-cottbus.ics").read_bytes())
    clock = [datetime(2025, 9, 18, 12, 0, tzinfo=UTC)]
    store = make_store(clock=lambda: clock[0])
    url = srv.url("/cal.ics")
    store.set_sources([LiveSource("events", url, 3, 0.2)])
    wait_until(lambda: srv.count("/cal.ics") >= 3)
    first = store.get(url)
    assert first.expanded_at == datetime(2025, 9, 18, 12, 0, tzinfo=UTC)
    assert [r.status for r in srv.requests[:3]] == [200, 304, 304]
    clock[0] = datetime(2025, 9, 20, 12, 0, tzinfo=UTC)  # two days later
    wait_until(lambda: store.get(url).expanded_at == clock[0])
    again = next(r for r in srv.requests[3:] if r.status == 200)
    assert "If-None-Match" not in again.headers
    assert store.get(url).events[0].start.date() == date(2025, 10, 4)


def test_relative_source_urls_resolve_against_the_manifest_url(srv, make_store, tmp_path) -> None:
    """docs/content.md, `source.url`: relative to the manifest, as media URLs are. The manifest
    goes through a real sync; its live base URL is what the player hands to `manifest_sources`."""
    from stele.adapters.content_cache import ContentCache
    from stele.adapters.content_sync import ContentSync
    from stele.adapters.livedata_source import manifest_sources
    from stele.domain.manifest import parse_manifest
    from stele.domain.playlist import Place as ContentPlace
    from tests.contentgen import ARS

    srv.put("/city/feeds/news.xml", RSS, "application/rss+xml")
    srv.put("/feeds/news.xml", ATOM)  # where a resolution against the server's root would go
    srv.put("/city/wetter/current_weather", (DATA / "brightsky-current_weather.json").read_bytes())
    srv.put("/city/wetter/weather", (DATA / "brightsky-weather.json").read_bytes())
    srv.put("/elsewhere/cal.ics", (DATA / "fablab-cottbus.ics").read_bytes(), "text/calendar")
    items = [
        {"id": "news", "type": "news", "source": {"url": "feeds/news.xml"}},
        {"id": "wetter", "type": "weather", "source": {"url": "wetter/"}},
        {"id": "termine", "type": "events", "source": {"url": srv.url("/elsewhere/cal.ics")}},
    ]
    srv.put("/city/manifest.json", json.dumps({"version": "v1", "items": items}))
    cache = ContentCache(tmp_path / "content", 10**9)
    sync = ContentSync(cache, srv.url("/city/manifest.json"), ContentPlace(ARS, (), BERLIN))
    assert sync.sync_once().live == "v1"
    live = cache.live()
    assert live is not None
    sources = manifest_sources(parse_manifest(live.body), live.base_url)
    news, weather, cal = (
        srv.url("/city/feeds/news.xml"),
        srv.url("/city/wetter/"),
        srv.url("/elsewhere/cal.ics"),
    )
    assert [(s.kind, s.url) for s in sources] == [
        ("news", news),
        ("weather", weather),
        ("events", cal),  # an absolute URL stays as it is
    ]
    now = datetime(2025, 9, 18, 13, 30, tzinfo=UTC)
    store = make_store(clock=lambda: now)
    store.set_sources(sources)
    wait_until(lambda: all(store.get(u) is not None for u in (news, weather, cal)))
    assert len(store.get(news).news) == 8  # the city's RSS, not the decoy Atom feed
    assert store.get(weather).weather.now.temperature_c == 19.7
    assert srv.count("/city/feeds/news.xml") == 1 and srv.count("/feeds/news.xml") == 0
    assert srv.count("/city/wetter/current_weather") == 1 and srv.count("/elsewhere/cal.ics") == 1


# -- a real calendar with excluded occurrences (EXDATE): the machBar Potsdam's public calendar


def served_calendar(
    srv: HttpServer, make_store: Callable[..., LiveStore], now: datetime
) -> LiveData:
    """The recorded calendar through the real server and LiveStore, the store's clock at `now`
    (a stele in Europe/Berlin)."""
    srv.put("/machbar.ics", MACHBAR, "text/calendar")
    store = make_store(clock=lambda: now)
    url = srv.url("/machbar.ics")
    store.set_sources([LiveSource("events", url, 10, 600)])
    wait_until(lambda: store.get(url) is not None)
    data = store.get(url)
    assert data is not None and store.error(url) is None
    return data


def wall(e: Event) -> tuple[datetime, timedelta | None, str]:
    """An occurrence as the slide shows it: local wall time, its UTC offset, the title."""
    return e.start.replace(tzinfo=None), e.start.utcoffset(), e.title


CET, CEST = timedelta(hours=1), timedelta(hours=2)


def test_an_excluded_occurrence_is_not_shown_and_the_others_are(srv, make_store) -> None:
    now = datetime(2019, 3, 5, 19, 0, tzinfo=UTC)  # just after the export (DTSTAMP 18:57 UTC)
    data = served_calendar(srv, make_store, now)
    # Two weekly series (Thursdays, Fridays 08:30) each with one EXDATE: 7 and 8 March are
    # gone; the weekly #TEC afternoon on the excluded Thursday is still there.
    assert [wall(e) for e in select_events(data, now, 7)] == [
        (datetime(2019, 3, 7, 15, 0), CET, "#TEC - für Jugendliche"),
        (datetime(2019, 3, 14, 8, 30), CET, "Montessori Schulklasse"),
        (datetime(2019, 3, 14, 15, 0), CET, "#TEC - für Jugendliche"),
        (datetime(2019, 3, 15, 8, 30), CET, "Montessori Schulklasse"),
        (datetime(2019, 3, 21, 8, 30), CET, "Montessori Schulklasse"),
        (datetime(2019, 3, 21, 15, 0), CET, "#TEC - für Jugendliche"),
        (datetime(2019, 3, 22, 8, 30), CET, "Montessori Schulklasse"),
    ]
    school = [e.start for e in data.events if e.title == "Montessori Schulklasse"]
    assert not {date(2019, 3, 7), date(2019, 3, 8)} & {s.date() for s in school}
    # Only those two: every other Thursday and Friday of the year ahead is kept.
    assert len(school) == len({s.date() for s in school}) and len(school) >= 100
    # After the clock change (31 March) the series stays at 08:30 local, now at UTC+2.
    april = next(s for s in school if s.date() == date(2019, 4, 4))
    assert (april.hour, april.minute, april.utcoffset()) == (8, 30, CEST)
    # A running occurrence is still shown (the pure selection at a later instant).
    during = datetime(2019, 3, 14, 9, 0, tzinfo=BERLIN)
    assert [wall(e)[0] for e in select_events(data, during, 2)] == [
        datetime(2019, 3, 14, 8, 30),
        datetime(2019, 3, 14, 15, 0),
    ]


def test_real_calendar_exclusion_across_the_clock_change_utc_and_all_day(srv, make_store) -> None:
    now = datetime(2017, 10, 20, 12, 0, tzinfo=UTC)
    data = served_calendar(srv, make_store, now)
    # Freifunk meets every other Tuesday at 18:00 Berlin time (TZID with the file's
    # VTIMEZONE) in summer and winter time alike; 21 November is excluded. The Christmas
    # party is given in UTC (18:00Z), the 34C3 stream as an all-day date.
    assert [(*wall(e), e.all_day) for e in select_events(data, now, 6)] == [
        (datetime(2017, 10, 24, 18, 0), CEST, "Freifunktreffen", False),
        (datetime(2017, 11, 7, 18, 0), CET, "Freifunktreffen", False),
        (datetime(2017, 12, 5, 18, 0), CET, "Freifunktreffen", False),
        (datetime(2017, 12, 15, 19, 0), CET, "Weihnachtsfeier", False),
        (datetime(2017, 12, 19, 18, 0), CET, "Freifunktreffen", False),
        (datetime(2017, 12, 27, 0, 0), CET, "34c3 in der machBar", True),
    ]
    freifunk = [e.start.date() for e in data.events if e.title == "Freifunktreffen"]
    assert date(2017, 11, 21) not in freifunk
    assert freifunk[-1] == date(2018, 9, 25)  # the last before the rule's UNTIL (8 Oct 2018)
    # The all-day date runs midnight to midnight on the stele's clock.
    stream = next(e for e in data.events if e.all_day and e.title.startswith("34c3"))
    assert stream.end == datetime(2017, 12, 28, 0, 0, tzinfo=BERLIN)
    late = datetime(2017, 12, 27, 23, 30, tzinfo=BERLIN)
    assert select_events(data, late, 1)[0].title == "34c3 in der machBar"
    assert select_events(data, late + timedelta(hours=1), 1)[0].title != "34c3 in der machBar"


def test_real_monthly_series_with_two_exclusions_and_two_moved_dates(srv, make_store) -> None:
    now = datetime(2018, 5, 27, 10, 0, tzinfo=UTC)  # during the two-day Maker Faire trip
    data = served_calendar(srv, make_store, now)
    first = select_events(data, now, 1)[0]
    assert (first.title, first.all_day) == ("mB - OnTour: Maker Fair", True)
    assert (first.start, first.end) == (
        datetime(2018, 5, 26, 0, 0, tzinfo=BERLIN),
        datetime(2018, 5, 28, 0, 0, tzinfo=BERLIN),
    )
    # Last Saturday of the month, 11:00: July and August excluded (EXDATE), September and
    # October moved a week earlier (RECURRENCE-ID), November after the rule's UNTIL.
    cafe = [wall(e) for e in data.events if e.title == "mB-onTour: repairCafé"]
    assert cafe == [
        (datetime(2018, 6, 30, 11, 0), CEST, "mB-onTour: repairCafé"),
        (datetime(2018, 9, 22, 11, 0), CEST, "mB-onTour: repairCafé"),
        (datetime(2018, 10, 20, 11, 0), CEST, "mB-onTour: repairCafé"),
    ]
