"""`stele fleet`: status, screenshot and the Warntag report against a real Mosquitto, a real
kiosk (QML offscreen) and real SteleMqtt links publishing statuses as the stele does."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

from stele.adapters.mqtt import SteleMqtt
from stele.central.acl import Device
from stele.central.fleet import Event, FleetError, read_statuses, record, screenshot
from stele.central.histogram import PlotUnavailable, write_histogram
from stele.central.publish import send_alert
from stele.central.warntag import build_report, render_csv, render_text
from stele.config import DeviceConfig, MqttConfig
from tests.test_cli import stele
from tests.ui.kiosk_helpers import ARS, DEVICE, wait_online
from tests.ui.test_kiosk import flood

pytestmark = pytest.mark.usefixtures("qapp")


def link(broker: Any, dev: str, ars: str = ARS) -> SteleMqtt:
    """A stele's real MQTT link (no screen): online status, will, clean offline."""
    up = threading.Event()
    m = SteleMqtt(MqttConfig(host=broker.host, port=broker.port, keepalive_s=5),
                  DeviceConfig(id=dev, ars=ars, latitude=51.0, longitude=7.0), version="0.9",
                  on_message=lambda _m: None, on_connection=lambda ok: ok and up.set())
    m.start()
    assert up.wait(10)
    return m


def in_thread(func: Any, qtbot: Any, timeout_ms: int = 20_000) -> Any:
    """Run a blocking central call while the Qt loop (the kiosk) keeps running."""
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = func()
        except Exception as exc:  # handed to the test below
            out["error"] = exc

    t = threading.Thread(target=run)
    t.start()
    qtbot.waitUntil(lambda: not t.is_alive(), timeout=timeout_ms)
    if "error" in out:
        raise out["error"]
    return out["value"]


def test_status_lists_every_stele_as_it_reported(kiosk, central, broker, qtbot) -> None:
    wait_online(qtbot, central)
    stopped = link(broker, "st-stopped")
    stopped.stop()
    mqtt = MqttConfig(host=broker.host, port=broker.port)
    send_alert(mqtt, flood(), scope="all")
    qtbot.waitUntil(lambda: kiosk.screen.mode.value == "crisis", timeout=10_000)
    qtbot.waitUntil(lambda: central.find_json("status", lambda d: d.get("mode") == "crisis")
                    is not None, timeout=10_000)
    rows = {s.id: s for s in in_thread(lambda: read_statuses(mqtt), qtbot)}
    assert set(rows) == {DEVICE, "st-stopped"}
    k = rows[DEVICE]
    assert (k.state, k.mode, k.alerts, k.last_seen) == ("online", "crisis", ("FLOOD-1",),
                                                        "now (online)")
    assert k.version == kiosk.status()["version"]
    s = rows["st-stopped"]
    assert s.state == "offline" and s.last_seen.endswith("(stopped)") and s.version == "0.9"
    out = stele("fleet", "status", "--host", broker.host, "--port", str(broker.port), "--json")
    assert out.returncode == 0, out.stderr
    listed = {d["id"]: d for d in json.loads(out.stdout)}
    assert listed[DEVICE]["mode"] == "crisis" and listed["st-stopped"]["state"] == "offline"
    text = stele("fleet", "status", "--host", broker.host, "--port", str(broker.port)).stdout
    assert text.splitlines()[0].split()[:3] == ["id", "state", "mode"]
    assert any(line.startswith(DEVICE) and "FLOOD-1" in line for line in text.splitlines())


def test_screenshot_is_what_the_kiosk_draws(kiosk, central, broker, qtbot, tmp_path) -> None:
    wait_online(qtbot, central)
    mqtt = MqttConfig(host=broker.host, port=broker.port)
    png = in_thread(lambda: screenshot(mqtt, DEVICE), qtbot)
    image = QImage.fromData(png, "PNG")
    assert (image.width(), image.height()) == (1080, 1920)
    with pytest.raises(FleetError, match=r"did not answer the screenshot command within 0\.5 s"):
        screenshot(mqtt, "nobody-here", timeout_s=0.5)


def test_warntag_report_names_who_showed_it_how_fast_and_who_did_not(
    kiosk, central, broker, qtbot, tmp_path: Path
) -> None:
    wait_online(qtbot, central)
    silent = link(broker, "st-silent")  # online, but shows nothing: no screen
    gone = link(broker, "st-gone")
    gone.stop()
    elsewhere = link(broker, "st-far", ars="091620000000")
    mqtt = MqttConfig(host=broker.host, port=broker.port)
    events: list[Event] = []
    stop = threading.Event()
    listener = threading.Thread(target=record, args=(mqtt, 60, events.append),
                                kwargs={"stop": stop})
    since = datetime.now(UTC) - timedelta(seconds=1)
    listener.start()
    try:
        qtbot.waitUntil(lambda: len([e for e in events if e.kind == "status"]) >= 4,
                        timeout=10_000)  # the retained statuses: the recorder listens
        sent = time.time()
        in_thread(lambda: send_alert(mqtt, flood("WARNTAG-1"), scope="ars", scope_id=ARS), qtbot)
        qtbot.waitUntil(lambda: any(e.kind == "ack" for e in events), timeout=10_000)
    finally:
        stop.set()
        listener.join(10)
        silent.stop()
        elsewhere.stop()
    devices = [Device(DEVICE, ARS), Device("st-silent", ARS), Device("st-gone", ARS),
               Device("st-far", "091620000000")]
    (rep,) = build_report(events, since=since, devices=devices)
    assert rep.identifier == "WARNTAG-1" and rep.scope == f"ars/{ARS}"
    assert rep.expected == sorted([DEVICE, "st-gone", "st-silent"])
    assert list(rep.acked) == [DEVICE]
    assert rep.missing_online == ["st-silent"] and rep.missing_offline == ["st-gone"]
    latency = rep.acked[DEVICE].latency_ms
    assert 0 <= latency < 5_000
    assert abs(rep.published_ms - sent * 1000) < 1_000
    assert rep.figures() == (latency, latency, latency)
    text = render_text([rep])
    assert "WARNTAG-1: online, no ack: st-silent" in text
    assert "WARNTAG-1: offline: st-gone" in text
    rows = list(csv.DictReader(io.StringIO(render_csv([rep]))))
    assert {r["device"]: r["missing"] for r in rows} == {
        DEVICE: "", "st-silent": "online", "st-gone": "offline"}
    assert [r["latency_ms"] for r in rows if r["device"] == DEVICE] == [str(latency)]
    try:
        import matplotlib  # noqa: F401 - the optional plot extra (not in the floors venv)
    except ImportError:
        with pytest.raises(PlotUnavailable, match=r"pip install 'stele\[plot\]'"):
            write_histogram([rep], tmp_path / "h.png")
    else:
        write_histogram([rep], tmp_path / "h.png")
        assert QImage(str(tmp_path / "h.png")).width() > 100

    # The same from a recorded log, through the CLI.
    log = tmp_path / "warntag.jsonl"
    log.write_text("".join(e.to_json() + "\n" for e in events) + "garbage\n")
    fleet = tmp_path / "devices.txt"
    fleet.write_text("".join(f"{d.id} {d.ars}\n" for d in devices))
    out = stele("fleet", "report", "--since", since.isoformat(), "--log", log, "--devices", fleet,
                "--csv", tmp_path / "r.csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout == text
    assert "warntag.jsonl:" in out.stderr and "skipped" in out.stderr
    assert (tmp_path / "r.csv").read_text() == render_csv([rep])
    later = stele("fleet", "report", "--since", (datetime.now(UTC) + timedelta(minutes=1))
                  .isoformat(), "--log", log)
    assert later.stdout == "no alert published in that time\n"
