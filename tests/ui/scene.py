"""What is actually in a rendered scene: the items a passer-by can see and their text."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from PySide6.QtQuick import QQuickItem, QQuickWindow

# Invisible direction marks the layouts put around dates inside right-to-left text.
BIDI_ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069"))
# ... and soft hyphens, drawn only where a long word breaks a line.
INVISIBLE = {**BIDI_ISOLATES, ord("\u00ad"): None}


def walk(root: QQuickItem) -> Iterator[tuple[QQuickItem, float]]:
    """Every item below `root` with its effective opacity (own times all ancestors')."""
    stack = [(root, root.opacity())]
    while stack:
        item, opacity = stack.pop()
        yield item, opacity
        stack.extend((child, opacity * child.opacity()) for child in item.childItems())


def shown_items(window: QQuickWindow) -> list[QQuickItem]:
    """Visible items drawn at (nearly) full opacity."""
    return [i for i, o in walk(window.contentItem()) if i.isVisible() and o > 0.99]


def visible_texts(window: Any) -> list[str]:
    """The strings of every shown Text item, without bidi isolates and soft hyphens."""
    return [
        str(i.property("text")).translate(INVISIBLE)
        for i in shown_items(window)
        if i.inherits("QQuickText") and i.property("text")
    ]


def red_fraction(image: Any, step: int = 8) -> float:
    """Share of sampled pixels that are a strong warning red/orange."""
    hits = total = 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            c = image.pixelColor(x, y)
            total += 1
            if c.red() > 150 and c.green() < 110 and c.blue() < 90:
                hits += 1
    return hits / max(total, 1)
