"""One conditional, size-capped, timed GET for the live-data fetchers.

A source may be slow, huge, cut off or broken; whatever it does, the caller gets either the
whole body (or "not modified") or a `LiveDataError` with one readable line.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests

from stele.errors import LiveDataError

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Validators:
    """What the server said identifies the body we hold (for If-None-Match/-Modified-Since)."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        h: dict[str, str] = {}
        if self.etag:
            h["If-None-Match"] = self.etag
        if self.last_modified:
            h["If-Modified-Since"] = self.last_modified
        return h


@dataclass(frozen=True)
class Answer:
    not_modified: bool
    body: bytes
    validators: Validators
    content_type: str = ""


def get(
    session: requests.Session,
    url: str,
    *,
    max_bytes: int,
    timeout_s: float,
    validators: Validators | None = None,
) -> Answer:
    """GET `url`; 304 gives `not_modified`; anything but a complete 200 body raises."""
    headers = validators.headers() if validators else {}
    try:
        with session.get(url, headers=headers, timeout=timeout_s, stream=True) as resp:
            if resp.status_code == 304:
                return Answer(True, b"", validators or Validators())
            if resp.status_code != 200:
                raise LiveDataError(f"{url}: HTTP {resp.status_code}")
            body = _read_capped(resp, url, max_bytes)
            fresh = Validators(resp.headers.get("ETag"), resp.headers.get("Last-Modified"))
            return Answer(False, body, fresh, resp.headers.get("Content-Type", ""))
    except requests.exceptions.ChunkedEncodingError:
        raise LiveDataError(f"{url}: body cut off before its end") from None
    except requests.Timeout:
        raise LiveDataError(f"{url}: no answer within {timeout_s:g} s") from None
    except requests.RequestException as exc:
        raise LiveDataError(f"{url}: {type(exc).__name__}: {_first_line(exc)}") from None


def _read_capped(resp: requests.Response, url: str, max_bytes: int) -> bytes:
    declared = resp.headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise LiveDataError(f"{url}: body of {int(declared)} bytes is over the cap of {max_bytes}")
    parts: list[bytes] = []
    size = 0
    for chunk in resp.iter_content(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise LiveDataError(f"{url}: body is over the cap of {max_bytes} bytes")
        parts.append(chunk)
    # Content-Length counts the encoded bytes; only an identity body can be compared with it.
    identity = resp.headers.get("Content-Encoding", "identity").lower() == "identity"
    if identity and declared is not None and declared.isdigit() and size != int(declared):
        raise LiveDataError(f"{url}: body cut off after {size} of {declared} bytes")
    return b"".join(parts)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else "no detail"
