"""The retained index as the source of truth, on every broker (stele.adapters.retained).

RabbitMQ 3.x delivers no retained message to a wildcard subscription: a stele that
connects there gets the indexes (exact topics) and, before the fix, none of the alerts
they list. And a broker may lose or expire the stele's session (RabbitMQ: after 24 h by
default): the stele must notice and rebuild from the retained state."""

from __future__ import annotations

import logging
import secrets
import threading
import time

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.adapters.mqtt_helpers import ARS, DEV, PREFIX, alerts_in, index_payload
from tests.brokers import TestBroker
from tests.mosquitto import publish_raw

pytestmark = pytest.mark.all_brokers

SCOPES = {"all": "all", "ars": f"ars/{ARS}", "device": f"device/{DEV}"}


def publish_incident(broker: TestBroker, scope: str, key: str, payload: bytes) -> str:
    """As `stele alert send` does: the index first, then the alert (both retained)."""
    topic = f"{PREFIX}/alerts/{SCOPES[scope]}/{key}"
    publish_raw(broker, f"{PREFIX}/index/{SCOPES[scope]}", index_payload(key), retain=True)
    publish_raw(broker, topic, payload, retain=True)
    return topic


def test_every_alert_an_index_lists_arrives_on_connect(broker: TestBroker, make_stele) -> None:
    topics = {publish_incident(broker, scope, f"k-{scope}", scope.encode()) for scope in SCOPES}
    _, inbox = make_stele(broker)
    assert inbox.wait(lambda b: {a.topic for a in alerts_in(b)} >= topics
                      and len(b.of_kind("index")) == 3), f"{broker.name}: got {inbox.topics()}"
    assert all(a.retained for a in alerts_in(inbox))
    assert len(inbox.of_kind("index")) == 3


def test_an_index_naming_an_alert_that_never_comes_is_a_warning(
    broker: TestBroker, make_stele, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="stele.mqtt")
    here = publish_incident(broker, "ars", "here", b"<alert/>")
    publish_raw(broker, f"{PREFIX}/index/all", index_payload("ghost"), retain=True)
    _, inbox = make_stele(broker, fetch_patience_s=0.5)
    assert inbox.wait(lambda b: here in b.topics())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not warnings(caplog):
        time.sleep(0.05)
    (warning,) = warnings(caplog)
    assert f"{PREFIX}/alerts/all/ghost" in warning and "missing a warning" in warning


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records
            if r.name == "stele.mqtt" and r.levelno >= logging.WARNING]


def test_an_exact_subscription_ends_once_its_alert_is_here(
    broker: TestBroker, make_stele
) -> None:
    """A live index names an incident whose alert comes late: after the grace the stele asks
    for it by its exact topic, and drops that subscription once it came, so later messages
    arrive once (Mosquitto delivers a copy per matching subscription)."""
    _, inbox = make_stele(broker, fetch_grace_s=0.1)
    publish_raw(broker, f"{PREFIX}/index/all", index_payload("late"), retain=True)
    time.sleep(0.4)  # the grace is over: the exact subscription is in place
    topic = f"{PREFIX}/alerts/all/late"
    publish_raw(broker, topic, b"first", retain=True)
    assert inbox.wait(lambda b: topic in b.topics())
    time.sleep(0.4)  # the duplicate, if any, and the UNSUBACK
    publish_raw(broker, topic, b"update", retain=True)
    assert inbox.wait(lambda b: any(a.payload == b"update" for a in alerts_in(b)))
    time.sleep(0.4)
    assert [a.payload for a in alerts_in(inbox)].count(b"update") == 1


def take_over_session(broker: TestBroker, client_id: str) -> None:
    """Connect with the stele's client id and a clean session, then leave: the broker kicks
    the stele off and forgets its session, as one does that expires or loses it."""
    v5 = broker.mqtt5
    intruder = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id,
                           protocol=paho.MQTTv5 if v5 else paho.MQTTv311,
                           reconnect_on_failure=False,  # once kicked back off, it stays off
                           **({} if v5 else {"clean_session": True}))
    if broker.auth:
        intruder.username_pw_set(broker.auth["username"], broker.auth["password"])
    accepted = threading.Event()
    intruder.on_connect = lambda c, u, f, rc, p: accepted.set()
    intruder.connect(broker.host, broker.port, keepalive=10,
                     **({"clean_start": True} if v5 else {}))
    intruder.loop_start()
    try:
        assert accepted.wait(5)  # the stele may be back and have kicked it off already
    finally:
        intruder.disconnect()
        intruder.loop_stop()


def test_a_lost_session_is_a_warning_and_the_retained_state_comes_again(
    broker: TestBroker, make_stele, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="stele.mqtt")
    topic = publish_incident(broker, "device", "storm", b"<alert/>")
    client_id = f"stele-lost-{secrets.token_hex(3)}"
    _, inbox = make_stele(broker, client_id=client_id)
    assert inbox.wait(lambda b: len(alerts_in(b)) == 1)
    take_over_session(broker, client_id)
    assert inbox.wait(lambda b: b.connection[-2:] == [False, True], 10)
    assert inbox.wait(lambda b: len(alerts_in(b)) >= 2), inbox.topics()
    assert {a.topic for a in alerts_in(inbox)} == {topic} and alerts_in(inbox)[-1].retained
    assert any("kept no session" in w for w in warnings(caplog)), warnings(caplog)
