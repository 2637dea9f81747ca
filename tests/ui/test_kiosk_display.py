"""Display power in the kiosk: a crisis switches the display on whatever the schedule says."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.capgen import CapSpec, InfoSpec, cap_xml
from tests.ui.kiosk_helpers import Central, kiosk_config, new_kiosk

pytestmark = pytest.mark.usefixtures("qapp")


def test_crisis_overrides_a_night_schedule_and_all_clear_restores_it(broker, tmp_path: Path, qtbot) -> None:
    log = tmp_path / "power.log"
    # A schedule whose only "on" window lies hours ahead: the display is off now.
    later = datetime.now(ZoneInfo("Europe/Berlin")) + timedelta(hours=3)
    extra = f"""
[power]
backend = "command"
on_command = "sh -c 'echo on >> {log}'"
off_command = "sh -c 'echo off >> {log}'"
[[power.schedule]]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
on = "{later:%H}:00"
off = "{later:%H}:30"
"""
    kiosk = new_kiosk(kiosk_config(tmp_path, broker.port, extra=extra))
    central = Central(broker)
    kiosk.start()
    try:
        lines = lambda: log.read_text().split() if log.exists() else []  # noqa: E731
        qtbot.waitUntil(lambda: lines() == ["off"], timeout=5_000)
        central.alert("k1", cap_xml(CapSpec(identifier="A", infos=[InfoSpec(severity="Extreme")])))
        qtbot.waitUntil(lambda: lines() == ["off", "on"], timeout=10_000)
        assert kiosk.status()["display"] == "on"
        central.alert("k1", cap_xml(CapSpec(identifier="C", msg_type="Cancel", references="test@stele.invalid,A,x",
                                            sent="2026-11-22T14:10:00+01:00", infos=[InfoSpec(severity="Extreme")])))
        qtbot.waitUntil(lambda: lines() == ["off", "on", "off"], timeout=10_000)
    finally:
        kiosk.stop()
        kiosk.dispose()
        central.close()
