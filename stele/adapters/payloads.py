"""Decoding the small JSON payloads of the MQTT contract (docs/mqtt.md): the retained
index and the commands. Pure functions; a bad payload raises `PayloadError` with a line
that says what is wrong, and the caller logs and drops it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from stele.errors import SteleError

MAX_JSON_BYTES = 1_000_000  # an index of 10,000 keys is about 400 KB


class PayloadError(SteleError):
    """A JSON payload on an index or command topic that cannot be used."""


def _json_object(payload: bytes) -> dict[str, Any]:
    if len(payload) > MAX_JSON_BYTES:
        raise PayloadError(f"{len(payload)} bytes is over the {MAX_JSON_BYTES}-byte limit")
    try:
        data = json.loads(payload)
    except (ValueError, RecursionError) as exc:
        raise PayloadError(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PayloadError("not a JSON object")
    return data


def decode_index(payload: bytes) -> list[str]:
    """The incident keys of a retained index; an empty payload is an empty index."""
    if not payload:
        return []
    keys = _json_object(payload).get("keys")
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise PayloadError("'keys' is not a list of strings")
    return keys


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    args: dict[str, Any] = field(default_factory=dict)
    id: Any = None  # echoed in the result when the server sent one


def decode_command(payload: bytes) -> Command:
    data = _json_object(payload)
    name = data.get("command")
    if not isinstance(name, str) or not name:
        raise PayloadError("'command' is missing or not a string")
    args = {k: v for k, v in data.items() if k not in ("command", "id")}
    return Command(name=name, args=args, id=data.get("id"))


def decode_content_version(payload: bytes) -> str | None:
    """The version a retained PREFIX/content/<ARS12> message announces (None: an empty
    payload, the server withdrew it)."""
    if not payload:
        return None
    version = _json_object(payload).get("version")
    if not isinstance(version, str) or not version:
        raise PayloadError("'version' is missing or not a non-empty string")
    return version
