"""Write book snapshots on one worker thread, newest first, and retry until one is on disk.

The kiosk takes a snapshot on its GUI thread at every change and submits it; the worker
writes only the newest (older ones are contained in it) and reports each attempt through
`on_result(revision, ok)`, on the worker thread. A failed write (full disk, read-only card)
is retried with backoff without anyone having to submit again, so the alerts received while
the disk was full reach it as soon as there is room, and the kiosk learns that they did.

Retry delays are exponential with "equal jitter": uniform in [cap/2, cap], cap doubling from
`retry_initial_s` to `retry_max_s`. The jitter only keeps the retries out of step with a
periodic writer that fills the disk (log rotation); unlike MQTT reconnects there is no fleet
to spread out, so the floor matters more: a failing card is not hammered.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable

from stele.adapters.state_store import StateStore
from stele.domain.backoff import backoff_cap
from stele.domain.book import AlertBook

log = logging.getLogger(__name__)

Wait = Callable[[threading.Condition, float | None], object]


def _wait(cond: threading.Condition, timeout: float | None) -> object:
    return cond.wait(timeout)


def retry_delay(attempt: int, initial_s: float, max_s: float, rng: random.Random) -> float:
    """Seconds before retry number `attempt` (0 = the first retry after a failure)."""
    cap = backoff_cap(attempt, initial_s, max_s)
    return rng.uniform(cap / 2, cap)


class StateSaver:
    """Owns one worker thread that writes submitted snapshots through `store`."""

    def __init__(
        self,
        store: StateStore,
        on_result: Callable[[int, bool], None],
        *,
        retry_initial_s: float = 0.5,
        retry_max_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        wait: Wait = _wait,
        rng: random.Random | None = None,
    ) -> None:
        if retry_initial_s <= 0 or retry_max_s < retry_initial_s:
            raise ValueError(
                f"expected 0 < retry_initial_s <= retry_max_s, got "
                f"{retry_initial_s} and {retry_max_s}"
            )
        self._store = store
        self._on_result = on_result
        self._initial_s = retry_initial_s
        self._max_s = retry_max_s
        self._clock = clock
        self._wait = wait
        self._rng = rng or random.Random()
        self._cond = threading.Condition()
        # All below guarded by _cond.
        self._pending: AlertBook | None = None  # the newest snapshot not known to be on disk
        self._fresh = False  # _pending was submitted after the last attempt: try it at once
        self._retry_at = 0.0
        self._attempt = 0  # failed attempts in a row
        self._final: AlertBook | None = None  # flush(): written once, then the worker stops
        self._final_result: bool | None = None
        self._closed = False
        self._durable = 0  # revision 0 is the state load() read from disk
        self._ok = True
        self._thread = threading.Thread(target=self._run, name="stele-state", daemon=True)
        self._thread.start()

    @property
    def durable_revision(self) -> int:
        """The highest revision known to be on disk (with everything before it)."""
        with self._cond:
            return self._durable

    @property
    def ok(self) -> bool:
        """False from a failed write until a write succeeds."""
        with self._cond:
            return self._ok

    def submit(self, snapshot: AlertBook) -> None:
        """Queue `snapshot` (taken on the owner's thread; never changed afterwards) to be
        written. Non-blocking; replaces any snapshot still waiting, or being retried."""
        with self._cond:
            if self._closed:
                log.warning("state: revision %d submitted after close, dropped", snapshot.revision)
                return
            self._pending = snapshot
            self._fresh = True
            self._cond.notify()

    def flush(self, book: AlertBook, timeout: float) -> bool:
        """At shutdown: write `book` now, one attempt, and stop the worker (no more retries).
        True if it is on disk within `timeout` seconds. Call it from the thread that owns
        `book`; the worker writes it after any write in progress, so nothing older lands
        on top of it."""
        deadline = time.monotonic() + timeout
        with self._cond:
            if not self._closed and self._final is None and self._thread.is_alive():
                self._closed = True
                self._pending = None
                self._final = book
                self._cond.notify()
                while self._final_result is None:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        log.error("state: the final save did not finish within %.1f s", timeout)
                        return False
                    self._cond.wait(remaining)
                return self._final_result
            self._closed = True
            self._cond.notify()
        # Flushed or closed before: once the worker is gone nothing else writes, so do it here.
        self._thread.join(max(0.0, deadline - time.monotonic()))
        if self._thread.is_alive():
            log.error("state: the state writer is stuck; the final save is not done")
            return False
        ok = self._write(book)
        with self._cond:
            self._record(book.revision, ok)
        self._report(book.revision, ok)
        return ok

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker; a snapshot not yet written is dropped (flush first to keep it)."""
        with self._cond:
            self._closed = True
            self._pending = None
            self._cond.notify()
        self._thread.join(timeout)

    # -- worker thread -----------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                job = self._next_job()
                if job is None:
                    return
                final = job is self._final
            ok = self._write(job)
            with self._cond:
                self._record(job.revision, ok)
                if final:
                    self._final_result = ok
                    self._cond.notify_all()
                elif self._pending is job:
                    if ok:
                        self._pending = None
                    else:
                        delay = retry_delay(
                            self._attempt - 1, self._initial_s, self._max_s, self._rng
                        )
                        self._retry_at = self._clock() + delay
            self._report(job.revision, ok)
            if final:
                return

    def _next_job(self) -> AlertBook | None:
        """Under _cond: block until something is due; None when the worker is to stop."""
        while True:
            if self._final is not None:
                return self._final
            if self._closed:
                return None
            if self._pending is not None:
                if self._fresh:
                    self._fresh = False
                    return self._pending
                remaining = self._retry_at - self._clock()
                if remaining <= 0:
                    return self._pending
                self._wait(self._cond, remaining)
            else:
                self._wait(self._cond, None)

    def _write(self, book: AlertBook) -> bool:
        try:
            return self._store.save(book)
        except Exception:  # a bug must not kill the only thread that saves alerts
            log.exception("state: saving revision %d failed unexpectedly", book.revision)
            return False

    def _record(self, revision: int, ok: bool) -> None:
        """Under _cond."""
        self._ok = ok
        if ok:
            self._durable = max(self._durable, revision)
            self._attempt = 0
        else:
            self._attempt += 1

    def _report(self, revision: int, ok: bool) -> None:
        try:
            self._on_result(revision, ok)
        except Exception:
            log.exception("state: on_result(%d, %s) raised", revision, ok)
