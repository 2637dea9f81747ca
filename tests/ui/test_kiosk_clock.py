"""A stele without RTC booted offline: its clock is behind, and no valid warning may hide.

Real Mosquitto, real QML offscreen, frames grabbed. Only the system clock is a fake (the
kiosk's `clock` seam): real time shifted back, as a Raspberry Pi's clock is after an
offline boot; timesyncd's runtime directory is a temporary one.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from stele.adapters.clock_file import FLOOR_FILE, read_floor, write_floor
from stele.domain.clock import NOT_SYNCHRONISED
from stele.ui import clock as clock_module
from tests.capgen import CapSpec, InfoSpec, cap_xml
from tests.ui.kiosk_helpers import (
    Central,
    kiosk_config,
    new_kiosk,
    red_fraction,
    visible_texts,
    wait_online,
)

pytestmark = pytest.mark.usefixtures("qapp")
ONSET_SHOWN = re.compile(r"\b(ab|from) \d\d:\d\d")  # "ab 14:05 Uhr" / "from 14:05" (Strings.qml)


class FakeSystemClock:
    """FAKE system clock: the real time, `behind` too early; `behind = 0` is NTP's step."""

    def __init__(self, behind: timedelta) -> None:
        self.behind = behind

    def __call__(self) -> datetime:
        return datetime.now(UTC) - self.behind


def true_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def dwd_like(identifier: str, sent: datetime, **info: Any) -> bytes:
    """DWD's shape: `effective` = `onset` = `sent` unless given."""
    fields = {"effective": sent.isoformat(), "onset": sent.isoformat(), **info}
    return cap_xml(CapSpec(identifier=identifier, sent=sent.isoformat(), infos=[InfoSpec(**fields)]))


def clock_lines(central: Central) -> list[str]:
    status = central.find_json("status")
    return [p for p in (status or {}).get("problems", []) if p.startswith("clock:")]


@pytest.fixture
def quick_checks(monkeypatch) -> None:
    monkeypatch.setattr(clock_module, "CHECK_S", 0.2)  # notice NTP's answer within the test


@pytest.mark.usefixtures("quick_checks")
def test_a_warning_sent_after_the_clock_reads_is_shown_acked_and_reported(
    broker, central, tmp_path: Path, qtbot
) -> None:
    timesync = tmp_path / "timesync"
    timesync.mkdir()  # timesyncd runs; no NTP answer yet
    system = FakeSystemClock(behind=timedelta(hours=6))
    k = new_kiosk(kiosk_config(tmp_path, broker.port), clock=system, timesync=timesync)
    k.start()
    try:
        wait_online(qtbot, central)
        assert clock_lines(central) == [NOT_SYNCHRONISED]
        sent = true_now()
        central.alert("dwd", dwd_like(
            "DWD-ORKAN", sent, severity="Extreme", headline="Orkanböen", expires=(sent + timedelta(hours=1)).isoformat()
        ))
        qtbot.waitUntil(lambda: central.find_json("ack") is not None, timeout=10_000)
        ack = central.find_json("ack")
        assert ack["identifier"] == "DWD-ORKAN" and ack["layout"] == "takeover"
        assert ack["received_ms"] <= ack["presented_ms"]
        assert red_fraction(k.view.grabWindow()) > 0.4
        texts = visible_texts(k.view)
        assert any("Orkanböen" in t for t in texts)
        assert not any(ONSET_SHOWN.search(t) for t in texts)  # its onset has begun
        qtbot.waitUntil(lambda: len(clock_lines(central)) == 2, timeout=5_000)
        behind = clock_lines(central)[1]
        assert re.fullmatch(r"clock: at least (5 h 59|6 h 0) min behind the time a received message was sent", behind)

        # NTP answers and steps the clock: the problems go, the warning stays.
        system.behind = timedelta(0)
        (timesync / "synchronized").touch()
        qtbot.waitUntil(lambda: central.find_json("status", lambda d: d["problems"] == []) is not None, timeout=5_000)
        assert k.screen.mode.value == "crisis" and red_fraction(k.view.grabWindow()) > 0.4
    finally:
        k.stop()
        k.dispose()


def test_after_a_restart_behind_the_persisted_floor_decides(broker, central, tmp_path: Path, qtbot) -> None:
    """First run: no alerts, a clean stop writes the floor. Second run: the clock restarted
    3 h behind. A warning that expired an hour ago stays off the glass (the fake clock alone
    would show it), a new one is shown, and the status says how far behind the clock is."""
    cfg = kiosk_config(tmp_path, broker.port)
    first = new_kiosk(cfg, timesync=tmp_path / "absent")
    first.start()
    wait_online(qtbot, central)
    first.stop()
    first.dispose()
    floor = read_floor(cfg.storage.dir)
    assert floor is not None and abs(floor - datetime.now(UTC)) < timedelta(seconds=30)

    second = new_kiosk(cfg, clock=FakeSystemClock(behind=timedelta(hours=3)), timesync=tmp_path / "absent")
    second.start()
    try:
        assert second.clock() >= floor
        now = true_now()
        central.alert("old", dwd_like(
            "GLAETTE", now - timedelta(hours=2), severity="Moderate", headline="Glätte",
            expires=(now - timedelta(hours=1)).isoformat(),
        ))
        central.alert("new", dwd_like("STURM", now, severity="Extreme", headline="Sturmböen"))
        qtbot.waitUntil(lambda: central.find_json("ack", lambda d: d["identifier"] == "STURM") is not None, timeout=10_000)
        assert [a.identifier for a in second.screen.alerts] == ["STURM"]
        texts = visible_texts(second.view)
        assert any("Sturmböen" in t for t in texts) and not any("Glätte" in t for t in texts)
        qtbot.waitUntil(lambda: clock_lines(central) != [], timeout=5_000)
        assert re.fullmatch(r"clock: (2 h 59|3 h 0) min behind the last time this stele knew; "
                            r"alerts and schedules use that time", clock_lines(central)[0])
    finally:
        second.stop()
        second.dispose()


def test_a_restored_crisis_is_back_on_a_clock_restarted_behind(broker, central, tmp_path: Path, qtbot) -> None:
    """A power cut minutes after a warning arrived: the floor on disk is older than the
    warning (saved every 10 min) and the clock restarts 2 h behind, offline. The book's
    own receipt keeps the warning on the glass from the first frames."""
    cfg = kiosk_config(tmp_path, broker.port)
    first = new_kiosk(cfg)
    first.start()
    wait_online(qtbot, central)
    sent = true_now()
    central.alert("k1", dwd_like("HOCHWASSER", sent, severity="Extreme", headline="Hochwasser"))
    qtbot.waitUntil(lambda: central.find_json("ack") is not None, timeout=10_000)
    first.stop()
    first.dispose()
    write_floor(cfg.storage.dir, sent - timedelta(minutes=10))  # the last periodic save
    assert (cfg.storage.dir / FLOOR_FILE).exists()
    broker.stop()

    second = new_kiosk(cfg, clock=FakeSystemClock(behind=timedelta(hours=2)), timesync=tmp_path / "absent")
    second.start()
    try:
        qtbot.waitUntil(lambda: any("Hochwasser" in t for t in visible_texts(second.view)), timeout=5_000)
        assert red_fraction(second.view.grabWindow()) > 0.4
        assert second.screen.mode.value == "crisis"
    finally:
        second.stop()
        second.dispose()
        broker.start()


CLOCK_TEXT = re.compile(r"\d\d:\d\d")


@pytest.mark.usefixtures("quick_checks")
def test_no_time_of_day_on_the_glass_while_the_clock_is_known_behind(
    broker, central, tmp_path: Path, qtbot
) -> None:
    """The clock restarted 3 h behind the time this stele last knew: the fallback screen
    (no content here) shows no time and no date (a wrong one would be read as true); once
    NTP steps the clock, both are back. QML reads the real time here: only the kiosk's own
    clock is the fake."""
    cfg = kiosk_config(tmp_path, broker.port)
    write_floor(cfg.storage.dir, true_now())
    timesync = tmp_path / "timesync"
    timesync.mkdir()
    system = FakeSystemClock(behind=timedelta(hours=3))
    k = new_kiosk(cfg, clock=system, timesync=timesync)
    k.start()
    try:
        wait_online(qtbot, central)
        qtbot.waitUntil(lambda: len(clock_lines(central)) == 2, timeout=5_000)
        qtbot.waitUntil(lambda: not k.bridge.warmingUp, timeout=10_000)
        texts = visible_texts(k.view)
        assert "Stadt Solingen" in texts and "112" in texts  # the fallback screen, no clock
        assert not any(CLOCK_TEXT.fullmatch(t) for t in texts)
        assert not any(t.startswith(("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag",
                                     "Samstag", "Sonntag")) for t in texts)

        system.behind = timedelta(0)
        (timesync / "synchronized").touch()
        qtbot.waitUntil(lambda: any(CLOCK_TEXT.fullmatch(t) for t in visible_texts(k.view)),
                        timeout=5_000)
    finally:
        k.stop()
        k.dispose()
