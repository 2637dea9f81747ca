"""Lifecycle properties over random message sequences (hypothesis).

Whatever order and duplication QoS 1 and reconnects produce, the book must stay sane:
redelivery changes nothing, ended alerts never come back, a Cancel never drives a takeover,
and what is shown survives a save and restore.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from stele.adapters.state_store import StateStore
from stele.domain.book import AlertBook
from stele.domain.cap import parse_alert
from stele.domain.model import Alert, MsgType
from stele.domain.presentation import Mode
from stele.domain.screen import build_screen
from stele.domain.targeting import Place
from tests.capgen import CapSpec, InfoSpec, cap_xml

T0 = datetime.fromisoformat("2026-11-22T14:00:00+01:00")
HERE = Place(lat=51.1652, lon=7.0671, ars="051220000000")
IDS = [f"M{i}" for i in range(8)]


@st.composite
def messages(draw: st.DrawFn) -> Alert:
    ident = draw(st.sampled_from(IDS))
    msg_type = draw(st.sampled_from(["Alert", "Alert", "Update", "Cancel", "Error", "Ack"]))
    refs = draw(st.lists(st.sampled_from(IDS), max_size=3, unique=True))
    minute = draw(st.integers(0, 120))
    severity = draw(st.sampled_from(["Extreme", "Severe", "Moderate", "Minor"]))
    status = draw(st.sampled_from(["Actual", "Actual", "Exercise", "Test"]))
    expires = draw(st.one_of(st.none(), st.integers(1, 240)))
    where = draw(st.sampled_from([("051220000000",), ("091620000000",)]))
    sent = T0 + timedelta(minutes=minute)
    spec = CapSpec(
        identifier=ident,
        sent=sent.isoformat(),
        status=status,
        msg_type=msg_type,
        references=" ".join(f"test@stele.invalid,{r},{sent.isoformat()}" for r in refs),
        infos=[
            InfoSpec(
                severity=severity,
                ars=where,
                expires=(sent + timedelta(minutes=expires)).isoformat() if expires else None,
            )
        ],
    )
    return parse_alert(cap_xml(spec))


sequences = st.lists(messages(), min_size=1, max_size=25)
at_times = st.integers(0, 400).map(lambda m: T0 + timedelta(minutes=m))


def replay(msgs: list[Alert], now: datetime) -> AlertBook:
    book = AlertBook(place=HERE)
    for m in msgs:
        book.receive(m, now)
    return book


def shown(book: AlertBook, now: datetime) -> list[str]:
    return [e.alert.identifier for e, _ in book.shown(now)]


@settings(max_examples=150, deadline=None)
@given(sequences, at_times)
def test_redelivering_everything_changes_nothing(msgs: list[Alert], now: datetime) -> None:
    once = replay(msgs, now)
    twice = replay(msgs + msgs, now)
    assert shown(twice, now) == shown(once, now)
    assert (twice.all_clear is None) == (once.all_clear is None)


@settings(max_examples=150, deadline=None)
@given(sequences, at_times)
def test_ended_alerts_are_never_shown(msgs: list[Alert], now: datetime) -> None:
    book = replay(msgs, now)
    assert not set(shown(book, now)) & set(book.ended)


@settings(max_examples=150, deadline=None)
@given(sequences, at_times)
def test_only_shown_statuses_and_types_reach_the_screen(msgs: list[Alert], now: datetime) -> None:
    book = replay(msgs, now)
    for entry, _ in book.shown(now):
        assert entry.alert.msg_type in (MsgType.ALERT, MsgType.UPDATE)
        assert entry.alert.status.value in ("Actual", "Exercise")
        assert entry.applies


@settings(max_examples=100, deadline=None)
@given(sequences)
def test_a_cancel_alone_never_drives_the_crisis_layout(msgs: list[Alert]) -> None:
    cancels = [m for m in msgs if m.msg_type is MsgType.CANCEL]
    book = replay(cancels, T0)
    assert build_screen(book, T0).mode is Mode.NORMAL


@settings(max_examples=40, deadline=None)
@given(sequences, at_times)
def test_save_and_restore_keep_what_is_shown(msgs: list[Alert], now: datetime) -> None:
    import tempfile

    book = replay(msgs, now)
    with tempfile.TemporaryDirectory() as tmp:
        store = StateStore(Path(tmp))
        assert store.save(book)
        restored = AlertBook(place=HERE)
        store.load(restored)
    assert shown(restored, now) == shown(book, now)
    assert set(restored.ended) == set(book.ended)
