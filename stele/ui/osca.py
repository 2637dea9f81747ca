"""The OSCA backend (docs/osca.md) as the kiosk's content source, on the GUI thread.

`OscaSource` keeps the view of this stele's configuration current on its own thread; each
view hops here through a queued signal. Its manifest goes to the ContentPlayer in place of
the manifest syncer's (same plan, cache, slides, proof of play). The media files the OSCA
store already verified are hard-linked into the content cache (a copy where a link cannot
be made): no second download. News and weather items take their data from the view's
`live` (the Parse rows the source read), not from the feed fetchers. While the stele waits
for activation the content's place shows the "wird gerade konfiguriert" notice.

The screenshot uploader's thread asks for the presented frame through `grab()`, which hops
to the GUI thread and waits for it there.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, Qt, Signal
from PySide6.QtGui import QInputDevice
from PySide6.QtQuick import QQuickView

from stele.adapters.content_cache import ContentCache, MediaMismatch
from stele.adapters.osca.screenshots import ScreenshotUploader
from stele.adapters.osca.source import OscaSource
from stele.config.models import Config
from stele.domain.livedata import LiveData
from stele.domain.manifest import Item, Manifest, ManifestError, parse_manifest
from stele.domain.osca_live import live_data
from stele.ui.content import ContentPlayer
from stele.ui.content_model import ContentBridge
from stele.ui.osca_grid import departure_items, tile_maps

log = logging.getLogger("stele.osca")
Clock = Callable[[], datetime]
GRAB_WAIT_S = 5.0


class OscaContent(QObject):
    changed = Signal()  # the uuid, state or problems changed: the status is due

    _view = Signal(object)  # a view dict (the source's thread)
    _grab = Signal()  # the uploader's thread wants a frame

    def __init__(
        self,
        cfg: Config,
        player: ContentPlayer,
        bridge: ContentBridge,
        window: QQuickView,
        *,
        clock: Clock,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        assert cfg.osca is not None  # the config validates it for source = "osca"
        self._player = player
        self._zone = ZoneInfo(cfg.device.timezone)
        self._bridge = bridge
        self._window = window
        self._clock = clock
        self.problems: list[str] = []
        self.state: str | None = None
        self._live: dict[str, Any] = {}
        self._fetched = clock()
        self._frame: bytes | None = None
        self._framed = threading.Event()
        self._stopped = False
        queued = Qt.ConnectionType.QueuedConnection
        self._view.connect(self._on_view, queued)
        self._grab.connect(self._on_grab, queued)
        # A touch panel shows the Touchscreen layout as its tile grid; without touch input
        # its tiles rotate large one at a time as the manifest's items.
        self.touch = has_touch_screen()
        self._last: dict[str, Any] | None = None
        self.source = OscaSource(cfg.osca, cfg.storage.dir, self._view.emit)
        self.uploader = ScreenshotUploader(
            self.source, self.grab, lambda: self._player.slide is not None
        )

    @property
    def uuid(self) -> str:
        return self.source.uuid

    def start(self) -> None:
        self.source.start()  # a cached view is published at once, before the network
        self.uploader.start()

    def stop(self) -> None:
        self._stopped = True
        self._framed.set()  # an uploader waiting for a frame gives up
        self.uploader.stop()
        self.source.stop()

    def refresh(self) -> bool:
        """`sync-now`: re-read the backend at once."""
        self.source.refresh()
        return True

    # -- views, on the GUI thread ----------------------------------------------------------

    def _on_view(self, view: dict[str, Any]) -> None:
        if self._stopped:
            return
        problems = [f"osca: {p}" for p in view.get("problems") or []]
        try:
            manifest = parse_manifest(json.dumps(view["manifest"]))
        except (ManifestError, KeyError, TypeError) as exc:
            # The last good manifest keeps playing; the status names why the new one did not.
            log.error("osca: the mapped manifest is unusable: %s", exc)
            self._set_problems([*problems, f"osca: mapped manifest unusable: {exc}"])
            return
        adopt_media(self._player.cache, self.source.files.dir, manifest.items)
        self._live = dict(view.get("live") or {})
        self._fetched = self._clock()
        self.state = str(view.get("state"))
        if self.state == "configuring":
            self._bridge.set_notice(str(view.get("message") or ""), str(view.get("name") or ""))
        else:
            self._bridge.set_notice("")
        self._set_problems(problems)
        self._last = view
        tiles: list[dict[str, Any]] = []
        if self.touch and view.get("grid"):
            cache = self._player.cache
            tiles = tile_maps(
                view,
                manifest,
                self._live_for,
                cache.path_for if cache is not None else lambda _sha: None,
                self._clock(),
                self._zone,
            )
            # The grid draws the tiles itself: the rotation has nothing of its own to play.
            manifest = Manifest(version=manifest.version, items=())
        elif view.get("grid"):
            extra = departure_items(view, self._zone)
            if extra:
                # The version moves with the rows: a new version exactly when items change.
                digest = hashlib.sha256("".join(i.body or "" for i in extra).encode())
                manifest = Manifest(
                    version=f"{manifest.version}-{digest.hexdigest()[:8]}",
                    items=(*manifest.items, *extra),
                )
        self._bridge.set_tiles(tiles)
        self._player.use_manifest(manifest, self._live_for, self._fetched)

    def set_touch(self, touch: bool) -> None:
        """Grid or rotation (a touch panel plugged in later; tests)."""
        if touch != self.touch:
            self.touch = touch
            if self._last is not None:
                self._on_view(self._last)

    def _live_for(self, item: Item) -> LiveData | None:
        url = item.source.url if item.source is not None else ""
        return live_data(item.type, url, self._live.get(item.id), self._fetched)

    def _set_problems(self, problems: list[str]) -> None:
        if problems != self.problems:
            self.problems = problems
        self.changed.emit()

    # -- screenshots -----------------------------------------------------------------------

    def grab(self) -> bytes | None:
        """The frame on the glass as PNG; called from the uploader's thread."""
        if self._stopped:
            return None
        self._framed.clear()
        self._frame = None
        self._grab.emit()
        self._framed.wait(GRAB_WAIT_S)
        return self._frame

    def _on_grab(self) -> None:
        try:
            if self._stopped:
                return
            image = self._window.grabWindow()
            data = QByteArray()
            buffer = QBuffer(data)
            buffer.open(QIODevice.OpenModeFlag.WriteOnly)
            if image.save(buffer, "PNG"):  # type: ignore[call-overload]  # the stubs want bytes, 6.8 takes str
                self._frame = bytes(data.data())
        finally:
            self._framed.set()


def adopt_media(cache: ContentCache | None, files: Path, items: tuple[Item, ...]) -> None:
    """The OSCA store's verified files into the content cache by hash: a hard link (same
    file system, no bytes copied), else a copy that the cache verifies once more."""
    if cache is None:
        return
    # Older pictures leave the content cache under its cap, least recently shown first (the
    # OSCA store drops what the backend no longer names from its own directory).
    cache.protect(i.media.sha256 for i in items if i.media is not None)
    cache.evict()
    for item in items:
        media = item.media
        if media is None or cache.has(media.sha256):
            continue
        source = files / media.sha256
        try:
            os.link(source, cache.media / media.sha256)
        except FileExistsError:
            pass
        except OSError:
            try:
                cache.store(media.sha256, media.size, _chunks(source))
            except (OSError, MediaMismatch) as exc:
                log.warning("osca: %s not adopted into the content cache: %s", media.sha256, exc)


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 16):
            yield chunk


def has_touch_screen() -> bool:
    return any(d.type() == QInputDevice.DeviceType.TouchScreen for d in QInputDevice.devices())
