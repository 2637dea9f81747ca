"""The clock guard (pure): the time a stele without RTC uses, and what it reports."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from stele.domain.book import AlertBook
from stele.domain.clock import (
    NOT_SYNCHRONISED,
    Known,
    clock_problems,
    guarded_now,
    last_known,
    span,
    stronger,
)
from stele.domain.screen import build_screen
from stele.domain.targeting import Place
from tests.capgen import make_alert

T0 = datetime.fromisoformat("2026-11-22T14:00:00+01:00")
HERE = Place(lat=51.1652, lon=7.0671, ars="051220000000")
minutes = st.integers(-400 * 24 * 60, 400 * 24 * 60).map(lambda m: T0 + timedelta(minutes=m))
monos = st.floats(0, 1e7, allow_nan=False)


@given(system=minutes, mono=monos, at=minutes, at_mono=monos, synced=st.booleans())
def test_guarded_time_is_the_clock_or_the_floor_carried_forward(
    system: datetime, mono: float, at: datetime, at_mono: float, synced: bool
) -> None:
    floor = Known(at, at_mono)
    now = guarded_now(system, mono, floor, synced=synced)
    assert now >= system
    if synced:
        assert now == system  # NTP set it: a floor from a clock that ran ahead must not win
    else:
        assert now >= at  # never earlier than a time the stele knew
        assert now == max(system, floor.now(mono))
    assert guarded_now(system, mono, None, synced=synced) == system


@given(system=minutes, at=minutes, start=monos, steps=st.lists(st.floats(0, 1e5), max_size=8))
def test_guarded_time_runs_with_the_monotonic_clock_and_never_goes_back(
    system: datetime, at: datetime, start: float, steps: list[float]
) -> None:
    """A clock that is behind still advances: expiry and schedules keep moving."""
    floor, mono, before = Known(at, start), start, None
    for step in steps:
        mono += step
        # The system clock advances at the same rate as the monotonic one (no NTP step).
        now = guarded_now(system + timedelta(seconds=mono - start), mono, floor, synced=False)
        if before is not None:  # it moves exactly as time passes (to float rounding)
            assert abs((now - before) - timedelta(seconds=step)) <= timedelta(milliseconds=1)
        before = now


def test_floor_projects_forward_and_never_back() -> None:
    k = Known(T0, 100.0)
    assert k.now(160.0) == T0 + timedelta(minutes=1)
    assert k.now(40.0) == T0  # a reading before the anchor says nothing new


@given(a=minutes, am=monos, b=minutes, bm=monos)
def test_stronger_keeps_the_higher_lower_bound(
    a: datetime, am: float, b: datetime, bm: float
) -> None:
    ka, kb = Known(a, am), Known(b, bm)
    best = stronger(ka, kb)
    assert best is not None
    later = max(am, bm) + 10.0
    assert best.now(later) == max(ka.now(later), kb.now(later))
    assert stronger(None, ka) is ka and stronger(ka, None) is ka and stronger(None, None) is None


def test_last_known_is_the_newest_receipt_or_end_in_the_book() -> None:
    book = AlertBook(place=HERE)
    assert last_known(book) is None
    book.receive(make_alert(identifier="A"), T0)
    book.receive(make_alert(identifier="B"), T0 + timedelta(minutes=5))
    assert last_known(book) == T0 + timedelta(minutes=5)
    cancel = make_alert(identifier="C", msg_type="Cancel", references="x,A,y")
    book.receive(cancel, T0 + timedelta(minutes=9))
    assert last_known(book) == T0 + timedelta(minutes=9)


def test_a_restored_alert_stays_on_screen_on_a_clock_restarted_behind() -> None:
    """Received at T0 (its `sent`); the stele reboots offline with its clock 3 h behind. The
    book's own receipt is the floor, so the alert is not pushed back into the future."""
    book = AlertBook(place=HERE)
    book.receive(make_alert(identifier="A", severity="Extreme", sent=T0.isoformat()), T0)
    system = T0 - timedelta(hours=3)
    assert build_screen(book, system).alerts == ()  # the bug the floor prevents
    floor = Known(last_known(book) or T0, 0.0)
    now = guarded_now(system, 1.0, floor, synced=False)
    assert [a.identifier for a in build_screen(book, now).alerts] == ["A"]


def test_problems_say_not_synchronised_only_where_timesyncd_runs() -> None:
    assert clock_problems(T0, 0.0, floor=None, sent=None, synced=False) == [NOT_SYNCHRONISED]
    assert clock_problems(T0, 0.0, floor=None, sent=None, synced=None) == []
    assert clock_problems(T0, 0.0, floor=None, sent=None, synced=True) == []


def test_problems_report_a_clock_behind_the_floor_until_ntp_sets_it() -> None:
    floor = Known(T0 + timedelta(hours=3, minutes=5), 0.0)
    problems = clock_problems(T0, 0.0, floor=floor, sent=None, synced=False)
    assert problems[0] == NOT_SYNCHRONISED
    assert problems[1].startswith("clock: 3 h 5 min behind the last time this stele knew")
    # The same 3 h 5 min an hour later: both clocks ran on.
    later = clock_problems(T0 + timedelta(hours=1), 3600.0, floor=floor, sent=None, synced=None)
    assert len(later) == 1 and "3 h 5 min behind" in later[0]
    assert clock_problems(T0, 0.0, floor=floor, sent=None, synced=True) == []


def test_problems_report_a_message_sent_later_than_the_guarded_time() -> None:
    sent = Known(T0 + timedelta(days=2, hours=1), 0.0)
    problems = clock_problems(T0, 0.0, floor=None, sent=sent, synced=None)
    assert problems == ["clock: at least 2 d 1 h behind the time a received message was sent"]
    # Within the tolerance (senders' clocks differ a little): nothing to report.
    near = Known(T0 + timedelta(seconds=90), 0.0)
    assert clock_problems(T0, 0.0, floor=None, sent=near, synced=None) == []
    # Once the clock has caught up (NTP stepped it), the evidence is spent.
    assert clock_problems(T0 + timedelta(days=3), 10.0, floor=None, sent=sent, synced=True) == []


def test_span_reads_like_a_person_would_say_it() -> None:
    assert span(timedelta(minutes=7, seconds=59)) == "7 min"
    assert span(timedelta(hours=2, minutes=5)) == "2 h 5 min"
    assert span(timedelta(days=3, hours=4, minutes=59)) == "3 d 4 h"
