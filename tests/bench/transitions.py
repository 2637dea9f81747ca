"""Benchmark: frame times during content crossfades (target p99 <= 1.5 frames).

Run: .venv/bin/python tests/bench/transitions.py [--transitions N] [--size WxH]

A kiosk child process (offscreen, the scene graph backend Qt picks for it) plays full-HD
JPEGs synced from the real test HTTP server, each slide 1/10 of its 3 s (test-only
`testOnlyTimeScale`), with the real 450 ms crossfade. Every presented frame is timestamped
(frameSwapped, on the thread that presents it); a fade ends when the rotation reports the
new slide on the glass, so the frames of the last 450 ms before each report are the fade's.
The intervals between consecutive fade frames are the frame times reported.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools

from tests.bench.content_setup import serve_manifest, write_config

FRAME_MS = 1000 / 60


def child(config: str, transitions: int, size: str) -> None:
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtQuick import QQuickWindow

    app = QGuiApplication(sys.argv[:1])
    from stele.config import load_config
    from stele.ui.app import Kiosk

    kiosk = Kiosk(load_config(Path(config), env={}, system_paths=()))
    width, height = (int(v) for v in size.split("x"))
    kiosk.view.resize(width, height)
    theme = kiosk.view.engine().singletonInstance("Stele", "Theme")
    assert theme.setProperty("testOnlyTimeScale", 0.1)
    fade_ms = int(theme.property("fadeMs"))
    frames: list[float] = []
    ends: list[float] = []
    kiosk.view.frameSwapped.connect(
        lambda: frames.append(time.perf_counter()), Qt.ConnectionType.DirectConnection
    )

    def on_slide(identifier: str) -> None:
        if identifier:
            ends.append(time.perf_counter())
            if len(ends) > transitions:
                QTimer.singleShot(0, app.quit)

    kiosk.content.slide_changed.connect(on_slide)
    kiosk.start()
    app.exec()
    backend = QQuickWindow.sceneGraphBackend() or kiosk.view.rendererInterface().graphicsApi().name
    intervals: list[float] = []
    for end in ends[1:]:  # the first slide comes on without a fade
        inside = [f for f in frames if end - fade_ms / 1000 <= f <= end + 0.002]
        intervals += [(b - a) * 1000 for a, b in itertools.pairwise(inside)]
    print(f"backend {backend}")
    print("intervals " + " ".join(f"{v:.2f}" for v in intervals), flush=True)
    kiosk.stop()
    os._exit(0)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--transitions", type=int, default=60)
    parser.add_argument("--size", default="1080x1920")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.transitions, args.size)
        return 0
    from tests.httpd import HttpServer
    from tests.mosquitto import MosquittoBroker

    with (
        tempfile.TemporaryDirectory() as tmp,
        HttpServer() as server,
        MosquittoBroker(workdir=Path(tmp) / "broker") as broker,
    ):
        serve_manifest(server, 10)
        cfg = write_config(
            Path(tmp), mqtt_port=broker.port, manifest_url=server.url("/manifest.json")
        )
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        env.pop("NOTIFY_SOCKET", None)
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                str(cfg),
                "--transitions",
                str(args.transitions),
                "--size",
                args.size,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        ).stdout
    backend = next(
        (ln.split(None, 1)[1] for ln in out.splitlines() if ln.startswith("backend")), "?"
    )
    line = next(ln for ln in out.splitlines() if ln.startswith("intervals"))
    values = [float(v) for v in line.split()[1:]]
    print(f"{args.transitions} crossfades, {args.size}, offscreen, scene graph: {backend}")
    print(
        f"frame time during fades: n={len(values)}  median {statistics.median(values):.1f} ms"
        f"  p95 {pct(values, 0.95):.1f}  p99 {pct(values, 0.99):.1f}  max {max(values):.1f} ms"
        f"  (one frame {FRAME_MS:.1f} ms; target p99 <= {1.5 * FRAME_MS:.1f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
