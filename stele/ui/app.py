"""`stele run`: the kiosk. Wires parts that each have one job and starts them in order.

- `Inbox`: paho's thread parses CAP payloads and hands them over in batches.
- `AlertDesk`: the book; batches in, one screen per frame out, expiry on time.
- `AckKeeper`: acks what a presented frame shows, once it is also on disk.
- `StateKeeper`: the book to disk on the writer's thread, retried until it is there.
- `StatusReporter`, `Commands`, `DisplayPower`: status, the command topic, the panel.
- `SteleClock`: the time every part reads, guarded against a clock behind after an offline
  boot (no RTC); its floor on disk, its problems in the status.
- `ContentPlayer`, `ProofOfPlay`: the city's playlist onto the rotation; what played.

The hot path — batch in, book updated, bridge applied, frame presented, ack out — does no
disk or network I/O of its own: the state writer runs in parallel with the frame.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtQuick import QQuickView
from shiboken6 import Shiboken

from stele import __version__
from stele.adapters.clock_file import TIMESYNC_DIR
from stele.adapters.mqtt import SteleMqtt
from stele.config.models import Config
from stele.config.themes import DEFAULT_CITY, Theme, load_theme
from stele.domain.book import AlertBook
from stele.domain.decide import Policy
from stele.domain.model import Severity
from stele.domain.presentation import Mode, ScreenModel
from stele.domain.screen import LISTED_MAX_LANDSCAPE, LISTED_MAX_PORTRAIT
from stele.domain.targeting import Place
from stele.ui.acks import AckKeeper, Visibility
from stele.ui.alerts import AlertDesk, FrameGate
from stele.ui.bridge import ScreenBridge
from stele.ui.clock import SteleClock
from stele.ui.commands import Commands
from stele.ui.content import ContentPlayer, content_dirs
from stele.ui.content_model import ContentBridge
from stele.ui.inbox import Inbox
from stele.ui.malloc import return_big_blocks
from stele.ui.played import ProofOfPlay
from stele.ui.power import DisplayPower
from stele.ui.saving import StateKeeper
from stele.ui.status import StatusReporter
from stele.ui.theme import CityTheme
from stele.ui.view import create_view
from stele.ui.warmup import WarmUp, rehearsal_screens

if TYPE_CHECKING:
    from stele.ui.osca import OscaContent

log = logging.getLogger("stele.kiosk")
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Kiosk(QObject):
    """One stele. Construct on the GUI thread, then `start()`; `stop()` and `dispose()`."""

    screen_applied = Signal(object)  # ScreenModel, after it was handed to QML
    acked = Signal(object)  # Presented, after the ack was published
    status_text = Signal(str)  # a short human line for systemd's STATUS=
    _connection = Signal(bool)
    _security = Signal(object)  # list[str]: rejected signed messages, from paho's thread

    def __init__(
        self,
        cfg: Config,
        *,
        clock: Clock = utc_now,
        timesync: Path = TIMESYNC_DIR,
        theme: Theme | None = None,
        parent: QObject | None = None,
    ) -> None:
        """`clock`: the system clock, guarded by `SteleClock` before any part reads it;
        `timesync`: where systemd-timesyncd tells that NTP set the clock."""
        super().__init__(parent)
        return_big_blocks()  # decoded pictures go back to the system with their slide
        self.cfg = cfg
        # The caller loads the theme where a bad pack can still be shown (stele/ui/main.py).
        self.theme = theme or load_theme(cfg.display.theme)
        self.clock = SteleClock(clock, cfg.storage.dir, timesync=timesync, parent=self)
        clock = self.clock
        dev = cfg.device
        self.book = AlertBook(
            place=Place(
                lat=dev.latitude, lon=dev.longitude, ars=dev.ars, warncells=frozenset(dev.warncells)
            ),
            policy=Policy(
                languages=tuple(dev.languages),
                layouts={s: cfg.alerts.layout[s] for s in Severity},
            ),
            all_clear_for=timedelta(minutes=cfg.alerts.all_clear_minutes),
        )
        width, height = cfg.display.size
        logo = cfg.display.logo or self.theme.logo  # the configuration's wins
        self.bridge = ScreenBridge(
            city=cfg.display.city or self.theme.pack.city or DEFAULT_CITY,
            device_id=dev.id,
            timezone=dev.timezone,
            rotation_seconds=round(cfg.display.rotation_s),
            logo=QUrl.fromLocalFile(str(logo)).toString() if logo else "",
            diagonal_inch=cfg.display.diagonal_inch,
            theme=CityTheme(self.theme.pack, self),
        )
        self.inbox = Inbox(cfg.mqtt.max_payload_bytes, self)
        self.mqtt = SteleMqtt(
            cfg.mqtt,
            dev,
            version=__version__,
            on_message=self.inbox.put,
            on_connection=self._connection.emit,
            security=cfg.security,
            on_security_problems=self._security.emit,
        )
        self.content_bridge = ContentBridge(self)
        self.view: QQuickView = create_view(
            self.bridge,
            width=width,
            height=height,
            fullscreen=cfg.display.fullscreen,
            content=self.content_bridge,
        )
        self.content = ContentPlayer(
            cfg, self.content_bridge, clock=clock, page_size=(width, height), parent=self
        )
        self.osca: OscaContent | None = None
        if cfg.content.source == "osca":
            from stele.ui.osca import OscaContent  # only a stele on the OSCA backend needs it

            self.osca = OscaContent(
                cfg, self.content, self.content_bridge, self.view, clock=clock, parent=self
            )
            self.osca.changed.connect(self._on_content)
        self.played = ProofOfPlay(
            content_dirs(cfg.storage.dir)[3],
            cfg.content.report_s,
            self.mqtt.publish_played,
            clock,
            self,
        )
        self.state = StateKeeper(cfg.storage.dir, self)
        self.power = DisplayPower(cfg.power, dev.timezone, clock, self)
        self.reporter = StatusReporter(
            self.mqtt.publish_status, lambda: self.mqtt.connected, clock, self
        )
        self.reporter.osca_uuid = self.osca.uuid if self.osca is not None else None
        self.acks = AckKeeper(self.view, self.mqtt.publish_ack, self)
        self.desk = AlertDesk(
            self.book,
            self.inbox,
            self.view,
            clock=clock,
            recheck_s=cfg.alerts.recheck_s,
            listed_max=LISTED_MAX_LANDSCAPE if width > height else LISTED_MAX_PORTRAIT,
            parent=self,
        )
        self.commands = Commands(
            self.view,
            self.bridge,
            self.power,
            self.mqtt.publish_result,
            self._on_display_command,
            self,
            content=(
                {"sync-now": self.osca.refresh, "reload-content": self.osca.refresh}
                if self.osca is not None
                else {"sync-now": self.content.sync_now, "reload-content": self.content.reload}
            ),
        )
        self._warmup: WarmUp | None = None
        self._shown: ScreenModel | None = None  # on the bridge (None while rehearsing)
        self._slide = ""  # the alert slide the rotation reports on the glass
        self._blanked = False  # the display-power black scene covers everything
        self._listed: frozenset[str] = frozenset()  # the list's page on the glass
        self._stopped = False
        self._status_due = False  # a new screen's status waits for its frame

        self._connection.connect(self._on_connection, Qt.ConnectionType.QueuedConnection)
        self._security.connect(self._on_security, Qt.ConnectionType.QueuedConnection)
        self.desk.screen_changed.connect(self._on_screen)
        self.desk.book_changed.connect(lambda: self.state.save(self.book))
        self.desk.received.connect(self.acks.received)
        self.desk.command.connect(self.commands.handle)
        self.desk.content.connect(self.content.announced)
        self.content.changed.connect(self._on_content)
        # Content status goes out after the next frame, off the alert path (a takeover
        # hides the slide: its status must not delay the takeover's frame).
        self._content_gate = FrameGate(self.view, self)
        self._content_gate.passed.connect(self._after_frame)
        self.content.slide_changed.connect(self.played.shown)
        self.desk.synced.connect(self._on_synced)
        self.desk.frame_passed.connect(self._after_frame)
        self.state.result.connect(self.acks.durable)
        self.state.result.connect(self._on_saved)
        self.state.storage_changed.connect(self._on_storage)
        self.power.blanked.connect(self._on_blanked)
        self.bridge.alertSlideShown.connect(self._on_slide)
        self.bridge.alertsListed.connect(self._on_listed)
        self.acks.acked.connect(self.acked)
        self.reporter.text.connect(self.status_text)
        self.desk.sent.connect(self.clock.saw_sent)
        self.clock.problems_changed.connect(self._on_clock)
        self._show_clock()

        # Restore, then rehearse every alert look under a cover — unless the restored state
        # has something to show: a stele that was in crisis is back in crisis at once.
        restored = self.state.load(self.book)
        if restored:
            log.info("restored %d persisted alert(s)", restored)
        self.clock.learn(self.book)  # before the first expiry: a clock behind hides nothing
        for entry in self.book.entries.values():
            self.acks.received(entry.alert.identifier, entry.received_ms, 0)  # already on disk
        self._warmup = WarmUp(
            self.view, self.bridge, rehearsal_screens(clock()), self._warmed_up, self.view
        )
        self.desk.start()  # a restored alert or all-clear ends the rehearsal before it starts
        self.power.update(self.desk.screen.mode in (Mode.CRISIS, Mode.BANNER))
        self.reporter.display_on = self.power.on
        if self._warmup is not None:
            self._warmup.start()
        # What startup made (~350k objects: modules, classes, schemas, the QML bridge) lives
        # as long as the process: out of the cyclic collector's way from now on. Otherwise a
        # full collection walks it all (30-70 ms, here during the first frames; later it
        # could land on an alert's way to the glass). Cyclic garbage left from startup stays.
        gc.freeze()

    @property
    def screen(self) -> ScreenModel:
        return self.desk.screen

    def status(self) -> dict[str, object]:
        return self.reporter.status()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        self.bridge.set_connected(False, None)
        self.reporter.free_disk_mb = self.state.free_disk_mb
        self.reporter.content_problems = self.content.problems  # e.g. an unusable cache
        self.reporter.publish()  # remembered by the link and sent on every (re)connect
        self.mqtt.start()
        self.clock.start()
        self.content.start()
        if self.osca is not None:
            self.osca.start()
        self.played.start()

    def stop(self) -> None:
        """Clean shutdown in reverse order: offline status, state flushed. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        self.played.stop()
        if self.osca is not None:
            self.osca.stop()
        self.content.stop()
        self._content_gate.disconnect_window()
        self.mqtt.stop()
        self.desk.stop()
        self.commands.stop()
        self.state.close(self.book)
        self.clock.close()
        self.power.close()

    def dispose(self) -> None:
        """Delete the QML engine before the objects it was given (the bridge)."""
        Shiboken.delete(self.view)
        del self.view

    # -- wiring ----------------------------------------------------------------------------

    def _on_screen(self, screen: ScreenModel) -> None:
        self.reporter.set_screen(screen)
        self.power.update(screen.mode in (Mode.CRISIS, Mode.BANNER))
        self.reporter.display_on = self.power.on
        if self._warmup is not None:
            if screen.alerts or screen.all_clear:
                self._warmup.abort()  # a real alert pre-empts the rehearsal at once
        else:
            self._show(screen)
        # The status goes out after the frame that shows the change: its JSON and the
        # publish stay off the path from the message to the glass.
        self._status_due = True

    def _show(self, screen: ScreenModel) -> None:
        """Hand `screen` to QML and arm the proof of presentation for what it shows."""
        self._shown = screen
        self.bridge.apply(screen)
        self.screen_applied.emit(screen)
        self._update_acks()

    def _update_acks(self) -> None:
        if self._shown is not None:
            self.acks.show(
                Visibility(self._shown, self._slide, self._listed, covered=self._blanked)
            )

    def _warmed_up(self) -> None:
        self._warmup = None
        if not self._stopped:
            self._show(self.desk.screen)

    def _on_slide(self, identifier: str) -> None:
        self._slide = identifier
        self._update_acks()

    def _on_listed(self, identifiers: list[str]) -> None:
        self._listed = frozenset(identifiers)
        self._update_acks()

    def _on_blanked(self, blanked: bool) -> None:
        self._blanked = blanked
        self.bridge.set_blanked(blanked)
        self._update_acks()

    def _after_frame(self) -> None:
        if self._status_due and not self._stopped:
            self._status_due = False
            self.reporter.publish()

    def _on_synced(self) -> None:
        self.reporter.last_sync = self.clock()

    def _on_connection(self, connected: bool) -> None:
        if connected:
            self.reporter.last_sync = self.clock()
        log.info("broker %s", "connected" if connected else "unreachable")
        self.bridge.set_connected(connected, self.reporter.last_sync)
        self.reporter.publish()

    def _on_security(self, problems: list[str]) -> None:
        self.reporter.security_problems = list(problems)
        self.reporter.publish()

    def _on_storage(self) -> None:
        self.reporter.storage_ok = self.state.ok
        self.reporter.free_disk_mb = self.state.free_disk_mb
        self.reporter.publish()

    def _on_saved(self) -> None:
        self.reporter.free_disk_mb = self.state.free_disk_mb  # published with the next status

    def _on_clock(self) -> None:
        self._show_clock()
        self._publish_after_frame()

    def _show_clock(self) -> None:
        """What is known about the clock, into the status and onto the glass."""
        self.reporter.clock_problems = self.clock.problems
        self.bridge.set_time_known(not self.clock.behind)

    def _on_content(self) -> None:
        c, r = self.content, self.reporter
        r.content, r.slide, r.content_synced, r.content_problems = (
            c.version,
            c.slide,
            c.synced,
            c.problems + (self.osca.problems if self.osca is not None else []),
        )
        self._publish_after_frame()

    def _publish_after_frame(self) -> None:
        """The status goes out after the next frame, off the alert path (a takeover hides
        the slide: a content or clock status must not delay the takeover's frame)."""
        if self._stopped:
            return
        self._status_due = True
        if not self._content_gate.waiting:
            self._content_gate.close_until_frame()

    def _on_display_command(self) -> None:
        self.reporter.display_on = self.power.on
        self.reporter.publish()
