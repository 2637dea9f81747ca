"""The broker helper itself: retained messages survive restart() on the same port; kill() stops."""

from __future__ import annotations

import shutil
import subprocess

from tests.mosquitto import MosquittoBroker, wait_for_port


def _cli(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} missing (package mosquitto-clients)"
    return path


def test_retained_message_survives_restart_on_same_port(broker: MosquittoBroker) -> None:
    port = broker.port
    pub = [_cli("mosquitto_pub"), "-h", broker.host, "-p", str(port)]
    subprocess.run([*pub, "-t", "fixture/a", "-m", "kept", "-r", "-q", "1"], check=True)
    broker.restart()
    assert broker.port == port
    out = subprocess.run(
        [_cli("mosquitto_sub"), "-h", broker.host, "-p", str(port), "-t", "fixture/a",
         "-C", "1", "-W", "5"],
        capture_output=True, text=True, check=False,
    )
    assert out.stdout.strip() == "kept", broker.log_tail()


def test_kill_closes_port_and_start_reopens_it(broker: MosquittoBroker) -> None:
    broker.kill()
    assert not broker.running
    assert not wait_for_port(broker.host, broker.port, 0.3)
    broker.start()
    assert broker.running
    assert wait_for_port(broker.host, broker.port, 1.0)
