"""Persist the alert book so a crash, restart or power cut never loses an active warning.

Layout, under the configured state directory:

    alerts.d/e-<sha256 of the alert key>.json   one file per alert entry
    alerts.d/meta.json                          what is not an entry: `ended`, `all_clear`
    alerts.json                                 the legacy single file (read once, migrated)

One file per entry lets a new alert reach disk without rewriting the others: `save` writes
only what differs from what this store last wrote. The files hold the original CAP payloads
(re-parsed on load, so a parser fix applies to persisted alerts too) plus what the book knows
about each: when and on which topic it came.

Every file is replaced atomically (temp file in the same directory, fsync, rename) and the
directory is fsync'd before `save` reports success. Within one save the steps are ordered
so that a power cut at any instant leaves a state that loads into no less than before:
new entries are durable before `meta.json` may end the alerts they replace, and `meta.json`
is durable before the replaced entries are unlinked (an entry whose identifier is in `ended`
is never restored, so a late duplicate stays dead). A torn file cannot appear under a final
name; a damaged one is logged, kept aside as `.corrupt`, and skipped.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from stele.adapters import atomic
from stele.domain.book import AlertBook, AllClear, Entry, Origin
from stele.domain.cap import parse_alert
from stele.domain.model import Alert
from stele.errors import SteleError

log = logging.getLogger(__name__)
STATE_VERSION = 1  # the legacy single file
ENTRY_VERSION = 2  # one file per entry + meta.json
STATE_FILE = "alerts.json"
STATE_DIR = "alerts.d"
META_FILE = "meta.json"
ENTRY_PREFIX = "e-"
TEMP_SUFFIX = ".tmp"
LEGACY_TEMP_GLOB = ".alerts-*.tmp"  # what the single-file writer left when it was killed
_RESTORE_ERRORS = (SteleError, KeyError, TypeError, ValueError, AttributeError)


# -- JSON --------------------------------------------------------------------------------------


def _alert_json(alert: Alert) -> dict[str, str]:
    return {"raw": base64.b64encode(alert.raw).decode("ascii"), "content_type": alert.content_type}


def _alert_from(obj: dict[str, Any]) -> Alert:
    return parse_alert(base64.b64decode(obj["raw"], validate=True), obj.get("content_type") or None)


def entry_json(e: Entry) -> dict[str, Any]:
    return {
        **_alert_json(e.alert),
        "received": e.received.isoformat(),
        "origin": None
        if e.origin is None
        else {"scope": e.origin.scope, "scope_id": e.origin.scope_id, "key": e.origin.key},
        "addressed": e.addressed,
        "received_ms": e.received_ms,
    }


def entry_from(book: AlertBook, obj: dict[str, Any]) -> Entry:
    alert = _alert_from(obj)
    addressed = bool(obj.get("addressed", True))
    return Entry(
        alert=alert,
        received=datetime.fromisoformat(obj["received"]),
        origin=Origin(**obj["origin"]) if obj.get("origin") else None,
        addressed=addressed,
        applies=book.applies_here(alert, addressed=addressed),
        received_ms=obj.get("received_ms"),
    )


def meta_json(book: AlertBook) -> dict[str, Any]:
    return {
        "version": ENTRY_VERSION,
        "ended": {ident: when.isoformat() for ident, when in book.ended.items()},
        "all_clear": None
        if book.all_clear is None
        else {**_alert_json(book.all_clear.cancel), "until": book.all_clear.until.isoformat()},
    }


def restore_meta(book: AlertBook, data: dict[str, Any]) -> None:
    for ident, when in (data.get("ended") or {}).items():
        try:
            book.ended[str(ident)] = datetime.fromisoformat(when)
        except (TypeError, ValueError):
            continue
    ac = data.get("all_clear")
    if ac:
        try:
            book.all_clear = AllClear(_alert_from(ac), datetime.fromisoformat(ac["until"]))
        except _RESTORE_ERRORS as exc:
            log.error("state: dropping the persisted all-clear: %s", exc)


def book_to_json(book: AlertBook) -> dict[str, Any]:
    """The legacy single-file format (kept for tools and tests that read or write it)."""
    meta = meta_json(book)
    return {
        "version": STATE_VERSION,
        "entries": [entry_json(e) for e in book.entries.values()],
        "ended": meta["ended"],
        "all_clear": meta["all_clear"],
    }


def restore_book(book: AlertBook, data: dict[str, Any]) -> int:
    """Fill `book` from the legacy single-file JSON; bad entries are logged and skipped."""
    if data.get("version") != STATE_VERSION:
        raise ValueError(f"unknown state version {data.get('version')!r}")
    restore_meta(book, data)
    count = 0
    for obj in data.get("entries", []):
        try:
            entry = entry_from(book, obj)
        except _RESTORE_ERRORS as exc:
            log.error("state: skipping a persisted alert that cannot be restored: %s", exc)
            continue
        if entry.alert.identifier not in book.ended:
            book.entries[entry.alert.key] = entry
            count += 1
    return count


def entry_name(key: tuple[str, ...]) -> str:
    """A filesystem-safe, collision-free file name for an alert key (any characters)."""
    digest = hashlib.sha256(json.dumps(list(key)).encode()).hexdigest()
    return f"{ENTRY_PREFIX}{digest}.json"


def _encode(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _read_object(path: Path) -> dict[str, Any]:
    """The JSON object in `path`; ValueError if it is not one (truncated, zeroed, garbage)."""
    try:
        data = json.loads(path.read_bytes())
    except (UnicodeDecodeError, RecursionError) as exc:
        raise ValueError(str(exc)) from exc
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


# -- the store -----------------------------------------------------------------------------


class StateStore:
    """Loads and saves one state directory. `save` is safe to call from any thread (one at a
    time is enforced), but the book passed to it must not change during the call: pass a
    snapshot, or call it from the thread that owns the book."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / STATE_DIR  # .parent is the configured state directory
        self.meta_path = self.path / META_FILE
        self.legacy_path = self.directory / STATE_FILE
        self._lock = threading.Lock()
        # file name -> the Entry object this store last wrote there, or None for a file on
        # disk whose content the book does not own (removed at the next save)
        self._on_disk: dict[str, Entry | None] = {}
        self._meta: tuple[dict[str, datetime], AllClear | None] | None = None  # last written
        self._known = False  # _on_disk reflects the directory (after load or a first scan)
        self._legacy_pending = False  # alerts.json is to go once the new layout is durable
        self._unsynced = False  # renames or unlinks in alerts.d not yet fsync'd
        self._failing = False  # inside a failure episode: logged once, not every retry
        self._names: dict[tuple[str, ...], str] = {}

    # -- loading -----------------------------------------------------------------------------

    def load(self, book: AlertBook) -> int:
        """Restore the book; returns the entries restored. Never raises for what is on disk:
        missing, unreadable or corrupt files are logged and treated as absent."""
        with self._lock:
            self._on_disk, self._meta, self._known = {}, None, True
            self._remove_leftover_temp_files()
            meta_loaded = self._load_meta(book)
            count = 0
            self._legacy_pending = self.legacy_path.exists()
            if self._legacy_pending and not meta_loaded:
                count += self._load_legacy(book)  # migration: written to alerts.d by save
            count += self._load_entries(book)
            if count == 0 and not meta_loaded and not self._legacy_pending:
                log.info("state: no saved alerts in %s, starting empty", self.directory)
            return count

    def _remove_leftover_temp_files(self) -> None:
        leftovers = [*self.directory.glob(LEGACY_TEMP_GLOB), *self.path.glob(f".*{TEMP_SUFFIX}")]
        for tmp in leftovers:
            try:
                tmp.unlink()
                log.info("state: removed %s, left by an interrupted write", tmp.name)
            except OSError as exc:
                log.warning("state: cannot remove leftover %s: %s", tmp, exc)

    def _load_meta(self, book: AlertBook) -> bool:
        """True if meta.json was read: the new layout is then complete and authoritative."""
        try:
            data = _read_object(self.meta_path)
            if data.get("version") != ENTRY_VERSION:
                raise ValueError(f"unknown state version {data.get('version')!r}")
        except FileNotFoundError:
            return False
        except OSError as exc:
            log.error("state: cannot read %s (%s)", self.meta_path, exc)
            return False
        except ValueError as exc:
            log.error("state: %s is corrupt (%s), ended alerts are forgotten", self.meta_path, exc)
            self._keep_aside(self.meta_path)
            return False
        fresh = not book.ended and book.all_clear is None
        restore_meta(book, data)
        if fresh:  # what the book now holds is what the file says: no rewrite at start
            self._meta = (dict(book.ended), book.all_clear)
        return True

    def _load_legacy(self, book: AlertBook) -> int:
        try:
            data = _read_object(self.legacy_path)
            count = restore_book(book, data)
        except OSError as exc:
            log.error("state: cannot read %s (%s), leaving it in place", self.legacy_path, exc)
            self._legacy_pending = False  # never delete what could not be migrated
            return 0
        except ValueError as exc:
            log.error("state: %s is corrupt (%s)", self.legacy_path, exc)
            self._keep_aside(self.legacy_path)
            self._legacy_pending = False
            return 0
        log.info("state: migrating %d alert(s) from %s", count, self.legacy_path.name)
        return count

    def _load_entries(self, book: AlertBook) -> int:
        try:
            paths = sorted(self.path.glob(f"{ENTRY_PREFIX}*.json"))
        except OSError as exc:
            log.error("state: cannot list %s (%s)", self.path, exc)
            return 0
        count = 0
        for path in paths:
            try:
                data = _read_object(path)
                if data.get("version") != ENTRY_VERSION:
                    raise ValueError(f"unknown entry version {data.get('version')!r}")
                entry = entry_from(book, data)
            except OSError as exc:
                log.error("state: cannot read %s (%s), skipping it", path.name, exc)
                continue
            except _RESTORE_ERRORS as exc:
                log.error("state: %s is corrupt (%s), skipping it", path.name, exc)
                self._keep_aside(path)
                continue
            key = entry.alert.key
            if entry.alert.identifier in book.ended or entry_name(key) != path.name:
                self._on_disk[path.name] = None  # ended before a power cut, or misnamed
                continue
            book.entries[key] = entry
            self._on_disk[path.name] = entry
            count += 1
        return count

    def _keep_aside(self, path: Path) -> None:
        # Keep the evidence for a technician, but never let it stop the stele.
        with contextlib.suppress(OSError):
            os.replace(path, path.with_suffix(".corrupt"))

    # -- saving ------------------------------------------------------------------------------

    def save(self, book: AlertBook) -> bool:
        """Write what differs from what this store last wrote; True once it is all on disk.
        On failure (full disk, read-only, I/O error) False: every file is either its old or its
        new version, and the next save completes the job."""
        with self._lock:
            try:
                written = self._save(book)
            except OSError as exc:
                if not self._failing:
                    log.error("state: cannot save alerts to %s (%s)", self.path, exc)
                    self._failing = True
                return False
            if self._failing:
                log.warning("state: saving works again, %d alert(s) on disk", len(book.entries))
                self._failing = False
            elif written:
                log.debug("state: wrote %d file(s)", written)
            return True

    def _save(self, book: AlertBook) -> int:
        if not self._known:
            self._scan()
        # Names are cached per key: the sha256 is cheap, but not worth redoing at every save.
        self._names = {k: self._names.get(k) or entry_name(k) for k in book.entries}
        wanted = {self._names[key]: e for key, e in book.entries.items()}
        changed = [(n, e) for n, e in wanted.items() if self._on_disk.get(n) is not e]
        meta = (book.ended, book.all_clear)
        meta_changed = self._meta is None or not (
            self._meta[1] is meta[1] and self._meta[0] == meta[0]
        )
        gone = [n for n in self._on_disk if n not in wanted]
        if not (changed or meta_changed or gone or self._unsynced or self._legacy_pending):
            return 0
        self._ensure_directory()
        for name, entry in changed:
            self._write(self.path / name, _encode({"version": ENTRY_VERSION, **entry_json(entry)}))
            self._on_disk[name] = entry
        if meta_changed:
            self._barrier()  # the alerts meta.json may end must not vanish before their successors
            self._write(self.meta_path, _encode(meta_json(book)))
            self._meta = (dict(meta[0]), meta[1])
        if gone:
            self._barrier()  # `ended` on disk before the entries it ends go
            for name in gone:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.path / name)
                self._unsynced = True
                del self._on_disk[name]
        self._barrier()
        if self._legacy_pending:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.legacy_path)
            atomic.fsync_dir(self.directory)
            self._legacy_pending = False
            log.info("state: migrated to %s, removed %s", self.path, self.legacy_path.name)
        return len(changed) + int(meta_changed) + len(gone)

    def _scan(self) -> None:
        """Saving without a load first (tools, tests): files already there are not this
        book's and must not come back at the next load."""
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            for path in self.path.glob(f"{ENTRY_PREFIX}*.json"):
                self._on_disk.setdefault(path.name, None)
        self._legacy_pending = self.legacy_path.exists()
        self._known = True

    def _ensure_directory(self) -> None:
        if self.path.is_dir():
            return
        self.path.mkdir(parents=True, exist_ok=True)
        # The new directory's own name must be durable, or its files vanish with it.
        atomic.fsync_dir(self.directory)
        atomic.fsync_dir(self.directory.parent)

    def _write(self, target: Path, data: bytes) -> None:
        # One directory fsync for a batch of renames: _barrier, before anything depends on it.
        atomic.write_atomic(
            target, data, prefix=f".{target.stem}-", suffix=TEMP_SUFFIX, sync_dir=False
        )
        self._unsynced = True

    def _barrier(self) -> None:
        """Make the renames and unlinks so far durable before the next step depends on them."""
        if self._unsynced:
            atomic.fsync_dir(self.path)
            self._unsynced = False


