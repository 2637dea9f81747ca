"""The emit() work-around keeps `True` alive through thousands of emits (PySide6 6.12 bug)."""

from __future__ import annotations

import subprocess
import sys


def test_many_emits_do_not_crash_the_interpreter() -> None:
    script = """
import sys
from PySide6.QtCore import QCoreApplication, QObject, Signal
from stele.ui.qtcompat import emit
app = QCoreApplication([])
class O(QObject):
    s = Signal(bool)
o = O()
o.s.connect(lambda b: None)
before = sys.getrefcount(True)
for _ in range(5000):
    emit(o.s, True)
assert sys.getrefcount(True) >= before, (before, sys.getrefcount(True))
print("ok")
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "ok"
