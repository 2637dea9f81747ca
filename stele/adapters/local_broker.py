"""A private Mosquitto broker on a free 127.0.0.1 port: for `stele demo` and the tests.

Persistence is on and the data directory lives as long as the object, so
retained messages and persistent sessions survive `restart()` (same port).
The system broker on :1883 is never touched.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from stele.errors import SteleError

MOSQUITTO_DEFAULT = "/usr/sbin/mosquitto"


class MosquittoMissing(SteleError):
    """The mosquitto binary is not installed."""


def find_mosquitto() -> str:
    """The broker binary, or MosquittoMissing with how to install it (tests fail, never skip)."""
    if os.access(MOSQUITTO_DEFAULT, os.X_OK):
        return MOSQUITTO_DEFAULT
    found = shutil.which("mosquitto")
    if found:
        return found
    raise MosquittoMissing(
        "mosquitto not found (looked at /usr/sbin/mosquitto and $PATH); "
        "install it (Debian: apt install mosquitto mosquitto-clients) to run the MQTT tests"
    )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def wait_for_port(host: str, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.02)
    return False


class MosquittoBroker:
    """Start/stop/restart/kill a private broker.

    `extra_config` lines are appended to the generated config (after the
    listener), e.g. ["password_file /x", "acl_file /y"]. `base_config` replaces the
    generated listener/persistence part with your own text, in which "@PORT@",
    "@HOST@" and "@DIR@" (the data directory) are filled in.
    """

    host = "127.0.0.1"

    def __init__(
        self,
        *,
        extra_config: list[str] | None = None,
        allow_anonymous: bool = True,
        workdir: Path | None = None,
        base_config: str | None = None,
    ) -> None:
        self.binary = find_mosquitto()
        self._own_tmp = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="stele-mosquitto-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port(self.host)
        self.config_path = self.workdir / "mosquitto.conf"
        self.log_path = self.workdir / "mosquitto.log"
        self._extra = list(extra_config or [])
        self._allow_anonymous = allow_anonymous
        self._base = base_config
        self._proc: subprocess.Popen[bytes] | None = None
        self._write_config()

    def _write_config(self) -> None:
        own = [
            f"listener {self.port} {self.host}",
            f"allow_anonymous {'true' if self._allow_anonymous else 'false'}",
            "persistence true",
            f"persistence_location {self.workdir}/",
            "persistence_file mosquitto.db",
            # Save only on shutdown (SIGTERM); kill() is meant to lose unsaved state.
            "autosave_interval 0",
        ]
        if self._base is not None:
            filled = self._base.replace("@PORT@", str(self.port)).replace("@HOST@", self.host)
            own = filled.replace("@DIR@", str(self.workdir)).splitlines()
        lines = [
            *own,
            f"log_dest file {self.log_path}",
            "log_type all",
            "connection_messages true",
            *self._extra,
        ]
        if os.geteuid() == 0:
            # As root Mosquitto drops to user "mosquitto", which cannot write our tmp dir.
            lines.insert(0, f"user {pwd.getpwuid(0).pw_name}")
        self.config_path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 10.0) -> None:
        if self.running:
            return
        self._proc = subprocess.Popen(
            [self.binary, "-c", str(self.config_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
                raise RuntimeError(
                    f"mosquitto exited with {self._proc.returncode} on port {self.port}: "
                    f"{err.strip()} / log: {self.log_tail()}"
                )
            if wait_for_port(self.host, self.port, 0.2):
                return
        self.kill()
        raise RuntimeError(f"mosquitto did not accept connections on {self.port} in {timeout}s")

    def stop(self, timeout: float = 10.0) -> None:
        """Graceful stop (SIGTERM): the broker writes its persistence file."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if proc.stderr:
            proc.stderr.close()

    def kill(self) -> None:
        """SIGKILL: no persistence written since the last save."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        if proc.stderr:
            proc.stderr.close()

    def restart(self, downtime: float = 0.0) -> None:
        """Graceful stop, optional pause, start again on the same port."""
        self.stop()
        if downtime:
            time.sleep(downtime)
        self.start()

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""

    def close(self) -> None:
        self.stop()
        if self._own_tmp:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> MosquittoBroker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
