"""The shipped Mosquitto example (config/mosquitto/) enforces what docs/mqtt.md promises.

The ACL file verbatim, with a password file for identities (the documented alternative
to client certificates): who may read and write what. The production mosquitto.conf with
TLS and client certificates from `stele pki` is tests/adapters/test_broker_tls.py.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stele.adapters.mqtt import Incoming, SteleMqtt
from stele.central.publish import PublishError, send_alert
from stele.config import DeviceConfig, MqttConfig
from tests.mosquitto import MosquittoBroker, TopicRecorder, publish_raw

REPO = Path(__file__).resolve().parents[2]
ACL = REPO / "config" / "mosquitto" / "stele.acl"
CAP_03A = next((REPO / "tests" / "data" / "cap").glob("03a_*")).read_bytes()
P = "stele/v1"
ARS1, ARS2 = "051220000000", "091620000000"  # st-0001's and st-0002's, as in stele.acl
USERS = {"central": "c-secret", "st-0001": "s1-secret", "st-0002": "s2-secret"}


def creds(user: str) -> dict[str, str]:
    return {"username": user, "password": USERS[user]}


@pytest.fixture
def acl_broker(tmp_path: Path) -> Iterator[MosquittoBroker]:
    passwd = tmp_path / "stele.passwd"
    tool = shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd"
    for user, password in USERS.items():
        flags = ["-b"] if passwd.exists() else ["-c", "-b"]
        subprocess.run([tool, *flags, str(passwd), user, password], check=True,
                       capture_output=True)
    broker = MosquittoBroker(workdir=tmp_path / "broker", allow_anonymous=False,
                             extra_config=[f"password_file {passwd}", f"acl_file {ACL}"])
    broker.start()
    yield broker
    broker.close()


def test_a_stele_cannot_publish_an_alert_and_central_can(acl_broker: MosquittoBroker) -> None:
    watch = TopicRecorder(acl_broker, f"{P}/alerts/#", f"{P}/index/#", **creds("central"))
    try:
        for topic in (f"{P}/alerts/all/evil", f"{P}/alerts/ars/{ARS1}/evil",
                      f"{P}/alerts/device/st-0001/evil", f"{P}/index/all"):
            publish_raw(acl_broker, topic, b"<alert>fake</alert>", retain=True,
                        **creds("st-0001"))
        publish_raw(acl_broker, f"{P}/alerts/all/real", b"<alert/>", retain=True,
                    **creds("central"))
        assert watch.wait_for(lambda m: any(t.endswith("/real") for t, *_ in m))
        time.sleep(0.2)
        assert [t for t, *_ in watch.messages] == [f"{P}/alerts/all/real"]
    finally:
        watch.close()


def test_a_stele_cannot_read_another_steles_topics(acl_broker: MosquittoBroker) -> None:
    spy = TopicRecorder(acl_broker, f"{P}/device/st-0002/cmd", f"{P}/alerts/device/st-0002/+",
                        f"{P}/alerts/ars/{ARS2}/+", f"{P}/device/st-0001/cmd",
                        **creds("st-0001"))
    try:
        for topic in (f"{P}/device/st-0002/cmd", f"{P}/alerts/device/st-0002/k",
                      f"{P}/alerts/ars/{ARS2}/k", f"{P}/device/st-0001/cmd"):
            publish_raw(acl_broker, topic, b"{}", **creds("central"))
        assert spy.wait_for(lambda m: len(m) >= 1)
        time.sleep(0.2)
        assert [t for t, *_ in spy.messages] == [f"{P}/device/st-0001/cmd"]
    finally:
        spy.close()


def test_a_stele_writes_only_its_own_status_ack_and_result(acl_broker: MosquittoBroker) -> None:
    watch = TopicRecorder(acl_broker, f"{P}/device/#", **creds("central"))
    try:
        for topic in (f"{P}/device/st-0002/status", f"{P}/device/st-0002/ack",
                      f"{P}/device/st-0001/cmd", f"{P}/device/st-0001/status",
                      f"{P}/device/st-0001/ack", f"{P}/device/st-0001/cmd/result"):
            publish_raw(acl_broker, topic, b"{}", **creds("st-0001"))
        assert watch.wait_for(lambda m: len(m) >= 3)
        time.sleep(0.2)
        assert [t for t, *_ in watch.messages] == [
            f"{P}/device/st-0001/status", f"{P}/device/st-0001/ack",
            f"{P}/device/st-0001/cmd/result"]
    finally:
        watch.close()


def _run_stele(broker: MosquittoBroker, cfg: MqttConfig, dev: str, ars: str,
               central: MqttConfig) -> tuple[list[Incoming], str]:
    """Start SteleMqtt, have central send 03a to the stele's ARS, return what arrived."""
    got: list[Incoming] = []
    up = threading.Event()
    stele = SteleMqtt(cfg, DeviceConfig(id=dev, ars=ars, latitude=51.0, longitude=7.0),
                      version="t", on_message=got.append, on_connection=lambda ok: ok and up.set())
    stele.start()
    try:
        assert up.wait(10), broker.log_tail()
        key = send_alert(central, CAP_03A, scope="ars", scope_id=ars)
        deadline = time.monotonic() + 5
        while len(got) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        stele.publish_ack({"identifier": "x", "received_ms": 1, "presented_ms": 2,
                           "layout": "loop"})
    finally:
        stele.stop()
    return got, key


def test_the_real_stack_works_through_the_acls(acl_broker: MosquittoBroker) -> None:
    def cfg(user: str) -> MqttConfig:
        return MqttConfig(host=acl_broker.host, port=acl_broker.port, username=user,
                          password=USERS[user])

    status = TopicRecorder(acl_broker, f"{P}/device/+/status", f"{P}/device/+/ack",
                           **creds("central"))
    try:
        got, key = _run_stele(acl_broker, cfg("st-0001"), "st-0001", ARS1, cfg("central"))
        assert [(m.kind, m.key) for m in got] == [("index", ""), ("alert", key)]
        assert status.wait_for(lambda m: len(m) >= 3)  # online, ack, offline
        assert [t.rsplit("/", 1)[1] for t, *_ in status.messages[:3]] == [
            "status", "ack", "status"]
    finally:
        status.close()
    with pytest.raises(PublishError, match="refused"):
        send_alert(cfg("st-0001"), CAP_03A, scope="all")
