"""OSCA to the glass: a change saved in the backend → the new picture on the screen, and a
cold start with the backend down → the first content frame.

Run: .venv/bin/python tests/bench/osca_glass.py [changes]
Starts a real Parse Server (tests/parse_server.py) and the whole kiosk (`stele.ui.app.Kiosk`
with `[content] source = "osca"`, real QML offscreen, software renderer, 1080×1920; no broker
listens: MQTT stays offline). A Diashow stele shows one diashow object; each change swaps its
`file` between two pictures already uploaded (red, blue) with a REST PUT, as the
configurator saves it. The clock runs from just before the PUT until a grabbed frame shows the
new colour at the stage's centre past the middle of the crossfade (LiveQuery event, debounce,
re-read, mapping, plan, slide load, half the fade). Frames are grabbed in a loop; each grab
renders (~20-40 ms here), which is the resolution of the figure.

Then the kiosk stops, the backend stops, and a fresh Kiosk on the same state dir is built:
the clock runs from constructing it to the first grabbed frame showing the picture (in this
process: the Python imports and QML types are already loaded; tests/bench/cold_start.py
measures a whole new process for the manifest source).
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtGui import QColor, QGuiApplication

from stele.adapters.local_broker import free_port
from stele.ui.app import Kiosk
from tests.parse_server import ParseServer, pointer
from tests.ui.kiosk_helpers import kiosk_config
from tests.ui.osca_helpers import osca_config, png_bytes, stele_uuid

WARMUP = 3
COLOURS = ("#d01010", "#1030d0")


def centre(k: Kiosk) -> QColor:
    image = k.view.grabWindow()
    return image.pixelColor(image.width() // 2, image.height() * 3 // 5)


def nearer(seen: QColor, colour: str, other: str) -> bool:
    def dist(a: QColor, b: QColor) -> int:
        return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())

    return (
        dist(seen, QColor(colour)) < dist(seen, QColor(other)) and dist(seen, QColor(colour)) < 200
    )


def wait_colour(app: QGuiApplication, k: Kiosk, colour: str, other: str, timeout_s: float) -> float:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        app.processEvents()
        if nearer(centre(k), colour, other):
            return time.monotonic()
        time.sleep(0.005)
    raise TimeoutError(f"{colour} not on the glass within {timeout_s} s")


def pctl(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def main(changes: int = 30) -> None:
    logging.disable(logging.WARNING)  # the offline broker and the stopped backend log on
    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    assert isinstance(app, QGuiApplication)
    with tempfile.TemporaryDirectory(prefix="osca-glass-") as tmp:
        work = Path(tmp)
        (work / "parse").mkdir()
        server = ParseServer(work / "parse").start()
        try:
            server.seed_schema()
            server.seed_user()
            files = [
                server.upload(f"c{i}.png", png_bytes(work, f"c{i}.png", c, (540, 960)), "image/png")
                for i, c in enumerate(COLOURS)
            ]
            obj = server.create("SteleDiashowObject", file=files[0], duration=600, fileType="image")
            dia = server.create("SteleDiashowConfig", name="Diashow")
            server.relate("SteleDiashowConfig", dia, "diashowObjects", "SteleDiashowObject", [obj])
            layout = server.create(
                "SteleLayoutConfig", diashowConfig=pointer("SteleDiashowConfig", dia)
            )
            server.seed_screen(stele_uuid(work), layout_config=layout)
            cfg = kiosk_config(work, free_port(), extra=osca_config(server, poll_s=3600))
            k = Kiosk(cfg)
            k.start()
            samples = []
            try:
                wait_colour(app, k, COLOURS[0], COLOURS[1], 30)
                assert k.osca is not None
                deadline = time.monotonic() + 10
                while k.osca.source.link != "livequery" and time.monotonic() < deadline:
                    app.processEvents()
                    time.sleep(0.02)
                for n in range(WARMUP + changes):
                    new, old = COLOURS[(n + 1) % 2], COLOURS[n % 2]
                    t0 = time.monotonic()
                    server.update("SteleDiashowObject", obj, file=files[(n + 1) % 2])
                    t1 = wait_colour(app, k, new, old, 15)
                    if n >= WARMUP:
                        samples.append((t1 - t0) * 1000)
                    end = time.monotonic() + 0.6  # the fade ends before the next change
                    while time.monotonic() < end:
                        app.processEvents()
                        time.sleep(0.01)
                shown = COLOURS[(WARMUP + changes) % 2]
            finally:
                k.stop()
                k.dispose()
            server.stop()
            # Cold start, backend down: the last state from disk.
            t0 = time.monotonic()
            k = Kiosk(cfg)
            k.start()
            try:
                other = COLOURS[0] if shown == COLOURS[1] else COLOURS[1]
                cold = (wait_colour(app, k, shown, other, 30) - t0) * 1000
            finally:
                k.stop()
                k.dispose()
        finally:
            server.close()
    print(
        f"LiveQuery change (REST PUT) -> new picture on the glass, {len(samples)} changes: "
        f"p50 {statistics.median(samples):.0f} ms, p95 {pctl(samples, 0.95):.0f} ms, "
        f"max {max(samples):.0f} ms (includes half the {450} ms crossfade)"
    )
    print(f"cold start, backend down (in-process Kiosk) -> first content frame: {cold:.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
