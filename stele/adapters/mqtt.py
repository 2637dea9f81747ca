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
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from stele.adapters.index_fetch import IndexFetch
from stele.adapters.signed import Gate, parse_public_key
from stele.adapters.topics import check_level, device_topic, parse_topic, subscriptions
from stele.domain.backoff import backoff_delay, device_rng

if TYPE_CHECKING:
    from stele.config.models import DeviceConfig, MqttConfig, SecurityConfig

log = logging.getLogger("stele.mqtt")

QOS = 1
# CONNACK "Unsupported Protocol Version": MQTT 5 code 0x84; paho maps a 3.1.1 broker's rc 1 to it.
_UNSUPPORTED_PROTOCOL = 0x84
# MQTT 5 connections closed in a row before any CONNACK after which "auto" tries the other
# protocol: RabbitMQ 3.x closes an MQTT 5 CONNECT without answering (against the spec).
_EARLY_CLOSES_BEFORE_SWITCH = 2
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
        fetch_grace_s: float = 2.0,
        fetch_patience_s: float = 10.0,
        security: SecurityConfig | None = None,
        on_security_problems: Callable[[list[str]], None] | None = None,
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
        self._got_connack = False  # on the current connection attempt
        self._early_closes = 0  # attempts in a row closed by the broker before any CONNACK
        self._was_connected = False  # a connection of this process got a CONNACK before
        self._wake = threading.Event()  # set by stop(): ends a delayed protocol switch
        # Clients replaced by a protocol switch: their last callbacks are not about us.
        self._retired: weakref.WeakSet[paho.Client] = weakref.WeakSet()
        # Signed alerts and indexes (stele.adapters.signed): checked before anything else sees them.
        # Without keys it only unwraps signed envelopes (a city signs before its steles check).
        self._gate = Gate(
            [parse_public_key(k) for k in security.trusted_keys] if security else [],
            require=security.require_signature if security else False,
            on_problems=on_security_problems,
        )
        # Retained alerts the indexes list that did not come by the wildcards (RabbitMQ).
        self._fetch = IndexFetch(
            self._prefix,
            grace_s=fetch_grace_s,
            patience_s=fetch_patience_s,
            live_client=lambda: self._client if self._connected else None,
        )

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
            self._wake.set()
            self._fetch.stop()
            client, connected, fallback = self._client, self._connected, self._fallback
        if fallback is not None:
            fallback.join(timeout)
            with self._lock:
                client, connected = self._client, self._connected
        if client is None:
            return
        if connected:
            info = client.publish(
                self._status_topic,
                self._offline(clean=True),
                QOS,
                retain=True,
                properties=self._json_props(),
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

    def publish_played(self, report: dict[str, Any]) -> paho.MQTTMessageInfo | None:
        """A proof-of-play report (QoS 1, not retained) while connected, else None: the
        caller keeps it on disk until `is_published()` says the broker has it."""
        with self._lock:
            client = self._client if self._connected else None
        if client is None:
            return None
        topic = device_topic(self._prefix, self._device_id, "played")
        return client.publish(
            topic, _json(report), QOS, retain=False, properties=self._json_props()
        )

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

    def _offline(self, *, clean: bool) -> bytes:
        """A clean stop says since when; the Last Will (set before each CONNECT) can only
        say when the connection it covers began (docs/mqtt.md, status)."""
        now = datetime.fromtimestamp(self._clock(), UTC).isoformat(timespec="seconds")
        when = {"since": now} if clean else {"last_connect": now}
        return _json({"state": "offline", "version": self._version, **when})

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
        # Set before connecting (and again before each reconnect, _handle_pre_connect): the
        # broker stores it with the CONNECT.
        client.will_set(self._status_topic, self._offline(clean=False), QOS, retain=True)
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
        if client in self._retired:
            return
        self._attempt_open = True
        self._got_connack = False
        client.will_set(self._status_topic, self._offline(clean=False), QOS, retain=True)

    def _handle_connect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        if client in self._retired:
            return
        self._got_connack = True
        self._early_closes = 0  # it answered: it speaks this protocol
        if reason.is_failure:
            if reason == _UNSUPPORTED_PROTOCOL and self._v5 and self._cfg.protocol == "auto":
                log.info("broker does not speak MQTT 5: falling back to 3.1.1 (no MQTT 5 extras)")
                self._switch_protocol(client, v5=False, delay=0.0)
                return
            log.warning("broker refused the connection: %s", reason)
            return  # the broker closes the socket; _handle_disconnect backs off
        present = bool(flags.session_present)
        with self._lock:
            self._connected = True
            self._attempt = 0
            status = self._status
            again, self._was_connected = self._was_connected, True
        self._log_session(present, again, properties)
        self._fetch.connected(client, session_present=present)
        # Every connect subscribes the whole table again, kept session or not: the broker
        # then sends every retained alert and index anew, which rebuilds a lost session.
        _, sub_mid = client.subscribe([(topic, QOS) for topic in self._table])
        self._sub_mid = sub_mid if sub_mid is not None else -1
        client.publish(self._status_topic, status, QOS, retain=True, properties=self._json_props())

    def _log_session(self, present: bool, again: bool, properties: Any) -> None:
        wanted = 0 if self._v5 and not self._cfg.session_expiry_s else None  # None: a session
        if present or wanted == 0:
            log.info("connected (session present: %s)", present)
        elif again:
            log.warning(
                "connected, but the broker kept no session for this stele (expired while it "
                "was offline, or lost): commands sent meanwhile are lost; alerts and indexes "
                "come again from the retained messages"
            )
        else:
            log.info("connected (no session on the broker: new, expired or lost)")
        granted = getattr(properties, "SessionExpiryInterval", None) if properties else None
        if self._v5 and granted is not None and granted < self._cfg.session_expiry_s:
            log.warning(
                "broker keeps this stele's session only %d s after a drop (asked %d s)",
                granted,
                self._cfg.session_expiry_s,
            )

    def _handle_subscribe(
        self, client: paho.Client, userdata: Any, mid: int, codes: list[Any], properties: Any
    ) -> None:
        if self._fetch.suback(mid, codes) or mid != self._sub_mid:
            return
        for topic, code in zip(self._table, codes, strict=False):
            if code.is_failure:
                log.error("broker refused subscription %s: %s (check the ACLs)", topic, code)
        # Only now is the link usable for receiving: report it up.
        self._notify(True)

    def _switch_protocol(self, client: paho.Client, *, v5: bool, delay: float) -> None:
        """Replace `client` by one speaking the other protocol, `delay` s from now.

        Called from paho's callbacks. From on_connect, disconnect() ends the client's loop.
        From on_disconnect it does not: paho marks the connection lost after the callback
        returns and would reconnect after its delay; so that delay is made long here, and
        the helper thread's disconnect() (after the callback) ends the wait for good.
        """
        self._attempt_open = False  # the delay, if any, is this attempt's backoff
        self._retired.add(client)
        self._leave(client)
        client.reconnect_delay_set(3600, 3600)

        def relaunch() -> None:
            if delay and self._wake.wait(delay):
                return  # stopped meanwhile; stop() ends this client
            client.disconnect()
            with self._lock:
                if not self._stopped:
                    self._v5 = v5
                    self._client = self._launch()
            client.loop_stop()  # the old thread leaves its wait within a second

        with self._lock:
            self._fallback = threading.Thread(
                target=relaunch, name="stele-mqtt-fallback", daemon=True
            )
            self._fallback.start()

    def _handle_connect_fail(self, client: paho.Client, userdata: Any) -> None:
        if client in self._retired:
            return
        self._early_closes = 0  # nobody listening: says nothing about the protocol
        self._back_off(client, "connection failed")

    def _handle_disconnect(
        self, client: paho.Client, userdata: Any, flags: Any, reason: Any, properties: Any
    ) -> None:
        if client in self._retired:
            return
        with self._lock:
            was, self._connected = self._connected, False
        self._fetch.disconnected()
        if was:
            log.log(logging.INFO if self._stopped else logging.WARNING, "disconnected: %s", reason)
            self._notify(False)
        if self._attempt_open and not self._got_connack and not self._paho_log.leaving:
            self._early_closes += 1
            if self._cfg.protocol == "auto" and self._early_closes >= _EARLY_CLOSES_BEFORE_SWITCH:
                other = "3.1.1" if self._v5 else "5"
                delay = self._next_delay(
                    f"broker closed {self._early_closes} MQTT {self.protocol} connections in a "
                    f"row without answering (RabbitMQ 3.x does so for MQTT 5): trying MQTT {other}"
                )
                if delay is not None:
                    self._early_closes = 0
                    self._switch_protocol(client, v5=not self._v5, delay=delay)
                return
            # With "auto" against MQTT 5 this is a step of finding the protocol: not a warning.
            probing = self._cfg.protocol == "auto" and self._v5
            self._back_off(
                client, f"closed by the broker before it answered ({reason})", quiet=probing
            )
            return
        self._back_off(client, f"disconnected ({reason})")

    def _back_off(self, client: paho.Client, why: str, *, quiet: bool = False) -> None:
        """Arm paho's next reconnect wait with a jittered delay (once per attempt)."""
        delay = self._next_delay(why, quiet=quiet)
        if delay is not None:
            # min == max: paho waits exactly this long; its own doubling never applies.
            client.reconnect_delay_set(delay, delay)  # type: ignore[arg-type]

    def _next_delay(self, why: str, *, quiet: bool = False) -> float | None:
        """The jittered wait before the next attempt (None: none due, or stopped); logged."""
        if not self._attempt_open or self._stopped:
            return None
        self._attempt_open = False
        delay = backoff_delay(
            self._attempt, self._cfg.reconnect_min_s, self._cfg.reconnect_max_s, self._rng
        )
        self._attempt += 1
        level = logging.WARNING if self._attempt == 1 and not quiet else logging.INFO
        log.log(level, "%s; retry %d in %.2f s", why, self._attempt, delay)
        return delay

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
        if kind in ("alert", "index"):
            verdict = self._gate.check(topic, payload, content_type)
            if verdict.error:
                level = logging.DEBUG if verdict.quiet else logging.WARNING
                log.log(
                    level, "rejected %s: %s; payload %s", topic, verdict.error, truncated(payload)
                )
                return
            payload, content_type = verdict.payload, verdict.content_type
        incoming = Incoming(
            kind, scope, scope_id, key, topic, payload, content_type, bool(msg.retain), received_ms
        )
        try:
            self._on_message(incoming)
        except Exception:
            # Never let the app's handler kill paho's network thread.
            log.exception("on_message handler failed for %s", topic)
        # The index is the source of truth: what it lists must arrive (stele.adapters.retained).
        if kind == "alert":
            self._fetch.alert(client, topic)
        elif kind == "index":
            self._fetch.index(client, scope, scope_id, topic, payload, retained=incoming.retained)

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
