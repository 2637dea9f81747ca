"""The stele's MQTT connection (paho-mqtt 2.x), implementing docs/mqtt.md.

One place sets every paho callback. On each connect the client re-subscribes
from its own table (`subscriptions`) and re-publishes its last status; a Last
Will says "offline". Payloads are size-checked and topics parsed before the
app sees them; anything odd is logged (truncated) and dropped.

Threading: `on_message` and `on_connection` run on paho's network thread.
They must not block and must not touch Qt objects: the caller hops threads
(e.g. emits a queued Qt signal). The publish_* methods may be called from any
thread.
"""

from __future__ import annotations

import json
import logging
import random
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from stele.domain.backoff import backoff_delay, device_rng
from stele.errors import ConfigError

if TYPE_CHECKING:
    from stele.config.models import DeviceConfig, MqttConfig

log = logging.getLogger("stele.mqtt")

QOS = 1
SCOPES = ("all", "ars", "device")
# CONNACK "Unsupported Protocol Version": MQTT 5 code 0x84; paho maps a 3.1.1 broker's rc 1 to it.
_UNSUPPORTED_PROTOCOL = 0x84
# Room for topic and properties above the payload limit in MQTT 5 Maximum Packet Size.
_PACKET_OVERHEAD = 70_000
_LOGGED_PAYLOAD_BYTES = 120


@dataclass(frozen=True)
class Incoming:
    """One message for the app, already routed by topic."""

    kind: str  # "alert" | "index" | "cmd" | "content"
    scope: str  # "all" | "ars" | "device" for alert/index; "" for cmd/content
    scope_id: str  # ARS or device id for scope "ars"/"device", else ""
    key: str  # incident key for kind "alert", else ""
    topic: str
    payload: bytes  # b"" on an alert topic: the server ended that incident
    content_type: str | None  # MQTT 5 Content Type property, if any
    retained: bool
    received_ms: int  # epoch ms UTC, taken first thing in paho's on_message


# --- topics (shared with stele.central.publish) ------------------------------------------


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
    """PREFIX/device/<id>/<leaf> for leaf in status, ack, cmd, cmd/result."""
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


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _secret(value: Any) -> str | None:
    if value is None:
        return None
    return value.get_secret_value() if hasattr(value, "get_secret_value") else str(value)


def apply_tls_and_auth(client: paho.Client, mqtt_cfg: MqttConfig) -> None:
    """Username/password and TLS (server verification unless `insecure`) from MqttConfig."""
    if mqtt_cfg.username is not None:
        client.username_pw_set(mqtt_cfg.username, _secret(mqtt_cfg.password))
    tls = mqtt_cfg.tls
    if tls is not None:

        def path(p: Any) -> str | None:
            return None if p is None else str(p)

        client.tls_set(
            ca_certs=path(tls.ca_file),
            certfile=path(tls.cert_file),
            keyfile=path(tls.key_file),
            cert_reqs=ssl.CERT_REQUIRED,
            tls_version=ssl.PROTOCOL_TLS_CLIENT,
        )
        if tls.insecure:
            client.tls_insecure_set(True)


class _PahoLog(logging.LoggerAdapter[logging.Logger]):
    """paho's log lines for one client, with one correction.

    After a disconnect we asked for (clean stop, the 3.1.1 fallback), paho's network thread
    sends the DISCONNECT, closes the socket itself and then runs its loop step once more on
    the closed socket; paho 2.2 logs that pass as ERROR "Client is not connected". Whether it
    gets there first or loop_stop() ends the thread first is a race. It is the expected end
    of a wanted disconnect, so it is logged at DEBUG then; on any other connection it stays
    an error.
    """

    def __init__(self, logger: logging.Logger) -> None:
        super().__init__(logger, {})
        self.leaving = False  # set just before we disconnect this client on purpose

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        if (
            self.leaving
            and level > logging.DEBUG
            and str(msg).startswith("Client is not connected")
        ):
            level = logging.DEBUG
        super().log(level, msg, *args, **kwargs)


def truncated(payload: bytes) -> str:
    head = payload[:_LOGGED_PAYLOAD_BYTES]
    return repr(head) + ("..." if len(payload) > len(head) else "")


# --- the client --------------------------------------------------------------------------


class SteleMqtt:
    """The stele side of the contract. `start()` never blocks and never raises on a dead broker."""

    def __init__(
        self,
        mqtt_cfg: MqttConfig,
        device_cfg: DeviceConfig,
        *,
        version: str,
        on_message: Callable[[Incoming], None],
        on_connection: Callable[[bool], None] | None = None,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self._cfg = mqtt_cfg
        self._device_id = check_level(device_cfg.id, "device id")
        self._ars = device_cfg.ars
        self._prefix = mqtt_cfg.prefix
        self._version = version
        self._on_message = on_message
        self._on_connection = on_connection
        self._clock = clock
        self._rng = rng if rng is not None else device_rng(self._device_id)
        self._table = subscriptions(self._prefix, self._device_id, self._ars)
        self._status_topic = device_topic(self._prefix, self._device_id, "status")
        self._client_id = mqtt_cfg.client_id or f"stele-{self._device_id}"
        self._v5 = mqtt_cfg.protocol != "3.1.1"

        self._lock = threading.RLock()
        self._client: paho.Client | None = None
        self._paho_log = _PahoLog(logging.getLogger("stele.mqtt.paho"))  # of self._client
        self._connected = False
        self._stopped = False
        self._status = _json({"state": "online", "version": version})  # last status, encoded
        self._attempt = 0
        self._attempt_open = False  # a connection attempt began and has not been backed off yet
        self._fallback: threading.Thread | None = None
        self._sub_mid = -1  # the SUBSCRIBE of our table on the current connection
        self._reported = False  # what on_connection last said

    # public API

    @property
    def connected(self) -> bool:
        return self._connected

    @property
    def protocol(self) -> str:
        """ "5" or "3.1.1": what the client speaks now (after any fallback)."""
        return "5" if self._v5 else "3.1.1"

    def start(self) -> None:
        with self._lock:
            if self._client is not None or self._stopped:
                return
            self._client = self._launch()

    def stop(self, timeout: float = 5.0) -> None:
        """Publish retained offline, wait for the broker's ack, disconnect, stop the thread."""
        with self._lock:
            self._stopped = True
            client, connected, fallback = self._client, self._connected, self._fallback
        if fallback is not None:
            fallback.join(timeout)
            with self._lock:
                client, connected = self._client, self._connected
        if client is None:
            return
        if connected:
            info = client.publish(
                self._status_topic, self._offline(), QOS, retain=True, properties=self._json_props()
            )
            try:
                info.wait_for_publish(timeout)
            except (RuntimeError, ValueError) as exc:
                log.warning("offline status not confirmed before disconnect: %s", exc)
        self._leave(client)
        client.loop_stop()

    def publish_status(self, status: dict[str, Any]) -> None:
        """Retained status; remembered and re-published on every (re)connect."""
        st = dict(status)
        st.setdefault("state", "online")
        st.setdefault("version", self._version)
        payload = _json(st)  # a TypeError belongs to the caller, not to paho's thread
        with self._lock:
            self._status = payload
            client = self._client if self._connected else None
        if client is not None:
            client.publish(
                self._status_topic, payload, QOS, retain=True, properties=self._json_props()
            )

    def publish_ack(self, ack: dict[str, Any]) -> None:
        """Not retained; queued by paho while offline (QoS 1) and sent after reconnect."""
        self._publish(device_topic(self._prefix, self._device_id, "ack"), _json(ack), True)

    def publish_result(self, payload: bytes | dict[str, Any]) -> None:
        is_json = isinstance(payload, dict)
        data = _json(payload) if isinstance(payload, dict) else payload
        self._publish(device_topic(self._prefix, self._device_id, "cmd/result"), data, is_json)

    # internals

    def _publish(self, topic: str, data: bytes, is_json: bool) -> None:
        with self._lock:
            client = self._client
        if client is None:
            log.warning("not started: dropped publish to %s", topic)
            return
        props = self._json_props() if is_json else None
        client.publish(topic, data, QOS, retain=False, properties=props)

    def _leave(self, client: paho.Client) -> None:
        """Disconnect `client` on purpose (the current one: its log adapter is ours)."""
        self._paho_log.leaving = True
        client.disconnect()

    def _offline(self) -> bytes:
        return _json({"state": "offline", "version": self._version})

    def _json_props(self) -> Properties | None:
        if not self._v5:
            return None
        props = Properties(PacketTypes.PUBLISH)
        props.ContentType = "application/json"
        return props

    def _launch(self) -> paho.Client:
        """Build a client for the current protocol, connect asynchronously, start its thread."""
        cfg = self._cfg
        protocol = paho.MQTTv5 if self._v5 else paho.MQTTv311
        client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self._client_id,
            protocol=protocol,
            clean_session=None if self._v5 else False,
        )
        self._paho_log = _PahoLog(logging.getLogger("stele.mqtt.paho"))
        # paho only calls .log() on it; the adapter keeps the logger's level check.
        client.enable_logger(self._paho_log)  # type: ignore[arg-type]
        apply_tls_and_auth(client, cfg)
        # Set before connecting: the broker stores it with the CONNECT.
        client.will_set(self._status_topic, self._offline(), QOS, retain=True)
        # paho's stubs say int; its loop computes with floats, and sub-second delays matter here.
        client.reconnect_delay_set(cfg.reconnect_min_s, cfg.reconnect_max_s)  # type: ignore[arg-type]
        # Bound memory while offline for days (acks queue up).
        client.max_queued_messages_set(1000)
        client.on_pre_connect = self._handle_pre_connect
        client.on_connect = self._handle_connect
        client.on_connect_fail = self._handle_connect_fail
        client.on_disconnect = self._handle_disconnect
        client.on_message = self._handle_message
        client.on_subscribe = self._handle_subscribe
        if self._v5:
            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = int(cfg.session_expiry_s)
            # The broker drops what we would drop anyway, before it costs memory here.
            props.MaximumPacketSize = min(int(cfg.max_payload_bytes) + _PACKET_OVERHEAD, 268435455)
            client.connect_async(
                cfg.host, int(cfg.port), int(cfg.keepalive_s), clean_start=False, properties=props
            )
        else:
            client.connect_async(cfg.host, int(cfg.port), int(cfg.keepalive_s))
        client.loop_start()
        log.info(
            "connecting to %s:%s as %s (MQTT %s)",
            cfg.host,
            cfg.port,
            self._client_id,
            self.protocol,
        )
        return client

    def _handle_pre_connect(self, client: paho.Client, userdata: Any) -> None:
        self._attempt_open = True

    def _handle_connect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        if reason.is_failure:
            if reason == _UNSUPPORTED_PROTOCOL and self._v5 and self._cfg.protocol == "auto":
                self._fall_back_to_311(client)
                return
            log.warning("broker refused the connection: %s", reason)
            return  # the broker closes the socket; _handle_disconnect backs off
        with self._lock:
            self._connected = True
            self._attempt = 0
            status = self._status
        log.info("connected (session present: %s)", bool(flags.session_present))
        _, sub_mid = client.subscribe([(topic, QOS) for topic in self._table])
        self._sub_mid = sub_mid if sub_mid is not None else -1
        client.publish(self._status_topic, status, QOS, retain=True, properties=self._json_props())

    def _handle_subscribe(
        self, client: paho.Client, userdata: Any, mid: int, codes: list[Any], properties: Any
    ) -> None:
        if mid != self._sub_mid:
            return
        for topic, code in zip(self._table, codes, strict=False):
            if code.is_failure:
                log.error("broker refused subscription %s: %s (check the ACLs)", topic, code)
        # Only now is the link usable for receiving: report it up.
        self._notify(True)

    def _fall_back_to_311(self, client: paho.Client) -> None:
        log.info("broker does not speak MQTT 5: falling back to 3.1.1 (no MQTT 5 extras)")
        self._attempt_open = False  # no backoff: the 3.1.1 client connects at once
        self._leave(client)  # ends this client's loop; a helper thread starts the 3.1.1 client

        def relaunch() -> None:
            client.loop_stop()
            with self._lock:
                if self._stopped:
                    return
                self._v5 = False
                self._client = self._launch()

        with self._lock:
            self._fallback = threading.Thread(
                target=relaunch, name="stele-mqtt-fallback", daemon=True
            )
            self._fallback.start()

    def _handle_connect_fail(self, client: paho.Client, userdata: Any) -> None:
        self._back_off(client, "connection failed")

    def _handle_disconnect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        with self._lock:
            was, self._connected = self._connected, False
        if was:
            log.log(logging.INFO if self._stopped else logging.WARNING, "disconnected: %s", reason)
            self._notify(False)
        self._back_off(client, f"disconnected ({reason})")

    def _back_off(self, client: paho.Client, why: str) -> None:
        """Arm paho's next reconnect wait with a jittered delay (once per attempt)."""
        if not self._attempt_open or self._stopped:
            return
        self._attempt_open = False
        delay = backoff_delay(
            self._attempt, self._cfg.reconnect_min_s, self._cfg.reconnect_max_s, self._rng
        )
        self._attempt += 1
        # min == max: paho waits exactly this long; its own doubling never applies.
        client.reconnect_delay_set(delay, delay)  # type: ignore[arg-type]
        level = logging.WARNING if self._attempt == 1 else logging.INFO
        log.log(level, "%s; retry %d in %.2f s", why, self._attempt, delay)

    def _handle_message(self, client: paho.Client, userdata: Any, msg: paho.MQTTMessage) -> None:
        received_ms = int(self._clock() * 1000)
        try:
            topic = msg.topic
        except UnicodeDecodeError:
            log.warning("dropped a message: topic is not UTF-8")
            return
        payload = bytes(msg.payload)
        limit = int(self._cfg.max_payload_bytes)
        if len(payload) > limit:
            log.warning(
                "dropped %s: payload of %d bytes exceeds max_payload_bytes %d",
                topic,
                len(payload),
                limit,
            )
            return
        try:
            kind, scope, scope_id, key = parse_topic(
                topic, self._prefix, self._device_id, self._ars
            )
        except ValueError as exc:
            log.warning("dropped %s: %s; payload %s", topic, exc, truncated(payload))
            return
        props = getattr(msg, "properties", None)
        content_type = getattr(props, "ContentType", None) if props is not None else None
        incoming = Incoming(
            kind, scope, scope_id, key, topic, payload, content_type, bool(msg.retain), received_ms
        )
        try:
            self._on_message(incoming)
        except Exception:
            # Never let the app's handler kill paho's network thread.
            log.exception("on_message handler failed for %s", topic)

    def _notify(self, up: bool) -> None:
        """Report link changes once each (a drop before the SUBACK reports nothing)."""
        if up == self._reported:
            return
        self._reported = up
        if self._on_connection is None:
            return
        try:
            self._on_connection(up)
        except Exception:
            log.exception("on_connection handler failed")
