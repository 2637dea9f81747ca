"""The hop from paho's network thread to the GUI thread, one batch at a time.

paho's thread parses each CAP payload (pure Python, no Qt) and appends the result to a
queue; the GUI thread is woken once per batch and drains everything that arrived, so a
burst of messages is applied to the book together and the screen is rebuilt once, not
once per message (a storm front starved the screen for seconds that way).
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal

from stele.adapters.mqtt import Incoming
from stele.domain.cap import parse_alert
from stele.domain.model import Alert
from stele.errors import CapError


@dataclass(frozen=True, slots=True)
class Parsed:
    """A message after the network thread's work: the alert, or why it was rejected."""

    incoming: Incoming
    alert: Alert | None = None
    error: str = ""


class Inbox(QObject):
    """`put()` from any thread; `ready` fires on the GUI thread; `drain()` takes all."""

    ready = Signal()
    _wake = Signal()

    def __init__(self, max_payload_bytes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._max = max_payload_bytes
        self._lock = threading.Lock()
        self._queue: deque[Parsed] = deque()
        self._wake.connect(self.ready, Qt.ConnectionType.QueuedConnection)

    def put(self, msg: Incoming) -> None:  # network thread
        parsed = Parsed(msg)
        if msg.kind == "alert" and msg.payload:
            try:
                parsed = Parsed(
                    msg, alert=parse_alert(msg.payload, msg.content_type, max_bytes=self._max)
                )
            except CapError as exc:
                parsed = Parsed(msg, error=str(exc))
        with self._lock:
            wake = not self._queue  # one wake-up per batch, not per message
            self._queue.append(parsed)
        if wake:
            self._wake.emit()

    def drain(self) -> list[Parsed]:  # GUI thread
        with self._lock:
            batch = list(self._queue)
            self._queue.clear()
        return batch
