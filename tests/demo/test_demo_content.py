"""The demo's content server: a valid manifest with a slide of every type, media whose bytes
match the manifest, live data a stele can use today, conditional requests."""

from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import pytest
import requests
from defusedxml import ElementTree

from stele.config import load_config
from stele.demo.runner import write_demo_config
from stele.demo.server import DemoContentServer, content_dir, shift_days
from stele.domain.manifest import parse_manifest

CONTENT = content_dir()


@pytest.fixture
def server():
    with DemoContentServer() as s:
        yield s


def get(url: str, **headers: str) -> requests.Response:
    return requests.get(url, headers=headers, timeout=10)


def test_the_manifest_is_valid_and_has_every_slide_type(server) -> None:
    reply = get(server.manifest_url)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json"
    manifest = parse_manifest(reply.content)
    types = {item.type for item in manifest.items}
    assert types == {"image", "video", "pdf", "text", "news", "events", "weather"}
    assert {item.fit_mode for item in manifest.items if item.type == "image"} == {
        "contain", "cover"}


def test_every_media_file_matches_its_sha256_and_size(server) -> None:
    manifest = parse_manifest(get(server.manifest_url).content)
    media = [item.media for item in manifest.items if item.media is not None]
    assert len(media) == 4
    for m in media:
        reply = get(urljoin(server.manifest_url, m.url))
        assert reply.status_code == 200, m.url
        assert len(reply.content) == m.size, m.url
        assert hashlib.sha256(reply.content).hexdigest() == m.sha256, m.url


def test_media_are_what_their_names_say(server) -> None:
    manifest = parse_manifest(get(server.manifest_url).content)
    magic = {"image": (b"\xff\xd8\xff", b"\x89PNG"), "pdf": (b"%PDF-",), "video": (b"",)}
    for item in manifest.items:
        if item.media is None:
            continue
        body = get(urljoin(server.manifest_url, item.media.url)).content
        assert body.startswith(magic[item.type]), item.id
        if item.type == "video":
            assert body[4:8] == b"ftyp"  # an MP4 container


def test_unchanged_files_answer_304_without_a_body(server) -> None:
    first = get(server.manifest_url)
    again = get(server.manifest_url, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert server.requests[-2:] == ["GET /manifest.json 200", "GET /manifest.json 304"]


def test_nothing_outside_the_content_folder_is_served(server) -> None:
    for path in ("../runner.py", "%2e%2e/runner.py", "", "live/brightsky/forecast", "nope.json"):
        assert get(server.url + path).status_code == 404, path


def test_the_news_feed_names_the_servers_own_address(server) -> None:
    manifest = parse_manifest(get(server.manifest_url).content)
    news = next(i for i in manifest.items if i.type == "news")
    assert news.source is not None
    reply = get(urljoin(server.manifest_url, news.source.url))
    assert reply.status_code == 200
    root = ElementTree.fromstring(reply.content)
    items = root.findall("./channel/item")
    assert len(items) >= news.source.max_items
    enclosure = items[0].find("enclosure")
    assert enclosure is not None and enclosure.get("url", "").startswith(server.url)
    picture = get(enclosure.get("url", ""))
    assert picture.status_code == 200 and picture.content.startswith(b"\xff\xd8\xff")
    assert b"{{BASE}}" not in reply.content


def test_the_calendar_has_events_ahead_whatever_the_day(server) -> None:
    icalendar = pytest.importorskip("icalendar")
    recurring = pytest.importorskip("recurring_ical_events")
    manifest = parse_manifest(get(server.manifest_url).content)
    events = next(i for i in manifest.items if i.type == "events")
    assert events.source is not None
    calendar = icalendar.Calendar.from_ical(get(urljoin(server.manifest_url, events.source.url)).content)
    now = datetime.now(ZoneInfo("Europe/Berlin"))
    ahead = recurring.of(calendar).between(now, now + timedelta(days=14))
    assert len(ahead) >= events.source.max_items
    assert all(str(e.get("LOCATION", "")) for e in ahead)


def test_weather_is_served_under_bright_skys_paths_with_the_days_asked_for(server) -> None:
    manifest = parse_manifest(get(server.manifest_url).content)
    weather = next(i for i in manifest.items if i.type == "weather")
    assert weather.source is not None
    base = urljoin(server.manifest_url, weather.source.url).rstrip("/")
    today = datetime.now(UTC).date()
    current = get(f"{base}/current_weather?lat=51.1607&lon=7.0037").json()
    assert datetime.fromisoformat(current["weather"]["timestamp"]).date() == today
    assert current["sources"][0]["station_name"]  # the recording, unchanged otherwise
    day = date(2027, 3, 28)  # any day: the recording is moved onto it
    span = get(f"{base}/weather?lat=51.1607&lon=7.0037&date={day}&last_date={day + timedelta(days=3)}"
               "&tz=Europe/Berlin").json()
    stamps = [datetime.fromisoformat(r["timestamp"]) for r in span["weather"]]
    assert stamps[0].date() == day and stamps[-1].date() == day + timedelta(days=3)
    recorded = json.loads((CONTENT / "live/brightsky/weather.json").read_text())
    assert [r["temperature"] for r in span["weather"]] == [
        r["temperature"] for r in recorded["weather"]]


def test_shift_days_keeps_the_time_of_day() -> None:
    doc = {"weather": [{"timestamp": "2025-09-18T13:30:00+00:00", "t": 1},
                       {"timestamp": "2025-09-19T01:00:00+00:00", "t": 2}]}
    moved = shift_days(doc, date(2026, 12, 2))
    assert [r["timestamp"] for r in moved["weather"]] == [
        "2026-12-02T13:30:00+00:00", "2026-12-03T01:00:00+00:00"]
    assert doc["weather"][0]["timestamp"] == "2025-09-18T13:30:00+00:00"  # not changed in place


def test_the_committed_manifest_lists_exactly_the_committed_media() -> None:
    manifest = parse_manifest((CONTENT / "manifest.json").read_bytes())
    listed = sorted(Path(i.media.url).name for i in manifest.items if i.media is not None)
    assert listed == sorted(p.name for p in (CONTENT / "media").iterdir())
    assert (CONTENT / "ATTRIBUTION.md").is_file()


def test_demo_config_points_the_kiosk_at_the_server(tmp_path, server) -> None:
    path = write_demo_config(tmp_path, 1883, manifest_url=server.manifest_url, theme="neutral")
    cfg = load_config(path, env={}, system_paths=())
    assert cfg.content.manifest_url == server.manifest_url
    assert cfg.display.theme == "neutral"
    assert tomllib.loads(path.read_text())["display"].get("city") is None  # the theme's city


def test_live_sources_are_relative_and_resolve_to_the_server(server) -> None:
    from stele.adapters.livedata_source import manifest_sources

    manifest = parse_manifest(get(server.manifest_url).content)
    assert all(not i.source.url.startswith("http") for i in manifest.items if i.source)
    sources = manifest_sources(manifest, server.manifest_url)
    assert [s.kind for s in sources] == ["news", "events", "weather"]
    assert all(s.url.startswith(server.url) for s in sources)
    assert get(sources[0].url).status_code == 200 and get(sources[1].url).status_code == 200
