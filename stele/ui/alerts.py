"""Alert handling on the GUI thread: batches from the inbox into the book, the book onto
the glass — at most once per presented frame — and the book to the state writer.

The composition of the screen is the domain's (`build_screen`); this part decides only
*when* to rebuild: after every batch, at the book's next deadline (expiry, onset) and at
least every `recheck_s`, never twice before a frame showed the previous result.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtQuick import QQuickWindow

from stele.adapters.mqtt import Incoming
from stele.adapters.payloads import PayloadError, decode_index
from stele.domain.book import AlertBook, Origin
from stele.domain.presentation import EMPTY_SCREEN, ScreenModel
from stele.domain.screen import build_screen
from stele.ui.inbox import Inbox, Parsed

log = logging.getLogger("stele.kiosk")
Clock = Callable[[], datetime]
# If no frame follows a rebuild (window hidden, GPU stalled), rebuild anyway after this.
FRAME_WAIT_MS = 100


class FrameGate(QObject):
    """Tells the GUI thread when the next frame was presented (frameSwapped may come from
    the render thread); falls back to a timer so a missing frame never stalls the book."""

    passed = Signal()
    _swapped = Signal()

    def __init__(self, window: QQuickWindow, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window = window
        self.waiting = False
        window.frameSwapped.connect(self._on_swap, Qt.ConnectionType.DirectConnection)
        self._swapped.connect(self._open, Qt.ConnectionType.QueuedConnection)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._open)

    def close_until_frame(self) -> None:
        self.waiting = True
        self._timer.start(FRAME_WAIT_MS)
        self._window.update()

    def disconnect_window(self) -> None:
        self._window.frameSwapped.disconnect(self._on_swap)
        self._timer.stop()

    def _on_swap(self) -> None:  # render thread or GUI thread
        if self.waiting:
            self._swapped.emit()

    def _open(self) -> None:
        if self.waiting:
            self.waiting = False
            self._timer.stop()
            self.passed.emit()


class AlertDesk(QObject):
    """Owns the alert book; publishes every new screen through `screen_changed`."""

    screen_changed = Signal(object)  # ScreenModel, after it was composed (maybe not shown yet)
    book_changed = Signal()  # the book's revision moved: time to save
    received = Signal(str, object, int)  # identifier, received_ms, book revision
    command = Signal(object)  # Incoming on the command topic
    content = Signal(object)  # Incoming on PREFIX/content/<ARS12>: a new manifest version
    synced = Signal()  # any message from the broker arrived
    frame_passed = Signal()  # the frame showing the last rebuild was presented (or timed out)
    sent = Signal(object)  # the newest `sent` of a batch's messages: evidence about the clock

    def __init__(
        self,
        book: AlertBook,
        inbox: Inbox,
        window: QQuickWindow,
        *,
        clock: Clock,
        recheck_s: float,
        listed_max: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.book = book
        self._inbox = inbox
        self._clock = clock
        self._recheck_ms = int(recheck_s * 1000)
        self._listed_max = listed_max
        self.screen: ScreenModel = EMPTY_SCREEN
        self._stopped = False
        self._pending = False  # a rebuild is due once the gate opens
        self._gate = FrameGate(window, self)
        self._gate.passed.connect(self._after_frame)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # Expiry is due at an exact instant; a coarse timer may fire up to 5 % early or late.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        inbox.ready.connect(self._drain)

    def start(self) -> None:
        self.book.expire(self._clock())
        self.refresh()

    def stop(self) -> None:
        self._stopped = True  # messages still queued for the GUI thread are dropped
        self._timer.stop()
        self._gate.disconnect_window()

    # -- messages --------------------------------------------------------------------------

    def _drain(self) -> None:
        if self._stopped:
            return
        batch = self._inbox.drain()
        if not batch:
            return
        revision = self.book.revision
        now = self._clock()
        for parsed in batch:
            self._apply(parsed, now)
        self.synced.emit()
        if self.book.revision != revision:
            self.request_refresh()
        sent = [p.alert.sent for p in batch if p.alert is not None]
        if sent:
            self.sent.emit(max(sent))  # after the rebuild: the screen comes first

    def _apply(self, parsed: Parsed, now: datetime) -> None:
        msg = parsed.incoming
        if msg.kind == "alert":
            self._apply_alert(parsed, now)
        elif msg.kind == "index":
            self._apply_index(msg, now)
        elif msg.kind == "cmd":
            self.command.emit(msg)
        else:
            self.content.emit(msg)

    def _apply_alert(self, parsed: Parsed, now: datetime) -> None:
        msg = parsed.incoming
        extra = {"topic": msg.topic}
        if parsed.error:
            log.warning("rejected alert on %s: %s", msg.topic, parsed.error, extra=extra)
            return
        origin = Origin(msg.scope, msg.scope_id, msg.key)
        alert = parsed.alert
        if alert is None:
            removed = self.book.clear_incident(origin, now)
            log.info(
                "incident %s ended by the server; removed %s", msg.key, list(removed), extra=extra
            )
            return
        change = self.book.receive(
            alert, now, origin=origin, addressed=True, received_ms=msg.received_ms
        )
        entry = self.book.entries.get(alert.key)
        if entry is not None and entry.alert is alert:
            self.received.emit(alert.identifier, msg.received_ms, self.book.revision)
        elsewhere = entry is not None and not entry.applies
        # What the glass shows is logged by the ack ("on the glass as ..."), not here.
        log.info(
            "%s %s: %s%s %s",
            alert.msg_type.value,
            alert.identifier,
            change.outcome.value,
            " (not for this stele's place: kept, not shown)" if elsewhere else "",
            change.reason,
            extra={"alert": alert.identifier, "topic": msg.topic},
        )

    def _apply_index(self, msg: Incoming, now: datetime) -> None:
        try:
            keys = decode_index(msg.payload)
        except PayloadError as exc:
            log.warning("ignoring bad index on %s: %s", msg.topic, exc, extra={"topic": msg.topic})
            return
        removed = self.book.reconcile_index(msg.scope, msg.scope_id, keys, now)
        if removed:
            log.info("index %s dropped %s", msg.topic, list(removed), extra={"topic": msg.topic})

    # -- the screen ------------------------------------------------------------------------

    def request_refresh(self) -> None:
        """Rebuild now, or right after the frame that shows the previous rebuild."""
        if self._gate.waiting:
            self._pending = True
        else:
            self.refresh()

    def _after_frame(self) -> None:
        self.frame_passed.emit()
        if self._pending and not self._stopped:
            self._pending = False
            self.refresh()

    def refresh(self) -> None:
        """Rebuild the screen from the book; announce it only if it changed."""
        now = self._clock()
        screen = build_screen(self.book, now, listed_max=self._listed_max)
        if screen != self.screen:
            self.screen = screen
            self._gate.close_until_frame()
            self.screen_changed.emit(screen)
        self.book_changed.emit()
        self._schedule_tick()

    def _schedule_tick(self) -> None:
        now = self._clock()
        deadline = self.book.next_deadline(now)
        delay = self._recheck_ms
        if deadline is not None:
            delay = max(0, min(delay, int((deadline - now).total_seconds() * 1000) + 1))
        self._timer.start(delay)

    def _tick(self) -> None:
        self.book.expire(self._clock())
        self.request_refresh()
