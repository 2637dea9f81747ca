"""The `pi` image's layout, read from the image file without booting it (QEMU here cannot
boot a Raspberry Pi image: no model of the Pi 4/5 firmware and SoC): the GPT, the FAT boot
partition the Pi firmware reads (config.txt, cmdline.txt, the technician's stele.toml, the
kernel, initramfs and device trees config.txt names), and the read-only root's fstab and
Pi-only files. mtools and debugfs read the partitions in place (image offsets).

The image: $STELE_PI_IMAGE, else image-build/out/stele-pi.img (built with --reuse if missing
or stale: 15-25 min with emulated maintainer scripts). Marked image_long: not in
`./dev image-test` (CI); `./dev image-test-long` runs it.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.image.tools import IMAGE_BUILD, need

pytestmark = [pytest.mark.image, pytest.mark.image_long, pytest.mark.slow]

ESP_TYPE = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
ROOT_ARM64_TYPE = "B921B045-1DF0-41C3-AF44-4C6F280D3FAE"  # Discoverable Partitions: root, arm64
SECTOR = 512


class PiImage:
    def __init__(self, path: Path) -> None:
        self.path = path
        table = json.loads(
            subprocess.run(
                ["sfdisk", "-J", str(path)], capture_output=True, text=True, check=True
            ).stdout
        )["partitiontable"]
        self.label = table["label"]
        self.parts = table["partitions"]

    def offset(self, n: int) -> int:
        return int(self.parts[n - 1]["start"]) * SECTOR

    def fat(self, *args: str) -> bytes:
        """An mtools command on the FAT partition (1): mdir, mtype, minfo."""
        cmd = [args[0], "-i", f"{self.path}@@{self.offset(1)}", *args[1:]]
        env = {**os.environ, "MTOOLS_SKIP_CHECK": "1"}
        return subprocess.run(cmd, capture_output=True, check=True, env=env).stdout

    def fat_file(self, name: str) -> bytes:
        return self.fat("mtype", f"::/{name}")

    def fat_names(self) -> set[str]:
        out = self.fat("mdir", "-b", "::/").decode()
        return {line.rsplit("/", 1)[-1] for line in out.splitlines() if line.strip()}

    def root(self, request: str) -> str:
        """A debugfs request on the ext4 root (2), read only."""
        res = subprocess.run(
            ["debugfs", "-R", request, f"{self.path}?offset={self.offset(2)}"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return res.stdout

    def root_exists(self, path: str) -> bool:
        return "File not found" not in subprocess.run(
            ["debugfs", "-R", f"stat {path}", f"{self.path}?offset={self.offset(2)}"],
            capture_output=True, text=True, check=False,
        ).stderr  # fmt: skip


@pytest.fixture(scope="module")
def pi() -> PiImage:
    need("sfdisk", "mtype", "mdir", "debugfs")
    if os.environ.get("STELE_PI_IMAGE"):
        return PiImage(Path(os.environ["STELE_PI_IMAGE"]))
    need("mmdebstrap", "genimage")
    res = subprocess.run(
        [str(IMAGE_BUILD / "build-image"), "pi", "--reuse"],
        capture_output=True, text=True, timeout=3600, check=False,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-4000:]
    return PiImage(IMAGE_BUILD / "out" / "stele-pi.img")


def test_gpt_boot_then_read_only_root(pi: PiImage) -> None:
    # The Pi 4 EEPROM bootloader and the Pi 5 read GPT; the firmware takes the FAT
    # partition of EFI-system type.
    assert pi.label == "gpt"
    assert [p["name"] for p in pi.parts] == ["boot", "root"]
    boot, root = pi.parts
    assert boot["type"] == ESP_TYPE and int(boot["start"]) == 2048  # 1 MiB aligned
    assert root["type"] == ROOT_ARM64_TYPE
    assert int(root["start"]) >= int(boot["start"]) + int(boot["size"])


def test_boot_partition_is_fat32_labelled_stele_boot(pi: PiImage) -> None:
    info = pi.fat("minfo", "::").decode()
    assert "STELE-BOOT" in info, info
    # FAT32 (as Raspberry Pi OS): "fat32" parameters appear only for a 32-bit FAT.
    assert re.search(r"big size: \d+ sectors", info) and "fat32" in info.lower(), info


def test_config_txt_names_files_that_are_on_the_partition(pi: PiImage) -> None:
    names = pi.fat_names()
    config = pi.fat_file("config.txt").decode()
    settings = dict(
        line.split("=", 1)
        for line in config.splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert settings["arm_64bit"] == "1"
    assert settings["hdmi_force_hotplug"] == "1"  # HDMI on with no monitor answering at boot
    kernel = settings["kernel"]
    initramfs = re.search(r"^initramfs (\S+) followkernel$", config, re.M)
    assert initramfs, config
    assert {kernel, initramfs.group(1), "cmdline.txt", "stele.toml"} <= names, sorted(names)
    # The Pi 4's firmware (Debian's raspi-firmware) and its device trees.
    assert {"start4.elf", "fixup4.dat", "bcm2711-rpi-4-b.dtb"} <= names, sorted(names)
    assert pi.fat_file("bcm2711-rpi-4-b.dtb")[:4] == b"\xd0\x0d\xfe\xed"  # FDT magic
    # An arm64 Linux Image (the firmware also loads it gzip-compressed): "ARM\x64" at 0x38.
    image = pi.fat_file(kernel)
    if image[:2] == b"\x1f\x8b":
        image = gzip.decompress(image)
    assert image[0x38:0x3C] == b"ARM\x64", image[:64]


def test_cmdline_mounts_the_gpt_root_read_only(pi: PiImage) -> None:
    cmdline = pi.fat_file("cmdline.txt").decode()
    assert cmdline.count("\n") == 1 and cmdline.endswith("\n")  # the firmware reads one line
    args = cmdline.split()
    assert f"root=PARTUUID={pi.parts[1]['uuid'].lower()}" in args
    assert {"ro", "rootwait", "vt.global_cursor_default=0", "consoleblank=0"} <= set(args)
    assert any(a.startswith("video=HDMI-A-1:") and a.endswith("D") for a in args), args


def test_technicians_file_is_the_template(pi: PiImage) -> None:
    assert pi.fat_file("stele.toml") == (IMAGE_BUILD / "boot" / "stele.toml").read_bytes()


def test_fstab_root_read_only_boot_by_partuuid(pi: PiImage) -> None:
    fstab = pi.root("cat /etc/fstab")
    mounts = {
        f[1]: f for f in (ln.split() for ln in fstab.splitlines()) if f and not f[0].startswith("#")
    }
    boot, root = pi.parts
    assert mounts["/"][0] == f"PARTUUID={root['uuid'].lower()}"
    assert mounts["/"][2] == "ext4" and "ro" in mounts["/"][3].split(",")
    assert mounts["/boot/firmware"][0] == f"PARTUUID={boot['uuid'].lower()}"
    assert "ro" in mounts["/boot/firmware"][3].split(",")
    assert mounts["/var/lib/stele"][0] == "PARTLABEL=stele-data"
    for tmp in ("/var/log", "/var/lib/systemd", "/var/cache", "/var/tmp"):
        assert mounts[tmp][2] == "tmpfs", tmp


def test_root_is_arm64_with_the_pi_display_files_and_no_test_hooks(pi: PiImage) -> None:
    assert pi.root("cat /var/lib/dpkg/arch").split() == ["arm64"]
    assert 'DRIVERS=="vc4-drm"' in pi.root("cat /etc/udev/rules.d/70-stele-display.rules")
    kms = json.loads(pi.root("cat /etc/stele/eglfs-kms.json"))
    assert kms["device"] == "/dev/dri/stele-display"
    assert pi.root_exists("/etc/systemd/system/multi-user.target.wants/stele.service")
    # The FAT partition is mounted here: no hidden copy of the boot files under it.
    # (debugfs ls -p: /inode/mode/uid/gid/name/size/ per entry)
    assert [e.split("/")[5] for e in pi.root("ls -p /boot/firmware").split()] == [".", ".."]
    for test_only in (
        "/etc/systemd/system/stele-test-shell.service",
        "/etc/systemd/system/stele.service.d/90-test-hooks.conf",
        "/etc/systemd/system/stele.service.d/20-drm.conf",
    ):
        assert not pi.root_exists(test_only), test_only
    # The display driver the udev rule names (vc4) is among the root's kernel modules.
    (release,) = [
        n for n in pi.root("ls -p /usr/lib/modules").split("/") if re.match(r"\d+\.\d+", n)
    ]
    drm = pi.root(f"ls -p /usr/lib/modules/{release}/kernel/drivers/gpu/drm/vc4")
    assert "vc4.ko" in drm, drm


def test_manifest_lists_the_kernel_and_firmware(pi: PiImage) -> None:
    manifest = pi.path.with_suffix(".manifest").read_text()
    packages = {line.split("\t")[0]: line.split("\t")[1:] for line in manifest.splitlines()}
    assert packages["linux-image-arm64"][1] == "arm64"
    assert "raspi-firmware" in packages and "stele" in packages
