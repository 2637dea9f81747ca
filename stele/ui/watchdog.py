"""systemd watchdog that proves the screen is alive, not just the process.

A QTimer on the GUI thread pings WATCHDOG=1 only if `frameSwapped` advanced since the last
tick, then requests the next frame (so a static scene still swaps). A blocked event loop
stops the timer; a stuck render thread or GPU stops the swaps; either way the pings stop and
systemd restarts the service after WatchdogSec. READY=1 goes out with the first presented
frame, so `systemctl start` returns only once something is on the screen.
"""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtQuick import QQuickWindow

from stele.adapters.sdnotify import Notifier

log = logging.getLogger(__name__)


class FrameWatchdog(QObject):
    def __init__(
        self,
        window: QQuickWindow,
        notifier: Notifier,
        interval_s: float | None = None,
        parent: QObject | None = None,
    ) -> None:
        # Owned by the window unless told otherwise: the timer must not outlive it.
        super().__init__(parent if parent is not None else window)
        self._window = window
        self._notifier = notifier
        # frameSwapped is emitted on the render thread with the threaded render loop.
        self._lock = threading.Lock()
        self._frames = 0
        self._ready_sent = False
        self._seen_at_last_tick = 0
        self.pings_sent = 0
        window.frameSwapped.connect(self._on_frame_swapped, Qt.ConnectionType.DirectConnection)

        self.interval_s = interval_s if interval_s is not None else notifier.watchdog_interval_s()
        self._timer = QTimer(self)
        if self.interval_s is not None:
            self._timer.setInterval(max(1, round(self.interval_s * 1000)))
            self._timer.timeout.connect(self._tick)
            self._timer.start()
            log.info("watchdog: ping every %.1f s while frames are presented", self.interval_s)
        window.update()

    @property
    def frames(self) -> int:
        with self._lock:
            return self._frames

    def _on_frame_swapped(self) -> None:
        with self._lock:
            self._frames += 1
            first = not self._ready_sent
            self._ready_sent = True
        if first:
            log.info("first frame presented: READY")
            self._notifier.ready()

    def _tick(self) -> None:
        frames = self.frames
        if frames != self._seen_at_last_tick:
            self._notifier.watchdog()
            self.pings_sent += 1
        self._seen_at_last_tick = frames
        self._window.update()

    def stop(self) -> None:
        self._timer.stop()

    def block_gui_thread_for_test(self, seconds: float) -> None:
        """TEST ONLY: freeze the GUI thread (call it there) to simulate a hung event loop."""
        time.sleep(seconds)
