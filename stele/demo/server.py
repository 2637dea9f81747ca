"""The demo's content server: a local threaded HTTP server for `stele demo`.

It serves stele/demo/content/ as a city's content system would: `manifest.json`, the media
it lists, and the live data the manifest's news, events and weather items name — with ETags,
so a stele's conditional requests get 304 when nothing changed. Demo-only touches:

- "{{BASE}}" in the live-data files becomes the server's own address (a feed's links and
  pictures must be absolute URLs; the manifest's relative media and source URLs the stele
  resolves itself);
- the weather is a real recorded Bright Sky answer (live/brightsky/), served under Bright
  Sky's own paths (`<base>/current_weather`, `<base>/weather?date=…`) with its days moved
  to the days asked for, so the slide has today's date on it. The values stay the recorded
  ones: a demo, not a forecast.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import threading
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

BASE_MARK = b"{{BASE}}"
WEATHER = "live/brightsky"
_TYPES = {".rss": "application/rss+xml", ".ics": "text/calendar", ".json": "application/json"}


def content_dir() -> Path:
    return Path(str(resources.files("stele.demo").joinpath("content")))


def shift_days(doc: dict[str, Any], first_day: date) -> dict[str, Any]:
    """`doc` with every weather record moved by whole days so the first lies on `first_day`
    (times of day kept)."""
    records = doc["weather"] if isinstance(doc["weather"], list) else [doc["weather"]]
    if not records:
        return doc
    start = datetime.fromisoformat(records[0]["timestamp"])
    delta = timedelta(days=(first_day - start.date()).days)
    moved = [
        {**r, "timestamp": (datetime.fromisoformat(r["timestamp"]) + delta).isoformat()}
        for r in records
    ]
    return {**doc, "weather": moved if isinstance(doc["weather"], list) else moved[0]}


class DemoContentServer:
    """`start()` binds 127.0.0.1 on a free port and serves from a daemon thread."""

    def __init__(self, root: Path | None = None, host: str = "127.0.0.1") -> None:
        self.root = (root or content_dir()).resolve()
        self._httpd = ThreadingHTTPServer((host, 0), _handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="demo-content", daemon=True
        )
        self.requests: list[str] = []  # "GET /path 200", for tests and the curious

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    @property
    def manifest_url(self) -> str:
        return self.url + "manifest.json"

    def start(self) -> DemoContentServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> DemoContentServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- what is served ---------------------------------------------------------------------

    def body(self, path: str, query: dict[str, list[str]]) -> tuple[bytes, str] | None:
        """(body, content type) for a request path, or None for 404."""
        rel = path.lstrip("/")
        if rel.startswith(WEATHER + "/"):
            return self._weather(rel.removeprefix(WEATHER + "/"), query)
        file = (self.root / rel).resolve()
        if not rel or not file.is_relative_to(self.root) or not file.is_file():
            return None
        data = file.read_bytes()
        if rel.startswith("live/"):
            data = data.replace(BASE_MARK, self.url.encode())
        kind = _TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0]
        return data, kind or "application/octet-stream"

    def _weather(self, endpoint: str, query: dict[str, list[str]]) -> tuple[bytes, str] | None:
        if endpoint not in ("current_weather", "weather"):
            return None
        recorded = json.loads((self.root / WEATHER / f"{endpoint}.json").read_bytes())
        day = datetime.now(UTC).date()
        if endpoint == "weather" and query.get("date"):
            try:
                day = date.fromisoformat(query["date"][0][:10])
            except ValueError:
                return None
        return json.dumps(shift_days(recorded, day)).encode(), "application/json"


def _handler(server: DemoContentServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def _answer(self, *, send_body: bool) -> None:
            parts = urlsplit(self.path)
            found = server.body(parts.path, parse_qs(parts.query))
            if found is None:
                self._status(404, b"not found\n", "text/plain", send_body)
                return
            data, kind = found
            etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
            if self.headers.get("If-None-Match") == etag:
                server.requests.append(f"GET {self.path} 304")  # logged before the answer
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._status(200, data, kind, send_body, etag)

        def _status(
            self, code: int, data: bytes, kind: str, send_body: bool, etag: str = ""
        ) -> None:
            server.requests.append(f"GET {self.path} {code}")
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            if send_body:
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the demo's terminal is for the instructions

    return Handler
