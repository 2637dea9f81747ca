"""Fixtures of the adapter tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from stele.adapters.mqtt import SteleMqtt
from tests.adapters.mqtt_helpers import ARS, DEV, Inbox, device_cfg, mqtt_cfg
from tests.brokers import TestBroker


@pytest.fixture
def make_stele() -> Iterator[Callable[..., tuple[SteleMqtt, Inbox]]]:
    """make(broker, dev=, ars=, start=, fetch_grace_s=, fetch_patience_s=, security=,
    on_security_problems=, **MqttConfig keys):
    a SteleMqtt on `broker` and the Inbox it delivers to; started and online unless
    start=False; stopped at the end of the test."""
    started: list[SteleMqtt] = []

    def make(broker: TestBroker, *, dev: str = DEV, ars: str = ARS, start: bool = True,
             fetch_grace_s: float = 2.0, fetch_patience_s: float = 10.0,
             security: Any = None, on_security_problems: Any = None,
             **kw: Any) -> tuple[SteleMqtt, Inbox]:
        inbox = Inbox()
        client = SteleMqtt(mqtt_cfg(broker, **kw), device_cfg(dev, ars), version="1.2.3",
                           on_message=inbox.on_message, on_connection=inbox.on_connection,
                           fetch_grace_s=fetch_grace_s, fetch_patience_s=fetch_patience_s,
                           security=security, on_security_problems=on_security_problems)
        started.append(client)
        if start:
            client.start()
            assert inbox.wait(lambda b: b.connection[-1:] == [True]), broker.log_tail()
        return client, inbox

    yield make
    for client in started:
        client.stop(timeout=1.0)
