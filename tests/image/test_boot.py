"""Boot the device image in QEMU and prove it end to end (issue: a flashable device image).

One VM per module, booted from the disk image alone (UEFI firmware, systemd-boot inside the
image), TCG, user networking (the host is 10.0.2.2), virtio-gpu-pci: the kiosk draws through
Qt's eglfs/KMS as on a stele, and QEMU's screendump shows what is on the glass. A private
Mosquitto on the host is the city's broker. The checks run in order on the same VM:

1. online on the host broker; 2. an Extreme alert acked with presented_ms, the crisis layout
on the screendump; 3. broker down, kiosk killed: systemd restarts it, the crisis is back from
the saved state, and online again in crisis mode when the broker returns; 4. the GUI thread
frozen (test-only hook): the watchdog restarts the kiosk, frames resume; 5. a hard reset
during the crisis, broker down: the crisis comes back; 6. the root stayed read-only and
byte-for-byte unchanged.

Target: qemu-amd64, or $STELE_BOOT_TARGET (./dev image-test-arm64 sets qemu-arm64).
Figures (boot to first frame/online, alert to presented, RAM) are printed and written to
image-build/out/figures-TARGET.json.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.brokers import Mosquitto
from tests.capgen import CapSpec, InfoSpec, cap_xml
from tests.image.tools import IMAGE_BUILD, need
from tests.image.vm import Target, Vm, screendump
from tests.ui.kiosk_helpers import ARS, DEVICE, Central
from tests.ui.scene import red_fraction

pytestmark = [pytest.mark.image, pytest.mark.slow]

TARGET = os.environ.get("STELE_BOOT_TARGET", "qemu-amd64")
ARCH = TARGET.rsplit("-", 1)[1]
SLOW = 1.0 if ARCH == "amd64" else 4.0  # arm64 is emulated instruction by instruction
FIGURES: dict[str, Any] = {"target": TARGET}


def wait(what: str, pred: Callable[[], Any], timeout: float, vm: Vm | None = None) -> Any:
    deadline = time.monotonic() + timeout * SLOW
    while True:
        got = pred()
        if got:
            return got
        if time.monotonic() > deadline:
            tail = "\n" + vm.diagnostics() if vm is not None else ""
            raise AssertionError(f"timed out after {timeout * SLOW:.0f} s: {what}{tail}")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def image() -> Path:
    """The image built from this checkout (reused if nothing changed), or $STELE_BOOT_IMAGE."""
    if os.environ.get("STELE_BOOT_IMAGE"):
        return Path(os.environ["STELE_BOOT_IMAGE"])
    need(
        "mmdebstrap",
        "genimage",
        "mcopy",
        f"qemu-system-{'x86_64' if ARCH == 'amd64' else 'aarch64'}",
    )
    res = subprocess.run(
        [str(IMAGE_BUILD / "build-image"), TARGET, "--reuse"],
        capture_output=True, text=True, timeout=1800, check=False,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-4000:]
    return IMAGE_BUILD / "out" / f"stele-{TARGET}.img"


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mosquitto]:
    b = Mosquitto(workdir=tmp_path_factory.mktemp("mosquitto"))
    b.start()
    yield b
    b.close()


@pytest.fixture(scope="module")
def central(broker: Mosquitto) -> Iterator[Central]:
    c = Central(broker)
    yield c
    c.close()


@pytest.fixture(scope="module")
def vm(image: Path, broker: Mosquitto, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Vm]:
    toml = f"""[device]
id = "{DEVICE}"
ars = "{ARS}"
latitude = 51.1652
longitude = 7.0671

[mqtt]
host = "10.0.2.2"
port = {broker.port}
keepalive_s = 5
reconnect_min_s = 0.5
reconnect_max_s = 2.0
"""
    machine = Vm(Target(TARGET, ARCH), image, tmp_path_factory.mktemp("vm"), toml)
    yield machine
    machine.stop()
    figures = IMAGE_BUILD / "out" / f"figures-{TARGET}.json"
    figures.write_text(json.dumps(FIGURES, indent=2) + "\n")
    print("\nfigures:", json.dumps(FIGURES, indent=2))


def kiosk_pid(vm: Vm) -> int:
    return int(vm.shell.check("systemctl show -P MainPID stele"))


def frames_in_journal(vm: Vm) -> int:
    out = vm.shell.check(
        "journalctl -b -u stele -o cat --no-pager | grep -c 'first frame presented' || true"
    )
    return int(out or 0)


def used_mib(vm: Vm) -> dict[str, int]:
    mem = vm.shell.check("free -m | awk '/^Mem:/ {print $3}'")
    kiosk = vm.shell.check("ps -o rss= -p $(systemctl show -P MainPID stele)")
    return {"device_used_mib": int(mem), "kiosk_rss_mib": int(kiosk) // 1024}


def crisis_on_glass(vm: Vm, tmp_path: Path, name: str) -> float:
    return red_fraction(screendump(vm.qmp, tmp_path / f"{name}.ppm"))


def extreme_alert(identifier: str) -> bytes:
    now = datetime.now(UTC).replace(microsecond=0)
    return cap_xml(
        CapSpec(
            identifier=identifier,
            sent=now.isoformat(),
            infos=[
                InfoSpec(
                    severity="Extreme",
                    headline="Deichbruch Unterburg",
                    expires=(now + timedelta(hours=6)).isoformat(),
                )
            ],
        )
    )


def test_1_online_on_the_host_broker(vm: Vm, central: Central, tmp_path: Path) -> None:
    status = wait(
        "status online on the host broker",
        lambda: central.find_json("status", lambda d: d["state"] == "online"),
        240, vm,
    )  # fmt: skip
    FIGURES["qemu_start_to_online_s"] = round(time.monotonic() - vm.started, 1)
    vm.wait_shell(60)
    # Kernel start to the first presented frame, from the journal's monotonic clock.
    line = wait(
        "the first frame presented",
        lambda: vm.shell.run(
            "journalctl -b -u stele -o short-monotonic --no-pager | grep -m1 'first frame presented'"
        )[1],
        120, vm,
    )  # fmt: skip
    FIGURES["kernel_to_first_frame_s"] = float(line.split("]")[0].strip("[ "))
    FIGURES["systemd_analyze"] = vm.shell.check("systemd-analyze | head -1")
    assert status["mode"] == "normal", status
    FIGURES["idle"] = used_mib(vm)
    assert crisis_on_glass(vm, tmp_path, "idle") < 0.05  # the normal screen, not red


def test_2_extreme_alert_acked_and_on_the_glass(vm: Vm, central: Central, tmp_path: Path) -> None:
    sent = central.alert("flood", extreme_alert("DE-TEST-BOOT-EXTREME-1"))
    ack = wait(
        "ack with presented_ms",
        lambda: central.find_json(
            "ack", lambda d: d.get("identifier") == "DE-TEST-BOOT-EXTREME-1" and d.get("presented_ms")
        ),
        60, vm,
    )  # fmt: skip
    FIGURES["host_publish_to_ack_s"] = round(time.time() - sent, 3)
    FIGURES["vm_received_to_presented_ms"] = ack["presented_ms"] - ack["received_ms"]
    assert ack["layout"] == "takeover", ack  # the crisis layout
    fraction = crisis_on_glass(vm, tmp_path, "crisis")
    assert fraction > 0.5, f"the screendump is not the crisis layout (red {fraction:.2f})"
    FIGURES["crisis"] = used_mib(vm)


def test_3_kiosk_killed_offline_comes_back_in_crisis(
    vm: Vm, broker: Mosquitto, central: Central, tmp_path: Path
) -> None:
    broker.stop()
    before = kiosk_pid(vm)
    frames = frames_in_journal(vm)
    vm.shell.check(f"kill -KILL {before}")
    wait("systemd restarted the kiosk", lambda: kiosk_pid(vm) not in (0, before), 60, vm)
    wait("the restarted kiosk presented a frame", lambda: frames_in_journal(vm) > frames, 120, vm)
    assert crisis_on_glass(vm, tmp_path, "restarted") > 0.5, "crisis not restored after restart"
    seen = len(central.messages)
    broker.start()
    wait(
        "online in crisis mode after the broker returned",
        lambda: any(
            json.loads(p).get("state") == "online" and json.loads(p).get("mode") == "crisis"
            for t, p, _, _ in central.messages[seen:]
            if t.endswith(f"/{DEVICE}/status") and p
        ),
        120, vm,
    )  # fmt: skip


def test_4_frozen_gui_thread_is_restarted_by_the_watchdog(vm: Vm, tmp_path: Path) -> None:
    before = kiosk_pid(vm)
    frames = frames_in_journal(vm)
    vm.shell.check(f"kill -USR2 {before}")  # the test-only hook
    wait("systemd restarted the frozen kiosk", lambda: kiosk_pid(vm) not in (0, before), 90, vm)
    journal = vm.shell.check("journalctl -b -u stele -o cat --no-pager")
    assert "freezes the GUI thread for" in journal
    assert "Watchdog timeout" in journal, journal[-3000:]
    wait("frames resumed", lambda: frames_in_journal(vm) > frames, 120, vm)
    assert crisis_on_glass(vm, tmp_path, "after-watchdog") > 0.5


def test_5_power_cut_in_crisis_boots_back_into_crisis(
    vm: Vm, broker: Mosquitto, tmp_path: Path
) -> None:
    broker.stop()
    vm.qmp.execute("system_reset")
    vm.wait_shell(240)
    wait("the kiosk presented a frame after the reset", lambda: frames_in_journal(vm) >= 1, 180, vm)
    assert crisis_on_glass(vm, tmp_path, "after-reset") > 0.5, "no crisis after the power cut"
    broker.start()


def test_6_root_read_only_and_unchanged(vm: Vm, image: Path) -> None:
    options = vm.shell.check("findmnt -no OPTIONS /")
    assert options.split(",")[0] == "ro", options
    code, out = vm.shell.run("touch /usr/lib/stele-write-test")
    assert code != 0 and "Read-only file system" in out, out
    assert vm.shell.check("findmnt -no FSTYPE /var/lib/stele") == "ext4"
    # The kernel and initrd it booted are on the boot partition only, not also in the root.
    assert "vmlinuz" in vm.shell.check("ls /boot/firmware").split()
    assert not [
        f for f in vm.shell.check("ls -a / /boot").split() if f.startswith(("vmlinuz", "initrd"))
    ]
    vm.stop()
    table = subprocess.run(
        ["sfdisk", "--json", str(image)], capture_output=True, text=True, check=True
    )
    root = next(
        p for p in json.loads(table.stdout)["partitiontable"]["partitions"] if p["name"] == "root"
    )
    start, size = root["start"] * 512, root["size"] * 512

    def digest(path: Path) -> str:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            fh.seek(start)
            left = size
            while left:
                chunk = fh.read(min(left, 1 << 22))
                h.update(chunk)
                left -= len(chunk)
        return h.hexdigest()

    assert digest(vm.disk) == digest(image), "the root partition changed while the VM ran"
