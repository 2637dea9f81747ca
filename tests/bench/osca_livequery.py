"""LiveQuery latency: a change saved in the OSCA backend → the stele's new view published.

Run: .venv/bin/python tests/bench/osca_livequery.py [changes]
Starts a real Parse Server (tests/parse_server.py: npm parse-server on the local
PostgreSQL), an OSCA source on it with polling effectively off (poll_s = 3600), then saves
`changes` (default 40) edits of a diashow object's duration through the REST API, one at a
time. The clock runs from just before the REST PUT (as the configurator would send it)
until the source has re-run its queries and published the view with the new duration:
LiveQuery event, debounce (50 ms), the whole snapshot re-read, the mapping. It stops before
the screen: tests/bench/osca_glass.py runs the whole kiosk on to the presented frame.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script

from tests.adapters.osca_helpers import items, make_source
from tests.adapters.test_osca_source import png
from tests.parse_server import ParseServer

WARMUP = 3


def main(changes: int = 40) -> None:
    with tempfile.TemporaryDirectory(prefix="osca-bench-") as tmp:
        work = Path(tmp)
        server = ParseServer(work).start()
        try:
            server.seed_schema()
            server.seed_user()
            diashow = server.seed_diashow(
                [
                    {
                        "name": "a.png",
                        "data": png(),
                        "file_type": "image",
                        "content_type": "image/png",
                        "duration": 5,
                    }
                ]
            )
            source, views = make_source(server, work / "state", start=False, poll_s=3600)
            server.seed_screen(source.uuid, layout_config=server.seed_layout(diashow=diashow))
            source.start()
            try:
                views.wait_for(lambda v: len(v["manifest"]["items"]) == 1)
                deadline = time.monotonic() + 10
                while source.link != "livequery" and time.monotonic() < deadline:
                    time.sleep(0.05)
                obj = server.find("SteleDiashowObject")[0]["objectId"]
                samples = []
                for n in range(WARMUP + changes):
                    duration = 10 + n % 500
                    t0 = time.monotonic()
                    server.update("SteleDiashowObject", obj, duration=duration)
                    views.wait_for(lambda v, d=duration: items(v)[0]["duration_s"] == d, 10.0)
                    if n >= WARMUP:
                        samples.append((time.monotonic() - t0) * 1000)
                    time.sleep(0.2)
            finally:
                source.stop()
        finally:
            server.close()
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]
    print(
        f"LiveQuery change -> view published, {len(samples)} changes: "
        f"p50 {statistics.median(samples):.0f} ms, p95 {p95:.0f} ms, max {samples[-1]:.0f} ms"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
