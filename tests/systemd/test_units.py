"""The shipped systemd files parse cleanly with the real systemd tools.

`systemd-analyze verify` checks that every Exec*= binary exists, and /usr/bin/stele is
not installed on a dev machine or in CI. So each unit is copied to a temp dir and every
missing absolute Exec path is pointed at a stub executable created there; the rest of
the unit is verified unchanged. Any line of output (warnings go to stderr with exit
status 0) fails the test.
"""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
from pathlib import Path

import pytest

SYSTEMD_DIR = Path(__file__).resolve().parents[2] / "systemd"
UNIT_SUFFIXES = {".service", ".timer", ".socket", ".path", ".target", ".mount"}
UNITS = sorted(p for p in SYSTEMD_DIR.glob("*") if p.suffix in UNIT_SUFFIXES)
EXEC_LINE = re.compile(r"^(Exec\w+=[-@:+!]*)(/\S+)", re.MULTILINE)
# Raspberry Pi bcm2835 watchdog: the hardware cannot count further than ~15 s.
PI_WATCHDOG_MAX_S = 15.0
# Regression guard: `systemd-analyze security` overall exposure (docs/systemd.md).
MAX_EXPOSURE = 2.0

pytestmark = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed"
)


def _with_stub_binaries(unit: Path, tmp_path: Path) -> Path:
    stub = tmp_path / "stub-exec"
    stub.write_text("#!/bin/sh\nexit 0\n")
    stub.chmod(0o755)

    def swap(m: re.Match[str]) -> str:
        return m.group(0) if Path(m.group(2)).exists() else m.group(1) + str(stub)

    copy = tmp_path / unit.name
    copy.write_text(EXEC_LINE.sub(swap, unit.read_text()))
    return copy


def _timespan_s(value: str) -> float:
    out = subprocess.run(
        ["systemd-analyze", "timespan", value], capture_output=True, text=True, check=True
    ).stdout
    usec = re.search(r"μs:\s*(\d+)", out)
    assert usec, out
    return int(usec.group(1)) / 1e6


def test_there_are_units() -> None:
    assert any(u.name == "stele.service" for u in UNITS)


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_unit_verifies_without_any_warning(unit: Path, tmp_path: Path) -> None:
    copy = _with_stub_binaries(unit, tmp_path)
    res = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "", res.stdout
    assert res.stderr.strip() == "", res.stderr


def test_stub_rewrite_really_catches_a_bad_directive(tmp_path: Path) -> None:
    # Guards the test above: a typo must surface in the output we assert empty.
    bad = tmp_path / "in" / "stele.service"
    bad.parent.mkdir()
    bad.write_text(
        (SYSTEMD_DIR / "stele.service").read_text().replace("ProtectHome=yes", "ProtectHome=yess")
    )
    copy = _with_stub_binaries(bad, tmp_path)
    res = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "yess" in res.stderr


@pytest.mark.parametrize("name", ["stele.service", "stele-bridge.service"])
def test_service_exposure_stays_low(name: str) -> None:
    res = subprocess.run(
        [
            "systemd-analyze",
            "security",
            "--offline=true",
            f"--threshold={MAX_EXPOSURE * 10:.0f}",
            "--no-pager",
            str(SYSTEMD_DIR / name),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    level = re.search(rf"Overall exposure level for {re.escape(name)}: (\d+\.\d)", res.stdout)
    assert level, res.stdout + res.stderr
    assert float(level.group(1)) <= MAX_EXPOSURE
    assert res.returncode == 0, res.stderr


def test_unit_watchdog_fits_notify_contract() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(SYSTEMD_DIR / "stele.service")
    svc = unit["Service"]
    assert svc["Type"] == "notify"
    assert svc["NotifyAccess"] == "main"
    # The app must exit within 5 s of SIGTERM; systemd must not SIGKILL before that.
    assert _timespan_s(svc["TimeoutStopSec"]) > 5
    assert _timespan_s(svc["WatchdogSec"]) >= 2


def test_bridge_unit_fits_its_notify_contract() -> None:
    from stele.central.bridge_config import BridgeSection

    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(SYSTEMD_DIR / "stele-bridge.service")
    svc = unit["Service"]
    assert (svc["Type"], svc["NotifyAccess"]) == ("notify", "main")
    assert svc["ExecStart"] == "/usr/bin/stele bridge"
    # One poll may take its whole timeout; the watchdog must outlast a few of them.
    timeout = BridgeSection.model_fields["timeout_s"].default
    assert _timespan_s(svc["WatchdogSec"]) >= 4 * timeout
    # The default state_dir is the unit's StateDirectory (writable under ProtectSystem=strict).
    state = BridgeSection.model_fields["state_dir"].default
    assert str(state) == "/var/lib/" + svc["StateDirectory"]
    assert svc["ProtectSystem"] == "strict" and svc["DynamicUser"] == "yes"


def test_hardware_watchdog_dropin_is_within_pi_limit() -> None:
    conf = configparser.ConfigParser(interpolation=None)
    conf.optionxform = str  # type: ignore[assignment,method-assign]
    conf.read(SYSTEMD_DIR / "system.conf.d" / "stele-watchdog.conf")
    assert set(conf.sections()) == {"Manager"}
    runtime = _timespan_s(conf["Manager"]["RuntimeWatchdogSec"])
    assert 0 < runtime < PI_WATCHDOG_MAX_S
    assert _timespan_s(conf["Manager"]["RebootWatchdogSec"]) > runtime


@pytest.mark.skipif(shutil.which("systemd-sysusers") is None, reason="no systemd-sysusers")
def test_sysusers_creates_user_in_device_groups(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    # An existing group keeps its GID; missing ones are created.
    (tmp_path / "etc" / "group").write_text("video:x:44:\n")
    res = subprocess.run(
        ["systemd-sysusers", f"--root={tmp_path}", str(SYSTEMD_DIR / "sysusers.d" / "stele.conf")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    passwd = (tmp_path / "etc" / "passwd").read_text()
    assert re.search(r"^stele:x:\d+:\d+:[^:]*:/var/lib/stele:/usr/sbin/nologin$", passwd, re.M)
    groups = {
        line.split(":")[0]: line.split(":")
        for line in (tmp_path / "etc" / "group").read_text().splitlines()
    }
    assert groups["video"][2] == "44"
    unit = (SYSTEMD_DIR / "stele.service").read_text()
    wanted = re.search(r"^SupplementaryGroups=(.*)$", unit, re.M)
    assert wanted
    for name in wanted.group(1).split():
        assert "stele" in groups[name][3].split(","), name
