"""Theme packs on the glass: the selected pack's colours are what is drawn, the neutral pack is
today's look, and a bad pack ends on the technician screen, not on a black one."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRectF, QUrl
from PySide6.QtGui import QColor
from PySide6.QtQml import QQmlComponent, QQmlEngine

from stele.config.theme import ThemePack
from stele.config.themes import ThemeLoadError, load_theme
from stele.ui.bridge import ScreenBridge
from stele.ui.content_model import ContentBridge
from stele.ui.theme import CityTheme, install_fonts
from stele.ui.view import create_view, layouts_dir
from tests.ui.content_helpers import image_slide, stage_rect, text_slide
from tests.ui.harness import (
    LANDSCAPE,
    PORTRAIT,
    Stele,
    evaluate,
    fraction_near,
    scene_rect,
    text_item,
)
from tests.ui.scene import shown_items

ROOT = Path(__file__).resolve().parents[2]
COLOURS = ("background", "backgroundDeep", "surface", "surfaceHigh", "text", "textMuted",
           "accent", "accentText")


@pytest.fixture
def themed(qtbot) -> Iterator:
    made: list[tuple[Stele, CityTheme]] = []

    def make(name: str, size: tuple[int, int] = PORTRAIT, city: str = "",
             playing: bool = False) -> Stele:
        """A stele with the pack `name`: with nothing to play it shows the fallback screen;
        `playing`: the rotation, with a text slide of the city's on the glass."""
        theme = load_theme(name)
        pack = CityTheme(theme.pack)
        logo = QUrl.fromLocalFile(str(theme.logo)).toString() if theme.logo else ""
        bridge = ScreenBridge(city=city or theme.pack.city or "Musterstadt", device_id="t",
                              logo=logo, theme=pack)
        content = ContentBridge()
        view = create_view(bridge, width=size[0], height=size[1], fullscreen=False,
                           content=content)
        qtbot.waitExposed(view)
        if playing:
            shown: list[str] = []
            content.slideShown.connect(shown.append)
            content.set_slides([text_slide("bib", "Stadtbibliothek", "Heute bis 20 Uhr.")])
            qtbot.waitUntil(lambda: shown[-1:] == ["bib"], timeout=5000)
            qtbot.wait(50)  # the frame after the report
        made.append((Stele(view, bridge), pack))
        return made[-1][0]

    yield make
    for s, _pack in made:
        s.view.close()
        del s.view
    made.clear()


def item(s: Stele, name: str):
    return next(i for i in shown_items(s.view) if i.objectName() == name)


def region(s: Stele, name: str) -> QRectF:
    return scene_rect(item(s, name))


def city_name(name: str) -> str:
    return "Musterstadt" if name == "neutral" else "Klingenstadt Solingen"


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
@pytest.mark.parametrize("name", ["neutral", "solingen"])
def test_the_packs_colours_are_on_the_rotation(themed, name, size) -> None:
    s = themed(name, size, playing=True)
    colours = load_theme(name).pack.colors
    frame = s.frame()
    # The QML Theme took the pack's values ...
    assert s.theme("background") == QColor(colours.background)
    assert s.theme("accent") == QColor(colours.accent)
    # ... and they are what is drawn: the slide's card on the surface, the stage's margin
    # on the background, the clock header on the deep background, the emergency numbers on
    # the surface, the city's name in the accent.
    stage = stage_rect(s)
    card = QRectF(stage.left() + stage.width() * 0.6, stage.top() + stage.height() * 0.6,
                  stage.width() * 0.3, stage.height() * 0.3)
    assert fraction_near(frame, QColor(colours.surface), card, step=6, tolerance=4) > 0.9
    margin = QRectF(stage.right() + 2, stage.top() + stage.height() * 0.3,
                    size[0] - stage.right() - 4, stage.height() * 0.4)
    assert margin.width() >= 8
    assert fraction_near(frame, QColor(colours.background), margin, step=2, tolerance=4) > 0.9
    band = region(s, "emergencyNumbers")
    assert fraction_near(frame, QColor(colours.surface), band, step=6, tolerance=4) > 0.5
    header = QRectF(0, 0, size[0] * 0.3, size[1] * 0.2) if size == LANDSCAPE else QRectF(
        0, 0, size[0], size[1] * 0.2)
    assert fraction_near(frame, QColor(colours.background_deep), header, step=6, tolerance=4) > 0.5
    city = scene_rect(text_item(s, city_name(name)))
    assert fraction_near(frame, QColor(colours.accent), city, step=2, tolerance=10) > 0.05
    assert fraction_near(frame, QColor(colours.text), band, step=2, tolerance=10) > 0.003


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
@pytest.mark.parametrize("name", ["neutral", "solingen"])
def test_the_packs_colours_are_on_the_fallback_screen(themed, name, size) -> None:
    """With nothing to play (no content configured) the glass is the fallback screen: the
    city's band on the deep background, the clock on the background, the numbers on the
    surface, the city's name in the accent."""
    s = themed(name, size)
    colours = load_theme(name).pack.colors
    frame = s.frame()
    assert item(s, "fallbackScreen").isVisible()
    city = item(s, "fallbackCity")
    top_band = scene_rect(city.parentItem())
    assert fraction_near(frame, QColor(colours.background_deep), top_band, step=6,
                         tolerance=4) > 0.5
    band = region(s, "fallbackEmergency")
    assert fraction_near(frame, QColor(colours.surface), band, step=6, tolerance=4) > 0.5
    # Below the date and above the numbers nothing but the background.
    date = region(s, "fallbackDate")
    middle = QRectF(0, date.bottom() + 4, size[0], band.top() - date.bottom() - 8)
    assert middle.height() >= 8
    assert fraction_near(frame, QColor(colours.background), middle, step=6, tolerance=4) > 0.9
    assert fraction_near(frame, QColor(colours.accent), scene_rect(city), step=2,
                         tolerance=10) > 0.05
    assert city.property("text") == city_name(name)
    assert fraction_near(frame, QColor(colours.text), band, step=2, tolerance=10) > 0.003
    assert fraction_near(frame, QColor(colours.text), region(s, "fallbackClock"), step=2,
                         tolerance=10) > 0.05


def test_two_packs_look_different(themed) -> None:
    neutral, solingen = themed("neutral"), themed("solingen")
    point = (20, 1200)  # the fallback screen's background, left of the clock
    assert neutral.frame().pixelColor(*point) != solingen.frame().pixelColor(*point)


@pytest.mark.parametrize(("playing", "logo_name"), [(False, "fallbackLogo"), (True, "cityLogo")],
                         ids=["fallback", "rotation"])
def test_the_solingen_logo_and_city_are_drawn(themed, playing, logo_name) -> None:
    s = themed("solingen", playing=playing)
    logo = item(s, logo_name)
    assert evaluate(s, logo, "status === 1")  # Image.Ready: the SVG loaded
    frame = s.frame()
    gold = QColor(load_theme("solingen").pack.colors.accent)
    assert fraction_near(frame, gold, scene_rect(logo), step=2, tolerance=10) > 0.3
    assert "Klingenstadt Solingen" in [str(i.property("text")) for i in shown_items(s.view)
                                       if i.inherits("QQuickText")]


def test_the_emergency_numbers_come_from_the_pack(themed, tmp_path) -> None:
    folder = tmp_path / "haan"
    folder.mkdir()
    (folder / "theme.toml").write_text(
        '[[emergency]]\nlabel = "Notruf"\nnumber = "112"\n'
        '[[emergency]]\nlabel = "Bürgertelefon"\nnumber = "02129 911 0"\n')
    s = themed(str(folder))
    texts = [str(i.property("text")) for i in shown_items(s.view) if i.inherits("QQuickText")]
    assert {"Bürgertelefon", "02129 911 0", "112"} <= set(texts)
    assert "110" not in texts


def test_neutral_pack_equals_the_qml_fallback(qapp) -> None:
    """Without a pack (the technician screens) Theme.qml draws the neutral pack's colours."""
    engine = QQmlEngine()
    engine.addImportPath(str(layouts_dir()))
    component = QQmlComponent(engine)
    component.setData(b"import QtQuick\nimport Stele\nItem { property var t: Theme }", QUrl())
    root = component.create()
    assert root is not None, component.errorString()
    theme = engine.singletonInstance("Stele", "Theme")
    neutral = CityTheme(load_theme("neutral").pack)
    try:
        for name in COLOURS:
            assert QColor(theme.property(name)) == QColor(neutral.property(name)), name
        assert theme.property("fontFamily") == neutral.property("fontFamily")
        numbers = theme.property("emergencyNumbers")
        numbers = numbers.toVariant() if hasattr(numbers, "toVariant") else numbers
        assert numbers == neutral.property("emergencyNumbers")
    finally:
        del root
        del engine


# --- fonts -------------------------------------------------------------------------------------


def test_a_font_family_qt_does_not_know_is_a_theme_error(qapp, tmp_path) -> None:
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "theme.toml").write_text('[fonts]\nfamily = "Solingen Grotesk"\n')
    with pytest.raises(ThemeLoadError) as caught:
        install_fonts(load_theme(str(folder)))
    assert caught.value.errors == [
        f'{folder / "theme.toml"}: fonts.family = "Solingen Grotesk" — no such font on this '
        "stele; ship its files in the pack (fonts.files) or install them"
    ]


def test_font_files_in_the_pack_are_loaded_or_named(qapp, tmp_path) -> None:
    folder = tmp_path / "p"
    (folder / "fonts").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "ui" / "data" / "fonts" / "DejaVuSerif.ttf"
                if (ROOT / "tests/ui/data/fonts/DejaVuSerif.ttf").exists()
                else "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", folder / "fonts" / "s.ttf")
    (folder / "fonts" / "bad.ttf").write_text("not a font")
    (folder / "theme.toml").write_text('[fonts]\nfamily = "DejaVu Serif"\nfiles = ["fonts/s.ttf"]\n')
    install_fonts(load_theme(str(folder)))  # loads
    (folder / "theme.toml").write_text('[fonts]\nfamily = "DejaVu Serif"\nfiles = ["fonts/bad.ttf"]\n')
    with pytest.raises(ThemeLoadError) as caught:
        install_fonts(load_theme(str(folder)))
    assert caught.value.errors == [
        f'{folder / "theme.toml"}: fonts.files[0] = "fonts/bad.ttf" — not a font Qt can load'
    ]


# --- a bad pack on a running stele -------------------------------------------------------------


def run_until_status(config: Path, tmp_path: Path) -> tuple[list[str], str]:
    sock_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(sock_path))
    sock.settimeout(0.2)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NOTIFY_SOCKET": str(sock_path)}
    proc = subprocess.Popen([sys.executable, "-m", "stele.cli", "run", "--config", str(config)],
                            env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    states: list[str] = []
    try:
        end = time.monotonic() + 20
        while time.monotonic() < end and "READY=1" not in states:
            try:
                states.append(sock.recv(4096).decode())
            except TimeoutError:
                continue
        time.sleep(0.5)
        assert proc.poll() is None  # still up, showing the error: no restart loop
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        proc.kill()
        sock.close()
    return states, proc.stderr.read() if proc.stderr else ""


DEVICE = '[device]\nid = "x"\nars = "051220000000"\nlatitude = 51.0\nlongitude = 7.0\n'


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[colors]\ntext = "#606878"\n', 'colors.text = "#606878" on colors.background'),
        ('[fonts]\nfamily = "Solingen Grotesk"\n', 'fonts.family = "Solingen Grotesk"'),
    ],
    ids=["contrast", "font"],
)
def test_a_bad_pack_shows_the_technician_screen(tmp_path, toml, expected) -> None:
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "theme.toml").write_text(toml)
    config = tmp_path / "stele.toml"
    config.write_text(DEVICE + f'[storage]\ndir = "{tmp_path}"\n[display]\ntheme = "{folder}"\n'
                      "fullscreen = false\n")
    states, stderr = run_until_status(config, tmp_path)
    assert "READY=1" in states  # a frame was presented: the error screen, not black
    status = next(s for s in states if s.startswith("STATUS="))
    assert status.startswith("STATUS=configuration error") and expected in status
    assert expected in stderr


def test_the_default_pack_is_the_model_default() -> None:
    assert ThemePack() == load_theme("neutral").pack.model_copy(update={"name": ""})


# --- content slides in the theme's colours -----------------------------------------------------


def test_a_demo_poster_is_letterboxed_in_the_themes_colour(qtbot) -> None:
    """The demo's landscape poster, shown whole on a portrait stele with the Solingen pack:
    the bars above and below it are the pack's deep background, not the neutral one."""
    from stele.demo.server import content_dir

    theme = load_theme("solingen")
    pack = CityTheme(theme.pack)
    bridge = ScreenBridge(city="Klingenstadt Solingen", device_id="t", theme=pack)
    content = ContentBridge()
    view = create_view(bridge, width=540, height=960, fullscreen=False, content=content)
    try:
        qtbot.waitExposed(view)
        shown: list[str] = []
        content.slideShown.connect(shown.append)
        poster = content_dir() / "media" / "stadtfest.png"
        content.set_slides([image_slide("stadtfest", poster, fit="contain")])
        qtbot.waitUntil(lambda: shown[-1:] == ["stadtfest"], timeout=5000)
        qtbot.wait(50)
        s = Stele(view, bridge)
        rect = stage_rect(s)
        frame = s.frame()
        bars = QRectF(rect.left() + 4, rect.top() + 4, rect.width() - 8, rect.height() * 0.15)
        deep = QColor(theme.pack.colors.background_deep)
        assert fraction_near(frame, deep, bars, step=4, tolerance=4) > 0.95
        neutral_deep = QColor(ThemePack().colors.background_deep)
        assert fraction_near(frame, neutral_deep, bars, step=4, tolerance=4) == 0
        # The poster itself (mostly white paper) fills the middle of the stage.
        assert fraction_near(frame, QColor("#ffffff"), rect, step=4, tolerance=8) > 0.1
    finally:
        view.close()
        del view
