"""RSS 2.0 / Atom bodies to `NewsEntry` records, with feedparser (Debian: python3-feedparser).

feedparser sanitises HTML (drops script, style and event handlers with their content); we
then reduce what is left to plain text, because the glass never renders feed markup.
"""

from __future__ import annotations

import calendar
import io
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser  # type: ignore[import-untyped]

from stele.domain.livedata import NewsEntry
from stele.domain.text import plain_text
from stele.errors import LiveDataError

# More than any slide shows; the rest of a long feed is not worth keeping on disk.
MAX_ENTRIES = 50
_IMG_SRC = re.compile(r"""<img\s[^<>]*?src\s*=\s*(?:"([^"<>]+)"|'([^'<>]+)')""", re.IGNORECASE)
# Real feeds never declare entities; a body that does is an expansion attack or broken.
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)


def parse_news(body: bytes, feed_url: str) -> tuple[NewsEntry, ...]:
    """The entries of an RSS 2.0 or Atom feed, in feed order, as plain text."""
    if _ENTITY_DECL.search(body):
        raise LiveDataError(f"{feed_url}: feed declares XML entities; refused")
    # A file object, never a str: feedparser would fetch a str that looks like a URL.
    parsed = feedparser.parse(io.BytesIO(body), response_headers={"content-location": feed_url})
    version = parsed.get("version") or ""
    if not parsed.entries:
        if parsed.get("bozo"):
            why = _first_line(parsed.get("bozo_exception"))
            raise LiveDataError(f"{feed_url}: not a readable RSS/Atom feed ({why})")
        if not version:
            raise LiveDataError(f"{feed_url}: not an RSS or Atom feed")
        return ()
    entries = (_entry(e, feed_url) for e in parsed.entries[:MAX_ENTRIES])
    return tuple(e for e in entries if e is not None)


def _entry(raw: Any, feed_url: str) -> NewsEntry | None:
    title = _one_line(raw.get("title", ""))
    summary_html = raw.get("summary") or _first_content(raw)
    summary = plain_text(summary_html)
    if not title and not summary:
        return None
    return NewsEntry(
        title=title or _one_line(summary[:120]),
        published=_when(raw),
        summary=summary,
        image_url=_image_url(raw, summary_html, feed_url),
    )


def _one_line(s: str) -> str:
    return " ".join(plain_text(s).split())


def _first_content(raw: Any) -> str:
    for content in raw.get("content") or ():
        value = content.get("value")
        if value:
            return str(value)
    return ""


def _when(raw: Any) -> datetime | None:
    # feedparser normalises every date format it knows to a UTC struct_time.
    for key in ("published_parsed", "updated_parsed"):
        parsed = raw.get(key)
        if parsed:
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _image_candidates(raw: Any, summary_html: str) -> Iterable[str]:
    for media in raw.get("media_content") or ():
        if media.get("medium") == "image" or str(media.get("type", "")).startswith("image/"):
            yield media.get("url", "")
    for thumb in raw.get("media_thumbnail") or ():
        yield thumb.get("url", "")
    for link in raw.get("links") or ():
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            yield link.get("href", "")
    for html_text in (summary_html, _first_content(raw)):
        match = _IMG_SRC.search(html_text or "")
        if match:
            yield next(g for g in match.groups() if g)


def _image_url(raw: Any, summary_html: str, feed_url: str) -> str | None:
    for candidate in _image_candidates(raw, summary_html):
        url = urljoin(feed_url, candidate.strip())
        if urlsplit(url).scheme in ("http", "https"):
            return url
    return None


def _first_line(exc: object) -> str:
    lines = str(exc or "").strip().splitlines()
    return lines[0][:200] if lines else "unknown error"
