"""The live-data parsers on real recorded feeds, calendars and Bright Sky answers
(tests/data/live/SOURCES.md says where each came from), and on hostile input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from stele.adapters.livedata_ics import parse_events
from stele.adapters.livedata_images import image_kind
from stele.adapters.livedata_news import parse_news
from stele.adapters.livedata_weather import parse_current, parse_days, weather_urls
from stele.domain.livedata import LiveData, select_events, select_weather_days
from stele.errors import LiveDataError

DATA = Path(__file__).parents[1] / "data" / "live"
BERLIN = ZoneInfo("Europe/Berlin")


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


# -- news ------------------------------------------------------------------------------------


def test_city_rss_feed_as_plain_text() -> None:
    entries = parse_news(read("salzkotten-news.rss"), "https://www.salzkotten.de/feed.xml")
    assert len(entries) == 8
    first = entries[0]
    assert first.title == "Einladung zur Ratssitzung am 02.03.2026"
    assert first.published == datetime(2026, 2, 19, tzinfo=UTC)
    # <br><hr><p><small><a href=...> are gone, the link text stays, lines collapse
    assert first.summary == (
        "Am Montag, 02.03.2026, findet um 18.00 Uhr im Sitzungssaal des Rathauses, "
        "Marktstraße 8, die Ratssitzung der Stadt Salzkotten statt.\n\n"
        "Aktuelle Übersicht immer unter: https://www.salzkotten.de/de/aktuelles/news-und-presse.php"
    )
    assert all("<" not in e.summary and "&" not in e.summary for e in entries)
    assert (
        entries[3].title == 'Neues Technologieunternehmen "gravityshift" an der Burg in Salzkotten'
    )
    assert entries[5].title.startswith("Öffentliche Ausschreibung - Fahrradstraße „Oelweg“")


def test_atom_feed() -> None:
    entries = parse_news(read("newsfeed.atom"), "https://behuber.github.io/newsfeed/atom.xml")
    assert len(entries) == 5
    assert (
        entries[2].title
        == "MITTEL — Rentenreform — Renten steigen zum 1. Juli 2026 um 4,24 Prozent"
    )
    assert entries[2].published == datetime(2026, 5, 4, 12, 32, 44, tzinfo=UTC)
    assert entries[2].summary.startswith("Die Deutsche Rentenversicherung meldet")
    data = LiveData(kind="news", source_url="u", fetched_at=datetime.now(UTC), news=entries)
    from stele.domain.livedata import select_news

    # the last entry of the file is the newest: newest first puts it on top
    assert select_news(data, 2)[0].title.endswith("KI-Überwachung voran")


def test_feed_html_is_stripped_entities_decoded_scripts_dropped() -> None:
    feed = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>
    <item><title>Stra&amp;szlig;e &lt;b&gt;gesperrt&lt;/b&gt;</title>
    <description><![CDATA[<p>Die <b>Br&uuml;cke</b>&nbsp;ist   zu.</p><script>alert(1)</script>
    <style>p{color:red}</style><img src="/bild.jpg" onerror="x()"><p>Umleitung &#252;ber   Nord.</p>]]>
    </description></item></channel></rss>"""
    (e,) = parse_news(feed, "https://stadt.example/presse/feed.rss")
    # RSS titles hold escaped HTML: its tags go, its entities are decoded
    assert e.title == "Straße gesperrt"
    assert e.summary == "Die Brücke ist zu.\n\nUmleitung über Nord."
    assert e.image_url == "https://stadt.example/bild.jpg"  # relative src resolved


def test_feed_images_from_enclosure_and_media() -> None:
    feed = b"""<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">
    <channel><title>t</title>
    <item><title>a</title><enclosure url="https://cdn.example/a.jpg" type="image/jpeg" length="1"/></item>
    <item><title>b</title><media:content url="https://cdn.example/b.png" medium="image"/></item>
    <item><title>c</title><enclosure url="https://cdn.example/c.mp3" type="audio/mpeg" length="1"/></item>
    <item><title>d</title><description>&lt;img src="javascript:alert(1)"&gt;</description></item>
    </channel></rss>"""
    urls = [e.image_url for e in parse_news(feed, "https://x/feed")]
    assert urls == ["https://cdn.example/a.jpg", "https://cdn.example/b.png", None, None]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (b"\x00\xff garbage \x89\x13" * 50, "not a readable RSS/Atom feed"),
        (b"<html><body><p>Wartungsarbeiten</p></body></html>", "not"),
        (b'{"items": []}', "not"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
            b'<rss version="2.0"><channel><item><title>&b;</title></item></channel></rss>',
            "declares XML entities",
        ),
    ],
)
def test_hostile_or_wrong_feeds_give_one_clear_line(body: bytes, needle: str) -> None:
    with pytest.raises(LiveDataError) as err:
        parse_news(body, "https://x/feed")
    assert needle in str(err.value) and "\n" not in str(err.value)
    assert str(err.value).startswith("https://x/feed: ")


def test_cut_feed_keeps_what_parsed_or_fails_cleanly() -> None:
    body = read("salzkotten-news.rss")
    half = body[: len(body) // 2]
    try:
        entries = parse_news(half, "https://x/feed")
    except LiveDataError:
        return
    assert 0 < len(entries) < 8 and all(e.title for e in entries)


# -- events ----------------------------------------------------------------------------------


def test_real_calendar_recurring_expanded_in_the_stele_zone() -> None:
    now = datetime(2018, 5, 1, 10, 0, tzinfo=UTC)
    events = parse_events(read("fablab-cottbus.ics"), "https://x/cal.ics", now, BERLIN)
    data = LiveData(kind="events", source_url="u", fetched_at=now, events=events)
    shown = select_events(data, now, 5)
    assert [(e.start.date(), e.title) for e in shown] == [
        (date(2018, 5, 5), "Repair Café"),  # RRULE:FREQ=MONTHLY;BYDAY=1SA
        (date(2018, 6, 2), "Repair Café"),
        (date(2018, 6, 9), "Lab geschlossen: Wir sind auf dem Karlstraßenfest"),
        (date(2018, 7, 7), "Repair Café"),
        (date(2018, 8, 4), "Repair Café"),
    ]
    cafe = shown[0]
    assert (cafe.start.hour, cafe.end.hour, cafe.all_day) == (14, 17, False)
    assert cafe.start.utcoffset() == timedelta(hours=2)  # CEST in May
    assert cafe.location == "FabLab Cottbus @ Walther-Pauer-Straße 5, 03044 Cottbus, Deutschland"
    fest = shown[2]
    assert fest.all_day and fest.end - fest.start == timedelta(days=1)
    # past one-off events (2016, 2017, March 2018) are not there
    assert all(e.end > now for e in events)
    # in December the repair café runs on CET (winter time) at 14:00 local
    december = next(e for e in events if e.start.month == 12)
    assert december.start.hour == 14 and december.start.utcoffset() == timedelta(hours=1)


def test_google_calendar_moved_occurrence_and_zone_conversion() -> None:
    now = datetime(2023, 8, 1, tzinfo=UTC)
    events = parse_events(read("google-moved-occurrence.ics"), "u", now, BERLIN)
    timed = [e for e in events if not e.all_day]
    # Tuesdays 14:00 Sydney (UTC+10) = 06:00 Berlin; the 15 Aug one moved to Monday 14 Aug
    assert [e.start.date() for e in timed] == [
        date(2023, 8, 8),
        date(2023, 8, 14),
        date(2023, 8, 22),
    ]
    assert {e.start.hour for e in timed} == {6}
    all_day = [e.start.date() for e in events if e.all_day]
    assert all_day == [date(2023, 8, 10), date(2023, 8, 16), date(2023, 8, 24)]


def test_rule_without_end_is_bounded() -> None:
    body = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:x\r\n"
        b"DTSTART:20260101T000000Z\r\nDTEND:20260101T000001Z\r\nRRULE:FREQ=SECONDLY\r\n"
        b"SUMMARY:Flut\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    events = parse_events(body, "u", datetime(2026, 1, 1, tzinfo=UTC), BERLIN)
    assert len(events) == 500


@pytest.mark.parametrize(
    "body",
    [b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2026-99\r\n", b"\x00\xffnot a calendar", b""],
)
def test_broken_calendars_give_one_clear_line(body: bytes) -> None:
    with pytest.raises(LiveDataError) as err:
        parse_events(body, "https://x/cal.ics", datetime(2026, 1, 1, tzinfo=UTC), BERLIN)
    assert str(err.value).startswith("https://x/cal.ics: ") and "\n" not in str(err.value)


def test_calendar_text_is_plain() -> None:
    body = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:x\r\n"
        b"DTSTART:20260301T180000\r\nDTEND:20260301T200000\r\n"
        b"SUMMARY:<b>Konzert</b> &amp; Lesung\r\nLOCATION:Rathaus\\, Saal 1\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (event,) = parse_events(body, "u", datetime(2026, 3, 1, tzinfo=UTC), BERLIN)
    assert (event.title, event.location) == ("Konzert & Lesung", "Rathaus, Saal 1")
    assert event.start == datetime(2026, 3, 1, 18, 0, tzinfo=BERLIN)  # floating = local


# -- weather ---------------------------------------------------------------------------------


def test_bright_sky_current_weather() -> None:
    now = parse_current(read("brightsky-current_weather.json"), "u")
    assert now.observed_at == datetime(2025, 9, 18, 13, 30, tzinfo=UTC)
    assert (now.temperature_c, now.icon, now.condition) == (19.7, "cloudy", "dry")
    assert (now.wind_speed_kmh, now.wind_direction_deg, now.wind_gust_kmh) == (18.7, 260, 33.1)
    assert (now.precipitation_mm_h, now.relative_humidity) == (0.0, 78)
    assert now.station == "Berlin-Tempelhof"


def test_bright_sky_days_grouped_in_the_stele_zone() -> None:
    days = parse_days(read("brightsky-weather.json"), "u", BERLIN)
    now = datetime(2025, 9, 18, 13, 30, tzinfo=UTC)
    data = LiveData(kind="weather", source_url="u", fetched_at=now, weather={"days": days})  # type: ignore[arg-type]
    today, tomorrow, after = select_weather_days(data, now, BERLIN)
    assert [d.day for d in (today, tomorrow, after)] == [date(2025, 9, d) for d in (18, 19, 20)]
    # 19 Sept local = 18 Sept 22:00 UTC .. 19 Sept 21:00 UTC
    assert (tomorrow.temp_min_c, tomorrow.temp_max_c) == (16.2, 24.5)
    assert tomorrow.icon == "partly-cloudy-day" and tomorrow.condition == "dry"
    assert (after.temp_min_c, after.temp_max_c) == (13.4, 27.6)
    # the rainy afternoon of the 18th: 0.3 + 0.1 observed, 0.1 x 5 + 0.2 forecast
    assert today.condition == "rain" and today.precipitation_mm == 1.1
    assert today.precipitation_probability == 28


def test_weather_urls() -> None:
    current, days = weather_urls(
        "https://api.brightsky.dev/", 51.7191, 8.7575, date(2025, 9, 18), "Europe/Berlin"
    )
    assert current == "https://api.brightsky.dev/current_weather?lat=51.7191&lon=8.7575"
    assert days == (
        "https://api.brightsky.dev/weather?lat=51.7191&lon=8.7575"
        "&date=2025-09-18&last_date=2025-09-21&tz=Europe%2FBerlin"
    )


@pytest.mark.parametrize(
    "body",
    [b"{", b"[]", b'{"sources": []}', b"[" * 100000, b'{"weather": {"timestamp": "gestern"}}'],
)
def test_bad_weather_answers_give_one_clear_line(body: bytes) -> None:
    with pytest.raises(LiveDataError) as err:
        parse_current(body, "https://api/current_weather")
    assert str(err.value).startswith("https://api/current_weather: ")


def test_weather_values_of_the_wrong_type_are_left_out() -> None:
    body = (
        b'{"weather": {"timestamp": "2025-09-18T13:30:00+00:00", "temperature": "warm",'
        b' "wind_speed_10": true, "icon": 5, "relative_humidity": 1e999}}'
    )
    now = parse_current(body, "u")
    assert (now.temperature_c, now.wind_speed_kmh, now.icon, now.relative_humidity) == (
        None,
        None,
        None,
        None,
    )


# -- pictures ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "png"),
        (b"GIF89a\x01\x00", "gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "webp"),
        (b"<html>not a picture</html>", None),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
        (b"", None),
    ],
)
def test_image_kind_by_magic_bytes(data: bytes, kind: str | None) -> None:
    assert image_kind(data) == kind
