"""Benchmark: process start -> first content frame, from the cache with the network down,
beside a bare QML window started the same way in the same run.

Run: .venv/bin/python tests/bench/cold_start.py [--runs N]

A cache is synced once from the real test HTTP server (5 full-HD JPEGs); then the server
stops, and nothing listens on the broker's port either: the network is down. Each run starts
a fresh interpreter on this script (`--child content` or `--child bare`, alternating), which
prints the wall-clock time of its first frame that shows what it is for:
- content: `stele.ui.app.Kiosk` as `stele run` builds it, the first frame presented after the
  rotation reports a content slide on the glass (and the warm-up cover is gone);
- bare: a QQuickView with one Rectangle and one Text, its first presented frame.
Start -> that frame is measured from just before the process is spawned. The content child
imports as `stele run` does (stele.ui.before_qt first). Both start from bytecode, as on a
stele: the stele package (and the helpers both children import) is byte-compiled first, as
Debian's python3 packaging does at install (the environment may set PYTHONDONTWRITEBYTECODE, as the unit does, and then every
run would compile stele's sources again: ~0.2 s that no stele ever spends).
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.content_setup import ROOT, serve_manifest, sync_into, write_config

BARE_QML = """import QtQuick
Rectangle { color: "#0b2545"; Text { text: "bare"; color: "white"; font.pixelSize: 60 } }
"""


def child(kind: str, arg: str) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if kind == "content":
        from stele.ui.before_qt import import_kiosk_modules

        import_kiosk_modules()  # first, as `stele run` does: see there
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(sys.argv[:1])

    def report() -> None:
        print(f"frame {time.time():.6f}", flush=True)
        os._exit(0)  # the figure is taken; teardown is not part of it

    if kind == "bare":
        from PySide6.QtCore import QUrl
        from PySide6.QtQuick import QQuickView

        view = QQuickView()
        view.setSource(QUrl.fromLocalFile(arg))
        view.resize(1080, 1920)
        view.frameSwapped.connect(report, Qt.ConnectionType.DirectConnection)
        view.show()
    else:
        from stele.config import load_config
        from stele.ui.app import Kiosk

        kiosk = Kiosk(load_config(Path(arg), env={}, system_paths=()))
        armed = []

        def check(*_: object) -> None:
            if armed or not kiosk.content.slide or kiosk.bridge.warmingUp:
                return
            armed.append(True)
            kiosk.view.frameSwapped.connect(report, Qt.ConnectionType.DirectConnection)
            kiosk.view.update()

        kiosk.content.slide_changed.connect(check)
        kiosk.bridge.warmingUpChanged.connect(check)
        kiosk.start()
    app.exec()


def run_once(kind: str, arg: str) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("NOTIFY_SOCKET", None)
    started = time.time()
    proc = subprocess.run(
        [sys.executable, __file__, "--child", kind, arg],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("frame ")]
    if not lines:
        raise RuntimeError(f"{kind}: no frame reported; stderr: {proc.stderr[-800:]}")
    return float(lines[0].split()[1]) - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "ARG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    from tests.httpd import HttpServer
    from tests.mosquitto import free_port

    # Both children import this script's helpers too: compiled as well, for both alike.
    for path in ("stele", "tests/httpd.py", "tests/bench"):
        compile = compileall.compile_dir if (ROOT / path).is_dir() else compileall.compile_file
        assert compile(ROOT / path, quiet=1), f"{path} does not byte-compile"

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bare = folder / "Bare.qml"
        bare.write_text(BARE_QML)
        with HttpServer() as server:
            serve_manifest(server, 5)
            url = server.url("/manifest.json")
            version = sync_into(folder, url)
        # Server gone; nobody listens on the broker port: the network is down.
        cfg = write_config(folder, mqtt_port=free_port(), manifest_url=url)
        run_once("bare", str(bare))  # warm-up: the page cache holds Qt and Python for both
        run_once("content", str(cfg))
        bare_s: list[float] = []
        content_s: list[float] = []
        for _ in range(args.runs):
            bare_s.append(run_once("bare", str(bare)))
            content_s.append(run_once("content", str(cfg)))
    ratios = sorted(c / b for c, b in zip(content_s, bare_s, strict=True))
    print(f"cache: manifest {version}, 5 full-HD JPEGs; network down (no HTTP server, no broker)")
    for name, values in (("bare QML window", bare_s), ("first content frame", content_s)):
        v = sorted(values)
        print(
            f"{name:<22} n={len(v)}  median {statistics.median(v) * 1000:6.0f} ms"
            f"  min {v[0] * 1000:6.0f} ms  max {v[-1] * 1000:6.0f} ms"
        )
    print(
        f"ratio content/bare, pair by pair: median {statistics.median(ratios):.2f}"
        f"  min {ratios[0]:.2f}  max {ratios[-1]:.2f}  (target <= 3 and content <= 1.5 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
