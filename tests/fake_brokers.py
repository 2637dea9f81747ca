"""Stand-ins for brokers that misbehave in a known way, in front of a real one.

- FakeClosingServerForTest: accepts TCP, reads the CONNECT and closes without answering
  (a broker that is not up yet behind a load balancer; a TLS client certificate refused
  after the handshake); records when each attempt came and its protocol level.
- FakeV311OnlyBroker: what a broker without MQTT 5 does with an MQTT 5 CONNECT, then relays
  an MQTT 3.1.1 CONNECT and everything after it to the real broker behind it:
  `on_v5="connack"` answers CONNACK return code 1 "unacceptable protocol version", as a
  3.1.1 broker should (NATS does); `on_v5="close"` closes the connection without any
  CONNACK, as RabbitMQ 3.x does.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any


class FakeClosingServerForTest:
    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.accepted: list[float] = []
        self.levels: list[int] = []  # protocol level of each CONNECT (5 or 4)
        self._closed = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._closed:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.accepted.append(time.monotonic())
            conn.settimeout(1.0)
            with contextlib.suppress(OSError, IndexError):
                self.levels.append(_protocol_level(_read_packet(conn)))
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


def _protocol_level(connect: bytes) -> int:
    body_at = 2 if connect[1] < 0x80 else 3
    name_len = int.from_bytes(connect[body_at : body_at + 2], "big")
    return connect[body_at + 2 + name_len]


class FakeV311OnlyBroker:
    def __init__(self, upstream: Any, *, on_v5: str = "connack") -> None:
        assert on_v5 in ("connack", "close")
        self._upstream = upstream
        self._on_v5 = on_v5
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
        level = _protocol_level(packet)
        self.levels.append(level)
        if level != 4:
            if self._on_v5 == "connack":
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
