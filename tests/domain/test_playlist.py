"""The content schedule (docs/content.md §2): eligibility, priority, reasons, the exact next change."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stele.domain.manifest import Item, Manifest, parse_manifest
from stele.domain.playlist import Place, Plan, Skip, plan

BERLIN = ZoneInfo("Europe/Berlin")
HERE = Place("051220000000", ("innenstadt",), BERLIN)
# 2026-12-04 is a Friday.


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, fold: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=BERLIN, fold=fold)


def text(item_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": item_id, "type": "text", "title": item_id, **extra}


def make(*items: dict[str, Any]) -> Manifest:
    return parse_manifest(json.dumps({"version": "t", "items": list(items)}))


def ids(p: Plan) -> list[str]:
    return [i.id for i in p.playlist]


def times(*windows: tuple[str, str], **more: Any) -> dict[str, Any]:
    return {"schedule": {"times": [{"from": f, "until": u} for f, u in windows], **more}}


def test_no_schedule_no_targets_plays_always_in_manifest_order() -> None:
    p = plan(make(text("b"), text("a")), at(2026, 12, 4, 12), HERE)
    assert ids(p) == ["b", "a"] and p.skipped == () and p.next_change is None


def test_targets_by_ars_prefix_and_tags() -> None:
    m = make(
        text("kreis", targets={"ars": ["05122"]}),
        text("land", targets={"ars": ["09", "05"]}),
        text("muenchen", targets={"ars": ["09162"]}),
        text("tag", targets={"tags": ["bahnhof", "innenstadt"]}),
        text("both", targets={"ars": ["05122"], "tags": ["bahnhof"]}),
    )
    p = plan(m, at(2026, 12, 4, 12), HERE)
    assert ids(p) == ["kreis", "land", "tag"]
    assert p.skipped == (Skip("muenchen", "targets"), Skip("both", "targets"))


def test_date_range_from_inclusive_until_exclusive() -> None:
    m = make(text("a", schedule={"from": "2026-12-04T10:00:00+01:00", "until": "2026-12-05T10:00:00+01:00"}))
    assert ids(plan(m, at(2026, 12, 4, 9, 59), HERE)) == []
    assert plan(m, at(2026, 12, 4, 9, 59), HERE).next_change == at(2026, 12, 4, 10)
    assert ids(plan(m, at(2026, 12, 4, 10), HERE)) == ["a"]
    assert plan(m, at(2026, 12, 4, 10), HERE).next_change == at(2026, 12, 5, 10)
    assert ids(plan(m, at(2026, 12, 5, 10), HERE)) == []
    assert plan(m, at(2026, 12, 5, 10), HERE).next_change is None


def test_weekdays_and_times() -> None:
    m = make(text("a", **times(("10:00", "12:00"), weekdays=["fri"])))
    assert ids(plan(m, at(2026, 12, 4, 10), HERE)) == ["a"]
    assert ids(plan(m, at(2026, 12, 4, 12), HERE)) == []
    assert plan(m, at(2026, 12, 4, 12), HERE).next_change == at(2026, 12, 11, 10)
    assert ids(plan(m, at(2026, 12, 5, 11), HERE)) == []
    whole_day = make(text("sat", schedule={"weekdays": ["sat"]}))
    assert plan(whole_day, at(2026, 12, 4, 12), HERE).next_change == at(2026, 12, 5)
    assert plan(whole_day, at(2026, 12, 5, 12), HERE).next_change == at(2026, 12, 6)


def test_a_window_past_midnight_belongs_to_its_start_day() -> None:
    m = make(text("late", **times(("22:00", "02:00"), weekdays=["fri"])))
    assert ids(plan(m, at(2026, 12, 4, 23), HERE)) == ["late"]
    assert ids(plan(m, at(2026, 12, 5, 1, 59), HERE)) == ["late"]  # Saturday night, Friday's
    assert plan(m, at(2026, 12, 5, 1), HERE).next_change == at(2026, 12, 5, 2)
    assert ids(plan(m, at(2026, 12, 4, 1), HERE)) == []  # Friday 01:00 is Thursday's window


def test_24_00_ends_at_midnight_and_adjacent_windows_are_no_change() -> None:
    m = make(text("a", **times(("18:00", "24:00"), ("00:00", "06:00"))))
    assert ids(plan(m, at(2026, 12, 4, 23, 59), HERE)) == ["a"]
    assert plan(m, at(2026, 12, 4, 19), HERE).next_change == at(2026, 12, 5, 6)


def test_priority_only_the_highest_eligible_plays_and_reason_order() -> None:
    m = make(
        text("everyday"),
        text("eventday", priority=5, schedule={"from": "2026-12-04T00:00:00+01:00", "until": "2026-12-05T00:00:00+01:00"}),
        text("elsewhere-later", priority=9, targets={"ars": ["09"]}, schedule={"from": "2027-01-01T00:00:00+01:00"}),
        text("later", priority=9, schedule={"from": "2027-01-01T00:00:00+01:00"}),
    )
    p = plan(m, at(2026, 12, 4, 12), HERE)
    assert ids(p) == ["eventday"]
    assert p.skipped == (
        Skip("everyday", "priority"), Skip("elsewhere-later", "targets"), Skip("later", "schedule"),
    )
    assert p.next_change == at(2026, 12, 5)
    after = plan(m, at(2026, 12, 5), HERE)
    assert ids(after) == ["everyday"] and after.next_change == at(2027, 1, 1)


def test_an_item_that_cannot_play_is_skipped_with_its_reason_and_does_not_silence_others() -> None:
    m = make(text("everyday"), text("event", priority=5), text("also", priority=5))

    def ready(item: Item) -> str | None:
        return "media not on disk" if item.id == "event" else None

    p = plan(m, at(2026, 12, 4, 12), HERE, ready)
    assert ids(p) == ["also"]
    assert p.skipped == (Skip("everyday", "priority"), Skip("event", "media not on disk"))
    alone = plan(make(text("everyday"), text("event", priority=5)), at(2026, 12, 4, 12), HERE, ready)
    assert ids(alone) == ["everyday"]


def test_next_change_months_ahead_behind_a_quiet_stretch() -> None:
    m = make(
        text("everyday", **times(("08:00", "20:00"))),
        text("top", priority=5, schedule={"until": "2027-06-01T00:00:00+02:00"}),
        text("summer", priority=9, schedule={"from": "2027-07-01T00:00:00+02:00", "times": [{"from": "10:00", "until": "12:00"}]}),
    )
    assert plan(m, at(2026, 12, 4, 12), HERE).next_change == at(2027, 6, 1)
    assert plan(m, at(2027, 6, 1, 12), HERE).next_change == at(2027, 6, 1, 20)
    assert plan(m, at(2027, 6, 30, 21), HERE).next_change == at(2027, 7, 1, 8)
    late = make(text("summer", schedule={"from": "2027-07-01T00:00:00+02:00", "times": [{"from": "10:00", "until": "12:00"}]}))
    assert plan(late, at(2026, 12, 4, 12), HERE).next_change == at(2027, 7, 1, 10)


def test_next_change_ignores_edges_that_change_nothing() -> None:
    m = make(text("top", priority=1), text("low", **times(("10:00", "11:00"))))
    assert plan(m, at(2026, 12, 4, 9), HERE).next_change is None


# --- daylight saving (Europe/Berlin: 2026-03-29 02:00 -> 03:00, 2026-10-25 03:00 -> 02:00) ---


def test_spring_forward_a_window_in_the_gap_starts_when_the_gap_ends() -> None:
    m = make(text("a", **times(("02:30", "04:00"))))
    p = plan(m, at(2026, 3, 29, 1, 0), HERE)
    assert ids(p) == [] and p.next_change == at(2026, 3, 29, 3, 0)
    assert p.next_change.astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert ids(plan(m, at(2026, 3, 29, 3, 0), HERE)) == ["a"]


def test_spring_forward_a_window_inside_the_gap_does_not_exist_that_day() -> None:
    m = make(text("a", **times(("02:15", "02:45"))))
    p = plan(m, at(2026, 3, 29, 0, 0), HERE)
    assert p.next_change == at(2026, 3, 30, 2, 15)


def test_fall_back_a_repeated_time_means_its_first_occurrence_so_a_window_plays_once() -> None:
    m = make(text("a", **times(("02:15", "02:45"))))
    first = at(2026, 10, 25, 2, 15, fold=0)
    p = plan(m, at(2026, 10, 25, 1, 0), HERE)
    assert p.next_change is not None and p.next_change.astimezone(UTC) == first.astimezone(UTC)
    inside = plan(m, first, HERE)
    assert ids(inside) == ["a"] and inside.next_change.astimezone(UTC) == at(2026, 10, 25, 2, 45).astimezone(UTC)
    second = at(2026, 10, 25, 2, 30, fold=1)  # the same wall time an hour later
    again = plan(m, second, HERE)
    assert ids(again) == [] and again.next_change == at(2026, 10, 26, 2, 15)


def test_fall_back_a_window_ending_in_the_repeated_hour_ends_at_the_first_occurrence() -> None:
    m = make(text("a", **times(("01:00", "02:30"))))
    p = plan(m, at(2026, 10, 25, 1, 30), HERE)
    assert p.next_change.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_a_window_across_the_fall_back_night_lasts_an_hour_longer() -> None:
    m = make(text("night", **times(("22:00", "06:00"))))
    p = plan(m, at(2026, 10, 24, 23), HERE)
    assert p.next_change == at(2026, 10, 25, 6)
    assert p.next_change.astimezone(UTC) - at(2026, 10, 24, 22).astimezone(UTC) == timedelta(hours=9)


# --- properties ---------------------------------------------------------------------------

BASE = datetime(2026, 3, 26, tzinfo=UTC)  # a span with the spring-forward night in it
SPAN = timedelta(days=8)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def windows(draw: st.DrawFn) -> dict[str, str]:
    start = draw(st.sampled_from([0, 60, 90, 120, 135, 150, 180, 600, 1320, 1410]))
    end = draw(st.sampled_from([30, 120, 150, 165, 180, 240, 720, 1380, 1440]).filter(lambda e: e != start))
    return {"from": _hhmm(start), "until": _hhmm(end)}


@st.composite
def items(draw: st.DrawFn, index: int) -> dict[str, Any]:
    item = text(f"i{index}", priority=draw(st.integers(0, 2)))
    schedule: dict[str, Any] = {}
    if draw(st.booleans()):
        schedule["times"] = draw(st.lists(windows(), min_size=1, max_size=2))
    if draw(st.booleans()):
        schedule["weekdays"] = draw(st.lists(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), min_size=1, max_size=3, unique=True))
    if draw(st.booleans()):
        # Mostly within the span, sometimes weeks later (the sweep jumps quiet weeks).
        start = BASE + timedelta(minutes=draw(st.one_of(st.integers(0, 8 * 1440), st.integers(0, 60 * 1440))))
        schedule["from"] = start.isoformat()
        if draw(st.booleans()):
            schedule["until"] = (start + timedelta(minutes=draw(st.integers(1, 3 * 1440)))).isoformat()
    if schedule:
        item["schedule"] = schedule
    if draw(st.integers(0, 4)) == 0:
        item["targets"] = {"tags": ["bahnhof"]}
    return item


@st.composite
def manifests(draw: st.DrawFn) -> Manifest:
    n = draw(st.integers(1, 5))
    return make(*[draw(items(i)) for i in range(n)])


instants = st.integers(0, int(SPAN.total_seconds())).map(lambda s: BASE + timedelta(seconds=s))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests(), instants, st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3))
def test_the_playlist_holds_until_next_change_and_differs_there(
    m: Manifest, now: datetime, fractions: list[float]
) -> None:
    p = plan(m, now, HERE)
    here = ids(p)
    if p.next_change is None:
        for days in (1, 3, 8, 30):
            assert ids(plan(m, now + timedelta(days=days), HERE)) == here
        return
    change = p.next_change.astimezone(UTC)
    assert change > now
    span = change - now
    for f in fractions:
        t = now + (span * f) // 1
        if t < change:
            assert ids(plan(m, t, HERE)) == here
    assert ids(plan(m, change - timedelta(microseconds=1), HERE)) == here
    assert ids(plan(m, change, HERE)) != here


def _candidates(m: Manifest, start: datetime, stop: datetime) -> list[datetime]:
    """Every instant in (start, stop) where some item's condition may flip, found naively."""
    from stele.domain.schedule import local_instant

    out: set[datetime] = set()
    day = start.astimezone(BERLIN).date() - timedelta(days=1)
    while local_instant(day, time(0), BERLIN) < stop:
        for item in m.items:
            sched = item.schedule
            if sched is None:
                continue
            out.update(e for e in (sched.from_, sched.until) if e is not None)
            spans = [(w.start_min, w.end_min) for w in sched.times or ()] or [(0, 1440)]
            for a, b in spans:
                for minutes in (a, b):
                    extra, rest = divmod(minutes, 1440)
                    out.add(local_instant(day + timedelta(days=extra), time(rest // 60, rest % 60), BERLIN))
        day += timedelta(days=1)
    return sorted(t for t in out if start < t < stop)


@settings(max_examples=150, deadline=None)
@given(manifests(), instants)
def test_no_flip_before_next_change_at_any_edge(m: Manifest, now: datetime) -> None:
    p = plan(m, now, HERE)
    stop = p.next_change.astimezone(UTC) if p.next_change else now + timedelta(days=10)
    for t in _candidates(m, now, min(stop, now + timedelta(days=10))):
        assert ids(plan(m, t, HERE)) == ids(p), t


@settings(max_examples=150, deadline=None)
@given(manifests(), instants)
def test_every_item_is_played_or_skipped_once_with_a_known_reason(m: Manifest, now: datetime) -> None:
    p = plan(m, now, HERE)
    assert sorted([*ids(p), *(s.id for s in p.skipped)]) == sorted(i.id for i in m.items)
    assert {s.reason for s in p.skipped} <= {"targets", "schedule", "priority"}
    assert len({i.priority for i in p.playlist}) <= 1
    order = [i.id for i in m.items]
    assert ids(p) == sorted(ids(p), key=order.index)


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError):
        plan(make(text("a")), datetime(2026, 1, 1), HERE)
