"""The clock's side of the disk: the last time the stele knew (`clock.json` in the state
directory) and whether systemd-timesyncd has set the clock from NTP (docs/alerts.md "Time")."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path

from stele.adapters import atomic

log = logging.getLogger(__name__)
FLOOR_FILE = "clock.json"
TEMP_PREFIX = ".clock-"
# systemd-timesyncd creates this directory when it starts and touches `synchronized` in it
# at each NTP synchronisation (systemd-timesyncd.service(8)); /run starts empty at boot.
TIMESYNC_DIR = Path("/run/systemd/timesync")


def read_floor(directory: Path) -> datetime | None:
    """The persisted last known time, or None (missing or damaged: logged, never raised)."""
    path = directory / FLOOR_FILE
    for leftover in directory.glob(f"{TEMP_PREFIX}*"):  # a write cut short by a power cut
        leftover.unlink(missing_ok=True)
    try:
        at = datetime.fromisoformat(json.loads(path.read_bytes())["known"])
        if at.tzinfo is None:
            raise ValueError("no UTC offset")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("clock: ignoring %s: %s", path, exc)
        return None
    return at


def write_floor(directory: Path, at: datetime) -> None:
    """Replace the persisted last known time (atomically; raises OSError)."""
    directory.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"known": at.isoformat()}).encode()
    atomic.write_atomic(directory / FLOOR_FILE, data, prefix=TEMP_PREFIX)


def ntp_synchronised(run_dir: Path = TIMESYNC_DIR) -> bool | None:
    """True once timesyncd synchronised the clock since boot, False while it has not,
    None where it does not run (a developer's machine, another NTP client): unknown."""
    if (run_dir / "synchronized").exists():
        return True
    return False if run_dir.is_dir() else None
