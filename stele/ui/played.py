"""Proof of play on PREFIX/device/<id>/played (spec content.md §5): every `report_s` the
seconds and plays of each content slide that was on the glass go out at QoS 1; a report the
broker has not acknowledged stays queued on disk (stele.adapters.playlog) and goes later."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer

from stele.adapters.playlog import PlayLog

log = logging.getLogger("stele.content")
Clock = Callable[[], datetime]
# Publishes a report; returns something with is_published() once sent (None: not connected).
Publish = Callable[[dict[str, Any]], Any]
CONFIRM_MS = 2000  # look again this soon whether the broker acknowledged what was sent


class ProofOfPlay(QObject):
    def __init__(
        self,
        directory: Path,
        report_s: float,
        publish: Publish,
        clock: Clock,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._publish = publish
        self._clock = clock
        self.log = PlayLog(directory, started=clock())
        self._current: tuple[str, float] | None = None  # id on the glass, since (monotonic)
        self._in_flight: dict[str, Any] = {}  # file name -> paho's MQTTMessageInfo
        self._timer = QTimer(self)
        self._timer.setInterval(int(report_s * 1000))
        self._timer.timeout.connect(self.report)
        self._confirm = QTimer(self)
        self._confirm.setSingleShot(True)
        self._confirm.setInterval(CONFIRM_MS)
        self._confirm.timeout.connect(self._drop_delivered)

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._confirm.stop()
        self._end_current()

    def shown(self, identifier: str) -> None:
        """The content slide on the glass changed (the rotation's own report)."""
        self._end_current()
        if identifier:
            self._current = (identifier, time.monotonic())

    def report(self) -> None:
        """Close the window, queue its report, send everything queued that can be sent."""
        if self._current is not None:  # the slide on the glass counts up to now, and on
            identifier, _ = self._current
            self._end_current()
            self._current = (identifier, time.monotonic())
        self.log.close_window(self._clock())
        self.flush()

    def flush(self) -> None:
        self._drop_delivered()
        for name, report in self.log.pending():
            if name in self._in_flight:
                continue
            info = self._publish(report)
            if info is None:
                break  # offline: everything stays on disk for the next time
            self._in_flight[name] = info
        if self._in_flight:
            self._confirm.start()

    def _drop_delivered(self) -> None:
        """Reports the broker acknowledged (QoS 1) leave the disk; the rest stay queued."""
        for name, info in list(self._in_flight.items()):
            if info.is_published():
                self.log.delivered(name)
                del self._in_flight[name]
        if self._in_flight:
            self._confirm.start()

    def _end_current(self) -> None:
        if self._current is not None:
            identifier, since = self._current
            self.log.played(identifier, time.monotonic() - since)
            self._current = None
