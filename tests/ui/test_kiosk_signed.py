"""Signed alerts end to end (docs/mqtt.md, "Signed messages"): a kiosk with
`require_signature` on a real Mosquitto, fed by `send_alert(..., signing_key=...)`."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stele.central.publish import clear_incident, send_alert
from stele.central.signing import public_key_b64, sign
from stele.config import MqttConfig
from stele.ui.app import Kiosk
from tests.ui.kiosk_helpers import (
    PREFIX,
    Central,
    kiosk_config,
    new_kiosk,
    red_fraction,
    visible_texts,
    wait_online,
)
from tests.ui.test_kiosk import flood

pytestmark = pytest.mark.usefixtures("qapp")
CITY = Ed25519PrivateKey.generate()
TOPIC = f"{PREFIX}/alerts/all/flood"
CT = "application/cap+xml"


@pytest.fixture
def signed_kiosk(broker, tmp_path, qtbot):
    extra = f'\n[security]\ntrusted_keys = ["{public_key_b64(CITY)}"]\nrequire_signature = true\n'
    k = new_kiosk(kiosk_config(tmp_path, broker.port, extra=extra))
    k.start()
    yield k
    k.stop()
    k.dispose()


def texts(kiosk: Kiosk) -> list[str]:
    return visible_texts(kiosk.view)


def test_only_what_the_city_signed_reaches_the_glass(
    signed_kiosk, central: Central, broker, qtbot, caplog
) -> None:
    kiosk = signed_kiosk
    mqtt = MqttConfig(host=broker.host, port=broker.port)
    wait_online(qtbot, central)
    # An older signed version of the incident, then the current one.
    v1 = flood("FLOOD-1", headline="Hochwasser erste Meldung")
    old = sign(v1, CITY, topic=TOPIC, content_type=CT, now_ms=int(time.time() * 1000) - 60_000)
    central.publish(TOPIC, old)
    qtbot.waitUntil(lambda: any("erste Meldung" in t for t in texts(kiosk)), timeout=10_000)
    v2 = flood(
        "FLOOD-2",
        headline="Evakuierung Unterburg",
        msg_type="Update",
        sent="2026-11-22T14:30:00+01:00",
        references="test@stele.invalid,FLOOD-1,x",
    )
    send_alert(mqtt, v2, scope="all", key="flood", signing_key=CITY)
    qtbot.waitUntil(
        lambda: central.find_json("ack", lambda d: d["identifier"] == "FLOOD-2") is not None,
        timeout=10_000,
    )
    before, shown = kiosk.screen, texts(kiosk)
    assert any("Evakuierung Unterburg" in t for t in shown)

    hostile = Ed25519PrivateKey.generate()
    send_alert(mqtt, flood("EVIL-1", headline="Falscher Alarm"), scope="all", signing_key=hostile)
    current = json.loads(sign(v2, CITY, topic=TOPIC, content_type=CT))
    current["payload"] = base64.b64encode(flood("EVIL-2", headline="Manipuliert")).decode()
    central.publish(TOPIC, json.dumps(current).encode())  # tampered: the signature no longer fits
    central.publish(TOPIC, old)  # a replay of the older signed message
    central.publish(f"{PREFIX}/alerts/all/plain", flood("EVIL-3", headline="Unsigniert"))
    central.publish(TOPIC, b"")  # an unsigned end of the incident on screen
    central.publish(f"{PREFIX}/index/all", b'{"keys": [], "written": "2026-11-22T14:00:00Z"}')

    def listed() -> list[str]:
        status = central.find_json("status", lambda d: len(d.get("problems", [])) >= 4)
        return status["problems"] if status else []

    qtbot.waitUntil(lambda: len(listed()) >= 4, timeout=10_000)
    qtbot.wait(300)
    assert kiosk.screen == before and texts(kiosk) == shown
    assert red_fraction(kiosk.view.grabWindow()) > 0.4
    problems = listed()
    assert any("signed by an unknown key" in p for p in problems)
    # One line per topic, its latest rejection (tampered, then replayed, then a bare delete).
    assert f"signature: {TOPIC}: unsigned delete (require_signature is on)" in problems
    logged = [r.getMessage() for r in caplog.records if r.name == "stele.mqtt"]
    assert any(f"rejected {TOPIC}: bad signature (tampered or forged)" in m for m in logged)
    assert any(f"rejected {TOPIC}: replay: signed at" in m for m in logged)
    assert any("alerts/all/plain: unsigned" in p for p in problems)
    assert any("index/all: unsigned" in p for p in problems)
    status = central.find_json("status", lambda d: len(d.get("problems", [])) >= 4)
    assert status["mode"] == "crisis" and status["alerts"] == ["FLOOD-2"]
    assert central.find_json("ack", lambda d: d["identifier"].startswith("EVIL")) is None

    # The city's own signed clear still ends the incident.
    clear_incident(mqtt, ["flood"], scope="all", signing_key=CITY)
    qtbot.waitUntil(lambda: kiosk.screen.alerts == (), timeout=10_000)


def test_signed_messages_pass_a_stele_that_does_not_check(
    kiosk, central, broker, qtbot, tmp_path: Path
) -> None:
    """Turning signing on at the central side first must not blind the fleet."""
    wait_online(qtbot, central)
    send_alert(
        MqttConfig(host=broker.host, port=broker.port), flood(), scope="all", signing_key=CITY
    )
    qtbot.waitUntil(lambda: central.find_json("ack") is not None, timeout=10_000)
    assert any("Hochwasser an der Wupper" in t for t in texts(kiosk))
