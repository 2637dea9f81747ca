"""The OSCA source against a real Parse Server (npm parse-server on PostgreSQL, LiveQuery on)."""

from __future__ import annotations

import hashlib
import struct
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from stele.adapters.osca.store import read_uuid
from tests.adapters.osca_helpers import items, make_source
from tests.parse_server import ParseServer, date, geo, pointer
from tests.ui.osca_helpers import activate

pytestmark = pytest.mark.slow


def png(width: int = 4, height: int = 3) -> bytes:
    """A real (tiny, grey) PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
# The source never decodes media (the player does): an MP4's first box is enough here.
MP4_HEAD = struct.pack(">I", 24) + b"ftypisom" + b"\x00\x00\x02\x00isomiso2" + b"\x00" * 4000


def test_first_start_creates_the_row_and_waits_for_activation(
    parse_server: ParseServer, tmp_path: Path
) -> None:
    source, views = make_source(parse_server, tmp_path)
    try:
        view = views.wait_for(lambda v: v["state"] == "configuring")
        uuid = read_uuid(tmp_path / "osca")
        assert uuid == source.uuid
        rows = parse_server.find("SteleScreen", where={"uuid": uuid})
        assert len(rows) == 1 and rows[0]["name"]  # a random first name
        assert view["name"] == rows[0]["name"]
        assert view["manifest"]["items"] == []
        assert "waiting for activation" in view["problems"][0]
        # An admin activates it in the configurator: the stele follows without a restart.
        image = {
            "name": "markt.png",
            "data": png(),
            "content_type": "image/png",
            "file_type": "image",
            "duration": 8,
        }
        layout = parse_server.seed_layout(diashow=parse_server.seed_diashow([image]))
        activate(parse_server, uuid, layout)
        view = views.wait_for(lambda v: v["state"] == "active")
        assert [i["type"] for i in items(view)] == ["image"]
    finally:
        source.stop()
    # Same state dir: the same uuid, no second row.
    again, views = make_source(parse_server, tmp_path)
    try:
        views.wait_for(lambda v: v["state"] == "active")
        assert again.uuid == uuid
        assert len(parse_server.find("SteleScreen", where={"uuid": uuid})) == 1
    finally:
        again.stop()


def test_diashow_image_pdf_video_with_date_windows(
    parse_server: ParseServer, tmp_path: Path
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    objects = [
        {
            "name": "bild.png",
            "data": png(),
            "content_type": "image/png",
            "file_type": "image",
            "duration": 12,
            "start": now - timedelta(days=1),
            "end": now + timedelta(days=5),
        },
        {
            "name": "flyer.pdf",
            "data": PDF,
            "content_type": "application/pdf",
            "file_type": "application/pdf",
            "duration": 20,
        },
        {
            "name": "clip.mp4",
            "data": MP4_HEAD,
            "content_type": "video/mp4",
            "file_type": "video",
            "duration": 30,
            "start": now + timedelta(days=2),
        },
    ]
    layout = parse_server.seed_layout(diashow=parse_server.seed_diashow(objects))
    source, views = make_source(parse_server, tmp_path, start=False)
    parse_server.seed_screen(source.uuid, layout_config=layout)
    source.start()
    try:
        view = views.wait_for(lambda v: len(v["manifest"]["items"]) == 3)
        # Removed in the configurator: off the manifest, and its bytes off the disk.
        video = next(i for i in items(view) if i["type"] == "video")
        diashow = parse_server.find("SteleLayoutConfig", where={"objectId": layout})[0][
            "diashowConfig"
        ]["objectId"]
        gone = [
            o["objectId"]
            for o in parse_server.find(
                "SteleDiashowObject",
                where={
                    "fileType": "video",
                    "$relatedTo": {
                        "object": pointer("SteleDiashowConfig", diashow),
                        "key": "diashowObjects",
                    },
                },
            )
        ]
        parse_server.unrelate(
            "SteleDiashowConfig", diashow, "diashowObjects", "SteleDiashowObject", gone
        )
        views.wait_for(lambda v: len(v["manifest"]["items"]) == 2, timeout_s=5.0)
        assert not (tmp_path / "osca" / "files" / video["media"]["sha256"]).exists()
    finally:
        source.stop()
    by_type = {i["type"]: i for i in items(view)}
    assert set(by_type) == {"image", "pdf", "video"}
    assert by_type["video"]["media"]["sha256"] == hashlib.sha256(MP4_HEAD).hexdigest()
    for obj in objects[:2]:
        kind = {"image": "image", "application/pdf": "pdf", "video": "video"}[obj["file_type"]]
        item = by_type[kind]
        assert item["media"]["sha256"] == hashlib.sha256(obj["data"]).hexdigest()
        assert item["media"]["size"] == len(obj["data"])
        assert item["duration_s"] == obj["duration"]
        assert item["id"].startswith("dia-")
        # The verified bytes are on disk under their hash.
        assert (tmp_path / "osca" / "files" / item["media"]["sha256"]).read_bytes() == obj["data"]
    assert by_type["image"]["schedule"] == {
        "from": (now - timedelta(days=1)).isoformat().replace("+00:00", "Z"),
        "until": (now + timedelta(days=5)).isoformat().replace("+00:00", "Z"),
    }
    assert "schedule" not in by_type["pdf"]
    assert by_type["video"]["schedule"] == {
        "from": (now + timedelta(days=2)).isoformat().replace("+00:00", "Z")
    }
    assert view["manifest"]["version"].startswith("osca-")


def test_tile_grid_press_weather_departures(parse_server: ParseServer, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    for n in range(12):  # 12 past releases and one in the future
        parse_server.create(
            "PressRelease",
            title=f"Meldung {n}",
            summary=f"Text {n}",
            date=date(now - timedelta(hours=n + 1)),
            url=f"https://x.de/{n}",
        )
    parse_server.create(
        "PressRelease", title="Morgen", summary="noch nicht", date=date(now + timedelta(days=1))
    )
    for name, where in (
        ("Solingen Mitte", (51.171, 7.083)),
        ("Wuppertal", (51.256, 7.150)),
        ("Köln", (50.94, 6.96)),
    ):
        parse_server.create(
            "WeatherObserved",
            name=name,
            location=geo(*where),
            dateObserved=date(now),
            values={"temperature": {"name": "Temperatur", "unit": "°C", "value": 4.5}},
        )
    grid = parse_server.seed_grid(
        [
            (1, "Pressemitteilungen", {}),
            (2, "Wetter", {}),
            (3, "Busabfahrten", {}),
            (4, "Karte", {"zoom": 14}),
        ]
    )
    layout = parse_server.seed_layout(grid=grid)
    source, views = make_source(parse_server, tmp_path, start=False)
    parse_server.seed_screen(
        source.uuid, layout="Touchscreen", layout_config=layout, location=(51.17, 7.08)
    )
    source.start()
    try:
        view = views.wait_for(
            lambda v: v["state"] == "active" and bool(v["live"]["departures"]["rows"])
        )
    finally:
        source.stop()
    kinds = [(t["position"], t["kind"]) for t in view["grid"]]
    assert kinds == [(1, "news"), (2, "weather"), (3, "departures"), (4, "unavailable")]
    assert "tile 4 (Karte): not available on this stele" in view["problems"]
    press = view["live"]["tile-1-news"]
    assert [p["title"] for p in press] == [f"Meldung {n}" for n in range(10)]
    assert view["live"]["tile-2-weather"]["name"] == "Solingen Mitte"
    assert view["live"]["tile-2-weather"]["values"][0]["unit"] == "°C"
    rows = view["live"]["departures"]["rows"]
    assert [r["line"] for r in rows] == ["681", "683", "S7"]
    assert rows[1]["estimated"] > rows[1]["planned"]  # 2 minutes late in the cloud code
    assert [i["type"] for i in items(view)] == ["news", "weather"]


def test_livequery_change_reaches_the_client_within_2_s(
    parse_server: ParseServer, tmp_path: Path
) -> None:
    first = {
        "name": "a.png",
        "data": png(2, 2),
        "content_type": "image/png",
        "file_type": "image",
        "duration": 5,
    }
    diashow = parse_server.seed_diashow([first])
    layout = parse_server.seed_layout(diashow=diashow)
    # A long poll interval: only LiveQuery can bring the change in time.
    source, views = make_source(parse_server, tmp_path, start=False, poll_s=3600)
    parse_server.seed_screen(source.uuid, layout_config=layout)
    source.start()
    try:
        views.wait_for(lambda v: len(v["manifest"]["items"]) == 1)
        deadline = time.monotonic() + 10
        while source.link != "livequery" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert source.link == "livequery"
        obj = parse_server.find(
            "SteleDiashowObject",
            where={
                "$relatedTo": {
                    "object": pointer("SteleDiashowConfig", diashow),
                    "key": "diashowObjects",
                }
            },
        )[0]
        fetches = source.fetches
        t0 = time.monotonic()
        parse_server.update("SteleDiashowObject", obj["objectId"], duration=42)
        views.wait_for(lambda v: items(v)[0]["duration_s"] == 42, timeout_s=2.0)
        assert time.monotonic() - t0 < 2.0
        assert source.fetches > fetches
    finally:
        source.stop()


def test_backend_down_serves_the_cache_also_after_a_restart(
    own_parse_server: ParseServer, tmp_path: Path
) -> None:
    server = own_parse_server
    image = {
        "name": "b.png",
        "data": png(3, 3),
        "content_type": "image/png",
        "file_type": "image",
        "duration": 9,
    }
    layout = server.seed_layout(diashow=server.seed_diashow([image]))
    source, views = make_source(server, tmp_path, start=False, backoff_min_s=0.2, backoff_max_s=1.0)
    server.seed_screen(source.uuid, layout_config=layout)
    source.start()
    try:
        online = views.wait_for(lambda v: len(v["manifest"]["items"]) == 1)
        server.stop()
        source.refresh()
        deadline = time.monotonic() + 10
        while source.link != "offline" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert source.link == "offline"
        assert source.view == online  # the last good state stays
    finally:
        source.stop()
    # Cold start with the backend still down: the cached state, files verified again.
    again, views = make_source(
        server, tmp_path, backoff_min_s=0.2, backoff_max_s=1.0, livequery_backoff_s=(0.2, 1.0)
    )
    try:
        view = views.wait_for(lambda v: v["state"] == "active", timeout_s=2.0)
        assert view["manifest"] == online["manifest"]
        path = tmp_path / "osca" / "files" / items(view)[0]["media"]["sha256"]
        assert path.read_bytes() == image["data"]
        # The backend comes back: the source logs in, LiveQuery reconnects, changes follow.
        server.start()
        deadline = time.monotonic() + 15
        while again.link != "livequery" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert again.link == "livequery"
        obj = server.find("SteleDiashowObject")[0]
        server.update("SteleDiashowObject", obj["objectId"], duration=33)
        views.wait_for(lambda v: items(v)[0]["duration_s"] == 33, timeout_s=5.0)
    finally:
        again.stop()


def test_without_livequery_the_source_polls(parse_server: ParseServer, tmp_path: Path) -> None:
    image = {
        "name": "p.png",
        "data": png(5, 5),
        "content_type": "image/png",
        "file_type": "image",
        "duration": 4,
    }
    diashow = parse_server.seed_diashow([image])
    layout = parse_server.seed_layout(diashow=diashow)
    source, views = make_source(parse_server, tmp_path, start=False, poll_s=10, livequery=False)
    parse_server.seed_screen(source.uuid, layout_config=layout)
    source.start()
    try:
        views.wait_for(lambda v: len(v["manifest"]["items"]) == 1)
        assert source.link == "polling"
        obj = parse_server.find(
            "SteleDiashowObject",
            where={
                "$relatedTo": {
                    "object": pointer("SteleDiashowConfig", diashow),
                    "key": "diashowObjects",
                }
            },
        )[0]
        parse_server.update("SteleDiashowObject", obj["objectId"], duration=44)
        # Polls every 5 s at first, doubling while nothing changes, up to poll_s.
        views.wait_for(lambda v: items(v)[0]["duration_s"] == 44, timeout_s=12.0)
    finally:
        source.stop()


def test_screenshots_land_and_older_ones_are_removed(
    parse_server: ParseServer, tmp_path: Path
) -> None:
    layout = parse_server.seed_layout(diashow=parse_server.seed_diashow([]))
    source, views = make_source(parse_server, tmp_path, start=False)
    screen = parse_server.seed_screen(source.uuid, layout_config=layout)
    other = parse_server.seed_screen("other-" + source.uuid, layout_config=layout)
    parse_server.create(
        "SteleScreenshot", screen=pointer("SteleScreen", other), date=date(datetime.now(UTC))
    )
    source.start()
    try:
        views.wait_for(lambda v: v["state"] == "active")
        first = source.upload_screenshot(png(8, 8))
        second = source.upload_screenshot(png(9, 9))
    finally:
        source.stop()
    mine = parse_server.find("SteleScreenshot", where={"screen": pointer("SteleScreen", screen)})
    assert [r["objectId"] for r in mine] == [second]
    assert first != second
    shot = requests.get(mine[0]["screenshot"]["url"], timeout=5)
    assert shot.content == png(9, 9)
    assert (
        len(parse_server.find("SteleScreenshot", where={"screen": pointer("SteleScreen", other)}))
        == 1
    )  # another stele's are not touched


def test_screenshot_schedule_first_soon_after_content_then_every_interval(
    parse_server: ParseServer, tmp_path: Path
) -> None:
    from stele.adapters.osca.screenshots import FIRST_WITHIN_S, ScreenshotUploader, next_due

    assert next_due(None, None, 600) is None
    assert 0 < next_due(100.0, None, 600) - 100.0 <= FIRST_WITHIN_S  # type: ignore[operator]
    assert next_due(100.0, 200.0, 600) == 800.0

    layout = parse_server.seed_layout(diashow=parse_server.seed_diashow([]))
    source, views = make_source(parse_server, tmp_path, start=False)
    screen = parse_server.seed_screen(source.uuid, layout_config=layout)
    frames = [png(n, n) for n in range(2, 12)]
    grabbed: list[bytes] = []

    def grab() -> bytes:
        grabbed.append(frames[len(grabbed)])
        return grabbed[-1]

    uploader = ScreenshotUploader(
        source, grab, lambda: (source.view or {}).get("state") == "active", interval_s=3.0
    )
    source.start()
    uploader.start()
    try:
        views.wait_for(lambda v: v["state"] == "active")
        shown = time.monotonic()
        deadline = shown + FIRST_WITHIN_S
        while uploader.uploaded < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert uploader.uploaded == 1 and time.monotonic() - shown < FIRST_WITHIN_S
        while uploader.uploaded < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert uploader.uploaded == 2
    finally:
        uploader.stop()
        source.stop()
    rows = parse_server.find("SteleScreenshot", where={"screen": pointer("SteleScreen", screen)})
    assert len(rows) == 1
    assert requests.get(rows[0]["screenshot"]["url"], timeout=5).content == grabbed[-1]


def test_livequery_follows_a_tile_class_named_otherwise(
    own_parse_server: ParseServer, tmp_path: Path
) -> None:
    """The issue names no class for tiles: the stele subscribes to the class its pointers name."""
    from stele.adapters.osca.source import LIVE_CLASSES

    server = own_parse_server
    assert "Kachel" not in LIVE_CLASSES
    schema = "/schemas/SteleTilePosition"
    server.rest("PUT", schema, {"fields": {"tile": {"__op": "Delete"}}})
    server.rest("PUT", schema, {"fields": {"tile": {"type": "Pointer", "targetClass": "Kachel"}}})
    grid = server.seed_grid([(1, "Karte", {"zoom": 1})], tile_class="Kachel")
    layout = server.seed_layout(grid=grid)
    source, views = make_source(server, tmp_path, start=False, poll_s=3600)
    server.seed_screen(source.uuid, layout="Touchscreen", layout_config=layout)
    source.start()
    try:
        views.wait_for(lambda v: v["state"] == "active" and v["grid"][0]["config"] == {"zoom": 1})
        deadline = time.monotonic() + 10
        while not (source._lq and "Kachel" in source._lq.classes and source.link == "livequery"):
            assert time.monotonic() < deadline, "no LiveQuery on Kachel"
            time.sleep(0.05)
        tile = server.find("Kachel")[0]["objectId"]
        server.update("Kachel", tile, config={"zoom": 2})
        views.wait_for(lambda v: v["grid"][0]["config"] == {"zoom": 2}, timeout_s=2.0)
    finally:
        source.stop()
