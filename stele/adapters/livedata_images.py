"""News pictures: fetched size-capped, accepted only when the bytes really are a JPEG, PNG,
WebP or GIF (by their magic numbers, whatever the server's Content-Type says), and stored
by sha256 (temporary file, fsync, rename) so a picture is on disk whole or not at all.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import requests

from stele.adapters import atomic, livedata_http
from stele.errors import LiveDataError

MAX_IMAGE_BYTES = 5 * 1024 * 1024


def image_kind(data: bytes) -> str | None:
    """ "jpeg", "png", "webp" or "gif" when the bytes start like one; else None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


class ImageStore:
    """Verified pictures under `root`, each named by the sha256 of its bytes."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def fetch(self, session: requests.Session, url: str, timeout_s: float) -> str:
        """Download, verify and store the picture at `url`; its sha256, or LiveDataError."""
        answer = livedata_http.get(session, url, max_bytes=MAX_IMAGE_BYTES, timeout_s=timeout_s)
        data = answer.body
        if image_kind(data) is None:
            raise LiveDataError(f"{url}: not a JPEG, PNG, WebP or GIF picture; refused")
        digest = hashlib.sha256(data).hexdigest()
        if not self.has(digest):
            self._write(digest, data)
        return digest

    def prune(self, keep: set[str], min_age_s: float) -> int:
        """Delete pictures no kept entry refers to, and leftovers of cut writes, once they
        are `min_age_s` old (a refresh may be storing one whose entry is not kept yet)."""
        if not self.root.is_dir():
            return 0
        removed = 0
        limit = time.time() - min_age_s
        for path in self.root.iterdir():
            try:
                if path.name not in keep and path.stat().st_mtime < limit:
                    path.unlink()
                    removed += 1
            except OSError:
                continue
        return removed

    def _write(self, digest: str, data: bytes) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        atomic.write_atomic(self.path(digest), data)
