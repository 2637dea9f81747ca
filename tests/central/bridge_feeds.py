"""The real recorded api31 / DWD data of tests/data (SOURCES.md there), served by the real
HTTP server of tests/httpd.py, and the few derived messages the recordings lack (each
derivation says what it changed)."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

from stele.central.bridge_config import BridgeConfig, BridgeSection
from stele.config import MqttConfig
from tests.brokers import TestBroker
from tests.httpd import HttpServer

DATA = Path(__file__).resolve().parents[1] / "data"
NINA = DATA / "nina"
CAP = DATA / "cap"

# Rehlingen-Siersburg (Landkreis Saarlouis), named by the recorded MoWaS Cancel.
SIERSBURG = "100440114114"
# Wernigerode (Landkreis Harz), named by the recorded DWD warning in api31.
WERNIGERODE = "150850370370"
HALBERSTADT = "150850135135"
IN_SIERSBURG_POLYGON = (49.3600, 6.6745)
SIERSBURG_OUTSIDE_POLYGON = (49.3800, 6.6300)  # same municipality, off the polygon
IN_WERNIGERODE_POLYGON = (51.8350, 10.7850)
HALBERSTADT_CENTRE = (51.8960, 11.0500)  # same Kreis, off the polygon


def load(name: str) -> Any:
    return json.loads((NINA / name).read_text(encoding="utf-8"))


def mowas_cancel() -> dict[str, Any]:
    """Recorded: mow.DE-SL-SB-SE035-20260920-35-001 (Cancel)."""
    return load("warning_mowas_cancel.json")


def mowas_alert() -> dict[str, Any]:
    """DERIVED from the recorded Cancel: the Alert -000 it cancels (identifier, msgType,
    sent from its `references`; no references, no expires as MoWaS Alerts have none,
    headline without "Entwarnung: ", no AllClear response type). Not recorded."""
    alert = copy.deepcopy(mowas_cancel())
    alert["identifier"] = "mow.DE-SL-SB-SE035-20260920-35-000"
    alert["msgType"] = "Alert"
    alert["sent"] = "2026-09-20T16:02:18+02:00"
    del alert["references"]
    for info in alert["info"]:
        info.pop("expires", None)
        info.pop("responseType", None)
        info["headline"] = info["headline"].removeprefix("Entwarnung: ")
    return alert


def dwd_update() -> dict[str, Any]:
    """Recorded: the DWD warning as api31 serves it (an Update)."""
    return load("warning_dwd.json")


def dwd_predecessor() -> dict[str, Any]:
    """DERIVED from the recorded Update: the Alert its `references` names (identifier and
    sent from there, msgType Alert, no references). Not recorded."""
    alert = copy.deepcopy(dwd_update())
    _, ident, sent = alert.pop("references").split(",")
    alert["identifier"], alert["msgType"] = ident, "Alert"
    alert["sent"] = sent.replace("-00:00", "+00:00")
    return alert


def geojson(name: str, warn_id: str | None = None) -> dict[str, Any]:
    geo = load(name)
    if warn_id is not None:
        for feature in geo["features"]:
            feature["properties"]["warnId"] = warn_id
    return geo


def dashboard_entry(cap: dict[str, Any], version: int = 1) -> dict[str, Any]:
    """A dashboard entry in the recorded shape (tests/data/nina/dashboard_dwd.json) for `cap`."""
    info = cap["info"][0]
    return {
        "id": cap["identifier"],
        "payload": {
            "version": version,
            "type": "ALERT",
            "id": cap["identifier"],
            "hash": f"h{version}-{len(json.dumps(cap))}",
            "data": {
                "headline": info["headline"],
                "provider": "MOWAS" if cap["identifier"].startswith("mow.") else "DWD",
                "severity": info["severity"],
                "msgType": cap["msgType"],
            },
        },
        "i18nTitle": {"de": info["headline"]},
        "sent": cap["sent"],
    }


class Api31:
    """An api31 stand-in made of the real HTTP server: dashboards and warnings by path."""

    def __init__(self, server: HttpServer) -> None:
        self.server = server
        self.base = server.url("/api31")

    def warning(self, cap: dict[str, Any], geo: dict[str, Any]) -> None:
        wid = quote(cap["identifier"], safe="")
        self.server.put(f"/api31/warnings/{wid}.json", json.dumps(cap), "application/json")
        self.server.put(f"/api31/warnings/{wid}.geojson", json.dumps(geo), "application/json")

    def dashboard(self, kreis: str, *caps: dict[str, Any], version: int = 1) -> str:
        path = self.dashboard_path(kreis)
        body = json.dumps([dashboard_entry(c, version) for c in caps])
        self.server.put(path, body, "application/json")
        return path

    @staticmethod
    def dashboard_path(kreis: str) -> str:
        return f"/api31/dashboard/{kreis}.json"


def dwd_zip(*names: str) -> bytes:
    """A STAT-style ZIP of real DWD CAP XML files (members of the recorded brightsky ZIP,
    tests/data/cap/SOURCES.md), zipped here."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in names:
            (path,) = CAP.glob(f"{name}_*")
            zf.writestr(path.stem + ".xml", path.read_bytes())
    return buf.getvalue()


def bridge_config(
    broker: TestBroker, api: Api31 | None, state_dir: Path, **bridge: Any
) -> BridgeConfig:
    section = {
        "ars": (SIERSBURG, WERNIGERODE, HALBERSTADT),
        "poll_s": 30.0,
        "clear_after_polls": 3,
        "state_dir": state_dir,
        "timeout_s": 2.0,
        **({"nina_url": api.base} if api is not None else {}),
        **bridge,
    }
    mqtt = MqttConfig(
        host=broker.host, port=broker.port, reconnect_min_s=0.1, reconnect_max_s=0.5, **broker.auth
    )
    return BridgeConfig(bridge=BridgeSection(**section), mqtt=mqtt)
