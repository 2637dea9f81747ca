"""Brokers and plain paho clients for tests. The broker itself lives in the package
(`stele demo` starts one too); this module adds the observing/injecting clients, which
speak what the broker speaks (MQTT 5, or 3.1.1 for NATS and RabbitMQ) and use its
credentials (RabbitMQ: the test's virtual host) unless given others."""

from __future__ import annotations

import secrets
import time
from typing import Any

from stele.adapters.local_broker import (  # noqa: F401 - re-exported for the tests
    MosquittoBroker,
    MosquittoMissing,
    find_mosquitto,
    free_port,
    wait_for_port,
)


def _client(broker: Any, auth: dict[str, str], *, session: bool = False) -> Any:
    """A plain paho client for `broker`: its protocol, its credentials unless `auth` is given
    (username/password, and/or ca/cert/key file paths for TLS);
    `session`: a persistent one (3.1.1 clean session off; for MQTT 5 see _connect)."""
    import paho.mqtt.client as paho
    from paho.mqtt.enums import CallbackAPIVersion

    v5 = getattr(broker, "mqtt5", True)
    client = paho.Client(
        CallbackAPIVersion.VERSION2,
        client_id=f"test-{secrets.token_hex(4)}",
        protocol=paho.MQTTv5 if v5 else paho.MQTTv311,
        **({"clean_session": False} if session and not v5 else {}),
    )
    auth = dict(auth or getattr(broker, "auth", {}))
    # "ca", "cert", "key": TLS with server verification and a client certificate.
    tls = {k: auth.pop(k) for k in ("ca", "cert", "key") if k in auth}
    if tls:
        client.tls_set(ca_certs=tls.get("ca"), certfile=tls.get("cert"), keyfile=tls.get("key"))
    if auth:
        client.username_pw_set(auth["username"], auth.get("password"))
    return client

# --- plain paho clients for observing and injecting (the "server side" in tests) ----------


class TopicRecorder:
    """A plain MQTT client that records (topic, payload, retain, content_type) of what it
    subscribed to, with when each arrived, and can publish (the server side in tests)."""

    def __init__(
        self, broker: MosquittoBroker, *topics: str, session: bool = False, **auth: str
    ) -> None:
        """`session`: a persistent session, so that the broker keeps what arrives for it
        while it is cut off (e.g. by broker.stop()) and delivers it when it is back."""
        import threading

        self.messages: list[tuple[str, bytes, bool, str | None]] = []
        self.expiry: list[int | None] = []  # MQTT 5 Message Expiry Interval, per message
        self.arrived: list[float] = []  # time.time() at receipt, per message (latency benches)
        self._cond = threading.Condition()
        self._subscribed = threading.Event()
        self._broker = broker
        self._client = _client(broker, auth, session=session)

        def on_connect(c, u, f, rc, p):  # type: ignore[no-untyped-def]
            c.subscribe([(t, 1) for t in topics])

        def on_subscribe(c, u, mid, rcs, p):  # type: ignore[no-untyped-def]
            self.granted = rcs
            self._subscribed.set()

        def on_message(c, u, msg):  # type: ignore[no-untyped-def]
            now = time.time()
            ct = getattr(msg.properties, "ContentType", None) if msg.properties else None
            ttl = getattr(msg.properties, "MessageExpiryInterval", None) if msg.properties else None
            with self._cond:
                self.messages.append((msg.topic, bytes(msg.payload), bool(msg.retain), ct))
                self.expiry.append(ttl)
                self.arrived.append(now)
                self._cond.notify_all()

        self._client.on_connect = on_connect
        self._client.on_subscribe = on_subscribe
        self._client.on_message = on_message
        if session and getattr(broker, "mqtt5", True):
            from paho.mqtt.packettypes import PacketTypes
            from paho.mqtt.properties import Properties

            props = Properties(PacketTypes.CONNECT)
            props.SessionExpiryInterval = 300
            self._client.connect(broker.host, broker.port, keepalive=10, clean_start=False,
                                 properties=props)
        else:
            self._client.connect(broker.host, broker.port, keepalive=10)
        self._client.loop_start()
        if not self._subscribed.wait(5):
            raise RuntimeError("TopicRecorder: no SUBACK within 5 s")

    def wait_for(self, predicate, timeout: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
        """Wait until predicate(messages) is true."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self.messages), timeout)

    def publish(
        self, topic: str, payload: bytes, *, retain: bool = False, content_type: str | None = None
    ) -> float:
        """Publish at QoS 1 and wait for the PUBACK; returns the time.time() of sending."""
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        props = None
        if content_type and getattr(self._broker, "mqtt5", True):
            props = Properties(PacketTypes.PUBLISH)
            props.ContentType = content_type
        sent = time.time()
        self._client.publish(topic, payload, qos=1, retain=retain, properties=props).wait_for_publish(5)
        return sent

    def payloads(self, topic: str) -> list[bytes]:
        with self._cond:
            return [p for t, p, _, _ in self.messages if t == topic]

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()


def publish_raw(
    broker: MosquittoBroker,
    topic: str,
    payload: bytes,
    *,
    retain: bool = False,
    content_type: str | None = None,
    **auth: str,
) -> None:
    """Publish one QoS 1 message and wait for the broker's PUBACK."""
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    client = _client(broker, auth)
    client.connect(broker.host, broker.port, keepalive=10)
    client.loop_start()
    try:
        props = None
        if content_type and getattr(broker, "mqtt5", True):  # MQTT 3.1.1 has no content type
            props = Properties(PacketTypes.PUBLISH)
            props.ContentType = content_type
        client.publish(topic, payload, qos=1, retain=retain, properties=props).wait_for_publish(5)
    finally:
        client.disconnect()
        client.loop_stop()
