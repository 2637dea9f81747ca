"""Proof that an alert is on the glass: the first frame swapped after the scene showed it.

A frame shows new scene state only if its synchronisation step ran after the state was set
(with the threaded render loop a frame already in flight shows the old scene). So a pending
alert is armed at the next `afterSynchronizing` and presented at the `frameSwapped` after
that. Both signals may come from the render thread: we take the timestamp right there and
hop to the GUI thread with a queued signal.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtQuick import QQuickWindow


@dataclass(frozen=True, slots=True)
class Presented:
    identifier: str
    layout: str
    received_ms: int | None
    presented_ms: int


class PresentationTracker(QObject):
    """Calls `on_presented(Presented)` on the GUI thread once per `expect()`ed alert."""

    _swapped = Signal(object, object)  # (sync generation reached, epoch ms): Python ints

    def __init__(
        self,
        window: QQuickWindow,
        on_presented: Callable[[Presented], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._on_presented = on_presented
        self._lock = threading.Lock()
        self._generation = 0  # bumped by expect() on the GUI thread
        self._synced = 0  # highest generation a frame has synchronised
        self._pending: dict[str, tuple[int, str, int | None]] = {}
        window.afterSynchronizing.connect(self._after_sync, Qt.ConnectionType.DirectConnection)
        window.frameSwapped.connect(self._frame_swapped, Qt.ConnectionType.DirectConnection)
        self._swapped.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def expect(self, identifier: str, layout: str, received_ms: int | None) -> None:
        """Call right after the scene state showing `identifier` was set."""
        with self._lock:
            self._generation += 1
            self._pending[identifier] = (self._generation, layout, received_ms)
        self._window.update()  # make sure a frame follows even if nothing visible changed

    def forget(self, identifier: str) -> None:
        with self._lock:
            self._pending.pop(identifier, None)

    def _after_sync(self) -> None:  # render thread (GUI thread blocked meanwhile)
        with self._lock:
            self._synced = self._generation

    def _frame_swapped(self) -> None:  # render thread
        now_ms = time.time_ns() // 1_000_000
        with self._lock:
            synced = self._synced
            if not any(gen <= synced for gen, _, _ in self._pending.values()):
                return
        self._swapped.emit(synced, now_ms)

    def _deliver(self, synced: int, presented_ms: int) -> None:  # GUI thread
        with self._lock:
            done = {k: v for k, v in self._pending.items() if v[0] <= synced}
            for k in done:
                del self._pending[k]
        for identifier, (_, layout, received_ms) in done.items():
            self._on_presented(Presented(identifier, layout, received_ms, presented_ms))
