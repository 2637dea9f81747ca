"""A broken configuration shows its errors on the glass and keeps the service up."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stele.ui.view import create_config_error_view
from tests.ui.kiosk_helpers import visible_texts

ROOT = Path(__file__).resolve().parents[2]
LINE = '/boot/firmware/stele.toml: device.ars = "05122" — expected 12 digits'


@pytest.mark.usefixtures("qapp")
def test_error_lines_are_drawn(qtbot) -> None:
    view = create_config_error_view([LINE], host_name="stele-test", fullscreen=False)
    try:
        qtbot.waitExposed(view)
        texts = visible_texts(view)
        assert LINE in texts
        assert any("Konfigurationsfehler" in t for t in texts)
        assert "stele-test" in texts
    finally:
        view.close()
        del view


def test_run_with_a_bad_config_stays_up_and_reports_to_systemd(tmp_path: Path) -> None:
    bad = tmp_path / "stele.toml"
    bad.write_text('[device]\nid = "x"\nars = "05122"\nlatitude = 51.0\nlongitude = 7.0\n')
    sock_path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(sock_path))
    sock.settimeout(0.2)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NOTIFY_SOCKET": str(sock_path),
           "WATCHDOG_USEC": "400000"}
    proc = subprocess.Popen([sys.executable, "-m", "stele.cli", "run", "--config", str(bad)],
                            env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    states: list[str] = []
    try:
        end = time.monotonic() + 5
        while time.monotonic() < end:
            try:
                states.append(sock.recv(4096).decode())
            except TimeoutError:
                continue
        assert proc.poll() is None  # still up: no restart loop, no reboot
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(5) == 0
    finally:
        proc.kill()
        sock.close()
    assert "READY=1" in states
    assert any(s.startswith("STATUS=configuration error") and "device.ars" in s for s in states)
    assert states.count("WATCHDOG=1") >= 5
    assert "device.ars" in (proc.stderr.read() if proc.stderr else "")
