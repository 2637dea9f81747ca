"""RetainedWatch: which listed incidents a connection still lacks, with time passed in."""

from __future__ import annotations

from stele.adapters.retained import Actions, RetainedWatch

A, B, C = (f"p/alerts/all/{k}" for k in "abc")


def watch() -> RetainedWatch:
    return RetainedWatch(grace_s=2.0, patience_s=10.0)


def test_a_retained_index_fetches_what_did_not_come_by_the_wildcard_at_once() -> None:
    w = watch()
    assert w.arrived(A) == Actions()  # came by the wildcard before the index
    assert w.index("all", [A, B], 100.0, retained=True) == Actions(subscribe=(B,))
    assert w.arrived(B) == Actions(unsubscribe=(B,))  # here: the exact subscription goes
    assert w.next_due() is None
    assert w.step(1000.0) == Actions()


def test_a_live_index_gives_its_alert_the_grace_to_come_first() -> None:
    w = watch()
    assert w.index("all", [A, B], 100.0, retained=False) == Actions()
    assert w.next_due() == 102.0
    assert w.arrived(A) == Actions()  # the usual case: published right after the index
    assert w.step(101.9) == Actions()
    assert w.step(102.0) == Actions(subscribe=(B,))
    assert w.next_due() == 112.0


def test_what_never_arrives_is_reported_once_after_the_patience() -> None:
    w = watch()
    w.index("all", [A], 0.0, retained=True)
    assert w.step(9.9) == Actions()
    assert w.step(10.0) == Actions(missing=(A,))
    assert w.step(50.0) == Actions()
    assert w.next_due() is None
    assert w.arrived(A) == Actions(unsubscribe=(A,))  # late after all: still cleaned up


def test_a_key_leaving_the_index_ends_its_fetch() -> None:
    w = watch()
    assert w.index("all", [A, B], 0.0, retained=True) == Actions(subscribe=(A, B))
    assert w.index("all", [B], 1.0, retained=False) == Actions(unsubscribe=(A,))
    assert w.index("ars", [C], 1.0, retained=False) == Actions()  # scopes are separate
    assert w.index("all", [], 2.0, retained=False) == Actions(unsubscribe=(B,))
    assert w.next_due() == 3.0  # C's grace


def test_a_new_connection_starts_over_and_hands_back_open_fetches() -> None:
    w = watch()
    w.arrived(A)
    w.index("all", [A, B, C], 0.0, retained=True)
    w.arrived(C)
    assert w.connected() == (B,)
    assert w.next_due() is None
    # A arrived on the old connection only: the new one must deliver it again.
    assert w.index("all", [A], 5.0, retained=True) == Actions(subscribe=(A,))
