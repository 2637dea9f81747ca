"""Benchmark: feed change -> retained on the broker -> presented on a real `stele run`.

Run: .venv/bin/python tests/bench/bridge_latency.py [--runs N] [--poll S]

A real HTTP server plays api31 (tests/httpd.py) with the recorded MoWaS message and
geometry (tests/data/nina; times moved to now, a fresh identifier per run), the bridge runs
in this process against a private Mosquitto, and a `stele run` kiosk (offscreen) stands in
the warning's polygon. Per run the dashboard starts listing a new warning at t0; measured:
t0 -> the bridge's conditional GET that saw it (waiting for the next poll: bounded by the
poll interval), that GET -> retained on the broker (fetch details + GeoJSON, convert,
publish), t0 -> retained, and t0 -> presented (the kiosk's ack `presented_ms`). Between runs
the dashboard empties and the incident is cleared (clear_after_polls = 1), and each change
comes at a random moment of the poll interval.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from stele.central.bridge import Bridge  # noqa: E402
from stele.central.bridge_config import BridgeConfig, BridgeSection  # noqa: E402
from stele.central.fetch import Fetched, HttpFetcher  # noqa: E402
from stele.central.nina import kreis_of  # noqa: E402
from stele.config import MqttConfig  # noqa: E402
from tests.bench.alert_latency import Observer, pct, start_stele, stop_stele  # noqa: E402
from tests.central.bridge_feeds import (  # noqa: E402
    IN_SIERSBURG_POLYGON,
    SIERSBURG,
    Api31,
    geojson,
    mowas_alert,
)
from tests.httpd import HttpServer  # noqa: E402
from tests.mosquitto import MosquittoBroker  # noqa: E402

PREFIX = "stele/v1"
DEVICE = "bench-bridge"


class TimedFetcher(HttpFetcher):
    """The real fetcher, noting when a dashboard answer carried news."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__(timeout_s)
        self.news: list[tuple[float, bytes]] = []

    def get(self, url: str) -> Fetched:
        got = super().get(url)
        if "/dashboard/" in url and got.changed:
            self.news.append((time.time(), got.body))
        return got


def warning(i: int) -> dict:
    alert = mowas_alert()
    now = datetime.now(UTC)
    alert["identifier"] = f"{alert['identifier']}-bench{i}"
    alert["sent"] = now.isoformat(timespec="seconds")
    for info in alert["info"]:
        info["expires"] = (now + timedelta(hours=1)).isoformat(timespec="seconds")
        info["severity"] = "Severe"  # a takeover: the layout a real MoWaS warning gets
    return alert


def write_stele_config(folder: Path, port: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lat, lon = IN_SIERSBURG_POLYGON
    cfg = folder / "stele.toml"
    cfg.write_text(
        f'[device]\nid = "{DEVICE}"\nars = "{SIERSBURG}"\nlatitude = {lat}\nlongitude = {lon}\n'
        f'languages = ["de"]\n[mqtt]\nhost = "127.0.0.1"\nport = {port}\n'
        f'[storage]\ndir = "{folder}/state"\n[display]\nfullscreen = false\n'
    )
    return cfg


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--poll", type=float, default=2.0, help="bridge poll_s (>= 1)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    rng = random.Random(3)
    to_poll, poll_to_retained, to_retained, to_presented = [], [], [], []
    with (
        tempfile.TemporaryDirectory() as tmp,
        MosquittoBroker(workdir=Path(tmp) / "broker") as broker,
        HttpServer() as server,
    ):
        api = Api31(server)
        path = api.dashboard(kreis_of(SIERSBURG))
        cfg = BridgeConfig(
            bridge=BridgeSection(
                ars=(SIERSBURG,),
                nina_url=api.base,
                poll_s=args.poll,
                clear_after_polls=1,
                state_dir=Path(tmp) / "bridge",
                timeout_s=5.0,
            ),
            mqtt=MqttConfig(host="127.0.0.1", port=broker.port),
        )
        fetcher = TimedFetcher(5.0)
        bridge = Bridge(cfg, fetcher=fetcher)
        stop = threading.Event()
        runner = threading.Thread(target=bridge.run, args=(stop,), daemon=True)
        obs = Observer(broker)
        proc = start_stele(write_stele_config(Path(tmp) / "stele", broker.port))
        try:
            obs.online_at(0)
            runner.start()
            time.sleep(2.0)
            alerts = f"{PREFIX}/alerts/ars/{SIERSBURG}/"
            for i in range(args.runs):
                alert = warning(i)
                ident = alert["identifier"]
                api.warning(alert, geojson("warning_mowas_cancel.geojson"))
                # A feed changes at any moment of the poll interval, not in step with it.
                time.sleep(rng.uniform(0.0, args.poll))
                since = obs.count()
                t0 = time.time()
                api.dashboard(kreis_of(SIERSBURG), alert)
                _, t1 = obs.first(
                    lambda t, p, ident=ident: t.startswith(alerts) and ident.encode() in p,
                    timeout=3 * args.poll + 10,
                    since=since,
                )
                ack, _ = obs.ack(ident)
                seen = next(at for at, body in fetcher.news if at >= t0 and ident.encode() in body)
                to_poll.append((seen - t0) * 1000)
                poll_to_retained.append((t1 - seen) * 1000)
                to_retained.append((t1 - t0) * 1000)
                to_presented.append(ack["presented_ms"] - t0 * 1000)
                since = obs.count()
                server.put(path, b"[]", "application/json")
                obs.first(
                    lambda t, p: t.startswith(alerts) and not p,
                    timeout=3 * args.poll + 10,
                    since=since,
                )
        finally:
            stop.set()
            runner.join(10)
            stop_stele(proc)
            obs.close()
    print(
        f"bridge poll_s {args.poll:g} (jitter ±10 %), {args.runs} runs, MoWaS takeover on a real kiosk"
    )
    print(f"{'ms':<38}{'p50':>9}{'p95':>9}{'max':>9}")
    for name, values in (
        ("feed change -> bridge sees it (poll)", to_poll),
        ("bridge sees it -> retained on broker", poll_to_retained),
        ("feed change -> retained on broker", to_retained),
        ("feed change -> presented on the kiosk", to_presented),
    ):
        print(f"{name:<38}{pct(values, 0.5):>9.0f}{pct(values, 0.95):>9.0f}{max(values):>9.0f}")
    presented_after = [p - r for p, r in zip(to_presented, to_retained, strict=True)]
    print(
        f"{'retained -> presented':<38}{pct(presented_after, 0.5):>9.0f}"
        f"{pct(presented_after, 0.95):>9.0f}{max(presented_after):>9.0f}"
    )
    print(f"requests {fetcher.requests}, of them 304: {fetcher.not_modified}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
