"""City content for QML: the slides of the playlist as a list model, and the bridge the
rotation reports back through (which slide is on the glass, which one failed to load).

A slide is a plain map (`ContentRole` names its keys); the rotation reads one with `get(row)`
when it loads it into its next Loader, so a playlist change never rebuilds a slide on screen.
Use from the GUI thread only.
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
    Slot,
)
from PySide6.QtQml import QmlElement, QmlUncreatable

QML_IMPORT_NAME = "Stele"
QML_IMPORT_MAJOR_VERSION = 1
QML_IMPORT_MINOR_VERSION = 0


class ContentRole(IntEnum):
    """One role per key of a slide map (stele.ui.slides.slide_map)."""

    slideId = Qt.ItemDataRole.UserRole + 1
    kind = Qt.ItemDataRole.UserRole + 2  # image, video, pdf, text, news, events, weather
    durationMs = Qt.ItemDataRole.UserRole + 3  # 0: the slide's own length (a video)
    source = Qt.ItemDataRole.UserRole + 4  # file URL of the verified media (or PDF page PNG)
    fit = Qt.ItemDataRole.UserRole + 5  # contain | cover
    title = Qt.ItemDataRole.UserRole + 6
    body = Qt.ItemDataRole.UserRole + 7
    qrSource = Qt.ItemDataRole.UserRole + 8
    qrCaption = Qt.ItemDataRole.UserRole + 9
    live = Qt.ItemDataRole.UserRole + 10  # news/events/weather: see stele.ui.live_maps
    pixelWidth = Qt.ItemDataRole.UserRole + 11  # image/pdf: the picture's own size (0: unknown)
    pixelHeight = Qt.ItemDataRole.UserRole + 12


_ROLE_NAMES = {int(role): QByteArray(role.name.encode()) for role in ContentRole}
Index = QModelIndex | QPersistentModelIndex


@QmlElement
@QmlUncreatable("the content bridge owns its slide list")
class ContentSlideModel(QAbstractListModel):  # type: ignore[operator]  # QmlUncreatable: a class
    """The playlist in play order; `identifiers` changes when the set or order does."""

    countChanged = Signal()
    identifiersChanged = Signal()
    revisionChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []
        self._revision = 0

    @Property(int, notify=countChanged)
    def count(self) -> int:
        return len(self._rows)

    @Property("QStringList", notify=identifiersChanged)  # type: ignore[arg-type]
    def identifiers(self) -> list[str]:
        return [str(r["slideId"]) for r in self._rows]

    @Property(int, notify=revisionChanged)
    def revision(self) -> int:
        """Moves whenever any slide's content changes (a slide map is read once, at load)."""
        return self._revision

    @Slot(int, result="QVariantMap")
    def get(self, row: int) -> dict[str, Any]:
        return dict(self._rows[row]) if 0 <= row < len(self._rows) else {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008  (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        try:
            key = ContentRole(role).name
        except ValueError:
            return None
        return self._rows[index.row()].get(key)

    def roleNames(self) -> dict[int, QByteArray]:
        return dict(_ROLE_NAMES)

    def rows(self) -> list[dict[str, Any]]:
        return list(self._rows)

    def replace(self, rows: list[dict[str, Any]]) -> bool:
        """Show `rows` from now on; True when anything changed."""
        if rows == self._rows:
            return False
        old_ids = [str(r["slideId"]) for r in self._rows]
        self.beginResetModel()
        self._rows = [dict(r) for r in rows]
        self.endResetModel()
        self._revision += 1
        self.revisionChanged.emit()
        if len(old_ids) != len(rows):
            self.countChanged.emit()
        if old_ids != [str(r["slideId"]) for r in self._rows]:
            self.identifiersChanged.emit()
        return True


@QmlElement
@QmlUncreatable("the application creates the content bridge and hands it to Main")
class ContentBridge(QObject):  # type: ignore[operator]  # QmlUncreatable: a class in the stubs
    """The playlist for the rotation, and what the rotation says it shows."""

    slideShown = Signal(str)  # the content slide now fully on the glass ("" for none)
    slideFailed = Signal(str, str)  # id, reason: it could not be loaded and was skipped
    noticeChanged = Signal()
    tilesChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._slides = ContentSlideModel(self)
        self._notice = ""
        self._notice_name = ""
        self._tiles: list[dict[str, Any]] = []

    @Property(ContentSlideModel, constant=True)
    def slides(self) -> ContentSlideModel:
        return self._slides

    @Property(str, notify=noticeChanged)
    def notice(self) -> str:
        """A message in the content's place instead of the fallback screen ("" for none):
        the OSCA backend's "wird gerade konfiguriert" while the stele awaits activation."""
        return self._notice

    @Property(str, notify=noticeChanged)
    def noticeName(self) -> str:
        """The stele's name shown with the notice."""
        return self._notice_name

    def set_notice(self, text: str, name: str = "") -> None:
        if (text, name) != (self._notice, self._notice_name):
            self._notice, self._notice_name = text, name
            self.noticeChanged.emit()

    @Property("QVariantList", notify=tilesChanged)  # type: ignore[arg-type]
    def tiles(self) -> list[dict[str, Any]]:
        """A touch panel's tile grid in the content's place (stele/ui/osca_grid.py; empty
        for none): tapped open large, closed again after inactivity."""
        return self._tiles

    def set_tiles(self, tiles: list[dict[str, Any]]) -> None:
        if tiles != self._tiles:
            self._tiles = tiles
            self.tilesChanged.emit()

    @Slot(str)
    def shown(self, identifier: str) -> None:
        """The rotation reports the content slide on the glass ("" when none is)."""
        self.slideShown.emit(identifier)

    @Slot(str, str)
    def failed(self, identifier: str, reason: str) -> None:
        """The rotation could not load `identifier` and skipped it."""
        self.slideFailed.emit(identifier, reason)

    def set_slides(self, rows: list[dict[str, Any]]) -> None:
        """The playlist from now on; with none, the rotation shows the fallback screen
        (NormalScreen.nothingToPlay, which also waits for the first slide to be drawn)."""
        self._slides.replace(rows)
