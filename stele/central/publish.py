"""Central side: publish CAP alerts to the steles and keep the per-scope incident index.

Used by `stele alert send` / `stele alert clear`. One short-lived MQTT session per call:
read the scope's current state (retained index + retained alerts), choose the incident
key, publish the index, then the alert. The index goes first because a stele drops
what the index does not list: a stele connecting between the two publishes must not
see the new alert next to an index that lacks it.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from stele.adapters.topics import alert_topic, check_level, index_topic, scope_path
from stele.central.incidents import IncidentIndex, chain, choose_key, incident_key
from stele.central.session import CentralSession, PublishError
from stele.domain.cap import JSON_CONTENT_TYPE, XML_CONTENT_TYPE, parse_alert
from stele.domain.model import Alert
from stele.errors import ConfigError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from stele.config.models import MqttConfig

__all__ = [  # the central tool's API (the session and the index have their own modules)
    "CentralSession",
    "IncidentIndex",
    "PublishError",
    "choose_key",
    "clear_incident",
    "incident_key",
    "message_expiry_s",
    "send_alert",
    "sniff_content_type",
]

log = logging.getLogger("stele.central")

# A new incident key: what every supported broker carries unchanged in a topic level
# (NATS and RabbitMQ turn "." into a level boundary; docs/brokers.md).
_NEW_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


def sniff_content_type(payload: bytes) -> str:
    body = payload[3:] if payload.startswith(b"\xef\xbb\xbf") else payload
    return JSON_CONTENT_TYPE if body.lstrip()[:1] == b"{" else XML_CONTENT_TYPE


def message_expiry_s(alert: Alert, now: datetime) -> int | None:
    """Seconds until the latest info `expires`; None if an info never expires (or none do)."""
    ends = [info.expires for info in alert.infos]
    if not ends or any(end is None for end in ends):
        return None
    latest = max(end for end in ends if end is not None)
    seconds = math.ceil((latest - now).total_seconds())
    if seconds <= 0:
        log.warning(
            "alert %s expired at %s: sent without MQTT message expiry",
            alert.identifier,
            latest.isoformat(),
        )
        return None
    return seconds


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def send_alert(
    mqtt_cfg: MqttConfig,
    payload: bytes,
    *,
    scope: str,
    scope_id: str = "",
    key: str | None = None,
    now: datetime | None = None,
    signing_key: Ed25519PrivateKey | None = None,
) -> str:
    """Publish one CAP alert retained (QoS 1) on its incident topic; returns the key used.
    With `signing_key` the index and the alert go out signed (stele.central.signing)."""
    at = _now(now)
    alert = parse_alert(payload, max_bytes=int(mqtt_cfg.max_payload_bytes))  # CapError if not CAP
    scope_path(scope, scope_id)
    if key is not None and not _NEW_KEY.fullmatch(key):
        raise ConfigError(
            f"incident key {key!r}: expected 1 to 64 letters, digits, '_' or '-' "
            "(other characters are rewritten or refused by some brokers)"
        )
    with CentralSession(mqtt_cfg, signing_key=signing_key) as session:
        index, retained = session.snapshot(scope, scope_id)
        chosen = key or choose_key(alert, index, retained)
        index.add(chosen, chain(alert))
        content_type = alert.content_type or sniff_content_type(payload)
        session.publish(
            index_topic(mqtt_cfg.prefix, scope, scope_id),
            index.to_payload(at),
            content_type=JSON_CONTENT_TYPE,
        )
        session.publish(
            alert_topic(mqtt_cfg.prefix, scope, scope_id, chosen),
            payload,
            content_type=content_type,
            expiry_s=message_expiry_s(alert, at),
        )
    log.info("sent %s %s as incident %s", alert.msg_type, alert.identifier, chosen)
    return chosen


def clear_incident(
    mqtt_cfg: MqttConfig,
    keys: Iterable[str],
    *,
    scope: str,
    scope_id: str = "",
    now: datetime | None = None,
    signing_key: Ed25519PrivateKey | None = None,
) -> None:
    """End incidents: zero-length retained publishes, then the index without them. Signed:
    first a signed end (not retained; steles that require signatures ignore a bare delete),
    then the delete that empties the broker's retained slot, then the signed index."""
    at = _now(now)
    keys = [check_level(k, "incident key") for k in keys]
    scope_path(scope, scope_id)
    with CentralSession(mqtt_cfg, signing_key=signing_key) as session:
        index, _ = session.snapshot(scope, scope_id)
        for k in keys:
            topic = alert_topic(mqtt_cfg.prefix, scope, scope_id, k)
            if signing_key is not None:
                session.publish(topic, b"", retain=False)
            session.publish(topic, b"", sign=False)
            index.incidents.pop(k, None)
        session.publish(
            index_topic(mqtt_cfg.prefix, scope, scope_id),
            index.to_payload(at),
            content_type=JSON_CONTENT_TYPE,
        )
