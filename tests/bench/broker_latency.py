"""Benchmark: publish -> presented through each broker, side by side in one run.

Run: .venv/bin/python tests/bench/broker_latency.py [--runs N] [--brokers mosquitto,nats,rabbitmq]

For each broker of tests/brokers.py (a private Mosquitto; a private nats-server with its MQTT
listener; the machine's RabbitMQ MQTT plugin on a fresh virtual host, connected directly,
without the tests' relay), one `stele run` offscreen process (as tests/bench/alert_latency.py
starts it) gets N real alerts of each size, one at a time, each cleared before the next:
the ack's presented_ms minus the publish time, beside the plain MQTT delivery of the same
message to a subscriber. A broker that is not available is reported, not skipped silently.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.alert_latency import (  # noqa: E402
    DEVICE,
    PREFIX,
    SIZES,
    Observer,
    pct,
    start_stele,
    stop_stele,
    targets,
)
from tests.brokers import (  # noqa: E402
    BrokerUnavailable,
    Mosquitto,
    NatsBroker,
    RabbitBroker,
    RabbitVhosts,
    rabbit_mqtt_address,
)


class RabbitDirect:
    """A fresh RabbitMQ vhost, reached on the plugin's own port (no relay in the path)."""

    name = "rabbitmq"
    mqtt5 = False
    retained_to_wildcards = False

    def __init__(self, pool: RabbitVhosts) -> None:
        vhost = RabbitBroker(pool)
        self.auth = vhost.auth
        self.host, self.port = rabbit_mqtt_address()

    def close(self) -> None:
        pass


def write_config(folder: Path, broker: Any, ars: str, cell: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    auth = "".join(f'{k} = "{v}"\n' for k, v in broker.auth.items())
    cfg = folder / "stele.toml"
    cfg.write_text(
        f'[device]\nid = "{DEVICE}"\nars = "{ars}"\nlatitude = 51.0\nlongitude = 7.0\n'
        f'warncells = ["{cell}"]\nlanguages = ["de"]\n'
        f'[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n{auth}'
        f'[storage]\ndir = "{folder}/state"\n[display]\nfullscreen = false\n'
    )
    return cfg


def measure(broker: Any, folder: Path, runs: int, ars: str, cell: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    obs = Observer(broker)
    try:
        since, started = obs.count(), time.time()
        proc = start_stele(write_config(folder, broker, ars, cell))
        try:
            out["online_s"] = obs.online_at(since) - started
            time.sleep(1.0)
            for label, kind, make in SIZES:
                shown, raw = [], []
                for i in range(runs):
                    ident = f"bench-{kind}-{i}"
                    topic = f"{PREFIX}/alerts/all/{ident}"
                    t0 = obs.publish(topic, make(i), retain=True)
                    ack, _ = obs.ack(ident)
                    shown.append(ack["presented_ms"] - t0 * 1000)
                    raw.append((obs.delivered_at(topic) - t0) * 1000)
                    obs.publish(topic, b"", retain=True)
                    time.sleep(0.3)
                out[label] = (shown, raw)
        finally:
            stop_stele(proc)
    finally:
        obs.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--brokers", default="mosquitto,nats,rabbitmq")
    args = ap.parse_args()
    ars, cell = targets()
    results: dict[str, dict[str, Any] | str] = {}
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        for name in args.brokers.split(","):
            workdir = Path(tmp) / name
            workdir.mkdir()
            try:
                broker: Any
                if name == "mosquitto":
                    broker = Mosquitto(workdir=workdir)
                    broker.start()
                elif name == "nats":
                    broker = NatsBroker(workdir)
                    broker.start()
                else:
                    pool = stack.enter_context(contextlib.closing(RabbitVhosts()))
                    broker = RabbitDirect(pool)
            except BrokerUnavailable as exc:
                results[name] = f"unavailable: {exc}"
                continue
            try:
                results[name] = measure(broker, workdir / "stele", args.runs, ars, cell)
            except Exception as exc:  # one broker's failure is a result, not the end
                results[name] = f"failed: {type(exc).__name__}: {exc}"
            finally:
                broker.close()

    print(
        f"publish -> presented (ack presented_ms), ms; {args.runs} alerts per size and broker; "
        "mqtt = plain subscriber delivery of the same message"
    )
    print(
        f"{'broker':<11}{'alert':<17}{'p50':>8}{'p95':>8}{'max':>8}{'mqtt p50':>10}"
        f"{'mqtt p95':>10}{'online s':>10}"
    )
    for name, res in results.items():
        if isinstance(res, str):
            print(f"{name:<11}{res}")
            continue
        for label, _, _ in SIZES:
            shown, raw = res[label]
            print(
                f"{name:<11}{label:<17}{pct(shown, 0.5):>8.1f}{pct(shown, 0.95):>8.1f}"
                f"{max(shown):>8.1f}{pct(raw, 0.5):>10.1f}{pct(raw, 0.95):>10.1f}"
                f"{res['online_s']:>10.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
