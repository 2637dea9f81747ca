"""stele alert send / clear against real brokers (Mosquitto, NATS, RabbitMQ), with the real
CAP samples; the protocol fallback against stand-ins (tests/fake_brokers.py)."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from stele.adapters.mqtt import Incoming, SteleMqtt
from stele.central.publish import (
    IncidentIndex,
    PublishError,
    clear_incident,
    incident_key,
    send_alert,
)
from stele.config import DeviceConfig, MqttConfig
from stele.domain.cap import parse_alert
from stele.errors import CapError, ConfigError
from tests.brokers import TestBroker
from tests.fake_brokers import FakeClosingServerForTest, FakeV311OnlyBroker
from tests.mosquitto import TopicRecorder, free_port, publish_raw

pytestmark = pytest.mark.all_brokers

CAP = Path(__file__).resolve().parents[1] / "data" / "cap"
PREFIX = "stele/v1"
ARS = "051220000000"
NOW = datetime.fromisoformat("2022-02-17T12:00:00+01:00")


def sample(prefix: str) -> bytes:
    (path,) = CAP.glob(f"{prefix}_*")
    return path.read_bytes()


def cfg(broker: TestBroker, **kw: Any) -> MqttConfig:
    return MqttConfig(**({"host": broker.host, "port": broker.port, **broker.auth} | kw))


def retained(broker: TestBroker, pattern: str, count: int) -> TopicRecorder:
    """What a stele connecting now would get: the retained messages under `pattern`."""
    rec = TopicRecorder(broker, pattern)
    if count:
        assert rec.wait_for(lambda m: len(m) >= count), rec.messages
    time.sleep(0.2)  # nothing more arrives
    rec.close()
    return rec


def alerts_at(broker: TestBroker, scope_path: str, *keys: str) -> dict[str, bytes]:
    """The retained alerts of a scope by key: what its wildcard delivers and, for a broker
    that delivers no retained message to a wildcard (RabbitMQ), what the exact topics of
    `keys` hold."""
    base = f"{PREFIX}/alerts/{scope_path}"
    rec = TopicRecorder(broker, f"{base}/+", *(f"{base}/{k}" for k in keys))
    rec.wait_for(lambda m: {t.rsplit("/", 1)[1] for t, _, _, _ in m} >= set(keys), 2)
    time.sleep(0.2)  # nothing more arrives
    rec.close()
    return {t.rsplit("/", 1)[1]: p for t, p, _, _ in rec.messages}


def index_of(broker: TestBroker, scope_path: str) -> dict[str, Any]:
    rec = retained(broker, f"{PREFIX}/index/{scope_path}", 1)
    return json.loads(rec.messages[-1][1])


def test_update_lands_on_its_alerts_incident(broker: TestBroker) -> None:
    alert, update = sample("03a"), sample("03b")
    key = send_alert(cfg(broker), alert, scope="ars", scope_id=ARS, now=NOW)
    first = parse_alert(alert)
    assert key == incident_key(first.sender, first.identifier)
    assert first.identifier not in key and len(key) == 16
    assert send_alert(cfg(broker), update, scope="ars", scope_id=ARS, now=NOW) == key

    assert alerts_at(broker, f"ars/{ARS}", key) == {key: update}
    index = index_of(broker, f"ars/{ARS}")
    assert index["keys"] == [key]
    assert set(index["incidents"][key]) == {
        "DE-ST-MSH-W058-20220217-000", "DE-ST-MSH-W058-20220217-001",
        "DE-ST-MSH-W058-20220217-002"}
    assert datetime.fromisoformat(index["written"]) == NOW


def test_cancel_lands_on_its_alerts_incident_and_incidents_stay_apart(
    broker: TestBroker,
) -> None:
    storm = send_alert(cfg(broker), sample("01"), scope="all", now=NOW)
    road = send_alert(cfg(broker), sample("03a"), scope="all", now=NOW)
    assert storm != road
    assert send_alert(cfg(broker), sample("02"), scope="all", now=NOW) == storm
    assert alerts_at(broker, "all", storm, road) == {storm: sample("02"), road: sample("03a")}
    assert index_of(broker, "all")["keys"] == sorted([storm, road])


def test_clear_removes_the_retained_alert_and_the_index_entry(broker: TestBroker) -> None:
    storm = send_alert(cfg(broker), sample("01"), scope="device", scope_id="st-1", now=NOW)
    road = send_alert(cfg(broker), sample("03a"), scope="device", scope_id="st-1", now=NOW)
    later = NOW + timedelta(hours=1)
    clear_incident(cfg(broker), [storm], scope="device", scope_id="st-1", now=later)
    assert list(alerts_at(broker, "device/st-1", storm, road)) == [road]
    index = index_of(broker, "device/st-1")
    assert index["keys"] == [road] and list(index["incidents"]) == [road]
    assert datetime.fromisoformat(index["written"]) == later


def test_a_lost_index_is_rebuilt_from_the_retained_alerts(
    broker: TestBroker, request: pytest.FixtureRequest
) -> None:
    if not broker.retained_to_wildcards:
        request.applymarker(pytest.mark.xfail(strict=True, reason=(
            "a documented limit (docs/brokers.md): without the index the central tool "
            "cannot find the retained alerts on a broker that delivers none to a wildcard")))
    key = send_alert(cfg(broker), sample("03a"), scope="all", now=NOW)
    publish_raw(broker, f"{PREFIX}/index/all", b"", retain=True)  # index gone
    # Someone published an incident by hand, without the tool: it must stay listed.
    foreign = sample("05")
    publish_raw(broker, f"{PREFIX}/alerts/all/by-hand", foreign, retain=True)
    assert send_alert(cfg(broker), sample("03b"), scope="all", now=NOW) == key
    index = index_of(broker, "all")
    assert index["keys"] == sorted([key, "by-hand"])
    assert index["incidents"]["by-hand"] == [parse_alert(foreign).identifier]


def test_explicit_key_wins_and_unsafe_keys_are_refused(broker: TestBroker) -> None:
    assert send_alert(cfg(broker), sample("01"), scope="all", key="storm-2022", now=NOW) == (
        "storm-2022")
    assert send_alert(cfg(broker), sample("02"), scope="all", now=NOW) == "storm-2022"
    with pytest.raises(ConfigError):
        send_alert(cfg(broker), sample("01"), scope="all", key="a/b", now=NOW)
    # NATS and RabbitMQ turn "." into a level boundary: a new key carries only what all keep.
    with pytest.raises(ConfigError, match="letters, digits"):
        send_alert(cfg(broker), sample("01"), scope="all", key="storm.2022", now=NOW)
    with pytest.raises(ConfigError):
        send_alert(cfg(broker), sample("01"), scope="ars", scope_id="5122", now=NOW)


def test_message_expiry_and_content_type_are_set(broker: TestBroker) -> None:
    flood = sample("05")  # expires 2022-02-18T08:15:00+01:00
    at = datetime.fromisoformat("2022-02-18T08:00:00+01:00")
    key = send_alert(cfg(broker), flood, scope="all", now=at)
    storm = send_alert(cfg(broker), sample("01"), scope="all", now=at)  # no expires
    xml = send_alert(cfg(broker), sample("07"), scope="all",
                     now=datetime.fromisoformat("2023-06-23T14:00:00+02:00"))
    topics = [f"{PREFIX}/alerts/all/{k}" for k in (key, storm, xml)]
    rec = TopicRecorder(broker, *topics)  # exact topics: every broker delivers retained there
    assert rec.wait_for(lambda m: len(m) >= 3)
    rec.close()
    got = {t.rsplit("/", 1)[1]: (ct, ttl) for (t, _, _, ct), ttl in
           zip(rec.messages, rec.expiry, strict=True)}
    if not broker.mqtt5:  # MQTT 3.1.1 carries neither: the stele sniffs and checks itself
        assert set(got.values()) == {(None, None)}
        return
    assert got[key][0] == "application/json" and 890 <= got[key][1] <= 900
    assert got[storm] == ("application/json", None)
    assert got[xml][0] == "application/cap+xml" and 3590 <= got[xml][1] <= 3600


def test_the_broker_drops_an_expired_alert(broker: TestBroker) -> None:
    flood = sample("05")
    ends = parse_alert(flood).infos[0].expires
    assert ends is not None
    key = send_alert(cfg(broker), flood, scope="all", now=ends - timedelta(seconds=1))
    assert list(alerts_at(broker, "all", key)) == [key]
    time.sleep(2.2)
    # Without MQTT 5 there is no message expiry: the broker keeps it, the stele checks
    # `expires` itself (docs/mqtt.md).
    left = TopicRecorder(broker, f"{PREFIX}/alerts/all/{key}")
    time.sleep(0.3)
    left.close()
    assert len(left.messages) == (0 if broker.mqtt5 else 1)


def test_works_over_mqtt_311(broker: TestBroker) -> None:
    key = send_alert(cfg(broker, protocol="3.1.1"), sample("03a"), scope="all", now=NOW)
    assert send_alert(cfg(broker, protocol="3.1.1"), sample("03b"), scope="all", now=NOW) == key
    rec = TopicRecorder(broker, f"{PREFIX}/alerts/all/{key}")
    assert rec.wait_for(lambda m: len(m) == 1)
    rec.close()
    assert rec.messages[0][1] == sample("03b") and rec.messages[0][3] is None


def test_unreachable_broker_is_a_clear_error() -> None:
    dead = MqttConfig(host="127.0.0.1", port=free_port())
    started = time.monotonic()
    with pytest.raises(PublishError, match=r"cannot reach MQTT broker 127\.0\.0\.1:\d+"):
        send_alert(dead, sample("01"), scope="all", now=NOW)
    assert time.monotonic() - started < 6


@pytest.mark.parametrize("on_v5", ["connack", "close"])
def test_falls_back_to_311_when_the_broker_refuses_v5(broker: TestBroker, on_v5: str) -> None:
    """"connack": return code 1, as NATS answers (before the fix the session kept the
    "closed" flag of the MQTT 5 attempt and failed at once); "close": no CONNACK at all,
    as RabbitMQ 3.x does (before, an error blaming the TLS client certificate)."""
    fake = FakeV311OnlyBroker(broker, on_v5=on_v5)
    try:
        key = send_alert(MqttConfig(host="127.0.0.1", port=fake.port, **broker.auth),
                         sample("03a"), scope="all", now=NOW)
    finally:
        fake.close()
    assert fake.levels == [5, 4]
    assert index_of(broker, "all")["keys"] == [key]


def test_a_broker_closing_every_connect_is_named_as_such() -> None:
    closing = FakeClosingServerForTest()
    try:
        with pytest.raises(PublishError) as caught:
            send_alert(MqttConfig(host="127.0.0.1", port=closing.port), sample("01"),
                       scope="all", now=NOW)
    finally:
        closing.close()
    message = str(caught.value)
    assert "closed the connection without answering the MQTT CONNECT" in message
    assert "tried MQTT 5, then 3.1.1" in message and "TLS" not in message
    assert closing.levels == [5, 4]


def test_not_cap_is_refused_before_anything_is_published(broker: TestBroker) -> None:
    with pytest.raises(CapError):
        send_alert(cfg(broker), b"<html>hello</html>", scope="all", now=NOW)
    assert retained(broker, f"{PREFIX}/#", 0).messages == []


def test_a_stele_receives_what_central_sends(broker: TestBroker) -> None:
    got: list[Incoming] = []
    device = DeviceConfig(id="st-1", ars=ARS, latitude=51.17, longitude=7.08)
    up = threading.Event()
    stele = SteleMqtt(cfg(broker), device, version="t", on_message=got.append,
                      on_connection=lambda ok: ok and up.set())
    stele.start()
    try:
        assert up.wait(5)
        # The stele subscribes before it publishes "online" on the same connection: once
        # the status is there, the subscriptions are in place (this test is about live order).
        retained(broker, f"{PREFIX}/device/st-1/status", 1)
        key = send_alert(cfg(broker), sample("03a"), scope="ars", scope_id=ARS, now=NOW)
        deadline = time.monotonic() + 5
        while len(got) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        # The index first, so a stele never holds the alert next to an index lacking it.
        assert [(m.kind, m.key) for m in got] == [("index", ""), ("alert", key)], [
            (m.kind, m.key, m.retained, m.received_ms) for m in got]
        assert got[1].payload == sample("03a")
        assert got[1].content_type == ("application/json" if broker.mqtt5 else None)
        assert json.loads(got[0].payload)["keys"] == [key]
    finally:
        stele.stop()


def test_index_payload_round_trip_and_garbage_tolerance() -> None:
    index = IncidentIndex({"b": ["id2"], "a": ["id1", "id0"]})
    again = IncidentIndex.from_payload(index.to_payload(NOW))
    assert again.incidents == {"a": ["id1", "id0"], "b": ["id2"]}
    assert again.find(["x", "id0"]) == "a"
    assert IncidentIndex.from_payload(b"not json").incidents == {}
    assert IncidentIndex.from_payload(b'{"keys": 5}').incidents == {}
