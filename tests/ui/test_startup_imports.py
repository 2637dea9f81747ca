"""What a kiosk imports at start, in a fresh interpreter: nothing outside stele.ui after Qt
(stele/ui/before_qt.py says why), and none of the heavy modules that only some steles need
before they need them (tests/bench/cold_start.py and soak.py measure what they cost)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Modules PySide6 itself loads when it is first imported (its signature support).
QT_OWN = ("PySide6", "shiboken6", "shibokensupport", "signature_bootstrap", "__feature__")
QT_OWN_STDLIB = {"argparse", "gettext", "encodings.cp437"}


def fresh(code: str) -> dict[str, list[str]]:
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={"PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    result: dict[str, list[str]] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_stele_run_imports_nothing_but_qt_and_stele_ui_after_qt() -> None:
    found = fresh(
        "import sys, json\n"
        "from stele.ui.before_qt import import_kiosk_modules\n"
        "import_kiosk_modules()\n"
        "before = set(sys.modules)\n"
        "import stele.ui.main\n"
        "print(json.dumps({'after': sorted(set(sys.modules) - before)}))\n"
    )
    after = [m for m in found["after"] if not m.startswith(QT_OWN) and m not in QT_OWN_STDLIB]
    assert after and all(m.startswith("stele.ui") for m in after), after
    assert "stele.ui.app" in after  # the kiosk itself came after Qt, as it must


def test_a_kiosk_without_signing_keys_live_items_or_a_sync_imports_no_heavy_parser() -> None:
    heavy = ["cryptography", "requests", "feedparser", "icalendar", "recurring_ical_events"]
    found = fresh(
        "import sys, json\n"
        "from stele.ui.before_qt import import_kiosk_modules\n"
        "import_kiosk_modules()\n"
        "import stele.ui.main, stele.config\n"
        "from stele.adapters.signed import Gate\n"
        "Gate([], require=False)\n"
        f"print(json.dumps({{'loaded': [m for m in {heavy!r} if m in sys.modules]}}))\n"
    )
    assert found["loaded"] == []


def test_signing_keys_load_cryptography_when_the_gate_is_made() -> None:
    found = fresh(
        "import sys, json\n"
        "from stele.adapters.signed import Gate\n"
        "before = 'cryptography' in sys.modules\n"
        "Gate([bytes(range(32))], require=True)\n"
        "print(json.dumps({'loaded': [str(before), str('cryptography' in sys.modules)]}))\n"
    )
    assert found["loaded"] == ["False", "True"]
