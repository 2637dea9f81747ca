"""A QEMU VM booted from a stele image, driven the way the boot test needs it.

- QMP (JSON over a Unix socket): screendump, system_reset, quit.
- The qemu test images' TEST-ONLY root shell on a virtio console (hvc0,
  image-build/targets/qemu): run a command, get its output and exit status.
- The first serial port (kernel and systemd console) goes to a log file.
"""

from __future__ import annotations

import contextlib
import json
import re
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

OVMF = {
    "amd64": ("/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd"),
    "arm64": ("/usr/share/AAVMF/AAVMF_CODE.fd", "/usr/share/AAVMF/AAVMF_VARS.fd"),
}
BOOT_PART_OFFSET = 1024 * 1024  # the FAT partition starts at 1 MiB (genimage align)


@dataclass
class Target:
    name: str
    arch: str

    @property
    def qemu(self) -> str:
        return "qemu-system-x86_64" if self.arch == "amd64" else "qemu-system-aarch64"

    def machine_args(self) -> list[str]:
        # No "-cpu max" on amd64: llvmpipe's JIT then emits AVX code that QEMU's TCG ran
        # wrongly here (the kiosk segfaulted in Mesa within seconds). arm64: a Pi 4's core.
        if self.arch == "amd64":
            return ["-machine", "q35", "-accel", "tcg"]
        return ["-machine", "virt", "-accel", "tcg", "-cpu", "cortex-a72"]


class Shell:
    """The TEST-ONLY root shell on the VM's hvc0, reached through a QEMU Unix socket."""

    def __init__(self, path: Path) -> None:
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.connect(str(path))
        self._buf = b""
        self.reset()

    def reset(self) -> None:
        """A fresh shell (after a boot) echoes and prompts: switch both off."""
        self._buf = b""
        self._sock.sendall(b"stty -echo; PS1=''\n")

    def run(self, command: str, timeout: float = 60.0) -> tuple[int, str]:
        """Run `command` (sh syntax) and return (exit status, output)."""
        token = secrets.token_hex(4)
        # The marker's text never appears in the echoed command: it is split by the quotes.
        line = f"{command}\necho __END_{token}''_$?__\n"
        self._sock.sendall(line.encode())
        pattern = re.compile(rb"__END_" + token.encode() + rb"_(\d+)__")
        deadline = time.monotonic() + timeout
        while True:
            m = pattern.search(self._buf)
            if m:
                out = self._buf[: m.start()]
                self._buf = self._buf[m.end() :]
                text = out.decode(errors="replace").replace("\r", "")
                text = re.sub(r"(?m)^# ", "", text)  # a prompt printed before PS1 was cleared
                return int(m.group(1)), text.strip()
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"VM shell: no answer to {command!r} in {timeout:.0f} s")
            self._sock.settimeout(left)
            try:
                chunk = self._sock.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                raise ConnectionError("VM shell closed")
            self._buf += chunk

    def check(self, command: str, timeout: float = 60.0) -> str:
        code, out = self.run(command, timeout)
        if code != 0:
            raise AssertionError(f"in the VM, {command!r} exited {code}: {out[-2000:]}")
        return out

    def close(self) -> None:
        self._sock.close()


class Qmp:
    """QEMU's machine protocol: one JSON command at a time."""

    def __init__(self, path: Path) -> None:
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.connect(str(path))
        self._file = self._sock.makefile("rwb")
        self._read()  # greeting
        self.execute("qmp_capabilities")

    def _read(self) -> dict:
        while True:
            msg = json.loads(self._file.readline())
            if "event" not in msg:
                return msg

    def execute(self, command: str, **arguments: object) -> object:
        self._file.write(json.dumps({"execute": command, "arguments": arguments}).encode() + b"\n")
        self._file.flush()
        reply = self._read()
        if "error" in reply:
            raise RuntimeError(f"QMP {command}: {reply['error']}")
        return reply.get("return")

    def close(self) -> None:
        self._file.close()
        self._sock.close()


def screendump(qmp: Qmp, path: Path) -> object:
    """The VM's display as QEMU shows it (a PPM file), loaded as a QImage."""
    from PySide6.QtGui import QImage

    qmp.execute("screendump", filename=str(path))
    image = QImage(str(path))
    if image.isNull():
        raise AssertionError(f"screendump {path} could not be read")
    return image


class Vm:
    """A copy of the image, grown like a bigger SD card, with the technician's stele.toml
    written to its FAT partition, booted by UEFI firmware from the disk alone."""

    def __init__(self, target: Target, image: Path, workdir: Path, stele_toml: str) -> None:
        self.target = target
        self.workdir = workdir
        self.disk = workdir / "disk.img"
        subprocess.run(["cp", "--sparse=always", str(image), str(self.disk)], check=True)
        with open(self.disk, "r+b") as fh:
            fh.truncate(self.disk.stat().st_size + 1024**3)  # room for the data partition
        toml = workdir / "stele.toml"
        toml.write_text(stele_toml)
        subprocess.run(
            ["mcopy", "-o", "-i", f"{self.disk}@@{BOOT_PART_OFFSET}", str(toml), "::stele.toml"],
            check=True,
        )
        code, varstore = OVMF[target.arch]
        self.vars = workdir / "efivars.fd"
        shutil.copy(varstore, self.vars)
        if target.arch == "arm64":  # AAVMF's pflash images must be exactly 64 MiB
            with open(self.vars, "r+b") as fh:
                fh.truncate(64 * 1024**2)
        self.console_log = workdir / "console.log"
        self.shell_sock = workdir / "shell.sock"
        self.qmp_sock = workdir / "qmp.sock"
        argv = [
            target.qemu, *target.machine_args(), "-m", "1024", "-smp", "2",
            "-drive", f"if=pflash,format=raw,readonly=on,file={code}",
            "-drive", f"if=pflash,format=raw,file={self.vars}",
            "-drive", f"file={self.disk},format=raw,if=virtio",
            "-device", "virtio-gpu-pci,addr=05",
            "-nic", "user,model=virtio-net-pci",
            "-display", "none", "-vga", "none",
            "-chardev", f"file,id=console,path={self.console_log}",
            "-chardev", f"socket,id=shell,path={self.shell_sock},server=on,wait=off",
            "-qmp", f"unix:{self.qmp_sock},server=on,wait=off",
        ]  # fmt: skip
        # The console on the first serial port (ttyS0 / ttyAMA0), the shell on hvc0.
        argv += ["-serial", "chardev:console", "-device", "virtio-serial-pci"]
        argv += ["-device", "virtconsole,chardev=shell", "-device", "virtio-rng-pci"]
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while not (self.qmp_sock.exists() and self.shell_sock.exists()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"QEMU did not start: {self.proc.stderr.read().decode()[-2000:]}"
                )  # type: ignore[union-attr]
            time.sleep(0.1)
        self.qmp = Qmp(self.qmp_sock)
        self.shell = Shell(self.shell_sock)

    def console_tail(self, n: int = 40) -> str:
        text = self.console_log.read_text(errors="replace") if self.console_log.exists() else ""
        text = re.sub(r"\x1b\[[0-9;?=]*[A-Za-z]", "", text)
        return "\n".join(text.splitlines()[-n:])

    def diagnostics(self) -> str:
        """The console's last lines and, if the shell answers, the kiosk's journal."""
        try:
            _, journal = self.shell.run(
                "systemctl status stele --no-pager | head -8; "
                "journalctl -b -u stele -o short-monotonic --no-pager | tail -30",
                timeout=20,
            )
        except (TimeoutError, ConnectionError, OSError) as exc:
            journal = f"(no shell: {exc})"
        return self.console_tail(15) + "\n--- kiosk ---\n" + journal

    def wait_shell(self, timeout: float) -> None:
        """Until the (re)booted VM's test shell answers."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.shell.reset()
                self.shell.run("true", timeout=5)
                return
            except (TimeoutError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        "the VM's shell did not answer:\n" + self.console_tail()
                    ) from None

    def stop(self) -> None:
        """Power off (the data partition may be mid-write: as at a power cut)."""
        if self.proc.poll() is not None:
            return
        with contextlib.suppress(Exception):
            self.qmp.execute("quit")
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.shell.close()
        self.qmp.close()
