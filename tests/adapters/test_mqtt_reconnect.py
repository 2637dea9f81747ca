"""Reconnect timing (jitter really applied) and the MQTT 3.1.1 fallback: against stand-ins
that misbehave in a known way (tests/fake_brokers.py), and against every real broker."""

from __future__ import annotations

import itertools
import logging
import random
import time
from collections.abc import Iterator

import pytest

from stele.adapters.mqtt import SteleMqtt
from stele.config import DeviceConfig, MqttConfig
from stele.domain.backoff import backoff_delay, device_rng
from tests.brokers import TestBroker
from tests.fake_brokers import FakeClosingServerForTest, FakeV311OnlyBroker
from tests.mosquitto import TopicRecorder, publish_raw

PREFIX = "stele/v1"
ARS = "051220000000"
DEVICE = DeviceConfig(id="st-1", ars=ARS, latitude=51.17, longitude=7.08)


@pytest.fixture
def closing_server() -> Iterator[FakeClosingServerForTest]:
    server = FakeClosingServerForTest()
    yield server
    server.close()


def test_reconnect_waits_follow_the_injected_rng(closing_server: FakeClosingServerForTest) -> None:
    cfg = MqttConfig(host="127.0.0.1", port=closing_server.port,
                     reconnect_min_s=0.15, reconnect_max_s=1.2)
    client = SteleMqtt(cfg, DEVICE, version="t", on_message=lambda m: None,
                       rng=random.Random(42))
    client.start()
    try:
        deadline = time.monotonic() + 15
        while len(closing_server.accepted) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        client.stop(timeout=1)
    times = closing_server.accepted[:6]
    assert len(times) == 6
    twin = random.Random(42)
    expected = [backoff_delay(n, 0.15, 1.2, twin) for n in range(5)]
    observed = [b - a for a, b in itertools.pairwise(times)]
    for want, got in zip(expected, observed, strict=True):
        assert got == pytest.approx(want, abs=0.12), (expected, observed)
    # Not the fixed doubling 0.15, 0.3, 0.6, 1.2, 1.2 that paho would do by itself.
    assert any(abs(want - plain) > 0.1 for want, plain in
               zip(expected, [0.15, 0.3, 0.6, 1.2, 1.2], strict=True))


def test_default_rng_is_seeded_from_the_device_id(
    closing_server: FakeClosingServerForTest,
) -> None:
    cfg = MqttConfig(host="127.0.0.1", port=closing_server.port,
                     reconnect_min_s=0.3, reconnect_max_s=0.6)
    client = SteleMqtt(cfg, DEVICE, version="t", on_message=lambda m: None)
    client.start()
    try:
        deadline = time.monotonic() + 10
        while len(closing_server.accepted) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        client.stop(timeout=1)
    times = closing_server.accepted[:4]
    twin = device_rng(DEVICE.id)
    expected = [backoff_delay(n, 0.3, 0.6, twin) for n in range(3)]
    other = device_rng("st-2")
    elsewhere = [backoff_delay(n, 0.3, 0.6, other) for n in range(3)]
    observed = [b - a for a, b in itertools.pairwise(times)]
    assert observed == pytest.approx(expected, abs=0.12)
    assert max(abs(a - b) for a, b in zip(expected, elsewhere, strict=True)) > 0.05


def test_a_broker_closing_every_connect_gets_two_tries_per_protocol_in_backoff(
    closing_server: FakeClosingServerForTest,
) -> None:
    """Closed before any CONNACK twice in a row: "auto" tries the other protocol, after the
    same jittered wait as any retry; a broker that closes 3.1.1 too (not a protocol
    problem: a load balancer before a dead broker, a refused TLS certificate) gets MQTT 5
    again, so "auto" never settles on 3.1.1 for a reason that was not the protocol."""
    cfg = MqttConfig(host="127.0.0.1", port=closing_server.port,
                     reconnect_min_s=0.05, reconnect_max_s=0.1)
    client = SteleMqtt(cfg, DEVICE, version="t", on_message=lambda m: None)
    client.start()
    try:
        deadline = time.monotonic() + 10
        while len(closing_server.levels) < 7 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        client.stop(timeout=1)
    assert closing_server.levels[:7] == [5, 5, 4, 4, 5, 5, 4]


@pytest.mark.parametrize("on_v5", ["connack", "close"])
def test_falls_back_to_311_when_the_broker_refuses_v5(broker: TestBroker, on_v5: str) -> None:
    """"connack": a 3.1.1 broker's return code 1 (NATS). "close": no CONNACK at all
    (RabbitMQ 3.x): before, the stele retried MQTT 5 forever and never came online."""
    fake = FakeV311OnlyBroker(broker, on_v5=on_v5)
    ups: list[bool] = []
    got = []
    cfg = MqttConfig(host="127.0.0.1", port=fake.port, reconnect_min_s=0.1, reconnect_max_s=0.5,
                     **broker.auth)
    client = SteleMqtt(cfg, DEVICE, version="t", on_message=got.append,
                       on_connection=ups.append)
    publish_raw(broker, f"{PREFIX}/alerts/all/k1", b"<alert/>", retain=True)
    client.start()
    try:
        deadline = time.monotonic() + 10
        while not (ups and got) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ups == [True] and client.protocol == "3.1.1"
        assert fake.levels[:3] == ([5, 4] if on_v5 == "connack" else [5, 5, 4])
        assert got[0].key == "k1" and got[0].content_type is None
        rec = TopicRecorder(broker, f"{PREFIX}/device/st-1/status")
        try:
            assert rec.wait_for(lambda m: len(m) == 1)
            assert b'"online"' in rec.messages[0][1]
        finally:
            rec.close()
    finally:
        client.stop(timeout=2)
        fake.close()


@pytest.mark.parametrize("on_v5", ["connack", "close"])
def test_forced_v5_does_not_fall_back(broker: TestBroker, on_v5: str) -> None:
    fake = FakeV311OnlyBroker(broker, on_v5=on_v5)
    cfg = MqttConfig(host="127.0.0.1", port=fake.port, protocol="5",
                     reconnect_min_s=0.1, reconnect_max_s=0.2, **broker.auth)
    client = SteleMqtt(cfg, DEVICE, version="t", on_message=lambda m: None)
    client.start()
    try:
        time.sleep(1.0)
        assert not client.connected and client.protocol == "5"
        assert len(fake.levels) >= 3 and set(fake.levels) == {5}  # it keeps retrying v5
    finally:
        client.stop(timeout=2)
        fake.close()


def test_fallback_and_stop_log_no_error(
    broker: TestBroker, caplog: pytest.LogCaptureFixture
) -> None:
    """The fallback disconnects the MQTT 5 client on purpose; paho's last loop pass over the
    closed socket ("Client is not connected", ERROR in paho 2.2) is expected then, not an error."""
    caplog.set_level(logging.DEBUG, logger="stele.mqtt")
    fake = FakeV311OnlyBroker(broker)
    ups: list[bool] = []
    cfg = MqttConfig(host="127.0.0.1", port=fake.port, reconnect_min_s=0.1, reconnect_max_s=0.5,
                     **broker.auth)
    client = SteleMqtt(cfg, DEVICE, version="t", on_message=lambda m: None,
                       on_connection=ups.append)
    client.start()
    try:
        deadline = time.monotonic() + 10
        while not ups and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ups == [True] and client.protocol == "3.1.1"
    finally:
        client.stop(timeout=2)
        fake.close()
    bad = [f"{r.name} {r.levelname}: {r.getMessage()}" for r in caplog.records
           if r.name.startswith("stele.mqtt") and r.levelno >= logging.WARNING]
    assert bad == []


@pytest.mark.all_brokers
def test_auto_comes_online_on_every_broker(broker: TestBroker) -> None:
    """Mosquitto speaks MQTT 5; NATS answers MQTT 5 with return code 1; RabbitMQ 3.x closes
    it without a CONNACK (before the fix the stele never came online there)."""
    ups: list[bool] = []
    cfg = MqttConfig(host=broker.host, port=broker.port, reconnect_min_s=0.1,
                     reconnect_max_s=0.5, **broker.auth)
    client = SteleMqtt(cfg, DEVICE, version="t", on_message=lambda m: None,
                       on_connection=ups.append)
    client.start()
    try:
        deadline = time.monotonic() + 10
        while not ups and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ups == [True]
        assert client.protocol == ("5" if broker.mqtt5 else "3.1.1")
    finally:
        client.stop(timeout=2)
