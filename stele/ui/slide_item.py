"""The base of every content slide: what ContentStage and the tile grid need to know of one.

`layouts/Stele/slides/ContentSlide.qml` derives from it, and the slides from that. The stage
and the grid cast the slide a Loader made to *this* type, not to the QML `ContentSlide`: on
Qt 6.8.2 (Debian trixie, the device's Qt) a slide made in a second QML engine of the same
process was no `instanceof` its QML base type (`ImageSlide as ContentSlide` gave null), so
no slide ever came on. A type registered from Python has one identity in the whole process.
"""

from __future__ import annotations

from PySide6.QtCore import Property, Signal
from PySide6.QtQml import QJSValue, QmlElement
from PySide6.QtQuick import QQuickItem

QML_IMPORT_NAME = "Stele"
QML_IMPORT_MAJOR_VERSION = 1
QML_IMPORT_MINOR_VERSION = 0

DEFAULT_DURATION_MS = 10000.0


@QmlElement
class SlideItem(QQuickItem):
    """One item of the city's content as the stage holds it: its row, and how it is doing."""

    entryChanged = Signal()
    readyChanged = Signal()
    failureChanged = Signal()
    playingChanged = Signal()
    durationMsChanged = Signal()
    readUntilChanged = Signal()

    def __init__(self, parent: QQuickItem | None = None) -> None:
        super().__init__(parent)
        # A JS value, not a map: QML reads the row as it was handed over, without a
        # conversion through Python on every read.
        self._entry = QJSValue()
        self._ready = True
        self._failure = ""
        self._playing = False
        self._duration_ms = DEFAULT_DURATION_MS
        self._read_until = 0.0

    # A row of ContentSlideModel (stele/ui/content_model.py).
    @Property(QJSValue, notify=entryChanged)
    def entry(self) -> QJSValue:
        return self._entry

    @entry.setter  # type: ignore[no-redef]
    def entry(self, value: QJSValue) -> None:
        # Each hand-over is a new row: no comparison (JS objects compare by identity anyway).
        self._entry = value
        self.entryChanged.emit()

    # Everything it draws is loaded (a picture decoded ...): only then does it come on.
    @Property(bool, notify=readyChanged)
    def ready(self) -> bool:
        return self._ready

    @ready.setter  # type: ignore[no-redef]
    def ready(self, value: bool) -> None:
        if value != self._ready:
            self._ready = value
            self.readyChanged.emit()

    # Why it cannot be shown whole; the stage skips it and reports this.
    @Property(str, notify=failureChanged)
    def failure(self) -> str:
        return self._failure

    @failure.setter  # type: ignore[no-redef]
    def failure(self, value: str) -> None:
        if value != self._failure:
            self._failure = value
            self.failureChanged.emit()

    # On the glass now (a video plays only then).
    @Property(bool, notify=playingChanged)
    def playing(self) -> bool:
        return self._playing

    @playing.setter  # type: ignore[no-redef]
    def playing(self, value: bool) -> None:
        if value != self._playing:
            self._playing = value
            self.playingChanged.emit()

    # How long it stays once on the glass: the manifest's duration ...
    @Property(float, notify=durationMsChanged)
    def durationMs(self) -> float:
        return self._duration_ms

    @durationMs.setter  # type: ignore[no-redef]
    def durationMs(self, value: float) -> None:
        if value != self._duration_ms:
            self._duration_ms = value
            self.durationMsChanged.emit()

    # ... and until everything on it was shown long enough to be read (epoch ms, 0: no text).
    @Property(float, notify=readUntilChanged)
    def readUntil(self) -> float:
        return self._read_until

    @readUntil.setter  # type: ignore[no-redef]
    def readUntil(self, value: float) -> None:
        if value != self._read_until:
            self._read_until = value
            self.readUntilChanged.emit()
