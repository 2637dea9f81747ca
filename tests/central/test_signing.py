"""The central side of signed alerts: keys from files, `send`/`clear` signing, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stele.adapters.signed import Gate, decode, parse_public_key
from stele.central.publish import clear_incident, send_alert
from stele.central.signing import load_signing_key, public_key_b64
from stele.config import MqttConfig
from stele.errors import PkiError
from tests.brokers import TestBroker
from tests.mosquitto import TopicRecorder
from tests.test_cli import stele

CAP = Path(__file__).resolve().parents[1] / "data" / "cap"
A, B = (next(CAP.glob(f"{p}_*")) for p in ("03a", "03b"))  # an Alert and its Update


def pem(key: Ed25519PrivateKey, path: Path) -> Path:
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def test_key_files_load_or_say_what_is_wrong(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    assert public_key_b64(load_signing_key(pem(key, tmp_path / "k.pem"))) == public_key_b64(key)
    (tmp_path / "junk.pem").write_text("hello")
    with pytest.raises(PkiError, match=r"not a PEM private key .*openssl genpkey"):
        load_signing_key(tmp_path / "junk.pem")
    with pytest.raises(PkiError, match="cannot read"):
        load_signing_key(tmp_path / "missing.pem")
    from cryptography.hazmat.primitives.asymmetric import ec

    ec_key = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "ec.pem").write_bytes(
        ec_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(PkiError, match="not an Ed25519 key"):
        load_signing_key(tmp_path / "ec.pem")


def test_signed_update_lands_on_its_incident_and_signed_clear_ends_it(
    broker: TestBroker,
) -> None:
    key = Ed25519PrivateKey.generate()
    mqtt = MqttConfig(host=broker.host, port=broker.port)
    first = send_alert(mqtt, A.read_bytes(), scope="all", signing_key=key)
    # The snapshot reads its own signed retained state: the Update finds the incident.
    assert send_alert(mqtt, B.read_bytes(), scope="all", signing_key=key) == first
    rec = TopicRecorder(broker, "stele/v1/alerts/all/+", "stele/v1/index/all")
    try:
        assert rec.wait_for(lambda m: len(m) == 2)
        gate = Gate([parse_public_key(public_key_b64(key))], require=True)
        for topic, payload, *_ in rec.messages:
            verdict = gate.check(topic, payload, None)
            assert verdict.error == "", topic
            if "/alerts/" in topic:
                assert verdict.payload == B.read_bytes()
            else:
                assert json.loads(verdict.payload)["keys"] == [first]
        clear_incident(mqtt, [first], scope="all", signing_key=key)
        assert rec.wait_for(lambda m: len(m) >= 5)  # signed end, bare delete, signed index
        ends = [p for t, p, *_ in rec.messages[2:] if t.endswith(first)]
        assert decode(ends[0]).payload == b"" and ends[1] == b""
    finally:
        rec.close()
    after = TopicRecorder(broker, "stele/v1/alerts/all/+")
    try:
        assert not after.wait_for(lambda m: len(m) > 0, timeout=0.5)  # nothing retained
    finally:
        after.close()


def test_cli_send_sign_and_key(broker: TestBroker, tmp_path: Path) -> None:
    key = pem(Ed25519PrivateKey.generate(), tmp_path / "city.pem")
    out = stele("alert", "key", key)
    assert out.returncode == 0 and len(parse_public_key(out.stdout.strip())) == 32
    sent = stele(
        "alert", "send", A, "--sign", key, "--host", broker.host, "--port", str(broker.port)
    )
    assert sent.returncode == 0, sent.stderr
    bad = stele("alert", "send", A, "--sign", tmp_path / "nope.pem", "--port", "1")
    assert bad.returncode == 2 and "cannot read the signing key" in bad.stderr


def test_security_config_says_what_is_wrong() -> None:
    from pydantic import ValidationError

    from stele.config import SecurityConfig

    good = public_key_b64(Ed25519PrivateKey.generate())
    assert SecurityConfig(trusted_keys=(good,), require_signature=True).require_signature
    with pytest.raises(ValidationError, match="32-byte Ed25519 public key"):
        SecurityConfig(trusted_keys=("AAAA",))
    with pytest.raises(ValidationError, match="needs at least one key"):
        SecurityConfig(require_signature=True)
