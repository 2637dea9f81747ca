"""Display power: controller decisions on an injected clock, and the real backends' commands."""

from __future__ import annotations

import logging
import os
import threading
import time as systime
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from stele.adapters.display import (
    BlankBackend,
    CecBackend,
    CommandBackend,
    DdcBackend,
    DisplayController,
    NoneBackend,
    make_backend,
    run_command,
)
from stele.config import PowerConfig, ScheduleWindow
from stele.errors import ConfigError

BERLIN = ZoneInfo("Europe/Berlin")
# 2025-06-02 is a Monday.
WEEKDAYS = ScheduleWindow(days=("mon", "tue", "wed", "thu", "fri"), on="06:00", off="22:00")


def at(d: int, h: int, mi: int = 0) -> datetime:
    return datetime(2025, 6, d, h, mi, tzinfo=BERLIN)


class RecordingBackendForTest:
    def __init__(self, delay_s: float = 0.0, fail: bool = False) -> None:
        self.calls: list[tuple[str, object]] = []
        self._delay_s = delay_s
        self._fail = fail
        self._lock = threading.Lock()

    def _record(self, call: tuple[str, object]) -> None:
        systime.sleep(self._delay_s)
        with self._lock:
            self.calls.append(call)
        if self._fail:
            raise RuntimeError("backend exploded (test)")

    def set_power(self, on: bool) -> None:
        self._record(("power", on))

    def set_brightness(self, percent: int) -> None:
        self._record(("brightness", percent))

    def take(self) -> list[tuple[str, object]]:
        with self._lock:
            out, self.calls = self.calls, []
        return out


@pytest.fixture
def rec() -> RecordingBackendForTest:
    return RecordingBackendForTest()


def controller(
    backend: RecordingBackendForTest,
    schedule: tuple[ScheduleWindow, ...] = (WEEKDAYS,),
    **kw: Any,
) -> DisplayController:
    return DisplayController(backend, schedule, BERLIN, **kw)


def step(ctl: DisplayController, now: datetime, crisis: bool = False) -> datetime | None:
    nxt = ctl.update(now, crisis)
    assert ctl.flush()
    return nxt


def test_schedule_transitions_across_days(rec: RecordingBackendForTest) -> None:
    ctl = controller(rec)
    now: datetime | None = at(2, 0, 30)
    log = []
    for _ in range(5):
        assert now is not None
        nxt = step(ctl, now)
        log.append((now, rec.take()))
        now = nxt
    assert log == [
        (at(2, 0, 30), [("power", False)]),
        (at(2, 6), [("power", True)]),
        (at(2, 22), [("power", False)]),
        (at(3, 6), [("power", True)]),
        (at(3, 22), [("power", False)]),
    ]
    ctl.close()


def test_repeated_updates_touch_the_backend_only_on_change(rec: RecordingBackendForTest) -> None:
    ctl = controller(rec)
    for minute in range(0, 50, 10):
        step(ctl, at(2, 12, minute))
    assert rec.take() == [("power", True)]
    ctl.close()


def test_past_midnight_window(rec: RecordingBackendForTest) -> None:
    late = ScheduleWindow(days=("sat",), on="20:00", off="02:00")
    ctl = controller(rec, (late,))
    assert step(ctl, at(7, 19)) == at(7, 20)
    assert step(ctl, at(7, 20)) == at(8, 2)
    assert step(ctl, at(8, 1, 59)) == at(8, 2)
    assert step(ctl, at(8, 2)) == at(14, 20)
    assert rec.take() == [("power", False), ("power", True), ("power", False)]
    ctl.close()


def test_crisis_overrides_night_and_all_clear_restores(rec: RecordingBackendForTest) -> None:
    ctl = controller(rec, normal_brightness=70)
    step(ctl, at(2, 23))
    assert rec.take() == [("power", False)]
    step(ctl, at(2, 23, 5), crisis=True)
    assert rec.take() == [("power", True), ("brightness", 100)]
    assert ctl.desired == (True, True)
    step(ctl, at(2, 23, 6), crisis=True)  # still the same crisis: nothing to do
    assert rec.take() == []
    step(ctl, at(2, 23, 40), crisis=False)
    assert rec.take() == [("brightness", 70), ("power", False)]
    ctl.close()


def test_crisis_by_day_only_raises_brightness(rec: RecordingBackendForTest) -> None:
    ctl = controller(rec)  # no normal brightness known: leave it at full after the crisis
    step(ctl, at(2, 12))
    step(ctl, at(2, 12, 1), crisis=True)
    step(ctl, at(2, 12, 2), crisis=False)
    assert rec.take() == [("power", True), ("brightness", 100)]
    ctl.close()


def test_manual_command_holds_until_next_scheduled_change(rec: RecordingBackendForTest) -> None:
    ctl = controller(rec)
    step(ctl, at(2, 12))
    assert ctl.command(False, at(2, 13)) == at(2, 22)
    assert ctl.flush()
    assert rec.take() == [("power", True), ("power", False)]
    # 22:00: override expires, schedule also says off -> no call; next wake-up 06:00.
    assert step(ctl, at(2, 22)) == at(3, 6)
    assert rec.take() == []
    assert ctl.command(True, at(2, 23)) == at(3, 6)
    assert ctl.flush()
    assert ctl.command(None, at(2, 23, 30)) == at(3, 6)  # back to auto: off again
    assert ctl.flush()
    assert rec.take() == [("power", True), ("power", False)]
    ctl.close()


def test_crisis_beats_manual_off_and_all_clear_returns_to_schedule(
    rec: RecordingBackendForTest,
) -> None:
    ctl = controller(rec)
    ctl.command(False, at(2, 12))
    assert ctl.flush()
    step(ctl, at(2, 12, 10), crisis=True)
    step(ctl, at(2, 12, 20), crisis=False)  # daytime: the schedule says on
    assert rec.take() == [("power", False), ("power", True), ("brightness", 100)]
    assert ctl.desired == (True, False)
    ctl.close()


def test_empty_schedule_is_always_on_and_never_rechecks(rec: RecordingBackendForTest) -> None:
    ctl = controller(rec, ())
    assert step(ctl, at(2, 3)) is None
    assert ctl.command(False, at(2, 4)) is None  # held until command(None)
    assert ctl.flush()
    assert rec.take() == [("power", True), ("power", False)]
    ctl.close()


def test_slow_backend_does_not_block_the_caller() -> None:
    slow = RecordingBackendForTest(delay_s=0.5)
    ctl = controller(slow)
    t0 = systime.monotonic()
    ctl.update(at(2, 12), crisis=True)
    assert systime.monotonic() - t0 < 0.2
    assert ctl.flush(timeout_s=5)
    assert slow.take() == [("power", True), ("brightness", 100)]
    # While the worker is busy (switching off), a crisis that comes and goes before it is
    # done is skipped: only the latest wanted state is applied afterwards.
    ctl.update(at(2, 23), crisis=False)
    systime.sleep(0.1)
    ctl.update(at(2, 23, 1), crisis=True)
    ctl.update(at(2, 23, 2), crisis=False)
    assert ctl.flush(timeout_s=5)
    assert slow.take() == [("power", False)]
    ctl.close()


def test_failing_backend_is_logged_and_worker_survives(caplog: pytest.LogCaptureFixture) -> None:
    bad = RecordingBackendForTest(fail=True)
    ctl = controller(bad)
    with caplog.at_level(logging.ERROR, logger="stele.adapters.display"):
        step(ctl, at(2, 12))
        step(ctl, at(2, 23))
    assert [c for c in bad.take() if c[0] == "power"] == [("power", True), ("power", False)]
    assert sum("backend failed" in r.getMessage() for r in caplog.records) == 2
    ctl.close()


# --- real backends ---------------------------------------------------------------------


def test_command_backend_runs_real_commands(tmp_path: Path) -> None:
    on_file, off_file = tmp_path / "screen on", tmp_path / "screen off"
    backend = CommandBackend(f"touch '{on_file}'", f"touch '{off_file}'")
    backend.set_power(True)
    assert on_file.exists() and not off_file.exists()
    backend.set_power(False)
    assert off_file.exists()
    backend.set_brightness(50)  # not supported: no-op


def test_command_backend_through_controller_and_config(tmp_path: Path) -> None:
    marker = tmp_path / "state"
    cfg = PowerConfig(
        backend="command",
        on_command=f"sh -c 'echo on > {marker}'",
        off_command=f"sh -c 'echo off > {marker}'",
        schedule=(WEEKDAYS,),
    )
    ctl = DisplayController(make_backend(cfg, None), cfg.schedule, BERLIN)
    step(ctl, at(2, 5))
    assert marker.read_text() == "off\n"
    step(ctl, at(2, 6))
    assert marker.read_text() == "on\n"
    ctl.close()


def test_run_command_failures_are_logged_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="stele.adapters.display"):
        assert run_command(["sh", "-c", "echo nope >&2; exit 3"]) is False
        assert run_command([str(tmp_path / "no-such-tool")]) is False
        t0 = systime.monotonic()
        assert run_command(["sleep", "5"], timeout_s=0.3) is False
        assert systime.monotonic() - t0 < 3
        assert run_command(["true"]) is True
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3
    assert "exited 3: nope" in messages[0]
    assert "not found" in messages[1]
    assert "timed out" in messages[2]


@pytest.fixture
def recording_tool(tmp_path: Path) -> tuple[str, Path]:
    """A stand-in executable that appends its argv to a file (for cec-ctl / ddcutil)."""
    log_file = tmp_path / "argv.log"
    tool = tmp_path / "tool-stub"
    tool.write_text(f'#!/bin/sh\necho "$@" >> "{log_file}"\n')
    tool.chmod(0o755)
    return str(tool), log_file


def test_cec_backend_commands(recording_tool: tuple[str, Path]) -> None:
    tool, log_file = recording_tool
    cec = CecBackend("/dev/cec1", executable=tool)
    cec.set_power(True)
    cec.set_power(False)
    cec.set_brightness(100)
    assert log_file.read_text().splitlines() == [
        "-d /dev/cec1 --playback",
        "-d /dev/cec1 --to 0 --image-view-on",
        "-d /dev/cec1 --to 0 --standby",
    ]


def test_ddc_backend_commands(recording_tool: tuple[str, Path]) -> None:
    tool, log_file = recording_tool
    ddc = DdcBackend(2, executable=tool)
    ddc.set_power(True)
    ddc.set_brightness(100)
    ddc.set_brightness(140)
    ddc.set_power(False)
    assert log_file.read_text().splitlines() == [
        "--display 2 setvcp D6 01",
        "--display 2 setvcp 10 100",
        "--display 2 setvcp 10 100",
        "--display 2 setvcp D6 04",
    ]


def test_make_backend_per_config() -> None:
    assert isinstance(make_backend(PowerConfig(backend="cec"), None), CecBackend)
    assert isinstance(make_backend(PowerConfig(backend="ddc"), None), DdcBackend)
    assert isinstance(make_backend(PowerConfig(), None), NoneBackend)
    blanked: list[bool] = []
    blank = make_backend(PowerConfig(backend="blank"), blanked.append)
    assert isinstance(blank, BlankBackend)
    blank.set_power(False)
    blank.set_power(True)
    assert blanked == [True, False]
    with pytest.raises(ConfigError):
        make_backend(PowerConfig(backend="blank"), None)
    with pytest.raises(ConfigError):
        make_backend(SimpleNamespace(backend="laser"), None)


# --- normal (non-crisis) brightness ------------------------------------------------------


def test_normal_brightness_when_on_full_in_a_crisis_and_back(rec: RecordingBackendForTest) -> None:
    ctl = controller(rec, normal_brightness=60)
    step(ctl, at(2, 5))  # before the schedule: off, brightness left alone
    assert rec.take() == [("power", False)]
    step(ctl, at(2, 6))
    assert rec.take() == [("power", True), ("brightness", 60)]
    step(ctl, at(2, 12), crisis=True)
    assert rec.take() == [("brightness", 100)]
    step(ctl, at(2, 12, 30), crisis=False)
    assert rec.take() == [("brightness", 60)]
    step(ctl, at(2, 22))
    assert rec.take() == [("power", False)]
    step(ctl, at(3, 6))  # the panel kept its level in standby: nothing to send
    assert rec.take() == [("power", True)]
    ctl.close()


def test_normal_brightness_100_still_sends_100_on_every_crisis(
    rec: RecordingBackendForTest,
) -> None:
    ctl = controller(rec, normal_brightness=100)
    step(ctl, at(2, 12))
    step(ctl, at(2, 12, 1), crisis=True)
    step(ctl, at(2, 12, 2), crisis=False)
    step(ctl, at(2, 12, 3), crisis=True)
    assert rec.take() == [("power", True), ("brightness", 100), ("brightness", 100),
                          ("brightness", 100)]
    ctl.close()


def test_ddc_normal_brightness_from_config_with_real_commands(
    recording_tool: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """power.normal_brightness reaches ddcutil through make_backend and the controller, as the
    kiosk builds them (it passes no brightness of its own). The stub is found as `ddcutil` on
    PATH, like the real one."""
    tool, log_file = recording_tool
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ddcutil").symlink_to(tool)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    cfg = PowerConfig(backend="ddc", ddc_display=2, normal_brightness=40, schedule=(WEEKDAYS,))
    backend = make_backend(cfg, None)
    assert isinstance(backend, DdcBackend) and backend.normal_brightness == 40
    ctl = DisplayController(backend, cfg.schedule, BERLIN)
    step(ctl, at(2, 12))
    step(ctl, at(2, 12, 5), crisis=True)
    step(ctl, at(2, 12, 30), crisis=False)
    step(ctl, at(2, 22))
    assert log_file.read_text().splitlines() == [
        "--display 2 setvcp D6 01",
        "--display 2 setvcp 10 40",
        "--display 2 setvcp 10 100",
        "--display 2 setvcp 10 40",
        "--display 2 setvcp D6 04",
    ]
    ctl.close()
