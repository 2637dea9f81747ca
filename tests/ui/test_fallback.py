"""The fallback screen (nothing eligible to play): city, logo, clock, date and emergency
numbers, in the theme's colours, legible, never black — on its own, and on a stele's glass
with banners, takeovers and all-clears around it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QImage
from PySide6.QtQuick import QQuickView

from stele.config.themes import load_theme
from stele.domain.model import Layout
from stele.domain.presentation import EMPTY_SCREEN
from stele.domain.screen import screen_of
from stele.ui.theme import CityTheme
from stele.ui.view import layouts_dir
from tests.ui.harness import (
    LANDSCAPE,
    PORTRAIT,
    Stele,
    fraction_near,
    qml_warnings,
    scene_rect,
    texts_on_screen,
)
from tests.ui.samples import ALL_CLEAR, CRISIS, LONG, POWER, SENT
from tests.ui.scene import red_fraction, shown_items, visible_texts


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


# --- on a stele: what the glass shows when nothing plays (Main, real bridges) -----------------


def on_glass(s: Stele, name: str) -> bool:
    return any(i.objectName() == name for i in shown_items(s.view))


def fallback_drawn(s: Stele, size: tuple[int, int]) -> None:
    """The fallback screen is what is drawn: its city, clock and numbers, not black."""
    assert on_glass(s, "fallbackScreen")
    frame = s.frame()
    texts = texts_on_screen(s)
    assert "Musterstadt" in texts and {"Notruf", "112"} <= set(texts)
    assert "Willkommen in" not in texts  # not the rotation's greeting
    assert black_fraction(frame) < 0.01
    band = scene_rect(next(i for i in shown_items(s.view)
                           if i.objectName() == "fallbackEmergency"))
    assert fraction_near(frame, s.theme("surface"), band, step=6, tolerance=4) > 0.5
    clock = scene_rect(next(i for i in shown_items(s.view) if i.objectName() == "fallbackClock"))
    assert fraction_near(frame, s.theme("text"), clock, step=2, tolerance=10) > 0.05
    assert clock.left() >= 0 and clock.right() <= size[0]


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_a_stele_with_nothing_to_play_shows_the_fallback(stele, size) -> None:
    s = stele(size)
    fallback_drawn(s, size)
    # The rotation's own header, stage and numbers are not drawn under it.
    assert not on_glass(s, "emergencyNumbers") and not on_glass(s, "fallbackSlot")


def test_a_banner_overlays_the_fallback(stele) -> None:
    s = stele(PORTRAIT)
    s.bridge.apply(screen_of((POWER,)))
    fallback_drawn(s, PORTRAIT)
    assert POWER.texts[0].headline in texts_on_screen(s)
    banner = next(i for i in shown_items(s.view)
                  if i.metaObject().className().startswith("BannerOverlay"))
    drawn = scene_rect(banner)
    assert drawn.bottom() == PORTRAIT[1] and drawn.width() == PORTRAIT[0]
    frame = s.frame()
    assert fraction_near(frame, QColor(banner.property("color")), drawn, step=6,
                         tolerance=4) > 0.4
    # The fallback's emergency numbers stay in view, just above the banner.
    numbers = scene_rect(next(i for i in shown_items(s.view)
                              if i.objectName() == "fallbackEmergency"))
    assert numbers.bottom() == drawn.top()
    s.bridge.apply(EMPTY_SCREEN)
    assert POWER.texts[0].headline not in texts_on_screen(s)
    fallback_drawn(s, PORTRAIT)


def test_a_takeover_replaces_the_fallback_which_returns_after_the_all_clear(stele, qtbot) -> None:
    s = stele(PORTRAIT)
    s.bridge.apply(CRISIS)
    frame = s.frame()
    assert not on_glass(s, "fallbackScreen") and not on_glass(s, "fallbackCity")
    assert CRISIS.takeover is not None and CRISIS.takeover.texts[0].headline in texts_on_screen(s)
    assert red_fraction(frame) > 0.3
    # The all-clear card is shown in the rotation, not hidden by the fallback ...
    s.bridge.apply(screen_of((), ALL_CLEAR))
    qtbot.waitUntil(lambda: ALL_CLEAR.headline in texts_on_screen(s), timeout=3000)
    assert not on_glass(s, "fallbackScreen")
    assert fraction_near(s.frame(), s.theme("allClear"), step=8, tolerance=4) > 0.2
    # ... and once it is over, the fallback is back.
    s.bridge.apply(EMPTY_SCREEN)
    qtbot.waitUntil(lambda: on_glass(s, "fallbackScreen"), timeout=3000)
    fallback_drawn(s, PORTRAIT)


@pytest.mark.parametrize("diagonal", [55.0, 32.0])
@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE, (1280, 720)],
                         ids=["portrait", "landscape", "720p"])
def test_under_the_largest_banner_everything_stays_legible_and_apart(stele, size,
                                                                      diagonal) -> None:
    """A long banner takes up to Theme.bannerMaxShare and the offline badge the top: the
    clock gives way (down to the far reading size), nothing overlaps or leaves the window."""
    s = stele(size, diagonal_inch=diagonal)
    s.bridge.set_connected(False, SENT)
    s.bridge.apply(screen_of((replace(LONG, layout=Layout.BANNER),)))
    s.frame()

    def rect(name: str):
        return scene_rect(next(i for i in shown_items(s.view) if i.objectName() == name))

    banner = scene_rect(next(i for i in shown_items(s.view)
                             if i.metaObject().className().startswith("BannerOverlay")))
    badge = scene_rect(next(i for i in shown_items(s.view)
                            if i.metaObject().className().startswith("StaleBadge")))
    assert banner.height() >= min(size) * 0.3  # a large banner (the long text, capped)
    order = [badge, *(rect(n) for n in ("fallbackCity", "fallbackClock", "fallbackDate",
                                        "fallbackEmergency")), banner]
    for upper, lower in itertools.pairwise(order):
        assert upper.bottom() <= lower.top(), (upper, lower)
    for r in order:
        assert r.left() >= 0 and r.right() <= size[0]
    shown = {i.objectName(): i for i in shown_items(s.view)}
    assert shown["fallbackClock"].property("font").pixelSize() >= s.token("farSize")
    assert shown["fallbackCity"].property("font").pixelSize() >= s.token("farSize")
    assert shown["fallbackDate"].property("font").pixelSize() >= s.token("nearSize")
    assert not shown["fallbackCity"].property("truncated")
    assert not shown["fallbackDate"].property("truncated")
