"""Work-arounds for Qt for Python bugs, in one place.

PySide6 6.12 on Python < 3.12 returns the bool result of a Python-side `Signal.emit()`
without taking a reference: every emit steals one reference to `True`, and after a few
hundred emits the interpreter aborts ("bool_dealloc: deallocating True"). PySide6 6.8-6.10
and Python 3.12+ (immortal bools; the device runs 3.13) are not affected. All Python-side
emits go through `emit()`, which measures the bug once and gives the reference back.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import QObject, Signal


class _Probe(QObject):
    fired = Signal()


def _emit_steals_a_reference() -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.fired.emit()
    leaked = sys.getrefcount(True) < before
    if leaked:
        for _ in range(8):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    return leaked


EMIT_STEALS_REFERENCE = _emit_steals_a_reference()


def emit(signal: Any, *args: Any) -> None:
    """`signal.emit(*args)`, giving back the reference a buggy PySide6 steals."""
    result = signal.emit(*args)
    if EMIT_STEALS_REFERENCE and isinstance(result, bool):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
