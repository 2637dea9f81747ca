"""`stele bridge --replay DIR --speed N`: the bridge against recorded feeds, sped up.

DIR holds `timeline.json`, a list of steps `{"at_s": seconds from the start, "dir": name}`,
and per step a directory that mirrors the feed paths: `nina/dashboard/<ARS>.json`,
`nina/warnings/<id>.json`, `nina/warnings/<id>.geojson`, `dwd/latest.zip`. From `at_s / N`
seconds after the start a step's files answer (a file missing there answers 404); the
bridge's intervals are divided by N too. Everything after the HTTP layer is the real bridge.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from stele.central.fetch import FeedError, Fetched
from stele.errors import ConfigError

NINA_URL = "replay://nina"
DWD_URL = "replay://dwd/latest.zip"


class ReplayFetcher:
    def __init__(
        self, root: Path, speed: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        if speed <= 0:
            raise ConfigError(f"--speed {speed:g}: expected a number greater than 0")
        try:
            steps = json.loads((root / "timeline.json").read_text(encoding="utf-8"))
            self._steps = sorted((float(s["at_s"]), root / str(s["dir"])) for s in steps)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{root}/timeline.json: not a replay timeline ({exc})") from None
        if not self._steps:
            raise ConfigError(f"{root}/timeline.json: no steps")
        self._speed = speed
        self._mono = monotonic
        self._start = monotonic()
        self._last: dict[str, bytes] = {}
        self.requests = 0
        self.not_modified = 0

    def step(self) -> Path:
        elapsed = (self._mono() - self._start) * self._speed
        current = self._steps[0][1]
        for at, path in self._steps:
            if at <= elapsed:
                current = path
        return current

    @property
    def finished(self) -> bool:
        return (self._mono() - self._start) * self._speed >= self._steps[-1][0]

    def get(self, url: str) -> Fetched:
        if not url.startswith("replay://"):
            raise FeedError(f"{url}: not a replay URL")
        self.requests += 1
        path = self.step() / unquote(url[len("replay://") :])
        try:
            body = path.read_bytes()
        except OSError:
            raise FeedError(f"{url}: HTTP 404 (not in replay step {path.parent.name})") from None
        changed = self._last.get(url) != body
        self._last[url] = body
        if not changed:
            self.not_modified += 1
        return Fetched(body, changed)
