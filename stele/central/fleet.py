"""The operator's view of the fleet over MQTT (docs/mqtt.md, "The operator's view"):
the retained statuses, a screenshot by the `screenshot` command, and recording what the
steles say (alerts seen, acks, statuses) for the Warntag report (stele.central.warntag).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from stele.adapters import signed
from stele.adapters.topics import device_topic
from stele.central.publish import CentralSession
from stele.domain.cap import parse_alert
from stele.errors import SteleError

if TYPE_CHECKING:
    from stele.config.models import MqttConfig

SCREENSHOT_TIMEOUT_S = 15.0
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class FleetError(SteleError):
    """A stele did not answer, or answered with an error."""


@dataclass(frozen=True)
class SteleStatus:
    id: str
    state: str
    mode: str
    version: str
    alerts: tuple[str, ...]
    content_version: str
    last_seen: str
    problems: tuple[str, ...]
    raw: dict[str, Any] = field(default_factory=dict)

    def row(self) -> list[str]:
        return [
            self.id,
            self.state,
            self.mode,
            self.version,
            ", ".join(self.alerts) or "-",
            self.content_version,
            self.last_seen,
            "; ".join(self.problems) or "-",
        ]


STATUS_HEADERS = ["id", "state", "mode", "version", "alerts", "content", "last seen", "problems"]


def _device_of(topic: str, prefix: str) -> str:
    """PREFIX/device/<id>/<leaf...> -> <id>."""
    return topic[len(prefix) + 1 :].split("/")[1]


def last_seen(data: dict[str, Any]) -> str:
    """What the status can truthfully say about when the stele was last there."""
    if data.get("state") == "online":
        return "now (online)"
    if isinstance(data.get("since"), str):
        return f"{data['since']} (stopped)"
    if isinstance(data.get("last_connect"), str):
        return f"after {data['last_connect']} (connection lost)"
    return "unknown"


def parse_status(device: str, payload: bytes) -> SteleStatus:
    try:
        data = json.loads(payload)
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        bad = f"status unreadable: {str(exc)[:80]}"
        return SteleStatus(device, "?", "?", "?", (), "-", "unknown", (bad,))

    def text(key: str, default: str = "-") -> str:
        value = data.get(key)
        return str(value) if value is not None else default

    alerts = data.get("alerts")
    alerts = alerts if isinstance(alerts, list) else []
    problems = data.get("problems")
    problems = problems if isinstance(problems, list) else []
    return SteleStatus(
        id=device,
        state=text("state", "?"),
        mode=text("mode"),
        version=text("version"),
        alerts=tuple(str(a) for a in alerts),
        content_version=text("content"),  # spec content.md §5: the live manifest version
        last_seen=last_seen(data),
        problems=tuple(str(p) for p in problems),
        raw=data,
    )


def read_statuses(mqtt_cfg: MqttConfig) -> list[SteleStatus]:
    """Every stele that has a retained status, sorted by id."""
    prefix = mqtt_cfg.prefix
    with CentralSession(mqtt_cfg) as session:
        messages = session.retained([f"{prefix}/device/+/status"])
    return sorted(
        (parse_status(_device_of(t, prefix), p) for t, p in messages.items()), key=lambda s: s.id
    )


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [headers, *rows]
    ]
    return "\n".join(lines) + "\n"


def screenshot(
    mqtt_cfg: MqttConfig, device_id: str, timeout_s: float = SCREENSHOT_TIMEOUT_S
) -> bytes:
    """Ask one stele for a screenshot (its `screenshot` command) and return the PNG."""
    prefix = mqtt_cfg.prefix
    result_topic = device_topic(prefix, device_id, "cmd/result")
    token = secrets.token_hex(8)
    answer: list[dict[str, Any]] = []
    done = threading.Event()

    def listener(topic: str, payload: bytes, retained: bool) -> None:
        if topic != result_topic:
            return
        try:
            data = json.loads(payload)
        except ValueError:
            return
        if isinstance(data, dict) and data.get("id") == token:
            answer.append(data)
            done.set()

    with CentralSession(mqtt_cfg) as session:
        session.listener = listener
        session.subscribe([result_topic])
        command = {"command": "screenshot", "id": token}
        session.send(device_topic(prefix, device_id, "cmd"), json.dumps(command).encode())
        if not done.wait(timeout_s):
            raise FleetError(
                f"{device_id} did not answer the screenshot command within {timeout_s:g} s "
                "(offline, or not this device id? see `stele fleet status`)"
            )
    data = answer[0]
    if not data.get("ok"):
        raise FleetError(f"{device_id} refused the screenshot: {data.get('error', 'no reason')}")
    try:
        png = base64.b64decode(str(data.get("png_base64", "")), validate=True)
    except ValueError:
        raise FleetError(f"{device_id} sent a screenshot that is not base64") from None
    if not png.startswith(PNG_MAGIC):
        raise FleetError(f"{device_id} sent a screenshot that is not a PNG")
    return png


# --- recording for the report ----------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One thing the recorder saw: an alert published, an ack, a status."""

    kind: str  # "alert" | "ack" | "status"
    t_ms: int  # when the recorder received it (epoch ms)
    topic: str
    retained: bool
    data: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps(
            {
                "kind": self.kind,
                "t_ms": self.t_ms,
                "topic": self.topic,
                "retained": self.retained,
                "data": self.data,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, line: str) -> Event:
        d = json.loads(line)
        return cls(d["kind"], int(d["t_ms"]), d["topic"], bool(d["retained"]), dict(d["data"]))


def to_event(topic: str, payload: bytes, retained: bool, prefix: str, t_ms: int) -> Event | None:
    """What a message means for the report; None if nothing (a delete, garbage, others)."""
    rest = topic[len(prefix) + 1 :].split("/") if topic.startswith(prefix + "/") else []
    if not payload or not rest:
        return None
    if rest[0] == "alerts" and len(rest) >= 3:
        if signed.is_envelope(payload):
            try:
                payload = signed.decode(payload).payload  # the recorder reads, it does not judge
            except signed.EnvelopeError:
                return None
        try:
            alert = parse_alert(payload, None)
        except SteleError:
            return None
        scope = "/".join(rest[1:-1])
        sent = alert.sent.astimezone(UTC).isoformat() if alert.sent else None
        data = {"identifier": alert.identifier, "scope": scope, "sent": sent}
        return Event("alert", t_ms, topic, retained, data)
    if rest[0] == "device" and len(rest) == 3 and rest[2] in ("ack", "status"):
        try:
            data = json.loads(payload)
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        return Event(rest[2], t_ms, topic, retained, {"device": rest[1], **data})
    return None


def record(
    mqtt_cfg: MqttConfig,
    seconds: float,
    on_event: Callable[[Event], None],
    *,
    clock: Callable[[], float] = time.time,
    stop: threading.Event | None = None,
) -> None:
    """Listen `seconds` (or until `stop` is set) to alerts, acks and statuses."""
    prefix = mqtt_cfg.prefix
    lock = threading.Lock()

    def listener(topic: str, payload: bytes, retained: bool) -> None:
        event = to_event(topic, payload, retained, prefix, int(clock() * 1000))
        if event is not None:
            with lock:
                on_event(event)

    with CentralSession(mqtt_cfg) as session:
        session.listener = listener
        session.subscribe(
            [f"{prefix}/alerts/#", f"{prefix}/device/+/ack", f"{prefix}/device/+/status"]
        )
        (stop or threading.Event()).wait(seconds)


def parse_time(text: str) -> datetime:
    at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if at.tzinfo is None:
        raise ValueError(f"{text!r} needs a UTC offset, e.g. 2026-09-10T11:00:00+02:00")
    return at
