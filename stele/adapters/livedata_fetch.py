"""Live data in the background: one thread per source URL, refreshed every `refresh_s`
(with jitter), retried with backoff after a failure, the last good result kept in memory
and on disk (spec content.md §3).

    store = LiveStore(cache_dir, place=Place(zone, lat, lon), on_update=callback)
    store.set_sources([LiveSource("news", url, max_items=5, refresh_s=900), ...])
    store.get(url)        # LiveData | None: the last good result, with its "Stand:" time
    store.close()

`set_sources` loads what the disk cache holds for each source at once, so after a cold
start without network `get` already answers with the old data and its old Stand time.
`on_update(url)` runs on the source's own thread after every successful refresh (new
data, or a 304 that moves the Stand time); hop to the GUI thread before touching Qt.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from stele.adapters.livedata_cache import Entry, LiveCache
from stele.adapters.livedata_images import ImageStore
from stele.adapters.livedata_source import Context, LiveSource, Place, refresh
from stele.domain.backoff import backoff_delay
from stele.domain.livedata import LiveData
from stele.errors import LiveDataError

log = logging.getLogger(__name__)

JITTER = 0.1  # refreshes land within ±10 % of refresh_s, so steles do not ask in step
PICTURE_GRACE_S = 3600.0  # an unreferenced picture this old is deleted


def _utcnow() -> datetime:
    return datetime.now(UTC)


class LiveStore:
    def __init__(
        self,
        cache_dir: Path,
        *,
        place: Place,
        on_update: Callable[[str], None] | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], datetime] = _utcnow,
        timeout_s: float = 10.0,
        retry_min_s: float = 5.0,
        session_factory: Callable[[], requests.Session] = requests.Session,
        picture_grace_s: float = PICTURE_GRACE_S,
    ) -> None:
        self._cache = LiveCache(cache_dir)
        self.images = ImageStore(cache_dir / "images")
        self._place = place
        self._on_update = on_update
        self._rng = rng or random.Random()
        self._clock = clock
        self._timeout_s = timeout_s
        self._retry_min_s = retry_min_s
        self._session_factory = session_factory
        self._picture_grace_s = picture_grace_s
        self._lock = threading.Lock()
        self._entries: dict[str, Entry] = {}
        self._errors: dict[str, str] = {}
        self._fetchers: dict[str, _Fetcher] = {}
        self._closed = False

    # -- what the player asks ----------------------------------------------------------------
    def get(self, url: str) -> LiveData | None:
        with self._lock:
            entry = self._entries.get(url)
            return entry.data if entry else None

    def error(self, url: str) -> str | None:
        """The reason the last refresh of `url` failed, or None after a success."""
        with self._lock:
            return self._errors.get(url)

    def image_path(self, sha256: str) -> Path | None:
        return self.images.path(sha256) if self.images.has(sha256) else None

    # -- what the manifest decides -----------------------------------------------------------
    def set_sources(self, sources: Iterable[LiveSource]) -> None:
        """Fetch exactly these sources from now on: start new ones, stop dropped ones, and
        let changed `max_items`/`refresh_s` take effect at the next refresh."""
        wanted = {s.url: s for s in sources}
        with self._lock:
            if self._closed:
                raise RuntimeError("LiveStore is closed")
            gone = [f for url, f in self._fetchers.items() if url not in wanted]
            for url, source in wanted.items():
                running = self._fetchers.get(url)
                if running is not None and running.source.kind != source.kind:
                    gone.append(running)
                    running = None
                if running is None:
                    if url not in self._entries:
                        self._entries[url] = self._cache.load(url)
                    fetcher = _Fetcher(self, source)
                    self._fetchers[url] = fetcher
                    fetcher.start()
                else:
                    running.source = source
            for fetcher in gone:
                if self._fetchers.get(fetcher.source.url) is fetcher:
                    del self._fetchers[fetcher.source.url]
                if fetcher.source.url not in wanted:
                    self._entries.pop(fetcher.source.url, None)
                    self._errors.pop(fetcher.source.url, None)
        for fetcher in gone:
            fetcher.stop()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            fetchers = list(self._fetchers.values())
            self._fetchers.clear()
        for fetcher in fetchers:
            fetcher.stop()

    # -- called by the fetchers ----------------------------------------------------------------
    def _last(self, url: str) -> Entry:
        with self._lock:
            return self._entries.get(url) or Entry()

    def _store(self, fetcher: _Fetcher, entry: Entry) -> bool:
        url = fetcher.source.url
        with self._lock:
            if self._fetchers.get(url) is not fetcher:
                return False  # dropped from the manifest meanwhile
            self._entries[url] = entry
            self._errors.pop(url, None)
        try:
            self._cache.save(url, entry)
        except OSError as exc:  # a full disk costs the restart copy, not the screen
            log.warning("live data %s: cache not written: %s", url, exc)
        if entry.data is not None and entry.data.kind == "news":
            self.images.prune(self._pictures_in_use(), self._picture_grace_s)
        return True

    def _pictures_in_use(self) -> set[str]:
        with self._lock:
            return {
                n.image_sha256
                for e in self._entries.values()
                if e.data is not None
                for n in e.data.news
                if n.image_sha256
            }

    def _failed(self, url: str, reason: str) -> None:
        with self._lock:
            self._errors[url] = reason


class _Fetcher:
    def __init__(self, store: LiveStore, source: LiveSource) -> None:
        self.store = store
        self.source = source
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"live:{source.kind}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=self.store._timeout_s * 3 + 5)

    def _first_delay(self) -> float:
        """Zero when there is nothing on disk or it is older than refresh_s; else the rest
        of its refresh period (a restart does not refetch every source at once)."""
        data = self.store._last(self.source.url).data
        if data is None:
            return 0.0
        due = data.fetched_at + timedelta(seconds=self.source.refresh_s)
        return max((due - self.store._clock()).total_seconds(), 0.0)

    def _retry_delay(self, failures: int) -> float:
        store = self.store
        cap = max(self.source.refresh_s, store._retry_min_s)
        return max(
            backoff_delay(failures - 1, store._retry_min_s, cap, store._rng), store._retry_min_s
        )

    def _run(self) -> None:
        store = self.store
        session = store._session_factory()
        ctx = Context(session, store._place, store.images, store._timeout_s)
        failures = 0
        try:
            delay = self._first_delay()
            while not self._stop.wait(delay):
                source = self.source
                try:
                    entry = refresh(source, store._last(source.url), ctx, store._clock())
                except LiveDataError as exc:
                    failures += 1
                    store._failed(source.url, str(exc))
                    level = logging.WARNING if failures == 1 else logging.DEBUG
                    log.log(level, "live data: last good result kept: %s", exc)
                    delay = self._retry_delay(failures)
                    continue
                if failures:
                    log.info("live data %s: back after %d failed refreshes", source.url, failures)
                failures = 0
                delay = source.refresh_s * store._rng.uniform(1 - JITTER, 1 + JITTER)
                if store._store(self, entry) and store._on_update is not None:
                    try:
                        store._on_update(source.url)
                    except Exception:  # a broken listener must not stop the refreshes
                        log.exception("live data %s: on_update failed", source.url)
        finally:
            session.close()
