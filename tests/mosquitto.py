"""A real Mosquitto broker per test, on a free 127.0.0.1 port.

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

MOSQUITTO_DEFAULT = "/usr/sbin/mosquitto"


def find_mosquitto() -> str:
    """The broker binary; a missing broker is a broken test environment, not a skip."""
    if os.access(MOSQUITTO_DEFAULT, os.X_OK):
        return MOSQUITTO_DEFAULT
    found = shutil.which("mosquitto")
    if found:
        return found
    raise RuntimeError(
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


# --- plain paho clients for observing and injecting (the "server side" in tests) ----------


class TopicRecorder:
    """A plain MQTT 5 subscriber that records (topic, payload, retain, content_type)."""

    def __init__(self, broker: MosquittoBroker, *topics: str, **auth: str) -> None:
        import threading

        import paho.mqtt.client as paho
        from paho.mqtt.enums import CallbackAPIVersion

        self.messages: list[tuple[str, bytes, bool, str | None]] = []
        self.expiry: list[int | None] = []  # MQTT 5 Message Expiry Interval, per message
        self._cond = threading.Condition()
        self._subscribed = threading.Event()
        self._client = paho.Client(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
        if auth:
            self._client.username_pw_set(auth["username"], auth.get("password"))

        def on_connect(c, u, f, rc, p):  # type: ignore[no-untyped-def]
            c.subscribe([(t, 1) for t in topics])

        def on_subscribe(c, u, mid, rcs, p):  # type: ignore[no-untyped-def]
            self.granted = rcs
            self._subscribed.set()

        def on_message(c, u, msg):  # type: ignore[no-untyped-def]
            ct = getattr(msg.properties, "ContentType", None) if msg.properties else None
            ttl = getattr(msg.properties, "MessageExpiryInterval", None) if msg.properties else None
            with self._cond:
                self.messages.append((msg.topic, bytes(msg.payload), bool(msg.retain), ct))
                self.expiry.append(ttl)
                self._cond.notify_all()

        self._client.on_connect = on_connect
        self._client.on_subscribe = on_subscribe
        self._client.on_message = on_message
        self._client.connect(broker.host, broker.port, keepalive=10)
        self._client.loop_start()
        if not self._subscribed.wait(5):
            raise RuntimeError("TopicRecorder: no SUBACK within 5 s")

    def wait_for(self, predicate, timeout: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
        """Wait until predicate(messages) is true."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self.messages), timeout)

    def payloads(self, topic: str) -> list[bytes]:
        with self._cond:
            return [p for t, p, _, _ in self.messages if t == topic]

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()


def publish_raw(
    broker: MosquittoBroker,
    topic: str,
    payload: bytes,
    *,
    retain: bool = False,
    content_type: str | None = None,
    **auth: str,
) -> None:
    """Publish one QoS 1 message and wait for the broker's PUBACK."""
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    client = paho.Client(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
    if auth:
        client.username_pw_set(auth["username"], auth.get("password"))
    client.connect(broker.host, broker.port, keepalive=10)
    client.loop_start()
    try:
        props = None
        if content_type:
            props = Properties(PacketTypes.PUBLISH)
            props.ContentType = content_type
        client.publish(topic, payload, qos=1, retain=retain, properties=props).wait_for_publish(5)
    finally:
        client.disconnect()
        client.loop_stop()
