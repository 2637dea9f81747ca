"""The envelope and the Gate (stele.adapters.signed) without a broker: what passes, what not."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stele.adapters.signed import MAX_PROBLEMS, Gate, decode, encode, parse_public_key
from stele.central.signing import public_key_b64, sign

T = "stele/v1/alerts/all/k1"
CAP = b"<alert>...</alert>"


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def gate(*keys: Ed25519PrivateKey, require: bool = True) -> tuple[Gate, list[list[str]]]:
    seen: list[list[str]] = []
    g = Gate(
        [parse_public_key(public_key_b64(k)) for k in keys],
        require=require,
        on_problems=seen.append,
    )
    return g, seen


def test_a_signed_payload_passes_as_the_exact_inner_bytes(key: Ed25519PrivateKey) -> None:
    g, seen = gate(key)
    v = g.check(T, sign(CAP, key, topic=T, content_type="application/cap+xml"), "x")
    assert (v.error, v.payload, v.content_type) == ("", CAP, "application/cap+xml")
    assert seen == [] and g.problems() == []


def test_hostile_key_tampered_payload_and_moved_topic_are_rejected(
    key: Ed25519PrivateKey,
) -> None:
    g, seen = gate(key)
    hostile = Ed25519PrivateKey.generate()
    assert g.check(T, sign(CAP, hostile, topic=T), None).error == "signed by an unknown key"
    env = json.loads(sign(CAP, key, topic=T))
    env["payload"] = base64.b64encode(b"<alert>evil</alert>").decode()
    assert "bad signature" in g.check(T, json.dumps(env).encode(), None).error
    # A hostile key claiming to be the trusted one: the signature does not verify.
    forged = json.loads(sign(CAP, hostile, topic=T))
    forged["key"] = public_key_b64(key)
    assert "bad signature" in g.check(T, json.dumps(forged).encode(), None).error
    other = "stele/v1/alerts/device/st-2/k1"
    assert "signed for another topic" in g.check(other, sign(CAP, key, topic=T), None).error
    assert g.problems()[-1].startswith(f"signature: {other}: signed for another topic")
    assert len(seen) == 3  # each change of the list once (the second bad signature is none)


def test_an_older_signed_message_is_a_replay_the_same_one_is_not(
    key: Ed25519PrivateKey,
) -> None:
    g, _ = gate(key)
    old = sign(b"<alert>old</alert>", key, topic=T, now_ms=1_000)
    new = sign(b"<alert>new</alert>", key, topic=T, now_ms=2_000)
    assert g.check(T, old, None).payload == b"<alert>old</alert>"
    assert g.check(T, new, None).payload == b"<alert>new</alert>"
    assert g.check(T, new, None).error == ""  # redelivered on reconnect: fine
    assert g.check(T, old, None).error.startswith("replay: signed at 1000, older than 2000")
    assert g.problems() == [
        f"signature: {T}: replay: signed at 1000, older than 2000 already shown"
    ]
    # A valid newer message on the topic clears the problem.
    assert g.check(T, sign(CAP, key, topic=T, now_ms=3_000), None).error == ""
    assert g.problems() == []


def test_unsigned_under_require_is_rejected_and_passes_without(key: Ed25519PrivateKey) -> None:
    strict, _ = gate(key)
    assert strict.check(T, CAP, None).error == "unsigned (require_signature is on)"
    assert "unsigned delete" in strict.check(T, b"", None).error
    lax, _ = gate(key, require=False)
    assert lax.check(T, CAP, "t").payload == CAP
    assert lax.check(T, sign(CAP, Ed25519PrivateKey.generate(), topic=T), None).error


def test_a_signed_end_then_the_bare_delete(key: Ed25519PrivateKey) -> None:
    g, _ = gate(key)
    v = g.check(T, sign(b"", key, topic=T), None)
    assert v.error == "" and v.payload == b""
    quiet = g.check(T, b"", None)
    assert quiet.quiet and quiet.error and g.problems() == []


def test_broken_envelopes_say_what_is_wrong(key: Ed25519PrivateKey) -> None:
    g, _ = gate(key)
    env = json.loads(sign(CAP, key, topic=T))
    assert "not base64" in g.check(T, json.dumps({**env, "sig": "!!"}).encode(), None).error
    assert "signed_ms" in g.check(T, json.dumps({**env, "signed_ms": "1"}).encode(), None).error
    assert "not JSON" in g.check(T, b'{"stele_signed": 1, ', None).error


def test_the_problem_list_stays_bounded(key: Ed25519PrivateKey) -> None:
    g, _ = gate(key)
    for n in range(3 * MAX_PROBLEMS):
        g.check(f"stele/v1/alerts/all/f{n}", CAP, None)
    assert len(g.problems()) == MAX_PROBLEMS
    assert g.problems()[-1].startswith(f"signature: stele/v1/alerts/all/f{3 * MAX_PROBLEMS - 1}")


def test_round_trip_and_key_format(key: Ed25519PrivateKey) -> None:
    env = decode(sign(CAP, key, topic=T, now_ms=5))
    assert encode(env) == sign(CAP, key, topic=T, now_ms=5)  # Ed25519 is deterministic
    with pytest.raises(ValueError, match="32"):
        parse_public_key(base64.b64encode(b"x" * 31).decode())
