"""ContentPlayer: the city's content from the cache onto the rotation, on time.

One job: decide which slides the rotation plays now. The syncer, the live-data fetchers and
the PDF worker call back on their own threads; each callback is re-emitted through a queued
signal, so everything here runs on the GUI thread. The playlist is the domain's `plan()`
with `ready` saying what can really be shown (media verified on disk, live data fetched,
the PDF page rendered, the slide not failed in QML); ONE single-shot timer is armed for the
plan's `next_change` (or the next instant a live slide's text changes) — no polling.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from stele.adapters.content_cache import ContentCache
from stele.adapters.content_result import absolute_url
from stele.adapters.content_sync import ContentSync, ContentSyncer, SyncResult
from stele.adapters.mqtt import Incoming
from stele.adapters.payloads import PayloadError, decode_content_version
from stele.config.models import Config
from stele.domain.backoff import device_rng
from stele.domain.manifest import LIVE_TYPES, Item, Manifest
from stele.domain.playlist import Place, Plan, plan
from stele.ui.content_model import ContentBridge
from stele.ui.pdf_raster import PdfRaster
from stele.ui.slides import live_map, shows_something, slide_map

if TYPE_CHECKING:
    from stele.adapters.livedata_fetch import LiveStore
    from stele.domain.livedata import LiveData

# Live data handed in with a manifest from another source (the OSCA backend): item → data.
LiveLookup = Callable[[Item], "LiveData | None"]

log = logging.getLogger("stele.content")
Clock = Callable[[], datetime]
MAX_TIMER_MS = 6 * 3600 * 1000  # a later change is re-planned for then (Qt timers are int ms)
NOT_PROBLEMS = ("targets", "schedule", "priority")  # why an item does not play, by design


def content_dirs(storage: Path) -> tuple[Path, Path, Path, Path]:
    """(media cache, live data, rendered PDF pages, proof-of-play queue) under storage.dir."""
    root = storage / "content"
    return root, storage / "live", root / "pages", storage / "played"


class ContentPlayer(QObject):
    changed = Signal()  # version, slide, sync time or problems changed: the status is due
    slide_changed = Signal(str)  # the content slide on the glass ("" for none)

    _live = Signal(object, str)  # Manifest, base URL (syncer thread)
    _result = Signal(object)  # SyncResult (syncer thread)
    _updated = Signal(str)  # a live source's URL (its fetcher's thread)
    _rendered = Signal(str, int, object)  # PDF sha256, page, error (the PDF worker)

    def __init__(
        self,
        cfg: Config,
        bridge: ContentBridge,
        *,
        clock: Clock,
        page_size: tuple[int, int],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._bridge = bridge
        self._clock = clock
        dev = cfg.device
        self._zone = ZoneInfo(dev.timezone)
        self._place = Place(ars=dev.ars, tags=tuple(dev.tags), zone=self._zone)
        media, self._live_dir, pages, _ = content_dirs(cfg.storage.dir)
        self._lat_lon = (dev.latitude, dev.longitude)
        self.version: str | None = None
        self.synced: datetime | None = None
        self.slide: str | None = None
        self.problems: list[str] = []
        self._manifest: Manifest | None = None
        self._base_url = ""  # the URL the live manifest came from: relative URLs resolve there
        self._failed: dict[str, str] = {}  # slide id -> why QML could not show it
        self._left_out: list[tuple[str, str]] = []  # from the last sync
        self._prepared: dict[str, dict[str, Any]] = {}  # id -> the slide map `ready` built
        self._wake_at: datetime | None = None  # extra instant a live slide changes (events end)
        self._stopped = False
        self._lookup: LiveLookup | None = None  # set: live data comes with the manifest
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.replan)

        queued = Qt.ConnectionType.QueuedConnection
        self._live.connect(self._on_live, queued)
        self._result.connect(self._on_result, queued)
        self._updated.connect(lambda _url: None if self._stopped else self.replan(), queued)
        self._rendered.connect(self._on_rendered, queued)
        bridge.slideShown.connect(self._on_shown)
        bridge.slideFailed.connect(self._on_failed)

        content = cfg.content
        self.syncer: ContentSyncer | None = None
        self.raster = PdfRaster(pages, page_size, self._rendered.emit)
        # Made when a manifest first has news, events or weather: its parsers (iCalendar,
        # feeds) are slow to import, and a cold start must not wait for them.
        self.live: LiveStore | None = None
        self.cache: ContentCache | None = None
        if content.manifest_url is None and content.source != "osca":
            return  # no content configured: nothing on disk, the fallback between alerts
        try:
            self.cache = ContentCache(media, content.cache_mb * 1024 * 1024)
        except OSError as exc:
            # Content must never keep the stele from its alerts: it runs without content
            # (until a restart finds the disk usable again).
            log.error("content disabled: its cache cannot be used (%s)", exc)
            self.problems = [f"content: cache unusable ({exc.strerror or exc})"]
            return
        if content.manifest_url is not None:
            sync = ContentSync(self.cache, content.manifest_url, self._place)
            self.syncer = ContentSyncer(
                sync,
                content.poll_s,
                rng=device_rng(dev.id),  # each stele polls on its own rhythm
                on_live=self._live.emit,
                on_result=self._result.emit,
            )

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        """Hands over the live manifest on disk (from the syncer's start, queued) and syncs."""
        if self.syncer is not None:
            self.syncer.start()

    def stop(self) -> None:
        self._stopped = True  # callbacks still queued for the GUI thread are dropped
        self._timer.stop()
        if self.syncer is not None:
            self.syncer.stop()
        if self.live is not None:
            self.live.close()
        self.raster.stop()

    # -- triggers (MQTT) -------------------------------------------------------------------

    def announced(self, msg: Incoming) -> None:
        """PREFIX/content/<ARS12>: sync at once unless it announces the live version."""
        try:
            version = decode_content_version(msg.payload)
        except PayloadError as exc:
            log.warning("ignoring bad content announcement on %s: %s", msg.topic, exc)
            return
        if version is None or self.syncer is None:
            return
        if self.syncer.request_sync("announced", version):
            log.info("content %s announced: syncing now", version)

    def use_manifest(self, manifest: Manifest, live: LiveLookup, synced: datetime) -> None:
        """Play a manifest from another source (the OSCA backend) instead of the syncer's:
        the same plan, cache and slides; its live items read their data from `live`, not
        from the feed fetchers. Its media must be in the cache (the source adopts them)."""
        self._lookup = live
        self._set("synced", synced)
        self._on_live(manifest, "")

    def sync_now(self) -> bool:
        if self.syncer is None:
            return False
        return self.syncer.request_sync("sync-now")

    def reload(self) -> bool:
        if self.syncer is None:
            return False
        self.syncer.reload()
        return True

    # -- the playlist ----------------------------------------------------------------------

    def replan(self) -> None:
        self._timer.stop()
        manifest = self._manifest
        if manifest is None:
            self._bridge.set_slides([])
            return
        now = self._clock()
        self._prepared = {}
        self._wake_at = None
        result: Plan = plan(manifest, now, self._place, lambda item: self._ready(item, now))
        self._bridge.set_slides([self._prepared[item.id] for item in result.playlist])
        problems = [f"content item {i}: left out ({r})" for i, r in self._left_out]
        problems += [
            f"content item {s.id}: not shown ({s.reason})"
            for s in result.skipped
            if s.reason not in NOT_PROBLEMS and s.id not in dict(self._left_out)
        ]
        self._set("problems", problems)
        self._arm(now, [t for t in (result.next_change, self._wake_at) if t is not None])

    def _arm(self, now: datetime, instants: list[datetime]) -> None:
        if not instants:
            return
        ms = (min(instants) - now).total_seconds() * 1000
        self._timer.start(int(min(MAX_TIMER_MS, max(0.0, ms) + 1)))

    def _ready(self, item: Item, now: datetime) -> str | None:
        """Why `item` cannot be shown now (None: it can; its slide map is kept)."""
        if item.id in self._failed:
            return f"could not be shown: {self._failed[item.id]}"
        source: Path | None = None
        live: dict[str, Any] | None = None
        if item.media is not None:
            if self.cache is None:
                return "media: no cache"
            source = self.cache.path_for(item.media.sha256)
            if source is None:
                failure = self.cache.failure(item.media.sha256)
                return f"media: {failure.reason}" if failure else "media not on disk"
            if item.type == "pdf":
                page = item.page_number
                source = self.raster.rendered(item.media.sha256, page)
                if source is None:
                    error = self.raster.failure(item.media.sha256, page)
                    if error is None:
                        self.raster.request(
                            self.cache.media / item.media.sha256, item.media.sha256, page
                        )
                    return f"pdf: {error}" if error else "pdf page not rendered yet"
        elif item.type in LIVE_TYPES and self._lookup is not None:
            data = self._lookup(item)
            if data is None:
                return "live data: not in the backend's answer"
            live = live_map(item, data, now, self._zone, lambda _sha: None)
            if not shows_something(item.type, live):
                return "live data: nothing to show now"
        elif item.type in LIVE_TYPES:
            if self.live is None or item.source is None:
                return "live data not fetched yet"
            url = absolute_url(self._base_url, item.source.url)  # as manifest_sources has it
            data = self.live.get(url)
            if data is None:
                error = self.live.error(url)
                return f"live data: {error}" if error else "live data not fetched yet"
            live = live_map(item, data, now, self._zone, self.live.image_path)
            if not shows_something(item.type, live):
                return "live data: nothing to show now"
            self._note_live_change(item, data, now)
        self._prepared[item.id] = slide_map(item, source=source, live=live)
        return None

    def _note_live_change(self, item: Item, data: Any, now: datetime) -> None:
        """Events drop off when they end, the weather's days at midnight: plan again then."""
        when: datetime | None = None
        if item.type == "events":
            ends = [e.end for e in data.events if e.end > now]
            when = min(ends, default=None)
        elif item.type == "weather":
            local = now.astimezone(self._zone)
            when = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        if when is not None and (self._wake_at is None or when < self._wake_at):
            self._wake_at = when

    # -- callbacks, on the GUI thread ------------------------------------------------------

    def _on_live(self, manifest: Manifest, base_url: str) -> None:
        if self._stopped:
            return
        if manifest.version != self.version:
            log.info("content %s is live (%d items)", manifest.version, len(manifest.items))
            self._failed = {}  # a new manifest may have fixed what failed
        self._manifest = manifest
        self._base_url = base_url
        self._set("version", manifest.version)
        self._live_sources(manifest)
        self.replan()

    def _live_sources(self, manifest: Manifest) -> None:
        if self._lookup is not None:
            return  # the manifest's source brings its live data itself
        if not manifest.live_items and self.live is None:
            return  # nothing live: the parsers are not imported (time and ~10 MB of memory)
        from stele.adapters.livedata_source import manifest_sources

        sources = manifest_sources(manifest, self._base_url)
        if self.live is None and sources:
            from stele.adapters.livedata_fetch import LiveStore
            from stele.adapters.livedata_source import Place as LivePlace

            try:
                self.live = LiveStore(
                    self._live_dir,
                    place=LivePlace(self._zone, *self._lat_lon),
                    on_update=self._updated.emit,
                )
            except OSError as exc:
                log.error("live data disabled: its cache cannot be used (%s)", exc)
                return
        if self.live is not None:
            self.live.set_sources(sources)

    def _on_result(self, result: SyncResult) -> None:
        if self._stopped:
            return
        if result.checked_at is not None:
            self._set("synced", result.checked_at)
        self._left_out = list(result.left_out)
        if self._manifest is not None:
            self.replan()  # a file may have arrived, or failed for good
        self.changed.emit()

    def _on_rendered(self, sha256: str, page: int, error: str | None) -> None:
        if self._stopped:
            return
        self.replan()

    def _on_shown(self, identifier: str) -> None:
        shown = identifier or None
        if shown != self.slide:
            self.slide = shown
            self.slide_changed.emit(identifier)
            self.changed.emit()

    def _on_failed(self, identifier: str, reason: str) -> None:
        if identifier and identifier not in self._failed:
            log.warning("content item %s skipped: %s", identifier, reason)
            self._failed[identifier] = reason
            self.replan()

    def _set(self, attr: str, value: Any) -> None:
        if getattr(self, attr) != value:
            setattr(self, attr, value)
            self.changed.emit()
