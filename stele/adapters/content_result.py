"""What a content sync needs and what it reports (docs/content.md, "Sync and cache").

`media_needs` says which files a manifest needs on this stele; `absolute_url` is where any
URL of a manifest (media and live-data sources alike) is fetched from; `SyncResult` is one
sync's outcome: the `stele content sync` JSON, its exit code and the one log line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from urllib.parse import urljoin

from stele.domain.manifest import Manifest
from stele.domain.playlist import Place, targeted

EXIT_OK, EXIT_INCOMPLETE, EXIT_INVALID, EXIT_UNREACHABLE = 0, 1, 2, 3


@dataclass(frozen=True)
class Need:
    """One media file a manifest needs here: every URL it is given under, every item."""

    sha256: str
    size: int
    urls: tuple[str, ...]
    items: tuple[str, ...]


def absolute_url(base_url: str, url: str) -> str:
    """A manifest's `media.url` or `source.url` as fetched: an http(s) URL as it is, a
    relative one against the URL the manifest was finally served from (docs/content.md,
    `media` and `source`). The manifest model already refused every other scheme."""
    return urljoin(base_url, url)


def media_needs(manifest: Manifest, base_url: str, place: Place) -> dict[str, Need]:
    """The media files of the items aimed at `place` (whatever their schedule), by hash."""
    needs: dict[str, Need] = {}
    for item in manifest.items:
        if item.media is None or not targeted(item, place):
            continue
        url = absolute_url(base_url, item.media.url)
        old = needs.get(item.media.sha256)
        if old is None:
            needs[item.media.sha256] = Need(item.media.sha256, item.media.size, (url,), (item.id,))
        else:
            urls = old.urls if url in old.urls else (*old.urls, url)
            needs[old.sha256] = replace(old, urls=urls, items=(*old.items, item.id))
    return needs


@dataclass
class SyncResult:
    version: str | None = None  # the newest manifest version seen (pending or live)
    live: str | None = None
    requests: int = 0  # every HTTP request, the manifest's included
    downloaded_bytes: int = 0  # media bytes received, verified or not
    cached: int = 0  # files the newest manifest needs that were on disk before this sync
    fetched: int = 0  # files downloaded and verified by this sync
    failed: int = 0  # files the newest manifest needs that are still missing after it
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (item id, reason)
    items: int = 0  # items in the newest manifest
    error: str | None = None  # the manifest server could not be reached (or refused)
    problems: list[str] = field(default_factory=list)  # the fetched manifest is invalid
    disk_error: str | None = None
    changed: bool = False  # a new manifest arrived
    went_live: bool = False
    checked_at: datetime | None = None  # when the manifest was last checked successfully
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        if self.error is not None:
            return EXIT_UNREACHABLE
        if self.problems:
            return EXIT_INVALID
        if self.left_out or self.version != self.live:
            return EXIT_INCOMPLETE
        return EXIT_OK

    def to_json(self) -> dict[str, object]:
        """The `stele content sync` output (docs/content.md)."""
        return {
            "version": self.version,
            "live": self.live,
            "requests": self.requests,
            "downloaded_bytes": self.downloaded_bytes,
            "files": {"cached": self.cached, "fetched": self.fetched, "failed": self.failed},
            "left_out": [{"id": i, "reason": r} for i, r in self.left_out],
        }

    def summary(self) -> str:
        if self.error is not None:
            outcome = f"manifest server not reached ({self.error}); cache unchanged"
        elif self.problems:
            outcome = f"manifest rejected ({len(self.problems)} problem(s)): {self.problems[0]}"
        else:
            outcome = (
                f"version {self.version} ({'live' if self.version == self.live else 'pending'})"
            )
        return (
            f"content sync: {outcome}: {self.items} items, {self.fetched} file(s) fetched, "
            f"{self.failed} missing, {len(self.left_out)} item(s) left out, "
            f"{self.downloaded_bytes} bytes, {self.requests} request(s), {self.seconds:.2f} s"
            + (f"; disk: {self.disk_error}" if self.disk_error else "")
        )
