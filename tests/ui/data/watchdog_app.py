"""A minimal kiosk for the SIGTERM test: QML scene, FrameWatchdog, notifier, signal handler.

Run as a subprocess by tests/ui/test_watchdog.py with NOTIFY_SOCKET/WATCHDOG_USEC set.
"""

import sys
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtQuick import QQuickView

from stele.adapters.sdnotify import Notifier
from stele.ui.sigterm import install_sigterm_handler
from stele.ui.watchdog import FrameWatchdog


def main() -> int:
    app = QGuiApplication(sys.argv[:1])
    view = QQuickView()
    view.setSource(QUrl.fromLocalFile(str(Path(__file__).with_name("watchdog_scene.qml"))))
    notifier = Notifier()
    watchdog = FrameWatchdog(view, notifier)

    def terminate() -> None:
        watchdog.stop()
        notifier.stopping()
        app.quit()

    install_sigterm_handler(terminate)
    view.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
