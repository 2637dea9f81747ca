"""`stele check`: what a technician verifies at the stele before walking away.

Beyond `config check` (is the file valid?) these ask the outside world: can the state
directory be written, does the broker accept this stele's credentials and certificates and
grant its subscriptions, are the QML layouts installed. Each check returns one line.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from stele.adapters.mqtt import apply_tls_and_auth
from stele.adapters.topics import subscriptions

if TYPE_CHECKING:
    from stele.config.models import Config, DeviceConfig, MqttConfig

BROKER_TIMEOUT_S = 5.0


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'OK  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


def check_storage(directory: Path) -> Check:
    """The alert state must survive a reboot: the directory must take a synced file."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".check-", dir=directory)
        try:
            os.write(fd, b"stele")
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(name)
    except OSError as exc:
        return Check("storage", False, f"{directory}: cannot write ({exc.strerror or exc})")
    return Check("storage", True, f"{directory} is writable")


def check_broker(
    mqtt_cfg: MqttConfig, device_cfg: DeviceConfig, timeout_s: float = BROKER_TIMEOUT_S
) -> Check:
    """Connect as this stele (TLS, credentials) and subscribe to its own topics."""
    where = f"{mqtt_cfg.host}:{mqtt_cfg.port}"
    done = threading.Event()
    result: dict[str, str] = {}
    table = subscriptions(mqtt_cfg.prefix, device_cfg.id, device_cfg.ars)
    # A separate client id: checking must not kick the running kiosk off the broker.
    protocol = paho.MQTTv311 if mqtt_cfg.protocol == "3.1.1" else paho.MQTTv5
    client = paho.Client(
        CallbackAPIVersion.VERSION2, client_id=f"stele-check-{device_cfg.id}", protocol=protocol
    )

    def on_connect(c: paho.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            result["error"] = f"broker refused the connection: {reason}"
            done.set()
            return
        c.subscribe([(topic, 1) for topic in table])

    def on_subscribe(_c: paho.Client, _u: Any, _mid: int, codes: list[Any], _p: Any) -> None:
        refused = [t for t, code in zip(table, codes, strict=False) if code.is_failure]
        if refused:
            result["error"] = "subscriptions refused (ACL?): " + ", ".join(refused)
        done.set()

    def on_disconnect(_c: paho.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if done.is_set():
            return
        if mqtt_cfg.tls is not None and mqtt_cfg.tls.cert_file is not None:
            why = (
                f"the client certificate {mqtt_cfg.tls.cert_file} is revoked, expired or "
                "issued by another CA"
            )
        elif mqtt_cfg.tls is not None:
            why = "it may require a client certificate (mqtt.tls.cert_file is not set)"
        else:
            why = "it may require TLS, or refuses this client"
        result.setdefault("error", f"broker closed the connection before answering: {why}")
        done.set()

    client.on_connect = on_connect
    client.on_subscribe = on_subscribe
    client.on_disconnect = on_disconnect
    try:
        apply_tls_and_auth(client, mqtt_cfg)
        client.connect(mqtt_cfg.host, int(mqtt_cfg.port), keepalive=10)
    except (OSError, ValueError) as exc:
        return Check("broker", False, f"{where}: cannot connect ({exc})")
    client.loop_start()
    try:
        if not done.wait(timeout_s):
            return Check("broker", False, f"{where}: no answer within {timeout_s:.0f} s")
        if "error" in result:
            return Check("broker", False, f"{where}: {result['error']}")
        tls = "TLS" if mqtt_cfg.tls is not None else "no TLS"
        return Check(
            "broker",
            True,
            f"{where} accepted {device_cfg.id} ({tls}), {len(table)} subscriptions granted",
        )
    finally:
        client.disconnect()
        client.loop_stop()


def check_layouts(find: Callable[[], Path]) -> Check:
    try:
        return Check("layouts", True, f"QML module Stele found in {find()}")
    except Exception as exc:
        return Check("layouts", False, str(exc))


def run_checks(cfg: Config, find_layouts: Callable[[], Path]) -> list[Check]:
    checks = [
        check_storage(Path(cfg.storage.dir)),
        check_broker(cfg.mqtt, cfg.device),
        check_layouts(find_layouts),
    ]
    if cfg.content.source == "osca" and cfg.osca is not None:
        from stele.adapters.osca.check import check_osca

        checks.extend(check_osca(cfg.osca, Path(cfg.storage.dir)))
    return checks
