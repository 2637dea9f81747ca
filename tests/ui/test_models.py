"""AlertListModel: a role per field, and only what changed is signalled."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex

from stele.ui.entries import AlertEntry
from stele.ui.models import AlertListModel, AlertRole


def _alert(identifier: str) -> AlertEntry:
    return AlertEntry(identifier=identifier, severity="Minor")


def _record(model: AlertListModel) -> list[tuple]:
    seen: list[tuple] = []
    model.rowsInserted.connect(lambda _p, first, last: seen.append(("insert", first, last)))
    model.rowsRemoved.connect(lambda _p, first, last: seen.append(("remove", first, last)))
    model.modelReset.connect(lambda: seen.append(("reset",)))
    model.dataChanged.connect(lambda tl, br, _r: seen.append(("data", tl.row(), br.row())))
    return seen


def test_roles_are_named_for_qml_and_read_the_entries() -> None:
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
    a, b, x = _alert("a"), _alert("b"), _alert("x")
    assert model.replace([a, b])
    assert seen == [("insert", 0, 1)]
    # Entries are made once per alert version: the same entries are the same rows.
    assert not model.replace([a, b])
    assert seen == [("insert", 0, 1)]
    model.replace([a, x, b])
    assert seen[-1] == ("insert", 1, 1)
    model.replace([a, b])
    assert seen[-1] == ("remove", 1, 1)
    b2 = _alert("b")  # a new version of "b"
    model.replace([a, b2])
    assert seen[-1] == ("data", 1, 1)
    model.replace([b2, a])
    assert seen[-1] == ("reset",)
    assert model.identifiers == ["b", "a"] and model.count == 2
    model.replace([])
    assert seen[-1] == ("remove", 0, 1) and model.rows() == []
