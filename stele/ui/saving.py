"""State saving for the kiosk: the book goes to disk on the state writer's thread, in
parallel with the frame that shows it, and is retried until it is there. This part hops the
writer's results to the GUI thread; the writing itself is stele/adapters/state_store.py."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal

from stele.adapters.state_saver import StateSaver
from stele.adapters.state_store import StateStore
from stele.domain.book import AlertBook

FLUSH_TIMEOUT_S = 5.0


def free_mb(directory: Path) -> int | None:
    """Free space where the state lives (None if unreadable): a full card is the most
    likely reason a stele would stop persisting alerts."""
    while not directory.exists() and directory != directory.parent:
        directory = directory.parent  # not created yet: the filesystem it will be on
    try:
        return shutil.disk_usage(directory).free // (1024 * 1024)
    except OSError:
        return None


class StateKeeper(QObject):
    result = Signal(object, object)  # (revision, ok) on the GUI thread
    storage_changed = Signal()  # ok flipped: the status must be republished
    _from_worker = Signal(object, object)

    def __init__(self, directory: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = StateStore(directory)
        self.ok = True
        self.free_disk_mb = free_mb(self.store.path.parent)  # refreshed by the writer
        self._submitted = -1
        self._from_worker.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._saver = StateSaver(self.store, self._on_result)

    def load(self, book: AlertBook) -> int:
        restored = self.store.load(book)
        self._submitted = book.revision
        return restored

    def save(self, book: AlertBook) -> None:
        """Hand the book's current revision to the writer (nothing new: nothing written,
        an SD card must not be rewritten every few seconds for years)."""
        if book.revision == self._submitted:
            return
        self._submitted = book.revision
        self._saver.submit(book.snapshot())  # a shallow copy; serialising is the writer's

    def close(self, book: AlertBook) -> None:
        self._saver.flush(book, FLUSH_TIMEOUT_S)
        self._saver.close()

    def _on_result(self, revision: int, ok: bool) -> None:  # writer thread
        self.free_disk_mb = free_mb(self.store.path.parent)  # off the hot path, like the write
        self._from_worker.emit(revision, ok)

    def _deliver(self, revision: int, ok: bool) -> None:
        if ok != self.ok:
            self.ok = ok
            self.storage_changed.emit()
        self.result.emit(revision, ok)
