"""AlertListModel: a role per field, and only what changed is signalled."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex

from stele.ui.models import AlertListModel, AlertRole


def _alert(identifier: str, headline: str = "h") -> dict[str, Any]:
    return {"identifier": identifier, "severity": "Minor", "texts": [{"headline": headline}]}


def _record(model: AlertListModel) -> list[tuple]:
    seen: list[tuple] = []
    model.rowsInserted.connect(lambda _p, first, last: seen.append(("insert", first, last)))
    model.rowsRemoved.connect(lambda _p, first, last: seen.append(("remove", first, last)))
    model.modelReset.connect(lambda: seen.append(("reset",)))
    model.dataChanged.connect(lambda tl, br, _r: seen.append(("data", tl.row(), br.row())))
    return seen


def test_roles_are_named_for_qml_and_read_the_maps() -> None:
    model = AlertListModel()
    model.replace([_alert("a")])
    names = {bytes(v.data()).decode() for v in model.roleNames().values()}
    assert {"identifier", "severity", "category", "exercise", "texts", "qrSource"} <= names
    index = model.index(0, 0)
    assert model.data(index, AlertRole.identifier) == "a"
    assert model.data(index, AlertRole.severity) == "Minor"
    assert model.rowCount() == 1 and model.rowCount(index) == 0
    assert model.data(model.index(5, 0), AlertRole.identifier) is None
    assert model.data(QModelIndex(), AlertRole.identifier) is None


def test_replace_signals_only_what_changed() -> None:
    model = AlertListModel()
    seen = _record(model)
    assert model.replace([_alert("a"), _alert("b")])
    assert seen == [("insert", 0, 1)]
    assert not model.replace([_alert("a"), _alert("b")])
    assert seen == [("insert", 0, 1)]
    model.replace([_alert("a"), _alert("x"), _alert("b")])
    assert seen[-1] == ("insert", 1, 1)
    model.replace([_alert("a"), _alert("b")])
    assert seen[-1] == ("remove", 1, 1)
    model.replace([_alert("a"), _alert("b", "new")])
    assert seen[-1] == ("data", 1, 1)
    model.replace([_alert("b", "new"), _alert("a")])
    assert seen[-1] == ("reset",)
    assert model.identifiers == ["b", "a"] and model.count == 2
    model.replace([])
    assert seen[-1] == ("remove", 0, 1) and model.rows() == []
