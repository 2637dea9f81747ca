"""The fallback screen (nothing eligible to play): city, logo, clock, date and emergency
numbers, in the theme's colours, legible, never black."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QImage
from PySide6.QtQuick import QQuickView

from stele.config.themes import load_theme
from stele.ui.theme import CityTheme
from stele.ui.view import layouts_dir
from tests.ui.harness import LANDSCAPE, PORTRAIT, fraction_near, qml_warnings, scene_rect
from tests.ui.scene import shown_items, visible_texts


class Fallback:
    def __init__(self, view: QQuickView, pack: CityTheme) -> None:
        self.view, self.pack = view, pack

    def frame(self) -> QImage:
        return self.view.grabWindow()

    def item(self, name: str):
        return next(i for i in shown_items(self.view) if i.objectName() == name)

    def theme(self, name: str):
        return self.view.engine().singletonInstance("Stele", "Theme").property(name)


@pytest.fixture
def fallback(qtbot, qtlog) -> Iterator:
    made: list[Fallback] = []

    def make(theme: str, size=PORTRAIT, diagonal_inch: float = 55.0, city: str = "") -> Fallback:
        loaded = load_theme(theme)
        pack = CityTheme(loaded.pack)
        view = QQuickView()
        view.setResizeMode(QQuickView.ResizeMode.SizeRootObjectToView)
        view.engine().addImportPath(str(layouts_dir()))
        # What Main does for every screen: the pack, the scale, the panel's size.
        singleton = view.engine().singletonInstance("Stele", "Theme")
        assert singleton.setProperty("pack", pack)
        assert singleton.setProperty("scale", min(size) / 1080)
        assert singleton.setProperty("pixelsPerMm", (size[0] ** 2 + size[1] ** 2) ** 0.5
                                     / (diagonal_inch * 25.4))
        logo = QUrl.fromLocalFile(str(loaded.logo)).toString() if loaded.logo else ""
        view.setInitialProperties({"city": city or loaded.pack.city or "Stadt Solingen",
                                   "logo": logo})
        view.resize(*size)
        view.loadFromModule("Stele", "FallbackScreen")
        assert view.status() == QQuickView.Status.Ready, view.errors()
        view.show()
        qtbot.waitExposed(view)
        made.append(Fallback(view, pack))
        return made[-1]

    yield make
    for f in made:
        f.view.close()
        del f.view
    assert not qml_warnings(qtlog.records)


def black_fraction(image: QImage) -> float:
    return fraction_near(image, QColor("#000000"), step=8, tolerance=8)


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
@pytest.mark.parametrize("theme", ["neutral", "solingen"])
def test_fallback_shows_city_clock_date_and_emergency_numbers(fallback, theme, size) -> None:
    f = fallback(theme, size)
    frame = f.frame()
    texts = visible_texts(f.view)
    city = load_theme(theme).pack.city or "Stadt Solingen"
    assert city in texts
    assert {"Notruf", "112", "Polizei", "110", "Arzt", "116 117"} <= set(texts)
    clock = str(f.item("fallbackClock").property("text"))
    assert re.fullmatch(r"[0-2][0-9]:[0-5][0-9]", clock)
    now = datetime.now()
    assert abs(now.hour * 60 + now.minute - int(clock[:2]) * 60 - int(clock[3:])) <= 1
    assert str(now.year) in str(f.item("fallbackDate").property("text"))
    # Never black; the theme's own colours carry the screen.
    colours = load_theme(theme).pack.colors
    assert black_fraction(frame) < 0.01
    assert fraction_near(frame, QColor(colours.background), step=8, tolerance=4) > 0.4
    assert fraction_near(frame, QColor(colours.background_deep), step=8, tolerance=4) > 0.15
    band = scene_rect(f.item("fallbackEmergency"))
    assert band.bottom() == size[1] and band.width() == size[0]
    assert fraction_near(frame, QColor(colours.surface), band, step=6, tolerance=4) > 0.5
    # City above clock above date above the numbers, each whole inside the window.
    rects = [scene_rect(f.item(n)) for n in ("fallbackCity", "fallbackClock", "fallbackDate")]
    for upper, lower in zip([*rects, band], [*rects[1:], band], strict=False):
        if upper is not lower:
            assert upper.bottom() <= lower.top(), (upper, lower)
    for r in rects:
        assert r.left() >= 0 and r.right() <= size[0] and r.top() >= 0
    # The clock's digits are drawn in the text colour.
    assert fraction_near(frame, QColor(colours.text), rects[1], step=2, tolerance=10) > 0.1


def test_the_logo_is_drawn(fallback) -> None:
    f = fallback("solingen")
    logo = f.item("fallbackLogo")
    assert logo.width() > 100
    gold = QColor(load_theme("solingen").pack.colors.accent)
    assert fraction_near(f.frame(), gold, scene_rect(logo), step=2, tolerance=10) > 0.3


def test_no_logo_leaves_no_gap(fallback) -> None:
    f = fallback("neutral")
    assert not any(i.objectName() == "fallbackLogo" for i in shown_items(f.view))


@pytest.mark.parametrize("diagonal", [55.0, 32.0])
def test_letters_are_legible_from_across_the_square(fallback, diagonal) -> None:
    """City and clock read from 5 m, date and numbers from 3 m (x-height >= distance/250)."""
    f = fallback("solingen", PORTRAIT, diagonal)
    far, near = f.theme("farSize"), f.theme("nearSize")
    assert f.item("fallbackCity").property("font").pixelSize() >= far
    assert f.item("fallbackClock").property("font").pixelSize() >= far
    assert f.item("fallbackDate").property("font").pixelSize() >= near
    numbers = [i for i in shown_items(f.view)
               if i.inherits("QQuickText") and i.property("text") in ("112", "110")]
    assert numbers and all(n.property("font").pixelSize() >= near for n in numbers)


def test_a_long_city_name_wraps_inside_the_window(fallback) -> None:
    f = fallback("neutral", LANDSCAPE, city="Verbandsgemeinde Rüdesheim-Bingen am Rhein")
    city = scene_rect(f.item("fallbackCity"))
    assert city.right() <= LANDSCAPE[0] and city.left() >= 0
    assert not f.item("fallbackCity").property("truncated")


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_a_name_that_fits_stays_on_one_line(fallback, size) -> None:
    f = fallback("neutral", size, city="Stadt Solingen")
    assert f.item("fallbackCity").property("lineCount") == 1
