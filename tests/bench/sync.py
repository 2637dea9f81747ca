"""Content sync of a 500-item manifest against the real local HTTP server (tests/httpd.py).

Run: .venv/bin/python tests/bench/sync.py [items] [kilobytes per file] [directory]
Three syncs into one cache, as a stele makes them: the first (every file fetched, verified,
fsynced, renamed; then live), an unchanged one (the manifest answered 304), and one after a
single item's file changed. Requests and bytes come from the server's own log, not from
the syncer's count. Then the schedule: plan() over the same manifest, and `next_change`.
The cache defaults to a temporary directory under /var/tmp (a disk, not a tmpfs).
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script

from stele.adapters.content_cache import ContentCache
from stele.adapters.content_sync import ContentSync, SyncResult
from stele.domain.manifest import parse_manifest
from stele.domain.playlist import Place, plan
from tests.contentgen import ARS, blob, publish
from tests.httpd import HttpServer

PLACE = Place(ARS, ("innenstadt",), ZoneInfo("Europe/Berlin"))


def timed(sync: ContentSync) -> tuple[SyncResult, float]:
    start = time.perf_counter()
    result = sync.sync_once()
    return result, time.perf_counter() - start


def media_requests(srv: HttpServer) -> tuple[int, int]:
    reqs = [r for r in srv.requests if r.path.startswith("/content/media/")]
    return len(reqs), sum(r.body_bytes for r in reqs)


def report(label: str, srv: HttpServer, result: SyncResult, seconds: float) -> None:
    time.sleep(0.2)  # the server logs each request just after answering it
    media, media_bytes = media_requests(srv)
    manifest = [r.status for r in srv.requests if r.path == "/content/manifest.json"]
    print(
        f"{label:<18} {seconds * 1000:9.1f} ms   requests {srv.count():4d} "
        f"(manifest: {manifest}, media: {media})"
        f"   media bytes {media_bytes:>11,}   fetched {result.fetched:3d}   live {result.live}"
    )


def schedule_figures(body: bytes) -> None:
    manifest = parse_manifest(body)
    now = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
    times = []
    for _ in range(20):
        start = time.perf_counter()
        result = plan(manifest, now, PLACE)
        times.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    for _ in range(20):
        parse_manifest(body)
    parse_ms = (time.perf_counter() - start) * 1000 / 20
    print(
        f"parse_manifest     {parse_ms:9.1f} ms   ({len(body):,} bytes)\n"
        f"plan()             {statistics.median(times):9.1f} ms median of 20   "
        f"playlist {len(result.playlist)}, skipped {len(result.skipped)}, "
        f"next_change {result.next_change}"
    )


def main() -> int:
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    size = 1024 * (int(sys.argv[2]) if len(sys.argv) > 2 else 100)
    base = Path(sys.argv[3]) if len(sys.argv) > 3 else Path("/var/tmp")
    files = {f"item{i:03d}.jpg": blob(i, size) for i in range(items)}
    rng = random.Random(5)
    windows = [
        {
            "id": f"slot{i}",
            "type": "text",
            "title": f"Slot {i}",
            "schedule": {
                "weekdays": rng.sample(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], 3),
                "times": [
                    {
                        "from": f"{rng.randrange(6, 12):02d}:{rng.choice(['00', '30'])}",
                        "until": f"{rng.randrange(13, 23):02d}:00",
                    }
                ],
            },
        }
        for i in range(20)
    ]
    print(
        f"{items} image items of {size:,} bytes ({items * size / 1e6:.1f} MB) + "
        f"{len(windows)} scheduled text items; cache under {base}"
    )
    with HttpServer() as srv, tempfile.TemporaryDirectory(dir=base) as tmp:
        publish(srv, "v1", files, extra=windows)
        sync = ContentSync(
            ContentCache(Path(tmp), 10 * items * size), srv.url("/content/manifest.json"), PLACE
        )
        result, seconds = timed(sync)
        report("first sync", srv, result, seconds)
        print(f"{'':<18} {items * size / seconds / 1e6:9.1f} MB/s verified and fsynced")
        srv.reset_log()
        result, seconds = timed(sync)
        report("unchanged", srv, result, seconds)
        srv.reset_log()
        publish(srv, "v2", {**files, "item250.jpg": blob(10_000, size)}, extra=windows)
        result, seconds = timed(sync)
        report("one item changed", srv, result, seconds)
        schedule_figures(srv.resource("/content/manifest.json").body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
