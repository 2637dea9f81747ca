"""SIGTERM/SIGINT -> a callback on the Qt GUI thread.

Python runs signal handlers only when the interpreter gets control, which it does not while
Qt sits in its C++ event loop. The C-level handler therefore writes the signal number to a
socket (signal.set_wakeup_fd); a QSocketNotifier on the other end wakes the loop, and the
callback runs as an ordinary slot on the GUI thread.
"""

from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Callable
from types import FrameType

from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier

log = logging.getLogger(__name__)

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class SignalWaker(QObject):
    """Keeps the socket pair and notifier alive; uninstall() restores the previous handlers."""

    def __init__(self, on_term: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_term = on_term
        self._fired = False
        self._rsock, self._wsock = socket.socketpair()
        self._rsock.setblocking(False)
        self._wsock.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._wsock.fileno(), warn_on_full_buffer=False)
        # A Python-level handler is still needed so the default action (die) is not taken.
        self._previous = {sig: signal.signal(sig, self._python_handler) for sig in SIGNALS}
        self._notifier = QSocketNotifier(self._rsock.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)

    @staticmethod
    def _python_handler(signum: int, frame: FrameType | None) -> None:
        pass  # the work happens in _drain, on the GUI thread

    def _drain(self) -> None:
        try:
            data = self._rsock.recv(64)
        except BlockingIOError:
            return
        received = [signal.Signals(b).name for b in data if b in {int(s) for s in SIGNALS}]
        if not received:
            return
        if self._fired:
            log.info("%s again: already stopping", received[-1])
            return
        self._fired = True
        log.info("%s: stopping", received[0])
        self._on_term()

    def uninstall(self) -> None:
        self._notifier.setEnabled(False)
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(self._previous_fd)
        self._rsock.close()
        self._wsock.close()


_installed: SignalWaker | None = None


def install_sigterm_handler(on_term: Callable[[], None]) -> SignalWaker:
    """Call `on_term` once, on the GUI thread, at the first SIGTERM or SIGINT.

    Needs a Q(Core/Gui)Application and must be called from the main thread. The returned
    object is also kept here, so callers may ignore it; installing again replaces it.
    """
    global _installed
    if _installed is not None:
        _installed.uninstall()
        _installed.deleteLater()
    _installed = SignalWaker(on_term, QCoreApplication.instance())
    return _installed
