"""What the OSCA source keeps on disk, under `<storage.dir>/osca/`:

    uuid                  this stele's SteleScreen.uuid, made once (UUIDv4) and kept
    snapshot.json         the last good answer to every query (the backend's state)
    files/<sha256>        each Parse file's verified bytes, named by their hash
    files/index.json      Parse file name -> {sha256, size, etag, content_type}

Every file is replaced atomically (temp file, fsync, rename, fsync of the directory), so a
power cut leaves the old or the new version, never a torn one. Parse files carry no hash:
the bytes are hashed once when they arrive (and their length checked against the
Content-Length), and a Parse file name is never fetched again once its bytes are here:
Parse gives every upload a new unique name, so a name's bytes never change.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import threading
import uuid as uuidlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import requests

from stele.adapters import atomic
from stele.adapters.osca.rest import OscaError, OscaUnreachable, ParseRest

log = logging.getLogger(__name__)
CHUNK = 64 * 1024
MAX_FILE_BYTES = 512 * 1024 * 1024


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic.write_atomic(path, data, prefix=f".{path.name}.", suffix=".tmp")


def load_or_make_uuid(osca_dir: Path) -> str:
    """The stele's uuid: read from disk, or made now and kept before anyone sees it."""
    path = osca_dir / "uuid"
    try:
        text = path.read_text(encoding="ascii").strip()
        return str(uuidlib.UUID(text))
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as exc:
        # A damaged file must not silently make a second SteleScreen row: keep it aside.
        log.error("osca: %s unreadable (%s); making a new uuid", path, exc)
        with contextlib.suppress(OSError):
            os.replace(path, path.with_suffix(".corrupt"))
    made = str(uuidlib.uuid4())
    write_atomic(path, (made + "\n").encode("ascii"))
    log.info("osca: new stele uuid %s", made)
    return made


def read_uuid(osca_dir: Path) -> str | None:
    """The persisted uuid, or None if this stele has none yet (for `config check`)."""
    try:
        return str(uuidlib.UUID((osca_dir / "uuid").read_text(encoding="ascii").strip()))
    except (OSError, ValueError):
        return None


def save_snapshot(osca_dir: Path, snapshot: dict[str, Any]) -> None:
    write_atomic(osca_dir / "snapshot.json", json.dumps(snapshot, ensure_ascii=False).encode())


def load_snapshot(osca_dir: Path) -> dict[str, Any] | None:
    path = osca_dir / "snapshot.json"
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.error("osca: cached state %s unreadable: %s", path, exc)
        return None
    return data if isinstance(data, dict) else None


def _chunks(r: requests.Response, name: str) -> Iterator[bytes]:
    try:
        yield from r.iter_content(CHUNK)
    except requests.RequestException as exc:  # cut off mid-body
        raise OscaUnreachable(f"file {name}: {type(exc).__name__}: {exc}") from None


@dataclass(frozen=True)
class CachedFile:
    name: str
    sha256: str
    size: int
    etag: str | None
    content_type: str | None


class FileCache:
    """Parse files on disk by their verified hash."""

    def __init__(self, osca_dir: Path) -> None:
        self.dir = osca_dir / "files"
        self.dir.mkdir(parents=True, exist_ok=True)
        self._index_path = self.dir / "index.json"
        self._lock = threading.Lock()
        self._index: dict[str, CachedFile] = {}
        try:
            raw = json.loads(self._index_path.read_bytes())
            for name, entry in raw.items():
                cached = CachedFile(**entry)
                if self.path(cached).is_file():
                    self._index[name] = cached
        except FileNotFoundError:
            pass
        except (OSError, ValueError, TypeError) as exc:
            log.error("osca: file index unreadable (%s): files are fetched again", exc)

    def path(self, cached: CachedFile) -> Path:
        return self.dir / cached.sha256

    def get(self, name: str) -> CachedFile | None:
        with self._lock:
            return self._index.get(name)

    def fetch(self, rest: ParseRest, name: str, url: str) -> CachedFile:
        """The file's cached entry, downloading and verifying it first if it is not here."""
        known = self.get(name)
        if known is not None:
            return known
        with rest.download(url) as r:
            if r.status_code != 200:
                raise OscaError(f"file {name}: HTTP {r.status_code}", status=r.status_code)
            expected = r.headers.get("Content-Length")
            digest = hashlib.sha256()
            size = 0
            fd, tmp = tempfile.mkstemp(prefix=".dl-", suffix=".tmp", dir=self.dir)
            try:
                with os.fdopen(fd, "wb") as fh:
                    for chunk in _chunks(r, name):
                        size += len(chunk)
                        if size > MAX_FILE_BYTES:
                            raise OscaError(f"file {name}: larger than {MAX_FILE_BYTES} bytes")
                        digest.update(chunk)
                        fh.write(chunk)
                    fh.flush()
                    os.fsync(fh.fileno())
                rest.count_bytes(size)
                if expected is not None and int(expected) != size:
                    raise OscaError(f"file {name}: {size} bytes received, {expected} announced")
                if size == 0:
                    raise OscaError(f"file {name}: empty")
                cached = CachedFile(
                    name=name,
                    sha256=digest.hexdigest(),
                    size=size,
                    etag=r.headers.get("ETag"),
                    content_type=r.headers.get("Content-Type"),
                )
                os.replace(tmp, self.path(cached))
                atomic.fsync_dir(self.dir)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        with self._lock:
            self._index[name] = cached
            index = {n: asdict(c) for n, c in self._index.items()}
        write_atomic(self._index_path, json.dumps(index).encode())
        log.info("osca: file %s cached (%d bytes, sha256 %s)", name, size, cached.sha256[:12])
        return cached

    def keep_only(self, names: set[str]) -> int:
        """Delete the files no longer referenced (after a fresh, complete snapshot); returns
        how many went. The content cache's size limit is the content player's business."""
        with self._lock:
            gone = {n: c for n, c in self._index.items() if n not in names}
            if not gone:
                return 0
            for name in gone:
                del self._index[name]
            index = {n: asdict(c) for n, c in self._index.items()}
            still = {c.sha256 for c in self._index.values()}
        write_atomic(self._index_path, json.dumps(index).encode())
        for cached in gone.values():
            if cached.sha256 not in still:  # two names may carry the same bytes
                with contextlib.suppress(OSError):
                    self.path(cached).unlink()
        return len(gone)

    def verified(self, name: str) -> CachedFile | None:
        """The entry if its bytes on disk still hash to what was verified (for cold starts)."""
        cached = self.get(name)
        if cached is None:
            return None
        digest = hashlib.sha256()
        try:
            with self.path(cached).open("rb") as fh:
                while chunk := fh.read(CHUNK):
                    digest.update(chunk)
        except OSError:
            return None
        return cached if digest.hexdigest() == cached.sha256 else None
