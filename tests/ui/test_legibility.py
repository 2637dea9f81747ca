"""Warning text is readable from where people stand, and what does not fit is paged, never cut.

The rule (layouts/Stele/Theme.qml): the x-height of a letter is at least 1/250 of the reading
distance (DIN 1450's rule of thumb; DIN 1450 rates legibility by the x-height) - 5 m for
headline and instruction, 3 m for every other warning text. It is checked on the drawn
pixels: each field is a run of flat lower-case letters (x, z, v, w have no ascenders and
descenders), so the height of an inked band of rows is the rendered x-height.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont, QTextLayout, QTextOption
from PySide6.QtQuick import QQuickItem

from stele.domain.model import Layout
from stele.domain.presentation import AlertText, AlertView, AllClearView
from stele.domain.screen import screen_of
from tests.ui.harness import (
    LANDSCAPE,
    PORTRAIT,
    Stele,
    ink_rows,
    ink_runs,
    is_shown,
    items_of,
    plain,
    save,
    scene_rect,
    shown_texts,
    visible_rect,
)
from tests.ui.samples import BANNER, FLOOD, FLOOD_DE, SENT, STORM

BOTH = pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
DIAGONALS = pytest.mark.parametrize("diagonal", [55.0, 32.0], ids=["55in", "32in"])
FAR_MM, NEAR_MM, RATIO = 5000, 3000, 250


def required_px(size: tuple[int, int], diagonal: float, distance_mm: float) -> float:
    pixels_per_mm = math.hypot(*size) / (diagonal * 25.4)
    return distance_mm / RATIO * pixels_per_mm


# -- every field a run of one flat word, so each drawn text can be told apart -------------------


def words(word: str, n: int) -> str:
    return " ".join([word] * n)


FIELDS = {  # field: (word, reading distance)
    "headline": ("xxxx", FAR_MM),
    "instruction": ("zzzz", FAR_MM),
    "description": ("vvvv", NEAR_MM),
    "area": ("wwww", NEAR_MM),
    "sender_name": ("xzxz", NEAR_MM),
    "event": ("zxzx", NEAR_MM),
}
LISTED, ALL_CLEAR_HEADLINE, ALL_CLEAR_BODY = "vxvx", "zvzv", "xvxv"


def flat_text(n: int = 6) -> AlertText:
    return AlertText(
        language="de",
        rtl=False,
        **{field: words(word, n) for field, (word, _) in FIELDS.items()},
    )


def flat_alert(layout: Layout, severity: str, identifier: str = "flat") -> AlertView:
    return AlertView(
        identifier=identifier,
        layout=layout,
        severity=severity,
        category="Met",
        exercise=False,
        sent=SENT,
        onset=None,
        expires=None,
        web="https://warnung.bund.de/x",
        texts=(flat_text(),),
    )


LISTED_ALERT = replace(
    flat_alert(Layout.TAKEOVER, "Severe", "listed"),
    texts=(replace(flat_text(), headline=words(LISTED, 8)),),
)
FLAT_SCREENS = {
    "takeover": screen_of((flat_alert(Layout.TAKEOVER, "Extreme"), LISTED_ALERT)),
    "banner": screen_of((flat_alert(Layout.BANNER, "Moderate"),)),
    "all-clear": screen_of(
        (),
        AllClearView(
            identifier="over",
            headline=words(ALL_CLEAR_HEADLINE, 5),
            texts=(
                replace(
                    flat_text(),
                    headline=words(ALL_CLEAR_HEADLINE, 5),
                    description=words(ALL_CLEAR_BODY, 12),
                ),
            ),
            until=SENT,
        ),
    ),
    "rotation": screen_of((flat_alert(Layout.LOOP, "Minor"),)),
}
# What each screen must show, and from how far it must be readable.
EXPECTED = {
    "takeover": {**{w: d for w, d in FIELDS.values()}, LISTED: NEAR_MM},
    # The banner shows the instruction; sender and area share its footer line.
    "banner": {w: d for f, (w, d) in FIELDS.items() if f != "description"},
    "all-clear": {ALL_CLEAR_HEADLINE: FAR_MM, ALL_CLEAR_BODY: NEAR_MM, "xzxz": NEAR_MM},
    "rotation": {w: d for w, d in FIELDS.values()},
}


def background_of(image, rect: QRectF) -> QColor:
    """The most common colour in `rect`: what the text is drawn on."""
    counts: dict[int, int] = {}
    for y in range(int(rect.top()), int(rect.bottom()), 3):
        for x in range(int(rect.left()), int(rect.right()), 3):
            rgb = image.pixel(x, y)
            counts[rgb] = counts.get(rgb, 0) + 1
    return QColor.fromRgb(max(counts, key=counts.__getitem__))


def x_height_of(image, item: QQuickItem) -> int:
    """Rendered x-height of a text made of flat lower-case words: its shortest band of ink
    (the lines of a paged text each make one band; a label in front of a word only adds)."""
    rect = visible_rect(item)
    ink = QColor(item.property("color"))
    runs = ink_runs(ink_rows(image, rect, ink, background_of(image, rect)))
    assert runs, f"nothing drawn for {plain(item)[:30]!r}"
    return min(runs)


def show_flat(s: Stele, name: str, qtbot) -> None:
    s.bridge.apply(FLAT_SCREENS[name])
    if name == "rotation":  # the alert joins the rotation after the welcome page
        qtbot.waitUntil(lambda: is_shown(s, words(FIELDS["headline"][0], 6)), timeout=8000)
        qtbot.wait(600)  # the cross-fade
    s.frame()


@BOTH
@DIAGONALS
@pytest.mark.parametrize("name", list(FLAT_SCREENS))
def test_warning_text_is_legible_from_where_people_stand(stele, qtbot, size, diagonal, name):
    s = stele(size, rotation_seconds=1, diagonal_inch=diagonal)
    show_flat(s, name, qtbot)
    image = s.frame()
    found: dict[str, int] = {}
    for item in shown_texts(s):
        text = plain(item)
        for word, distance in EXPECTED[name].items():
            if f"{word} {word}" in text:
                height = x_height_of(image, item)
                assert height >= required_px(size, diagonal, distance), (
                    f"{word!r} on the {name} screen: x-height {height} px, "
                    f"{required_px(size, diagonal, distance):.1f} px needed from {distance} mm"
                )
                found[word] = height
    assert set(found) == set(EXPECTED[name]), f"not drawn: {set(EXPECTED[name]) - set(found)}"


# -- paging: never shrunk, never cut ---------------------------------------------------------------

LONG_DESCRIPTION = (
    "Der Pegel der Mustach steigt weiter. Altstadt, Uferstraße und Hafen werden überflutet; "
    "Strom- und Telefonnetz können ausfallen. Notunterkunft: Sporthalle am Schulzentrum Nord. "
) * 20
LONG_FLOOD = replace(
    FLOOD, texts=(replace(FLOOD_DE, description=LONG_DESCRIPTION[:3000].rstrip()),)
)


def paged_item(s: Stele, starts: str) -> QQuickItem:
    found = [i for i in items_of(s, "PagedText") if plain(i).startswith(starts)]
    assert len(found) == 1, [plain(i)[:30] for i in items_of(s, "PagedText")]
    return found[0]


def drawn_text(item: QQuickItem) -> QQuickItem:
    """The Text a PagedText draws (it also holds a twin, never drawn, that measures)."""
    found = [c for c in item.findChildren(QQuickItem) if c.inherits("QQuickText")
             and c.isVisible() and plain(c) == plain(item)]
    assert len(found) == 1
    return found[0]


def show_page(s: Stele, item: QQuickItem, page: int) -> None:
    """Turn `item` to `page` by moving the instant its pages count from (as if it had come
    on page * pageMs earlier), then draw."""
    now = s.singleton("ScreenClock").property("now")
    assert item.setProperty("epoch", now - page * item.property("pageMs") - 1)
    assert item.property("page") == page


@BOTH
@DIAGONALS
def test_a_long_description_is_paged_in_whole_lines_each_readable(stele, size, diagonal) -> None:
    s = stele(size, diagonal_inch=diagonal)
    s.show(screen_of((LONG_FLOOD, STORM)))
    item = paged_item(s, "Der Pegel der Mustach")
    body = drawn_text(item)
    pages, per_page, lines = (item.property(p) for p in ("pageCount", "linesPerPage", "lineCount"))
    assert pages >= 3 and pages == math.ceil(lines / per_page)
    # Never shrunk: the size is the theme's, which is legible (see the test above).
    assert body.property("font").pixelSize() == s.token("descriptionSize")
    # Each page long enough to read its words slowly, and at least the minimum.
    page_words = len(LONG_DESCRIPTION[:3000].split()) / pages
    assert item.property("pageMs") >= max(
        s.token("pageSeconds") * 1000, page_words / s.token("wordsPerMinute") * 60_000
    )
    shown_lines = 0
    for page in range(pages):
        show_page(s, item, page)
        image = s.frame()
        if page == 0:
            save(image, f"paged-{'portrait' if size == PORTRAIT else 'landscape'}.png")
        window = scene_rect(body.parentItem())  # the clip that shows one page
        mark = [t for t in shown_texts(s) if plain(t) == f"{page + 1}/{pages}"]
        assert mark, f"no page mark {page + 1}/{pages}"
        # The text's lines, left of the mark at the end of the page's last line.
        lines_area = QRectF(window.left(), window.top(),
                            scene_rect(mark[0]).left() - window.left(), window.height())
        ink, background = QColor(body.property("color")), background_of(image, window)
        rows = ink_rows(image, lines_area, ink, background)
        # Whole lines only: no glyph reaches the window's edges, one band of ink per line.
        assert not rows[0] and not rows[-1], f"page {page + 1}: a line is cut at the edge"
        bands = ink_runs(rows)
        expected = min(per_page, lines - page * per_page)
        assert len(bands) == expected, f"page {page + 1}: {len(bands)} lines drawn"
        shown_lines += len(bands)
        # The mark sits inside the page, at the end of its last line, clear of its words:
        # nothing is drawn between them.
        box = scene_rect(mark[0])
        assert window.contains(box)
        between = QRectF(box.left() - s.token("smallGap") + 1, box.top(),
                         s.token("smallGap") - 2, box.height())
        assert not any(ink_rows(image, between, ink, background)), "words run into the mark"
    assert shown_lines == lines  # every line on some page, none twice


SHORT = replace(
    STORM,
    texts=(
        replace(
            STORM.texts[0],
            headline="Orkanböen",
            instruction="Bleiben Sie im Haus.",
            description="Böen bis 120 km/h.",
        ),
    ),
)


@BOTH
def test_short_text_is_not_paged(stele, size) -> None:
    s = stele(size)
    s.show(screen_of((SHORT,)))
    for item in items_of(s, "PagedText"):
        assert item.property("pageCount") <= 1, plain(item)[:40]
    assert not [t for t in shown_texts(s) if "/" in plain(t) and plain(t)[0].isdigit()]


# -- words break at spaces or with a hyphen ------------------------------------------------------

COMPOUNDS = "Trinkwasserverunreinigung Hochwasserschutzmaßnahmen Katastrophenschutzbehörde"


@BOTH
def test_long_words_break_with_a_hyphen_never_silently(stele, size) -> None:
    """On a 32-inch panel a headline line holds ~14 letters: compounds must break. Each line
    the drawn text item has is laid out again here with its font and width (as Qt Quick does:
    word boundaries, soft hyphens, anywhere as a last resort); every break is at a space or a
    soft hyphen, which Qt draws as "-"."""
    s = stele(size, diagonal_inch=32.0)
    alert = replace(STORM, texts=(replace(STORM.texts[0], headline=COMPOUNDS),))
    s.show(screen_of((alert,)))
    item = paged_item(s, "Trinkwasser")
    body = drawn_text(item)
    text = str(body.property("text"))
    assert "\u00ad" in text
    layout = QTextLayout(text, QFont(body.property("font")))
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    page_lines = item.property("pageLines")
    reserve = next(c for c in item.childItems() if c.property("reserve") is not None)
    layout.beginLayout()
    breaks = []
    while (line := layout.createLine()).isValid():
        width = body.width()
        if page_lines and (line.lineNumber() + 1) % page_lines == 0:
            width -= reserve.property("reserve")
        line.setLineWidth(width)
        breaks.append(line.textStart() + line.textLength())
    layout.endLayout()
    assert len(breaks) == body.property("lineCount") >= 4
    for end in breaks[:-1]:
        assert text[end - 1] in " \u00ad", f"broken inside a word: {text[:end]!r}"


# -- the banner leaves the emergency numbers in view --------------------------------------------


@BOTH
@DIAGONALS
def test_banner_does_not_cover_the_emergency_numbers(stele, size, diagonal) -> None:
    s = stele(size, diagonal_inch=diagonal)
    s.show(BANNER)
    banner = items_of(s, "BannerOverlay")
    assert banner
    band = scene_rect(banner[0])
    for number in ("112", "110", "116 117"):
        assert is_shown(s, number), number
        box = next(scene_rect(t) for t in shown_texts(s) if plain(t) == number)
        assert box.bottom() <= band.top(), f"{number} at {box} under the banner at {band}"
        assert box.height() > 0 and box.top() >= 0


def test_the_panel_size_sets_the_letter_size(stele) -> None:
    """The same screen on a smaller panel of the same pixels needs larger letters."""
    big, small = stele(PORTRAIT, diagonal_inch=55.0), stele(PORTRAIT, diagonal_inch=32.0)
    assert small.token("descriptionSize") > big.token("descriptionSize")
    assert small.token("headlineSize") > big.token("headlineSize")
    assert big.token("farSize") > big.token("nearSize")
