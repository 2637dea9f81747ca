"""The Stele QML module rendered for real (offscreen, software renderer), and what it draws.

Text is found by walking the QQuickItem tree from the window's content item and keeping
items that inherit QQuickText, are effectively visible (isVisible() and the product of
opacities up the parent chain) and lie inside the window. Pixels come from grabWindow().
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Deterministic pixels on machines without a GPU.
os.environ.setdefault("QT_QUICK_BACKEND", "software")

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRectF
from PySide6.QtGui import QColor, QImage
from PySide6.QtQml import QQmlExpression
from PySide6.QtQuick import QQuickItem, QQuickView

from stele.domain.presentation import ScreenModel
from stele.ui.bridge import ScreenBridge
from tests.ui import scene
from tests.ui.scene import INVISIBLE

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@dataclass
class Stele:
    view: QQuickView
    bridge: ScreenBridge

    def show(self, screen: ScreenModel) -> QImage:
        self.bridge.apply(screen)
        return self.frame()

    def frame(self) -> QImage:
        return self.view.grabWindow()

    def singleton(self, name: str) -> QObject:
        return self.view.engine().singletonInstance("Stele", name)

    def theme(self, name: str) -> QColor:
        return QColor(self.singleton("Theme").property(name))

    def token(self, name: str) -> Any:
        return self.singleton("Theme").property(name)

    def set_token(self, name: str, value: Any) -> None:
        assert self.singleton("Theme").setProperty(name, value), name

    def quick_reading(self, language_s: int = 1, page_s: int = 1) -> None:
        """Languages and pages change every second or two instead of after reading time."""
        self.set_token("languageSeconds", language_s)
        self.set_token("pageSeconds", page_s)
        self.set_token("wordsPerMinute", 100_000)


def shown_items(stele: Stele) -> list[QQuickItem]:
    return scene.shown_items(stele.view)


def shown_texts(stele: Stele) -> list[QQuickItem]:
    return [i for i in shown_items(stele) if i.inherits("QQuickText") and i.property("text")]


def texts_on_screen(stele: Stele) -> list[str]:
    """Shown strings, without the invisible bidi isolates and soft hyphens."""
    return scene.visible_texts(stele.view)


def plain(item: QQuickItem) -> str:
    return str(item.property("text")).translate(INVISIBLE)


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


def is_shown(s: Stele, text: str) -> bool:
    return text in texts_on_screen(s)


def text_item(s: Stele, text: str) -> QQuickItem:
    matches = [i for i in shown_texts(s) if plain(i) == text]
    assert matches, f"{text!r} not on screen; shown: {texts_on_screen(s)}"
    return matches[0]


def evaluate(s: Stele, item: QQuickItem, expression: str) -> object:
    """A QML property PySide cannot convert (enums of private types), read through QML."""
    value, undefined = QQmlExpression(s.view.engine().rootContext(), item, expression).evaluate()
    assert not undefined, expression
    return value


def scene_rect(item: QQuickItem) -> QRectF:
    return item.mapRectToScene(QRectF(0, 0, item.width(), item.height()))


def visible_rect(item: QQuickItem) -> QRectF:
    """The part of `item` that can be seen: its scene rect cut by every clipping ancestor
    (a paged text is a long Text inside a clip that shows one page of whole lines)."""
    rect = scene_rect(item)
    parent = item.parentItem()
    while parent is not None:
        if parent.clip():
            rect = rect.intersected(scene_rect(parent))
        parent = parent.parentItem()
    return rect


def qml_warnings(records: list[Any]) -> list[str]:
    """Messages from QML code (TypeErrors, binding loops ...) among pytest-qt's records."""
    return [r.message for r in records if ".qml:" in r.message or "qml" in r.context.category]


def is_ink(pixel: QColor, ink: QColor, background: QColor) -> bool:
    """At least half covered by the glyph: nearer the text colour than the background."""

    def distance(a: QColor, b: QColor) -> int:
        return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())

    return distance(pixel, ink) < distance(pixel, background)


def ink_rows(image: QImage, rect: QRectF, ink: QColor, background: QColor) -> list[bool]:
    """For each pixel row of `rect`: does any glyph cover it?"""
    left, right = max(0, int(rect.left())), min(image.width(), int(rect.right()))
    top, bottom = max(0, int(rect.top())), min(image.height(), int(rect.bottom()))
    return [
        any(is_ink(image.pixelColor(x, y), ink, background) for x in range(left, right))
        for y in range(top, bottom)
    ]


def ink_runs(rows: list[bool]) -> list[int]:
    """Heights of the bands of consecutive inked rows: one per line of drawn text."""
    runs: list[int] = []
    length = 0
    for inked in [*rows, False]:
        if inked:
            length += 1
        elif length:
            runs.append(length)
            length = 0
    return runs


def items_of(stele: Stele, type_name: str) -> list[QQuickItem]:
    """Shown instances of one of the module's QML types (by its name, e.g. "PagedText")."""
    return [
        i for i in shown_items(stele) if i.metaObject().className().startswith(type_name + "_")
        or i.metaObject().className() == type_name
    ]
