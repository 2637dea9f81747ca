"""One content sync (docs/content.md, "Sync and cache"): manifest, media, going live.

A sync asks for the manifest conditionally (an unchanged one costs one request and no body),
keeps a new valid one as *pending*, fetches the media files the items aimed at this stele
need (each file once, whatever its URL, verified before it gets its name), and makes the
pending manifest *live* when every such file is on disk or left out. Whatever goes wrong
(an unreachable server, an invalid manifest, a cut body, a full disk) leaves the live
manifest and every verified file as they were.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from stele.adapters.content_cache import MAX_FAILURES, ContentCache, MediaMismatch, StoredManifest
from stele.adapters.content_result import Need, SyncResult, media_needs
from stele.domain.backoff import backoff_delay
from stele.domain.manifest import Item, Manifest, ManifestError, parse_manifest
from stele.domain.playlist import Place

if TYPE_CHECKING:
    import requests

log = logging.getLogger(__name__)

MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_CHUNK = 64 * 1024


class _Unreachable(Exception):
    pass


class _DiskFull(Exception):
    pass


class _Cancelled(Exception):
    pass


@dataclass
class _Fetched:
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    final_url: str = ""


class ContentSync:
    """Runs one sync at a time (the caller serialises: ContentSyncer or the CLI)."""

    def __init__(
        self,
        cache: ContentCache,
        manifest_url: str,
        place: Place,
        *,
        session: requests.Session | None = None,
        connect_timeout_s: float = 10.0,
        read_timeout_s: float = 30.0,
        manifest_attempts: int = 3,
        retry_min_s: float = 30.0,
        retry_max_s: float = 3600.0,
        rng: random.Random | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.cache = cache
        self.manifest_url = manifest_url
        self.place = place
        self._session = session
        self.timeout = (connect_timeout_s, read_timeout_s)
        self.manifest_attempts = manifest_attempts
        self.retry_min_s, self.retry_max_s = retry_min_s, retry_max_s
        self.rng = rng or random.Random()
        self._sleep = sleep
        self._clock = clock
        self.cancel = threading.Event()  # set: the running sync stops at the next chunk

    @property
    def session(self) -> requests.Session:
        """Made for the first request, on the thread that syncs: a stele playing from its
        cache starts without importing requests (some 60 ms of a cold start)."""
        if self._session is None:
            import requests

            self._session = requests.Session()
        return self._session

    # -- the whole sync ------------------------------------------------------------------------
    def sync_once(self, force: bool = False) -> SyncResult:
        """One sync. `force` (the CLI): one attempt at every missing file, whatever the
        backoff says (files that failed three times stay left out)."""
        started = time.monotonic()
        result = SyncResult()
        try:
            with self.cache.exclusive():
                self._sync(result, force)
        except _Cancelled:
            log.info("content sync: stopped half-way (shutting down); nothing half-written")
        except OSError as exc:  # a manifest record could not be written (a full disk)
            result.disk_error = exc.strerror or str(exc)
            log.error("content sync: cannot write the cache: %s", result.disk_error)
        finally:
            result.seconds = time.monotonic() - started
        return result

    def _sync(self, result: SyncResult, force: bool) -> None:
        live, pending = self.cache.live(), self.cache.pending()
        live_m, pending_m = _parsed(live), _parsed(pending)
        if pending_m is None:
            pending = None
        newest = pending or live
        result.live = live_m.version if live_m else None
        newest_m = pending_m or live_m
        result.version = newest_m.version if newest_m else None
        try:
            got = self._fetch_manifest(newest, result)
        except _Unreachable as exc:
            result.error = str(exc)
            return
        result.checked_at = datetime.fromtimestamp(self._clock(), UTC)
        if got.status == 200:
            record = StoredManifest(
                got.body,
                self.manifest_url,
                got.final_url,
                got.etag,
                got.last_modified,
                self._clock(),
            )
            if newest is not None and got.body == newest.body:
                self._keep_validators(record, newest is pending)
            else:
                try:
                    fresh = parse_manifest(got.body)
                except ManifestError as exc:
                    result.problems = exc.problems
                    return
                result.changed, result.version = True, fresh.version
                if live is not None and got.body == live.body:  # back to what plays
                    self.cache.save_live(record)
                    self.cache.drop_pending()
                    live, pending, pending_m = record, None, None
                else:
                    self.cache.save_pending(record)
                    pending, pending_m = record, fresh
        self._fetch_media(result, force, live, live_m, pending, pending_m)

    def _keep_validators(self, record: StoredManifest, is_pending: bool) -> None:
        (self.cache.save_pending if is_pending else self.cache.save_live)(record)

    def _fetch_media(
        self,
        result: SyncResult,
        force: bool,
        live: StoredManifest | None,
        live_m: Manifest | None,
        pending: StoredManifest | None,
        pending_m: Manifest | None,
    ) -> None:
        live_needs = media_needs(live_m, live.base_url, self.place) if live and live_m else {}
        pend_needs = (
            media_needs(pending_m, pending.base_url, self.place) if pending and pending_m else {}
        )
        every = dict(pend_needs)
        for sha, need in live_needs.items():  # the pending manifest's URLs first
            if sha not in every:
                every[sha] = need
            else:
                extra = tuple(u for u in need.urls if u not in every[sha].urls)
                every[sha] = replace(every[sha], urls=every[sha].urls + extra)
        newest_m, newest_needs = (pending_m, pend_needs) if pending_m else (live_m, live_needs)
        self.cache.protect(every)
        # A record stands only while the manifest says the same about that file.
        self.cache.forget_failures(
            lambda sha, f: (
                sha in every
                and not self.cache.has(sha)
                and tuple(f.urls) == every[sha].urls
                and f.size == every[sha].size
            )
        )
        missing = [n for n in every.values() if not self.cache.has(n.sha256)]
        result.cached = sum(1 for sha in newest_needs if self.cache.has(sha))
        todo = [n for n in missing if self._attemptable(n, force)]
        todo.sort(key=lambda n: n.sha256 not in pend_needs)  # what blocks going live first
        self.cache.evict(room_for=sum(n.size for n in todo))
        for need in todo:
            if self.cancel.is_set():
                raise _Cancelled
            try:
                reason, permanent = self._download(need, result)
            except _DiskFull as exc:  # not the file's fault: no count against it
                result.disk_error = str(exc)
                log.error("content sync: cannot write the cache: %s", exc)
                break
            if reason is None:
                result.fetched += 1
                continue
            previous = self.cache.failure(need.sha256)
            attempt = previous.count if previous else 0
            failure = self.cache.record_failure(
                need.sha256,
                list(need.urls),
                need.size,
                reason,
                permanent=permanent,
                retry_at=self._clock()
                + self.retry_min_s
                + backoff_delay(attempt, self.retry_min_s, self.retry_max_s, self.rng),
            )
            log.warning(
                "content sync: %s (items %s) failed, attempt %d of %d: %s",
                need.sha256[:12],
                ", ".join(need.items),
                failure.count,
                MAX_FAILURES,
                reason,
            )
        if pending is not None and pending_m is not None:
            blocking = [
                n
                for n in pend_needs.values()
                if not self.cache.has(n.sha256) and not self._left_out(n)
            ]
            if not blocking:
                self.cache.save_live(pending)
                self.cache.drop_pending()
                live_m, result.went_live = pending_m, True
                # The old live files stay protected until the next sync: the player may
                # still be showing them until it has taken the new manifest over.
        result.live = live_m.version if live_m else None
        if newest_m is not None:
            result.version, result.items = newest_m.version, len(newest_m.items)
            is_live = newest_m is live_m
            result.failed = sum(1 for sha in newest_needs if not self.cache.has(sha))
            result.left_out = [
                (item.id, reason)
                for item in newest_m.items
                if (reason := self._item_problem(item, newest_needs, is_live)) is not None
            ]
        self.cache.evict()

    # -- per file --------------------------------------------------------------------------------
    def _left_out(self, need: Need) -> bool:
        failure = self.cache.failure(need.sha256)
        return failure is not None and (failure.count >= MAX_FAILURES or failure.permanent)

    def _attemptable(self, need: Need, force: bool) -> bool:
        failure = self.cache.failure(need.sha256)
        if failure is None:
            return True
        return failure.count < MAX_FAILURES and (force or failure.next_try <= self._clock())

    def _item_problem(self, item: Item, needs: dict[str, Need], is_live: bool) -> str | None:
        """Why an item of the newest manifest will not play here (None: it will, or it is
        still being fetched for a pending manifest)."""
        if item.media is None or item.media.sha256 not in needs:
            return None
        need = needs[item.media.sha256]
        if self.cache.has(need.sha256):
            return None
        failure = self.cache.failure(need.sha256)
        if failure is None:
            return "media not fetched yet" if is_live else None
        if not (is_live or self._left_out(need)):
            return None
        if failure.count >= MAX_FAILURES:
            return f"media failed {failure.count} times in a row: {failure.reason}"
        return f"media failed ({failure.count} of {MAX_FAILURES} attempts): {failure.reason}"

    def next_retry(self) -> float | None:
        """Epoch seconds of the earliest retry a running stele owes a failed file."""
        tries = [f.next_try for f in self.cache.failures().values() if f.count < MAX_FAILURES]
        return min(tries, default=None)

    def _download(self, need: Need, result: SyncResult) -> tuple[str | None, bool]:
        """(None, _) when the file is in place, else (why, whether every URL said 4xx)."""
        import requests  # imported by self.session already: its errors, caught below

        reason, all_4xx = "no URL", True
        for url in need.urls:
            result.requests += 1
            try:
                with self.session.get(url, stream=True, timeout=self.timeout) as resp:
                    if resp.status_code != 200:
                        reason = f"HTTP {resp.status_code} from {url}"
                        all_4xx &= 400 <= resp.status_code < 500
                        continue
                    self.cache.store(need.sha256, need.size, self._counted(resp, result))
                    self.cache.forget_failures(lambda sha, _: sha != need.sha256)
                    return None, False
            except MediaMismatch as exc:
                reason = f"{exc} ({url})"
            except requests.Timeout:
                reason = f"timed out ({url})"
            except requests.RequestException as exc:
                reason = f"connection lost: {type(exc).__name__} ({url})"
            except OSError as exc:  # requests' own errors are OSErrors too: they come first
                raise _DiskFull(exc.strerror or str(exc)) from None
            all_4xx = False
        return reason, all_4xx

    def _counted(self, resp: requests.Response, result: SyncResult) -> Iterator[bytes]:
        for chunk in resp.iter_content(_CHUNK):
            if self.cancel.is_set():
                raise _Cancelled
            result.downloaded_bytes += len(chunk)
            yield chunk

    # -- the manifest ----------------------------------------------------------------------------
    def _fetch_manifest(self, newest: StoredManifest | None, result: SyncResult) -> _Fetched:
        import requests  # imported by self.session already: its errors, caught below

        headers = {}
        if newest is not None and newest.url == self.manifest_url:
            if newest.etag:
                headers["If-None-Match"] = newest.etag
            if newest.last_modified:
                headers["If-Modified-Since"] = newest.last_modified
        last = "no attempt"
        for attempt in range(self.manifest_attempts):
            if attempt:
                self._sleep(backoff_delay(attempt - 1, 0.5, 8.0, self.rng))
            result.requests += 1
            try:
                with self.session.get(
                    self.manifest_url, headers=headers, stream=True, timeout=self.timeout
                ) as resp:
                    if resp.status_code == 304:
                        return _Fetched(304)
                    if resp.status_code != 200:
                        last = f"HTTP {resp.status_code}"
                        if resp.status_code >= 500 or resp.status_code == 429:
                            continue
                        raise _Unreachable(last)  # 4xx: asking again will not help
                    body = _read_limited(resp, MAX_MANIFEST_BYTES)
                    return _Fetched(
                        200,
                        body,
                        resp.headers.get("ETag"),
                        resp.headers.get("Last-Modified"),
                        resp.url,
                    )
            except requests.Timeout:
                last = "timed out"
            except requests.RequestException as exc:
                last = f"connection failed: {type(exc).__name__}"
        raise _Unreachable(last)


def _parsed(record: StoredManifest | None) -> Manifest | None:
    if record is None:
        return None
    try:
        return parse_manifest(record.body)
    except ManifestError as exc:  # stored by an older stele with other rules
        log.warning("content cache: stored manifest no longer valid: %s", exc.problems[0])
        return None


def _read_limited(resp: requests.Response, limit: int) -> bytes:
    parts, size = [], 0
    for chunk in resp.iter_content(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise _Unreachable(f"manifest larger than {limit} bytes")
        parts.append(chunk)
    return b"".join(parts)


LiveCallback = Callable[[Manifest, str], None]
ResultCallback = Callable[[SyncResult], None]


class ContentSyncer:
    """Syncs in the background (a plain thread: no Qt here) every `poll_s` with per-device
    jitter, sooner when a failed file is due again, at once on `request_sync`.

    `on_live(manifest, base_url)` and `on_result(result)` run on this thread; the UI hops
    them to its own. The live manifest on disk is handed over first, before any request,
    so a cold start without network plays what played before. Pass `rng=device_rng(id)`
    (stele.domain.backoff) so each stele polls on its own rhythm.
    """

    def __init__(
        self,
        sync: ContentSync,
        poll_s: float,
        *,
        rng: random.Random | None = None,
        on_live: LiveCallback | None = None,
        on_result: ResultCallback | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sync = sync
        self.poll_s = poll_s
        self.rng = rng or random.Random()
        self.on_live = on_live
        self.on_result = on_result
        self._clock = clock
        self._cond = threading.Condition()
        self._requested: str | None = "start"
        self._reload = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.last_result: SyncResult | None = None
        self.live_version: str | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="content-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.sync.cancel.set()  # a download in progress ends at its next chunk
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def request_sync(self, reason: str, version: str | None = None) -> bool:
        """Sync at once (the MQTT content message, `sync-now`). A `version` equal to the live
        one does nothing. Returns whether a sync was asked for."""
        if version is not None and version == self.live_version:
            return False
        with self._cond:
            self._requested = reason
            self._cond.notify_all()
        return True

    def reload(self) -> None:
        """Hand the live manifest on disk over again (`reload-content`)."""
        with self._cond:
            self._reload = True
            self._cond.notify_all()

    def _hand_over_live(self) -> None:
        record = self.sync.cache.live()
        manifest = _parsed(record)
        if record is None or manifest is None:
            return
        self.live_version = manifest.version
        if self.on_live is not None:
            self.on_live(manifest, record.base_url)

    def _due_in(self) -> float:
        wait = self.poll_s * self.rng.uniform(0.9, 1.1)
        retry = self.sync.next_retry()
        if retry is not None:
            wait = min(wait, max(1.0, retry - self._clock()))
        return wait

    def _run(self) -> None:
        self._guarded(self._hand_over_live)  # first, before any network
        deadline = time.monotonic()
        while True:
            with self._cond:
                while not (self._stopping or self._requested or self._reload):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        self._requested = "poll"
                        break
                    self._cond.wait(left)
                if self._stopping:
                    return
                reason, self._requested = self._requested, None
                reload, self._reload = self._reload, False
            if reload:
                self._guarded(self._hand_over_live)
            if reason is not None:
                log.debug("content sync: %s", reason)
                self._guarded(self._one)
                deadline = time.monotonic() + self._due_in()

    def _one(self) -> None:
        result = self.sync.sync_once(force=False)
        self.last_result = result
        (log.warning if result.error or result.problems else log.info)("%s", result.summary())
        for line in result.problems[1:]:
            log.warning("content manifest: %s", line)
        if result.went_live:
            self._hand_over_live()
        if self.on_result is not None:
            self.on_result(result)

    @staticmethod
    def _guarded(step: Callable[[], None]) -> None:
        try:
            step()
        except Exception:  # the sync must never die: it runs again at the next poll
            log.exception("content sync: unexpected failure")


__all__ = ["ContentSync", "ContentSyncer", "Need", "SyncResult", "media_needs"]
