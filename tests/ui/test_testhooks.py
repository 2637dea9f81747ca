"""The test-only freeze hook the image boot test uses: off by default, and when on, SIGUSR2
really blocks the GUI thread (no timer fires, no frame is presented) for the time given."""

from __future__ import annotations

import itertools
import os
import signal
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtQuick import QQuickWindow
from pytestqt.qtbot import QtBot

from stele.adapters.sdnotify import Notifier
from stele.ui.sigterm import install_sigterm_handler
from stele.ui.testhooks import FREEZE_SIGNAL, install_test_hooks
from stele.ui.watchdog import FrameWatchdog


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[QQuickWindow]:
    w = QQuickWindow()
    w.resize(64, 64)
    w.show()
    yield w
    w.destroy()
    w.deleteLater()


@pytest.fixture
def restore_signal() -> Iterator[None]:
    previous = signal.getsignal(FREEZE_SIGNAL)
    yield
    signal.signal(FREEZE_SIGNAL, previous)


@pytest.mark.usefixtures("restore_signal")
def test_off_unless_the_environment_asks(window: QQuickWindow) -> None:
    wd = FrameWatchdog(window, Notifier({}))
    before = signal.getsignal(FREEZE_SIGNAL)
    assert install_test_hooks(wd, {}) is False
    assert install_test_hooks(wd, {"STELE_TEST_HOOKS": "yes"}) is False
    assert signal.getsignal(FREEZE_SIGNAL) is before
    wd.stop()


@pytest.mark.usefixtures("restore_signal")
def test_signal_blocks_the_gui_thread(qtbot: QtBot, window: QQuickWindow) -> None:
    wd = FrameWatchdog(window, Notifier({}))
    waker = install_sigterm_handler(lambda: None)  # as in stele run: wakes Qt's loop
    assert install_test_hooks(wd, {"STELE_TEST_HOOKS": "1"}, freeze_s=1.5) is True
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    qtbot.wait(300)
    sent = time.monotonic()
    os.kill(os.getpid(), FREEZE_SIGNAL)
    qtbot.waitUntil(lambda: bool(ticks) and ticks[-1] > sent + 1.6, timeout=5000)
    gaps = [b - a for a, b in itertools.pairwise(ticks) if a >= sent - 0.1]
    assert max(gaps) >= 1.4, gaps  # nothing ran on the GUI thread while frozen
    timer.stop()
    waker.uninstall()
    wd.stop()
