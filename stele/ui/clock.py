"""The kiosk's `now`: the system clock behind the guard of stele/domain/clock.py.

A Raspberry Pi without RTC may boot offline with its clock behind. Every part of the kiosk
reads time through one `SteleClock` (it is the `clock` they are given): alert decisions, the
content schedule, display power and the status. It keeps the floor (the last time the stele
knew) on disk — every `SAVE_S` on a worker thread and at close — and tells the status what
is known about the clock (docs/alerts.md "Time").
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from stele.adapters.clock_file import TIMESYNC_DIR, ntp_synchronised, read_floor, write_floor
from stele.domain.book import AlertBook
from stele.domain.clock import (
    NOT_SYNCHRONISED,
    Known,
    clock_problems,
    guarded_now,
    last_known,
    stronger,
)

log = logging.getLogger("stele.kiosk")
Clock = Callable[[], datetime]
CHECK_S: float = 30  # how soon a first NTP answer is noticed (and the status corrected)
# A power cut loses at most this much of the floor; an SD card is written every 10 min, not
# every few seconds (timesyncd itself saves its own clock file every minute).
SAVE_S = 600


class SteleClock(QObject):
    """Callable: the guarded time. `system` is the clock it guards (a fake in tests)."""

    problems_changed = Signal()

    def __init__(
        self,
        system: Clock,
        state_dir: Path,
        *,
        timesync: Path = TIMESYNC_DIR,
        monotonic: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._system = system
        self._dir = Path(state_dir)
        self._timesync = timesync
        self._mono = monotonic
        self.synced = ntp_synchronised(timesync)
        at = read_floor(self._dir)
        self._floor = Known(at, monotonic()) if at is not None else None
        self._sent: Known | None = None
        self.problems: list[str] = []
        self._saved_at = monotonic()
        self._writer: threading.Thread | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(int(CHECK_S * 1000))
        self._timer.timeout.connect(self._tick)
        self._update()

    def __call__(self) -> datetime:
        return guarded_now(self._system(), self._mono(), self._floor, synced=bool(self.synced))

    def learn(self, book: AlertBook) -> None:
        """The restored book's newest receipt or end had passed: the clock cannot be earlier
        (timesyncd's own clock file may be up to a minute older than a power cut)."""
        at = last_known(book)
        if at is not None:
            self._floor = stronger(self._floor, Known(at, self._mono()))
            self._update()

    def saw_sent(self, sent: datetime) -> None:
        """A received message was sent at `sent`: only reported (a sender's wrong clock must
        not expire this stele's alerts); decide.clock_lag keeps that message's own timeline."""
        self._sent = stronger(self._sent, Known(sent, self._mono()))
        self._update()

    @property
    def behind(self) -> bool:
        """Known to be early (behind what this stele knew, or a message's `sent`): every
        problem but "not synchronised" says so. The screen then shows no time of day."""
        return any(p != NOT_SYNCHRONISED for p in self.problems)

    def start(self) -> None:
        self._timer.start()

    def close(self) -> None:
        """Stop checking and write the floor now (the clean-shutdown save)."""
        self._timer.stop()
        if self._writer is not None:
            self._writer.join(timeout=5.0)
        self._write(self())

    # -- internals -------------------------------------------------------------------------

    def _tick(self) -> None:
        synced = ntp_synchronised(self._timesync)
        if synced and not self.synced:
            log.info("clock: synchronised by NTP, %s", self._system().isoformat())
        self.synced = synced
        mono = self._mono()
        if synced:
            # From now on the clock is the reference; a stale floor must not outlive it.
            self._floor = Known(self._system(), mono)
        self._update()
        idle = self._writer is None or not self._writer.is_alive()
        if idle and mono - self._saved_at >= SAVE_S:
            self._saved_at = mono
            self._writer = threading.Thread(
                target=self._write, args=(self(),), name="stele-clock", daemon=True
            )
            self._writer.start()

    def _write(self, at: datetime) -> None:
        try:
            write_floor(self._dir, at)
        except OSError as exc:  # the state writer reports a failing card; this only logs
            log.warning("clock: cannot save the last known time: %s", exc)

    def _update(self) -> None:
        problems = clock_problems(
            self._system(), self._mono(), floor=self._floor, sent=self._sent, synced=self.synced
        )
        if problems != self.problems:
            for line in problems:
                if line not in self.problems:
                    log.warning("%s", line)
            self.problems = problems
            self.problems_changed.emit()
