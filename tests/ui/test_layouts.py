"""The QML layouts rendered for real (offscreen, software renderer) and checked by what is drawn.

Screenshots for docs/screenshots/ are written when STELE_SCREENSHOTS=1.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor
from PySide6.QtQuick import QQuickItem

from stele.domain.model import Layout
from stele.domain.presentation import Mode, ScreenModel
from stele.domain.screen import screen_of
from stele.ui.bridge import ScreenBridge
from stele.ui.view import UiError, create_view, layouts_dir
from tests.ui.harness import (
    LANDSCAPE,
    PORTRAIT,
    Stele,
    evaluate,
    fraction_near,
    is_shown,
    save,
    scene_rect,
    shown_items,
    shown_texts,
    text_item,
    texts_on_screen,
    visible_rect,
)
from tests.ui.samples import (
    ALL_CLEAR,
    BANNER,
    BOMB_EXERCISE,
    CRISIS,
    FLOOD,
    FLOOD_AR,
    FLOOD_DE,
    FLOOD_EN,
    ICE,
    LONG,
    POWER,
    SENT,
    STORM,
    WATER,
)
from tests.ui.scene import walk

BOTH = pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])


@BOTH
def test_crisis_takeover_is_red_and_shows_the_alert(stele, size) -> None:
    s = stele(size)
    frame = s.show(CRISIS)
    assert fraction_near(frame, s.theme("extreme")) > 0.5
    for text in (
        FLOOD_DE.headline,
        FLOOD_DE.instruction,
        FLOOD_DE.description,
        "Hochwasser",
        FLOOD_DE.sender_name,
        "EXTREME GEFAHR",
        "WAS IST ZU TUN?",
    ):
        assert is_shown(s, text), text
    # Place and time share one block, a line each.
    assert is_shown(s, "Gebiet: " + FLOOD_DE.area + "\nStand: 22.11.2026, 14:05 Uhr")
    # The others are listed, the banner and the normal screen are not shown.
    assert is_shown(s, STORM.texts[0].headline)
    assert is_shown(s, POWER.texts[0].headline)
    assert not is_shown(s, "Musterstadt")


def test_instruction_comes_before_description(stele) -> None:
    s = stele(PORTRAIT)
    s.show(CRISIS)
    headline = scene_rect(text_item(s, FLOOD_DE.headline))
    instruction = scene_rect(text_item(s, FLOOD_DE.instruction))
    description = scene_rect(text_item(s, FLOOD_DE.description))
    assert headline.bottom() <= instruction.top() < description.top()


def test_severe_takeover_is_orange_red(stele) -> None:
    s = stele(PORTRAIT)
    frame = s.show(screen_of((STORM,)))
    assert fraction_near(frame, s.theme("severe")) > 0.5
    assert fraction_near(frame, s.theme("extreme")) < 0.02
    assert any("\nab 22.11.2026, 18:00 Uhr\n" in t for t in texts_on_screen(s))  # future onset


@BOTH
def test_banner_leaves_the_normal_screen_visible(stele, size) -> None:
    s = stele(size)
    frame = s.show(BANNER)
    band = QRectF(0, frame.height() * 0.75, frame.width(), frame.height() * 0.25)
    assert fraction_near(frame, s.theme("moderate"), band) > 0.5
    assert fraction_near(frame, s.theme("moderate")) < 0.45
    assert is_shown(s, WATER.texts[0].headline)
    assert is_shown(s, "Musterstadt")
    clocks = [t for t in texts_on_screen(s) if len(t) == 5 and t[2] == ":" and t[:2].isdigit()]
    assert clocks, texts_on_screen(s)
    clock = scene_rect(text_item(s, clocks[0]))
    assert clock.bottom() < band.top()
    # Normal content is clear of the band: the background colour is still there above it.
    top = QRectF(0, 0, frame.width(), frame.height() * 0.5)
    assert fraction_near(frame, s.theme("moderate"), top) < 0.02


def test_all_clear_card_shows_while_no_takeover(stele) -> None:
    s = stele(PORTRAIT)
    frame = s.show(screen_of((), ALL_CLEAR))
    assert is_shown(s, "ENTWARNUNG")
    assert is_shown(s, ALL_CLEAR.headline)
    assert fraction_near(frame, s.theme("allClear")) > 0.2
    frame = s.show(screen_of((FLOOD,), ALL_CLEAR))
    assert not is_shown(s, "ENTWARNUNG")
    assert fraction_near(frame, s.theme("allClear")) < 0.01


@BOTH
def test_exercise_is_marked_top_and_bottom(stele, size) -> None:
    s = stele(size)
    frame = s.show(screen_of((BOMB_EXERCISE,)))
    assert is_shown(s, "ÜBUNG / EXERCISE")
    yellow = s.theme("exerciseYellow")
    band = frame.height() * 0.04
    top = QRectF(0, 0, frame.width(), band)
    bottom = QRectF(0, frame.height() - band, frame.width(), band)
    assert fraction_near(frame, yellow, top, step=4) > 0.25
    assert fraction_near(frame, yellow, bottom, step=4) > 0.25
    assert is_shown(s, BOMB_EXERCISE.texts[0].headline)


def test_real_alert_is_not_marked_as_exercise(stele) -> None:
    s = stele(PORTRAIT)
    frame = s.show(screen_of((FLOOD, BOMB_EXERCISE)))
    top = QRectF(0, 0, frame.width(), frame.height() * 0.04)
    assert fraction_near(frame, s.theme("exerciseYellow"), top, step=4) < 0.01
    # The exercise among the others is labelled as such in its line.
    assert is_shown(s, "ÜBUNG / EXERCISE: " + BOMB_EXERCISE.texts[0].headline)


def test_arabic_renders_right_to_left(stele) -> None:
    s = stele(PORTRAIT)
    frame = s.show(screen_of((replace(FLOOD, texts=(FLOOD_AR,)),)))
    for text in (FLOOD_AR.headline, FLOOD_AR.instruction):
        item = text_item(s, text)
        alignment = evaluate(s, item, "effectiveHorizontalAlignment")
        assert alignment == Qt.AlignmentFlag.AlignRight.value
    # Drawn flush right: white headline pixels near the right edge, none at the far left.
    rect = scene_rect(text_item(s, FLOOD_AR.headline))
    first_line = QRectF(rect.left(), rect.top(), rect.width(), min(rect.height(), 90))
    right = QRectF(first_line.right() - 120, first_line.top(), 120, first_line.height())
    white = QColor("white")
    assert fraction_near(frame, white, right, step=3, tolerance=60) > 0.05
    assert is_shown(s, "ماذا يجب أن تفعل؟")


def test_languages_rotate(stele, qtbot) -> None:
    s = stele(PORTRAIT)
    s.quick_reading()
    s.show(CRISIS)
    assert is_shown(s, FLOOD_DE.headline)
    qtbot.waitUntil(lambda: is_shown(s, FLOOD_EN.headline), timeout=10_000)
    qtbot.waitUntil(lambda: is_shown(s, FLOOD_AR.headline), timeout=10_000)
    assert not is_shown(s, FLOOD_DE.headline)


def qr_images(s: Stele) -> list[QQuickItem]:
    """QR code images that are actually shown."""
    return [
        i
        for i in shown_items(s)
        if i.inherits("QQuickImage") and i.property("source").toString().startswith("image://qr/")
    ]


def test_qr_code_only_when_there_is_a_link(stele, qtbot) -> None:
    s = stele(PORTRAIT)
    s.show(screen_of((FLOOD,)))
    shown = qr_images(s)
    assert len(shown) == 1
    image = shown[0]
    # Loaded off the GUI thread (asynchronous): it arrives a few frames after the alert.
    qtbot.waitUntil(lambda: image.property("progress") == 1.0, timeout=5000)
    frame = s.frame()
    assert image.property("paintedWidth") > 100 and image.property("paintedHeight") > 100
    box = scene_rect(image)
    assert fraction_near(frame, QColor("black"), box, step=3) > 0.2
    assert fraction_near(frame, QColor("white"), box, step=3) > 0.2
    s.show(screen_of((replace(FLOOD, web=""),)))
    assert not qr_images(s)


def test_blanked_screen_is_black(stele) -> None:
    s = stele(PORTRAIT)
    s.bridge.apply(CRISIS)
    s.bridge.set_blanked(True)
    assert fraction_near(s.frame(), QColor("black"), tolerance=0) == 1.0
    s.bridge.set_blanked(False)
    assert fraction_near(s.frame(), QColor("black"), tolerance=10) < 0.1


def test_stale_badge_while_offline(stele) -> None:
    s = stele(PORTRAIT)
    s.bridge.set_connected(False, SENT)
    s.frame()
    badge = [t for t in texts_on_screen(s) if "keine Verbindung" in t]
    assert badge and "Stand: 22.11.2026, 14:05 Uhr" in badge[0]
    s.bridge.apply(CRISIS)  # also over the takeover, without covering its header
    assert [t for t in texts_on_screen(s) if "keine Verbindung" in t]
    badge_box = scene_rect(text_item(s, badge[0]))
    assert badge_box.bottom() <= scene_rect(text_item(s, "EXTREME GEFAHR")).top()
    s.bridge.set_connected(True, SENT)
    assert not [t for t in texts_on_screen(s) if "keine Verbindung" in t]


def test_identify_shows_the_device_id(stele) -> None:
    s = stele(LANDSCAPE)
    s.bridge.set_identify(True)
    s.frame()
    assert is_shown(s, "stele-0042")
    s.bridge.set_identify(False)
    assert not is_shown(s, "stele-0042")


def test_minor_alert_joins_the_rotation(stele, qtbot) -> None:
    s = stele(PORTRAIT, rotation_seconds=1)
    s.bridge.apply(screen_of((ICE,)))
    qtbot.waitUntil(lambda: is_shown(s, ICE.texts[0].headline), timeout=6000)
    assert fraction_near(s.frame(), s.theme("minor")) > 0.15


def test_the_device_shows_no_invented_content(stele, qtbot) -> None:
    """Events, departures and opening hours were made up for the demo: a real stele showed
    them. Without content from the city, the glass is the fallback screen alone."""
    s = stele(PORTRAIT, rotation_seconds=1)
    s.show(ScreenModel(mode=Mode.NORMAL))
    shown: set[str] = set()
    for _ in range(8):
        qtbot.wait(400)
        s.frame()
        shown.update(texts_on_screen(s))
    invented = (
        "Veranstaltungen",
        "Wochenmarkt",
        "Abfahrten",
        "Hauptbahnhof",
        "Bürgerbüro",
        "Fundbüro",
        "Stadtbibliothek",
        "Termine",
    )
    assert not [t for t in shown if any(word in t for word in invented)], shown
    assert "Musterstadt" in shown and "112" in shown


def test_exercise_takeover_below_an_actual_banner_is_still_shown(stele, qtbot) -> None:
    """Actual before Exercise: the banner drives the layout, the exercise must not vanish."""
    s = stele(PORTRAIT, rotation_seconds=1)
    s.bridge.apply(screen_of((WATER, BOMB_EXERCISE)))
    assert is_shown(s, WATER.texts[0].headline)
    qtbot.waitUntil(lambda: is_shown(s, BOMB_EXERCISE.texts[0].headline), timeout=6000)


SCREENS = {
    "normal": ScreenModel(mode=Mode.NORMAL),
    "banner": BANNER,
    "crisis": CRISIS,
    "exercise": screen_of((BOMB_EXERCISE, STORM)),
    "long": screen_of((LONG, STORM, POWER, WATER, ICE, FLOOD)),
    "long-banner": screen_of((replace(LONG, layout=Layout.BANNER),)),
    "all-clear": screen_of((), ALL_CLEAR),
}


@BOTH
@pytest.mark.parametrize("name", list(SCREENS))
def test_text_stays_inside_the_window(stele, size, name) -> None:
    s = stele(size)
    s.bridge.set_connected(False, SENT)
    s.show(SCREENS[name])
    window = QRectF(0, 0, size[0], size[1])
    texts = shown_texts(s)
    assert len(texts) >= 4
    for item in texts:
        box = visible_rect(item)  # a paged text shows one page of its lines
        label = f"{str(item.property('text'))[:40]!r} at {box}"
        assert window.adjusted(-1, -1, 1, 1).contains(box), label
        assert item.property("paintedHeight") <= item.height() + 1, label
        assert item.property("paintedWidth") <= item.width() + 1, label


def test_all_text_is_plain(stele) -> None:
    s = stele(PORTRAIT)
    hostile = "<img src='http://x/y.png'><b>Achtung</b>"
    shown = replace(FLOOD, texts=(replace(FLOOD_DE, headline=hostile),))
    s.show(screen_of((shown,)))
    texts = [i for i, _ in walk(s.view.contentItem()) if i.inherits("QQuickText")]
    assert texts
    plain = 0  # Text.PlainText (the root context has no imports to name it)
    assert all(evaluate(s, i, "textFormat") == plain for i in texts)
    assert is_shown(s, hostile)


def test_crisis_screen_exists_before_any_alert(stele) -> None:
    s = stele(PORTRAIT)
    s.frame()
    names = [i.metaObject().className() for i, _ in walk(s.view.contentItem())]
    assert any(n.startswith("CrisisScreen") for n in names)
    assert any(n.startswith("BannerOverlay") for n in names)


def test_view_keeps_its_bridge_alive(qtbot, qtlog) -> None:
    import gc
    import weakref

    bridge = ScreenBridge(city="Musterstadt", device_id="x")
    view = create_view(bridge, width=540, height=960, fullscreen=False)
    alive = weakref.ref(bridge)
    del bridge
    gc.collect()
    bridge = alive()
    assert bridge is not None
    bridge.apply(CRISIS)
    assert is_shown(Stele(view, bridge), FLOOD_DE.headline)
    assert not [r for r in qtlog.records if "TypeError" in r.message]
    view.close()


def test_layouts_dir_prefers_the_environment(tmp_path, monkeypatch) -> None:
    (tmp_path / "Stele").mkdir()
    (tmp_path / "Stele" / "qmldir").write_text("module Stele\n")
    monkeypatch.setenv("STELE_LAYOUTS_DIR", str(tmp_path))
    assert layouts_dir() == tmp_path
    monkeypatch.delenv("STELE_LAYOUTS_DIR")
    assert (layouts_dir() / "Stele" / "Main.qml").is_file()


def test_broken_layouts_raise_a_ui_error(qtbot, tmp_path, monkeypatch) -> None:
    module = tmp_path / "Stele"
    module.mkdir()
    (module / "qmldir").write_text("module Stele\nMain 1.0 Main.qml\n")
    (module / "Main.qml").write_text(
        "import QtQuick\nItem {\n    required property QtObject bridge\n    width: (\n}\n"
    )
    monkeypatch.setenv("STELE_LAYOUTS_DIR", str(tmp_path))
    bridge = ScreenBridge(city="M", device_id="x")
    with pytest.raises(UiError, match=r"Main\.qml:5"):
        create_view(bridge, width=200, height=200, fullscreen=False)


# -- tests: the bridge --------------------------------------------------------------------------


def test_bridge_flattens_the_screen() -> None:
    bridge = ScreenBridge(city="Musterstadt", device_id="x")
    bridge.apply(screen_of((STORM, WATER, POWER, ICE)))
    top = bridge.top
    assert bridge.property("mode") == "crisis"
    assert top.identifier == STORM.identifier
    assert top.sentTime == "22.11.2026, 14:05"
    assert top.onsetTime == "22.11.2026, 18:00"
    # Long words carry soft hyphens, so a line can break inside them with a "-".
    assert top.texts[0].senderName == "Deutscher Wet\u00adter\u00addienst"
    assert top.qrSource.startswith("image://qr/")
    assert [o.identifier for o in bridge.others.rows()] == [
        WATER.identifier,
        POWER.identifier,
        ICE.identifier,
    ]
    # Under a takeover every other alert is listed; nothing hides behind it in a banner.
    assert bridge.banner.identifier == "" and bridge.loopAlerts.rows() == []
    assert bridge.others.rows()[0].qrSource.startswith("image://qr/")
    assert bridge.others.rows()[1].qrSource == ""


def test_bridge_formats_times_in_its_timezone() -> None:
    summer = replace(STORM, sent=datetime(2026, 7, 1, 10, 0, tzinfo=UTC), onset=None)
    berlin = ScreenBridge(city="M", device_id="x")
    berlin.apply(screen_of((summer,)))
    assert berlin.top.sentTime == "01.07.2026, 12:00"
    assert berlin.top.onsetTime == ""
    lisbon = ScreenBridge(city="M", device_id="x", timezone="Europe/Lisbon")
    lisbon.apply(screen_of((summer,)))
    assert lisbon.top.sentTime == "01.07.2026, 11:00"
    lisbon.set_connected(False, datetime(2026, 1, 5, 8, 30, tzinfo=UTC))
    assert lisbon.property("staleText") == "Stand: 05.01.2026, 08:30 Uhr"
    lisbon.set_connected(False, None)
    assert lisbon.property("staleText") == "Stand: unbekannt"


def test_bridge_emits_only_on_change(qtbot) -> None:
    bridge = ScreenBridge(city="M", device_id="x")
    counts: dict[str, int] = {}
    for name in ("mode", "top", "others", "banner", "loopAlerts", "allClear"):
        # The alert lists are models: count their changes of rows and of content.
        model = getattr(bridge, name) if name in ("others", "loopAlerts") else None
        signals = (
            [getattr(bridge, name + "Changed")]
            if model is None
            else [model.identifiersChanged, model.dataChanged]
        )
        for signal in signals:
            signal.connect(lambda *_, name=name: counts.__setitem__(name, counts.get(name, 0) + 1))
    first = {"mode": 1, "top": 1, "others": 1}
    bridge.apply(CRISIS)
    assert counts == first
    # The core rebuilds equal views on every decision: nothing repaints.
    bridge.apply(screen_of(tuple(replace(a) for a in CRISIS.alerts)))
    assert counts == first
    bridge.apply(screen_of((), ALL_CLEAR))
    assert counts == {"mode": 2, "top": 2, "others": 2, "allClear": 1}
    assert bridge.allClear.headline == ALL_CLEAR.headline


def test_bridge_keeps_an_entry_alive_a_while_after_its_alert_left(monkeypatch) -> None:
    # A QML binding or a delegate on its way out may still read the entry; years of alerts
    # must not pile up either.
    from shiboken6 import Shiboken

    import stele.ui.bridge as bridge_module

    clock = [1000.0]
    monkeypatch.setattr(bridge_module.time, "monotonic", lambda: clock[0])
    bridge = ScreenBridge(city="M", device_id="x")
    bridge.apply(screen_of((STORM,)))
    storm = bridge.top
    bridge.apply(screen_of((WATER,)))
    assert Shiboken.isValid(storm) and storm.identifier == STORM.identifier
    clock[0] += 11
    bridge.apply(screen_of((POWER,)))
    # The bridge holds WATER (retired just now) but let go of STORM (retired 11 s ago).
    assert [e.identifier for _, e in bridge._retired] == [WATER.identifier]


def test_bridge_setters_do_not_leak_references() -> None:
    import sys

    bridge = ScreenBridge(city="M", device_id="x")
    before = sys.getrefcount(True)
    for i in range(500):
        bridge.set_blanked(i % 2 == 0)
    assert sys.getrefcount(True) >= before  # PySide6 6.12 steals one per emit otherwise


def test_qr_image_matches_the_code() -> None:
    import segno

    from stele.ui.qr import QUIET_ZONE, decode_id, qr_image, qr_source

    url = FLOOD.web
    source = qr_source(url)
    assert decode_id(source.removeprefix("image://qr/")) == url
    image = qr_image(url, 300)
    rows = list(segno.make(url, error="m", micro=False).matrix_iter(scale=1, border=QUIET_ZONE))
    module = image.width() // len(rows)
    assert module >= 2 and image.width() == module * len(rows) <= 300
    for y, row in enumerate(rows):
        for x, dark in enumerate(row):
            pixel = image.pixelColor(x * module + module // 2, y * module + module // 2)
            assert pixel.lightness() == (0 if dark else 255)
    assert qr_source("") == "" and qr_source("https://x/" + "y" * 2000) == ""


# -- screenshots for the docs -------------------------------------------------------------------

SHOTS = {
    "normal": ScreenModel(mode=Mode.NORMAL),
    "crisis": CRISIS,
    "banner": BANNER,
}


@BOTH
def test_screenshots(stele, size) -> None:
    tag = "portrait" if size == PORTRAIT else "landscape"
    for name, screen in SHOTS.items():
        s = stele(size)
        frame = s.show(screen)
        assert not frame.isNull() and frame.width() == size[0]
        save(frame, f"{name}-{tag}.png")


@BOTH
@pytest.mark.parametrize("alert", [FLOOD, WATER], ids=["flood", "water"])
def test_takeover_event_is_shown_whole_not_paged(stele, size, alert) -> None:
    # A one-line event field in a header narrowed by language tabs and the QR code paged
    # "Hochwas-" 1/2: the event is a word or two and must read at once.
    s = stele(size)
    s.show(screen_of((replace(alert, layout=Layout.TAKEOVER, severity="Extreme"),)))
    assert is_shown(s, alert.texts[0].event), texts_on_screen(s)
