"""sd_notify over a real unix datagram socket, and the journal/stderr logging set-up."""

from __future__ import annotations

import logging
import os
import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stele.adapters.journal import ConciseFormatter, StructuredJournalHandler, setup_logging
from stele.adapters.sdnotify import Notifier


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = tmp_path / "notify"
    sock.bind(str(path))
    sock.settimeout(2)
    yield sock, str(path)
    sock.close()


def test_messages_reach_the_socket(notify_socket: tuple[socket.socket, str]) -> None:
    sock, path = notify_socket
    n = Notifier({"NOTIFY_SOCKET": path})
    assert n.enabled and n.backend == "socket"
    n.ready()
    n.status("crisis\n 2 alerts")
    n.watchdog()
    n.stopping()
    got = [sock.recv(4096).decode() for _ in range(4)]
    assert got == ["READY=1", "STATUS=crisis 2 alerts", "WATCHDOG=1", "STOPPING=1"]
    n.close()


def test_abstract_socket() -> None:
    name = f"stele-test-{uuid.uuid4().hex}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(2)
    try:
        Notifier({"NOTIFY_SOCKET": "@" + name}).ready()
        assert sock.recv(64) == b"READY=1"
    finally:
        sock.close()


def test_no_socket_is_a_silent_noop(caplog: pytest.LogCaptureFixture) -> None:
    n = Notifier({})
    assert not n.enabled and n.backend == "none"
    with caplog.at_level(logging.DEBUG):
        n.ready()
        n.watchdog()
        n.stopping()
    assert caplog.records == []
    assert n.watchdog_interval_s() is None


def test_send_failure_never_raises_and_warns_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    n = Notifier({"NOTIFY_SOCKET": str(tmp_path / "nobody-listens")})
    with caplog.at_level(logging.DEBUG, logger="stele.adapters.sdnotify"):
        n.ready()
        n.watchdog()
        n.watchdog()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "READY=1" in warnings[0].getMessage()
    assert sum(r.levelno == logging.DEBUG for r in caplog.records) == 2


def test_default_env_without_systemd_python_falls_back_to_socket(
    notify_socket: tuple[socket.socket, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sock, path = notify_socket
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    n = Notifier(prefer_systemd_python=False)
    n.watchdog()
    assert sock.recv(64) == b"WATCHDOG=1"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"WATCHDOG_USEC": "10000000"}, 5.0),
        ({"WATCHDOG_USEC": "400000", "WATCHDOG_PID": str(os.getpid())}, 0.2),
        ({"WATCHDOG_USEC": "10000000", "WATCHDOG_PID": str(os.getpid() + 1)}, None),
        ({"WATCHDOG_USEC": "soon"}, None),
        ({"WATCHDOG_USEC": "0"}, None),
        ({}, None),
    ],
)
def test_watchdog_interval(env: dict[str, str], expected: float | None) -> None:
    assert Notifier(env).watchdog_interval_s() == expected


# --- logging ---------------------------------------------------------------------------


class RecordingJournalSendForTest:
    def __init__(self) -> None:
        self.entries: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, message: str, **fields: Any) -> None:
        self.entries.append((message, fields))


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("restore_root_logger")
def test_journal_entries_carry_structured_fields() -> None:
    send = RecordingJournalSendForTest()
    handler = setup_logging("info", "stele-042", env={"INVOCATION_ID": "x"}, journal_send=send)
    assert isinstance(handler, StructuredJournalHandler)
    log = logging.getLogger("stele.test")
    log.warning("shown %s", "takeover", extra={"alert": "DE-NW-1", "topic": "stele/alerts/x"})
    log.debug("not at info level")
    assert len(send.entries) == 1
    message, fields = send.entries[0]
    assert message == "shown takeover"
    assert fields["STELE_DEVICE"] == "stele-042"
    assert fields["ALERT_IDENTIFIER"] == "DE-NW-1"
    assert fields["MQTT_TOPIC"] == "stele/alerts/x"
    assert fields["PRIORITY"] == "4"
    assert fields["LOGGER"] == "stele.test"
    assert all(k.isupper() for k in fields)


@pytest.mark.usefixtures("restore_root_logger")
def test_outside_systemd_logs_to_stderr_with_extras(capsys: pytest.CaptureFixture[str]) -> None:
    send = RecordingJournalSendForTest()
    setup_logging("DEBUG", "stele-042", env={}, journal_send=send)
    setup_logging("DEBUG", "stele-042", env={}, journal_send=send)  # idempotent
    logging.getLogger("stele.mqtt").info("dropped", extra={"topic": "a/b"})
    err = capsys.readouterr().err.strip().splitlines()
    assert send.entries == []
    assert len(err) == 1
    assert err[0].endswith("INFO stele.mqtt: dropped [topic=a/b]")


def test_concise_format_keeps_extras_on_the_message_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, True)
        record.exc_info = sys.exc_info()
    record.alert = "A1"
    text = ConciseFormatter(with_time=False).format(record)
    first, *rest = text.splitlines()
    assert first == "ERROR x: failed [alert=A1]"
    assert rest[-1] == "ValueError: boom"


@pytest.mark.usefixtures("restore_root_logger")
def test_journal_stream_without_systemd_python_gets_priority_prefix(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("stele.adapters.journal._journal_send", lambda: None)
    handler = setup_logging("INFO", "stele-042", env={"JOURNAL_STREAM": "8:123"})
    assert not isinstance(handler, StructuredJournalHandler)
    logging.getLogger("stele.x").error("disk full", extra={"alert": "A1"})
    assert capsys.readouterr().err.strip() == "<3>ERROR stele.x: disk full [alert=A1]"
