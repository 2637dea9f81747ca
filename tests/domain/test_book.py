"""The alert lifecycle: Alert, Update, Cancel, Error, Ack, duplicates, expiry, incidents."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from stele.domain.book import AlertBook, Origin, Outcome
from stele.domain.cap import parse_alert
from stele.domain.model import Layout
from stele.domain.presentation import Mode
from stele.domain.screen import build_screen
from stele.domain.targeting import Place
from tests.capgen import make_alert

DATA = Path(__file__).parent.parent / "data" / "cap"
T0 = datetime.fromisoformat("2026-11-22T14:00:00+01:00")
HERE = Place(lat=51.1652, lon=7.0671, ars="051220000000")


def book(place: Place | None = HERE, minutes: int = 10) -> AlertBook:
    return AlertBook(place=place, all_clear_for=timedelta(minutes=minutes))


def shown_ids(b: AlertBook, now: datetime = T0) -> list[str]:
    return [e.alert.identifier for e, _ in b.shown(now)]


def sample(name: str):
    return parse_alert(next(DATA.glob(name + "*")).read_bytes())


def test_alert_adds_and_repeat_is_a_noop() -> None:
    b = book()
    a = make_alert(identifier="A")
    assert b.receive(a, T0).outcome is Outcome.ADDED
    assert b.receive(a, T0).outcome is Outcome.DUPLICATE
    assert shown_ids(b) == ["A"]


def test_identity_is_sender_and_identifier() -> None:
    b = book()
    b.receive(make_alert(identifier="A", sender="one@x"), T0)
    assert b.receive(make_alert(identifier="A", sender="two@x"), T0).outcome is Outcome.ADDED
    assert len(b.entries) == 2


def test_update_replaces_referenced_alerts() -> None:
    b = book()
    b.receive(make_alert(identifier="A", headline="first"), T0)
    upd = make_alert(
        identifier="B", msg_type="Update", headline="second",
        sent="2026-11-22T14:10:00+01:00", references="test@stele.invalid,A,2026-11-22T14:00:00+01:00",
    )
    change = b.receive(upd, T0)
    assert change.outcome is Outcome.REPLACED and change.removed == ("A",)
    assert shown_ids(b) == ["B"]


def test_update_of_unknown_alert_is_simply_new() -> None:
    b = book()
    upd = make_alert(identifier="B", msg_type="Update", references="x,UNKNOWN,2026-11-22T13:00:00+01:00")
    assert b.receive(upd, T0).outcome is Outcome.ADDED
    assert shown_ids(b) == ["B"]


def test_message_older_than_the_one_it_replaces_is_ignored() -> None:
    b = book()
    b.receive(make_alert(identifier="A", sent="2026-11-22T15:00:00+01:00"), T0)
    stale = make_alert(identifier="B", msg_type="Update", sent="2026-11-22T14:00:00+01:00",
                       references="test@stele.invalid,A,2026-11-22T15:00:00+01:00")
    assert b.receive(stale, T0).outcome is Outcome.OUTDATED
    assert shown_ids(b, T0 + timedelta(hours=2)) == ["A"]


def test_late_duplicate_of_an_updated_alert_never_comes_back() -> None:
    b = book()
    a = make_alert(identifier="A")
    b.receive(a, T0)
    b.receive(make_alert(identifier="B", msg_type="Update", sent="2026-11-22T14:05:00+01:00",
                         references="test@stele.invalid,A,2026-11-22T14:00:00+01:00"), T0)
    assert b.receive(a, T0 + timedelta(minutes=1)).outcome is Outcome.OUTDATED
    assert shown_ids(b) == ["B"]


def test_real_mowas_update_chain_with_malformed_references() -> None:
    b = book(place=None)
    alert = sample("03a_")
    update = sample("03b_")
    at = update.sent + timedelta(minutes=1)
    b.receive(alert, at)
    change = b.receive(update, at)
    assert change.outcome is Outcome.REPLACED
    assert change.removed == (alert.identifier,)
    assert shown_ids(b, at) == [update.identifier]


def test_cancel_removes_and_shows_all_clear_with_its_headline_for_ten_minutes() -> None:
    b = book()
    b.receive(make_alert(identifier="A", severity="Extreme"), T0)
    cancel = make_alert(identifier="C", msg_type="Cancel", severity="Extreme",
                        headline="Entwarnung: Hochwasser", references="test@stele.invalid,A,2026-11-22T14:00:00+01:00")
    assert b.receive(cancel, T0).outcome is Outcome.CANCELLED
    screen = build_screen(b, T0)
    assert screen.mode is Mode.NORMAL  # a Cancel never starts or prolongs the crisis layout
    assert screen.alerts == ()
    assert screen.all_clear is not None and screen.all_clear.headline == "Entwarnung: Hochwasser"
    assert build_screen(b, T0 + timedelta(minutes=9, seconds=59)).all_clear is not None
    assert build_screen(b, T0 + timedelta(minutes=10)).all_clear is None


def test_all_clear_never_outlasts_the_cancels_expires() -> None:
    b = book(minutes=60)
    b.receive(make_alert(identifier="A"), T0)
    cancel = make_alert(identifier="C", msg_type="Cancel", expires="2026-11-22T14:05:00+01:00",
                        references="test@stele.invalid,A,2026-11-22T14:00:00+01:00")
    b.receive(cancel, T0)
    assert b.all_clear is not None
    assert b.all_clear.until == datetime.fromisoformat("2026-11-22T14:05:00+01:00")


def test_real_mowas_cancel_ends_the_storm_surge_alert() -> None:
    b = book(place=Place(ars="010540000000"))
    alert, cancel = sample("01_"), sample("02_")
    at = cancel.sent
    b.receive(alert, at - timedelta(hours=1))
    assert shown_ids(b, at) == [alert.identifier]
    assert b.receive(cancel, at).outcome is Outcome.CANCELLED
    assert shown_ids(b, at) == []
    assert b.current_all_clear(at) is not None


def test_real_extreme_cancel_of_unknown_alert_shows_only_all_clear() -> None:
    cancel = sample("04_")
    b = book(place=Place(ars="059740000000"))
    b.receive(cancel, cancel.sent)
    screen = build_screen(b, cancel.sent)
    assert screen.mode is Mode.NORMAL and screen.alerts == ()
    assert screen.all_clear is not None


def test_cancel_for_elsewhere_of_unknown_alert_shows_nothing() -> None:
    b = book()
    cancel = make_alert(identifier="C", msg_type="Cancel", ars=("091620000000",),
                        references="x,OTHER,2026-11-22T13:00:00+01:00")
    b.receive(cancel, T0)
    assert b.current_all_clear(T0) is None


def test_cancel_arriving_before_its_alert_keeps_the_alert_dead() -> None:
    b = book()
    b.receive(make_alert(identifier="C", msg_type="Cancel", references="test@stele.invalid,A,x"), T0)
    assert b.receive(make_alert(identifier="A"), T0).outcome is Outcome.OUTDATED


def test_error_removes_silently_and_ack_is_ignored() -> None:
    b = book()
    b.receive(make_alert(identifier="A"), T0)
    assert b.receive(make_alert(identifier="ACK", msg_type="Ack", references="x,A,y"), T0).outcome is Outcome.IGNORED
    assert shown_ids(b) == ["A"]
    err = make_alert(identifier="E", msg_type="Error", references="test@stele.invalid,A,x")
    assert b.receive(err, T0).outcome is Outcome.RETRACTED
    assert shown_ids(b) == []
    assert b.current_all_clear(T0) is None


def test_expiry_at_the_exact_instant_and_next_deadline() -> None:
    b = book()
    b.receive(make_alert(identifier="A", expires="2026-11-22T14:30:00+01:00"), T0)
    b.receive(make_alert(identifier="B", effective="2026-11-22T14:10:00+01:00"), T0)
    assert shown_ids(b) == ["A"]
    assert b.next_deadline(T0) == datetime.fromisoformat("2026-11-22T14:10:00+01:00")
    t1 = datetime.fromisoformat("2026-11-22T14:10:00+01:00")
    assert sorted(shown_ids(b, t1)) == ["A", "B"]
    assert b.next_deadline(t1) == datetime.fromisoformat("2026-11-22T14:30:00+01:00")
    t2 = datetime.fromisoformat("2026-11-22T14:30:00+01:00")
    assert shown_ids(b, t2) == ["B"]
    assert b.expire(t2) == ("A",)
    assert b.next_deadline(t2) is None  # B has no expires: until cancelled


def test_empty_retained_payload_ends_an_incident() -> None:
    b = book()
    inc = Origin("all", "", "k1")
    b.receive(make_alert(identifier="A"), T0, origin=inc)
    b.receive(make_alert(identifier="B"), T0, origin=Origin("all", "", "k2"))
    assert b.clear_incident(inc, T0) == ("A",)
    assert shown_ids(b) == ["B"]
    assert b.current_all_clear(T0) is None  # silent


def test_index_drops_unlisted_incidents_of_its_scope_only() -> None:
    b = book()
    b.receive(make_alert(identifier="A"), T0, origin=Origin("all", "", "k1"))
    b.receive(make_alert(identifier="B"), T0, origin=Origin("all", "", "k2"))
    b.receive(make_alert(identifier="C"), T0, origin=Origin("ars", "051220000000", "k3"))
    assert b.reconcile_index("all", "", ["k2"], T0) == ("A",)
    assert sorted(shown_ids(b)) == ["B", "C"]


def test_not_applying_alerts_are_kept_but_not_shown() -> None:
    b = book()
    b.receive(make_alert(identifier="A", ars=("091620000000",)), T0)
    assert len(b.entries) == 1 and shown_ids(b) == []


def test_update_moving_the_area_away_removes_it_from_this_stele() -> None:
    b = book()
    b.receive(make_alert(identifier="A"), T0)
    b.receive(make_alert(identifier="B", msg_type="Update", ars=("091620000000",),
                         references="test@stele.invalid,A,x", sent="2026-11-22T14:01:00+01:00"), T0)
    assert shown_ids(b) == []


def test_screen_mode_follows_top_alert_and_exercise_marking() -> None:
    b = book()
    b.receive(make_alert(identifier="M", severity="Moderate"), T0)
    assert build_screen(b, T0).mode is Mode.BANNER
    b.receive(make_alert(identifier="X", severity="Extreme", status="Exercise"), T0)
    screen = build_screen(b, T0)
    # Actual before Exercise: the Moderate actual alert is on top and drives the layout;
    # the exercise is listed, and its marking is on screen.
    assert screen.mode is Mode.BANNER and screen.exercise
    assert [a.identifier for a in screen.alerts] == ["M", "X"]
    assert screen.alerts[1].layout is Layout.TAKEOVER


def test_future_onset_is_reported_until_it_begins() -> None:
    b = book()
    b.receive(make_alert(identifier="A", onset="2026-11-22T18:00:00+01:00"), T0)
    assert build_screen(b, T0).alerts[0].onset is not None
    assert build_screen(b, T0 + timedelta(hours=5)).alerts[0].onset is None


def test_on_a_clock_that_is_behind_the_alert_keeps_its_own_timeline() -> None:
    """Received 3 h before its `sent` (no RTC, no NTP yet): shown at once with no "ab" for
    an onset that has begun; the next "ab" ends 2 h later by the stele's clock."""
    b = book()
    behind = T0 - timedelta(hours=3)
    b.receive(make_alert(identifier="NOW", sent=T0.isoformat(), onset=T0.isoformat()), behind)
    later = (T0 + timedelta(hours=2)).isoformat()
    b.receive(make_alert(identifier="LATER", sent=T0.isoformat(), onset=later), behind)
    onsets = {a.identifier: a.onset for a in build_screen(b, behind).alerts}
    assert onsets == {"NOW": None, "LATER": T0 + timedelta(hours=2)}
    assert b.next_deadline(behind) == behind + timedelta(hours=2)


def test_test_status_never_shown_but_kept_for_technicians() -> None:
    b = book()
    b.receive(make_alert(identifier="T", status="Test"), T0)
    assert len(b.entries) == 1 and shown_ids(b) == []


def test_revision_moves_only_when_something_worth_saving_changed() -> None:
    b = book()
    r0 = b.revision
    b.receive(make_alert(identifier="A", expires="2026-11-22T14:30:00+01:00"), T0)
    r1 = b.revision
    assert r1 > r0
    b.receive(make_alert(identifier="A", expires="2026-11-22T14:30:00+01:00"), T0)  # duplicate
    b.expire(T0 + timedelta(minutes=5))  # nothing expires yet
    b.shown(T0)
    assert b.revision == r1
    b.expire(T0 + timedelta(hours=1))
    assert b.revision > r1


def test_a_message_listing_itself_in_references_does_not_end_itself() -> None:
    b = book()
    b.receive(make_alert(identifier="A", references="test@stele.invalid,A,2026-11-22T14:00:00+01:00"), T0)
    assert shown_ids(b) == ["A"] and "A" not in b.ended
