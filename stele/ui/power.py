"""Display power for the kiosk: the schedule, forced on in a crisis, and the `display`
command. The decisions are the controller's (stele/adapters/display.py); this part only
owns the Qt timer that wakes it at the next scheduled change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from stele.adapters.display import DisplayController, make_backend
from stele.config.models import PowerConfig

Clock = Callable[[], datetime]
# Never sleep longer than this: without an RTC, NTP may step the clock after boot.
MAX_SLEEP_MS = 60_000


class DisplayPower(QObject):
    blanked = Signal(bool)  # the black-scene backend asks the screen to draw black (GUI thread)
    _blank = Signal(bool)  # from the controller's worker thread

    def __init__(
        self, cfg: PowerConfig, timezone: str, clock: Clock, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._crisis = False
        self._blank.connect(self.blanked, Qt.ConnectionType.QueuedConnection)
        self.controller = DisplayController(
            make_backend(cfg, self._blank.emit), cfg.schedule, ZoneInfo(timezone)
        )
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(lambda: self.update(self._crisis))

    @property
    def on(self) -> bool:
        desired = self.controller.desired
        return not desired or desired[0]

    def update(self, crisis: bool) -> None:
        """A takeover or banner forces the display on; otherwise the schedule decides.
        Cheap: the backend (cec-ctl, ddcutil, ...) runs on the controller's own thread."""
        self._crisis = crisis
        self._arm(self.controller.update(self._clock(), crisis))

    def command(self, on: bool) -> None:
        """The MQTT `display` command: holds until the schedule's next change."""
        self._arm(self.controller.command(on, self._clock()))

    def close(self) -> None:
        self._timer.stop()
        self.controller.close()

    def _arm(self, deadline: datetime | None) -> None:
        if deadline is None:
            self._timer.stop()
            return
        delay_s = (deadline - self._clock()).total_seconds()
        self._timer.start(max(0, min(int(delay_s * 1000) + 1, MAX_SLEEP_MS)))
