"""Signed alerts through each broker: the envelope survives MQTT 3.1.1 (NATS, RabbitMQ)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stele.central.publish import send_alert
from stele.central.signing import public_key_b64
from stele.config import MqttConfig, SecurityConfig
from tests.adapters.mqtt_helpers import alerts_in, mqtt_cfg
from tests.brokers import TestBroker
from tests.mosquitto import publish_raw

CAP_03A = next((Path(__file__).parents[1] / "data" / "cap").glob("03a_*")).read_bytes()
KEY = Ed25519PrivateKey.generate()


@pytest.mark.all_brokers
def test_signed_alert_arrives_verified_and_unsigned_is_rejected(
    broker: TestBroker, make_stele, caplog
) -> None:
    problems: list[list[str]] = []
    security = SecurityConfig(trusted_keys=(public_key_b64(KEY),), require_signature=True)
    _, inbox = make_stele(broker, security=security, on_security_problems=problems.append)
    central: MqttConfig = mqtt_cfg(broker)
    key = send_alert(central, CAP_03A, scope="all", signing_key=KEY)
    assert inbox.wait(lambda b: len(alerts_in(b)) == 1, timeout=10), broker.log_tail()
    got = alerts_in(inbox)[0]
    assert got.key == key and got.payload == CAP_03A  # the exact signed bytes, unwrapped
    assert [i.kind for i in inbox.items] == ["index", "alert"]
    publish_raw(broker, "stele/v1/alerts/all/unsigned", CAP_03A, retain=True)
    assert inbox.wait(lambda b: False, timeout=1.0) is False  # give it time to (not) arrive
    assert [i.key for i in alerts_in(inbox)] == [key]
    assert problems[-1] == [
        "signature: stele/v1/alerts/all/unsigned: unsigned (require_signature is on)"
    ]
