"""HTTP for the bridge's feeds: conditional GETs, timeouts, one error type with a reason.

A 304 hands back the body of the last 200 (the poll succeeded and the list is unchanged).
Every failure (status, timeout, refused connection, a body cut short) raises FeedError
with a one-line reason: the caller must then keep what it had, never clear anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

import requests

from stele.errors import SteleError

log = logging.getLogger("stele.bridge")


class FeedError(SteleError):
    """A feed did not answer usefully this time (the last good state stays)."""


@dataclass(frozen=True)
class Fetched:
    body: bytes
    changed: bool  # False: 304, the body is the one of the last 200


class Fetcher(Protocol):
    def get(self, url: str) -> Fetched: ...


@dataclass
class _Validators:
    etag: str | None
    last_modified: str | None
    body: bytes


class HttpFetcher:
    """requests with keep-alive, If-None-Match / If-Modified-Since and a hard timeout."""

    def __init__(self, timeout_s: float, user_agent: str = "stele-bridge") -> None:
        self._timeout = timeout_s
        self._session = requests.Session()
        self._session.headers["User-Agent"] = user_agent
        self._cache: dict[str, _Validators] = {}
        self.requests = 0
        self.not_modified = 0

    def get(self, url: str) -> Fetched:
        headers: dict[str, str] = {}
        known = self._cache.get(url)
        if known is not None:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        self.requests += 1
        try:
            resp = self._session.get(url, headers=headers, timeout=self._timeout)
            if resp.status_code == 304 and known is not None:
                self.not_modified += 1
                return Fetched(known.body, changed=False)
            if resp.status_code != 200:
                raise FeedError(f"{url}: HTTP {resp.status_code}")
            body = resp.content  # raises on a body shorter than its Content-Length
        except requests.exceptions.ChunkedEncodingError:
            raise FeedError(f"{url}: body cut short (connection closed before its end)") from None
        except requests.Timeout:
            raise FeedError(f"{url}: no answer within {self._timeout:g} s") from None
        except requests.RequestException as exc:
            raise FeedError(f"{url}: {type(exc).__name__}: {_short(exc)}") from None
        length = resp.headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) != len(body):
            raise FeedError(f"{url}: body cut short ({len(body)} of {length} bytes)")
        etag, modified = resp.headers.get("ETag"), resp.headers.get("Last-Modified")
        if etag or modified:
            self._cache[url] = _Validators(etag, modified, body)
        return Fetched(body, changed=True)

    def forget(self, url: str) -> None:
        """Ask unconditionally next time (a body that was garbage must not be kept by 304)."""
        self._cache.pop(url, None)

    def close(self) -> None:
        self._session.close()


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:199] + "…"
