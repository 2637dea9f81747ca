"""Shared pieces for kiosk tests: a config on a private broker and a central-side client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stele.config import load_config
from tests.mosquitto import MosquittoBroker, TopicRecorder
from tests.qml_engines import drop_leftover_types
from tests.ui.scene import red_fraction, visible_texts  # noqa: F401 - re-exported for the kiosk tests

if TYPE_CHECKING:
    from stele.ui.app import Kiosk

DEVICE = "test-stele-01"
ARS = "051220000000"
PREFIX = "stele/v1"


def new_kiosk(*args: Any, **kwargs: Any) -> Kiosk:
    """`Kiosk(...)` for a test: what earlier QML engines left is dropped first, so a test's
    second kiosk plays content on Qt 6.8.2 too (tests/qml_engines.py)."""
    from stele.ui.app import Kiosk

    drop_leftover_types()
    return Kiosk(*args, **kwargs)


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


class Central(TopicRecorder):
    """The server side of kiosk tests: publishes alerts, reads what the stele sends back."""

    def __init__(self, broker: MosquittoBroker) -> None:
        super().__init__(broker, f"{PREFIX}/device/#")

    def publish(self, topic: str, payload: bytes, *, retain: bool = True, content_type: str | None = None) -> float:
        return super().publish(topic, payload, retain=retain, content_type=content_type)

    def alert(self, key: str, payload: bytes, scope: str = "all") -> float:
        return self.publish(f"{PREFIX}/alerts/{scope}/{key}", payload)

    def find_json(self, leaf: str, pred: Any = lambda d: True) -> dict[str, Any] | None:
        """The newest message on this device's `leaf` topic matching `pred` (non-blocking:
        tests poll it with qtbot.waitUntil so the Qt loop keeps running)."""
        found = [json.loads(p) for p in self.payloads(f"{PREFIX}/device/{DEVICE}/{leaf}") if p]
        matches = [d for d in found if pred(d)]
        return matches[-1] if matches else None


def wait_online(qtbot: Any, central: Central) -> None:
    """Until the stele's retained status says online."""
    qtbot.waitUntil(
        lambda: central.find_json("status", lambda d: d["state"] == "online") is not None,
        timeout=10_000,
    )
