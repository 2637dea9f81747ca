"""Alert lists for QML: list models of `AlertEntry` with one role per field.

QML delegates declare `required property` per role (see `AlertRole`); `replace` updates the
rows with the smallest change it can tell (rows inserted or removed at one place, rows whose
entry changed), so a delegate is recreated only for an alert that is new.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    Property,
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtQml import QmlElement, QmlUncreatable

from stele.ui.entries import AlertEntry

QML_IMPORT_NAME = "Stele"
QML_IMPORT_MAJOR_VERSION = 1
QML_IMPORT_MINOR_VERSION = 0


class AlertRole(IntEnum):
    """One role per property of `AlertEntry` (stele/ui/entries.py)."""

    identifier = Qt.ItemDataRole.UserRole + 1
    layout = Qt.ItemDataRole.UserRole + 2
    severity = Qt.ItemDataRole.UserRole + 3
    category = Qt.ItemDataRole.UserRole + 4
    exercise = Qt.ItemDataRole.UserRole + 5
    sentTime = Qt.ItemDataRole.UserRole + 6
    onsetTime = Qt.ItemDataRole.UserRole + 7
    web = Qt.ItemDataRole.UserRole + 8
    qrSource = Qt.ItemDataRole.UserRole + 9
    texts = Qt.ItemDataRole.UserRole + 10


_ROLE_NAMES = {int(role): QByteArray(role.name.encode()) for role in AlertRole}

Index = QModelIndex | QPersistentModelIndex


@QmlElement
@QmlUncreatable("the bridge owns its alert lists")
class AlertListModel(QAbstractListModel):  # type: ignore[operator]  # QmlUncreatable: a class
    """Alerts in the order shown; `identifiers` changes when the set or order does."""

    countChanged = Signal()
    identifiersChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AlertEntry] = []

    # -- QML ---------------------------------------------------------------------------

    @Property(int, notify=countChanged)
    def count(self) -> int:
        return len(self._rows)

    @Property("QStringList", notify=identifiersChanged)  # type: ignore[arg-type]
    def identifiers(self) -> list[str]:
        return [str(r.identifier) for r in self._rows]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008  (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        try:
            key = AlertRole(role).name
        except ValueError:
            return None
        return getattr(self._rows[index.row()], key)

    def roleNames(self) -> dict[int, QByteArray]:
        return dict(_ROLE_NAMES)

    # -- Python ------------------------------------------------------------------------

    def rows(self) -> list[AlertEntry]:
        """The alerts, in order (a copy)."""
        return list(self._rows)

    def replace(self, rows: list[AlertEntry]) -> bool:
        """Show `rows`; emit only what changed. True when anything did."""
        old = self._rows
        # Entries are immutable and made once per alert version: identity is equality.
        if len(old) == len(rows) and all(a is b for a, b in zip(old, rows, strict=True)):
            return False
        old_ids = [str(r.identifier) for r in old]
        new_ids = [str(r.identifier) for r in rows]
        if old_ids != new_ids:
            prefix = 0
            while prefix < min(len(old_ids), len(new_ids)) and old_ids[prefix] == new_ids[prefix]:
                prefix += 1
            suffix = 0
            while (
                suffix < min(len(old_ids), len(new_ids)) - prefix
                and old_ids[-1 - suffix] == new_ids[-1 - suffix]
            ):
                suffix += 1
            if prefix + suffix == len(old_ids):  # only inserted, at `prefix`
                self.beginInsertRows(QModelIndex(), prefix, len(new_ids) - suffix - 1)
                self._rows = old[:prefix] + rows[prefix : len(rows) - suffix] + old[prefix:]
                self.endInsertRows()
            elif prefix + suffix == len(new_ids):  # only removed, from `prefix`
                self.beginRemoveRows(QModelIndex(), prefix, len(old_ids) - suffix - 1)
                self._rows = old[:prefix] + old[len(old) - suffix :]
                self.endRemoveRows()
            else:
                self.beginResetModel()
                self._rows = list(rows)
                self.endResetModel()
        changed = [
            i for i, (was, now) in enumerate(zip(self._rows, rows, strict=True)) if was is not now
        ]
        if changed:
            self._rows = list(rows)
            first, last = self.index(changed[0], 0), self.index(changed[-1], 0)
            self.dataChanged.emit(first, last, [int(r) for r in AlertRole])
        else:
            self._rows = list(rows)
        if len(old_ids) != len(new_ids):
            self.countChanged.emit()
        if old_ids != new_ids:
            self.identifiersChanged.emit()
        return True
