"""The content player in the whole kiosk: a real HTTP server serves the manifest and media,
real Mosquitto carries the triggers and the status, real QML draws it offscreen."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPageSize, QPainter, QPdfWriter

from stele.ui.app import Kiosk
from tests.httpd import HttpServer
from tests.ui.content_helpers import inset, picture, stage_rect
from tests.ui.harness import Stele, fraction_near, texts_on_screen
from tests.ui.kiosk_helpers import ARS, PREFIX, kiosk_config, new_kiosk, wait_online
from tests.ui.scene import red_fraction, shown_items

pytestmark = pytest.mark.usefixtures("qapp")


def media(server: HttpServer, name: str, data: bytes) -> dict[str, Any]:
    server.put(f"/media/{name}", data)
    return {"url": f"media/{name}", "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def publish_manifest(server: HttpServer, version: str, items: list[dict[str, Any]]) -> None:
    server.put("/manifest.json", json.dumps({"version": version, "items": items}),
               "application/json")


def content_kiosk(tmp: Path, broker_port: int, server: HttpServer, report_s: int = 900) -> Kiosk:
    extra = (f'\n[content]\nmanifest_url = "{server.url("/manifest.json")}"\n'
             f"poll_s = 3600\nreport_s = {report_s}\n")
    cfg = kiosk_config(tmp, broker_port, extra=extra)
    k = new_kiosk(cfg)
    k.start()
    return k


def as_stele(k: Kiosk) -> Stele:
    return Stele(k.view, k.bridge)


def png(tmp: Path, name: str, colour: str) -> bytes:
    return picture(tmp / name, 270, 480, colour).read_bytes()


def stage_colour(k: Kiosk, colour: str) -> float:
    s = as_stele(k)
    return fraction_near(s.frame(), QColor(colour), inset(stage_rect(s), 4), step=8)


@pytest.fixture
def server():
    with HttpServer() as srv:
        yield srv


def test_synced_content_plays_and_the_status_tells_the_truth(broker, central, server, tmp_path,
                                                             qtbot) -> None:
    red = media(server, "red.png", png(tmp_path, "red.png", "#d01010"))
    publish_manifest(server, "v1", [{"id": "rot", "type": "image", "media": red, "fit": "cover"}])
    k = content_kiosk(tmp_path, broker.port, server)
    try:
        wait_online(qtbot, central)
        qtbot.waitUntil(lambda: stage_colour(k, "#d01010") > 0.99, timeout=10_000)
        qtbot.waitUntil(lambda: central.find_json(
            "status", lambda d: d.get("slide") == "rot") is not None, timeout=5_000)
        status = central.find_json("status", lambda d: d.get("slide") == "rot")
        assert status["content"] == "v1" and status["content_synced"]
        datetime.fromisoformat(status["content_synced"])
        assert status["problems"] == []

        # A takeover: no content on the glass, and the status says so.
        from tests.capgen import CapSpec, InfoSpec, cap_xml

        central.alert("k1", cap_xml(CapSpec(identifier="F1", infos=[InfoSpec(severity="Extreme")])))
        qtbot.waitUntil(lambda: central.find_json(
            "status", lambda d: d.get("mode") == "crisis" and d.get("slide") is None) is not None,
            timeout=10_000)
        central.alert("k1", b"")
        qtbot.waitUntil(lambda: central.find_json(
            "status", lambda d: d.get("mode") == "normal" and d.get("slide") == "rot") is not None,
            timeout=10_000)
    finally:
        k.stop()
        k.dispose()


def test_mqtt_announcement_and_commands_trigger_a_sync(broker, central, server, tmp_path,
                                                       qtbot) -> None:
    red = media(server, "red.png", png(tmp_path, "red.png", "#d01010"))
    publish_manifest(server, "v1", [{"id": "rot", "type": "image", "media": red, "fit": "cover"}])
    k = content_kiosk(tmp_path, broker.port, server)
    try:
        wait_online(qtbot, central)
        qtbot.waitUntil(lambda: k.content.version == "v1", timeout=10_000)
        asked = server.count("/manifest.json")
        # The live version announced again: nothing happens.
        central.publish(f"{PREFIX}/content/{ARS}", b'{"version": "v1"}')
        qtbot.wait(1000)
        assert server.count("/manifest.json") == asked
        # A new version announced: synced at once, and it plays.
        green = media(server, "green.png", png(tmp_path, "green.png", "#10a010"))
        publish_manifest(server, "v2", [{"id": "gruen", "type": "image", "media": green,
                                         "fit": "cover"}])
        central.publish(f"{PREFIX}/content/{ARS}", b'{"version": "v2"}')
        qtbot.waitUntil(lambda: k.content.slide == "gruen", timeout=10_000)
        assert k.content.version == "v2" and stage_colour(k, "#10a010") > 0.99
        # sync-now: one more (conditional) manifest request, answered 304.
        asked = server.count("/manifest.json")
        central.publish(f"{PREFIX}/device/test-stele-01/cmd", b'{"command": "sync-now", "id": 7}',
                        retain=False)
        qtbot.waitUntil(lambda: central.find_json(
            "cmd/result", lambda d: d.get("id") == 7) is not None, timeout=5_000)
        assert central.find_json("cmd/result", lambda d: d.get("id") == 7)["ok"] is True
        qtbot.waitUntil(lambda: server.count("/manifest.json") == asked + 1, timeout=5_000)
        assert server.requests[-1].status == 304 or any(
            r.status == 304 for r in server.requests if r.path == "/manifest.json")
        central.publish(f"{PREFIX}/device/test-stele-01/cmd",
                        b'{"command": "reload-content", "id": 8}', retain=False)
        qtbot.waitUntil(lambda: central.find_json(
            "cmd/result", lambda d: d.get("id") == 8) is not None, timeout=5_000)
        assert central.find_json("cmd/result", lambda d: d.get("id") == 8)["ok"] is True
    finally:
        k.stop()
        k.dispose()


def test_schedule_change_while_running_comes_by_the_timer(broker, central, server, tmp_path,
                                                         qtbot) -> None:
    red = media(server, "red.png", png(tmp_path, "red.png", "#d01010"))
    blue = media(server, "blue.png", png(tmp_path, "blue.png", "#1030d0"))
    soon = (datetime.now(UTC) + timedelta(seconds=4)).isoformat()
    publish_manifest(server, "v1", [
        {"id": "vorher", "type": "image", "media": red, "fit": "cover",
         "schedule": {"until": soon}},
        {"id": "nachher", "type": "image", "media": blue, "fit": "cover",
         "schedule": {"from": soon}},
    ])
    k = content_kiosk(tmp_path, broker.port, server)
    try:
        qtbot.waitUntil(lambda: stage_colour(k, "#d01010") > 0.99, timeout=10_000)
        requests = server.count()
        assert k.content._timer.isActive()  # one timer armed for the change
        qtbot.waitUntil(lambda: k.content.slide == "nachher", timeout=8_000)
        assert stage_colour(k, "#1030d0") > 0.99
        assert server.count() == requests  # the change came by the timer, not a sync
    finally:
        k.stop()
        k.dispose()


def make_pdf(path: Path) -> bytes:
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    painter = QPainter(writer)
    page = writer.pageLayout().paintRectPixels(writer.resolution())
    painter.fillRect(QRectF(0, 0, page.width(), page.height() / 2), QColor("#d01010"))
    painter.end()
    return path.read_bytes()


def test_pdf_page_rendered_once_into_the_cache_appears(broker, central, server, tmp_path,
                                                       qtbot) -> None:
    pdf = media(server, "plan.pdf", make_pdf(tmp_path / "plan.pdf"))
    publish_manifest(server, "v1", [{"id": "plan", "type": "pdf", "media": pdf}])
    k = content_kiosk(tmp_path, broker.port, server)
    try:
        qtbot.waitUntil(lambda: k.content.slide == "plan", timeout=15_000)
        qtbot.wait(100)
        pages = list((tmp_path / "state" / "content" / "pages").glob("*.png"))
        assert len(pages) == 1
        s = as_stele(k)
        rect = stage_rect(s)
        top_half = QRectF(rect.left(), rect.top(), rect.width(), rect.height() / 2)
        frame = s.frame()
        assert fraction_near(frame, QColor("#d01010"), top_half, step=8) > 0.3  # the page's red
        assert fraction_near(frame, QColor("#ffffff"), rect, step=8) > 0.2  # and its white
    finally:
        k.stop()
        k.dispose()


def test_offline_cold_start_plays_from_the_cache_and_proof_of_play(broker, central, server,
                                                                   tmp_path, qtbot) -> None:
    red = media(server, "red.png", png(tmp_path, "red.png", "#d01010"))
    publish_manifest(server, "v1", [
        {"id": "rot", "type": "image", "media": red, "fit": "cover", "duration_s": 3},
        {"id": "text", "type": "text", "title": "Stadtbibliothek", "body": "Heute bis 20 Uhr.",
         "duration_s": 3}])
    k = content_kiosk(tmp_path, broker.port, server, report_s=10)
    try:
        wait_online(qtbot, central)
        qtbot.waitUntil(lambda: k.content.slide == "text", timeout=15_000)
        qtbot.waitUntil(lambda: central.find_json("played") is not None, timeout=15_000)
        report = central.find_json("played")
        assert set(report) == {"from", "until", "items"}
        assert report["items"]["rot"]["plays"] >= 1 and report["items"]["rot"]["seconds"] >= 2.5
        qtbot.waitUntil(lambda: not list((tmp_path / "state" / "played").glob("*.json")),
                        timeout=5_000)  # delivered: the queue on disk is empty again
    finally:
        k.stop()
        k.dispose()
    server.stop()  # the network is down for the second start
    k = content_kiosk(tmp_path, broker.port, server)
    try:
        qtbot.waitUntil(lambda: stage_colour(k, "#d01010") > 0.99
                        or "Stadtbibliothek" in texts_on_screen(as_stele(k)), timeout=10_000)
        assert k.content.version == "v1"
    finally:
        k.stop()
        k.dispose()


LIVE = Path(__file__).resolve().parents[1] / "data" / "live"


def test_news_and_weather_from_real_recorded_sources(broker, central, server, tmp_path,
                                                      qtbot) -> None:
    server.put("/feed.rss", (LIVE / "salzkotten-news.rss").read_bytes(), "application/rss+xml")
    server.put("/bs/current_weather", (LIVE / "brightsky-current_weather.json").read_bytes(),
               "application/json")
    server.put("/bs/weather", (LIVE / "brightsky-weather.json").read_bytes(), "application/json")
    publish_manifest(server, "v1", [
        {"id": "news", "type": "news", "duration_s": 3,
         "source": {"url": "feed.rss", "max_items": 3}},  # relative to the manifest
        {"id": "wetter", "type": "weather", "duration_s": 3,
         "source": {"url": server.url("/bs")}}])
    k = content_kiosk(tmp_path, broker.port, server)
    as_stele(k).quick_reading()  # each news entry a second, not its reading time
    try:
        qtbot.waitUntil(lambda: k.content.slide == "news", timeout=20_000)
        texts = texts_on_screen(as_stele(k))
        assert "Nachrichten" in texts
        assert any(t.startswith("Stand: ") for t in texts), texts
        assert not any("<" in t for t in texts)  # feed HTML stripped, never drawn
        qtbot.waitUntil(lambda: k.content.slide == "wetter", timeout=20_000)
        texts = texts_on_screen(as_stele(k))
        assert any(t.startswith("Quelle: Deutscher Wetterdienst · Stand: ") for t in texts), texts
        assert any(t.endswith("°C") for t in texts), texts
    finally:
        k.stop()
        k.dispose()


def test_proof_of_play_made_offline_is_kept_on_disk_and_sent_later(broker, server, tmp_path,
                                                                   qtbot) -> None:
    from tests.ui.kiosk_helpers import Central

    red = media(server, "red.png", png(tmp_path, "red.png", "#d01010"))
    publish_manifest(server, "v1", [{"id": "rot", "type": "image", "media": red, "fit": "cover"}])
    k = content_kiosk(tmp_path, broker.port, server, report_s=10)
    queue = tmp_path / "state" / "played"
    try:
        qtbot.waitUntil(lambda: k.content.slide == "rot" and k.mqtt.connected, timeout=10_000)
        broker.stop()
        qtbot.waitUntil(lambda: not k.mqtt.connected, timeout=10_000)
        qtbot.waitUntil(lambda: bool(list(queue.glob("*.json"))), timeout=15_000)
        qtbot.wait(500)
        offline = {p.name for p in queue.glob("*.json")}
        assert offline  # not sent: still on disk
        broker.start()
        central = Central(broker)
        try:
            qtbot.waitUntil(lambda: central.find_json("played") is not None, timeout=20_000)
            report = central.find_json("played")
            assert report["items"]["rot"]["plays"] >= 1
            # Delivered (acknowledged by the broker): gone from the disk.
            qtbot.waitUntil(lambda: not offline & {p.name for p in queue.glob("*.json")},
                            timeout=10_000)
        finally:
            central.close()
    finally:
        k.stop()
        k.dispose()


def test_a_slide_that_fails_in_qml_is_left_out_and_reported(broker, central, server, tmp_path,
                                                             qtbot) -> None:
    red = media(server, "red.png", png(tmp_path, "red.png", "#d01010"))
    broken = media(server, "kaputt.png", b"\x89PNG\r\n\x1a\n" + b"no picture in here" * 50)
    publish_manifest(server, "v1", [
        {"id": "rot", "type": "image", "media": red, "fit": "cover", "duration_s": 3},
        {"id": "kaputt", "type": "image", "media": broken, "duration_s": 3}])
    k = content_kiosk(tmp_path, broker.port, server)
    try:
        wait_online(qtbot, central)
        qtbot.waitUntil(lambda: central.find_json("status", lambda d: any(
            "kaputt" in p for p in d.get("problems", []))) is not None, timeout=20_000)
        status = central.find_json("status", lambda d: any("kaputt" in p for p in d["problems"]))
        assert status["mode"] == "normal"  # a content problem does not degrade the stele
        assert [i["slideId"] for i in k.content_bridge.slides.rows()] == ["rot"]
        qtbot.wait(4000)  # longer than a slide: it never came on the glass
        assert k.content.slide == "rot"
        assert stage_colour(k, "#d01010") > 0.99
    finally:
        k.stop()
        k.dispose()


# --- nothing to play: the fallback screen (spec content.md §2) --------------------------------


def on_glass(k: Kiosk, name: str) -> bool:
    return any(i.objectName() == name for i in shown_items(k.view))


def black(frame: QImage) -> float:
    return fraction_near(frame, QColor("#000000"), step=8, tolerance=8)


def fallback_on_glass(k: Kiosk) -> bool:
    """The fallback screen is what is drawn: the rehearsal cover gone, its city, clock and
    emergency numbers shown, nothing black, nothing of the content."""
    if k.bridge.warmingUp or not on_glass(k, "fallbackScreen"):
        return False
    texts = texts_on_screen(as_stele(k))
    frame = as_stele(k).frame()
    return ("Stadt Solingen" in texts and {"Notruf", "112"} <= set(texts)
            and black(frame) < 0.01 and red_fraction(frame) == 0)


@pytest.mark.parametrize("items", ["empty", "none-eligible"])
def test_a_manifest_with_nothing_eligible_shows_the_fallback(broker, central, server, tmp_path,
                                                            qtbot, items) -> None:
    red = media(server, "red.png", png(tmp_path, "red.png", "#d01010"))
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    publish_manifest(server, "v1", [] if items == "empty" else [
        {"id": "spaeter", "type": "image", "media": red, "schedule": {"from": later}},
        {"id": "anderswo", "type": "image", "media": red, "targets": {"ars": ["09"]}}])
    k = content_kiosk(tmp_path, broker.port, server)
    try:
        wait_online(qtbot, central)
        qtbot.waitUntil(lambda: k.content.version == "v1", timeout=10_000)
        qtbot.waitUntil(lambda: fallback_on_glass(k), timeout=5_000)
        # The status: the manifest is live, no item is on the glass, and nothing that is
        # merely off schedule or aimed elsewhere is a problem.
        qtbot.waitUntil(lambda: central.find_json(
            "status", lambda d: d.get("content") == "v1") is not None, timeout=5_000)
        status = central.find_json("status", lambda d: d.get("content") == "v1")
        assert status["slide"] is None and status["problems"] == []
        assert status["mode"] == "normal"
    finally:
        k.stop()
        k.dispose()


def test_an_item_that_becomes_eligible_replaces_the_fallback_without_a_gap(
        broker, central, server, tmp_path, qtbot) -> None:
    """The schedule's timer brings the item; the fallback stays until its slide is fully
    drawn: every frame is the fallback or the whole slide, none black or half-loaded."""
    # A large picture: decoding it takes long enough for frames to fall in between.
    big = media(server, "big.png", picture(tmp_path / "big.png", 3000, 5000, "#d01010")
                .read_bytes())
    soon = (datetime.now(UTC) + timedelta(seconds=4)).isoformat()
    publish_manifest(server, "v1", [{"id": "bald", "type": "image", "media": big,
                                     "fit": "cover", "schedule": {"from": soon}}])
    k = content_kiosk(tmp_path, broker.port, server)
    frames: list[tuple[str, QImage, bool]] = []  # (when, frame, the fallback was shown)

    def grab(when: str) -> None:
        frames.append((when, k.view.grabWindow(), on_glass(k, "fallbackScreen")))

    try:
        wait_online(qtbot, central)
        qtbot.waitUntil(lambda: fallback_on_glass(k), timeout=10_000)
        assert k.content.version == "v1" and k.content._timer.isActive()
        # The frame right as the playlist arrives (the timer's replan), before any event.
        k.content_bridge.slides.countChanged.connect(lambda: grab("arrived"))
        requests = server.count()
        deadline = time.monotonic() + 15
        after = 0
        while time.monotonic() < deadline and after < 5:
            grab("loop")
            after += k.content.slide == "bald"
            qtbot.wait(5)
        assert k.content.slide == "bald"
        assert server.count() == requests  # it came by the timer, not by a sync
        stage = inset(stage_rect(as_stele(k)), 4)
        arrived = [f for f in frames if f[0] == "arrived"]
        assert len(arrived) == 1 and arrived[0][2]  # the playlist came: still the fallback
        for when, frame, fallback in frames:
            assert black(frame) < 0.01, when
            if fallback:
                assert red_fraction(frame) == 0, when  # nothing of the slide under it
            else:
                assert fraction_near(frame, QColor("#d01010"), stage, step=8) > 0.99, when
        assert frames[-1][2] is False and sum(1 for f in frames if not f[2]) >= 5
        qtbot.waitUntil(lambda: central.find_json(
            "status", lambda d: d.get("slide") == "bald") is not None, timeout=5_000)
    finally:
        k.stop()
        k.dispose()


def test_offline_cold_start_without_a_cache_shows_the_fallback(broker, central, server,
                                                              tmp_path, qtbot) -> None:
    server.stop()  # the network is down and nothing was ever synced
    k = content_kiosk(tmp_path, broker.port, server)
    try:
        wait_online(qtbot, central)
        qtbot.waitUntil(lambda: fallback_on_glass(k), timeout=10_000)
        assert k.content.version is None
        status = central.find_json("status", lambda d: d["state"] == "online")
        assert status is not None and status["content"] is None and status["slide"] is None
        # A manifest sync that fails leaves the fallback where it is.
        qtbot.wait(1000)
        assert fallback_on_glass(k)
    finally:
        k.stop()
        k.dispose()
