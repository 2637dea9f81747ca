"""What the SteleMqtt tests share: configuration builders, the app stand-in (Inbox),
payload helpers. The `make_stele` fixture is in conftest.py."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from stele.adapters.mqtt import Incoming
from stele.config import DeviceConfig, MqttConfig
from tests.brokers import TestBroker

PREFIX = "stele/v1"
ARS = "051220000000"
DEV = "st-1"
STATUS = f"{PREFIX}/device/{DEV}/status"


def mqtt_cfg(broker: TestBroker, **kw: Any) -> MqttConfig:
    base: dict[str, Any] = {"host": broker.host, "port": broker.port, "keepalive_s": 5,
                            "reconnect_min_s": 0.1, "reconnect_max_s": 0.5, **broker.auth}
    return MqttConfig(**(base | kw))


def device_cfg(dev: str = DEV, ars: str = ARS) -> DeviceConfig:
    return DeviceConfig(id=dev, ars=ars, latitude=51.17, longitude=7.08)


class Inbox:
    """Collects what SteleMqtt hands to the app (on paho's thread)."""

    def __init__(self) -> None:
        self.items: list[Incoming] = []
        self.connection: list[bool] = []
        self._cond = threading.Condition()

    def on_message(self, incoming: Incoming) -> None:
        with self._cond:
            self.items.append(incoming)
            self._cond.notify_all()

    def on_connection(self, up: bool) -> None:
        with self._cond:
            self.connection.append(up)
            self._cond.notify_all()

    def wait(self, predicate: Callable[[Inbox], bool], timeout: float = 5.0) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self), timeout)

    def topics(self) -> list[str]:
        with self._cond:
            return [i.topic for i in self.items]

    def of_kind(self, kind: str) -> list[Incoming]:
        with self._cond:
            return [i for i in self.items if i.kind == kind]


def status_of(payload: bytes) -> dict[str, Any]:
    return json.loads(payload)


def index_payload(*keys: str) -> bytes:
    return json.dumps({"keys": list(keys), "incidents": {k: [] for k in keys},
                       "written": "2026-11-22T14:00:00+00:00"}).encode()


def alerts_in(inbox: Inbox) -> list[Incoming]:
    return inbox.of_kind("alert")


