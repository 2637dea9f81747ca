"""The topics of the MQTT contract (docs/mqtt.md): building them, and routing a topic a
stele receives. Pure functions, shared by the stele (stele.adapters.mqtt), the central
tool (stele.central.publish, .session) and the preflight check."""

from __future__ import annotations

from stele.errors import ConfigError

SCOPES = ("all", "ars", "device")


def check_level(value: str, what: str) -> str:
    """A value that must be exactly one topic level."""
    if not value or any(c in value for c in "/+#\x00"):
        raise ConfigError(f"{what} {value!r} cannot be an MQTT topic level (no '/', '+', '#')")
    return value


def scope_path(scope: str, scope_id: str = "") -> str:
    """ "all", "ars/<ARS>" or "device/<id>": the part after alerts/ or index/."""
    if scope not in SCOPES:
        raise ConfigError(f"scope {scope!r}: expected one of {', '.join(SCOPES)}")
    if scope == "all":
        if scope_id:
            raise ConfigError(f"scope 'all' takes no id, got {scope_id!r}")
        return "all"
    if scope == "ars" and not (len(scope_id) == 12 and scope_id.isdigit()):
        raise ConfigError(f"ARS {scope_id!r}: expected 12 digits")
    return f"{scope}/{check_level(scope_id, 'device id')}"


def alert_topic(prefix: str, scope: str, scope_id: str, key: str) -> str:
    return f"{prefix}/alerts/{scope_path(scope, scope_id)}/{check_level(key, 'incident key')}"


def index_topic(prefix: str, scope: str, scope_id: str = "") -> str:
    return f"{prefix}/index/{scope_path(scope, scope_id)}"


def device_topic(prefix: str, device_id: str, leaf: str) -> str:
    """PREFIX/device/<id>/<leaf> for leaf in status, ack, played, cmd, cmd/result."""
    return f"{prefix}/device/{check_level(device_id, 'device id')}/{leaf}"


def subscriptions(prefix: str, device_id: str, ars: str) -> tuple[str, ...]:
    """The one table of what a stele subscribes to (all at QoS 1)."""
    return (
        f"{prefix}/alerts/all/+",
        f"{prefix}/alerts/{scope_path('ars', ars)}/+",
        f"{prefix}/alerts/{scope_path('device', device_id)}/+",
        index_topic(prefix, "all"),
        index_topic(prefix, "ars", ars),
        index_topic(prefix, "device", device_id),
        device_topic(prefix, device_id, "cmd"),
        f"{prefix}/content/{ars}",
    )


def parse_topic(topic: str, prefix: str, device_id: str, ars: str) -> tuple[str, str, str, str]:
    """(kind, scope, scope_id, key) for a topic meant for this stele; ValueError(reason) if not.

    A persistent session may still hold subscriptions of an earlier configuration
    (another ARS or id), so "addressed to someone else" is checked, not assumed.
    """
    if not topic.startswith(prefix + "/"):
        raise ValueError("outside the topic prefix")
    levels = topic[len(prefix) + 1 :].split("/")
    own = {"ars": ars, "device": device_id}
    head, rest = levels[0], levels[1:]
    if head in ("alerts", "index"):
        want = 1 if head == "index" else 2
        if rest and rest[0] == "all":
            scope, scope_id, tail = "all", "", rest[1:]
        elif len(rest) >= 2 and rest[0] in own:
            scope, scope_id, tail = rest[0], rest[1], rest[2:]
            if scope_id != own[scope]:
                raise ValueError(f"addressed to {scope} {scope_id}, not this stele")
        else:
            raise ValueError("unknown scope")
        if len(tail) != want - 1 or (tail and not tail[0]):
            raise ValueError("wrong number of topic levels")
        kind = "alert" if head == "alerts" else "index"
        return kind, scope, scope_id, (tail[0] if tail else "")
    if head == "device" and len(rest) == 2 and rest[1] == "cmd":
        if rest[0] != device_id:
            raise ValueError(f"command for device {rest[0]}, not this stele")
        return "cmd", "", "", ""
    if head == "content" and len(rest) == 1:
        if rest[0] != ars:
            raise ValueError(f"content for ARS {rest[0]}, not this stele")
        return "content", "", "", ""
    raise ValueError("not a topic a stele reads")
