"""TEST ONLY: a way to freeze the GUI thread from outside, for the boot test of the image.

Off unless the environment says STELE_TEST_HOOKS=1 (only the qemu test images' drop-in sets
it; the package and the Raspberry Pi image never do). Then SIGUSR2 blocks the GUI thread for
FREEZE_S seconds, as a hung event loop would: the frame watchdog stops pinging and systemd
must restart the kiosk (tests/image/test_boot.py). Without the hook SIGUSR2 keeps its
default action (the process ends), so a test cannot mistake a missing hook for a watchdog
restart: it looks for systemd's "Watchdog timeout" line.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Mapping
from types import FrameType

from stele.ui.watchdog import FrameWatchdog

log = logging.getLogger(__name__)

ENV = "STELE_TEST_HOOKS"
FREEZE_SIGNAL = signal.SIGUSR2
FREEZE_S = 60.0


def install_test_hooks(
    watchdog: FrameWatchdog,
    environ: Mapping[str, str] | None = None,
    freeze_s: float = FREEZE_S,
) -> bool:
    """Install the freeze hook if STELE_TEST_HOOKS=1; returns whether it was installed.

    The signal wakes Qt's loop through the wakeup fd that stele.ui.sigterm sets, so the
    Python handler runs on the GUI thread, which is the thread it must block."""
    env = os.environ if environ is None else environ
    if env.get(ENV) != "1":
        return False

    def freeze(signum: int, frame: FrameType | None) -> None:
        log.warning("TEST HOOK: %s freezes the GUI thread for %.0f s", FREEZE_SIGNAL.name, freeze_s)
        watchdog.block_gui_thread_for_test(freeze_s)

    signal.signal(FREEZE_SIGNAL, freeze)
    log.warning("TEST HOOKS ON (%s=1): %s freezes the GUI thread", ENV, FREEZE_SIGNAL.name)
    return True
