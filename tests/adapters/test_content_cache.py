"""The content cache on disk: verified files only, atomic records, LRU eviction, restarts."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from stele.adapters.content_cache import PART_PREFIX, ContentCache, MediaMismatch, StoredManifest
from tests.contentgen import blob
from tests.httpd import HttpServer


def sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def put(cache: ContentCache, body: bytes) -> str:
    cache.store(sha(body), len(body), [body[:100], body[100:]])
    return sha(body)


def test_only_verified_files_get_a_name(tmp_path: Path) -> None:
    cache = ContentCache(tmp_path, 10**6)
    body = blob(1)
    for size, data in [(len(body), body[:-1] + b"x"), (len(body) + 1, body), (len(body) - 1, body)]:
        with pytest.raises(MediaMismatch):
            cache.store(sha(body), size, [data])
    assert cache.path_for(sha(body)) is None
    assert list((tmp_path / "media").iterdir()) == []
    put(cache, body)
    assert cache.path_for(sha(body)).read_bytes() == body


def test_a_chunk_source_that_breaks_leaves_nothing(tmp_path: Path) -> None:
    cache = ContentCache(tmp_path, 10**6)

    def cut() -> list[bytes]:
        yield b"a" * 100
        raise ConnectionError("cut")

    with pytest.raises(ConnectionError):
        cache.store("0" * 64, 200, cut())
    assert list((tmp_path / "media").iterdir()) == []


def test_manifest_records_survive_a_restart(tmp_path: Path) -> None:
    cache = ContentCache(tmp_path, 10**6)
    record = StoredManifest(b'{"version": "1", "items": []}\n', "http://a/m.json", "http://a/m.json",
                            '"abc"', "Wed, 02 Dec 2026 03:00:00 GMT", 5.0)
    cache.save_live(record)
    cache.save_pending(StoredManifest(b"{}", "u", "u"))
    again = ContentCache(tmp_path, 10**6)
    assert again.live() == record and again.pending() is not None
    again.drop_pending()
    assert ContentCache(tmp_path, 10**6).pending() is None
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(PART_PREFIX)]


def test_failure_counts_survive_a_restart(tmp_path: Path) -> None:
    cache = ContentCache(tmp_path, 10**6)
    for _ in range(2):
        cache.record_failure("a" * 64, ["http://x/a"], 5, "HTTP 500", permanent=False, retry_at=9.0)
    again = ContentCache(tmp_path, 10**6)
    failure = again.failure("a" * 64)
    assert failure is not None and (failure.count, failure.reason, failure.next_try) == (2, "HTTP 500", 9.0)


def test_eviction_spares_needed_files_and_goes_least_recently_used_first(tmp_path: Path) -> None:
    now = [1_000_000.0]
    cache = ContentCache(tmp_path, 5 * 2000, clock=lambda: now[0])
    names = []
    for i in range(6):
        now[0] += 10
        names.append(put(cache, blob(i)))
    now[0] += 10
    cache.path_for(names[0])  # used just now: the most recent
    cache.protect({names[1]})
    assert cache.evict() == [names[2]]  # 6 files, cap 5: one goes, the oldest unneeded
    assert cache.evict(room_for=2 * 2000) == [names[3], names[4]]
    cache.protect(set(names))
    assert cache.evict(room_for=10**9) == []  # over the cap, but everything is needed
    assert cache.total_bytes() == 3 * 2000


def test_leftover_partial_downloads_are_removed_at_start(tmp_path: Path) -> None:
    ContentCache(tmp_path, 10**6)
    (tmp_path / "media" / f"{PART_PREFIX}deadbeef-x").write_bytes(b"half")
    (tmp_path / f"{PART_PREFIX}live-x").write_bytes(b"{")
    ContentCache(tmp_path, 10**6)
    assert list((tmp_path / "media").iterdir()) == []
    assert not (tmp_path / f"{PART_PREFIX}live-x").exists()


def test_a_killed_download_leaves_no_file_and_no_debris(tmp_path: Path) -> None:
    """A real process killed (SIGKILL) in the middle of writing a download."""
    body = blob(9, 300_000)
    marker = tmp_path / "writing"
    child = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from stele.adapters.content_cache import ContentCache

        class SlowCache(ContentCache):  # writes the first chunk, then stalls until killed
            def _write(self, fh, chunk):
                fh.write(chunk); fh.flush()
                Path({str(marker)!r}).touch()
                time.sleep(60)

        import requests
        resp = requests.get({{url!r}}, stream=True, timeout=10)
        SlowCache(Path({str(tmp_path)!r}), 10**9).store({sha(body)!r}, {len(body)}, resp.iter_content(65536))
    """)
    with HttpServer() as srv:
        srv.put("/big.bin", body)
        proc = subprocess.Popen(
            [sys.executable, "-c", child.replace("{url!r}", repr(srv.url("/big.bin")))],
            env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
        )
        deadline = time.monotonic() + 20
        while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        assert marker.exists(), "the child never started writing"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    debris = [p for p in (tmp_path / "media").iterdir() if p.name.startswith(PART_PREFIX)]
    assert debris and debris[0].stat().st_size > 0  # the kill left a partial file behind...
    cache = ContentCache(tmp_path, 10**9)  # ...which the next start removes
    assert list((tmp_path / "media").iterdir()) == []
    assert cache.path_for(sha(body)) is None


def test_leftovers_of_a_sync_running_elsewhere_are_kept(tmp_path: Path) -> None:
    cache = ContentCache(tmp_path, 10**6)
    part = tmp_path / "media" / f"{PART_PREFIX}0123-x"
    with cache.exclusive():  # another process syncing right now
        part.write_bytes(b"in progress")
        ContentCache(tmp_path, 10**6)
        assert part.exists()
    ContentCache(tmp_path, 10**6)
    assert not part.exists()
