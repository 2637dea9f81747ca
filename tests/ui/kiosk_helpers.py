"""Shared pieces for kiosk tests: a config on a private broker and a central-side client."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from stele.config import load_config

DEVICE = "test-stele-01"
ARS = "051220000000"
PREFIX = "stele/v1"


def kiosk_config(
    tmp: Path, port: int, *, orientation: str = "portrait", keepalive: int = 5, extra: str = ""
) -> Any:
    path = tmp / "stele.toml"
    path.write_text(
        f"""
[device]
id = "{DEVICE}"
ars = "{ARS}"
latitude = 51.1652
longitude = 7.0671
languages = ["de", "en"]

[mqtt]
host = "127.0.0.1"
port = {port}
keepalive_s = {keepalive}
reconnect_min_s = 0.2
reconnect_max_s = 1.0

[storage]
dir = "{tmp / 'state'}"

[display]
orientation = "{orientation}"
fullscreen = false
"""
        + extra
    )
    return load_config(path, env={}, system_paths=())


class Central:
    """The server side in tests: publishes alerts, records what steles send back."""

    def __init__(self, port: int) -> None:
        self.messages: list[tuple[str, bytes, float]] = []
        self._cond = threading.Condition()
        self.client = paho.Client(CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.client.subscribe(f"{PREFIX}/device/#", qos=1)
        time.sleep(0.1)

    def _on_message(self, _c: Any, _u: Any, msg: paho.MQTTMessage) -> None:
        with self._cond:
            self.messages.append((msg.topic, bytes(msg.payload), time.time()))
            self._cond.notify_all()

    def publish(self, topic: str, payload: bytes, *, retain: bool = True, content_type: str | None = None) -> float:
        props = None
        if content_type:
            props = Properties(PacketTypes.PUBLISH)
            props.ContentType = content_type
        t = time.time()
        self.client.publish(topic, payload, qos=1, retain=retain, properties=props).wait_for_publish(5)
        return t

    def alert(self, key: str, payload: bytes, scope: str = "all") -> float:
        return self.publish(f"{PREFIX}/alerts/{scope}/{key}", payload)

    def find_json(self, leaf: str, pred: Any = lambda d: True) -> dict[str, Any] | None:
        """The newest message on this device's `leaf` topic matching `pred` (non-blocking:
        tests poll it with qtbot.waitUntil so the Qt loop keeps running)."""
        topic = f"{PREFIX}/device/{DEVICE}/{leaf}"
        with self._cond:
            found = [json.loads(p) for t, p, _ in self.messages if t == topic and p]
        matches = [d for d in found if pred(d)]
        return matches[-1] if matches else None

    def clear_log(self) -> None:
        with self._cond:
            self.messages.clear()

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def visible_texts(window: Any) -> list[str]:
    """Every text a visible item in the scene shows (walks the QQuickItem tree)."""
    from PySide6.QtQuick import QQuickItem

    out: list[str] = []

    def walk(item: QQuickItem) -> None:
        if not item.isVisible() or item.opacity() <= 0.01:
            return
        text = item.property("text")
        if isinstance(text, str) and text:
            out.append(text)
        for child in item.childItems():
            walk(child)

    walk(window.contentItem())
    return out


def red_fraction(image: Any, step: int = 8) -> float:
    """Share of sampled pixels that are a strong warning red/orange."""
    hits = total = 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            c = image.pixelColor(x, y)
            total += 1
            if c.red() > 150 and c.green() < 110 and c.blue() < 90:
                hits += 1
    return hits / max(total, 1)
