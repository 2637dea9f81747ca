"""The paths that use systemd-python itself (the device's python3-systemd; ./dev installs it)."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("systemd.daemon", reason="systemd-python not installed (pip install '.[systemd]')")

from stele.adapters.journal import StructuredJournalHandler
from systemd import journal


def test_notifier_uses_systemd_python_and_reaches_the_socket(tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(5)
    script = "from stele.adapters.sdnotify import Notifier; n = Notifier(); print(n.backend); n.ready(); n.status('crisis, 1 alert(s)')"
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30,
                          env={**os.environ, "NOTIFY_SOCKET": str(path)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "systemd-python"
    assert sock.recv(4096) == b"READY=1"
    assert sock.recv(4096) == b"STATUS=crisis, 1 alert(s)"
    sock.close()


def test_journal_handler_fields_are_accepted_by_the_real_journal_send() -> None:
    """systemd.journal.send formats CODE_LINE with {:d}; a str there failed every log line."""
    errors: list[logging.LogRecord] = []
    handler = StructuredJournalHandler(journal.send, "sg-hbf-01")
    handler.handleError = errors.append  # type: ignore[method-assign]
    record = logging.LogRecord("stele.kiosk", logging.WARNING, __file__, 42, "rejected %s", ("x",), None)
    record.alert = "DE-1"
    record.topic = "stele/v1/alerts/all/k"
    handler.emit(record)
    assert errors == []
