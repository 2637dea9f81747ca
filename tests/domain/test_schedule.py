"""Display schedule: windows by weekday, past midnight, DST, and the crisis override."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from stele.domain.schedule import DAYS, desired_power, is_on, next_change

BERLIN = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class W:
    on: time | str
    off: time | str
    days: tuple[str, ...] = field(default=DAYS)


def at(y: int, mo: int, d: int, h: int, mi: int = 0, fold: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=BERLIN, fold=fold)


WEEKDAYS = W("06:00", "22:00", ("mon", "tue", "wed", "thu", "fri"))
# 2025-06-02 is a Monday.


def test_empty_schedule_is_always_on() -> None:
    assert is_on((), at(2025, 6, 2, 3))
    assert next_change((), at(2025, 6, 2, 3)) is None


@pytest.mark.parametrize(
    ("now", "on"),
    [
        (at(2025, 6, 2, 5, 59), False),
        (at(2025, 6, 2, 6, 0), True),
        (at(2025, 6, 2, 21, 59), True),
        (at(2025, 6, 2, 22, 0), False),
        (at(2025, 6, 7, 12), False),  # Saturday
    ],
)
def test_weekday_window(now: datetime, on: bool) -> None:
    assert is_on([WEEKDAYS], now) is on


def test_a_day_of_transitions() -> None:
    now = at(2025, 6, 2, 0, 30)
    seen = []
    for _ in range(4):
        nxt = next_change([WEEKDAYS], now)
        assert nxt is not None
        seen.append((nxt, is_on([WEEKDAYS], nxt)))
        now = nxt
    assert seen == [
        (at(2025, 6, 2, 6), True),
        (at(2025, 6, 2, 22), False),
        (at(2025, 6, 3, 6), True),
        (at(2025, 6, 3, 22), False),
    ]


def test_friday_night_skips_the_weekend() -> None:
    assert next_change([WEEKDAYS], at(2025, 6, 6, 22)) == at(2025, 6, 9, 6)


def test_past_midnight_window_belongs_to_its_start_day() -> None:
    late = W("20:00", "02:00", ("sat",))
    assert is_on([late], at(2025, 6, 7, 23))  # Saturday evening
    assert is_on([late], at(2025, 6, 8, 1, 59))  # Sunday night, still Saturday's window
    assert not is_on([late], at(2025, 6, 8, 2))
    assert not is_on([late], at(2025, 6, 7, 1))  # Saturday 01:00: Friday had no window
    assert next_change([late], at(2025, 6, 7, 23)) == at(2025, 6, 8, 2)


def test_adjacent_windows_are_one_stretch() -> None:
    sched = [W("06:00", "12:00"), W(time(12, 0), time(22, 0))]
    assert next_change(sched, at(2025, 6, 2, 7)) == at(2025, 6, 2, 22)


def test_other_timezone_is_converted() -> None:
    utc_now = datetime(2025, 6, 2, 4, 30, tzinfo=UTC)  # 06:30 in Berlin
    assert is_on([WEEKDAYS], utc_now, BERLIN)
    assert next_change([WEEKDAYS], utc_now, BERLIN) == at(2025, 6, 2, 22)
    with pytest.raises(ValueError):
        is_on([WEEKDAYS], datetime(2025, 6, 2, 7))


def test_spring_forward_skipped_time_takes_effect_at_the_jump() -> None:
    # 2025-03-30 02:00 CET -> 03:00 CEST: 02:30 does not exist that night.
    night = W("06:00", "02:30")
    nxt = next_change([night], at(2025, 3, 29, 23))
    assert nxt == datetime(2025, 3, 30, 1, 0, tzinfo=UTC)  # 03:00 CEST
    assert not is_on([night], nxt)
    # Same-zone datetime arithmetic is wall-clock arithmetic: step back in UTC.
    assert is_on([night], nxt.astimezone(UTC) - timedelta(seconds=1))


def test_fall_back_repeated_time_means_first_occurrence() -> None:
    # 2025-10-26 03:00 CEST -> 02:00 CET: 02:00-03:00 happens twice.
    early = W("02:30", "05:00", ("sun",))
    first_0230 = at(2025, 10, 26, 2, 30, fold=0)
    assert next_change([early], at(2025, 10, 26, 1)) == first_0230
    # 02:15 the second time round (CET) is after the first 02:30: already on.
    assert is_on([early], at(2025, 10, 26, 2, 15, fold=1))
    assert not is_on([early], at(2025, 10, 26, 2, 15, fold=0))
    off = next_change([early], first_0230)
    assert off == at(2025, 10, 26, 5)
    assert off is not None
    assert off - first_0230 == timedelta(hours=2, minutes=30)  # wall clock
    assert off.astimezone(UTC) - first_0230.astimezone(UTC) == timedelta(hours=3, minutes=30)


windows = st.builds(
    W,
    on=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    off=st.times().map(lambda t: t.replace(second=0, microsecond=0)),
    days=st.lists(st.sampled_from(DAYS), min_size=1, unique=True).map(tuple),
)


def _instants(lo: datetime, hi: datetime) -> st.SearchStrategy[datetime]:
    return st.datetimes(lo, hi, timezones=st.just(BERLIN), allow_imaginary=False)


# Anywhere in three years, plus a bias towards the two 2025 DST weekends.
instants = st.one_of(
    _instants(datetime(2024, 1, 1), datetime(2026, 12, 31)),
    _instants(datetime(2025, 3, 28), datetime(2025, 3, 31)),
    _instants(datetime(2025, 10, 24), datetime(2025, 10, 27)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(windows, min_size=1, max_size=3), instants)
# Found by hypothesis in CI: 4 µs before a change, span * 7 / 8 rounded up onto the change itself.
@example(
    [W(time(0, 0), time(0, 0), ("mon",)), W(time(0, 0), time(2, 0), ("mon", "tue"))],
    datetime(2024, 1, 2, 1, 59, 59, 999996, tzinfo=BERLIN),
)
def test_state_holds_until_next_change_then_flips(sched: list[W], now: datetime) -> None:
    state = is_on(sched, now)
    nxt = next_change(sched, now)
    if nxt is None:  # only when windows cover every minute of the week
        assert all(is_on(sched, now + timedelta(hours=h)) for h in range(0, 24 * 8, 5))
        return
    start = now.astimezone(UTC)
    span = nxt.astimezone(UTC) - start
    assert timedelta(0) < span <= timedelta(days=8, hours=1)
    assert is_on(sched, nxt) is not state
    for k in range(1, 8):
        assert is_on(sched, start + span * k // 8, BERLIN) is state


@pytest.mark.parametrize(
    ("schedule_on", "crisis", "override", "expected"),
    [
        (True, False, None, (True, False)),
        (False, False, None, (False, False)),
        (False, True, None, (True, True)),
        (False, True, False, (True, True)),  # crisis beats a manual "display off"
        (True, False, False, (False, False)),
        (False, False, True, (True, False)),
    ],
)
def test_desired_power(
    schedule_on: bool, crisis: bool, override: bool | None, expected: tuple[bool, bool]
) -> None:
    assert desired_power(schedule_on, crisis, override) == expected
