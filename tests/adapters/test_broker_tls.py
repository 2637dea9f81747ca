"""A city's fleet over TLS: certificates from `stele pki`, the ACL from `stele pki acl`,
and the shipped production mosquitto.conf (require_certificate, use_identity_as_username,
crlfile), on a real Mosquitto."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from stele.adapters.mqtt import Incoming, SteleMqtt
from stele.adapters.preflight import check_broker
from stele.central.acl import Device, render_acl
from stele.central.pki import Pki
from stele.central.publish import PublishError, send_alert
from stele.config import DeviceConfig, MqttConfig, TlsConfig, load_config
from tests.brokers import CityMosquitto, install_city_certs
from tests.mosquitto import TopicRecorder, publish_raw

REPO = Path(__file__).resolve().parents[2]
CAP_03A = next((REPO / "tests" / "data" / "cap").glob("03a_*")).read_bytes()
P = "stele/v1"
FLEET = {"st-0001": "051220000000", "st-0002": "091620000000"}


@dataclass
class City:
    broker: CityMosquitto
    pki: Pki
    certs: Path

    def files(self, who: str, pki: Pki | None = None) -> dict[str, str]:
        """TLS files of a stele or central identity, for the plain test clients."""
        pki = pki or self.pki
        kind = "devices" if who in FLEET else "central"
        return {
            "ca": str(pki.dir / "ca.crt"),
            "cert": str(pki.dir / kind / f"{who}.crt"),
            "key": str(pki.dir / kind / f"{who}.key"),
        }

    def mqtt(self, who: str, ca: Path | None = None) -> MqttConfig:
        f = self.files(who)
        tls = TlsConfig(
            ca_file=ca or Path(f["ca"]), cert_file=Path(f["cert"]), key_file=Path(f["key"])
        )
        return MqttConfig(host=self.broker.host, port=self.broker.port, tls=tls)


@pytest.fixture
def city(tmp_path: Path) -> Iterator[City]:
    pki = Pki(tmp_path / "pki")
    pki.init()
    pki.issue_server("127.0.0.1")
    for dev in FLEET:
        pki.issue_device(dev)
    pki.issue_central("central")
    acl = tmp_path / "stele.acl"
    acl.write_text(render_acl([Device(d, a) for d, a in FLEET.items()], ["central"]))
    certs = tmp_path / "certs"
    install_city_certs(pki.dir, certs)
    broker = CityMosquitto(tmp_path / "broker", certs, acl)
    broker.start()
    yield City(broker, pki, certs)
    broker.close()


def test_a_stele_with_its_own_tls_config_gets_its_alerts_and_acks(
    city: City, tmp_path: Path
) -> None:
    f = city.files("st-0001")
    conf = tmp_path / "stele.toml"
    conf.write_text(
        f'[device]\nid = "st-0001"\nars = "{FLEET["st-0001"]}"\nlatitude = 51.1\nlongitude = 7.0\n'
        f'[storage]\ndir = "{tmp_path / "state"}"\n'
        f'[mqtt]\nhost = "127.0.0.1"\nport = {city.broker.port}\n'
        f'[mqtt.tls]\nca_file = "{f["ca"]}"\ncert_file = "{f["cert"]}"\nkey_file = "{f["key"]}"\n'
    )
    cfg = load_config(conf, env={}, system_paths=())
    got: list[Incoming] = []
    up = threading.Event()
    acks = TopicRecorder(city.broker, f"{P}/device/+/ack", **city.files("central"))
    stele = SteleMqtt(
        cfg.mqtt,
        cfg.device,
        version="t",
        on_message=got.append,
        on_connection=lambda ok: ok and up.set(),
    )
    stele.start()
    try:
        assert up.wait(10), city.broker.log_tail()
        key = send_alert(city.mqtt("central"), CAP_03A, scope="ars", scope_id=FLEET["st-0001"])
        deadline = time.monotonic() + 5
        while not any(m.kind == "alert" for m in got) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [(m.kind, m.key) for m in got if m.kind == "alert"] == [("alert", key)]
        assert got[-1].payload == CAP_03A
        stele.publish_ack(
            {"identifier": "x", "received_ms": 1, "presented_ms": 2, "layout": "loop"}
        )
        assert acks.wait_for(lambda m: len(m) == 1)
        assert acks.messages[0][0] == f"{P}/device/st-0001/ack"
    finally:
        stele.stop()
        acks.close()
    assert check_broker(cfg.mqtt, cfg.device).ok


def test_a_stele_certificate_cannot_publish_an_alert(city: City) -> None:
    watch = TopicRecorder(
        city.broker,
        f"{P}/alerts/#",
        f"{P}/index/#",
        f"{P}/content/#",
        f"{P}/device/+/cmd",
        **city.files("central"),
    )
    try:
        for topic in (
            f"{P}/alerts/all/evil",
            f"{P}/alerts/ars/{FLEET['st-0001']}/evil",
            f"{P}/alerts/device/st-0001/evil",
            f"{P}/index/all",
            f"{P}/content/{FLEET['st-0001']}",
            f"{P}/device/st-0002/cmd",
        ):
            publish_raw(
                city.broker, topic, b"<alert>fake</alert>", retain=True, **city.files("st-0001")
            )
        publish_raw(
            city.broker, f"{P}/alerts/all/real", b"<alert/>", retain=True, **city.files("central")
        )
        assert watch.wait_for(lambda m: any(t.endswith("/real") for t, *_ in m))
        time.sleep(0.3)  # the fakes were sent first: had the broker passed one, it was here
        assert [t for t, *_ in watch.messages] == [f"{P}/alerts/all/real"]
    finally:
        watch.close()
    with pytest.raises(PublishError, match="refused"):
        send_alert(city.mqtt("st-0001"), CAP_03A, scope="all")


def test_a_stele_cannot_read_another_steles_commands(city: City) -> None:
    spy = TopicRecorder(
        city.broker,
        f"{P}/device/st-0002/cmd",
        f"{P}/alerts/device/st-0002/+",
        f"{P}/alerts/ars/{FLEET['st-0002']}/+",
        f"{P}/device/st-0001/cmd",
        **city.files("st-0001"),
    )
    try:
        for topic in (
            f"{P}/device/st-0002/cmd",
            f"{P}/alerts/device/st-0002/k",
            f"{P}/alerts/ars/{FLEET['st-0002']}/k",
            f"{P}/device/st-0001/cmd",
        ):
            publish_raw(city.broker, topic, b"{}", **city.files("central"))
        assert spy.wait_for(lambda m: len(m) >= 1)
        time.sleep(0.3)
        assert [t for t, *_ in spy.messages] == [f"{P}/device/st-0001/cmd"]
    finally:
        spy.close()


def _device(dev: str) -> DeviceConfig:
    return DeviceConfig(id=dev, ars=FLEET[dev], latitude=51.0, longitude=7.0)


@pytest.mark.parametrize("how", ["reload", "restart"])
def test_a_revoked_certificate_is_refused_after_the_broker_reads_the_new_crl(
    city: City, how: str
) -> None:
    assert check_broker(city.mqtt("st-0002"), _device("st-0002"), timeout_s=5).ok
    city.pki.revoke("st-0002")
    install_city_certs(city.pki.dir, city.certs)
    # Before the broker reads the new CRL the certificate still works: that step is the city's.
    assert check_broker(city.mqtt("st-0002"), _device("st-0002"), timeout_s=5).ok
    city.broker.reload() if how == "reload" else city.broker.restart()
    check = check_broker(city.mqtt("st-0002"), _device("st-0002"), timeout_s=5)
    assert not check.ok
    assert "\n" not in check.line()
    assert "closed the connection" in check.detail and "revoked" in check.detail, check.line()
    assert "certificate verify failed" in city.broker.log_tail()
    # The others are untouched.
    assert check_broker(city.mqtt("st-0001"), _device("st-0001"), timeout_s=5).ok


def test_a_stele_with_the_wrong_ca_refuses_the_broker(city: City, tmp_path: Path) -> None:
    other = Pki(tmp_path / "other")
    other.init(name="someone else's CA")
    check = check_broker(city.mqtt("st-0001", ca=other.ca_cert_path), _device("st-0001"))
    assert not check.ok
    assert "\n" not in check.line()
    assert "certificate verify failed" in check.detail, check.line()


def test_a_certificate_from_another_ca_is_refused(city: City, tmp_path: Path) -> None:
    other = Pki(tmp_path / "other")
    other.init()
    forged = other.issue_device("st-0001")  # the right name, the wrong issuer
    cfg = MqttConfig(
        host=city.broker.host,
        port=city.broker.port,
        tls=TlsConfig(ca_file=city.pki.ca_cert_path, cert_file=forged.cert, key_file=forged.key),
    )
    check = check_broker(cfg, _device("st-0001"), timeout_s=5)
    assert not check.ok and "closed the connection" in check.detail, check.line()


def test_stele_check_names_a_revoked_certificate_and_a_wrong_ca_in_one_line(
    city: City, tmp_path: Path
) -> None:
    from tests.test_cli import stele

    other = Pki(tmp_path / "other")
    other.init()
    city.pki.revoke("st-0002")
    install_city_certs(city.pki.dir, city.certs)
    city.broker.reload()
    for dev, ca, expect in (
        ("st-0002", city.pki.ca_cert_path, "is revoked, expired or issued by another CA"),
        ("st-0001", other.ca_cert_path, "certificate verify failed"),
    ):
        f = city.files(dev)
        conf = tmp_path / f"{dev}.toml"
        conf.write_text(
            f'[device]\nid = "{dev}"\nars = "{FLEET[dev]}"\nlatitude = 51.1\nlongitude = 7.0\n'
            f'[storage]\ndir = "{tmp_path / dev}"\n'
            f'[mqtt]\nhost = "127.0.0.1"\nport = {city.broker.port}\n'
            f'[mqtt.tls]\nca_file = "{ca}"\ncert_file = "{f["cert"]}"\nkey_file = "{f["key"]}"\n'
        )
        out = stele("check", "--config", conf)
        assert out.returncode == 1, out.stdout + out.stderr
        (line,) = [x for x in out.stdout.splitlines() if x.startswith("FAIL")]
        assert line.startswith("FAIL broker: 127.0.0.1:") and expect in line, line
