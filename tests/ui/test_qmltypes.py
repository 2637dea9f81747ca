"""layouts/Stele/bridge.qmltypes describes the bridge qmllint checks the layouts against."""

from __future__ import annotations

import re

import PySide6
import pytest
from PySide6.QtCore import QMetaMethod

from stele.ui import qmltypes
from stele.ui.bridge import ScreenBridge


def _committed() -> str:
    return (qmltypes.ROOT / qmltypes.TARGET).read_text(encoding="utf-8")


def _members(text: str, kind: str) -> set[str]:
    return set(re.findall(kind + r' \{\s*name: "(\w+)"', text))


def _name(method: QMetaMethod) -> str:
    return bytes(method.name().data()).decode()


def test_qmltypes_lists_every_property_signal_and_slot_of_the_bridge() -> None:
    meta = ScreenBridge.staticMetaObject
    properties = {
        meta.property(i).name() for i in range(meta.propertyOffset(), meta.propertyCount())
    }
    methods = [meta.method(i) for i in range(meta.methodOffset(), meta.methodCount())]
    signals = {_name(m) for m in methods if m.methodType() == QMetaMethod.MethodType.Signal}
    slots = {_name(m) for m in methods if m.methodType() == QMetaMethod.MethodType.Slot}
    assert "others" in properties and "listedShown" in slots and "alertsListed" in signals
    text = _committed()
    assert _members(text, "Property") == properties, "stale: run ./dev qmltypes"
    assert _members(text, "Signal") == signals, "stale: run ./dev qmltypes"
    assert _members(text, "Method") == slots, "stale: run ./dev qmltypes"
    assert 'exports: ["Stele/ScreenBridge 1.0"]' in text


@pytest.mark.skipif(
    not PySide6.__version__.startswith("6.11"),
    reason="qmltyperegistrar's output format differs between Qt versions",
)
def test_qmltypes_is_what_the_generator_writes_today() -> None:
    assert qmltypes.generate() == _committed(), "stale: run ./dev qmltypes"
