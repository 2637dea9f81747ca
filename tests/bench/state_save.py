"""Time from submit() to on_result(revision, ok=True): how long a new alert takes to be durable.

Run: .venv/bin/python tests/bench/state_save.py [runs] [directory]
Each run adds one alert (a 16 KB synthetic CAP, or the real 407 KB DWD sample) to a book that
already holds 1 or 50 other entries, snapshots it and submits it, as the kiosk does; the
clock stops when the worker reports the revision on disk (fsync'd file and directory). The
alert is then removed again (untimed), so every run writes one new file into the same state.
The directory defaults to a temporary one under /var/tmp (a disk, not a tmpfs); pass the
device's state directory to measure its card.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script

from stele.adapters.state_saver import StateSaver
from stele.adapters.state_store import StateStore
from stele.domain.book import AlertBook
from stele.domain.cap import parse_alert
from stele.domain.model import Alert
from tests.capgen import make_alert

LARGE = Path(__file__).parents[1] / "data" / "cap" / "08_dwd_cap12_xml_alert_large_windboeen.xml"
NOW = datetime.fromisoformat("2023-06-23T10:00:00+02:00")
WARMUP = 5


class Durable:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.revision = -1

    def __call__(self, revision: int, ok: bool) -> None:
        if not ok:
            raise SystemExit(f"save of revision {revision} failed")
        with self._cond:
            self.revision = revision
            self._cond.notify_all()

    def wait(self, revision: int) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self.revision >= revision, 10):
                raise SystemExit(f"revision {revision} not durable within 10 s")


def submit(saver: StateSaver, book: AlertBook) -> None:
    snapshot = book.snapshot()
    snapshot.revision = book.revision  # AlertBook.snapshot() does not carry it (yet)
    saver.submit(snapshot)


def _percentile(times: list[float], q: float) -> float:
    return sorted(times)[min(len(times) - 1, round(q * len(times)) - 1)]


def measure(directory: Path, alert: Alert, others: int, runs: int) -> list[float]:
    book = AlertBook(place=None)
    for i in range(others):
        book.receive(make_alert(identifier=f"OTHER-{i}", description="x" * 2_000), NOW)
    durable = Durable()
    saver = StateSaver(StateStore(directory), durable)
    try:
        submit(saver, book)
        durable.wait(book.revision)
        times = []
        for run in range(WARMUP + runs):
            book.receive(alert, NOW)
            start = time.perf_counter()
            submit(saver, book)
            durable.wait(book.revision)
            if run >= WARMUP:
                times.append((time.perf_counter() - start) * 1000)
            del book.entries[alert.key]  # not "ended": meta.json stays as it is
            book.revision += 1
            submit(saver, book)
            durable.wait(book.revision)
        return times
    finally:
        saver.close()


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    base = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("/var/tmp")
    alerts = {
        "16 KB": make_alert(identifier="NEW", description="x" * 16_000),
        "400 KB": parse_alert(LARGE.read_bytes()),
    }
    print(f"submit -> on_result(ok), {runs} runs after {WARMUP} warm-up runs, under {base}")
    for label, alert in alerts.items():
        for others in (1, 50):
            with tempfile.TemporaryDirectory(dir=base) as tmp:
                times = measure(Path(tmp), alert, others, runs)
            print(
                f"{label:>6} alert ({len(alert.raw):,} B), {others:2d} other entries: "
                f"p50 {statistics.median(times):6.2f} ms   p95 {_percentile(times, 0.95):6.2f} ms"
                f"   min {min(times):6.2f} ms"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
