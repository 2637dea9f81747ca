"""`stele demo` end to end: it starts a broker and the kiosk, and its printed commands work."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_runs_and_the_printed_send_command_puts_the_flood_on_screen(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": str(tmp_path)}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "stele.cli", "demo", "--exit-after", "25"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        lines: list[str] = []
        assert proc.stdout is not None
        while not any("Ctrl+C" in line for line in lines):
            line = proc.stdout.readline()
            assert line, f"demo ended early: {''.join(lines)} {proc.stderr.read() if proc.stderr else ''}"
            lines.append(line)
        out = "".join(lines)
        assert "rendering offscreen" in out
        screen = Path(re.search(r"the screen is saved to (\S+)", out)[1])
        send = next(line.strip() for line in lines if "01_flood_alert.xml" in line)
        sent = subprocess.run(shlex.split(send), capture_output=True, text=True, timeout=30, env=env, cwd=ROOT)
        assert sent.returncode == 0, sent.stderr
        assert "sent" in sent.stdout
        # The kiosk saves its screen after each change; the flood takeover is red.
        deadline = time.monotonic() + 15
        from PySide6.QtGui import QImage

        from tests.ui.kiosk_helpers import red_fraction

        while time.monotonic() < deadline:
            if screen.exists():
                image = QImage(str(screen))
                if not image.isNull() and red_fraction(image) > 0.4:
                    break
            time.sleep(0.3)
        else:
            raise AssertionError("the flood alert never reached the demo screen")
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.returncode == 0
