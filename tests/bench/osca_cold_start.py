"""Cold start with the OSCA backend down: process start of the source → the last state's
view published from the disk cache.

Run: .venv/bin/python tests/bench/osca_cold_start.py [runs] [media_kb]
A real Parse Server (tests/parse_server.py) serves a diashow of three files (`media_kb`,
default 2500, in all) once, so that the source caches its snapshot and files; then the
server is stopped and a new source is started `runs` times (default 20) on the same state
directory. The clock runs from constructing the source (uuid read, file index loaded) to
its first view: the snapshot read from disk, each file hashed once more before it is
offered, the mapping. It stops before the screen: drawing is the content player's part.
"""

from __future__ import annotations

import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script

from tests.adapters.osca_helpers import Views, make_source, osca_cfg
from tests.parse_server import ParseServer

WARMUP = 2


def main(runs: int = 20, media_kb: int = 2500) -> None:
    from stele.adapters.osca.source import OscaSource

    logging.disable(logging.WARNING)  # "backend unreachable" on every run is the point here

    with tempfile.TemporaryDirectory(prefix="osca-cold-") as tmp:
        work = Path(tmp)
        server = ParseServer(work).start()
        try:
            server.seed_schema()
            server.seed_user()
            sizes = (media_kb * 1024 // 5, media_kb * 1024 // 10)
            objects = [
                {
                    "name": "bild.jpg",
                    "data": os.urandom(sizes[0]),
                    "content_type": "image/jpeg",
                    "file_type": "image",
                },
                {
                    "name": "flyer.pdf",
                    "data": os.urandom(sizes[1]),
                    "content_type": "application/pdf",
                    "file_type": "pdf",
                },
                {
                    "name": "clip.mp4",
                    "data": os.urandom(media_kb * 1024 - sum(sizes)),
                    "content_type": "video/mp4",
                    "file_type": "video",
                },
            ]
            layout = server.seed_layout(diashow=server.seed_diashow(objects))
            source, views = make_source(server, work / "state", start=False)
            server.seed_screen(source.uuid, layout_config=layout)
            source.start()
            views.wait_for(lambda v: len(v["manifest"]["items"]) == 3, 30)
            source.stop()
            server.stop()
            cfg = osca_cfg(server)
            samples = []
            for n in range(WARMUP + runs):
                got = Views()
                t0 = time.monotonic()
                cold = OscaSource(
                    cfg, work / "state", got, backoff_min_s=5, backoff_max_s=5, livequery=False
                )
                cold.start()
                got.wait_for(lambda v: len(v["manifest"]["items"]) == 3, 10)
                if n >= WARMUP:
                    samples.append((time.monotonic() - t0) * 1000)
                cold.stop()
        finally:
            server.close()
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]
    print(
        f"cold start, backend down, {media_kb} KB of media -> view published, {runs} runs: "
        f"p50 {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms"
    )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
