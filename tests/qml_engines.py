"""Qt 6.8.2's leftover QML types between engines, for tests that make more than one engine.

On Qt 6.8.2 (Debian trixie, the device's Qt) a QML engine made while an earlier engine's
types are still cached sees the content slides as types of their own: `instanceof` and
`as ContentSlide` fail, and the stage cannot play them. What an engine leaves is dropped
only when the *next* engine is destroyed. A stele runs one engine per process; the tests make
many, one after another, so after an engine goes they make and drop one more: after every
test (tests/conftest.py) and before every test kiosk (`new_kiosk`, tests/ui/kiosk_helpers.py).
Engines alive at the same time stay affected: tests keep to one at a time. Qt 6.9 and later
do not need it.
"""

from __future__ import annotations

import gc
import sys


def drop_leftover_types() -> None:
    """Frees what destroyed QML engines left cached (a no-op before Qt is in use)."""
    qml = sys.modules.get("PySide6.QtQml")
    if qml is None:
        return
    from PySide6.QtCore import QCoreApplication, QEvent

    if QCoreApplication.instance() is None:
        return
    gc.collect()  # views the test dropped that are still in a reference cycle
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qml.QQmlEngine()  # made and dropped at once: its destructor frees the leftovers
