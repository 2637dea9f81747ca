"""`stele run` as a real process: Last Will on SIGKILL, clean offline on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.mosquitto import TopicRecorder
from tests.ui.kiosk_helpers import DEVICE, PREFIX

ROOT = Path(__file__).resolve().parents[2]


def write_config(tmp: Path, port: int) -> Path:
    cfg = tmp / "stele.toml"
    cfg.write_text(
        f'[device]\nid = "{DEVICE}"\nars = "051220000000"\nlatitude = 51.16\nlongitude = 7.07\n'
        f'[mqtt]\nhost = "127.0.0.1"\nport = {port}\nkeepalive_s = 2\n'
        f'[storage]\ndir = "{tmp}/state"\n[display]\nfullscreen = false\n'
    )
    return cfg


def watch_status(broker) -> TopicRecorder:
    return TopicRecorder(broker, f"{PREFIX}/device/{DEVICE}/status")


def wait_for_state(watcher: TopicRecorder, state: str, timeout: float) -> None:
    """Until the newest status says `state` (the Last Will or the stele's own)."""

    def newest_is(messages: list) -> bool:
        return bool(messages) and bool(messages[-1][1]) and json.loads(messages[-1][1]).get("state") == state

    assert watcher.wait_for(newest_is, timeout), f"status never became {state!r}: {watcher.messages[-3:]}"


def start_stele(cfg: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("NOTIFY_SOCKET", None)
    return subprocess.Popen([sys.executable, "-m", "stele.cli", "run", "--config", str(cfg)],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_sigkill_makes_the_broker_publish_the_last_will(broker, tmp_path: Path) -> None:
    watcher = watch_status(broker)
    proc = start_stele(write_config(tmp_path, broker.port))
    try:
        wait_for_state(watcher, "online", 20)
        proc.send_signal(signal.SIGKILL)
        proc.wait(5)
        # The broker notices the dead client after 1.5 x keepalive (2 s) and sends the will.
        wait_for_state(watcher, "offline", 10)
    finally:
        proc.kill()
        watcher.close()


def test_sigterm_publishes_offline_and_exits_0_within_5_s(broker, tmp_path: Path) -> None:
    watcher = watch_status(broker)
    proc = start_stele(write_config(tmp_path, broker.port))
    try:
        wait_for_state(watcher, "online", 20)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(5)
        assert time.monotonic() - t0 < 5
        assert code == 0, proc.stderr.read().decode() if proc.stderr else ""
        wait_for_state(watcher, "offline", 2)
        assert (tmp_path / "state" / "alerts.d" / "meta.json").exists()  # state flushed on the way out
    finally:
        proc.kill()
        watcher.close()


def test_systemd_notify_protocol_of_the_real_kiosk(broker, tmp_path: Path) -> None:
    """READY after the first frame, STATUS lines, WATCHDOG pings at half WATCHDOG_USEC,
    STOPPING on SIGTERM — read from a fake NOTIFY_SOCKET (no systemd as PID 1 here)."""
    import socket

    sock_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(sock_path))
    sock.settimeout(0.2)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NOTIFY_SOCKET": str(sock_path),
           "WATCHDOG_USEC": "400000"}
    proc = subprocess.Popen([sys.executable, "-m", "stele.cli", "run", "--config",
                             str(write_config(tmp_path, broker.port))],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    received: list[tuple[float, str]] = []

    def collect(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                received.append((time.monotonic(), sock.recv(4096).decode()))
            except TimeoutError:
                continue

    try:
        collect(6.0)
        proc.send_signal(signal.SIGTERM)
        collect(2.0)
        assert proc.wait(5) == 0
    finally:
        proc.kill()
        sock.close()
    states = [s for _, s in received]
    assert "READY=1" in states
    assert any(s.startswith("STATUS=") and "alert" in s for s in states)
    ready_at = next(t for t, s in received if s == "READY=1")
    pings = [t for t, s in received if s == "WATCHDOG=1" and t > ready_at]
    assert len(pings) >= 10  # every 0.2 s for several seconds
    assert states[-1] == "STOPPING=1" or "STOPPING=1" in states


def test_an_acked_alert_survives_a_kill_at_the_moment_of_its_ack(broker, tmp_path: Path) -> None:
    """Power cut right after the ack: the restarted stele must have the alert, offline."""
    from stele.adapters.state_store import StateStore
    from stele.domain.book import AlertBook
    from tests.capgen import CapSpec, InfoSpec, cap_xml

    cfg = write_config(tmp_path, broker.port)
    acks = TopicRecorder(broker, f"{PREFIX}/device/{DEVICE}/#")
    central = TopicRecorder(broker, f"{PREFIX}/nothing")
    big = "Bitte verlassen Sie das Ufer. " * 12_000  # ~360 KB: a long write, a short frame
    proc = start_stele(cfg)
    try:
        wait_for_state(acks, "online", 20)
        for i in range(3):
            payload = cap_xml(CapSpec(identifier=f"CUT-{i}", infos=[InfoSpec(severity="Extreme", description=big)]))
            central.publish(f"{PREFIX}/alerts/all/cut{i}", payload, retain=False)
        # SIGKILL the moment the first ack is on the broker: nothing after it may be needed.
        assert acks.wait_for(lambda m: any(t.endswith("/ack") for t, *_ in m), 20)
        proc.send_signal(signal.SIGKILL)
        proc.wait(5)
        acked = {json.loads(p)["identifier"] for t, p, *_ in acks.messages if t.endswith("/ack")}
    finally:
        proc.kill()
        acks.close()
        central.close()
    book = AlertBook(place=None)
    StateStore(tmp_path / "state").load(book)  # what the next boot restores, broker or not
    assert acked and acked <= {e.alert.identifier for e in book.entries.values()}
