"""Reconnect timing (jitter really applied) and the MQTT 3.1.1 fallback."""

from __future__ import annotations

import contextlib
import itertools
import logging
import random
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from stele.adapters.mqtt import SteleMqtt
from stele.config import DeviceConfig, MqttConfig
from stele.domain.backoff import backoff_delay, device_rng
from tests.mosquitto import MosquittoBroker, TopicRecorder, publish_raw

PREFIX = "stele/v1"
ARS = "051220000000"
DEVICE = DeviceConfig(id="st-1", ars=ARS, latitude=51.17, longitude=7.08)


class FakeClosingServerForTest:
    """Accepts TCP connections and closes them at once; records when each attempt came."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.accepted: list[float] = []
        self._closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.accepted.append(time.monotonic())
            conn.close()

    def close(self) -> None:
        self._closed = True
        self._sock.close()


def _read_packet(conn: socket.socket) -> bytes:
    """One MQTT control packet (fixed header + body), or b"" on EOF."""
    first = conn.recv(1)
    if not first:
        return b""
    header, length, shift = bytearray(first), 0, 0
    while True:
        byte = conn.recv(1)[0]
        header.append(byte)
        length |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    body = b""
    while len(body) < length:
        chunk = conn.recv(length - len(body))
        if not chunk:
            return b""
        body += chunk
    return bytes(header) + body


class FakeV311OnlyBroker:
    """Answers an MQTT 5 CONNECT with CONNACK return code 1 (unacceptable protocol version),
    as a 3.1.1-only broker does; relays a 3.1.1 CONNECT and everything after it to the real
    Mosquitto, so the fallback is checked end to end."""

    def __init__(self, upstream: MosquittoBroker) -> None:
        self._upstream = upstream
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.levels: list[int] = []  # protocol level of each CONNECT seen (5 or 4)
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        packet = _read_packet(conn)
        if not packet or packet[0] >> 4 != 1:
            conn.close()
            return
        body_at = 2 if packet[1] < 0x80 else 3
        name_len = int.from_bytes(packet[body_at : body_at + 2], "big")
        level = packet[body_at + 2 + name_len]
        self.levels.append(level)
        if level != 4:
            conn.sendall(bytes([0x20, 0x02, 0x00, 0x01]))
            conn.close()
            return
        up = socket.create_connection((self._upstream.host, self._upstream.port))
        up.sendall(packet)
        for src, dst in ((conn, up), (up, conn)):
            threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._sock.close()


@pytest.fixture
def closing_server() -> Iterator[FakeClosingServerForTest]:
    server = FakeClosingServerForTest()
    yield server
    server.close()


def test_reconnect_waits_follow_the_injected_rng(closing_server: FakeClosingServerForTest) -> None:
    cfg = MqttConfig(host="127.0.0.1", port=closing_server.port,
                     reconnect_min_s=0.15, reconnect_max_s=1.2)
    client = SteleMqtt(cfg, DEVICE, version="t", on_message=lambda m: None,
                       rng=random.Random(42))
    client.start()
    try:
        deadline = time.monotonic() + 15
        while len(closing_server.accepted) < 6 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        client.stop(timeout=1)
    times = closing_server.accepted[:6]
    assert len(times) == 6
    twin = random.Random(42)
    expected = [backoff_delay(n, 0.15, 1.2, twin) for n in range(5)]
    observed = [b - a for a, b in itertools.pairwise(times)]
    for want, got in zip(expected, observed, strict=True):
        assert got == pytest.approx(want, abs=0.12), (expected, observed)
    # Not the fixed doubling 0.15, 0.3, 0.6, 1.2, 1.2 that paho would do by itself.
    assert any(abs(want - plain) > 0.1 for want, plain in
               zip(expected, [0.15, 0.3, 0.6, 1.2, 1.2], strict=True))


def test_default_rng_is_seeded_from_the_device_id(
    closing_server: FakeClosingServerForTest,
) -> None:
    cfg = MqttConfig(host="127.0.0.1", port=closing_server.port,
                     reconnect_min_s=0.3, reconnect_max_s=0.6)
    client = SteleMqtt(cfg, DEVICE, version="t", on_message=lambda m: None)
    client.start()
    try:
        deadline = time.monotonic() + 10
        while len(closing_server.accepted) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        client.stop(timeout=1)
    times = closing_server.accepted[:4]
    twin = device_rng(DEVICE.id)
    expected = [backoff_delay(n, 0.3, 0.6, twin) for n in range(3)]
    other = device_rng("st-2")
    elsewhere = [backoff_delay(n, 0.3, 0.6, other) for n in range(3)]
    observed = [b - a for a, b in itertools.pairwise(times)]
    assert observed == pytest.approx(expected, abs=0.12)
    assert max(abs(a - b) for a, b in zip(expected, elsewhere, strict=True)) > 0.05


def test_falls_back_to_311_when_the_broker_refuses_v5(broker: MosquittoBroker) -> None:
    fake = FakeV311OnlyBroker(broker)
    ups: list[bool] = []
    got = []
    cfg = MqttConfig(host="127.0.0.1", port=fake.port, reconnect_min_s=0.1, reconnect_max_s=0.5)
    client = SteleMqtt(cfg, DEVICE, version="t", on_message=got.append,
                       on_connection=ups.append)
    publish_raw(broker, f"{PREFIX}/alerts/all/k1", b"<alert/>", retain=True)
    client.start()
    try:
        deadline = time.monotonic() + 10
        while not (ups and got) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ups == [True] and client.protocol == "3.1.1"
        assert fake.levels[:2] == [5, 4]
        assert got[0].key == "k1" and got[0].content_type is None
        rec = TopicRecorder(broker, f"{PREFIX}/device/st-1/status")
        try:
            assert rec.wait_for(lambda m: len(m) == 1)
            assert b'"online"' in rec.messages[0][1]
        finally:
            rec.close()
    finally:
        client.stop(timeout=2)
        fake.close()


def test_forced_v5_does_not_fall_back(broker: MosquittoBroker) -> None:
    fake = FakeV311OnlyBroker(broker)
    cfg = MqttConfig(host="127.0.0.1", port=fake.port, protocol="5",
                     reconnect_min_s=0.1, reconnect_max_s=0.2)
    client = SteleMqtt(cfg, DEVICE, version="t", on_message=lambda m: None)
    client.start()
    try:
        time.sleep(1.0)
        assert not client.connected and client.protocol == "5"
        assert len(fake.levels) >= 2 and set(fake.levels) == {5}  # it keeps retrying v5
    finally:
        client.stop(timeout=2)
        fake.close()


def test_fallback_and_stop_log_no_error(
    broker: MosquittoBroker, caplog: pytest.LogCaptureFixture
) -> None:
    """The fallback disconnects the MQTT 5 client on purpose; paho's last loop pass over the
    closed socket ("Client is not connected", ERROR in paho 2.2) is expected then, not an error."""
    caplog.set_level(logging.DEBUG, logger="stele.mqtt")
    fake = FakeV311OnlyBroker(broker)
    ups: list[bool] = []
    cfg = MqttConfig(host="127.0.0.1", port=fake.port, reconnect_min_s=0.1, reconnect_max_s=0.5)
    client = SteleMqtt(cfg, DEVICE, version="t", on_message=lambda m: None,
                       on_connection=ups.append)
    client.start()
    try:
        deadline = time.monotonic() + 10
        while not ups and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ups == [True] and client.protocol == "3.1.1"
    finally:
        client.stop(timeout=2)
        fake.close()
    bad = [f"{r.name} {r.levelname}: {r.getMessage()}" for r in caplog.records
           if r.name.startswith("stele.mqtt") and r.levelno >= logging.WARNING]
    assert bad == []
