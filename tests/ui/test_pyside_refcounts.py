"""Guard for the PySide6 release pinned out in pyproject.toml.

PySide6 6.12.0 on Python < 3.12 returns None/True from void calls and Signal.emit() without
owning a reference; a long-running kiosk then aborts ("bool_dealloc" / "none_dealloc").
If this fails, the installed PySide6 has that bug: pin it out.
"""

from __future__ import annotations

import subprocess
import sys


def test_void_calls_and_emits_keep_none_and_true_alive() -> None:
    script = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
app = QCoreApplication([])
class O(QObject):
    s = Signal()
o, t = O(), QTimer()
o.s.connect(lambda: None)
n0, t0 = sys.getrefcount(None), sys.getrefcount(True)
for _ in range(1000):
    o.setObjectName("x"); t.start(1000); t.stop(); o.s.emit()
print(sys.getrefcount(None) - n0, sys.getrefcount(True) - t0)
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lost_none, lost_true = map(int, proc.stdout.split())
    assert lost_none > -50 and lost_true > -50, (lost_none, lost_true)
