"""FrameWatchdog and the SIGTERM path against a fake NOTIFY_SOCKET (a real datagram socket).

The scene renders offscreen with Qt's software backend (basic render loop), so
frameSwapped arrives on the GUI thread here; the threaded loop on the device is covered
by the thread-safe counter test. Timing assertions are ranges: two cores are shared.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer, QUrl
from PySide6.QtQuick import QQuickView
from pytestqt.qtbot import QtBot

from stele.adapters.sdnotify import Notifier
from stele.ui.sigterm import install_sigterm_handler
from stele.ui.watchdog import FrameWatchdog

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parents[2]


class NotifyListener:
    """Binds a unix datagram socket and timestamps every message on arrival."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._sock.bind(self.path)
        self._sock.settimeout(0.05)
        self._lock = threading.Lock()
        self._messages: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._sock.recv(4096)
            except TimeoutError:
                continue
            with self._lock:
                self._messages.append((time.monotonic(), data.decode()))

    def times(self, message: str) -> list[float]:
        with self._lock:
            return [t for t, m in self._messages if m == message]

    def messages(self) -> list[str]:
        with self._lock:
            return [m for _, m in self._messages]

    def wait_for(self, message: str, timeout_s: float, qtbot: QtBot | None = None) -> float:
        """First arrival time of `message`; with qtbot, keeps the Qt event loop running."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if found := self.times(message):
                return found[0]
            if qtbot is not None:
                qtbot.wait(10)
            else:
                time.sleep(0.01)
        raise AssertionError(f"{message} not received within {timeout_s} s: {self.messages()}")

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._sock.close()


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[NotifyListener]:
    lst = NotifyListener(tmp_path / "notify")
    yield lst
    lst.close()


@pytest.fixture
def view(qtbot: QtBot) -> Iterator[QQuickView]:
    v = QQuickView()
    v.setSource(QUrl.fromLocalFile(str(DATA / "watchdog_scene.qml")))
    assert v.status() == QQuickView.Status.Ready, v.errors()
    yield v
    v.hide()
    v.deleteLater()


def test_ready_only_after_the_first_frame(
    qtbot: QtBot, view: QQuickView, listener: NotifyListener
) -> None:
    first_frame: list[float] = []

    def on_frame() -> None:
        if not first_frame:
            first_frame.append(time.monotonic())

    view.frameSwapped.connect(on_frame)
    wd = FrameWatchdog(view, Notifier({"NOTIFY_SOCKET": listener.path}))
    qtbot.wait(300)  # not shown yet: nothing presented, so no READY
    assert listener.messages() == []
    view.show()
    ready_at = listener.wait_for("READY=1", 10, qtbot)
    assert first_frame and ready_at >= first_frame[0]
    qtbot.wait(300)
    assert listener.messages().count("READY=1") == 1
    assert wd.interval_s is None and wd.pings_sent == 0  # no WATCHDOG_USEC: no pings
    wd.stop()
    wd.deleteLater()


def test_pings_at_the_interval_stop_when_blocked_and_resume(
    qtbot: QtBot, view: QQuickView, listener: NotifyListener
) -> None:
    env = {"NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000"}
    wd = FrameWatchdog(view, Notifier(env))
    assert wd.interval_s == pytest.approx(0.2)
    view.show()
    listener.wait_for("READY=1", 10, qtbot)
    start = time.monotonic()
    qtbot.wait(2000)
    pings = [t for t in listener.times("WATCHDOG=1") if start <= t <= start + 2.0]
    assert 6 <= len(pings) <= 11, pings
    gaps = sorted(b - a for a, b in itertools.pairwise(pings))
    assert 0.12 <= gaps[len(gaps) // 2] <= 0.35, gaps

    block: list[float] = []

    def freeze() -> None:
        block.append(time.monotonic())
        wd.block_gui_thread_for_test(1.2)
        block.append(time.monotonic())

    QTimer.singleShot(0, freeze)
    qtbot.waitUntil(lambda: len(block) == 2, timeout=5000)
    qtbot.wait(800)
    during = [t for t in listener.times("WATCHDOG=1") if block[0] + 0.1 < t < block[1]]
    assert during == []
    assert any(t > block[1] for t in listener.times("WATCHDOG=1")), "pings did not resume"
    wd.stop()
    wd.deleteLater()


def test_no_pings_while_frames_are_not_presented(
    qtbot: QtBot, view: QQuickView, listener: NotifyListener
) -> None:
    env = {"NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "400000"}
    wd = FrameWatchdog(view, Notifier(env))
    view.show()
    listener.wait_for("READY=1", 10, qtbot)
    qtbot.wait(600)
    assert listener.times("WATCHDOG=1")
    # Event loop alive, timer ticking, but no frame is presented any more (a stuck renderer).
    view.hide()
    hidden = time.monotonic()
    frames_then = wd.frames
    qtbot.wait(1200)
    assert wd.frames == frames_then
    # One tick may still account for a frame swapped just before hiding.
    assert [t for t in listener.times("WATCHDOG=1") if t > hidden + 0.3] == []
    wd.stop()
    wd.deleteLater()


def test_frame_counter_is_safe_from_other_threads(
    qtbot: QtBot, view: QQuickView, listener: NotifyListener
) -> None:
    # The threaded render loop calls the slot on the render thread (direct connection).
    # The slot is called directly: PySide6 6.12's Signal.emit() leaks a reference to
    # its bool result, which crashes the interpreter at exit after a few hundred emits.
    wd = FrameWatchdog(view, Notifier({"NOTIFY_SOCKET": listener.path}))

    def render_thread() -> None:
        for _ in range(5000):
            wd._on_frame_swapped()

    workers = [threading.Thread(target=render_thread) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert wd.frames == 20000
    listener.wait_for("READY=1", 2, qtbot)
    qtbot.wait(100)
    assert listener.messages().count("READY=1") == 1
    wd.stop()
    wd.deleteLater()


def test_signal_runs_callback_on_gui_thread(qtbot: QtBot) -> None:
    calls: list[str] = []
    # What was there before: the default, or SIG_IGN when started as a background job.
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    waker = install_sigterm_handler(lambda: calls.append(threading.current_thread().name))
    try:
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)  # a second signal does not call again
        qtbot.waitUntil(lambda: bool(calls), timeout=3000)
        qtbot.wait(200)
        assert calls == ["MainThread"]
    finally:
        waker.uninstall()
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_sigterm_sends_stopping_and_exits_zero_within_5s(listener: NotifyListener) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "NOTIFY_SOCKET": listener.path,
        "WATCHDOG_USEC": "400000",
        "PYTHONPATH": str(REPO),
    }
    env.pop("WATCHDOG_PID", None)
    proc = subprocess.Popen(
        [sys.executable, str(DATA / "watchdog_app.py")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        listener.wait_for("READY=1", 30)
        listener.wait_for("WATCHDOG=1", 10)
        sent = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        stopping = listener.wait_for("STOPPING=1", 5)
        code = proc.wait(timeout=5)
        assert time.monotonic() - sent < 5
        assert stopping >= sent
        assert code == 0, proc.stdout.read().decode() if proc.stdout else ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
