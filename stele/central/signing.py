"""Signing what the central side publishes (docs/mqtt.md, "Signed messages").

    key = load_signing_key(Path("central.pem"))     # openssl genpkey -algorithm ed25519
    payload = sign(cap_bytes, key, topic=alert_topic)   # publish this instead of cap_bytes

`stele alert send|clear --sign KEYFILE` and the feed bridge use these; the steles check
them with stele.adapters.signed.Gate against `[security] trusted_keys`.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stele.adapters.signed import Envelope, encode, signed_message
from stele.errors import PkiError


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    """A PEM PKCS#8 Ed25519 private key, unencrypted (as `openssl genpkey` writes it)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PkiError(f"{path}: cannot read the signing key ({exc.strerror or exc})") from None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise PkiError(f"{path}: the key is encrypted; stele needs it unencrypted") from None
    except ValueError:
        raise PkiError(
            f"{path}: not a PEM private key (make one: openssl genpkey -algorithm ed25519 "
            f"-out {path.name})"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise PkiError(f"{path}: a {type(key).__name__}, not an Ed25519 key")
    return key


def public_key_b64(key: Ed25519PrivateKey) -> str:
    """What a stele lists in `[security] trusted_keys` for this key."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def sign(
    payload: bytes,
    key: Ed25519PrivateKey,
    *,
    topic: str,
    content_type: str = "",
    now_ms: int | None = None,
) -> bytes:
    """The envelope to publish on `topic` instead of `payload` (b"" ends an incident)."""
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    sig = key.sign(signed_message(topic, ms, content_type, payload))
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return encode(Envelope(public, topic, ms, content_type, payload, sig))
