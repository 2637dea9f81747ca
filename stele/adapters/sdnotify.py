"""sd_notify(3) for stele: READY, WATCHDOG, STATUS and STOPPING to systemd.

Uses systemd-python's `systemd.daemon.notify` where it is installed (the device image ships
python3-systemd) and otherwise speaks the datagram protocol itself, which is one `sendto`.
Without $NOTIFY_SOCKET (a laptop, a test) every call is a silent no-op.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)

NotifyFn = Callable[[str], object]


def _systemd_python_notify() -> NotifyFn | None:
    try:
        from systemd import daemon  # type: ignore[import-not-found, attr-defined, unused-ignore]
    except ImportError:
        return None
    return daemon.notify  # type: ignore[no-any-return, unused-ignore]


class Notifier:
    """Sends service state to systemd; never raises on a failed send (logs the first one)."""

    def __init__(
        self, env: Mapping[str, str] | None = None, *, prefer_systemd_python: bool = True
    ) -> None:
        self._env = dict(os.environ if env is None else env)
        self._address = self._socket_address(self._env.get("NOTIFY_SOCKET", ""))
        # systemd-python reads os.environ itself, so it is only used for the real environment.
        lib = _systemd_python_notify() if prefer_systemd_python and env is None else None
        self._lib_notify: NotifyFn | None = lib if self._address is not None else None
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._failed_before = False

    @staticmethod
    def _socket_address(value: str) -> str | None:
        if not value:
            return None
        # Abstract-namespace sockets are written with a leading '@' and sent with a NUL.
        return "\0" + value[1:] if value.startswith("@") else value

    @property
    def enabled(self) -> bool:
        return self._address is not None

    @property
    def backend(self) -> str:
        """ "systemd-python", "socket" or "none" (for the startup log line)."""
        if self._address is None:
            return "none"
        return "systemd-python" if self._lib_notify is not None else "socket"

    def ready(self) -> None:
        self.notify("READY=1")

    def watchdog(self) -> None:
        self.notify("WATCHDOG=1")

    def status(self, text: str) -> None:
        # One line per STATUS=; systemctl shows it verbatim.
        self.notify("STATUS=" + " ".join(text.split()))

    def stopping(self) -> None:
        self.notify("STOPPING=1")

    def watchdog_interval_s(self) -> float | None:
        """Half of WATCHDOG_USEC, or None when systemd expects no pings from this process."""
        raw = self._env.get("WATCHDOG_USEC", "")
        pid = self._env.get("WATCHDOG_PID", "")
        if pid and pid != str(os.getpid()):
            return None
        try:
            usec = int(raw)
        except ValueError:
            return None
        return usec / 2 / 1_000_000 if usec > 0 else None

    def notify(self, state: str) -> None:
        """Send one raw sd_notify state string such as "READY=1"."""
        if self._address is None:
            return
        try:
            if self._lib_notify is not None:
                if not self._lib_notify(state):
                    raise OSError("systemd.daemon.notify returned False")
            else:
                self._send(state.encode())
        except (OSError, ValueError) as exc:
            self._report_failure(state, exc)

    def _send(self, payload: bytes) -> None:
        if self._address is None:
            return
        with self._lock:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                # A stalled receiver must never block the GUI thread: fail with EAGAIN instead.
                self._sock.setblocking(False)
            self._sock.sendto(payload, self._address)

    def _report_failure(self, state: str, exc: Exception) -> None:
        if self._failed_before:
            log.debug("sd_notify %s failed again: %s", state, exc)
            return
        self._failed_before = True
        log.warning("sd_notify %s failed (further failures logged at debug): %s", state, exc)

    def close(self) -> None:
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None
