"""A clean MQTT session for the central side, with blocking, time-limited operations:
connect (MQTT 5, falling back to 3.1.1 where a broker needs it), read a scope's retained
state back completely, publish retained at QoS 1 with the broker's confirmation."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from stele.adapters import signed
from stele.adapters.mqtt import QOS, apply_tls_and_auth
from stele.adapters.topics import alert_topic, index_topic, scope_path
from stele.central.incidents import IncidentIndex, chain
from stele.domain.cap import JSON_CONTENT_TYPE, parse_alert
from stele.domain.model import Alert
from stele.errors import SteleError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from stele.config.models import MqttConfig

log = logging.getLogger("stele.central")

TIMEOUT_S = 5.0  # connect, subscribe and each publish
SNAPSHOT_WAIT_S = 2.0  # for the retained state of a scope
_SUBSCRIBE_BATCH = 100  # topics per SUBSCRIBE packet when reading many scopes
_UNSUPPORTED_PROTOCOL = 0x84


class PublishError(SteleError):
    """The broker is unreachable, refused us, or did not confirm a publish."""


class CentralSession:
    """A clean MQTT session with blocking, time-limited operations.

    Short-lived for `stele alert send|clear`; the bridge keeps one open and replaces it
    when `lost` (paho would reconnect by itself, but a clean session comes back without
    its subscriptions, and the retained state must be read again anyway).
    """

    def __init__(
        self,
        mqtt_cfg: MqttConfig,
        timeout: float = TIMEOUT_S,
        *,
        name: str = "stele-central",
        will: tuple[str, bytes] | None = None,
        signing_key: Ed25519PrivateKey | None = None,
    ) -> None:
        self._cfg = mqtt_cfg
        self._signing_key = signing_key
        self._timeout = timeout
        self._v5 = mqtt_cfg.protocol != "3.1.1"
        self._will = will
        # Never the stele's client id from the same config file: that would kick the stele off.
        self._client_id = f"{name}-{secrets.token_hex(4)}"
        self._cond = threading.Condition()
        self._connack: Any = None
        self._subacks: dict[int, list[Any]] = {}
        self._pubacks: dict[int, Any] = {}
        self._messages: dict[str, bytes] = {}
        self._closed = False  # the broker dropped us before CONNACK
        # paho's first error log line of each attempt: the TLS/socket reason (the later
        # ones of an attempt are about the closed socket).
        self._errors: list[str] = []
        self._attempt_error = False
        self._client: paho.Client | None = None
        # Called for every message on paho's thread (stele.central.fleet records with it).
        self.listener: Callable[[str, bytes, bool], None] | None = None

    def __enter__(self) -> CentralSession:
        self._connect()
        if self._v5 and self._cfg.protocol == "auto":
            if self._connack == _UNSUPPORTED_PROTOCOL:
                why = "does not speak MQTT 5"  # a 3.1.1 broker's return code 1 (NATS)
            elif self._connack is None:
                why = "closed the MQTT 5 connection without answering it"  # RabbitMQ 3.x
            else:
                why = ""
            if why:
                log.info("broker %s %s: using 3.1.1 (no content type, no expiry)", self._where, why)
                self.__exit__()
                self._v5 = False
                self._connect()
        if self._connack is None:
            self.__exit__()
            raise PublishError(self._closed_early())
        if self._connack.is_failure:
            self.__exit__()
            raise PublishError(f"broker {self._where} refused the connection: {self._connack}")
        return self

    def _closed_early(self) -> str:
        """What happened when the broker closed the connection without any CONNACK."""
        tried = f"MQTT {self._cfg.protocol}"
        if self._cfg.protocol == "auto":
            tried = "MQTT 5, then 3.1.1"
        errors = list(dict.fromkeys(self._errors))
        why = f" ({'; '.join(errors)})" if errors else ""
        tls = self._cfg.tls
        suspects = "whether it speaks MQTT on that port and accepts this client"
        if tls is not None and tls.cert_file is not None:
            suspects += f" with the TLS client certificate {tls.cert_file}"
        elif tls is not None:
            suspects += " (it may require a TLS client certificate: mqtt.tls.cert_file is not set)"
        elif self._cfg.username is not None:
            suspects += f" as user {self._cfg.username!r}"
        return (
            f"broker {self._where} closed the connection without answering the MQTT "
            f"CONNECT (tried {tried}){why}; check {suspects}"
        )

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.disconnect()
            self._client.loop_stop()
            self._client = None

    @property
    def lost(self) -> bool:
        """The broker closed the connection since it was accepted."""
        with self._cond:
            return self._closed

    def retained_payloads(self, scope: str, scope_id: str) -> dict[str, bytes]:
        """The raw retained alert payloads of a scope by key, as received so far (after
        `snapshot` of that scope: the subscription keeps them current)."""
        head = f"{self._cfg.prefix}/alerts/{scope_path(scope, scope_id)}/"
        with self._cond:
            return {
                t[len(head) :]: _unwrapped(p)
                for t, p in self._messages.items()
                if t.startswith(head) and "/" not in t[len(head) :]
            }

    @property
    def _where(self) -> str:
        return f"{self._cfg.host}:{self._cfg.port}"

    def _connect(self) -> None:
        """One connection attempt with the current protocol. Afterwards either a CONNACK is
        in (`_connack`), or the broker closed the connection before any (`_connack` None,
        client stopped); no answer at all or an unreachable broker raise PublishError."""
        with self._cond:
            self._connack, self._closed, self._attempt_error = None, False, False
        client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self._client_id,
            protocol=paho.MQTTv5 if self._v5 else paho.MQTTv311,
        )
        client.enable_logger(logging.getLogger("stele.central.paho"))
        apply_tls_and_auth(client, self._cfg)
        if self._will is not None:
            client.will_set(self._will[0], self._will[1], QOS, retain=True)
        client.connect_timeout = self._timeout
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_publish = self._on_publish
        client.on_message = self._on_message
        client.on_disconnect = self._on_disconnect
        client.on_log = self._on_log
        self._client = client
        try:
            client.connect(self._cfg.host, int(self._cfg.port), keepalive=30)
        except OSError as exc:
            self._client = None
            raise PublishError(f"cannot reach MQTT broker {self._where}: {exc}") from None
        client.loop_start()
        with self._cond:
            answered = self._cond.wait_for(
                lambda: self._connack is not None or self._closed, self._timeout
            )
        if self._connack is None:
            self.__exit__()
            if not answered:
                why = f": {self._errors[-1]}" if self._attempt_error else ""
                raise PublishError(
                    f"no answer from MQTT broker {self._where} within {self._timeout:g} s{why}"
                )

    def _on_connect(self, client: paho.Client, u: Any, f: Any, reason: Any, p: Any) -> None:
        with self._cond:
            self._connack = reason
            self._cond.notify_all()

    def _on_disconnect(self, client: paho.Client, u: Any, f: Any, reason: Any, p: Any) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _on_log(self, client: paho.Client, u: Any, level: int, text: str) -> None:
        if level == paho.MQTT_LOG_ERR and not self._attempt_error:
            self._attempt_error = True
            self._errors.append(text)

    def _on_subscribe(self, client: paho.Client, u: Any, mid: int, codes: Any, p: Any) -> None:
        with self._cond:
            self._subacks[mid] = list(codes)
            self._cond.notify_all()

    def _on_publish(self, client: paho.Client, u: Any, mid: int, reason: Any, p: Any) -> None:
        with self._cond:
            self._pubacks[mid] = reason
            self._cond.notify_all()

    def _on_message(self, client: paho.Client, u: Any, msg: paho.MQTTMessage) -> None:
        if self.listener is not None:
            self.listener(msg.topic, bytes(msg.payload), bool(msg.retain))
        with self._cond:
            if msg.payload:
                self._messages[msg.topic] = bytes(msg.payload)
            else:
                self._messages.pop(msg.topic, None)
            self._cond.notify_all()

    def _wait(self, table: dict[int, Any], mid: int, what: str) -> Any:
        with self._cond:
            if not self._cond.wait_for(lambda: mid in table, self._timeout):
                raise PublishError(
                    f"broker {self._where} did not confirm {what} within {self._timeout:g} s"
                )
            return table.pop(mid)

    def snapshot(self, scope: str, scope_id: str) -> tuple[IncidentIndex, dict[str, Alert]]:
        """The scope's retained index and retained alerts (by key)."""
        return self.snapshot_many([(scope, scope_id)])[(scope, scope_id)]

    def snapshot_many(
        self, scopes: list[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[IncidentIndex, dict[str, Alert]]]:
        """Each scope's retained index and retained alerts (by key), read in one go (the
        bridge follows hundreds of scopes: one sync, not one per scope).

        Completeness: after the SUBACK we publish a marker to a private topic we are
        subscribed to; the broker queues it behind the retained messages, so when it
        arrives everything retained has arrived. Without it (no permission) we settle
        for SNAPSHOT_WAIT_S. A broker that does not deliver retained messages to a
        wildcard subscription (RabbitMQ 3.x) sends only the index: the alerts it lists
        that did not come are then asked for by their exact topics, and synced again.
        """
        assert self._client is not None
        prefix = self._cfg.prefix
        marker = f"{prefix}/central/sync/{self._client_id}"
        wanted = {
            sc: (index_topic(prefix, *sc), f"{prefix}/alerts/{scope_path(*sc)}/+") for sc in scopes
        }
        topics = [t for pair in wanted.values() for t in pair]
        for n in range(0, len(topics), _SUBSCRIBE_BATCH):
            chunk = topics[n : n + _SUBSCRIBE_BATCH]
            self._subscribe(chunk, reading=chunk[0])
        self._subscribe([marker], reading=marker)
        messages = {t: _unwrapped(p) for t, p in self._sync(marker).items()}
        indexes = {sc: IncidentIndex.from_payload(messages.get(wanted[sc][0])) for sc in scopes}
        missing = []
        for sc, index in indexes.items():
            for key in index.incidents:
                try:
                    topic = alert_topic(prefix, *sc, key)
                except SteleError:
                    continue  # not a topic level: nothing of ours was ever published there
                if topic not in messages:
                    missing.append(topic)
        if missing:
            log.info(
                "%d listed alert(s) not delivered by the wildcard: asking by topic", len(missing)
            )
            for n in range(0, len(missing), _SUBSCRIBE_BATCH):
                chunk = missing[n : n + _SUBSCRIBE_BATCH]
                self._subscribe(chunk, reading=chunk[0])
            messages = {t: _unwrapped(p) for t, p in self._sync(marker).items()}
        return {sc: self._retained(indexes[sc], wanted[sc][1], messages) for sc in scopes}

    def _retained(
        self, index: IncidentIndex, alerts: str, messages: dict[str, bytes]
    ) -> tuple[IncidentIndex, dict[str, Alert]]:
        retained: dict[str, Alert] = {}
        for topic, payload in messages.items():
            if not topic.startswith(alerts[:-1]) or "/" in topic[len(alerts) - 1 :]:
                continue
            key = topic.rsplit("/", 1)[1]
            try:
                retained[key] = parse_alert(payload, max_bytes=int(self._cfg.max_payload_bytes))
            except SteleError as exc:
                log.warning("retained %s is not CAP (%s): listed without identifiers", topic, exc)
                index.incidents.setdefault(key, [])
                continue
            # A retained alert the index does not know (another tool, or a lost index)
            # must stay listed, or steles would drop it.
            if key not in index.incidents:
                index.add(key, chain(retained[key]))
        return index, retained

    def retained(self, topics: list[str]) -> dict[str, bytes]:
        """Subscribe to `topics` (filters) and return everything retained there so far."""
        marker = f"{self._cfg.prefix}/central/sync/{self._client_id}"
        self._subscribe([*topics, marker], reading=topics[0])
        return {t: p for t, p in self._sync(marker).items() if t != marker}

    def subscribe(self, topics: list[str]) -> None:
        """Subscribe (QoS 1) and wait for the SUBACK; refused filters raise PublishError."""
        self._subscribe(topics, reading=topics[0])

    def send(self, topic: str, payload: bytes) -> None:
        """A confirmed QoS 1 publish, not retained and never signed (commands)."""
        self.publish(topic, payload, retain=False, sign=False, content_type=JSON_CONTENT_TYPE)

    def _subscribe(self, topics: list[str], *, reading: str) -> None:
        assert self._client is not None
        _, mid = self._client.subscribe([(t, QOS) for t in topics])
        if mid is None:
            raise PublishError(f"broker {self._where}: the subscription was not sent")
        codes = self._wait(self._subacks, mid, "the subscription")
        # The marker (last, when there) may be refused: _sync copes with that.
        reads = codes[:-1] if topics[-1].startswith(f"{self._cfg.prefix}/central/") else codes
        if any(getattr(c, "is_failure", False) or c == 0x80 for c in reads):
            raise PublishError(f"broker {self._where} refused to let us read {reading}: {codes}")

    def _sync(self, marker: str) -> dict[str, bytes]:
        """Everything retained so far: wait for our marker to come back (docs/mqtt.md)."""
        assert self._client is not None
        token = secrets.token_hex(8).encode()
        sent = self._client.publish(marker, token, QOS)

        def refused() -> bool:
            return getattr(self._pubacks.get(sent.mid), "is_failure", False)

        with self._cond:
            if not self._cond.wait_for(
                lambda: self._messages.get(marker) == token or refused(), SNAPSHOT_WAIT_S
            ):
                log.info("no sync marker within %g s: using what arrived", SNAPSHOT_WAIT_S)
            elif refused():  # no permission for the marker: give the broker a moment instead
                self._cond.wait(0.5)
            return dict(self._messages)

    def publish(
        self,
        topic: str,
        payload: bytes,
        *,
        content_type: str | None = None,
        expiry_s: int | None = None,
        retain: bool = True,
        sign: bool = True,
    ) -> None:
        """QoS 1 publish (retained unless told), confirmed by the broker; signed when the
        session has a key (`sign=False`: the bare delete of a retained slot)."""
        assert self._client is not None
        if self._signing_key is not None and sign:
            from stele.central.signing import sign as make_envelope

            payload = make_envelope(
                payload, self._signing_key, topic=topic, content_type=content_type or ""
            )
            content_type = signed.CONTENT_TYPE
        props = None
        if self._v5 and (content_type or expiry_s):
            props = Properties(PacketTypes.PUBLISH)
            if content_type:
                props.ContentType = content_type
            if expiry_s:
                props.MessageExpiryInterval = expiry_s
        info = self._client.publish(topic, payload, QOS, retain=retain, properties=props)
        if info.rc != paho.MQTT_ERR_SUCCESS:
            raise PublishError(f"publish to {topic} failed: {paho.error_string(info.rc)}")
        reason = self._wait(self._pubacks, info.mid, f"the publish to {topic}")
        if getattr(reason, "is_failure", False):
            raise PublishError(f"broker {self._where} refused the publish to {topic}: {reason}")


def _unwrapped(payload: bytes) -> bytes:
    """The payload inside a signed envelope (our own retained state: not verified here)."""
    if not signed.is_envelope(payload):
        return payload
    try:
        return signed.decode(payload).payload
    except signed.EnvelopeError:
        return payload
