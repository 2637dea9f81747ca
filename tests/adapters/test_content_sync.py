"""Content sync against the real local HTTP server (tests/httpd.py) and a real cache on disk."""

from __future__ import annotations

import errno
import hashlib
import json
import random
import threading
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from stele.adapters.content_cache import PART_PREFIX, ContentCache
from stele.adapters.content_sync import ContentSync, ContentSyncer, SyncResult
from stele.domain.manifest import Manifest
from stele.domain.playlist import Place
from tests.contentgen import ARS, blob, manifest, media_item, publish
from tests.httpd import HttpServer, Resource

PLACE = Place(ARS, ("innenstadt",), ZoneInfo("Europe/Berlin"))
FILES = {f"f{i}.png": blob(i) for i in range(4)}


class FullDiskCache(ContentCache):
    """A fake: every write of a download fails as a full disk does (ENOSPC)."""

    def _write(self, fh: Any, chunk: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")


class FullDiskRecords(ContentCache):
    """A fake: writing a manifest record fails as on a full disk (ENOSPC)."""

    def _save(self, name: str, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.fixture
def srv() -> Any:
    with HttpServer() as server:
        yield server


def make_sync(srv: HttpServer, root: Path, cache: ContentCache | None = None, **kw: Any) -> ContentSync:
    kw.setdefault("sleep", lambda s: None)  # manifest retries without waiting
    kw.setdefault("rng", random.Random(1))
    kw.setdefault("read_timeout_s", 2.0)
    return ContentSync(
        cache or ContentCache(root, 10**9), srv.url("/content/manifest.json"), PLACE, **kw
    )


def wait_for(predicate: Any, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def media_files(root: Path) -> set[str]:
    return {p.name for p in (root / "media").iterdir()}


def sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def test_first_sync_fetches_every_file_verified_and_goes_live(srv: HttpServer, tmp_path: Path) -> None:
    publish(srv, "v1", FILES)
    result = make_sync(srv, tmp_path).sync_once()
    assert result.to_json() == {
        "version": "v1", "live": "v1", "requests": 5,
        "downloaded_bytes": sum(map(len, FILES.values())),
        "files": {"cached": 0, "fetched": 4, "failed": 0}, "left_out": [],
    }
    assert result.exit_code == 0 and result.went_live
    assert media_files(tmp_path) == {sha(b) for b in FILES.values()}
    for body in FILES.values():
        path = ContentCache(tmp_path, 10**9).path_for(sha(body))
        assert path is not None and path.read_bytes() == body


def test_unchanged_manifest_costs_one_request_and_no_body(srv: HttpServer, tmp_path: Path) -> None:
    publish(srv, "v1", FILES)
    sync = make_sync(srv, tmp_path)
    sync.sync_once()
    srv.reset_log()
    result = sync.sync_once()
    assert wait_for(lambda: srv.count() == 1)  # the server logs just after answering
    assert srv.statuses() == {304: 1} and srv.body_bytes() == 0
    assert result.requests == 1 and result.downloaded_bytes == 0
    assert result.to_json()["files"] == {"cached": 4, "fetched": 0, "failed": 0}
    assert result.exit_code == 0 and not result.changed


def test_one_item_changed_is_one_download(srv: HttpServer, tmp_path: Path) -> None:
    publish(srv, "v1", FILES)
    sync = make_sync(srv, tmp_path)
    sync.sync_once()
    srv.reset_log()
    publish(srv, "v2", {**FILES, "f2.png": blob(99)})
    result = sync.sync_once()
    assert result.requests == 2 and result.fetched == 1 and result.cached == 3
    assert result.downloaded_bytes == len(blob(99)) and result.live == "v2"
    assert wait_for(lambda: srv.count("/content/media/f2.png") == 1)


def test_the_same_file_under_two_urls_is_downloaded_once(srv: HttpServer, tmp_path: Path) -> None:
    body = blob(7)
    srv.put("/a/one.png", body)
    srv.put("/elsewhere/two.png", body)
    items = [media_item("one", body, "/a/one.png"), media_item("two", body, srv.url("/elsewhere/two.png"))]
    srv.put("/content/manifest.json", manifest("v1", items))
    result = make_sync(srv, tmp_path).sync_once()
    assert result.requests == 2 and result.fetched == 1 and result.live == "v1"
    assert wait_for(lambda: srv.count("/a/one.png") == 1)
    assert srv.count("/elsewhere/two.png") == 0


def test_relative_urls_resolve_against_the_manifest_url(srv: HttpServer, tmp_path: Path) -> None:
    body = blob(3)
    srv.put("/content/media/x.png", body)
    srv.put("/top.png", body + b"-")  # what a wrong resolution ("/media/x.png" from /) misses
    srv.put("/content/manifest.json", manifest("v1", [media_item("x", body, "media/x.png")]))
    assert make_sync(srv, tmp_path).sync_once().fetched == 1
    assert wait_for(lambda: srv.count("/content/media/x.png") == 1)


def test_items_aimed_elsewhere_are_not_fetched_and_do_not_block(srv: HttpServer, tmp_path: Path) -> None:
    other = media_item("muenchen", blob(5), "media/m.png", targets={"ars": ["09162"]})
    publish(srv, "v1", {"f0.png": FILES["f0.png"]}, extra=[other])
    result = make_sync(srv, tmp_path).sync_once()
    assert result.live == "v1" and result.fetched == 1 and srv.count("/content/media/m.png") == 0


def _v1_live(srv: HttpServer, root: Path, **kw: Any) -> ContentSync:
    publish(srv, "v1", FILES)
    sync = make_sync(srv, root, **kw)
    assert sync.sync_once().live == "v1"
    return sync


def test_hash_mismatch_is_never_stored_and_left_out_after_three(srv: HttpServer, tmp_path: Path) -> None:
    sync = _v1_live(srv, tmp_path)
    good = blob(50)
    data = publish(srv, "v2", {**FILES, "new.png": good})
    srv.put("/content/media/new.png", blob(51))  # same size, other bytes
    before = media_files(tmp_path)
    for attempt in (1, 2):
        result = sync.sync_once(force=True)
        assert (result.version, result.live, result.exit_code) == ("v2", "v1", 1)
        assert result.left_out == [] and result.failed == 1
        assert media_files(tmp_path) == before  # nothing wrong, nothing partial
        assert sync.cache.failure(sha(good)).count == attempt
    result = sync.sync_once(force=True)
    assert result.live == "v2" and result.exit_code == 1  # the rest goes live without it
    assert result.left_out == [("new", result.left_out[0][1])]
    assert "SHA-256 does not match" in result.left_out[0][1] and "3 times" in result.left_out[0][1]
    srv.reset_log()
    assert sync.sync_once(force=True).requests == 1  # left out: not tried again
    # The manifest changes that file (right bytes now): tried again, and it plays.
    fixed = blob(52)
    data["items"][-1] = media_item("new", fixed, "media/new.png")
    srv.put("/content/media/new.png", fixed)
    srv.put("/content/manifest.json", json.dumps(data).encode())
    result = sync.sync_once()
    assert result.fetched == 1 and result.left_out == [] and result.exit_code == 0


def test_a_404_leaves_the_item_out_at_once_and_backs_off(srv: HttpServer, tmp_path: Path) -> None:
    now = [1000.0]
    sync = _v1_live(srv, tmp_path, clock=lambda: now[0])
    publish(srv, "v2", {**FILES, "gone.png": blob(60)})
    srv.remove("/content/media/gone.png")
    result = sync.sync_once()
    assert result.live == "v2" and [i for i, _ in result.left_out] == ["gone"]
    assert "HTTP 404" in result.left_out[0][1]
    srv.reset_log()
    sync.sync_once()  # a running stele waits for the backoff
    assert srv.count("/content/media/gone.png") == 0
    sync.sync_once(force=True)  # `stele content sync` tries anyway
    assert wait_for(lambda: srv.count("/content/media/gone.png") == 1)
    now[0] += 10_000
    srv.put("/content/media/gone.png", blob(60))
    result = sync.sync_once()
    assert result.fetched == 1 and result.left_out == [] and result.exit_code == 0


@pytest.mark.parametrize(
    ("fault", "why"),
    [
        (Resource(b"", status=500), "HTTP 500"),
        (Resource(b"", status=503), "HTTP 503"),
        (Resource(blob(70), cut_at=700), "connection lost"),
        (Resource(blob(70), drop=True), "connection lost"),
        (Resource(blob(70), delay_s=1.5), "timed out"),
    ],
)
def test_a_failing_file_keeps_the_old_version_live(
    srv: HttpServer, tmp_path: Path, fault: Resource, why: str
) -> None:
    sync = _v1_live(srv, tmp_path, read_timeout_s=0.5)
    publish(srv, "v2", {**FILES, "bad.png": blob(70)})
    srv.put("/content/media/bad.png", fault)
    result = sync.sync_once()
    assert (result.version, result.live, result.exit_code) == ("v2", "v1", 1)
    assert why in sync.cache.failure(sha(blob(70))).reason
    assert sha(blob(70)) not in media_files(tmp_path)
    assert not [n for n in media_files(tmp_path) if n.startswith(PART_PREFIX)]
    assert json.loads(sync.cache.live().body)["version"] == "v1"
    srv.put("/content/media/bad.png", blob(70))  # the server recovers
    assert sync.sync_once(force=True).live == "v2"


def test_unreachable_or_failing_manifest_server_changes_nothing(srv: HttpServer, tmp_path: Path) -> None:
    sync = _v1_live(srv, tmp_path, read_timeout_s=0.5)
    live = (tmp_path / "live.json").read_bytes()
    for fault, why in [(Resource(b"", status=500), "HTTP 500"), (Resource(b"{}", delay_s=1.2), "timed out")]:
        srv.put("/content/manifest.json", fault)
        srv.reset_log()
        result = sync.sync_once()
        assert result.error == why and result.exit_code == 3
        assert result.requests == 3  # the manifest is retried (jittered backoff), nothing else
        if fault.status == 500:  # the server logs a request just after answering it
            assert wait_for(lambda: srv.count() == 3)
        assert result.to_json()["live"] == "v1"
    srv.put("/content/manifest.json", Resource(b"", status=404))
    assert sync.sync_once().error == "HTTP 404"
    srv.stop()
    result = sync.sync_once()
    assert result.exit_code == 3 and result.error.startswith("connection failed")
    assert (tmp_path / "live.json").read_bytes() == live


def test_invalid_manifest_is_rejected_whole(srv: HttpServer, tmp_path: Path) -> None:
    sync = _v1_live(srv, tmp_path)
    srv.put("/content/manifest.json", b'{"version": "v2", "items": [{"id": "a", "type": "text", "tilte": "x"}]}')
    result = sync.sync_once()
    assert result.exit_code == 2 and result.live == "v1"
    assert result.problems == ['items[0].tilte: unknown key (did you mean "title"?)']
    assert sync.cache.pending() is None


def test_server_that_vanishes_mid_sync(srv: HttpServer, tmp_path: Path) -> None:
    sync = _v1_live(srv, tmp_path)
    news = {f"n{i}.png": blob(100 + i) for i in range(3)}
    publish(srv, "v2", {**FILES, **news})
    srv.resource("/content/media/n1.png").delay_s = 0.6
    srv.reset_log()

    def vanish() -> None:  # once the first new file is out, while the second is being asked
        while srv.count("/content/media/n1.png") == 0 and srv.count() < 2:
            threading.Event().wait(0.01)
        threading.Event().wait(0.2)
        for path in [f"/content/media/{n}" for n in news]:
            srv.resource(path).drop = True
        srv.stop()

    killer = threading.Thread(target=vanish)
    killer.start()
    result = sync.sync_once()
    killer.join()
    assert result.live == "v1" and result.version == "v2" and result.exit_code == 1
    on_disk = media_files(tmp_path)
    assert not [n for n in on_disk if n.startswith(PART_PREFIX)]
    for body in [*FILES.values(), *news.values()]:
        path = sync.cache.path_for(sha(body))
        assert path is None or path.read_bytes() == body  # never a wrong or partial file
    assert sync.cache.path_for(sha(news["n1.png"])) is None
    assert result.fetched == 1 and sync.cache.path_for(sha(news["n0.png"])) is not None


def test_full_disk_keeps_everything_and_counts_no_failure(srv: HttpServer, tmp_path: Path) -> None:
    _v1_live(srv, tmp_path)
    publish(srv, "v2", {**FILES, "big.png": blob(80, 50_000), "big2.png": blob(81, 50_000)})
    sync = make_sync(srv, tmp_path, cache=FullDiskCache(tmp_path, 10**9))
    result = sync.sync_once()
    assert result.disk_error == "No space left on device"
    assert (result.live, result.version, result.exit_code) == ("v1", "v2", 1)
    assert result.requests == 2  # stops at the first write failure: the disk is full
    assert not [n for n in media_files(tmp_path) if n.startswith(PART_PREFIX)]
    assert len(media_files(tmp_path)) == 4
    assert sync.cache.failure(sha(blob(80, 50_000))) is None  # not the file's fault
    # Room again: the same cache directory goes on where it stopped.
    result = make_sync(srv, tmp_path).sync_once()
    assert result.live == "v2" and result.fetched == 2 and result.cached == 4


def test_full_disk_while_keeping_a_new_manifest(srv: HttpServer, tmp_path: Path) -> None:
    _v1_live(srv, tmp_path)
    live = (tmp_path / "live.json").read_bytes()
    publish(srv, "v2", {**FILES, "x.png": blob(95)})
    result = make_sync(srv, tmp_path, cache=FullDiskRecords(tmp_path, 10**9)).sync_once()
    assert result.disk_error == "No space left on device" and result.exit_code == 1
    assert result.live == "v1" and (tmp_path / "live.json").read_bytes() == live
    assert not (tmp_path / "pending.json").exists()


def test_media_reason_for_the_player(srv: HttpServer, tmp_path: Path) -> None:
    sync = _v1_live(srv, tmp_path)
    publish(srv, "v2", {**FILES, "gone.png": blob(96)})
    srv.remove("/content/media/gone.png")
    sync.sync_once()
    manifest = json.loads(sync.cache.live().body)
    from stele.domain.manifest import parse_manifest

    items = {i.id: i for i in parse_manifest(json.dumps(manifest)).items}
    assert sync.cache.media_reason(items["f0"]) is None
    assert sync.cache.media_reason(items["gone"]).startswith("media failed: HTTP 404")
    other = parse_manifest(manifest_json := json.dumps({"version": "x", "items": [media_item("new", blob(97), "n.png")]}))
    assert manifest_json and sync.cache.media_reason(other.items[0]) == "media not on disk"


def test_offline_cold_start_plays_the_last_live_manifest(srv: HttpServer, tmp_path: Path) -> None:
    _v1_live(srv, tmp_path)
    publish(srv, "v2", {**FILES, "x.png": blob(90)})
    srv.put("/content/media/x.png", Resource(b"", status=500))
    make_sync(srv, tmp_path).sync_once()  # v2 stays pending
    srv.stop()
    events: list[str] = []
    handed: list[tuple[Manifest, str]] = []
    results: list[SyncResult] = []
    done = threading.Event()

    def on_live(m: Manifest, base_url: str) -> None:
        events.append("live")
        handed.append((m, base_url))

    def on_result(r: SyncResult) -> None:
        events.append("result")
        results.append(r)
        done.set()

    syncer = ContentSyncer(make_sync(srv, tmp_path), poll_s=3600, on_live=on_live,
                           on_result=on_result)
    syncer.start()
    try:
        assert done.wait(10)
        assert events == ["live", "result"]  # the cached manifest first, before any network
        assert handed[0][0].version == "v1"
        assert handed[0][1] == srv.url("/content/manifest.json")
        assert results[0].exit_code == 3 and results[0].live == "v1"
        cache = ContentCache(tmp_path, 10**9)
        assert all(cache.path_for(sha(b)) for b in FILES.values())
    finally:
        syncer.stop()


def test_syncer_syncs_on_request_and_hands_over_what_goes_live(srv: HttpServer, tmp_path: Path) -> None:
    publish(srv, "v1", FILES)
    handed: list[str] = []
    results: list[SyncResult] = []
    cond = threading.Condition()

    def on_result(r: SyncResult) -> None:
        with cond:
            results.append(r)
            cond.notify_all()

    def on_live(m: Manifest, base_url: str) -> None:
        with cond:
            handed.append(m.version)
            cond.notify_all()

    syncer = ContentSyncer(make_sync(srv, tmp_path), poll_s=3600, on_live=on_live,
                           on_result=on_result)
    syncer.start()
    try:
        with cond:
            assert cond.wait_for(lambda: len(results) == 1, 10)
        assert handed == ["v1"]
        assert not syncer.request_sync("mqtt content", version="v1")  # the live one: nothing
        publish(srv, "v2", {**FILES, "y.png": blob(91)})
        assert syncer.request_sync("mqtt content", version="v2")
        with cond:
            assert cond.wait_for(lambda: len(results) == 2, 10)
        assert handed == ["v1", "v2"] and results[1].fetched == 1
        syncer.reload()
        with cond:
            assert cond.wait_for(lambda: handed == ["v1", "v2", "v2"], 10)
    finally:
        syncer.stop()


def test_three_failures_count_across_restarts(srv: HttpServer, tmp_path: Path) -> None:
    _v1_live(srv, tmp_path)
    publish(srv, "v2", {**FILES, "bad.png": blob(75)})
    srv.put("/content/media/bad.png", Resource(b"", status=500))
    lives = [make_sync(srv, tmp_path).sync_once(force=True).live for _ in range(3)]  # 3 starts
    assert lives == ["v1", "v1", "v2"]


def test_old_files_are_evicted_once_nothing_needs_them(srv: HttpServer, tmp_path: Path) -> None:
    cache = ContentCache(tmp_path, 6 * 2000)
    publish(srv, "v1", FILES)
    sync = make_sync(srv, tmp_path, cache=cache)
    sync.sync_once()
    newer = {f"g{i}.png": blob(200 + i) for i in range(4)}
    publish(srv, "v2", newer)
    result = sync.sync_once()
    assert result.live == "v2" and result.fetched == 4
    assert len(media_files(tmp_path)) == 8  # the player may still show v1 until it takes v2
    sync.sync_once()
    on_disk = media_files(tmp_path)
    assert {sha(b) for b in newer.values()} <= on_disk and len(on_disk) == 6
    assert cache.total_bytes() <= cache.cap_bytes


def test_stopping_mid_download_leaves_nothing_half_written(srv: HttpServer, tmp_path: Path) -> None:
    sync = _v1_live(srv, tmp_path)
    publish(srv, "v2", {**FILES, **{f"big{i}.bin": blob(300 + i, 8_000_000) for i in range(3)}})

    def cancel_once_writing() -> None:
        media = tmp_path / "media"
        assert wait_for(lambda: any(p.name.startswith(PART_PREFIX) for p in media.iterdir()), 20)
        sync.cancel.set()

    watcher = threading.Thread(target=cancel_once_writing)
    watcher.start()
    result = sync.sync_once()
    watcher.join()
    assert result.live == "v1" and result.fetched < 3
    assert not [n for n in media_files(tmp_path) if n.startswith(PART_PREFIX)]
    assert sync.cache.failures() == {}  # stopping is no failure of the file


def test_the_running_stele_retries_a_failed_file_after_its_backoff(srv: HttpServer, tmp_path: Path) -> None:
    publish(srv, "v1", FILES)
    srv.put("/content/media/f3.png", Resource(b"", status=503))
    results: list[SyncResult] = []
    cond = threading.Condition()

    def on_result(r: SyncResult) -> None:
        with cond:
            results.append(r)
            cond.notify_all()

    sync = make_sync(srv, tmp_path, retry_min_s=0.1, retry_max_s=0.2)
    syncer = ContentSyncer(sync, poll_s=3600, on_result=on_result)
    syncer.start()
    try:
        with cond:
            assert cond.wait_for(lambda: len(results) == 1, 10)
        assert results[0].live is None and results[0].failed == 1
        srv.put("/content/media/f3.png", FILES["f3.png"])  # the server recovers
        with cond:  # no poll for an hour: the file's own backoff brings the next sync
            assert cond.wait_for(lambda: len(results) == 2, 10)
        assert results[1].live == "v1" and results[1].fetched == 1 and results[1].requests == 2
    finally:
        syncer.stop()
