"""Display power schedule: pure functions of (windows, now), DST-safe in the device timezone.

A window is anything with `days` ("mon".."sun"), `on` and `off` ("HH:MM" or datetime.time),
such as stele.config.ScheduleWindow. It starts at `on` on each of its days and ends at `off`
the same day, or the next day when off < on (past midnight; off == on means 24 hours).
An empty schedule means always on.

Wall-clock times are turned into instants as "the first instant of that local day whose
wall clock reads at least HH:MM": a time skipped by the spring-forward jump takes effect at
the jump, a time repeated in autumn takes effect at its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_STEP = timedelta(minutes=1)
_MAX_GAP = timedelta(hours=3)  # no zone has ever jumped further than this at once
_HORIZON_DAYS = 9  # a weekly schedule repeats within 7 days; +2 for past-midnight windows


class Window(Protocol):
    @property
    def days(self) -> Iterable[str]: ...
    @property
    def on(self) -> time | str: ...
    @property
    def off(self) -> time | str: ...


def _as_time(value: time | str) -> time:
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    hh, _, mm = value.partition(":")
    return time(int(hh), int(mm))


def _boundary(day: date, at: time, tz: tzinfo) -> datetime:
    """The first instant (in UTC) of local `day` whose wall clock reads `at` or later."""
    wall = datetime.combine(day, at)
    # fold=0: a repeated autumn time means its first occurrence.
    instant = wall.replace(tzinfo=tz).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == wall:
        return instant
    # `at` does not exist (spring-forward gap): walk back to the first instant after the jump.
    # Arithmetic stays in UTC: same-zone aware datetimes add and compare as wall clocks.
    earliest = instant - _MAX_GAP
    while instant > earliest:
        before = instant - _STEP
        if before.astimezone(tz).replace(tzinfo=None) < wall:
            break
        instant = before
    return instant


# Shared with the content schedule (stele/domain/playlist.py): one rule for wall clocks.
local_instant = _boundary


def _intervals(
    schedule: Sequence[Window], first: date, last: date, tz: tzinfo
) -> list[tuple[datetime, datetime]]:
    """On-intervals (UTC instants) of every window starting on a local date in [first, last]."""
    out: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        weekday = DAYS[day.weekday()]
        for window in schedule:
            if weekday not in window.days:
                continue
            on, off = _as_time(window.on), _as_time(window.off)
            end_day = day + timedelta(days=1) if off <= on else day
            out.append((_boundary(day, on, tz), _boundary(end_day, off, tz)))
        day += timedelta(days=1)
    return out


def _zone(now: datetime, tz: tzinfo | None) -> tuple[datetime, tzinfo]:
    if tz is not None:
        return now.astimezone(tz), tz
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (or pass tz)")
    return now, now.tzinfo


def is_on(schedule: Sequence[Window], now: datetime, tz: tzinfo | None = None) -> bool:
    """Whether the schedule wants the display on at `now` (evaluated in `tz` or now's zone)."""
    if not schedule:
        return True
    local, zone = _zone(now, tz)
    today, utc = local.date(), local.astimezone(UTC)
    return any(
        start <= utc < end
        for start, end in _intervals(schedule, today - timedelta(days=1), today, zone)
    )


def next_change(
    schedule: Sequence[Window], now: datetime, tz: tzinfo | None = None
) -> datetime | None:
    """The first instant after `now` at which is_on() flips, or None if it never does."""
    if not schedule:
        return None
    local, zone = _zone(now, tz)
    today, utc = local.date(), local.astimezone(UTC)
    current = is_on(schedule, local, zone)
    candidates = sorted(
        {
            edge
            for interval in _intervals(
                schedule, today - timedelta(days=1), today + timedelta(days=_HORIZON_DAYS), zone
            )
            for edge in interval
            if edge > utc
        }
    )
    for edge in candidates:
        # Adjacent windows (one ends as the next starts) are not a change.
        if is_on(schedule, edge, zone) != current:
            return edge.astimezone(zone)
    return None


def desired_power(
    schedule_on: bool, crisis: bool, command_override: bool | None
) -> tuple[bool, bool]:
    """(display on?, full brightness?).

    A crisis (takeover or banner) wins over everything, a manual `display` command wins over
    the schedule. Full brightness is only asked for in a crisis; otherwise the display keeps
    its normal brightness.
    """
    if crisis:
        return True, True
    if command_override is not None:
        return command_override, False
    return schedule_on, False
