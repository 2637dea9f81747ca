"""Signed alerts and indexes (docs/mqtt.md, "Signed messages"): the envelope and its check.

The signature travels in the payload, so it survives MQTT 3.1.1 brokers (no user
properties there). The envelope is JSON:

    {"stele_signed": 1, "key": B64(public key), "topic": TOPIC, "signed_ms": EPOCH_MS,
     "content_type": CT or "", "payload": B64(bytes), "sig": B64(Ed25519 signature)}

The signature covers `signed_message(...)`: a fixed label, the topic, the time, the
content type and the exact payload bytes. So a signed alert cannot be moved to another
topic (another stele, scope or incident), and an older signed message replayed on its topic
is recognised by its time. An empty payload is a signed end of the incident.

`Gate` sits between paho's `on_message` and the app: a message on an alert or index topic
reaches the domain only as the verified inner payload (or unchanged, when signing is off).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

log = logging.getLogger("stele.mqtt")

VERSION = 1
LABEL = b"stele-signed-v1\n"
CONTENT_TYPE = "application/vnd.stele.signed+json"
_MARK = b'"stele_signed"'  # in every envelope's first bytes (encode() writes it first)
MAX_PROBLEMS = 20  # topics with a rejected message kept for the status (the newest)


def signed_message(topic: str, signed_ms: int, content_type: str, payload: bytes) -> bytes:
    """The exact bytes an Ed25519 signature covers."""
    head = f"{topic}\n{signed_ms}\n{content_type}\n".encode()
    return LABEL + head + payload


def is_envelope(payload: bytes) -> bool:
    return payload[:1] == b"{" and _MARK in payload[:64]


@dataclass(frozen=True, slots=True)
class Envelope:
    key: bytes  # the signer's raw 32-byte Ed25519 public key
    topic: str
    signed_ms: int
    content_type: str
    payload: bytes
    sig: bytes


class EnvelopeError(ValueError):
    """Not a well-formed envelope; the message says what is wrong."""


def _b64(data: dict[str, Any], name: str) -> bytes:
    value = data.get(name)
    if not isinstance(value, str):
        raise EnvelopeError(f"'{name}' is missing or not a string")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise EnvelopeError(f"'{name}' is not base64") from None


def decode(payload: bytes) -> Envelope:
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise EnvelopeError(f"envelope is not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("stele_signed") != VERSION:
        raise EnvelopeError(f"not a version {VERSION} stele envelope")
    topic, ms, ct = data.get("topic"), data.get("signed_ms"), data.get("content_type", "")
    if not isinstance(topic, str) or not isinstance(ct, str):
        raise EnvelopeError("'topic' or 'content_type' is not a string")
    if not isinstance(ms, int) or isinstance(ms, bool) or ms < 0:
        raise EnvelopeError("'signed_ms' is not a non-negative integer")
    return Envelope(_b64(data, "key"), topic, ms, ct, _b64(data, "payload"), _b64(data, "sig"))


def encode(env: Envelope) -> bytes:
    data = {
        "stele_signed": VERSION,
        "key": base64.b64encode(env.key).decode(),
        "topic": env.topic,
        "signed_ms": env.signed_ms,
        "content_type": env.content_type,
        "payload": base64.b64encode(env.payload).decode(),
        "sig": base64.b64encode(env.sig).decode(),
    }
    return json.dumps(data, separators=(",", ":")).encode()


def parse_public_key(text: str) -> bytes:
    """A trusted key as configured: the base64 of the 32 raw bytes; ValueError if not."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64") from None
    if len(raw) != 32:
        raise ValueError(f"{len(raw)} bytes, an Ed25519 public key has 32")
    return raw


@dataclass(frozen=True, slots=True)
class Verdict:
    """What to hand on (`payload`, `content_type`), or why not (`error`); `quiet`: drop
    without a problem (an unsigned delete right after its signed end)."""

    payload: bytes = b""
    content_type: str | None = None
    error: str = ""
    quiet: bool = False


class Gate:
    """Checks messages on alert and index topics; thread-safe (paho's thread calls it)."""

    def __init__(
        self,
        trusted_keys: Iterable[bytes],
        *,
        require: bool,
        on_problems: Callable[[list[str]], None] | None = None,
    ) -> None:
        keys = [bytes(k) for k in trusted_keys]
        self._keys: dict[bytes, Ed25519PublicKey] = {}
        self._invalid: type[Exception] = Exception  # cryptography's InvalidSignature, with keys
        if keys:
            # Only a stele that checks signatures loads cryptography (7 MB resident, and
            # time at every cold start); here, before any message can arrive.
            from cryptography.exceptions import InvalidSignature
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

            self._keys = {k: Ed25519PublicKey.from_public_bytes(k) for k in keys}
            self._invalid = InvalidSignature
        self._require = require
        self._on_problems = on_problems
        self._lock = threading.Lock()
        self._newest: dict[str, int] = {}  # topic -> signed_ms of the newest accepted
        self._ended: set[str] = set()  # topics whose incident a signed empty payload ended
        self._problems: dict[str, str] = {}  # topic -> why its last message was rejected

    @property
    def active(self) -> bool:
        return self._require or bool(self._keys)

    def problems(self) -> list[str]:
        with self._lock:
            return [f"signature: {t}: {why}" for t, why in self._problems.items()]

    def check(self, topic: str, payload: bytes, content_type: str | None) -> Verdict:
        if not is_envelope(payload):
            if not self._require:
                return Verdict(payload, content_type)
            if not payload:
                with self._lock:
                    if topic in self._ended:  # the broker's delete after our signed end
                        return Verdict(quiet=True, error="unsigned delete after a signed end")
                return self._reject(topic, "unsigned delete (require_signature is on)")
            return self._reject(topic, "unsigned (require_signature is on)")
        try:
            env = decode(payload)
        except EnvelopeError as exc:
            return self._reject(topic, str(exc))
        if not self._keys:
            # Signing at the central side before the steles know its key: hand it on.
            return self._accept(topic, env, checked=False)
        public = self._keys.get(env.key)
        if public is None:
            return self._reject(topic, "signed by an unknown key")
        try:
            public.verify(
                env.sig, signed_message(env.topic, env.signed_ms, env.content_type, env.payload)
            )
        except self._invalid:
            return self._reject(topic, "bad signature (tampered or forged)")
        if env.topic != topic:
            return self._reject(topic, f"signed for another topic ({env.topic})")
        with self._lock:
            newest = self._newest.get(topic, -1)
        if env.signed_ms < newest:
            return self._reject(
                topic, f"replay: signed at {env.signed_ms}, older than {newest} already shown"
            )
        return self._accept(topic, env, checked=True)

    def _accept(self, topic: str, env: Envelope, *, checked: bool) -> Verdict:
        with self._lock:
            if checked:
                self._newest[topic] = env.signed_ms
            if env.payload:
                self._ended.discard(topic)
            else:
                self._ended.add(topic)
            changed = self._problems.pop(topic, None) is not None
        if changed:
            self._report()
        return Verdict(env.payload, env.content_type or None)

    def _reject(self, topic: str, why: str) -> Verdict:
        with self._lock:
            changed = self._problems.get(topic) != why
            self._problems.pop(topic, None)
            self._problems[topic] = why  # newest last
            while len(self._problems) > MAX_PROBLEMS:  # a flood of forgeries stays bounded
                del self._problems[next(iter(self._problems))]
        if changed:
            self._report()
        return Verdict(error=why)

    def _report(self) -> None:
        if self._on_problems is not None:
            try:
                self._on_problems(self.problems())
            except Exception:
                log.exception("on_problems handler failed")
