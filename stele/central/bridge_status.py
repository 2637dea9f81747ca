"""The bridge's own retained status on PREFIX/bridge/status, and per-feed poll bookkeeping."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from stele import __version__


@dataclass
class FeedState:
    """One polled thing (a Kreis dashboard, the DWD archive) and when to poll it next."""

    name: str
    interval_s: float
    next_due: float = 0.0  # monotonic seconds
    failures: int = 0  # in a row
    last_ok: datetime | None = None
    last_error: str | None = None
    polls: int = 0
    errors: int = 0


def status_topic(prefix: str) -> str:
    return f"{prefix}/bridge/status"


def status_payload(
    feeds: list[FeedState],
    *,
    since: datetime,
    incidents: int,
    published: int,
    broker_errors: int,
    state: str = "online",
) -> bytes:
    def iso(t: datetime | None) -> str | None:
        return t.astimezone(UTC).isoformat(timespec="seconds") if t else None

    data = {
        "state": state,
        "version": __version__,
        "since": iso(since),
        "incidents": incidents,
        "published": published,
        "errors": sum(f.errors for f in feeds) + broker_errors,
        "broker_errors": broker_errors,
        "sources": {
            f.name: {
                "last_ok": iso(f.last_ok),
                "failing": f.failures,
                "errors": f.errors,
                "last_error": f.last_error,
            }
            for f in feeds
        },
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
