"""Time on a stele without a real-time clock (pure; docs/alerts.md "Time").

A Raspberry Pi has no RTC: after an offline boot its clock starts at the last time
systemd-timesyncd saved, or at the image's build time, and runs behind until NTP answers.
Alert decisions, schedules and the status read `now` through `guarded_now`: never earlier
than a time the stele already knew (persisted, or the newest receipt in its restored book),
carried forward on the monotonic clock. Once NTP has synchronised the clock it is trusted
as it is: a floor could itself come from a clock that once ran ahead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from stele.domain.book import AlertBook

# Senders' clocks and the way to the stele: a smaller difference is not reported.
TOLERANCE = timedelta(minutes=2)
NOT_SYNCHRONISED = "clock: not synchronised (no NTP answer since boot)"


@dataclass(frozen=True, slots=True)
class Known:
    """A time that had certainly passed (`at`) when the monotonic clock read `mono`."""

    at: datetime
    mono: float

    def now(self, mono: float) -> datetime:
        """The least the time can be when the monotonic clock reads `mono`."""
        return self.at + timedelta(seconds=max(0.0, mono - self.mono))


def stronger(a: Known | None, b: Known | None) -> Known | None:
    """The higher of two lower bounds (both carried to the later reading)."""
    if a is None or b is None:
        return b if a is None else a
    mono = max(a.mono, b.mono)
    return a if a.now(mono) >= b.now(mono) else b


def guarded_now(system: datetime, mono: float, floor: Known | None, *, synced: bool) -> datetime:
    """The time alert decisions use: the system clock, unless it is provably behind `floor`
    and NTP has not set it."""
    if synced or floor is None:
        return system
    return max(system, floor.now(mono))


def last_known(book: AlertBook) -> datetime | None:
    """The newest time the book itself recorded (a receipt, an end): the clock had passed it."""
    times = [e.received for e in book.entries.values()]
    times.extend(book.ended.values())
    return max(times, default=None)


def span(delta: timedelta) -> str:
    """'3 d 4 h', '2 h 5 min', '7 min': how far off, for City IT."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def clock_problems(
    system: datetime,
    mono: float,
    *,
    floor: Known | None,
    sent: Known | None,
    synced: bool | None,
) -> list[str]:
    """What the status tells City IT about the clock. `synced` None: no systemd-timesyncd
    here, nothing to say about NTP. `sent`: the newest `sent` of a received message (a
    message cannot be sent after it arrives)."""
    problems = [NOT_SYNCHRONISED] if synced is False else []
    now = guarded_now(system, mono, floor, synced=bool(synced))
    if now - system > TOLERANCE:
        problems.append(
            f"clock: {span(now - system)} behind the last time this stele knew; "
            "alerts and schedules use that time"
        )
    if sent is not None and sent.now(mono) - now > TOLERANCE:
        problems.append(
            f"clock: at least {span(sent.now(mono) - now)} behind the time a received "
            "message was sent"
        )
    return problems
