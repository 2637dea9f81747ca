"""layouts/Stele/bridge.qmltypes describes the bridge qmllint checks the layouts against."""

from __future__ import annotations

import re

import PySide6
import pytest
from PySide6.QtCore import QMetaMethod

from stele.ui import qmltypes
from stele.ui.bridge import ScreenBridge
from stele.ui.models import AlertListModel


def _committed() -> str:
    return (qmltypes.ROOT / qmltypes.TARGET).read_text(encoding="utf-8")


def _component(text: str, name: str) -> str:
    """The `Component { ... }` block of `name` (up to the next component)."""
    blocks = re.split(r"\n    Component \{", text)
    found = [b for b in blocks if f'\n        name: "{name}"\n' in b]
    assert len(found) == 1, f"{name} not in the qmltypes: run ./dev qmltypes"
    return found[0]


def _members(text: str, kind: str) -> set[str]:
    return set(re.findall(kind + r' \{\s*name: "(\w+)"', text))


def _name(method: QMetaMethod) -> str:
    return bytes(method.name().data()).decode()


@pytest.mark.parametrize("cls", [ScreenBridge, AlertListModel])
def test_qmltypes_lists_every_property_signal_and_slot(cls: type) -> None:
    meta = cls.staticMetaObject  # type: ignore[attr-defined]
    properties = {
        meta.property(i).name() for i in range(meta.propertyOffset(), meta.propertyCount())
    }
    methods = [meta.method(i) for i in range(meta.methodOffset(), meta.methodCount())]
    signals = {_name(m) for m in methods if m.methodType() == QMetaMethod.MethodType.Signal}
    slots = {_name(m) for m in methods if m.methodType() == QMetaMethod.MethodType.Slot}
    text = _component(_committed(), cls.__name__)
    assert _members(text, "Property") == properties, "stale: run ./dev qmltypes"
    assert _members(text, "Signal") == signals, "stale: run ./dev qmltypes"
    assert _members(text, "Method") == slots, "stale: run ./dev qmltypes"
    assert f'exports: ["Stele/{cls.__name__} 1.0"]' in text


def test_the_bridge_is_described() -> None:
    text = _component(_committed(), "ScreenBridge")
    assert {"others", "loopAlerts"} <= _members(text, "Property")
    assert "listedShown" in _members(text, "Method")
    assert "alertsListed" in _members(text, "Signal")


@pytest.mark.skipif(
    not PySide6.__version__.startswith("6.11"),
    reason="qmltyperegistrar's output format differs between Qt versions",
)
def test_qmltypes_is_what_the_generator_writes_today() -> None:
    assert qmltypes.generate() == _committed(), "stale: run ./dev qmltypes"
