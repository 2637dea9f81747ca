"""`stele run`: the process around the kiosk — logging, systemd, signals, the Qt loop."""

from __future__ import annotations

import logging
import os
import socket
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtQuick import QQuickWindow
from shiboken6 import Shiboken

from stele.adapters.journal import setup_logging
from stele.adapters.sdnotify import Notifier
from stele.config.themes import Theme, ThemeLoadError, load_theme
from stele.ui.app import Kiosk
from stele.ui.sigterm import install_sigterm_handler
from stele.ui.testhooks import install_test_hooks
from stele.ui.theme import install_fonts
from stele.ui.view import create_config_error_view
from stele.ui.watchdog import FrameWatchdog

if TYPE_CHECKING:
    from stele.config.models import Config

log = logging.getLogger("stele.run")
# Where the kernel's DRM/KMS devices appear (eglfs draws on /dev/dri/card*).
KMS_DIR = Path("/dev/dri")


def display_problem(
    environ: Mapping[str, str] | None = None, kms_dir: Path | None = None
) -> str | None:
    """Why Qt would find no screen to draw on (one line), or None. Call it before
    QGuiApplication exists: when no platform plugin can start, Qt aborts the process
    (SIGABRT, exit 134) with a page of plugin names and no hint.

    Only the case with nothing at all is caught: no QT_QPA_PLATFORM, no X11 or Wayland
    session, no KMS device. An explicit QT_QPA_PLATFORM is trusted (the stele's service sets
    eglfs), and so is a KMS device without one (a Qt built with eglfs as its default)."""
    env = os.environ if environ is None else environ
    if env.get("QT_QPA_PLATFORM"):
        return None
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland":
        return None
    if any((KMS_DIR if kms_dir is None else kms_dir).glob("card*")):
        return None
    return (
        "no display to draw on (QT_QPA_PLATFORM, DISPLAY and WAYLAND_DISPLAY are unset and "
        "there is no KMS device /dev/dri/card*): to run without a screen (tests, CI) set "
        "QT_QPA_PLATFORM=offscreen; on a stele check that the display driver created "
        "/dev/dri/card0 and that the service sets QT_QPA_PLATFORM=eglfs"
    )


def _app() -> QGuiApplication:
    return QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # type: ignore[return-value]


def _stop_on_signals(notifier: Notifier) -> Callable[[], None]:
    """From now on SIGTERM/SIGINT stop the Qt loop cleanly (STOPPING=1, exit 0).

    Installed before anything can report the stele online: a stop that arrives between the
    first status and the event loop is queued on the wake-up socket, not the default death.
    Returns the same stop, for a timed exit.
    """
    app = _app()

    def terminate() -> None:
        notifier.stopping()
        app.quit()

    install_sigterm_handler(terminate)
    return terminate


def _serve(
    view: QQuickWindow,
    notifier: Notifier,
    terminate: Callable[[], None],
    exit_after_s: float | None = None,
) -> int:
    """Run the Qt loop for a screen, speaking to systemd: READY and WATCHDOG from presented
    frames; `terminate` (from _stop_on_signals) ends it, also after `exit_after_s`."""
    app = _app()
    watchdog = FrameWatchdog(view, notifier)
    install_test_hooks(watchdog)  # TEST ONLY, off unless STELE_TEST_HOOKS=1
    if exit_after_s is not None:
        QTimer.singleShot(int(exit_after_s * 1000), terminate)
    try:
        return app.exec()
    finally:
        watchdog.stop()


def run_kiosk(
    cfg: Config,
    *,
    theme: Theme | None = None,
    snapshot: Path | None = None,
    exit_after_s: float | None = None,
) -> int:
    """Run until SIGTERM/SIGINT (or `exit_after_s`); returns the exit code.

    `theme`: the loaded `[display] theme` (loaded here if None); a pack that is invalid, or
    whose font Qt cannot load, is shown on the glass like an invalid configuration.
    `snapshot`: save the screen there after every change (the demo without a display).
    """
    setup_logging(cfg.log.level, cfg.device.id)
    # QML's clock uses the process's local time: make it the stele's configured zone.
    os.environ["TZ"] = cfg.device.timezone
    time.tzset()
    _app()
    try:
        theme = theme or load_theme(cfg.display.theme)
        install_fonts(theme)
    except ThemeLoadError as exc:
        return run_config_error(exc.errors, exit_after_s=exit_after_s)
    notifier = Notifier()
    terminate = _stop_on_signals(notifier)
    kiosk = Kiosk(cfg, theme=theme)
    kiosk.status_text.connect(notifier.status)
    if snapshot is not None:
        kiosk.screen_applied.connect(
            lambda _s: QTimer.singleShot(300, lambda: kiosk.view.grabWindow().save(str(snapshot)))
        )
        QTimer.singleShot(1000, lambda: kiosk.view.grabWindow().save(str(snapshot)))
    kiosk.start()
    try:
        return _serve(kiosk.view, notifier, terminate, exit_after_s)
    finally:
        kiosk.stop()
        kiosk.dispose()


def run_config_error(lines: list[str], *, exit_after_s: float | None = None) -> int:
    """Show the configuration errors on the glass until SIGTERM, instead of exiting.

    Exiting would make systemd restart us in a loop and, after the start limit, reboot the
    board: a typo in /boot/firmware/stele.toml must leave a readable screen, not a black one.
    A stop by SIGTERM is a clean stop (exit 0), as systemd expects.
    """
    setup_logging("INFO", socket.gethostname())  # no device id without a configuration
    for line in lines:
        log.error("configuration: %s", line)
    _app()
    notifier = Notifier()
    terminate = _stop_on_signals(notifier)
    fullscreen = os.environ.get("QT_QPA_PLATFORM", "").startswith("eglfs")
    view = create_config_error_view(lines, host_name=socket.gethostname(), fullscreen=fullscreen)
    notifier.status(f"configuration error: {lines[0] if lines else 'invalid'}")
    try:
        _serve(view, notifier, terminate, exit_after_s)
    finally:
        Shiboken.delete(view)
    return 0
