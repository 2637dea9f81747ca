"""Proof of play on disk: windows summed per item, a bounded queue, nothing lost on restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from stele.adapters.playlog import PlayLog

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def test_a_window_sums_plays_and_seconds_per_item(tmp_path: Path) -> None:
    log = PlayLog(tmp_path, started=T0)
    log.played("markt", 12.0)
    log.played("markt", 11.5)
    log.played("wetter", 10.04)
    report = log.close_window(T0 + timedelta(minutes=15))
    assert report == {
        "from": "2026-12-01T10:00:00+00:00",
        "until": "2026-12-01T10:15:00+00:00",
        "items": {"markt": {"plays": 2, "seconds": 23.5}, "wetter": {"plays": 1, "seconds": 10.0}},
    }
    assert [r for _, r in log.pending()] == [report]
    # The next window starts where this one ended, empty; an empty window reports nothing.
    assert log.close_window(T0 + timedelta(minutes=30)) is None
    log.played("markt", 5)
    assert log.close_window(T0 + timedelta(minutes=45))["from"] == "2026-12-01T10:30:00+00:00"


def test_queued_reports_survive_a_restart_and_go_once_delivered(tmp_path: Path) -> None:
    first = PlayLog(tmp_path, started=T0)
    first.played("a", 3)
    first.close_window(T0 + timedelta(minutes=15))
    second = PlayLog(tmp_path, started=T0 + timedelta(hours=1))  # a restart
    pending = second.pending()
    assert [r["items"] for _, r in pending] == [{"a": {"plays": 1, "seconds": 3.0}}]
    second.delivered(pending[0][0])
    assert second.pending() == []


def test_the_queue_is_bounded_oldest_dropped_first(tmp_path: Path) -> None:
    log = PlayLog(tmp_path, started=T0, max_reports=3)
    for i in range(5):
        log.played(f"item{i}", 1)
        log.close_window(T0 + timedelta(minutes=15 * (i + 1)))
    kept = [next(iter(r["items"])) for _, r in log.pending()]
    assert kept == ["item2", "item3", "item4"]


def test_an_unreadable_report_is_dropped_not_sent(tmp_path: Path) -> None:
    log = PlayLog(tmp_path, started=T0)
    (tmp_path / "20261201T100000-1-0001.json").write_text("{cut off")
    assert log.pending() == []
    assert not list(tmp_path.glob("*.json"))
