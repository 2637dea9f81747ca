"""The QML layouts rendered for real (offscreen, software renderer) and checked by what is drawn.

Text is found by walking the QQuickItem tree from the window's content item and keeping
items that inherit QQuickText, are effectively visible (isVisible() and the product of
opacities up the parent chain) and lie inside the window. Pixels come from grabWindow().

Screenshots for docs/screenshots/ are written when STELE_SCREENSHOTS=1.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Deterministic pixels on machines without a GPU.
os.environ.setdefault("QT_QUICK_BACKEND", "software")

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtQml import QQmlExpression
from PySide6.QtQuick import QQuickItem, QQuickView

from stele.domain.model import Layout
from stele.domain.presentation import (
    AlertText,
    AlertView,
    AllClearView,
    Mode,
    ScreenModel,
)
from stele.domain.screen import screen_of
from stele.ui.bridge import ScreenBridge
from stele.ui.view import UiError, create_view, layouts_dir
from tests.ui import scene
from tests.ui.scene import BIDI_ISOLATES, walk

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

# -- realistic alerts, built by hand -------------------------------------------------------

SENT = datetime(2026, 11, 22, 13, 5, tzinfo=UTC)  # 14:05 in Berlin
ONSET = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)

FLOOD_DE = AlertText(
    language="de",
    rtl=False,
    headline="Extremes Hochwasser an der Mustach – Lebensgefahr in Ufernähe",
    description=(
        "Der Pegel der Mustach steigt rasch und wird in den nächsten Stunden voraussichtlich "
        "über 5 Meter erreichen. Altstadt, Uferstraße und Hafen werden überflutet. Strom- und "
        "Telefonnetz können ausfallen. Notunterkunft: Sporthalle am Schulzentrum Nord."
    ),
    instruction=(
        "Verlassen Sie sofort Uferbereiche und Keller. Gehen Sie in höher gelegene Stockwerke. "
        "Meiden Sie überflutete Straßen und Unterführungen. Folgen Sie den Anweisungen der "
        "Einsatzkräfte."
    ),
    event="Hochwasser",
    sender_name="Stadt Musterstadt – Krisenstab",
    area="Musterstadt: Altstadt, Uferstraße, Am Hafen",
)
FLOOD_EN = AlertText(
    language="en",
    rtl=False,
    headline="Extreme flooding on the Mustach – danger to life near the river",
    description=(
        "The river level is rising fast and is expected to exceed 5 metres within hours. "
        "The old town, Uferstraße and the harbour will be flooded. Power and phone networks "
        "may fail. Emergency shelter: sports hall at Schulzentrum Nord."
    ),
    instruction=(
        "Leave river banks and basements immediately. Move to upper floors. Avoid flooded "
        "streets and underpasses. Follow the instructions of the emergency services."
    ),
    event="Flood",
    sender_name="City of Musterstadt – crisis team",
    area="Musterstadt: old town, Uferstraße, harbour",
)
FLOOD_AR = AlertText(
    language="ar",
    rtl=True,
    headline="فيضان شديد على نهر موستاخ – خطر على الحياة قرب الضفاف",
    description=(
        "يرتفع منسوب المياه بسرعة ومن المتوقع أن يتجاوز خمسة أمتار خلال الساعات القادمة. "
        "ستغمر المياه البلدة القديمة وشارع الضفة والميناء. قد تنقطع الكهرباء والاتصالات."
    ),
    instruction=(
        "غادروا فورًا المناطق القريبة من الضفاف والأقبية. توجهوا إلى الطوابق العليا. "
        "تجنبوا الشوارع والأنفاق المغمورة بالمياه. اتبعوا تعليمات فرق الإنقاذ."
    ),
    event="فيضان",
    sender_name="مدينة موسترشتات – خلية الأزمات",
    area="موسترشتات: البلدة القديمة، شارع الضفة، الميناء",
)


def _text(headline: str, description: str, instruction: str, event: str) -> AlertText:
    return AlertText(
        language="de",
        rtl=False,
        headline=headline,
        description=description,
        instruction=instruction,
        event=event,
        sender_name="Deutscher Wetterdienst",
        area="Kreis Musterland",
    )


FLOOD = AlertView(
    identifier="DE-MU-2026-0815",
    layout=Layout.TAKEOVER,
    severity="Extreme",
    category="Met",
    exercise=False,
    sent=SENT,
    onset=None,
    expires=None,
    web="https://warnung.bund.de/meldungen/DE-MU-2026-0815",
    texts=(FLOOD_DE, FLOOD_EN, FLOOD_AR),
)
STORM = AlertView(
    identifier="2.49.0.0.276.0.DWD.PVW.1763816700000.orkan",
    layout=Layout.TAKEOVER,
    severity="Severe",
    category="Met",
    exercise=False,
    sent=SENT,
    onset=ONSET,
    expires=None,
    web="https://www.wettergefahren.de",
    texts=(
        _text(
            "Amtliche Unwetterwarnung vor ORKANBÖEN",
            "Es treten Orkanböen mit Geschwindigkeiten um 120 km/h aus westlicher Richtung "
            "auf. Verbreitet werden Bäume entwurzelt und Dächer beschädigt.",
            "Schließen Sie Fenster und Türen. Halten Sie Abstand von Gebäuden, Bäumen und "
            "Gerüsten. Vermeiden Sie Aufenthalte im Freien.",
            "Orkanböen",
        ),
    ),
)
POWER = AlertView(
    identifier="DE-MU-2026-0816",
    layout=Layout.BANNER,
    severity="Moderate",
    category="Infra",
    exercise=False,
    sent=SENT,
    onset=None,
    expires=None,
    web="",
    texts=(
        _text(
            "Stromausfall in Musterstadt-Nord",
            "Nach einem Kabelschaden ist die Stromversorgung im Stadtteil Nord unterbrochen. "
            "Die Reparatur dauert voraussichtlich bis 20 Uhr.",
            "Schalten Sie empfindliche Geräte aus. Notrufe sind über Mobilfunk möglich.",
            "Stromausfall",
        ),
    ),
)
WATER = AlertView(
    identifier="DE-MU-2026-0817",
    layout=Layout.BANNER,
    severity="Moderate",
    category="Health",
    exercise=False,
    sent=SENT,
    onset=None,
    expires=None,
    web="https://www.musterstadt.de/trinkwasser",
    texts=(
        AlertText(
            language="de",
            rtl=False,
            headline="Abkochgebot für Trinkwasser in Musterstadt-Nord",
            description="Im Trinkwasser wurden coliforme Bakterien nachgewiesen.",
            instruction=(
                "Kochen Sie Leitungswasser vor dem Trinken und für die Zubereitung von Speisen "
                "mindestens drei Minuten sprudelnd ab."
            ),
            event="Trinkwasserverunreinigung",
            sender_name="Gesundheitsamt Musterland",
            area="Musterstadt-Nord, Am Wasserturm",
        ),
    ),
)
ICE = AlertView(
    identifier="2.49.0.0.276.0.DWD.PVW.1763816700000.glaette",
    layout=Layout.LOOP,
    severity="Minor",
    category="Met",
    exercise=False,
    sent=SENT,
    onset=None,
    expires=None,
    web="",
    texts=(
        _text(
            "Amtliche Warnung vor GLÄTTE",
            "Es tritt leichter Frost um -2 °C auf. Dabei wird gebietsweise Glätte durch "
            "überfrierende Nässe erwartet.",
            "",
            "Glätte",
        ),
    ),
)
BOMB_EXERCISE = AlertView(
    identifier="DE-MU-2026-UEB-3",
    layout=Layout.TAKEOVER,
    severity="Severe",
    category="CBRNE",
    exercise=True,
    sent=SENT,
    onset=None,
    expires=None,
    web="",
    texts=(
        AlertText(
            language="de",
            rtl=False,
            headline="Bombenfund im Bahnhofsviertel – Evakuierung",
            description=(
                "Bei Bauarbeiten wurde eine Fliegerbombe gefunden. Sie wird heute entschärft."
            ),
            instruction="Verlassen Sie das Sperrgebiet bis 16 Uhr. Sammelstelle: Stadthalle.",
            event="Kampfmittelfund",
            sender_name="Ordnungsamt Musterstadt",
            area="Bahnhofsviertel, Radius 500 m",
        ),
    ),
)
ALL_CLEAR = AllClearView(
    identifier="DE-MU-2026-0815-cancel",
    headline="Das Hochwasser geht zurück",
    texts=(
        replace(
            FLOOD_DE,
            headline="Das Hochwasser geht zurück",
            description=(
                "Die Pegelstände sinken, die Gefahr ist vorüber. Meiden Sie weiterhin "
                "beschädigte Uferbereiche."
            ),
            instruction="",
        ),
    ),
    until=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
)

CRISIS = screen_of((FLOOD, STORM, POWER))
BANNER = screen_of((WATER, ICE))


# -- harness -----------------------------------------------------------------------------------


@dataclass
class Stele:
    view: QQuickView
    bridge: ScreenBridge

    def show(self, screen: ScreenModel) -> QImage:
        self.bridge.apply(screen)
        return self.frame()

    def frame(self) -> QImage:
        return self.view.grabWindow()

    def theme(self, name: str) -> QColor:
        theme = self.view.engine().singletonInstance("Stele", "Theme")
        return QColor(theme.property(name))


@pytest.fixture
def stele(qtbot) -> Iterator[Callable[[tuple[int, int]], Stele]]:
    made: list[Stele] = []

    def make(size: tuple[int, int] = PORTRAIT, rotation_seconds: int = 3600) -> Stele:
        bridge = ScreenBridge(
            city="Musterstadt", device_id="stele-0042", rotation_seconds=rotation_seconds
        )
        view = create_view(bridge, width=size[0], height=size[1], fullscreen=False)
        qtbot.waitExposed(view)
        made.append(Stele(view, bridge))
        return made[-1]

    yield make
    for s in made:  # the view (and its engine) goes before the bridge
        s.view.close()
        del s.view
    made.clear()



def shown_items(stele: Stele) -> list[QQuickItem]:
    return scene.shown_items(stele.view)


def shown_texts(stele: Stele) -> list[QQuickItem]:
    return [i for i in shown_items(stele) if i.inherits("QQuickText") and i.property("text")]


def texts_on_screen(stele: Stele) -> list[str]:
    """Shown strings, without the invisible bidi isolates that keep dates in order."""
    return scene.visible_texts(stele.view)


def fraction_near(
    image: QImage, colour: QColor, rect: QRectF | None = None, step: int = 12, tolerance: int = 30
) -> float:
    area = rect or QRectF(0, 0, image.width(), image.height())
    hits = total = 0
    for y in range(int(area.top()), int(area.bottom()), step):
        for x in range(int(area.left()), int(area.right()), step):
            pixel = image.pixelColor(x, y)
            total += 1
            if (
                abs(pixel.red() - colour.red()) <= tolerance
                and abs(pixel.green() - colour.green()) <= tolerance
                and abs(pixel.blue() - colour.blue()) <= tolerance
            ):
                hits += 1
    return hits / max(1, total)


def save(image: QImage, name: str) -> None:
    if os.environ.get("STELE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        assert image.save(str(SCREENSHOTS / name))


# -- tests: what is drawn --------------------------------------------------------------------

BOTH = pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
LONG = AlertView(
    identifier="long",
    layout=Layout.TAKEOVER,
    severity="Extreme",
    category="Fire",
    exercise=False,
    sent=SENT,
    onset=ONSET,
    expires=None,
    web="https://example.org/" + "x" * 300,
    texts=(
        replace(
            FLOOD_DE,
            headline="Großbrand in einem Chemiewerk mit starker Rauchentwicklung " * 4,
            instruction="Schließen Sie Fenster und Türen und schalten Sie Lüftungen ab. " * 12,
            description="Über dem Stadtgebiet zieht eine Rauchwolke nach Nordosten. " * 30,
            sender_name="Leitstelle Feuerwehr und Rettungsdienst Musterland-Süd " * 3,
            area="Musterstadt, " * 40,
        ),
    ),
)


def is_shown(s: Stele, text: str) -> bool:
    return text in texts_on_screen(s)


def text_item(s: Stele, text: str) -> QQuickItem:
    matches = [
        i for i in shown_texts(s) if str(i.property("text")).translate(BIDI_ISOLATES) == text
    ]
    assert matches, f"{text!r} not on screen; shown: {texts_on_screen(s)}"
    return matches[0]


def evaluate(s: Stele, item: QQuickItem, expression: str) -> object:
    """A QML property PySide cannot convert (enums of private types), read through QML."""
    value, undefined = QQmlExpression(s.view.engine().rootContext(), item, expression).evaluate()
    assert not undefined, expression
    return value


def scene_rect(item: QQuickItem) -> QRectF:
    return item.mapRectToScene(QRectF(0, 0, item.width(), item.height()))


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
        "Stand: 22.11.2026, 14:05 Uhr",
        "EXTREME GEFAHR",
        "WAS IST ZU TUN?",
        "Gebiet: " + FLOOD_DE.area,
    ):
        assert is_shown(s, text), text
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
    assert is_shown(s, "ab 22.11.2026, 18:00 Uhr")  # future onset


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
    s.view.engine().singletonInstance("Stele", "Theme").setProperty("languageSeconds", 1)
    s.show(CRISIS)
    assert is_shown(s, FLOOD_DE.headline)
    qtbot.waitUntil(lambda: is_shown(s, FLOOD_EN.headline), timeout=4000)
    qtbot.waitUntil(lambda: is_shown(s, FLOOD_AR.headline), timeout=4000)
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
        box = scene_rect(item)
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
    top = bridge.property("top")
    assert bridge.property("mode") == "crisis"
    assert top["identifier"] == STORM.identifier
    assert top["sentText"] == "Stand: 22.11.2026, 14:05 Uhr"
    assert top["onsetText"] == "ab 22.11.2026, 18:00 Uhr"
    assert top["texts"][0]["senderName"] == "Deutscher Wetterdienst"
    assert top["qrSource"].startswith("image://qr/")
    assert [o["identifier"] for o in bridge.property("others")] == [
        WATER.identifier,
        POWER.identifier,
        ICE.identifier,
    ]
    # Under a takeover every other alert is listed; nothing hides behind it in a banner.
    assert bridge.property("banner") == {} and bridge.property("loopAlerts") == []
    assert bridge.property("others")[0]["qrSource"].startswith("image://qr/")
    assert bridge.property("others")[1]["qrSource"] == ""


def test_bridge_formats_times_in_its_timezone() -> None:
    summer = replace(STORM, sent=datetime(2026, 7, 1, 10, 0, tzinfo=UTC), onset=None)
    berlin = ScreenBridge(city="M", device_id="x")
    berlin.apply(screen_of((summer,)))
    assert berlin.property("top")["sentText"] == "Stand: 01.07.2026, 12:00 Uhr"
    assert berlin.property("top")["onsetText"] == ""
    lisbon = ScreenBridge(city="M", device_id="x", timezone="Europe/Lisbon")
    lisbon.apply(screen_of((summer,)))
    assert lisbon.property("top")["sentText"] == "Stand: 01.07.2026, 11:00 Uhr"
    lisbon.set_connected(False, datetime(2026, 1, 5, 8, 30, tzinfo=UTC))
    assert lisbon.property("staleText") == "Stand: 05.01.2026, 08:30 Uhr"
    lisbon.set_connected(False, None)
    assert lisbon.property("staleText") == "Stand: unbekannt"


def test_bridge_emits_only_on_change(qtbot) -> None:
    bridge = ScreenBridge(city="M", device_id="x")
    counts: dict[str, int] = {}
    for name in ("mode", "top", "others", "banner", "loopAlerts", "allClear"):
        signal = getattr(bridge, name + "Changed")
        signal.connect(lambda name=name: counts.__setitem__(name, counts.get(name, 0) + 1))
    first = {"mode": 1, "top": 1, "others": 1}
    bridge.apply(CRISIS)
    assert counts == first
    # The core rebuilds equal views on every decision: nothing repaints.
    bridge.apply(screen_of(tuple(replace(a) for a in CRISIS.alerts)))
    assert counts == first
    bridge.apply(screen_of((), ALL_CLEAR))
    assert counts == {"mode": 2, "top": 2, "others": 2, "allClear": 1}
    assert bridge.property("allClear")["headline"] == ALL_CLEAR.headline


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
