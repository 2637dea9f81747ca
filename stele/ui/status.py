"""The retained status (docs/mqtt.md) and systemd's one-line STATUS=."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Signal

from stele import __version__
from stele.domain.presentation import Mode, ScreenModel

Clock = Callable[[], datetime]
STORAGE_PROBLEM = "storage: alerts cannot be saved"


class StatusReporter(QObject):
    """Builds the status from what the parts know and publishes it when it may have changed."""

    text = Signal(str)  # a short human line for systemd's STATUS=

    def __init__(
        self,
        publish: Callable[[dict[str, Any]], None],
        connected: Callable[[], bool],
        clock: Clock,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._publish = publish
        self._connected = connected
        self._clock = clock
        self._started = time.monotonic()
        self.screen = ScreenModel(mode=Mode.NORMAL)
        self.mode_since = clock()
        self.last_sync: datetime | None = None
        self.storage_ok = True
        self.display_on = True
        self.free_disk_mb: int | None = None
        self.clock_problems: list[str] = []  # behind, or not synchronised (ui/clock.py)
        self.security_problems: list[str] = []  # rejected unsigned/forged alerts and indexes
        # City content (spec content.md §5): the live version, the slide on the glass (None
        # under a takeover or on the fallback screen), the last manifest check, items left out.
        self.content: str | None = None
        self.slide: str | None = None
        self.content_synced: datetime | None = None
        self.content_problems: list[str] = []
        self.osca_uuid: str | None = None  # the OSCA backend's SteleScreen.uuid (docs/osca.md)

    def set_screen(self, screen: ScreenModel) -> None:
        if screen.mode != self.screen.mode:
            self.mode_since = self._clock()
        self.screen = screen

    def status(self) -> dict[str, Any]:
        problems = (
            ([] if self.storage_ok else [STORAGE_PROBLEM])
            + self.clock_problems
            + self.security_problems
            + self.content_problems
        )
        mode = self.screen.mode.value
        # An alert on screen is what the server must see first; "degraded" only when the
        # stele shows its normal screen but cannot do its whole job.
        if not self.storage_ok and self.screen.mode is Mode.NORMAL:
            mode = "degraded"
        extra = {"osca_uuid": self.osca_uuid} if self.osca_uuid is not None else {}
        return {
            **extra,
            "state": "online",
            "version": __version__,
            "mode": mode,
            "problems": problems,
            "alerts": [v.identifier for v in self.screen.alerts],
            "since": self.mode_since.isoformat(),
            "display": "on" if self.display_on else "off",
            "uptime_s": int(time.monotonic() - self._started),
            "last_sync": self.last_sync.isoformat() if self.last_sync else None,
            "free_disk_mb": self.free_disk_mb,
            "content": self.content,
            "slide": self.slide,
            "content_synced": self.content_synced.isoformat() if self.content_synced else None,
        }

    def publish(self) -> None:
        status = self.status()
        self._publish(status)
        sync = self.last_sync.astimezone().strftime("%H:%M:%S") if self.last_sync else "never"
        link = "online" if self._connected() else "offline"
        self.text.emit(
            f"{status['mode']}, {len(status['alerts'])} alert(s), broker {link}, last sync {sync}",
        )
