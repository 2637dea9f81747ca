"""`stele run`: the kiosk. Wires the alert book, the MQTT link, the screen and systemd.

Threads: paho's network thread parses CAP payloads (pure Python, no Qt) and hands the
result to the GUI thread through a queued signal; everything else runs on the GUI thread.
The hot path — message in, book updated, bridge applied, frame presented, ack out — does
no disk or network I/O of its own: state is saved by a worker thread afterwards.
"""

from __future__ import annotations

import base64
import json
import logging
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, Qt, QTimer, QUrl, Signal
from PySide6.QtQuick import QQuickView
from shiboken6 import Shiboken

from stele import __version__
from stele.adapters.display import DisplayController, make_backend
from stele.adapters.mqtt import Incoming, SteleMqtt
from stele.adapters.state_store import StateStore
from stele.domain.book import AlertBook, Origin
from stele.domain.cap import parse_alert
from stele.domain.decide import Policy
from stele.domain.model import Alert
from stele.domain.presentation import EMPTY_SCREEN, Mode, ScreenModel
from stele.domain.screen import build_screen
from stele.domain.targeting import Place
from stele.errors import CapError
from stele.ui.bridge import ScreenBridge
from stele.ui.presented import PresentationTracker, Presented
from stele.ui.view import create_view
from stele.ui.warmup import WarmUp, rehearsal_screens

log = logging.getLogger("stele.kiosk")
Clock = Callable[[], datetime]
# Re-evaluate expiry at least this often even without a deadline (alerts.md: at most 5 s).
MAX_RECHECK_MS = 5_000
IDENTIFY_MS = 15_000


def _free_mb(directory: Path) -> int | None:
    """Free space where the state lives (None if that cannot be read): a full card is the
    most likely reason a stele would stop persisting alerts."""
    try:
        return shutil.disk_usage(directory).free // (1024 * 1024)
    except OSError:
        return None


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A message after the network thread's work: the alert, or why it was rejected."""

    incoming: Incoming
    alert: Alert | None = None
    error: str = ""


class Kiosk(QObject):
    """One stele: owns the book, the view and the MQTT link. Construct on the GUI thread."""

    _arrived = Signal(object)  # Parsed, emitted on paho's thread, delivered on the GUI thread
    _connection = Signal(bool)
    _blank = Signal(bool)  # from the display worker thread (black-scene backend)
    _storage_changed = Signal()  # from the state worker: the status must be republished
    screen_applied = Signal(object)  # ScreenModel, after it was handed to QML
    acked = Signal(object)  # Presented, after the ack was published
    status_text = Signal(str)  # a short human line for systemd's STATUS=

    def __init__(self, cfg: Any, *, clock: Clock = utc_now, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.cfg = cfg
        self._clock = clock
        dev = cfg.device
        self.book = AlertBook(
            place=Place(
                lat=dev.latitude, lon=dev.longitude, ars=dev.ars, warncells=frozenset(dev.warncells)
            ),
            policy=Policy(languages=tuple(dev.languages), layouts=dict(cfg.alerts.layout)),
            all_clear_for=timedelta(minutes=cfg.alerts.all_clear_minutes),
        )
        self.store = StateStore(cfg.storage.dir)
        self._saver = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stele-state")
        self._storage_ok = True
        self.screen: ScreenModel = EMPTY_SCREEN
        self._mode_since = clock()
        self._last_sync: datetime | None = None
        self._acked: set[str] = set()  # identifiers already proven on screen
        self._stopped = False
        self._saved_revision = -1  # the book's revision last handed to the state writer
        self._started = time.monotonic()
        self._free_disk_mb = _free_mb(self.store.path.parent)  # refreshed by the state writer

        width, height = cfg.display.size
        self.bridge = ScreenBridge(
            city=cfg.display.city,
            device_id=dev.id,
            timezone=dev.timezone,
            rotation_seconds=cfg.display.rotation_s,
            logo=QUrl.fromLocalFile(str(cfg.display.logo)).toString() if cfg.display.logo else "",
        )
        self._blank.connect(self.bridge.set_blanked, Qt.ConnectionType.QueuedConnection)
        self.display = DisplayController(
            make_backend(cfg.power, self._blank.emit),
            cfg.power.schedule,
            ZoneInfo(dev.timezone),
        )
        self._display_timer = QTimer(self)
        self._display_timer.setSingleShot(True)
        self._display_timer.timeout.connect(self._update_display)
        self._update_display()

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # Expiry is due at an exact instant; a coarse timer may fire up to 5 % early or late.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._identify_timer = QTimer(self)
        self._identify_timer.setSingleShot(True)
        self._identify_timer.timeout.connect(lambda: self.bridge.set_identify(False))

        self._arrived.connect(self._on_arrived, Qt.ConnectionType.QueuedConnection)
        self._connection.connect(self._on_connection, Qt.ConnectionType.QueuedConnection)
        self._storage_changed.connect(self._publish_status, Qt.ConnectionType.QueuedConnection)
        self.mqtt = SteleMqtt(
            cfg.mqtt,
            dev,
            version=__version__,
            on_message=self._on_network_message,
            on_connection=self._connection.emit,
        )

        self.view: QQuickView = create_view(
            self.bridge, width=width, height=height, fullscreen=cfg.display.fullscreen
        )
        self.tracker = PresentationTracker(self.view, self._presented, self)
        restored = self.store.load(self.book)
        self.book.expire(clock())
        if restored:
            log.info("restored %d persisted alert(s)", restored)
        # Rehearse every alert screen, hidden, then show the restored state: a stele that
        # was in crisis is back in crisis a few frames after start, without the network.
        self._warming = True
        self._refresh()
        # Parented to the view: it goes with the view, whatever state it is in.
        WarmUp(
            self.view, self.bridge, rehearsal_screens(clock()), self._warmed_up, self.view
        ).start()

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        self.bridge.set_connected(False, None)
        self._publish_status()  # remembered by the link and sent on every (re)connect
        self.mqtt.start()

    def stop(self) -> None:
        """Clean shutdown: offline status, state flushed. Safe to call twice."""
        self._stopped = True  # messages still queued for the GUI thread are dropped
        self._timer.stop()
        self._display_timer.stop()
        self.mqtt.stop()
        self._save_now()
        self._saver.shutdown(wait=True)
        self.display.close()

    def dispose(self) -> None:
        """Delete the QML engine before the objects it was given (the bridge)."""
        Shiboken.delete(self.view)
        del self.view

    # -- network thread --------------------------------------------------------------------

    def _on_network_message(self, msg: Incoming) -> None:
        """paho's thread: parse here so the GUI thread only applies the result."""
        if msg.kind == "alert" and msg.payload:
            try:
                alert = parse_alert(
                    msg.payload, msg.content_type, max_bytes=self.cfg.mqtt.max_payload_bytes
                )
            except CapError as exc:
                self._arrived.emit(Parsed(msg, error=str(exc)))
                return
            self._arrived.emit(Parsed(msg, alert=alert))
        else:
            self._arrived.emit(Parsed(msg))

    # -- GUI thread ------------------------------------------------------------------------

    def _on_arrived(self, parsed: Parsed) -> None:
        if self._stopped:
            return
        msg = parsed.incoming
        now = self._clock()
        self._last_sync = now
        if msg.kind == "alert":
            origin = Origin(msg.scope, msg.scope_id, msg.key)
            if parsed.error:
                log.warning(
                    "rejected alert on %s: %s", msg.topic, parsed.error, extra={"topic": msg.topic}
                )
                return
            if parsed.alert is None:
                removed = self.book.clear_incident(origin, now)
                log.info(
                    "incident %s ended by the server; removed %s",
                    msg.key,
                    list(removed),
                    extra={"topic": msg.topic},
                )
            else:
                alert = parsed.alert
                change = self.book.receive(
                    alert, now, origin=origin, addressed=True, received_ms=msg.received_ms
                )
                self._refresh()  # the screen first, the log line after it
                entry = self.book.entries.get(alert.key)
                elsewhere = entry is not None and not entry.applies
                log.info(
                    "%s %s: %s%s %s",
                    alert.msg_type.value,
                    alert.identifier,
                    change.outcome.value,
                    " (not for this stele's place: kept, not shown)" if elsewhere else "",
                    change.reason,
                    extra={"alert": alert.identifier, "topic": msg.topic},
                )
                return
            self._refresh()
        elif msg.kind == "index":
            self._on_index(msg, now)
        elif msg.kind == "cmd":
            self._on_command(msg)
        else:
            log.info("content announcement on %s (content sync is not built yet)", msg.topic)

    def _on_index(self, msg: Incoming, now: datetime) -> None:
        try:
            data = json.loads(msg.payload) if msg.payload else {"keys": []}
            keys = data["keys"]
            if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
                raise ValueError("'keys' is not a list of strings")
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring bad index on %s: %s", msg.topic, exc, extra={"topic": msg.topic})
            return
        removed = self.book.reconcile_index(msg.scope, msg.scope_id, keys, now)
        if removed:
            log.info("index %s dropped %s", msg.topic, list(removed), extra={"topic": msg.topic})
            self._refresh()

    def _on_connection(self, connected: bool) -> None:
        if connected:
            self._last_sync = self._clock()
        log.info("broker %s", "connected" if connected else "unreachable")
        self.bridge.set_connected(connected, self._last_sync)
        self._publish_status()

    def _refresh(self) -> None:
        """Rebuild the screen from the book; show it only if it changed."""
        now = self._clock()
        screen = build_screen(self.book, now)
        if screen != self.screen:
            if screen.mode != self.screen.mode:
                self._mode_since = now
            self.screen = screen
            if not self._warming:
                self._show(screen)
            self._update_display()
            self._publish_status()
        self._save_soon()
        self._schedule_tick()

    def _show(self, screen: ScreenModel) -> None:
        """Hand `screen` to QML and arm the proof of presentation for alerts new on it."""
        self.bridge.apply(screen)
        self.screen_applied.emit(screen)
        received = {e.alert.identifier: e.received_ms for e in self.book.entries.values()}
        for view in screen.alerts:
            if view.identifier not in self._acked:
                self.tracker.expect(
                    view.identifier, view.layout.value, received.get(view.identifier)
                )
        self._acked &= {v.identifier for v in screen.alerts}

    def _warmed_up(self) -> None:
        self._warming = False
        if not self._stopped:
            self._show(self.screen)

    def _presented(self, p: Presented) -> None:
        if p.identifier not in {v.identifier for v in self.screen.alerts}:
            return  # replaced before it reached the glass
        self._acked.add(p.identifier)
        ack = {
            "identifier": p.identifier,
            "received_ms": p.received_ms,
            "presented_ms": p.presented_ms,
            "layout": p.layout,
        }
        self.mqtt.publish_ack(ack)
        log.info("on screen: %s (%s)", p.identifier, p.layout, extra={"alert": p.identifier})
        self.acked.emit(p)

    def status(self) -> dict[str, Any]:
        problems = [] if self._storage_ok else ["storage: alerts cannot be saved"]
        mode = self.screen.mode.value
        # An alert on screen is what the server must see first; "degraded" only when the
        # stele shows its normal screen but cannot do its whole job.
        if problems and self.screen.mode is Mode.NORMAL:
            mode = "degraded"
        return {
            "state": "online",
            "version": __version__,
            "mode": mode,
            "problems": problems,
            "alerts": [v.identifier for v in self.screen.alerts],
            "since": self._mode_since.isoformat(),
            "display": "off" if self.display.desired and not self.display.desired[0] else "on",
            "uptime_s": int(time.monotonic() - self._started),
            "last_sync": self._last_sync.isoformat() if self._last_sync else None,
            "free_disk_mb": self._free_disk_mb,
        }

    def _publish_status(self) -> None:
        status = self.status()
        self.mqtt.publish_status(status)
        sync = self._last_sync.astimezone().strftime("%H:%M:%S") if self._last_sync else "never"
        link = "online" if self.mqtt.connected else "offline"
        self.status_text.emit(
            f"{status['mode']}, {len(status['alerts'])} alert(s), broker {link}, last sync {sync}",
        )

    # -- time ------------------------------------------------------------------------------

    def _schedule_tick(self) -> None:
        now = self._clock()
        deadline = self.book.next_deadline(now)
        delay = MAX_RECHECK_MS
        if deadline is not None:
            delay = max(0, min(delay, int((deadline - now).total_seconds() * 1000) + 1))
        self._timer.start(delay)

    def _tick(self) -> None:
        now = self._clock()
        if self.book.expire(now):
            self._save_soon()
        self._refresh()

    def _update_display(self) -> None:
        """A takeover or banner forces the display on; otherwise the schedule decides.
        Cheap: the backend (cec-ctl, ddcutil, ...) runs on the controller's own thread."""
        crisis = self.screen.mode in (Mode.CRISIS, Mode.BANNER)
        self._schedule_display(self.display.update(self._clock(), crisis))

    def _schedule_display(self, deadline: datetime | None) -> None:
        if deadline is None:
            self._display_timer.stop()
            return
        delay_s = (deadline - self._clock()).total_seconds()
        # At most a minute ahead: without an RTC, NTP may step the clock after boot.
        self._display_timer.start(max(0, min(int(delay_s * 1000) + 1, 60_000)))

    # -- persistence (off the hot path) ----------------------------------------------------

    def _save_soon(self) -> None:
        if self.book.revision == self._saved_revision:
            return  # nothing new: do not wear the SD card
        self._saved_revision = self.book.revision
        # Only a shallow copy here; serialising (base64 of every payload) and the fsync'd
        # write happen on the worker, so the alert's first frame never waits for them.
        self._saver.submit(self._write_state, self.book.snapshot())

    def _write_state(self, book: AlertBook) -> None:  # worker thread
        ok = self.store.save(book)
        self._free_disk_mb = _free_mb(self.store.path.parent)  # off the hot path, like the save
        if ok != self._storage_ok:
            self._storage_ok = ok
            self._storage_changed.emit()

    def _save_now(self) -> None:
        self.store.save(self.book)

    # -- commands --------------------------------------------------------------------------

    def _on_command(self, msg: Incoming) -> None:
        try:
            cmd = json.loads(msg.payload)
            name = cmd["command"]
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("ignoring bad command on %s: %s", msg.topic, exc)
            return
        result: dict[str, Any] = {"command": name, "ok": True}
        if name == "identify":
            self.bridge.set_identify(True)
            self._identify_timer.start(IDENTIFY_MS)
        elif name == "screenshot":
            result["png_base64"] = self.screenshot_png_base64()
        elif name == "display":
            on = cmd.get("on")
            if not isinstance(on, bool):
                result = {"command": name, "ok": False, "error": "'on' must be true or false"}
            else:
                self._schedule_display(self.display.command(on, self._clock()))
                self._publish_status()
        else:
            result = {"command": name, "ok": False, "error": "unknown or not supported yet"}
        if "id" in cmd:
            result["id"] = cmd["id"]
        self.mqtt.publish_result(result)

    def screenshot_png_base64(self) -> str:
        image = self.view.grabWindow()
        data = QByteArray()
        buf = QBuffer(data)
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buf, "PNG")
        return base64.b64encode(bytes(data.data())).decode("ascii")
