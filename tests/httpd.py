"""A real threaded HTTP server on 127.0.0.1 for the content, feed and bridge tests.

Routes map a path to a `Resource` (bytes plus headers). It answers conditional requests as
a real server does (ETag / If-None-Match, Last-Modified / If-Modified-Since → 304 without a
body), counts every request and the body bytes it sent, and can misbehave on purpose per
path: a status code, a delay, a body cut off half-way, a closed connection.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Resource:
    body: bytes
    content_type: str = "application/octet-stream"
    etag: str | None = None  # default: a hash of the body
    last_modified: float | None = None  # epoch seconds; default: when it was set
    status: int = 200  # e.g. 500 to fail every request for it
    delay_s: float = 0.0  # before the headers (a slow server / a timeout)
    cut_at: int | None = None  # send only this many body bytes, then close (a cut body)
    drop: bool = False  # close the connection without any answer
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    status: int
    body_bytes: int


class HttpServer:
    """`with HttpServer() as srv: srv.put("/m.json", b"...")`; `srv.url("/m.json")`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, Resource] = {}
        self.requests: list[Request] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as separate writes: with Nagle on, the body waits for
            # the client's delayed ACK (~40 ms per response on Linux), which benchmarks saw.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: object) -> None:
                pass  # the tests read `requests`, not stderr

            def do_HEAD(self) -> None:
                outer._answer(self, with_body=False)

            def do_GET(self) -> None:
                outer._answer(self, with_body=True)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self._thread: threading.Thread | None = None

    # -- routes ---------------------------------------------------------------------------
    def put(
        self, path: str, body: bytes | str | Resource, content_type: str | None = None
    ) -> Resource:
        res = (
            body
            if isinstance(body, Resource)
            else Resource(body.encode() if isinstance(body, str) else body)
        )
        if content_type:
            res.content_type = content_type
        if res.etag is None:
            res.etag = '"' + hashlib.sha256(res.body).hexdigest()[:16] + '"'
        if res.last_modified is None:
            res.last_modified = time.time()
        with self._lock:
            self._routes[path] = res
        return res

    def remove(self, path: str) -> None:
        with self._lock:
            self._routes.pop(path, None)

    def resource(self, path: str) -> Resource:
        with self._lock:
            return self._routes[path]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    # -- what happened ---------------------------------------------------------------------
    def count(self, path: str | None = None) -> int:
        with self._lock:
            return sum(1 for r in self.requests if path is None or r.path == path)

    def statuses(self) -> Counter[int]:
        with self._lock:
            return Counter(r.status for r in self.requests)

    def body_bytes(self, path: str | None = None) -> int:
        with self._lock:
            return sum(r.body_bytes for r in self.requests if path is None or r.path == path)

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> HttpServer:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop answering and free the port (a server that vanishes)."""
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> HttpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the answer ------------------------------------------------------------------------
    def _log(self, handler: BaseHTTPRequestHandler, path: str, status: int, sent: int) -> None:
        with self._lock:
            self.requests.append(
                Request(handler.command, path, dict(handler.headers.items()), status, sent)
            )

    def _answer(self, h: BaseHTTPRequestHandler, *, with_body: bool) -> None:
        path = urlsplit(h.path).path
        with self._lock:
            res = self._routes.get(path)
        if res is None:
            self._plain(h, path, 404, b"not found\n", with_body)
            return
        if res.delay_s:
            time.sleep(res.delay_s)
        if res.drop:
            self._log(h, path, 0, 0)
            h.close_connection = True
            h.connection.close()
            return
        if res.status != 200:
            self._plain(h, path, res.status, b"failure on purpose\n", with_body)
            return
        if self._not_modified(h, res):
            self._log(h, path, 304, 0)
            h.send_response(304)
            h.send_header("ETag", res.etag or "")
            h.end_headers()
            return
        body = res.body
        h.send_response(200)
        h.send_header("Content-Type", res.content_type)
        h.send_header("Content-Length", str(len(body)))
        if res.etag:
            h.send_header("ETag", res.etag)
        if res.last_modified is not None:
            h.send_header("Last-Modified", formatdate(res.last_modified, usegmt=True))
        for k, v in res.headers.items():
            h.send_header(k, v)
        part = (body if res.cut_at is None else body[: res.cut_at]) if with_body else b""
        # Logged before the client can have the answer: a test that got the response sees
        # its request in the log.
        self._log(h, path, 200, len(part))
        h.end_headers()
        if with_body:
            try:
                h.wfile.write(part)
                h.wfile.flush()
            except OSError:
                pass
            if res.cut_at is not None:
                h.close_connection = True
                h.connection.shutdown(2)

    @staticmethod
    def _not_modified(h: BaseHTTPRequestHandler, res: Resource) -> bool:
        inm = h.headers.get("If-None-Match")
        if inm is not None:
            return res.etag is not None and res.etag in [t.strip() for t in inm.split(",")]
        ims = h.headers.get("If-Modified-Since")
        if ims and res.last_modified is not None:
            try:
                return int(res.last_modified) <= parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    def _plain(
        self, h: BaseHTTPRequestHandler, path: str, status: int, body: bytes, with_body: bool
    ) -> None:
        self._log(h, path, status, len(body) if with_body else 0)
        h.send_response(status)
        h.send_header("Content-Type", "text/plain")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if with_body:
            h.wfile.write(body)


@contextmanager
def serving() -> Iterator[HttpServer]:
    with HttpServer() as srv:
        yield srv
