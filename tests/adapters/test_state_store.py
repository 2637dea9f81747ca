"""Persistence of the active set: atomic, survives corruption and a full disk."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from stele.adapters.state_store import StateStore
from stele.domain.book import AlertBook, Origin
from stele.domain.targeting import Place
from tests.capgen import make_alert

T0 = datetime.fromisoformat("2026-11-22T14:00:00+01:00")
HERE = Place(lat=51.1652, lon=7.0671, ars="051220000000")


def filled_book() -> AlertBook:
    b = AlertBook(place=HERE)
    b.receive(make_alert(identifier="A", severity="Extreme"), T0, origin=Origin("all", "", "k1"), received_ms=123)
    b.receive(make_alert(identifier="B", severity="Moderate"), T0)
    b.receive(make_alert(identifier="OLD"), T0)
    b.receive(make_alert(identifier="C", msg_type="Cancel", references="test@stele.invalid,OLD,x"), T0)
    return b


def test_round_trip_restores_alerts_origins_ended_and_all_clear(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    original = filled_book()
    assert store.save(original)
    restored = AlertBook(place=HERE)
    assert store.load(restored) == 2
    assert set(restored.entries) == set(original.entries)
    a = restored.entries[("test@stele.invalid", "A")]
    assert a.origin == Origin("all", "", "k1") and a.received_ms == 123
    assert "OLD" in restored.ended
    assert restored.all_clear is not None and restored.all_clear.cancel.identifier == "C"
    assert [e.alert.identifier for e, _ in restored.shown(T0)] == ["A", "B"]
    # A late duplicate of the cancelled alert stays dead after a restart too.
    assert restored.receive(make_alert(identifier="OLD"), T0).outcome.value == "outdated"


def test_save_leaves_no_temp_files(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.save(filled_book())
    store.save(filled_book())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alerts.json"]


def test_missing_file_is_empty(tmp_path: Path) -> None:
    b = AlertBook(place=HERE)
    assert StateStore(tmp_path / "nope").load(b) == 0 and not b.entries


def test_corrupt_file_is_logged_kept_aside_and_treated_as_empty(tmp_path: Path, caplog) -> None:
    (tmp_path / "alerts.json").write_bytes(b'{"version": 1, "entries": [')
    b = AlertBook(place=HERE)
    assert StateStore(tmp_path).load(b) == 0
    assert "corrupt" in caplog.text
    assert (tmp_path / "alerts.corrupt").exists()


def test_one_bad_entry_does_not_lose_the_others(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.save(filled_book())
    data = json.loads((tmp_path / "alerts.json").read_text())
    data["entries"][0]["raw"] = "bm90IGNhcA=="  # base64 of "not cap"
    (tmp_path / "alerts.json").write_text(json.dumps(data))
    b = AlertBook(place=HERE)
    assert store.load(b) == 1


def test_expired_alerts_in_state_are_not_shown_after_restart(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    b = AlertBook(place=HERE)
    b.receive(make_alert(identifier="A", expires="2026-11-22T15:00:00+01:00"), T0)
    store.save(b)
    restored = AlertBook(place=HERE)
    store.load(restored)
    assert restored.shown(T0 + timedelta(hours=2)) == []


def test_full_disk_keeps_the_previous_file(tmp_path: Path) -> None:
    """A real write failure: the file-size limit (RLIMIT_FSIZE) makes write() fail with EFBIG,
    as a full disk makes it fail with ENOSPC."""
    store = StateStore(tmp_path)
    small = AlertBook(place=HERE)
    small.receive(make_alert(identifier="A"), T0)
    assert store.save(small)
    before = (tmp_path / "alerts.json").read_bytes()
    script = f"""
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
from pathlib import Path
from datetime import datetime
from stele.adapters.state_store import StateStore
from stele.domain.book import AlertBook
from stele.domain.targeting import Place
from tests.capgen import make_alert
b = AlertBook(place=None)
t = datetime.fromisoformat("2026-11-22T14:00:00+01:00")
for i in range(50):
    b.receive(make_alert(identifier=f"X{{i}}", description="x" * 2000), t)
resource.setrlimit(resource.RLIMIT_FSIZE, ({len(before) + 100}, {len(before) + 100}))
ok = StateStore(Path({str(tmp_path)!r})).save(b)
sys.exit(0 if ok is False else 1)
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).parents[2])
    assert proc.returncode == 0, proc.stderr
    assert "cannot save" in proc.stderr
    assert (tmp_path / "alerts.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alerts.json"]
