"""Which items play now, and when that changes: a pure function of (manifest, now, place).

Spec: docs/content.md, "Which items play, and when". Local times are resolved by the same
rule as the display power schedule (stele.domain.schedule.local_instant): a wall-clock time
in the spring-forward gap means the instant the gap ends, a repeated autumn time its first
occurrence.

Each item's eligibility is a union of half-open UTC intervals: its [from, until) range cut
with its weekday/time windows (a window belongs to the local day it starts on). The playlist
can only change at an interval edge, so `next_change` sweeps the edges in time order and
returns the first one at which the ids or their order differ. The sweep goes day by day
(most manifests change within hours); between two from/until edges the windows repeat
weekly, so after eight days without a change it jumps to the next such edge, and after the
last one it stops: nothing changes ever again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from stele.domain.manifest import WEEKDAYS, Item, Manifest, Schedule
from stele.domain.schedule import local_instant

_DAY = timedelta(days=1)
_INSTANT = timedelta(microseconds=1)
_QUIET = timedelta(days=8)  # a weekly pattern, plus one day for windows past midnight

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Place:
    """The stele the playlist is for."""

    ars: str
    tags: tuple[str, ...]
    zone: ZoneInfo


@dataclass(frozen=True)
class Skip:
    id: str
    reason: str  # "targets", "schedule", "priority", or why the item cannot play yet


@dataclass(frozen=True)
class Plan:
    playlist: tuple[Item, ...]
    skipped: tuple[Skip, ...]
    next_change: datetime | None  # aware, in the place's zone; None: never changes again


def targeted(item: Item, place: Place) -> bool:
    """Whether the item's targets include this stele (absent targets: every stele)."""
    targets = item.targets
    if targets is None:
        return True
    if targets.ars is not None and not any(place.ars.startswith(p) for p in targets.ars):
        return False
    return targets.tags is None or any(tag in place.tags for tag in targets.tags)


def _wall(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of `minutes` after local midnight of `day` (may run into later days)."""
    extra, minutes = divmod(minutes, 1440)
    return local_instant(day + timedelta(days=extra), time(minutes // 60, minutes % 60), zone)


def _windows(schedule: Schedule, first: date, last: date, zone: ZoneInfo) -> list[Interval]:
    """Weekday/time intervals (UTC) of windows starting on local days first..last."""
    days = set(schedule.weekdays or WEEKDAYS)
    spans = (
        [(w.start_min, w.end_min) for w in schedule.times]
        if schedule.times is not None
        else [(0, 1440)]
    )
    out: list[Interval] = []
    day = first
    while day <= last:
        if WEEKDAYS[day.weekday()] in days:
            for start, end in spans:
                begin, finish = _wall(day, start, zone), _wall(day, end, zone)
                if begin < finish:  # 02:30-02:45 on the spring-forward day does not exist
                    out.append((begin, finish))
        day += _DAY
    return out


def _in(intervals: Iterable[Interval], t: datetime) -> bool:
    return any(start <= t < end for start, end in intervals)


class _Sweep:
    """Eligibility of items over one stretch of time, and its edges in (start, end]."""

    def __init__(self, items: list[Item], start: datetime, end: datetime, zone: ZoneInfo):
        self.items = items
        first = start.astimezone(zone).date() - _DAY  # a window past midnight started then
        last = end.astimezone(zone).date()
        self.ranges: list[Interval] = []
        self.windows: list[list[Interval] | None] = []
        self.edges: dict[datetime, set[int]] = {}
        lo, hi = datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
        for index, item in enumerate(items):
            sched = item.schedule
            begin = sched.from_ if sched and sched.from_ else lo
            finish = sched.until if sched and sched.until else hi
            self.ranges.append((begin, finish))
            for edge in (begin, finish):
                if start < edge <= end:
                    self.edges.setdefault(edge, set()).add(index)
            windows = None
            if sched is not None and sched.periodic:
                # Only while the from/until range is open can a window change anything.
                live = begin < end + _DAY and finish > start - _DAY
                windows = _windows(sched, first, last, zone) if live else []
                for pair in windows:
                    for edge in pair:
                        if start < edge <= end:
                            self.edges.setdefault(edge, set()).add(index)
            self.windows.append(windows)

    def eligible(self, index: int, t: datetime) -> bool:
        begin, finish = self.ranges[index]
        if not begin <= t < finish:
            return False
        windows = self.windows[index]
        return windows is None or _in(windows, t)


def _chosen(items: list[Item], flags: list[bool]) -> tuple[str, ...]:
    """Ids of the eligible items with the highest priority, in manifest order."""
    top = max((it.priority for it, on in zip(items, flags, strict=True) if on), default=None)
    return tuple(it.id for it, on in zip(items, flags, strict=True) if on and it.priority == top)


def _fixed_edges(items: list[Item], now: datetime) -> list[datetime]:
    """Every from/until instant after `now`, in order."""
    edges = {
        edge
        for item in items
        if item.schedule is not None
        for edge in (item.schedule.from_, item.schedule.until)
        if edge is not None and edge > now
    }
    return sorted(edges)


def _next_change(
    items: list[Item], now: datetime, current: tuple[str, ...], zone: ZoneInfo
) -> datetime | None:
    if not items:
        return None
    fixed = _fixed_edges(items, now)
    fixed_only = not any(it.schedule is not None and it.schedule.periodic for it in items)
    start = quiet_from = now
    while True:
        # Between two from/until edges the windows repeat weekly: eight days without a
        # change there mean none until the next such edge (or ever, after the last).
        if fixed_only or start - quiet_from >= _QUIET:
            later = [edge for edge in fixed if edge > start]
            if not later:
                return None
            start = max(start, later[0] - _INSTANT)
            quiet_from = later[0]
        end = start + _DAY  # local-day sized steps keep the window lists short
        sweep = _Sweep(items, start, end, zone)
        flags = [sweep.eligible(i, start) for i in range(len(items))]
        for edge in sorted(sweep.edges):
            changed = False
            for index in sweep.edges[edge]:
                on = sweep.eligible(index, edge)
                changed |= on != flags[index]
                flags[index] = on
            if changed and _chosen(items, flags) != current:
                return edge.astimezone(zone)
        quiet_from = max([quiet_from, *(edge for edge in fixed if start < edge <= end)])
        start = end


def plan(
    manifest: Manifest,
    now: datetime,
    place: Place,
    ready: Callable[[Item], str | None] | None = None,
) -> Plan:
    """The playlist at `now` for `place`, what is skipped and why, and when it next changes.

    `ready(item)` returns why an item cannot play yet (media not verified on disk, live data
    never fetched), or None. Such an item is skipped with that reason and does not take part
    in the priority choice (its set must not silence the others); readiness is taken as it
    is now, so `next_change` assumes it stays so (the caller plans again when it changes).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    utc = now.astimezone(UTC)
    aimed = [item for item in manifest.items if targeted(item, place)]
    blocked = {
        item.id: reason
        for item in aimed
        if ready is not None and (reason := ready(item)) is not None
    }
    probe = _Sweep(aimed, utc, utc + _INSTANT, place.zone)
    in_schedule = {item.id: probe.eligible(i, utc) for i, item in enumerate(aimed)}
    playable = [item for item in aimed if item.id not in blocked]
    current = _chosen(playable, [in_schedule[item.id] for item in playable])
    skipped: list[Skip] = []
    for item in manifest.items:
        if item.id in current:
            continue
        if item.id not in in_schedule:
            reason = "targets"
        elif not in_schedule[item.id]:
            reason = "schedule"
        else:
            reason = blocked.get(item.id, "priority")
        skipped.append(Skip(item.id, reason))
    by_id = {item.id: item for item in playable}
    return Plan(
        playlist=tuple(by_id[i] for i in current),
        skipped=tuple(skipped),
        next_change=_next_change(playable, utc, current, place.zone),
    )
