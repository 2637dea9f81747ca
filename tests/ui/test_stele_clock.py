"""SteleClock on its own: the floor reaches the disk while running and at close, and NTP's
word clears a floor that came from a clock that once ran ahead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from stele.adapters.clock_file import read_floor, write_floor
from stele.domain.clock import NOT_SYNCHRONISED
from stele.ui import clock as clock_module
from stele.ui.clock import SteleClock

pytestmark = pytest.mark.usefixtures("qapp")


def utc_now() -> datetime:
    return datetime.now(UTC)


def test_the_floor_is_saved_while_running_and_at_close(tmp_path: Path, qtbot, monkeypatch) -> None:
    monkeypatch.setattr(clock_module, "CHECK_S", 0.05)
    monkeypatch.setattr(clock_module, "SAVE_S", 0.0)  # every check saves
    state = tmp_path / "state"
    c = SteleClock(utc_now, state, timesync=tmp_path / "absent")
    c.start()
    qtbot.waitUntil(lambda: read_floor(state) is not None, timeout=3_000)
    first = read_floor(state)
    assert first is not None and abs(first - utc_now()) < timedelta(seconds=5)
    c.close()
    last = read_floor(state)
    assert last is not None and last >= first


def test_ntp_clears_a_floor_from_a_clock_that_once_ran_ahead(tmp_path: Path, qtbot, monkeypatch) -> None:
    monkeypatch.setattr(clock_module, "CHECK_S", 0.05)
    state, timesync = tmp_path / "state", tmp_path / "timesync"
    timesync.mkdir()
    poisoned = datetime(2090, 1, 1, tzinfo=UTC)
    write_floor(state, poisoned)
    c = SteleClock(utc_now, state, timesync=timesync)
    assert c() >= poisoned  # unsynchronised: the floor is all it knows
    assert c.problems[0] == NOT_SYNCHRONISED and "behind the last time" in c.problems[1]
    changed: list[bool] = []
    c.problems_changed.connect(lambda: changed.append(True))
    c.start()
    (timesync / "synchronized").touch()
    qtbot.waitUntil(lambda: c.problems == [], timeout=3_000)
    assert changed and abs(c() - utc_now()) < timedelta(seconds=5)
    c.close()
    saved = read_floor(state)
    assert saved is not None and saved < poisoned
