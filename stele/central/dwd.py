"""DWD open-data CAP as a bridge source: the "latest status" ZIP of CAP 1.2 XML files.

The STAT archive holds every warning that is current, so one successful poll is a complete
listing (a warning that has ended is simply no longer in it). The bridge keeps the members
whose WARNCELLID geocodes name one of its warn cells and publishes them unchanged: DWD's
XML is what the steles parse natively (docs/alerts.md).
"""

from __future__ import annotations

import hashlib
import io
import logging
import zipfile
from collections.abc import Iterable

from stele.central.fetch import FeedError, Fetcher
from stele.central.nina import Listed
from stele.domain.cap import parse_alert
from stele.errors import SteleError

log = logging.getLogger("stele.bridge")
MAX_MEMBER_BYTES = 4 * 1024 * 1024  # the largest real DWD message is ~410 KB


class DwdSource:
    def __init__(self, url: str, warncells: Iterable[str], fetcher: Fetcher) -> None:
        self.url = url
        self._cells = frozenset(warncells)
        self._fetcher = fetcher
        self._last: dict[Listed, bytes] = {}

    def poll(self) -> tuple[dict[Listed, bytes], bool]:
        """The current warnings for our cells (CAP XML by listing); FeedError if none known."""
        fetched = self._fetcher.get(self.url)
        if not fetched.changed:
            return dict(self._last), False
        try:
            found = self._read(fetched.body)
        except FeedError:
            forget = getattr(self._fetcher, "forget", None)
            if forget is not None:
                forget(self.url)
            raise
        self._last = found
        return dict(found), True

    def _read(self, body: bytes) -> dict[Listed, bytes]:
        try:
            archive = zipfile.ZipFile(io.BytesIO(body))
            members = [m for m in archive.infolist() if m.filename.lower().endswith(".xml")]
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise FeedError(f"DWD {self.url}: not a ZIP archive ({exc})") from None
        found: dict[Listed, bytes] = {}
        for member in members:
            if member.file_size > MAX_MEMBER_BYTES:
                log.warning("DWD member %s is %d bytes: skipped", member.filename, member.file_size)
                continue
            try:
                xml = archive.read(member)
            except (zipfile.BadZipFile, OSError, ValueError) as exc:
                # One damaged member means the archive is damaged: the listing is incomplete.
                raise FeedError(f"DWD {self.url}: member {member.filename}: {exc}") from None
            try:
                alert = parse_alert(xml, max_bytes=MAX_MEMBER_BYTES)
            except SteleError as exc:
                log.warning("DWD member %s is not CAP (%s): skipped", member.filename, exc)
                continue
            if self._cells.intersection(alert.all_warncells()):
                version = hashlib.sha256(xml).hexdigest()[:16]
                found[Listed(alert.identifier, version)] = xml
        return found
