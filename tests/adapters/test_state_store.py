"""Persistence of the active set: one atomic file per entry, survives corruption and a full disk."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from stele.adapters.state_store import StateStore, book_to_json, entry_name
from stele.domain.book import AlertBook, Origin
from stele.domain.targeting import Place
from tests.capgen import make_alert

T0 = datetime.fromisoformat("2026-11-22T14:00:00+01:00")
HERE = Place(lat=51.1652, lon=7.0671, ars="051220000000")
SENDER = "test@stele.invalid"
ROOT = Path(__file__).parents[2]


def filled_book() -> AlertBook:
    b = AlertBook(place=HERE)
    b.receive(make_alert(identifier="A", severity="Extreme"), T0, origin=Origin("all", "", "k1"), received_ms=123)
    b.receive(make_alert(identifier="B", severity="Moderate"), T0)
    b.receive(make_alert(identifier="OLD"), T0)
    b.receive(make_alert(identifier="C", msg_type="Cancel", references=f"{SENDER},OLD,x"), T0)
    return b


def entry_file(directory: Path, identifier: str) -> Path:
    return directory / "alerts.d" / entry_name((SENDER, identifier))


def files(directory: Path) -> dict[str, tuple[int, int]]:
    """Every file under `directory` with (inode, mtime_ns): an atomic rewrite changes the inode."""
    return {
        str(p.relative_to(directory)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def assert_restores_filled_book(restored: AlertBook, count: int) -> None:
    assert count == 2
    assert set(restored.entries) == {(SENDER, "A"), (SENDER, "B")}
    a = restored.entries[(SENDER, "A")]
    assert a.origin == Origin("all", "", "k1") and a.received_ms == 123 and a.received == T0
    assert "OLD" in restored.ended
    assert restored.all_clear is not None and restored.all_clear.cancel.identifier == "C"
    assert [e.alert.identifier for e, _ in restored.shown(T0)] == ["A", "B"]
    # A late duplicate of the cancelled alert stays dead after a restart too.
    assert restored.receive(make_alert(identifier="OLD"), T0).outcome.value == "outdated"


def test_round_trip_restores_alerts_origins_ended_and_all_clear(tmp_path: Path) -> None:
    assert StateStore(tmp_path).save(filled_book())
    restored = AlertBook(place=HERE)
    assert_restores_filled_book(restored, StateStore(tmp_path).load(restored))


def test_one_file_per_entry_plus_meta_and_no_temp_files(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    assert store.save(filled_book())
    assert store.path.parent == tmp_path  # the kiosk reads free disk space there
    assert sorted(files(tmp_path)) == sorted(
        ["alerts.d/meta.json", *(f"alerts.d/{entry_name((SENDER, i))}" for i in "AB")]
    )


def test_legacy_alerts_json_is_migrated_and_removed_once_the_new_files_are_on_disk(tmp_path: Path) -> None:
    (tmp_path / "alerts.json").write_text(json.dumps(book_to_json(filled_book())))
    store = StateStore(tmp_path)
    book = AlertBook(place=HERE)
    assert_restores_filled_book(book, store.load(book))
    assert (tmp_path / "alerts.json").exists()  # kept until the new layout holds the same
    assert store.save(book)
    assert not (tmp_path / "alerts.json").exists()
    restored = AlertBook(place=HERE)
    assert_restores_filled_book(restored, StateStore(tmp_path).load(restored))


def test_corrupt_legacy_file_is_logged_kept_aside_and_treated_as_empty(tmp_path: Path, caplog) -> None:
    (tmp_path / "alerts.json").write_bytes(b'{"version": 1, "entries": [')
    b = AlertBook(place=HERE)
    assert StateStore(tmp_path).load(b) == 0
    assert "corrupt" in caplog.text
    assert (tmp_path / "alerts.corrupt").exists()


def test_missing_directory_is_empty(tmp_path: Path) -> None:
    b = AlertBook(place=HERE)
    assert StateStore(tmp_path / "nope").load(b) == 0 and not b.entries


def test_only_what_changed_is_written(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    book = filled_book()
    assert store.save(book)
    before = files(tmp_path)

    assert store.save(book)  # nothing changed: nothing touched
    assert files(tmp_path) == before

    book.receive(make_alert(identifier="D"), T0)  # a new alert: only its own file
    assert store.save(book)
    after = files(tmp_path)
    assert set(after) - set(before) == {f"alerts.d/{entry_name((SENDER, 'D'))}"}
    assert {k: after[k] for k in before} == before

    # The same alert re-published on another incident: only that entry is rewritten.
    book.receive(make_alert(identifier="A", severity="Extreme"), T0, origin=Origin("all", "", "k2"))
    assert store.save(book)
    changed = {k for k, v in files(tmp_path).items() if after.get(k) != v}
    assert changed == {f"alerts.d/{entry_name((SENDER, 'A'))}"}

    # A cancel: the cancelled entry goes, meta.json (ended) is rewritten, the rest untouched.
    before = files(tmp_path)
    book.receive(make_alert(identifier="X", msg_type="Cancel", references=f"{SENDER},B,x"), T0)
    assert store.save(book)
    after = files(tmp_path)
    assert set(before) - set(after) == {f"alerts.d/{entry_name((SENDER, 'B'))}"}
    assert {k for k in after if after[k] != before[k]} == {"alerts.d/meta.json"}


def test_load_then_save_rewrites_nothing(tmp_path: Path) -> None:
    assert StateStore(tmp_path).save(filled_book())
    before = files(tmp_path)
    store = StateStore(tmp_path)  # a restart
    book = AlertBook(place=HERE)
    store.load(book)
    assert store.save(book)
    assert files(tmp_path) == before  # an SD card is not rewritten at every boot


def test_leftover_temp_files_are_removed_at_load(tmp_path: Path) -> None:
    assert StateStore(tmp_path).save(filled_book())
    legacy_tmp = tmp_path / ".alerts-k3j4h5.tmp"  # left by the single-file writer
    entry_tmp = tmp_path / "alerts.d" / f".{entry_name((SENDER, 'Z'))[:-5]}-x8a9.tmp"
    legacy_tmp.write_bytes(b'{"version": 1, "entr')
    entry_tmp.write_bytes(b'{"version": 2, "ra')
    book = AlertBook(place=HERE)
    assert StateStore(tmp_path).load(book) == 2
    assert not legacy_tmp.exists() and not entry_tmp.exists()


@pytest.mark.parametrize("damage", ["truncated", "empty", "zeroed"])
def test_damaged_entry_is_kept_aside_and_the_others_load(tmp_path: Path, caplog, damage: str) -> None:
    """What a writer without rename could leave after a power cut; load must not accept it."""
    assert StateStore(tmp_path).save(filled_book())
    a = entry_file(tmp_path, "A")
    data = a.read_bytes()
    a.write_bytes({"truncated": data[: len(data) // 2], "empty": b"", "zeroed": b"\0" * len(data)}[damage])
    book = AlertBook(place=HERE)
    assert StateStore(tmp_path).load(book) == 1
    assert set(book.entries) == {(SENDER, "B")}
    assert "corrupt" in caplog.text
    assert a.with_suffix(".corrupt").exists() and not a.exists()


def test_a_writer_killed_mid_write_leaves_the_previous_state(tmp_path: Path) -> None:
    """A real kill: the file-size limit's SIGXFSZ terminates the writer inside write(2)."""
    store = StateStore(tmp_path)
    small = AlertBook(place=HERE)
    small.receive(make_alert(identifier="A"), T0)
    assert store.save(small)
    before = files(tmp_path)
    script = f"""
import resource, signal
signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # Python ignores it by default
from pathlib import Path
from datetime import datetime
from stele.adapters.state_store import StateStore
from stele.domain.book import AlertBook
from tests.capgen import make_alert
store = StateStore(Path({str(tmp_path)!r}))
b = AlertBook(place=None)
store.load(b)
b.receive(make_alert(identifier="BIG", description="x" * 200_000), datetime.fromisoformat("2026-11-22T14:00:00+01:00"))
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
store.save(b)
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode < 0, proc.stderr  # killed by the signal, not a clean exit
    leftovers = [p.name for p in (tmp_path / "alerts.d").iterdir() if p.name.endswith(".tmp")]
    assert leftovers  # the half-written temp file is there ...
    book = AlertBook(place=HERE)
    assert StateStore(tmp_path).load(book) == 1  # ... and is never taken for an entry
    assert set(book.entries) == {(SENDER, "A")}
    assert files(tmp_path) == before  # and it is gone


def test_entry_ended_before_a_power_cut_is_not_restored_and_goes_at_the_next_save(tmp_path: Path) -> None:
    """The cut fell between meta.json (B ended) reaching disk and B's file being unlinked."""
    store = StateStore(tmp_path)
    book = filled_book()
    assert store.save(book)
    b_file = entry_file(tmp_path, "B")
    b_bytes = b_file.read_bytes()
    book.receive(make_alert(identifier="X", msg_type="Cancel", references=f"{SENDER},B,x"), T0)
    assert store.save(book)
    b_file.write_bytes(b_bytes)  # as if the unlink had not reached the disk
    restored = AlertBook(place=HERE)
    store = StateStore(tmp_path)
    assert store.load(restored) == 1 and set(restored.entries) == {(SENDER, "A")}
    assert store.save(restored)
    assert not b_file.exists()


def test_corrupt_meta_is_kept_aside_and_the_entries_still_load(tmp_path: Path, caplog) -> None:
    store = StateStore(tmp_path)
    assert store.save(filled_book())
    (tmp_path / "alerts.d" / "meta.json").write_bytes(b'{"version": 2, "ended": {"OL')
    book = AlertBook(place=HERE)
    store = StateStore(tmp_path)
    assert store.load(book) == 2
    assert "corrupt" in caplog.text and (tmp_path / "alerts.d" / "meta.corrupt").exists()
    assert store.save(book) and (tmp_path / "alerts.d" / "meta.json").exists()


def test_one_bad_entry_does_not_lose_the_others(tmp_path: Path) -> None:
    assert StateStore(tmp_path).save(filled_book())
    a = entry_file(tmp_path, "A")
    data = json.loads(a.read_text())
    data["raw"] = "bm90IGNhcA=="  # base64 of "not cap"
    a.write_text(json.dumps(data))
    assert StateStore(tmp_path).load(AlertBook(place=HERE)) == 1


def test_save_without_load_does_not_bring_back_what_was_there(tmp_path: Path) -> None:
    assert StateStore(tmp_path).save(filled_book())
    other = AlertBook(place=HERE)
    other.receive(make_alert(identifier="D"), T0)
    assert StateStore(tmp_path).save(other)
    restored = AlertBook(place=HERE)
    assert StateStore(tmp_path).load(restored) == 1 and set(restored.entries) == {(SENDER, "D")}


def test_expired_alerts_in_state_are_not_shown_after_restart(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    b = AlertBook(place=HERE)
    b.receive(make_alert(identifier="A", expires="2026-11-22T15:00:00+01:00"), T0)
    store.save(b)
    restored = AlertBook(place=HERE)
    store.load(restored)
    assert restored.shown(T0 + timedelta(hours=2)) == []


def test_a_failure_is_logged_once_per_episode_and_the_recovery_too(tmp_path: Path, caplog) -> None:
    state = tmp_path / "state"
    state.write_text("a file where the state directory should be")  # a real ENOTDIR / EEXIST
    store = StateStore(state)
    book = filled_book()
    with caplog.at_level(logging.INFO, logger="stele.adapters.state_store"):
        assert [store.save(book) for _ in range(3)] == [False, False, False]
        assert caplog.text.count("cannot save") == 1
        state.unlink()
        assert store.save(book)
        assert "saving works again" in caplog.text
    restored = AlertBook(place=HERE)
    assert_restores_filled_book(restored, StateStore(state).load(restored))


def test_full_disk_keeps_the_previous_files(tmp_path: Path) -> None:
    """A real write failure: the file-size limit (RLIMIT_FSIZE) makes write() fail with EFBIG,
    as a full disk makes it fail with ENOSPC."""
    store = StateStore(tmp_path)
    small = AlertBook(place=HERE)
    small.receive(make_alert(identifier="A"), T0)
    assert store.save(small)
    before = {k: (tmp_path / k).read_bytes() for k in files(tmp_path)}
    script = f"""
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
from pathlib import Path
from datetime import datetime
from stele.adapters.state_store import StateStore
from stele.domain.book import AlertBook
from tests.capgen import make_alert
store = StateStore(Path({str(tmp_path)!r}))
b = AlertBook(place=None)
store.load(b)
t = datetime.fromisoformat("2026-11-22T14:00:00+01:00")
b.receive(make_alert(identifier="BIG", description="x" * 200_000), t)
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
sys.exit(0 if store.save(b) is False else 1)
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "cannot save" in proc.stderr
    assert {k: (tmp_path / k).read_bytes() for k in files(tmp_path)} == before
