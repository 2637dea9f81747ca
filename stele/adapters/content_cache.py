"""The content cache on disk: media by SHA-256, the live and pending manifests, failure counts.

Layout under `root` (normally [storage] dir/content):
  media/<sha256>       verified files only: a file gets its name by an atomic rename after its
                       size and hash were checked and its bytes fsynced (then the directory)
  media/.part-*        a download in progress; any left over from a killed process is
                       removed when the cache opens
  live.json            the manifest that plays: raw bytes, URL, ETag/Last-Modified
  pending.json         a newer manifest still waiting for its files
  failures.json        failed attempts per file (three in a row: its items are left out
                       until the manifest changes that file)
  .lock                held (flock) during a sync, so two processes never sync at once
Every JSON file is written to a temporary file, fsynced, renamed and the directory fsynced,
so a power cut leaves the old or the new version, never a torn one.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from stele.adapters import atomic
from stele.domain.manifest import Item

log = logging.getLogger(__name__)

PART_PREFIX = ".part-"
MAX_FAILURES = 3  # attempts in a row before a file's items are left out
_SHA256 = re.compile(r"[0-9a-f]{64}")
_TOUCH_EVERY_S = 3600.0  # refresh a used file's mtime (the LRU order after a restart) this often


class MediaMismatch(Exception):
    """Downloaded bytes that are not the file the manifest names (wrong size or hash)."""


@dataclass(frozen=True)
class StoredManifest:
    body: bytes  # exactly as served; parsed again on load
    url: str  # the configured manifest URL it was fetched from
    base_url: str  # the URL it was finally served from (relative URLs resolve here)
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: float = 0.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["body"] = base64.b64encode(self.body).decode("ascii")
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoredManifest:
        return cls(**{**data, "body": base64.b64decode(data["body"])})


@dataclass
class Failure:
    count: int  # failed attempts in a row
    reason: str  # the last one, as one readable phrase
    urls: list[str]  # what the manifest said when it failed: a change resets the count
    size: int
    next_try: float  # epoch seconds; a running stele does not try earlier
    permanent: bool = False  # the last answer was a 4xx: the file is not there to get


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` by `data` (stele/adapters/atomic.py), with this cache's temporary prefix."""
    atomic.write_atomic(path, data, prefix=PART_PREFIX)


class ContentCache:
    """Thread-safe: the sync thread writes, the player asks `path_for` from its own thread."""

    def __init__(self, root: Path, cap_bytes: int, clock: Callable[[], float] = time.time):
        self.root = Path(root)
        self.media = self.root / "media"
        self.cap_bytes = cap_bytes
        self._clock = clock
        self._lock = threading.RLock()
        self._used: dict[str, float] = {}  # sha -> last use this run (mtime holds older ones)
        self._protected: frozenset[str] = frozenset()
        self.media.mkdir(parents=True, exist_ok=True)
        self._remove_leftovers()
        self._failures: dict[str, Failure] = self._load_failures()

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """One sync at a time across processes: the kiosk's syncer and `stele content sync`
        (a technician may run it on a running stele)."""
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def _remove_leftovers(self) -> None:
        """Temporary files of a killed process; skipped while another process syncs (they
        are its downloads in progress)."""
        fd = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return
            for directory in (self.root, self.media):
                for leftover in directory.glob(PART_PREFIX + "*"):
                    log.info("content cache: removing an unfinished download %s", leftover.name)
                    with contextlib.suppress(OSError):
                        leftover.unlink()
        finally:
            os.close(fd)

    # -- media ---------------------------------------------------------------------------------
    def path_for(self, sha256: str) -> Path | None:
        """The verified file with this hash, or None if the cache does not hold it."""
        if not _SHA256.fullmatch(sha256):  # a name, never a path
            return None
        path = self.media / sha256
        if not path.is_file():
            return None
        now = self._clock()
        with self._lock:
            last = self._used.get(sha256)
            self._used[sha256] = now
        if last is None or now - last > _TOUCH_EVERY_S:
            with contextlib.suppress(OSError):
                os.utime(path, (now, now))
        return path

    def media_reason(self, item: Item) -> str | None:
        """For the player's `ready`: why an item's media cannot be shown (None: it can)."""
        if item.media is None or self.path_for(item.media.sha256) is not None:
            return None
        failure = self.failure(item.media.sha256)
        return f"media failed: {failure.reason}" if failure else "media not on disk"

    def has(self, sha256: str) -> bool:
        return bool(_SHA256.fullmatch(sha256)) and (self.media / sha256).is_file()

    def store(self, sha256: str, size: int, chunks: Iterable[bytes]) -> int:
        """Write a download in place if, and only if, it has exactly `size` bytes hashing to
        `sha256`. Returns the bytes received. Raises MediaMismatch, or OSError (a full disk)
        and whatever `chunks` raises (a cut connection); nothing is left behind then."""
        digest = hashlib.sha256()
        received = 0
        fd, tmp = tempfile.mkstemp(dir=self.media, prefix=f"{PART_PREFIX}{sha256[:16]}-")
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in chunks:
                    received += len(chunk)
                    if received > size:
                        raise MediaMismatch(f"more than the {size} bytes the manifest gives")
                    digest.update(chunk)
                    self._write(fh, chunk)
                if received != size:
                    raise MediaMismatch(f"{received} bytes, the manifest gives {size}")
                if digest.hexdigest() != sha256:
                    raise MediaMismatch("SHA-256 does not match the manifest")
                fh.flush()
                os.fsync(fh.fileno())
            now = self._clock()
            os.utime(tmp, (now, now))  # the LRU order after a restart starts here
            os.replace(tmp, self.media / sha256)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        atomic.fsync_dir(self.media)
        with self._lock:
            self._used[sha256] = now
        return received

    def _write(self, fh: Any, chunk: bytes) -> None:
        """One write of a download (the seam where tests inject a full disk)."""
        fh.write(chunk)

    def total_bytes(self) -> int:
        return sum(size for _, size, _ in self._files())

    def _files(self) -> list[tuple[str, int, float]]:
        out = []
        for entry in os.scandir(self.media):
            if entry.name.startswith(PART_PREFIX) or len(entry.name) != 64:
                continue
            with contextlib.suppress(OSError):
                st = entry.stat()
                out.append((entry.name, st.st_size, st.st_mtime))
        return out

    def protect(self, needed: Iterable[str]) -> None:
        """The files the live and pending manifests need: never evicted."""
        with self._lock:
            self._protected = frozenset(needed)

    def evict(self, room_for: int = 0) -> list[str]:
        """Remove unneeded files, least recently used first, until the cache plus `room_for`
        bytes fits the cap. Returns the removed hashes."""
        with self._lock:
            files = self._files()
            total = sum(size for _, size, _ in files)
            spare = [f for f in files if f[0] not in self._protected]
            spare.sort(key=lambda f: max(f[2], self._used.get(f[0], 0.0)))
            removed = []
            for sha, size, _ in spare:
                if total + room_for <= self.cap_bytes:
                    break
                with contextlib.suppress(FileNotFoundError):
                    (self.media / sha).unlink()
                self._used.pop(sha, None)
                total -= size
                removed.append(sha)
        if removed:
            log.info("content cache: evicted %d unneeded file(s) over the cap", len(removed))
        return removed

    # -- manifests -------------------------------------------------------------------------------
    def live(self) -> StoredManifest | None:
        return self._read_manifest("live.json")

    def pending(self) -> StoredManifest | None:
        return self._read_manifest("pending.json")

    def save_live(self, record: StoredManifest) -> None:
        self._save("live.json", json.dumps(record.to_json()).encode())

    def save_pending(self, record: StoredManifest) -> None:
        self._save("pending.json", json.dumps(record.to_json()).encode())

    def _save(self, name: str, data: bytes) -> None:
        """One record written atomically (the seam where tests inject a full disk)."""
        write_atomic(self.root / name, data)

    def drop_pending(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.root / "pending.json").unlink()
            atomic.fsync_dir(self.root)

    def _read_manifest(self, name: str) -> StoredManifest | None:
        try:
            return StoredManifest.from_json(json.loads((self.root / name).read_bytes()))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError) as exc:
            log.warning("content cache: %s unreadable, ignored: %s", name, exc)
            return None

    # -- failures --------------------------------------------------------------------------------
    def failure(self, sha256: str) -> Failure | None:
        with self._lock:
            return self._failures.get(sha256)

    def failures(self) -> dict[str, Failure]:
        with self._lock:
            return dict(self._failures)

    def record_failure(
        self,
        sha256: str,
        urls: list[str],
        size: int,
        reason: str,
        *,
        permanent: bool,
        retry_at: float,
    ) -> Failure:
        with self._lock:
            old = self._failures.get(sha256)
            count = old.count + 1 if old is not None else 1
            failure = Failure(
                count=count,
                reason=reason,
                urls=urls,
                size=size,
                next_try=retry_at,
                permanent=permanent,
            )
            self._failures[sha256] = failure
            self._save_failures()
            return failure

    def forget_failures(self, keep: Callable[[str, Failure], bool]) -> None:
        """Drop the records `keep` refuses (the file arrived, or the manifest changed it)."""
        with self._lock:
            kept = {sha: f for sha, f in self._failures.items() if keep(sha, f)}
            if kept != self._failures:
                self._failures = kept
                self._save_failures()

    def _load_failures(self) -> dict[str, Failure]:
        try:
            data = json.loads((self.root / "failures.json").read_bytes())
            return {sha: Failure(**f) for sha, f in data.items()}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, TypeError) as exc:
            log.warning("content cache: failures.json unreadable, starting afresh: %s", exc)
            return {}

    def _save_failures(self) -> None:
        data = {sha: asdict(f) for sha, f in self._failures.items()}
        try:
            self._save("failures.json", json.dumps(data).encode())
        except OSError as exc:  # a full disk must not stop the sync; counts live on in memory
            log.warning("content cache: cannot save failure counts: %s", exc)
