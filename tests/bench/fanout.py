"""Benchmark: one city's fleet on one Mosquitto: broadcast fan-out and the reconnect storm.

Run: .venv/bin/python tests/bench/fanout.py [--clients 5000] [--downtime 5]

N simulated steles, each a small asyncio MQTT 3.1.1 client in this process with a persistent
session (clean session off), subscribed exactly like a stele (stele.adapters.topics.
subscriptions: 8 filters at QoS 1), acking every QoS 1 message. Then:

1. one broadcast alert (the real 16 KB CAP-JSON sample 06, retained, QoS 1, on
   alerts/all/<key>) -> its arrival at every client: p50 / p99 / max. The clients read in
   one Python thread, so the figures include our own reading of N sockets: an upper bound.
2. the broker restarts (SIGTERM, `--downtime` s, start): reconnections per second over time
   with stele's backoff (full jitter, stele.domain.backoff, seeded per device id, defaults
   reconnect_min_s 1, reconnect_max_s 60), each reconnect subscribing again as the stele
   does; then the same restart with the same exponential backoff without jitter.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import resource
import statistics
import struct
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from stele.adapters.topics import subscriptions  # noqa: E402
from stele.domain.backoff import backoff_cap, backoff_delay, device_rng  # noqa: E402
from tests.brokers import Mosquitto  # noqa: E402
from tests.mosquitto import TopicRecorder  # noqa: E402

PREFIX = "stele/v1"
ARS = "051220000000"
MIN_S, MAX_S = 1.0, 60.0  # stele's defaults (mqtt.reconnect_min_s / reconnect_max_s)
ALERT = next((ROOT / "tests" / "data" / "cap").glob("06_*")).read_bytes()


def _str(s: str) -> bytes:
    b = s.encode()
    return struct.pack("!H", len(b)) + b


def _packet(first: int, body: bytes) -> bytes:
    n, out = len(body), bytearray([first])
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out) + body


@dataclass
class Fleet:
    host: str
    port: int
    jitter: bool = True
    delivered: dict[str, float] = field(default_factory=dict)  # device -> time.time()
    connects: list[float] = field(default_factory=list)  # time.monotonic() of each CONNACK
    attempts: list[float] = field(default_factory=list)  # time.monotonic() of each try
    online: set[str] = field(default_factory=set)
    watch_topic: str = ""
    # TCP connects in flight from this process: bounded while the fleet first comes up (a
    # setup step, not measured), unbounded in the storms, where each stele is on its own.
    gate: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(200))


class Sim:
    """One simulated stele: connect, subscribe like a stele, ack QoS 1, reconnect with backoff."""

    def __init__(self, fleet: Fleet, dev: str) -> None:
        self.fleet, self.dev = fleet, dev
        self.rng = device_rng(dev)
        self.attempt = 0
        self.subs = subscriptions(PREFIX, dev, ARS)

    def delay(self) -> float:
        if self.fleet.jitter:
            return backoff_delay(self.attempt, MIN_S, MAX_S, self.rng)
        return backoff_cap(self.attempt, MIN_S, MAX_S)

    async def run(self) -> None:
        while True:
            self.fleet.attempts.append(time.monotonic())
            try:
                async with self.fleet.gate:
                    reader, writer = await asyncio.wait_for(
                        asyncio.open_connection(self.fleet.host, self.fleet.port), 10
                    )
                await self.session(reader, writer)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                pass
            self.fleet.online.discard(self.dev)
            wait = self.delay()
            self.attempt += 1
            await asyncio.sleep(wait)

    async def session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            # CONNECT: MQTT 3.1.1, clean session off, no keepalive (the bench has no idle).
            body = _str("MQTT") + bytes([4, 0x00]) + struct.pack("!H", 0) + _str(f"sim-{self.dev}")
            writer.write(_packet(0x10, body))
            await writer.drain()
            while True:
                first = (await reader.readexactly(1))[0]
                n, mult = 0, 1
                while True:
                    b = (await reader.readexactly(1))[0]
                    n += (b & 0x7F) * mult
                    mult *= 128
                    if not b & 0x80:
                        break
                data = await reader.readexactly(n) if n else b""
                kind = first & 0xF0
                if kind == 0x20:  # CONNACK
                    if data[1] != 0:
                        raise ValueError(f"refused {data[1]}")
                    self.fleet.connects.append(time.monotonic())
                    self.attempt = 0
                    subs = b"".join(_str(t) + b"\x01" for t in self.subs)
                    writer.write(_packet(0x82, struct.pack("!H", 1) + subs))
                elif kind == 0x90:  # SUBACK: usable, as the stele reports it online
                    self.fleet.online.add(self.dev)
                elif kind == 0x30:  # PUBLISH
                    now = time.time()
                    tlen = struct.unpack("!H", data[:2])[0]
                    topic = data[2 : 2 + tlen].decode()
                    if (first >> 1) & 3:
                        pid = data[2 + tlen : 4 + tlen]
                        writer.write(b"\x40\x02" + pid)
                    if topic == self.fleet.watch_topic and self.dev not in self.fleet.delivered:
                        self.fleet.delivered[self.dev] = now
        finally:
            writer.close()


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


async def wait_until(pred, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        await asyncio.sleep(0.05)
    return pred()


async def storm(fleet: Fleet, broker: Mosquitto, n: int, downtime: float, label: str) -> dict:
    fleet.connects.clear()
    fleet.attempts.clear()
    stop_at = time.monotonic()
    await asyncio.to_thread(broker.stop)
    await asyncio.sleep(downtime)
    await asyncio.to_thread(broker.start)
    up_at = time.monotonic()
    ok = await wait_until(lambda: len(fleet.online) == n, 180)
    done_at = time.monotonic()
    conn = sorted(t - up_at for t in fleet.connects)
    # The series run from the drop (second 0) so the whole backoff window shows.
    per_s = collections.Counter(int(t - stop_at) for t in fleet.connects)
    att = collections.Counter(int(t - stop_at) for t in fleet.attempts)
    span = int(done_at - stop_at) + 1
    return {
        "label": label,
        "all_back": ok,
        "connected": len(conn),
        "up_s": up_at - stop_at,
        "t50": pct(conn, 0.5) if conn else None,
        "t99": pct(conn, 0.99) if conn else None,
        "t100": conn[-1] if conn else None,
        "peak": max(per_s.values()) if per_s else 0,
        "series": [per_s.get(s, 0) for s in range(span)],
        "attempt_series": [att.get(s, 0) for s in range(span)],
    }


async def main_async(args: argparse.Namespace) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * args.clients + 200
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, need), hard))  # broker inherits
    with tempfile.TemporaryDirectory() as tmp:
        broker = Mosquitto(workdir=Path(tmp) / "broker")
        broker.start()
        try:
            fleet = Fleet(broker.host, broker.port)
            pub = TopicRecorder(broker, f"{PREFIX}/central/none")  # the central side
            sims = [Sim(fleet, f"st-{i:05d}") for i in range(args.clients)]
            t0 = time.monotonic()
            tasks = [asyncio.create_task(s.run()) for s in sims]
            if not await wait_until(lambda: len(fleet.online) == args.clients, 300):
                raise SystemExit(f"only {len(fleet.online)} of {args.clients} came online")
            connect_s = time.monotonic() - t0
            fleet.gate = asyncio.Semaphore(10 * args.clients)

            key = "warntag"
            fleet.watch_topic = f"{PREFIX}/alerts/all/{key}"
            sent = await asyncio.to_thread(pub.publish, fleet.watch_topic, ALERT, retain=True)
            ok = await wait_until(lambda: len(fleet.delivered) == args.clients, 120)
            pub.close()
            lat = [(t - sent) * 1000 for t in fleet.delivered.values()]

            fleet.jitter = True
            jit = await storm(fleet, broker, args.clients, args.downtime, "stele backoff (jitter)")
            fleet.jitter = False
            flat = await storm(fleet, broker, args.clients, args.downtime, "same, no jitter")
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            broker.close()

    print(
        f"{args.clients} simulated steles (persistent sessions, {len(sims[0].subs)} "
        f"subscriptions each) online in {connect_s:.1f} s"
    )
    print(
        f"broadcast {len(ALERT) // 1024} KB alert -> {len(lat)} of {args.clients} delivered"
        f"{'' if ok else ' (TIMEOUT)'}: p50 {pct(lat, 0.5):.0f} ms, p99 {pct(lat, 0.99):.0f} ms, "
        f"max {max(lat):.0f} ms (goal p99 <= 1000 ms)"
    )
    print(f"broker restart, {args.downtime:g} s down; per second from the drop (second 0):")
    for r in (jit, flat):
        print(
            f"  {r['label']}: broker back at {r['up_s']:.1f} s; all back "
            f"{'yes' if r['all_back'] else 'NO'}; after the broker was back: 50% in "
            f"{r['t50']:.1f} s, 99% in {r['t99']:.1f} s, last {r['t100']:.1f} s; peak "
            f"{r['peak']} reconnects/s"
        )
        print(f"    connects/s:  {json.dumps(r['series'])}")
        print(f"    attempts/s:  {json.dumps(r['attempt_series'])}")
    print(f"  delivery mean {statistics.mean(lat):.0f} ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=5000)
    ap.add_argument("--downtime", type=float, default=5.0)
    asyncio.run(main_async(ap.parse_args()))


if __name__ == "__main__":
    main()
