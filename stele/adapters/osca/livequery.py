"""A Parse LiveQuery client over WebSocket (websocket-client, Debian's python3-websocket).

It logs in with the stele's session token, subscribes to one query per class and calls
`on_event(class_name, op)` for every create/update/delete/enter/leave. When the socket
drops it says so (`on_link(False)`), waits with backoff and connects again; after every
(re)connect it reports `on_link(True)`, so the source re-runs its queries for whatever
changed while it was away. Runs on its own thread; nothing here touches Qt.
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections.abc import Callable, Mapping
from typing import Any

import websocket

from stele.domain.backoff import backoff_delay

log = logging.getLogger(__name__)
EVENTS = frozenset({"create", "update", "delete", "enter", "leave"})
RECV_TIMEOUT_S = 1.0


def ws_url(server_url: str) -> str:
    """The LiveQuery address: the REST base with ws(s) for http(s) (same host, same path)."""
    if server_url.startswith("https://"):
        return "wss://" + server_url[len("https://") :]
    if server_url.startswith("http://"):
        return "ws://" + server_url[len("http://") :]
    return server_url


class LiveQuery:
    def __init__(
        self,
        server_url: str,
        app_id: str,
        js_key: str,
        session_token: Callable[[], str | None],
        queries: Mapping[str, Mapping[str, Any]],
        on_event: Callable[[str, str], None],
        on_link: Callable[[bool], None],
        *,
        min_s: float = 1.0,
        max_s: float = 60.0,
        rng: random.Random | None = None,
    ) -> None:
        self._url = ws_url(server_url)
        self._app_id = app_id
        self._js_key = js_key
        self._token = session_token
        self._queries = dict(queries)
        self.classes = frozenset(self._queries)
        self._on_event = on_event
        self._on_link = on_link
        self._min_s, self._max_s = min_s, max_s
        self._rng = rng or random.Random()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="osca-livequery", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                self._session()
                attempt = 0  # a session that got subscribed resets the backoff
            except (OSError, websocket.WebSocketException, ValueError) as exc:
                log.debug("osca: LiveQuery: %s", exc)
            if self.connected:
                self.connected = False
                self._on_link(False)
            delay = backoff_delay(attempt, self._min_s, self._max_s, self._rng)
            attempt += 1
            self._stop.wait(delay)

    def _session(self) -> None:
        ws = websocket.create_connection(self._url, timeout=10)
        try:
            token = self._token()
            hello: dict[str, Any] = {
                "op": "connect",
                "applicationId": self._app_id,
                "javascriptKey": self._js_key,
            }
            if token:
                hello["sessionToken"] = token
            ws.send(json.dumps(hello))
            names = {}
            for request_id, (cls, where) in enumerate(self._queries.items(), start=1):
                names[request_id] = cls
                sub: dict[str, Any] = {
                    "op": "subscribe",
                    "requestId": request_id,
                    "query": {"className": cls, "where": dict(where)},
                }
                if token:
                    sub["sessionToken"] = token
                ws.send(json.dumps(sub))
            pending = set(names)
            subscribed = 0
            ws.settimeout(RECV_TIMEOUT_S)
            while not self._stop.is_set():
                try:
                    raw = ws.recv()
                except websocket.WebSocketTimeoutException:
                    continue
                if not raw:
                    raise websocket.WebSocketConnectionClosedException("closed by the server")
                msg = json.loads(raw)
                op = msg.get("op")
                if op == "subscribed":
                    pending.discard(msg.get("requestId"))
                    subscribed += 1
                elif op in EVENTS and msg.get("requestId") in names:
                    self._on_event(names[msg["requestId"]], op)
                elif op == "error":
                    rid = msg.get("requestId")
                    what = f"{names[rid]}: " if rid in names else ""
                    log.warning(
                        "osca: LiveQuery error %s: %s%s", msg.get("code"), what, msg.get("error")
                    )
                    if not msg.get("reconnect", True):
                        raise ValueError(f"LiveQuery refused: {msg.get('error')}")
                    pending.discard(rid)  # that class is left to the hourly re-read
                if not pending and subscribed and not self.connected:
                    self.connected = True
                    log.info(
                        "osca: LiveQuery subscribed to %d of %d classes", subscribed, len(names)
                    )
                    self._on_link(True)
        finally:
            ws.close()
