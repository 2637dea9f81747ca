"""The broker helpers themselves, on every broker: retained messages survive restart() on
the same port; kill() closes the port and start() reopens it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.brokers import TestBroker
from tests.mosquitto import TopicRecorder, free_port, publish_raw, wait_for_port

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.all_brokers


def test_retained_message_survives_restart_on_same_port(broker: TestBroker) -> None:
    port = broker.port
    publish_raw(broker, "fixture/a", b"kept", retain=True)
    broker.restart()
    assert broker.port == port
    rec = TopicRecorder(broker, "fixture/a")  # an exact filter: RabbitMQ too delivers retained
    try:
        assert rec.wait_for(lambda m: len(m) == 1), broker.log_tail()
        assert rec.messages[0][1:3] == (b"kept", True)
    finally:
        rec.close()


def test_kill_closes_port_and_start_reopens_it(broker: TestBroker) -> None:
    broker.kill()
    assert not broker.running
    assert not wait_for_port(broker.host, broker.port, 0.3)
    broker.start()
    assert broker.running
    assert wait_for_port(broker.host, broker.port, 1.0)


@pytest.mark.parametrize("required", [False, True])
def test_a_missing_broker_is_skipped_with_its_reason_or_fails_in_ci(required: bool) -> None:
    env = os.environ | {"STELE_RABBITMQ_MQTT": f"127.0.0.1:{free_port()}",
                        "STELE_REQUIRE_BROKERS": "1" if required else "0"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rsf", "-p", "no:cacheprovider",
         f"{Path(__file__).relative_to(REPO)}::test_kill_closes_port_and_start_reopens_it[rabbitmq]"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert "no RabbitMQ MQTT listener on 127.0.0.1:" in run.stdout, run.stdout
    if required:
        assert run.returncode == 1 and "1 error" in run.stdout  # in the fixture
        assert "STELE_REQUIRE_BROKERS=1: no broker may be skipped" in run.stdout
    else:
        assert run.returncode == 0 and "1 skipped" in run.stdout
