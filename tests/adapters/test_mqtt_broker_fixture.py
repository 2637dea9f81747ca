"""The broker helpers themselves, on every broker: retained messages survive restart() on
the same port; kill() closes the port and start() reopens it."""

from __future__ import annotations

import pytest

from tests.brokers import TestBroker
from tests.mosquitto import TopicRecorder, publish_raw, wait_for_port

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
