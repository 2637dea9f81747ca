"""Proof of play (spec content.md §5): what was on the glass, summed per report window, and a
bounded queue on disk of the reports not yet delivered.

    log = PlayLog(dir)
    log.played("markt", 12.0)                # a slide went off the glass after 12 s
    report = log.close_window(now)           # {"from", "until", "items": {...}}, queued
    for name, report in log.pending(): ...   # oldest first; `delivered(name)` drops one

Each report is one small JSON file written atomically; at most `max_reports` are kept (the
oldest go first, with a warning), so a stele offline for weeks never fills its disk.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from stele.adapters import atomic

log = logging.getLogger("stele.content")

MAX_REPORTS = 500  # 5 days of 15-minute reports
_SUFFIX = ".json"


class PlayLog:
    def __init__(self, directory: Path, *, started: datetime, max_reports: int = MAX_REPORTS):
        self.directory = Path(directory)
        self.max_reports = max_reports
        self._from = started
        self._items: dict[str, dict[str, float]] = {}
        self._seq = 0
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # reports then go out once, unqueued (see close_window)
            log.warning("proof of play: no queue on disk (%s)", exc)
        for leftover in self.directory.glob(".part-*"):
            with contextlib.suppress(OSError):
                leftover.unlink()

    def played(self, item_id: str, seconds: float) -> None:
        """`item_id` was on the glass for `seconds` (one play)."""
        entry = self._items.setdefault(item_id, {"plays": 0, "seconds": 0.0})
        entry["plays"] += 1
        entry["seconds"] += max(0.0, seconds)

    def close_window(self, now: datetime) -> dict[str, Any] | None:
        """End the current window at `now`; its report is queued on disk and returned (None
        when nothing played: an empty report says nothing)."""
        items, self._items = self._items, {}
        started, self._from = self._from, now
        if not items:
            return None
        report = {
            "from": started.isoformat(),
            "until": now.isoformat(),
            "items": {
                k: {"plays": int(v["plays"]), "seconds": round(v["seconds"], 1)}
                for k, v in sorted(items.items())
            },
        }
        try:
            self._write(now, report)
        except OSError as exc:
            log.warning("proof of play: report lost, it cannot be kept on disk (%s)", exc)
        return report

    def pending(self) -> list[tuple[str, dict[str, Any]]]:
        """The queued reports, oldest first, by file name."""
        out = []
        for path in sorted(self.directory.glob("*" + _SUFFIX)):
            try:
                out.append((path.name, json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, ValueError) as exc:
                log.warning("proof of play: dropping unreadable report %s (%s)", path.name, exc)
                with contextlib.suppress(OSError):
                    path.unlink()
        return out

    def delivered(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.directory / name).unlink()

    def _write(self, now: datetime, report: dict[str, Any]) -> None:
        self._seq += 1
        name = f"{now.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{self._seq:04d}{_SUFFIX}"
        atomic.write_atomic(
            self.directory / name, json.dumps(report, separators=(",", ":")).encode()
        )
        queued = sorted(self.directory.glob("*" + _SUFFIX))
        for old in queued[: max(0, len(queued) - self.max_reports)]:
            log.warning("proof of play: queue full, dropping the oldest report %s", old.name)
            with contextlib.suppress(OSError):
                old.unlink()
