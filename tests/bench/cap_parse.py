"""Time parse + decide on the largest real sample (DWD, 407 KB, 8 languages, 1,344 warn cells).

Run: .venv/bin/python tests/bench/cap_parse.py [runs]
Target: median <= 20 ms for parse + decide. Prints median, p95 and min per step; on a shared
machine the min shows the uncontended cost, the median what other load leaves of it.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from stele.domain.cap import parse_alert

SAMPLE = Path(__file__).parents[1] / "data" / "cap" / "08_dwd_cap12_xml_alert_large_windboeen.xml"
NOW = datetime.fromisoformat("2023-06-23T10:00:00+02:00")  # inside the sample's validity
WARMUP = 5


def _measure(step: Callable[[], object], runs: int) -> tuple[float, float, float]:
    for _ in range(WARMUP):
        step()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    return statistics.median(times), p95, times[0]


def _report(label: str, runs: int, step: Callable[[], object]) -> float:
    median, p95, best = _measure(step, runs)
    print(f"{label:<44} median {median:6.2f} ms   p95 {p95:6.2f} ms   min {best:6.2f} ms")
    return median


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    payload = SAMPLE.read_bytes()
    print(f"{SAMPLE.name}: {len(payload):,} bytes, {runs} runs after {WARMUP} warm-up runs")
    alert = parse_alert(payload)
    cells = alert.all_warncells()
    print(f"  {len(alert.infos)} info blocks, {len(cells)} distinct warn cells")
    _report("parse", runs, lambda: parse_alert(payload))
    try:
        from stele.domain.decide import decide_layout
        from stele.domain.targeting import Place
    except ImportError as exc:
        print(f"decide skipped: {exc}")
        return 0
    # A stele in one of the warned cells, and one elsewhere (every area is checked: worst case).
    inside = Place(warncells=frozenset({cells[-1]}))
    outside = Place(lat=51.17, lon=7.08, ars="051220000000", warncells=frozenset({"105122000"}))
    for name, place in (("inside (last warn cell)", inside), ("outside (Solingen)", outside)):
        layout = decide_layout(alert, place, NOW)
        _report(f"decide, {name} -> {layout}", runs, lambda p=place: decide_layout(alert, p, NOW))
        _report(
            f"parse + decide, {name}",
            runs,
            lambda p=place: decide_layout(parse_alert(payload), p, NOW),
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
