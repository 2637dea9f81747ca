"""Benchmark: one bridge following all ~400 Kreise of a simulated api31 feed.

Run: .venv/bin/python tests/bench/bridge_fleet.py [--kreise 400] [--cycles 12] [--churn 10]

The real HTTP server (tests/httpd.py, ETag/304) serves a dashboard per Kreis; a tenth of
them list two warnings (the recorded MoWaS and DWD messages of tests/data/nina under fresh
identifiers, with their recorded geometry), and each cycle `--churn` Kreise change (a new
warning, or one removed). The bridge serves one municipality per Kreis (so ~400 retained
scopes on a private Mosquitto) and is driven cycle by cycle at poll_s = 30 s of simulated
time (every dashboard due each cycle). Per cycle: CPU time of the bridge thread alone
(RUSAGE_THREAD; the server's threads excluded), wall time, requests and 304s, publishes,
and the process RSS. Requests per minute follow from the 30 s interval.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import resource
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from stele.adapters.sdnotify import Notifier  # noqa: E402
from stele.central.bridge import Bridge  # noqa: E402
from stele.central.bridge_config import BridgeConfig, BridgeSection  # noqa: E402
from stele.config import MqttConfig  # noqa: E402
from tests.central.bridge_feeds import (  # noqa: E402
    Api31,
    dwd_update,
    geojson,
    mowas_alert,
)
from tests.httpd import HttpServer  # noqa: E402
from tests.mosquitto import MosquittoBroker  # noqa: E402

POLL_S = 30.0
NOW = datetime.fromisoformat("2026-09-20T18:00:00+02:00")  # the recordings' time


def kreise(n: int) -> list[str]:
    """n distinct Kreis keys in the ARS shape (Land, Regierungsbezirk, Kreis, zeros)."""
    keys = []
    for i in range(n):
        land, rest = divmod(i, 40)
        keys.append(f"{land + 1:02d}{rest // 20}{rest % 20 + 1:02d}0000000")
    return keys


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def thread_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_THREAD)
    return r.ru_utime + r.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kreise", type=int, default=400)
    parser.add_argument("--cycles", type=int, default=12)
    parser.add_argument("--churn", type=int, default=10, help="Kreise changing per cycle")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    rng = random.Random(12)
    keys = kreise(args.kreise)
    serial = 0

    def fresh() -> tuple[dict, dict]:
        nonlocal serial
        serial += 1
        if serial % 2:
            cap, geo = mowas_alert(), geojson("warning_mowas_cancel.geojson")
        else:
            cap, geo = dwd_update(), geojson("warning_dwd.geojson")
            del cap["references"]
        cap["identifier"] = f"{cap['identifier']}.sim{serial}"
        return cap, geo

    rows = []
    with (
        tempfile.TemporaryDirectory() as tmp,
        MosquittoBroker(workdir=Path(tmp) / "broker") as broker,
        HttpServer() as server,
    ):
        api = Api31(server)
        listed: dict[str, list[dict]] = {k: [] for k in keys}
        for k in rng.sample(keys, len(keys) // 10):
            listed[k] = [fresh()[0] for _ in range(2)]
        made: set[str] = set()

        def publish_feed(k: str) -> None:
            for cap in listed[k]:
                if cap["identifier"] not in made:
                    made.add(cap["identifier"])
                    geo = (
                        geojson("warning_mowas_cancel.geojson")
                        if cap["identifier"].startswith("mow.")
                        else geojson("warning_dwd.geojson")
                    )
                    api.warning(cap, geo)
            api.dashboard(k, *listed[k])

        for k in keys:
            publish_feed(k)
        ars = tuple(k[:5] + "0010001" for k in keys)  # one municipality per Kreis
        cfg = BridgeConfig(
            bridge=BridgeSection(
                ars=ars,
                nina_url=api.base,
                poll_s=POLL_S,
                clear_after_polls=2,
                state_dir=Path(tmp) / "bridge",
            ),
            mqtt=MqttConfig(host="127.0.0.1", port=broker.port),
        )
        mono = [0.0]
        rss0 = rss_mb()
        bridge = Bridge(cfg, clock=lambda: NOW, monotonic=lambda: mono[0], notifier=Notifier({}))
        fetcher = bridge.fetcher
        for cycle in range(args.cycles):
            if cycle:
                for k in rng.sample(keys, args.churn):
                    if listed[k] and rng.random() < 0.5:
                        listed[k].pop()
                    else:
                        listed[k].append(fresh()[0])
                    publish_feed(k)
            mono[0] += POLL_S * 1.2  # every dashboard due (interval plus jitter)
            server.reset_log()
            req0, nm0 = fetcher.requests, fetcher.not_modified  # type: ignore[attr-defined]
            cpu0, wall0 = thread_cpu_s(), time.perf_counter()
            report = bridge.cycle()
            cpu, wall = thread_cpu_s() - cpu0, time.perf_counter() - wall0
            dash = [r for r in server.requests if "/dashboard/" in r.path]
            rows.append(
                {
                    "cycle": cycle + 1,
                    "requests": fetcher.requests - req0,  # type: ignore[attr-defined]
                    "dashboards": len(dash),
                    "not_modified": fetcher.not_modified - nm0,  # type: ignore[attr-defined]
                    "bytes": server.body_bytes(),
                    "published": report.published,
                    "failed": len(report.failed),
                    "cpu_ms": cpu * 1000,
                    "wall_ms": wall * 1000,
                    "rss_mb": rss_mb(),
                }
            )
        incidents = sum(len(v) for v in bridge.reconciler.incidents.values())
        bridge.link.close()
    print(
        f"{args.kreise} Kreise, {args.kreise} municipalities (scopes), poll_s {POLL_S:g},"
        f" churn {args.churn} Kreise/cycle; {incidents} incidents at the end;"
        f" RSS before the bridge {rss0:.0f} MB"
    )
    print(
        f"{'cycle':>5}{'req':>6}{'304':>6}{'hit %':>7}{'KB':>8}{'pub':>5}{'fail':>5}"
        f"{'cpu ms':>9}{'wall ms':>9}{'RSS MB':>8}"
    )
    for r in rows:
        hit = 100 * r["not_modified"] / r["dashboards"] if r["dashboards"] else 0
        print(
            f"{r['cycle']:>5}{r['requests']:>6}{r['not_modified']:>6}{hit:>7.1f}"
            f"{r['bytes'] / 1024:>8.0f}{r['published']:>5}{r['failed']:>5}"
            f"{r['cpu_ms']:>9.0f}{r['wall_ms']:>9.0f}{r['rss_mb']:>8.1f}"
        )
    steady = rows[1:]
    if steady:
        req = sum(r["requests"] for r in steady) / len(steady)
        hits = sum(r["not_modified"] for r in steady) / sum(r["dashboards"] for r in steady)
        cpu = sorted(r["cpu_ms"] for r in steady)
        print(
            f"steady state (cycles 2-{len(rows)}): {req:.0f} requests per cycle ="
            f" {req * 60 / POLL_S:.0f} per minute, conditional hits {hits * 100:.1f} %,"
            f" CPU per cycle median {cpu[len(cpu) // 2]:.0f} ms (max {cpu[-1]:.0f} ms)"
            f" = {cpu[len(cpu) // 2] / (POLL_S * 10):.2f} % of one core at poll_s {POLL_S:g}"
        )
        print(
            json.dumps(
                {
                    "first_cycle_cpu_ms": round(rows[0]["cpu_ms"]),
                    "first_cycle_wall_ms": round(rows[0]["wall_ms"]),
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
