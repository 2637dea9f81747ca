"""`stele check` against real things: a writable or blocked directory, a live or dead broker,
a broker that refuses the stele's password."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from stele.adapters.preflight import check_broker, check_storage
from stele.config import DeviceConfig, MqttConfig
from tests.mosquitto import MosquittoBroker, free_port

DEVICE = DeviceConfig(id="sg-hbf-01", ars="051220000000", latitude=51.16, longitude=7.07)


def test_storage_writable_and_blocked(tmp_path: Path) -> None:
    assert check_storage(tmp_path / "state").ok
    blocker = tmp_path / "file"
    blocker.write_text("x")
    check = check_storage(blocker)
    assert not check.ok and str(blocker) in check.detail and check.line().startswith("FAIL")


def test_broker_accepts_or_is_unreachable(broker) -> None:
    ok = check_broker(MqttConfig(host="127.0.0.1", port=broker.port), DEVICE)
    assert ok.ok and "8 subscriptions granted" in ok.detail
    dead = check_broker(MqttConfig(host="127.0.0.1", port=free_port()), DEVICE, timeout_s=2)
    assert not dead.ok and "cannot connect" in dead.detail


def test_broker_refusing_the_password_is_reported(tmp_path: Path) -> None:
    pw = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(pw), "sg-hbf-01", "right"], check=True)
    with MosquittoBroker(workdir=tmp_path / "b", allow_anonymous=False,
                         extra_config=[f"password_file {pw}"]) as b:
        wrong = MqttConfig(host="127.0.0.1", port=b.port, username="sg-hbf-01", password="wrong")
        check = check_broker(wrong, DEVICE)
        assert not check.ok and "refused" in check.detail
        right = MqttConfig(host="127.0.0.1", port=b.port, username="sg-hbf-01", password="right")
        assert check_broker(right, DEVICE).ok


def test_stele_check_command(broker, tmp_path: Path) -> None:
    cfg = tmp_path / "stele.toml"
    cfg.write_text(f'[device]\nid = "sg-hbf-01"\nars = "051220000000"\nlatitude = 51.16\n'
                   f'longitude = 7.07\n[mqtt]\nhost = "127.0.0.1"\nport = {broker.port}\n'
                   f'[storage]\ndir = "{tmp_path / "state"}"\n')
    proc = subprocess.run([sys.executable, "-m", "stele.cli", "check", "--config", str(cfg)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["OK", "configuration:"],
        ["OK", "theme:"],
        ["OK", "storage:"],
        ["OK", "broker:"],
        ["OK", "layouts:"],
    ]
    broker.stop()
    proc = subprocess.run([sys.executable, "-m", "stele.cli", "check", "--config", str(cfg)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert any(line.startswith("FAIL broker") for line in proc.stdout.splitlines())
