"""Persist the alert book so a crash, restart or power cut never loses an active warning.

The file holds the original CAP payloads (re-parsed on load, so a parser fix applies to
persisted alerts too) plus what the book knows about each: when and on which topic it came.
Writes are atomic: temp file in the same directory, fsync, rename, fsync the directory.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from stele.domain.book import AlertBook, AllClear, Entry, Origin
from stele.domain.cap import parse_alert
from stele.domain.model import Alert
from stele.errors import SteleError

log = logging.getLogger(__name__)
STATE_VERSION = 1
STATE_FILE = "alerts.json"


def _alert_json(alert: Alert) -> dict[str, str]:
    return {"raw": base64.b64encode(alert.raw).decode("ascii"), "content_type": alert.content_type}


def _alert_from(obj: dict[str, Any]) -> Alert:
    return parse_alert(base64.b64decode(obj["raw"]), obj.get("content_type") or None)


def book_to_json(book: AlertBook) -> dict[str, Any]:
    return {
        "version": STATE_VERSION,
        "entries": [
            {
                **_alert_json(e.alert),
                "received": e.received.isoformat(),
                "origin": None
                if e.origin is None
                else {"scope": e.origin.scope, "scope_id": e.origin.scope_id, "key": e.origin.key},
                "addressed": e.addressed,
                "received_ms": e.received_ms,
            }
            for e in book.entries.values()
        ],
        "ended": {ident: when.isoformat() for ident, when in book.ended.items()},
        "all_clear": None
        if book.all_clear is None
        else {**_alert_json(book.all_clear.cancel), "until": book.all_clear.until.isoformat()},
    }


def restore_book(book: AlertBook, data: dict[str, Any]) -> int:
    """Fill `book` from persisted JSON; bad entries are logged and skipped. Returns entries read."""
    if data.get("version") != STATE_VERSION:
        raise ValueError(f"unknown state version {data.get('version')!r}")
    count = 0
    for obj in data.get("entries", []):
        try:
            alert = _alert_from(obj)
            origin = Origin(**obj["origin"]) if obj.get("origin") else None
            addressed = bool(obj.get("addressed", True))
            book.entries[alert.key] = Entry(
                alert=alert,
                received=datetime.fromisoformat(obj["received"]),
                origin=origin,
                addressed=addressed,
                applies=book.applies_here(alert, addressed=addressed),
                received_ms=obj.get("received_ms"),
            )
            count += 1
        except (SteleError, KeyError, TypeError, ValueError) as exc:
            log.error("state: skipping a persisted alert that cannot be restored: %s", exc)
    for ident, when in data.get("ended", {}).items():
        try:
            book.ended[str(ident)] = datetime.fromisoformat(when)
        except (TypeError, ValueError):
            continue
    ac = data.get("all_clear")
    if ac:
        try:
            book.all_clear = AllClear(_alert_from(ac), datetime.fromisoformat(ac["until"]))
        except (SteleError, KeyError, TypeError, ValueError) as exc:
            log.error("state: dropping the persisted all-clear: %s", exc)
    return count


class StateStore:
    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / STATE_FILE

    def load(self, book: AlertBook) -> int:
        """Restore the book; a missing or corrupt file is logged and treated as empty."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            log.info("state: no saved alerts at %s, starting empty", self.path)
            return 0
        except OSError as exc:
            log.error("state: cannot read %s (%s), starting empty", self.path, exc)
            return 0
        try:
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            return restore_book(book, data)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            log.error("state: %s is corrupt (%s), starting empty", self.path, exc)
            self._keep_corrupt(raw)
            return 0

    def _keep_corrupt(self, raw: bytes) -> None:
        # Keep the evidence for a technician, but never let it stop the stele.
        with contextlib.suppress(OSError):
            self.path.with_suffix(".corrupt").write_bytes(raw)

    def save(self, book: AlertBook) -> bool:
        """Atomically write the book. On failure (full disk, read-only) the old file stays."""
        data = json.dumps(book_to_json(book), separators=(",", ":")).encode()
        directory = self.path.parent
        tmp_name = None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=".alerts-", suffix=".tmp", dir=directory)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp_name, self.path)
            tmp_name = None
            dir_fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
            return True
        except OSError as exc:
            log.error("state: cannot save %s (%s); the previous file stays", self.path, exc)
            return False
        finally:
            if tmp_name is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp_name)
