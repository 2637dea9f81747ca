"""The kiosk with [content] source = "osca" against a real Parse Server (LiveQuery on), real
Mosquitto for the status, real QML drawn offscreen: assertions on the grabbed frames."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtGui import QColor

from stele.domain.osca import CONFIGURING_TEXT
from tests.parse_server import ParseServer, date, geo, pointer
from tests.ui.content_helpers import inset, stage_rect
from tests.ui.harness import Stele, fraction_near, texts_on_screen
from tests.ui.kiosk_helpers import DEVICE, PREFIX, Central, wait_online
from tests.ui.osca_helpers import (
    activate,
    image_object,
    osca_kiosk,
    screen_id,
    stele_uuid,
)

pytestmark = [pytest.mark.usefixtures("qapp"), pytest.mark.slow]
RED = "#d01010"


def stage_colour(k, colour: str) -> float:  # type: ignore[no-untyped-def]
    s = Stele(k.view, k.bridge)
    return fraction_near(s.frame(), QColor(colour), inset(stage_rect(s), 4), step=8)


def status(central: Central, pred) -> dict | None:  # type: ignore[no-untyped-def, type-arg]
    return central.find_json("status", pred)


def test_configuring_until_activated_then_the_diashow_and_screenshots(
    parse_server: ParseServer, broker, central: Central, tmp_path: Path, qtbot
) -> None:
    uuid = stele_uuid(tmp_path)
    k = osca_kiosk(tmp_path, broker.port, parse_server)
    try:
        wait_online(qtbot, central)
        # First start: the row is created, and the glass says the stele is being configured.
        qtbot.waitUntil(lambda: screen_id(parse_server, uuid) is not None, timeout=15_000)
        name = parse_server.find("SteleScreen", where={"uuid": uuid})[0]["name"]
        s = Stele(k.view, k.bridge)
        qtbot.waitUntil(
            lambda: {CONFIGURING_TEXT, name} <= set(texts_on_screen(s)), timeout=15_000
        )
        qtbot.waitUntil(lambda: status(central, lambda d: d.get("osca_uuid") == uuid and any(
            "waiting for activation" in p for p in d["problems"])) is not None, timeout=5_000)
        waiting = status(central, lambda d: d.get("osca_uuid") == uuid)
        assert waiting is not None and waiting["slide"] is None
        # Never black: the frame is the theme's, not the panel's dark.
        frame = s.frame()
        assert fraction_near(frame, QColor("#000000"), inset(stage_rect(s), 4), step=16) < 0.05

        # The administrator activates it: the diashow's image is on the glass within 2 s.
        layout = parse_server.seed_layout(
            diashow=parse_server.seed_diashow([image_object(tmp_path, "rot.png", RED)])
        )
        put = activate(parse_server, uuid, layout)
        qtbot.waitUntil(lambda: stage_colour(k, RED) > 0.5, timeout=2_000)
        took = time.monotonic() - put
        assert took < 2.0, took
        assert CONFIGURING_TEXT not in texts_on_screen(s)
        qtbot.waitUntil(lambda: status(central, lambda d: (d.get("slide") or "").startswith(
            "dia-")) is not None, timeout=5_000)
        shown = status(central, lambda d: (d.get("slide") or "").startswith("dia-"))
        assert shown is not None and shown["problems"] == [] and shown["content"]

        # The configurator sees what the stele shows: a screenshot of the real frame.
        sid = screen_id(parse_server, uuid)
        where = {"screen": pointer("SteleScreen", str(sid))}
        qtbot.waitUntil(lambda: parse_server.find("SteleScreenshot", where=where) != [],
                        timeout=20_000)
        rows = parse_server.find("SteleScreenshot", where=where)
        assert len(rows) == 1
        import requests

        body = requests.get(rows[0]["screenshot"]["url"], timeout=10).content
        from PySide6.QtGui import QImage

        shot = QImage.fromData(body)
        assert not shot.isNull() and shot.width() == k.view.width()
        # The red slide is in the uploaded picture too.
        assert fraction_near(shot, QColor(RED), inset(stage_rect(s), 4), step=8) > 0.5

        # sync-now re-reads the backend at once (LiveQuery is up: nothing else would now).
        assert k.osca is not None
        before = k.osca.source.fetches
        central.publish(f"{PREFIX}/device/{DEVICE}/cmd", b'{"command": "sync-now", "id": 7}',
                        retain=False)
        qtbot.waitUntil(lambda: central.find_json(
            "cmd/result", lambda d: d.get("id") == 7) is not None, timeout=5_000)
        assert central.find_json("cmd/result", lambda d: d.get("id") == 7)["ok"] is True
        qtbot.waitUntil(lambda: k.osca.source.fetches > before, timeout=5_000)
    finally:
        k.stop()
        k.dispose()


def test_touchscreen_tiles_press_release_and_weather_drawn(
    parse_server: ParseServer, broker, central: Central, tmp_path: Path, qtbot
) -> None:
    now = datetime.now(UTC)
    title = f"Neue Radwege in der Innenstadt {tmp_path.name[-6:]}"
    # The server is shared by the session: these rows go again at the end.
    made = [
        ("PressRelease", parse_server.create(
            "PressRelease", title=title, summary="Die Stadt baut aus.",
            date=date(now - timedelta(hours=1)), url="https://example.org/1")),
        ("WeatherObserved", parse_server.create(
            "WeatherObserved", name="Solingen Mitte", location=geo(51.17, 7.08),
            dateObserved=date(now),
            values={"temperature": {"name": "Temperatur", "unit": "°C", "value": 17.4}})),
        ("WeatherObserved", parse_server.create(
            "WeatherObserved", name="Köln", location=geo(50.94, 6.96), dateObserved=date(now),
            values={"temperature": {"name": "Temperatur", "unit": "°C", "value": -3.0}})),
    ]
    grid = parse_server.seed_grid(
        [(1, "Pressemitteilungen", {}), (2, "Wetter", {}), (3, "Karte", {"zoom": 14}),
         (4, "Busabfahrten", {})]
    )
    layout = parse_server.seed_layout(grid=grid)
    uuid = stele_uuid(tmp_path)
    parse_server.seed_screen(uuid, layout="Touchscreen", layout_config=layout,
                             location=(51.17, 7.08))
    k = osca_kiosk(tmp_path, broker.port, parse_server)
    try:
        s = Stele(k.view, k.bridge)
        s.quick_reading()
        s.set_token("testOnlyTimeScale", 0.2)
        qtbot.waitUntil(lambda: title in texts_on_screen(s), timeout=15_000)
        # The nearest station's temperature (not Köln's) comes round in the rotation.
        qtbot.waitUntil(lambda: any("17 °C" in t for t in texts_on_screen(s)), timeout=20_000)
        assert not any("-3 °C" in t for t in texts_on_screen(s))
        # Departures have no manifest type: a page of rows of their own in the rotation.
        qtbot.waitUntil(lambda: any("Wuppertal Vohwinkel" in t for t in texts_on_screen(s)),
                        timeout=20_000)
        assert "Abfahrten" in texts_on_screen(s)
        wait_online(qtbot, central)
        qtbot.waitUntil(lambda: status(central, lambda d: any(
            "not available on this stele" in p for p in d["problems"])) is not None,
            timeout=10_000)
    finally:
        k.stop()
        k.dispose()
        for cls, object_id in made:
            parse_server.delete(cls, object_id)


def test_backend_down_keeps_playing_and_a_restart_plays_from_the_cache(
    own_parse_server: ParseServer, broker, central: Central, tmp_path: Path, qtbot
) -> None:
    server = own_parse_server
    uuid = stele_uuid(tmp_path)
    layout = server.seed_layout(
        diashow=server.seed_diashow([image_object(tmp_path, "rot.png", RED)])
    )
    server.seed_screen(uuid, layout="Diashow", layout_config=layout)
    k = osca_kiosk(tmp_path, broker.port, server)
    try:
        qtbot.waitUntil(lambda: stage_colour(k, RED) > 0.5, timeout=15_000)
        server.stop()
        qtbot.wait(3_000)  # the source notices and retries; the glass stays
        assert stage_colour(k, RED) > 0.5
    finally:
        k.stop()
        k.dispose()
    # A cold start with the backend still down: the last state from disk.
    k = osca_kiosk(tmp_path, broker.port, server)
    try:
        qtbot.waitUntil(lambda: stage_colour(k, RED) > 0.5, timeout=10_000)
    finally:
        k.stop()
        k.dispose()


def test_touch_panel_grid_opens_a_tile_large_and_closes_it_untouched(
    parse_server: ParseServer, broker, central: Central, tmp_path: Path, qtbot
) -> None:
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from tests.ui.harness import scene_rect, text_item

    now = datetime.now(UTC)
    title = f"Stadtfest am Wochenende {tmp_path.name[-6:]}"
    made = [("PressRelease", parse_server.create(
        "PressRelease", title=title, summary="Programm und Anreise.",
        date=date(now - timedelta(minutes=5))))]
    grid = parse_server.seed_grid([(1, "Pressemitteilungen", {}), (2, "Busabfahrten", {}),
                                   (3, "Raumbuchung", {}), (4, "Wetter", {})])
    uuid = stele_uuid(tmp_path)
    parse_server.seed_screen(uuid, layout="Touchscreen",
                             layout_config=parse_server.seed_layout(grid=grid))
    k = osca_kiosk(tmp_path, broker.port, parse_server)
    try:
        assert k.osca is not None
        k.osca.set_touch(True)
        s = Stele(k.view, k.bridge)
        s.set_token("tileCloseMs", 1500)
        wanted = {"Pressemitteilungen", "Abfahrten", "Raumbuchung", "Wetter", title,
                  "Auf dieser Stele nicht verfügbar"}
        qtbot.waitUntil(lambda: wanted <= set(texts_on_screen(s)), timeout=15_000)
        # Departures from the `mobility` function at the stele's location, with the delay.
        qtbot.waitUntil(lambda: any("Wuppertal Vohwinkel" in t and "(+2)" in t
                                    for t in texts_on_screen(s)), timeout=5_000)
        wait_online(qtbot, central)
        qtbot.waitUntil(lambda: status(central, lambda d: d.get("slide") == "osca-grid")
                        is not None, timeout=5_000)

        # A tap on the press releases opens them large (the news slide: its summary too).
        heading = scene_rect(text_item(s, "Pressemitteilungen"))
        QTest.mouseClick(k.view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(int(heading.center().x()), int(heading.center().y())))
        qtbot.waitUntil(lambda: "Schließen" in texts_on_screen(s), timeout=5_000)
        qtbot.waitUntil(lambda: any("Programm und Anreise." in t for t in texts_on_screen(s)),
                        timeout=5_000)
        assert "Raumbuchung" not in texts_on_screen(s)
        qtbot.waitUntil(lambda: status(central, lambda d: d.get("slide") == "tile-1-news")
                        is not None, timeout=5_000)
        # Untouched, it closes again by itself (5 min on a stele; shortened here).
        qtbot.waitUntil(lambda: "Raumbuchung" in texts_on_screen(s), timeout=5_000)
        assert "Schließen" not in texts_on_screen(s)
    finally:
        k.stop()
        k.dispose()
        for cls, object_id in made:
            parse_server.delete(cls, object_id)
