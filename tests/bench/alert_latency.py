"""Benchmark: MQTT publish -> alert presented on screen (ack's presented_ms), `stele run` offscreen.

Run: .venv/bin/python tests/bench/alert_latency.py [--runs N]

For each size class, N real alerts (sample 06, ~16 KB CAP-JSON; sample 08, ~400 KB DWD XML,
rewritten to a fresh identifier and an active time window) are published one at a time to a
private Mosquitto; between runs the incident is cleared so every run is a switch from the
normal screen to the alert. Beside each, the raw MQTT delivery time of the same message to a
plain subscriber in the same run. Also: process start -> retained status "online".
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from tests.mosquitto import MosquittoBroker, TopicRecorder  # noqa: E402

DATA = ROOT / "tests" / "data" / "cap"
PREFIX = "stele/v1"
DEVICE = "bench-01"


def iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def json_alert(i: int) -> bytes:
    src = json.loads(next(DATA.glob("06_*")).read_bytes())
    now = datetime.now(UTC)
    src["identifier"] = f"bench-json-{i}"
    src["sent"] = iso(now)
    for info in src["info"]:
        info["expires"] = iso(now + timedelta(hours=2))
        for key in ("effective", "onset"):
            if key in info:
                info[key] = iso(now - timedelta(minutes=1))
    return json.dumps(src, ensure_ascii=False).encode()


def xml_alert(i: int) -> bytes:
    text = next(DATA.glob("08_*")).read_text(encoding="utf-8")
    now = datetime.now(UTC)
    text = re.sub(r"<identifier>[^<]*</identifier>", f"<identifier>bench-xml-{i}</identifier>", text, count=1)
    text = re.sub(r"<sent>[^<]*</sent>", f"<sent>{iso(now)}</sent>", text, count=1)
    text = re.sub(r"<expires>[^<]*</expires>", f"<expires>{iso(now + timedelta(hours=2))}</expires>", text)
    text = re.sub(r"<(effective|onset)>[^<]*</\1>", lambda m: f"<{m[1]}>{iso(now - timedelta(minutes=1))}</{m[1]}>", text)
    return text.encode()


def targets() -> tuple[str, str]:
    """The stele's ARS and warn cell, taken from the samples so both alerts address it."""
    src = json.loads(next(DATA.glob("06_*")).read_bytes())
    ars = src["info"][0]["area"][0]["geocode"][0]["value"]
    cell = re.search(r"<valueName>WARNCELLID</valueName>\s*<value>(\d+)</value>",
                     next(DATA.glob("08_*")).read_text(encoding="utf-8"))
    assert cell
    return ars, cell[1]


class Observer(TopicRecorder):
    """Sees every alert as a plain subscriber does, and the stele's status and acks."""

    def __init__(self, broker: MosquittoBroker) -> None:
        super().__init__(broker, f"{PREFIX}/alerts/#", f"{PREFIX}/device/#")

    def first(self, match, timeout: float = 30.0) -> tuple[dict | None, float]:
        """(payload as JSON or None, arrival time) of the first message `match(topic, payload)`
        accepts, waiting for it."""
        found: list[tuple[dict | None, float]] = []

        def scan(messages: list) -> bool:
            for (topic, payload, _, _), at in zip(messages, self.arrived, strict=False):
                if match(topic, payload):
                    body = json.loads(payload) if topic.startswith(f"{PREFIX}/device/") else None
                    found.append((body, at))
                    return True
            return False

        if not self.wait_for(scan, timeout):
            raise TimeoutError("benchmark event did not arrive")
        return found[0]

    def online_at(self) -> float:
        def online(topic: str, payload: bytes) -> bool:
            if not topic.endswith("/status") or not payload:
                return False
            status = json.loads(payload)
            return status.get("state") == "online" and "mode" in status

        return self.first(online)[1]

    def ack(self, ident: str) -> dict:
        def is_ack(topic: str, payload: bytes) -> bool:
            return topic.endswith("/ack") and json.loads(payload)["identifier"] == ident

        body, _ = self.first(is_ack)
        assert body is not None
        return body

    def delivered_at(self, topic: str) -> float:
        return self.first(lambda t, p: t == topic and bool(p))[1]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    ars, cell = targets()
    with tempfile.TemporaryDirectory() as tmp, MosquittoBroker(workdir=Path(tmp) / "broker") as broker:
        cfg = Path(tmp) / "stele.toml"
        cfg.write_text(
            f'[device]\nid = "{DEVICE}"\nars = "{ars}"\nlatitude = 51.0\nlongitude = 7.0\n'
            f'warncells = ["{cell}"]\nlanguages = ["de"]\n'
            f'[mqtt]\nhost = "127.0.0.1"\nport = {broker.port}\n'
            f'[storage]\ndir = "{tmp}/state"\n[display]\nfullscreen = false\n'
        )
        obs = Observer(broker)
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "STELE_CONFIG": str(cfg)}
        started = time.time()
        proc = subprocess.Popen([sys.executable, "-m", "stele.cli", "run", "--config", str(cfg)],
                                env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
        try:
            startup = obs.online_at() - started
            time.sleep(1.0)  # let the first frames settle
            print(f"process start -> status online: {startup * 1000:.0f} ms")
            print(f"{'alert':<22}{'n':>4}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}"
                  f"{'mqtt p50':>10}{'mqtt p95':>10}")
            for label, make in (("16 KB CAP-JSON", json_alert), ("400 KB DWD XML", xml_alert)):
                shown, raw = [], []
                size = 0
                for i in range(args.runs):
                    payload = make(i)
                    size = len(payload)
                    ident = f"bench-{'json' if make is json_alert else 'xml'}-{i}"
                    topic = f"{PREFIX}/alerts/all/{ident}"
                    t0 = obs.publish(topic, payload, retain=True)
                    shown.append(obs.ack(ident)["presented_ms"] - t0 * 1000)
                    raw.append((obs.delivered_at(topic) - t0) * 1000)
                    obs.publish(topic, b"", retain=True)
                    time.sleep(0.3)
                print(f"{label + f' ({size // 1024} KB)':<22}{len(shown):>4}{pct(shown, .5):>10.1f}"
                      f"{pct(shown, .95):>10.1f}{max(shown):>10.1f}{pct(raw, .5):>10.1f}"
                      f"{pct(raw, .95):>10.1f}")
                print(f"{'':<22}    mean {statistics.mean(shown):.1f} ms, first run {shown[0]:.1f} ms")
        finally:
            proc.terminate()
            proc.wait(10)
            obs.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
