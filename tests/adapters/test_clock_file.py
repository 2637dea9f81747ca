"""The clock's files: the persisted last known time and timesyncd's synchronised flag."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from stele.adapters.clock_file import FLOOR_FILE, ntp_synchronised, read_floor, write_floor

T0 = datetime(2026, 11, 22, 13, 0, tzinfo=UTC)


def test_floor_round_trips_and_keeps_its_offset(tmp_path: Path) -> None:
    state = tmp_path / "state"  # not there yet: the first write creates it
    assert read_floor(state) is None
    at = T0.astimezone(timezone(timedelta(hours=1)))
    write_floor(state, at)
    assert read_floor(state) == at
    write_floor(state, at + timedelta(minutes=10))
    assert read_floor(state) == at + timedelta(minutes=10)
    assert sorted(p.name for p in state.iterdir()) == [FLOOR_FILE]


@pytest.mark.parametrize(
    "damage",
    [b"", b"{", b"[]", b'{"known": 7}', b'{"known": "gestern"}', b'{"known": "2026-11-22T14:00"}',
     b'{"other": "2026-11-22T14:00:00Z"}', b"\xff\xfe"],
)
def test_a_damaged_floor_is_logged_and_ignored(tmp_path: Path, damage: bytes, caplog) -> None:
    (tmp_path / FLOOR_FILE).write_bytes(damage)
    with caplog.at_level(logging.WARNING):
        assert read_floor(tmp_path) is None
    assert "clock: ignoring" in caplog.text
    write_floor(tmp_path, T0)  # and the next save replaces it
    assert read_floor(tmp_path) == T0


def test_a_write_cut_short_leaves_the_old_floor_and_its_temp_file_is_removed(
    tmp_path: Path,
) -> None:
    write_floor(tmp_path, T0)
    (tmp_path / ".clock-abc123").write_bytes(b'{"kno')  # what a power cut mid-write leaves
    assert read_floor(tmp_path) == T0
    assert sorted(p.name for p in tmp_path.iterdir()) == [FLOOR_FILE]


def test_timesyncd_state_from_its_runtime_directory(tmp_path: Path) -> None:
    run = tmp_path / "timesync"
    assert ntp_synchronised(run) is None  # timesyncd does not run here: unknown
    run.mkdir()
    assert ntp_synchronised(run) is False  # it runs, no NTP answer yet
    (run / "synchronized").touch()
    assert ntp_synchronised(run) is True
