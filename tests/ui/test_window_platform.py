"""On a desktop the kiosk is a normal window (Qt's xcb platform), here on a real X server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run missing (./dev installs it)")
def test_demo_opens_a_half_size_window_on_an_x_display(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env["TMPDIR"] = str(tmp_path)
    proc = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24",
         sys.executable, "-m", "stele.cli", "demo", "--exit-after", "4"],
        capture_output=True, text=True, timeout=90, env=env, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "rendering offscreen" not in proc.stdout
    assert "(540x960)" in proc.stderr  # the window, at half the stele's size
    assert "first frame presented" in proc.stderr
