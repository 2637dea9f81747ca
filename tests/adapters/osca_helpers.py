"""Helpers of the OSCA tests: a source on a real Parse Server and the views it produced."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from stele.adapters.osca.source import OscaSource
from stele.config.models import OscaConfig
from tests.parse_server import ParseServer


class Views:
    """Every view a source published, with when it arrived."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, dict[str, Any]]] = []
        self._cond = threading.Condition()

    def __call__(self, view: dict[str, Any]) -> None:
        with self._cond:
            self.seen.append((time.monotonic(), view))
            self._cond.notify_all()

    @property
    def last(self) -> dict[str, Any] | None:
        with self._cond:
            return self.seen[-1][1] if self.seen else None

    def wait_for(
        self, ok: Callable[[dict[str, Any]], bool], timeout_s: float = 15.0
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                for _, view in reversed(self.seen):
                    if ok(view):
                        return view
                    break  # only the newest view counts
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no such view within {timeout_s} s; last: {self.last}")
                self._cond.wait(left)


def osca_cfg(server: ParseServer, **kw: Any) -> OscaConfig:
    return OscaConfig(
        server_url=server.url,
        app_id=server.app_id,
        js_key=SecretStr(server.js_key),
        username=server.user.username,
        password=SecretStr(server.user.password),
        **kw,
    )


def make_source(
    server: ParseServer, state_dir: Path, *, start: bool = True, **kw: Any
) -> tuple[OscaSource, Views]:
    views = Views()
    cfg_keys = {k: kw.pop(k) for k in ("poll_s", "departures_s") if k in kw}
    source = OscaSource(osca_cfg(server, **cfg_keys), state_dir, views, **kw)
    if start:
        source.start()
    return source, views


def items(view: dict[str, Any]) -> list[dict[str, Any]]:
    return list(view["manifest"]["items"])
