"""Benchmark: MQTT publish -> alert presented on screen (ack's presented_ms), `stele run` offscreen.

Run: .venv/bin/python tests/bench/alert_latency.py [--runs N] [--starts K] [--content P]

`--content P`: the stele also plays city content the whole time — P full-HD JPEGs, 3 s each,
synced from the real test HTTP server (tests/bench/content_setup.py) — so every alert meets a
rotation that loads, decodes and cross-fades pictures.

For each size class, N real alerts (sample 06, ~16 KB CAP-JSON; sample 08, ~400 KB DWD XML,
rewritten to a fresh identifier and an active time window) are published one at a time to a
private Mosquitto; between runs the incident is cleared so every run is a switch from the
normal screen to the alert. Beside each, the raw MQTT delivery time of the same message to a
plain subscriber in the same run, and the same figure for the first alert of a fresh process:
`--starts K` new `stele run` processes per size class (fresh state, so nothing is restored),
each sent its alert the moment the retained status says "online" (the warm-up rehearsal may
still be running then: that is the point). Also: process start -> retained status "online",
and presented -> ack arrival: what the ack waits for the alert to be on disk (docs/mqtt.md),
plus the ack's own trip through the broker (compare with the plain MQTT delivery).
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

    def first(self, match, timeout: float = 30.0, since: int = 0) -> tuple[dict | None, float]:
        """(payload as JSON or None, arrival time) of the first message `match(topic, payload)`
        accepts among those from index `since` on, waiting for it."""
        found: list[tuple[dict | None, float]] = []

        def scan(messages: list) -> bool:
            for (topic, payload, _, _), at in zip(messages[since:], self.arrived[since:],
                                                  strict=False):
                if match(topic, payload):
                    body = json.loads(payload) if topic.startswith(f"{PREFIX}/device/") else None
                    found.append((body, at))
                    return True
            return False

        if not self.wait_for(scan, timeout):
            raise TimeoutError("benchmark event did not arrive")
        return found[0]

    def online_at(self, since: int = 0) -> float:
        """Arrival of the first "online" status (the stele's own: it has a mode) after `since`."""

        def online(topic: str, payload: bytes) -> bool:
            if not topic.endswith("/status") or not payload:
                return False
            status = json.loads(payload)
            return status.get("state") == "online" and "mode" in status

        return self.first(online, since=since)[1]

    def count(self) -> int:
        with self._cond:
            return len(self.messages)

    def ack(self, ident: str) -> tuple[dict, float]:
        """The ack for `ident` and its arrival time here (wall clock)."""

        def is_ack(topic: str, payload: bytes) -> bool:
            return topic.endswith("/ack") and json.loads(payload)["identifier"] == ident

        body, at = self.first(is_ack)
        assert body is not None
        return body, at

    def delivered_at(self, topic: str) -> float:
        return self.first(lambda t, p: t == topic and bool(p))[1]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def write_config(folder: Path, port: int, ars: str, cell: str, content_url: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    cfg = folder / "stele.toml"
    cfg.write_text(
        f'[device]\nid = "{DEVICE}"\nars = "{ars}"\nlatitude = 51.0\nlongitude = 7.0\n'
        f'warncells = ["{cell}"]\nlanguages = ["de"]\n'
        f'[mqtt]\nhost = "127.0.0.1"\nport = {port}\n'
        f'[storage]\ndir = "{folder}/state"\n[display]\nfullscreen = false\n'
        + (f'[content]\nmanifest_url = "{content_url}"\npoll_s = 3600\n' if content_url else "")
    )
    return cfg


def start_stele(cfg: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "STELE_CONFIG": str(cfg)}
    env.pop("NOTIFY_SOCKET", None)
    return subprocess.Popen([sys.executable, "-m", "stele.cli", "run", "--config", str(cfg)],
                            env=env, cwd=ROOT, stderr=subprocess.DEVNULL)


def stop_stele(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


SIZES = (("16 KB CAP-JSON", "json", json_alert), ("400 KB DWD XML", "xml", xml_alert))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30, help="alerts per size, one process")
    parser.add_argument("--starts", type=int, default=5,
                        help="fresh processes per size, alert sent right at 'online'")
    parser.add_argument("--content", type=int, default=0, metavar="P",
                        help="also play P full-HD pictures of city content, 3 s each")
    args = parser.parse_args()
    content_url = ""
    if args.content:
        from tests.bench.content_setup import serve_manifest
        from tests.httpd import HttpServer

        content_server = HttpServer().start()
        serve_manifest(content_server, args.content)
        content_url = content_server.url("/manifest.json")
    ars, cell = targets()
    startups: list[float] = []
    shown: dict[str, list[float]] = {label: [] for label, _, _ in SIZES}
    raw: dict[str, list[float]] = {label: [] for label, _, _ in SIZES}
    fresh: dict[str, list[float]] = {label: [] for label, _, _ in SIZES}
    after: dict[str, list[float]] = {label: [] for label, _, _ in SIZES}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as tmp, MosquittoBroker(workdir=Path(tmp) / "broker") as broker:
        obs = Observer(broker)
        try:
            # Steady state: one process, alerts one at a time, each cleared before the next.
            since, started = obs.count(), time.time()
            proc = start_stele(write_config(Path(tmp) / "steady", broker.port, ars, cell,
                                            content_url))
            try:
                startups.append(obs.online_at(since) - started)
                time.sleep(3.0 if content_url else 1.0)  # the first frames (and content) settle
                for label, kind, make in SIZES:
                    for i in range(args.runs):
                        payload = make(i)
                        sizes[label] = len(payload)
                        ident = f"bench-{kind}-{i}"
                        topic = f"{PREFIX}/alerts/all/{ident}"
                        t0 = obs.publish(topic, payload, retain=True)
                        ack, ack_at = obs.ack(ident)
                        shown[label].append(ack["presented_ms"] - t0 * 1000)
                        # Frame presented -> ack here: the wait for the disk plus the ack's
                        # own trip through the broker.
                        after[label].append(ack_at * 1000 - ack["presented_ms"])
                        raw[label].append((obs.delivered_at(topic) - t0) * 1000)
                        obs.publish(topic, b"", retain=True)
                        time.sleep(0.3)
            finally:
                stop_stele(proc)
            # First alert of a fresh process, sent the moment its status says online.
            for label, kind, make in SIZES:
                for k in range(args.starts):
                    folder = Path(tmp) / f"start-{kind}-{k}"
                    since, started = obs.count(), time.time()
                    proc = start_stele(write_config(folder, broker.port, ars, cell, content_url))
                    try:
                        startups.append(obs.online_at(since) - started)
                        ident = f"bench-{kind}-{args.runs + k}"
                        topic = f"{PREFIX}/alerts/all/{ident}"
                        t0 = obs.publish(topic, make(args.runs + k), retain=True)
                        fresh[label].append(obs.ack(ident)[0]["presented_ms"] - t0 * 1000)
                        obs.publish(topic, b"", retain=True)  # the next process starts clean
                    finally:
                        stop_stele(proc)
        finally:
            obs.close()

    if content_url:
        print(f"with city content playing: {args.content} full-HD JPEGs, 3 s each, crossfades")
    print(f"process start -> status online: median {statistics.median(startups) * 1000:.0f} ms,"
          f" max {max(startups) * 1000:.0f} ms ({len(startups)} starts)")
    print(f"{'':<22}{'publish -> presented ms, a running stele':^64}"
          f"{'1st at online, ms':^22}")
    print(f"{'alert':<22}{'n':>4}{'p50':>10}{'p95':>10}{'max':>10}{'first':>10}"
          f"{'mqtt p50':>10}{'mqtt p95':>10}{'n':>4}{'median':>9}{'max':>9}")
    for label, _, _ in SIZES:
        s, r, f = shown[label], raw[label], fresh[label]
        name = f"{label} ({sizes.get(label, 0) // 1024} KB)"
        line = f"{name:<22}"
        if s:
            line += (f"{len(s):>4}{pct(s, .5):>10.1f}{pct(s, .95):>10.1f}{max(s):>10.1f}"
                     f"{s[0]:>10.1f}{pct(r, .5):>10.1f}{pct(r, .95):>10.1f}")
        else:
            line += f"{0:>4}" + " " * 60
        if f:
            line += f"{len(f):>4}{statistics.median(f):>9.1f}{max(f):>9.1f}"
        print(line)
        if s:
            print(f"{'':<22}    mean {statistics.mean(s):.1f} ms"
                  + (f"; at online, each: {', '.join(f'{v:.0f}' for v in f)} ms" if f else ""))
        a = after[label]
        if a:
            print(f"{'':<22}    presented -> ack received: p50 {pct(a, .5):.1f} ms,"
                  f" p95 {pct(a, .95):.1f} ms, max {max(a):.1f} ms (disk wait + broker trip)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
