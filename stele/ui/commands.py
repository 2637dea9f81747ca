"""The commands on PREFIX/device/<id>/cmd (docs/mqtt.md): identify, screenshot, display,
sync-now and reload-content."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QTimer
from PySide6.QtQuick import QQuickWindow

from stele.adapters.mqtt import Incoming
from stele.adapters.payloads import PayloadError, decode_command
from stele.ui.bridge import ScreenBridge
from stele.ui.power import DisplayPower

log = logging.getLogger("stele.kiosk")
IDENTIFY_MS = 15_000


def screenshot_png_base64(window: QQuickWindow) -> str:
    """The window as it is drawn, PNG in base64."""
    image = window.grabWindow()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")  # type: ignore[call-overload]  # the stubs want bytes, the binding a str
    return base64.b64encode(bytes(data.data())).decode("ascii")


class Commands(QObject):
    def __init__(
        self,
        window: QQuickWindow,
        bridge: ScreenBridge,
        power: DisplayPower,
        publish_result: Callable[[dict[str, Any]], None],
        on_display_change: Callable[[], None],
        parent: QObject | None = None,
        content: dict[str, Callable[[], bool]] | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._bridge = bridge
        self._power = power
        self._publish = publish_result
        self._display_changed = on_display_change
        # sync-now, reload-content: each returns False when no content is configured.
        self._content = content or {}
        self._identify_timer = QTimer(self)
        self._identify_timer.setSingleShot(True)
        self._identify_timer.timeout.connect(lambda: bridge.set_identify(False))

    def stop(self) -> None:
        self._identify_timer.stop()

    def handle(self, msg: Incoming) -> None:
        try:
            cmd = decode_command(msg.payload)
        except PayloadError as exc:
            log.warning(
                "ignoring bad command on %s: %s", msg.topic, exc, extra={"topic": msg.topic}
            )
            return
        result: dict[str, Any] = {"command": cmd.name, "ok": True}
        if cmd.name == "identify":
            self._bridge.set_identify(True)
            self._identify_timer.start(IDENTIFY_MS)
        elif cmd.name == "screenshot":
            result["png_base64"] = screenshot_png_base64(self._window)
        elif cmd.name == "display":
            on = cmd.args.get("on")
            if not isinstance(on, bool):
                result = {"command": cmd.name, "ok": False, "error": "'on' must be true or false"}
            else:
                self._power.command(on)
                self._display_changed()
        elif cmd.name in self._content:
            if not self._content[cmd.name]():
                result = {"command": cmd.name, "ok": False, "error": "no [content] manifest_url"}
        else:
            result = {"command": cmd.name, "ok": False, "error": "unknown or not supported yet"}
        if cmd.id is not None:
            result["id"] = cmd.id
        self._publish(result)
