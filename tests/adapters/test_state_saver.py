"""The state writer thread: newest snapshot wins, failures are retried until the book is on disk."""

from __future__ import annotations

import errno
import os
import random
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from stele.adapters.state_saver import StateSaver, retry_delay
from stele.adapters.state_store import StateStore
from stele.domain.book import AlertBook
from stele.domain.targeting import Place
from tests.capgen import make_alert

T0 = datetime.fromisoformat("2026-11-22T14:00:00+01:00")
HERE = Place(lat=51.1652, lon=7.0671, ars="051220000000")
SENDER = "test@stele.invalid"


def snap(book: AlertBook) -> AlertBook:
    s = book.snapshot()
    s.revision = book.revision  # AlertBook.snapshot() does not carry the revision (yet)
    return s


class Results:
    """on_result's calls, recorded from the worker thread."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, bool]] = []
        self.threads: set[str] = set()
        self._cond = threading.Condition()
        self.hook: Callable[[int, bool], None] | None = None

    def __call__(self, revision: int, ok: bool) -> None:
        if self.hook is not None:
            self.hook(revision, ok)
        with self._cond:
            self.calls.append((revision, ok))
            self.threads.add(threading.current_thread().name)
            self._cond.notify_all()

    def wait_for(self, call: tuple[int, bool], timeout: float = 10.0) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: call in self.calls, timeout), self.calls

    def wait_count(self, n: int, timeout: float = 10.0) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: len(self.calls) >= n, timeout), self.calls


@pytest.fixture
def saver_factory() -> Iterator[Callable[..., StateSaver]]:
    made: list[StateSaver] = []

    def make(store: StateStore, on_result: Results, **kwargs: object) -> StateSaver:
        saver = StateSaver(store, on_result, **kwargs)  # type: ignore[arg-type]
        made.append(saver)
        return saver

    yield make
    for saver in made:
        saver.close()


def restored(directory: Path) -> set[str]:
    book = AlertBook(place=HERE)
    StateStore(directory).load(book)
    return {ident for _, ident in book.entries}


# -- a full disk -------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 256 KiB filesystem, so a write fails with a real ENOSPC."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"a real full disk needs `mount -t tmpfs` (root, CAP_SYS_ADMIN): {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return filler


def test_full_disk_then_cleared_the_retry_puts_the_alert_on_disk(small_disk: Path, saver_factory, caplog) -> None:
    state = small_disk / "state"
    store = StateStore(state)
    book = AlertBook(place=HERE)
    store.load(book)
    results = Results()
    saver = saver_factory(store, results, retry_initial_s=0.02, retry_max_s=0.1)
    book.receive(make_alert(identifier="EARLY"), T0)
    saver.submit(snap(book))
    results.wait_for((book.revision, True))

    filler = fill(small_disk)
    book.receive(make_alert(identifier="FLOOD", description="x" * 16_000), T0)
    rev = book.revision
    saver.submit(snap(book))
    results.wait_for((rev, False))
    assert not saver.ok and saver.durable_revision < rev
    time.sleep(0.3)  # several retries, all failing
    assert results.calls.count((rev, False)) >= 3
    assert caplog.text.count("cannot save") == 1  # one failure episode, one log line

    filler.unlink()  # the disk is cleared; nobody submits again
    results.wait_for((rev, True))
    assert saver.ok and saver.durable_revision == rev
    assert results.threads == {"stele-state"}
    assert "saving works again" in caplog.text
    assert restored(state) == {"EARLY", "FLOOD"}
    assert not [p for p in (state / "alerts.d").iterdir() if p.name.endswith(".tmp")]


def test_storage_replaced_by_a_file_recovers_when_the_directory_comes_back(tmp_path: Path, saver_factory) -> None:
    """Runs where a tmpfs cannot be mounted: a real ENOTDIR instead of ENOSPC."""
    state = tmp_path / "state"
    state.write_text("a file where the state directory should be")
    results = Results()
    saver = saver_factory(StateStore(state), results, retry_initial_s=0.02, retry_max_s=0.05)
    book = AlertBook(place=HERE)
    book.receive(make_alert(identifier="A"), T0)
    saver.submit(snap(book))
    results.wait_for((book.revision, False))
    state.unlink()
    results.wait_for((book.revision, True))
    assert restored(state) == {"A"}


# -- coalescing and ordering ---------------------------------------------------------------


def test_quick_submits_coalesce_to_the_newest_and_results_are_monotonic(tmp_path: Path, saver_factory) -> None:
    results = Results()
    inside, release = threading.Event(), threading.Event()

    def hold(rev: int, ok: bool) -> None:  # keep the worker inside the first result
        inside.set()
        release.wait(10)

    results.hook = hold
    saver = saver_factory(StateStore(tmp_path), results)
    book = AlertBook(place=HERE)
    book.receive(make_alert(identifier="A0"), T0)
    saver.submit(snap(book))
    assert inside.wait(10)
    for i in range(1, 50):
        book.receive(make_alert(identifier=f"A{i}"), T0)
        saver.submit(snap(book))
    release.set()
    results.wait_for((book.revision, True))
    revisions = [rev for rev, _ in results.calls]
    assert revisions == sorted(set(revisions))
    assert len(results.calls) == 2  # the first, then only the newest of the 49 queued behind it
    assert restored(tmp_path) == {f"A{i}" for i in range(50)}


def test_many_unthrottled_submits_end_with_the_last_revision_on_disk(tmp_path: Path, saver_factory) -> None:
    results = Results()
    saver = saver_factory(StateStore(tmp_path), results)
    book = AlertBook(place=HERE)
    for i in range(200):
        book.receive(make_alert(identifier=f"A{i}"), T0)
        if i % 3 == 0:
            book.expire(T0)
        saver.submit(snap(book))
    results.wait_for((book.revision, True))
    revisions = [rev for rev, _ in results.calls]
    assert revisions == sorted(set(revisions)) and all(ok for _, ok in results.calls)
    assert saver.durable_revision == book.revision
    assert restored(tmp_path) == {f"A{i}" for i in range(200)}


# -- backoff -------------------------------------------------------------------------------


class FakeTime:
    """A clock that moves only when the worker waits; records each timed wait."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def wait(self, cond: threading.Condition, timeout: float | None) -> object:
        if timeout is None:
            return cond.wait()
        self.waits.append(timeout)
        self.now += timeout
        cond.wait(0.001)  # let submit() in
        return False


def test_retry_delay_is_jittered_exponential_from_initial_to_max() -> None:
    rng = random.Random(7)
    for attempt, cap in [(0, 0.5), (1, 1.0), (2, 2.0), (5, 16.0), (6, 30.0), (60, 30.0)]:
        delays = [retry_delay(attempt, 0.5, 30.0, rng) for _ in range(200)]
        assert all(cap / 2 <= d <= cap for d in delays)
        assert len(set(delays)) > 100  # jittered


def test_failed_writes_back_off_without_a_new_submit(tmp_path: Path, saver_factory) -> None:
    state = tmp_path / "state"
    state.write_text("not a directory")
    fake = FakeTime()
    results = Results()
    saver = saver_factory(StateStore(state), results, retry_initial_s=0.5, retry_max_s=4.0,
                          clock=fake.clock, wait=fake.wait, rng=random.Random(1))
    book = AlertBook(place=HERE)
    book.receive(make_alert(identifier="A"), T0)
    saver.submit(snap(book))
    results.wait_count(7)
    waits = fake.waits[:6]
    for wait, cap in zip(waits, [0.5, 1.0, 2.0, 4.0, 4.0, 4.0], strict=True):
        assert cap / 2 <= wait <= cap
    assert all(call == (book.revision, False) for call in results.calls)


def test_a_newer_submit_replaces_the_one_being_retried_and_is_tried_at_once(tmp_path: Path, saver_factory) -> None:
    state = tmp_path / "state"
    state.write_text("not a directory")
    results = Results()
    # A retry an hour away: only the new submit can make the second attempt happen now.
    saver = saver_factory(StateStore(state), results, retry_initial_s=3600, retry_max_s=3600)
    book = AlertBook(place=HERE)
    book.receive(make_alert(identifier="A"), T0)
    saver.submit(snap(book))
    results.wait_for((book.revision, False))
    state.unlink()
    book.receive(make_alert(identifier="B"), T0)
    saver.submit(snap(book))
    results.wait_for((book.revision, True), timeout=5)
    assert restored(state) == {"A", "B"}


# -- shutdown and robustness ---------------------------------------------------------------


def test_flush_writes_the_book_now_and_stops_retrying(tmp_path: Path, saver_factory) -> None:
    state = tmp_path / "state"
    state.write_text("not a directory")
    results = Results()
    saver = saver_factory(StateStore(state), results, retry_initial_s=0.01, retry_max_s=0.01)
    book = AlertBook(place=HERE)
    book.receive(make_alert(identifier="A"), T0)
    saver.submit(snap(book))
    results.wait_for((book.revision, False))
    state.unlink()
    book.receive(make_alert(identifier="B"), T0)
    assert saver.flush(book, timeout=5)
    assert results.calls[-1] == (book.revision, True) and saver.durable_revision == book.revision
    count = len(results.calls)
    time.sleep(0.1)
    assert len(results.calls) == count  # no retry after the flush
    assert restored(state) == {"A", "B"}
    saver.submit(snap(book))  # after flush: dropped, not written
    book.receive(make_alert(identifier="C"), T0)
    assert saver.flush(book, timeout=5)  # a second flush writes on the caller's thread
    assert restored(state) == {"A", "B", "C"}


def test_flush_after_close_still_writes(tmp_path: Path, saver_factory) -> None:
    saver = saver_factory(StateStore(tmp_path), Results())
    saver.close()
    book = AlertBook(place=HERE)
    book.receive(make_alert(identifier="A"), T0)
    assert saver.flush(book, timeout=5)
    assert restored(tmp_path) == {"A"}


def test_a_raising_on_result_does_not_stop_the_writer(tmp_path: Path, saver_factory) -> None:
    results = Results()

    def explode(rev: int, ok: bool) -> None:
        if rev == 1:
            raise RuntimeError("bug in the kiosk's callback")

    results.hook = explode
    saver = saver_factory(StateStore(tmp_path), results)
    book = AlertBook(place=HERE)
    book.receive(make_alert(identifier="A"), T0)
    saver.submit(snap(book))
    time.sleep(0.1)
    book.receive(make_alert(identifier="B"), T0)
    saver.submit(snap(book))
    results.wait_for((book.revision, True))
    assert restored(tmp_path) == {"A", "B"}
