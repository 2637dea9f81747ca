"""The Parse Server REST API as the OSCA stele needs it: login as the stele user, queries with
`include` and `$relatedTo`, create/update/delete, cloud functions, file upload and download.

There is no Parse SDK for Python worth depending on (the PyPI ones are unmaintained or
wrap the old hosted parse.com API), and the REST API is small and documented, so this is a
thin layer over `requests`. Every request counts its bytes so the benchmarks can compare
what a day of operation costs.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests

from stele.errors import SteleError

log = logging.getLogger(__name__)
TIMEOUT_S = 10.0
INVALID_SESSION_TOKEN = 209  # Parse.Error.INVALID_SESSION_TOKEN
PAGE = 1000  # Parse Server's default maxLimit is unlimited; 1000 keeps answers bounded


class OscaError(SteleError):
    """The backend could not be reached or refused a request."""

    def __init__(self, message: str, *, code: int | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.status = status


class OscaUnreachable(OscaError):
    """No answer from the backend (connection refused, DNS, timeout)."""


@dataclass
class Traffic:
    """Requests made and bytes received (body, headers roughly) since the last reset."""

    requests: int = 0
    bytes_in: int = 0
    bytes_out: int = 0


def pointer(cls: str, object_id: str) -> dict[str, str]:
    return {"__type": "Pointer", "className": cls, "objectId": object_id}


class ParseRest:
    def __init__(
        self,
        server_url: str,
        app_id: str,
        js_key: str,
        *,
        session: requests.Session | None = None,
        timeout_s: float = TIMEOUT_S,
    ) -> None:
        self.server_url = server_url.rstrip("/")
        self.app_id = app_id
        self._js_key = js_key
        self._http = session or requests.Session()
        self._timeout = timeout_s
        self._lock = threading.Lock()
        self.session_token: str | None = None
        self.user_id: str | None = None
        self._credentials: tuple[str, str] | None = None
        self.traffic = Traffic()

    @property
    def js_key(self) -> str:
        return self._js_key

    def close(self) -> None:
        self._http.close()

    # --- plumbing ------------------------------------------------------------------------

    def _headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        h = {"X-Parse-Application-Id": self.app_id, "X-Parse-Javascript-Key": self._js_key}
        if self.session_token:
            h["X-Parse-Session-Token"] = self.session_token
        h.update(extra or {})
        return h

    def _send(self, method: str, url: str, **kw: Any) -> requests.Response:
        try:
            r = self._http.request(method, url, timeout=self._timeout, **kw)
        except requests.RequestException as exc:
            raise OscaUnreachable(f"{method} {url}: {type(exc).__name__}: {exc}") from None
        with self._lock:
            self.traffic.requests += 1
            self.traffic.bytes_in += len(r.content) + sum(
                len(k) + len(v) + 4 for k, v in r.headers.items()
            )
            body = kw.get("data") or (json.dumps(kw["json"]).encode() if "json" in kw else b"")
            sent = r.request.headers.items()
            self.traffic.bytes_out += (
                len(body)
                + len(r.request.url or url)
                + len(method)
                + sum(len(k) + len(v) + 4 for k, v in sent)
            )
        return r

    def request(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        """One REST call; a session the server forgot is renewed once by logging in again."""
        for attempt in (0, 1):
            r = self._send(
                method,
                self.server_url + path,
                headers=self._headers(),
                params=_params(params) or None,
                **({"json": body} if body is not None else {}),
            )
            error = _error(r)
            if error is None:
                return r.json()
            if error.code == INVALID_SESSION_TOKEN and attempt == 0 and self._credentials:
                log.info("osca: session expired, logging in again")
                self.login(*self._credentials)
                continue
            raise error
        raise AssertionError("unreachable")

    # --- the calls ---------------------------------------------------------------------------

    def login(self, username: str, password: str) -> str:
        self.session_token = None
        r = self._send(
            "POST",
            self.server_url + "/login",
            headers=self._headers({"X-Parse-Revocable-Session": "1"}),
            json={"username": username, "password": password},
        )
        error = _error(r)
        if error is not None:
            raise error
        data = r.json()
        self.session_token = str(data["sessionToken"])
        self.user_id = str(data["objectId"])
        self._credentials = (username, password)
        return self.session_token

    def find(
        self,
        cls: str,
        where: Mapping[str, Any] | None = None,
        *,
        include: str | None = None,
        order: str | None = None,
        limit: int = PAGE,
        keys: str | None = None,
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"limit": limit}
        if where:
            params["where"] = where
        for name, value in (("include", include), ("order", order), ("keys", keys)):
            if value:
                params[name] = value
        return list(self.request("GET", f"/classes/{cls}", **params)["results"])

    def related(
        self, owner_cls: str, owner_id: str, key: str, cls: str, *, include: str | None = None
    ) -> list[dict[str, Any]]:
        """The objects of a Relation field, e.g. SteleDiashowConfig.diashowObjects."""
        where = {"$relatedTo": {"object": pointer(owner_cls, owner_id), "key": key}}
        return self.find(cls, where, include=include)

    def create(self, cls: str, fields: Mapping[str, Any]) -> str:
        return str(self.request("POST", f"/classes/{cls}", dict(fields))["objectId"])

    def update(self, cls: str, object_id: str, fields: Mapping[str, Any]) -> None:
        self.request("PUT", f"/classes/{cls}/{object_id}", dict(fields))

    def delete(self, cls: str, object_id: str) -> None:
        self.request("DELETE", f"/classes/{cls}/{object_id}")

    def call(self, function: str, params: Mapping[str, Any]) -> Any:
        return self.request("POST", f"/functions/{function}", dict(params)).get("result")

    def upload(self, name: str, data: bytes, content_type: str) -> dict[str, str]:
        r = self._send(
            "POST",
            f"{self.server_url}/files/{name}",
            headers=self._headers({"Content-Type": content_type}),
            data=data,
        )
        error = _error(r)
        if error is not None:
            raise error
        body = r.json()
        return {"__type": "File", "name": str(body["name"]), "url": str(body["url"])}

    @contextmanager
    def download(self, url: str, etag: str | None = None) -> Iterator[requests.Response]:
        """A streamed GET of a Parse file (conditional when an ETag is known)."""
        headers = self._headers({"If-None-Match": etag} if etag else None)
        try:
            r = self._http.get(url, headers=headers, stream=True, timeout=self._timeout)
        except requests.RequestException as exc:
            raise OscaUnreachable(f"GET {url}: {type(exc).__name__}: {exc}") from None
        try:
            with self._lock:
                self.traffic.requests += 1
                self.traffic.bytes_in += sum(len(k) + len(v) + 4 for k, v in r.headers.items())
            yield r
        finally:
            r.close()

    def count_bytes(self, n: int) -> None:
        with self._lock:
            self.traffic.bytes_in += n


def _params(params: Mapping[str, Any]) -> dict[str, str]:
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}


def _error(r: requests.Response) -> OscaError | None:
    if r.ok:
        return None
    try:
        body = r.json()
        code, message = body.get("code"), str(body.get("error", r.reason))
    except ValueError:
        code, message = None, r.text[:200] or r.reason
    return OscaError(
        f"{r.request.method} {r.url}: {r.status_code} {message}", code=code, status=r.status_code
    )
