"""Benchmark: the stele's signature check (stele.adapters.signed.Gate) on real CAP samples.

Run: .venv/bin/python tests/bench/signature.py [--runs N]

Per sample: the time of Gate.check on its signed envelope (JSON decode, base64, Ed25519
verify over the payload, replay bookkeeping) beside the unsigned pass-through and beside
parse_alert of the same payload (the next step on paho's thread), and the envelope's size
overhead. It is on the crisis path between paho's on_message and the Inbox.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

from stele.adapters.signed import Gate, parse_public_key  # noqa: E402
from stele.central.signing import public_key_b64, sign  # noqa: E402
from stele.domain.cap import parse_alert  # noqa: E402

DATA = ROOT / "tests" / "data" / "cap"
SAMPLES = ("03b", "06", "09", "08")  # 1.5 KB, 16 KB, 150 KB, 400 KB


def timed(func, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        func()
        out.append((time.perf_counter() - t0) * 1e6)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=300)
    args = ap.parse_args()
    key = Ed25519PrivateKey.generate()
    strict = Gate([parse_public_key(public_key_b64(key))], require=True)
    lax = Gate([], require=False)
    topic = "stele/v1/alerts/all/bench"
    print(
        f"{'sample':<8}{'bytes':>9}{'envelope':>10}{'check p50':>11}{'p99':>9}"
        f"{'unsigned':>10}{'parse p50':>11}   (µs)"
    )
    for prefix in SAMPLES:
        (path,) = DATA.glob(f"{prefix}_*")
        payload = path.read_bytes()
        env = sign(payload, key, topic=topic)
        assert strict.check(topic, env, None).payload == payload
        check = sorted(timed(lambda e=env: strict.check(topic, e, None), args.runs))
        plain = sorted(timed(lambda p=payload: lax.check(topic, p, None), args.runs))
        parse = sorted(timed(lambda p=payload: parse_alert(p, None), max(20, args.runs // 10)))
        p99 = check[int(len(check) * 0.99) - 1]
        print(
            f"{prefix:<8}{len(payload):>9}{len(env) / len(payload):>9.2f}x"
            f"{statistics.median(check):>11.0f}{p99:>9.0f}"
            f"{statistics.median(plain):>10.1f}{statistics.median(parse):>11.0f}"
        )


if __name__ == "__main__":
    main()
