"""The OSCA backend as stele's content source: one background thread that keeps the view
(stele/domain/osca.py) of this stele's configuration current and on disk.

Order of things: the last good snapshot on disk is shown first (a cold start with the
backend down plays the last state); then login, the stele's SteleScreen row (created with
a random first name if missing), a fresh snapshot, its files. LiveQuery re-runs the
queries on every create/update/delete (and re-reads everything once an hour in case an
event was missed); while LiveQuery is down the source polls (every 5 s at first, doubling
while nothing changes, up to `poll_s`) and a failing backend is retried with backoff.
Departures (`mobility`) are fetched every `departures_s` with the location set in the
configurator. `on_view` is called from this thread whenever the view
changes; the caller hops to its own thread.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stele.adapters.osca.livequery import LiveQuery
from stele.adapters.osca.rest import OscaError, OscaUnreachable, ParseRest, pointer
from stele.adapters.osca.snapshot import (
    ensure_screen,
    fetch_departures,
    fetch_snapshot,
    tile_types,
)
from stele.adapters.osca.store import FileCache, load_or_make_uuid, load_snapshot, save_snapshot
from stele.domain.backoff import backoff_delay
from stele.domain.osca import build_view, geo_point

if TYPE_CHECKING:
    from stele.config.models import OscaConfig

log = logging.getLogger(__name__)
FALLBACK_POLL_MIN_S = 5.0
# While LiveQuery is up every change arrives as an event; a whole re-read once an hour only
# guards against a missed one (it costs ~18 KB: every 300 s it would double a day's bytes,
# tests/bench/osca_traffic.py).
LIVE_RECHECK_S = 3600.0
DEBOUNCE_S = 0.05  # a configurator save touches several classes at once: re-read once
FILE_RETRY_S = 30.0
LIVE_CLASSES = (
    "SteleScreen",
    "SteleLayoutConfig",
    "SteleGridConfig",
    "SteleDiashowConfig",
    "SteleDiashowObject",
    "SteleTilePosition",
    "SteleTile",
    "PressRelease",
    "WeatherObserved",
)


def osca_dir(state_dir: Path) -> Path:
    return state_dir / "osca"


class OscaSource:
    def __init__(
        self,
        cfg: OscaConfig,
        state_dir: Path,
        on_view: Callable[[dict[str, Any]], None],
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        rng: random.Random | None = None,
        backoff_min_s: float = 2.0,
        backoff_max_s: float = 300.0,
        livequery: bool = True,
        livequery_backoff_s: tuple[float, float] = (1.0, 60.0),
    ) -> None:
        self.cfg = cfg
        self.dir = osca_dir(state_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.uuid = load_or_make_uuid(self.dir)
        self.files = FileCache(self.dir)
        self.rest = ParseRest(cfg.server_url, cfg.app_id, cfg.js_key.get_secret_value())
        self._on_view = on_view
        self._now = now
        self._rng = rng or random.Random()
        self._backoff = (backoff_min_s, backoff_max_s)
        self._use_livequery = livequery
        self._lq_backoff = livequery_backoff_s
        self._lq: LiveQuery | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._dirty = True
        self._rest_lock = threading.RLock()  # upload_screenshot may log in under it
        self._thread: threading.Thread | None = None
        self.snapshot: dict[str, Any] | None = load_snapshot(self.dir)
        self.view: dict[str, Any] | None = None
        self.logged_in = False
        self.last_error: str | None = None
        self.fetches = 0
        self._cold_files = True

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> None:
        if self.snapshot is not None:
            self._publish()  # the last state, before the network is even tried
        self._thread = threading.Thread(target=self._run, name="osca-source", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._lq is not None:
            self._lq.stop()
        if self._thread is not None:
            self._thread.join(15)
        self.rest.close()

    def refresh(self) -> None:
        """Re-run the queries now (LiveQuery events, `sync-now`)."""
        self._dirty = True
        self._wake.set()

    @property
    def link(self) -> str:
        if self._lq is not None and self._lq.connected:
            return "livequery"
        return "polling" if self.logged_in and self.last_error is None else "offline"

    # --- the loop ----------------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        fallback = FALLBACK_POLL_MIN_S
        next_poll = next_departures = 0.0
        while not self._stop.is_set():
            now_m = time.monotonic()
            lq_up = self._lq is not None and self._lq.connected
            try:
                if not self.logged_in:
                    self._login()
                if self._dirty or now_m >= next_poll:
                    self._dirty = False
                    changed, files_ok = self._fetch()
                    fallback = (
                        FALLBACK_POLL_MIN_S if changed else min(fallback * 2, self.cfg.poll_s)
                    )
                    next_poll = now_m + (LIVE_RECHECK_S if lq_up else fallback)
                    if not files_ok:
                        next_poll = min(next_poll, now_m + FILE_RETRY_S)
                if now_m >= next_departures:
                    next_departures = now_m + self.cfg.departures_s
                    self._departures()
                failures = 0
                self.last_error = None
            except (OscaError, OSError, ValueError, TypeError, KeyError) as exc:
                # Whatever went wrong, the thread lives on and the last good state stays.
                if not isinstance(exc, OscaError):
                    log.exception("osca: unexpected failure")
                elif self.last_error != str(exc):
                    log.warning("osca: %s (showing the last good state)", exc)
                self.last_error = str(exc)
                self._dirty = True
                delay = backoff_delay(failures, *self._backoff, self._rng)
                failures += 1
                self._wake.wait(delay)
                self._wake.clear()
                continue
            wait = max(0.0, min(next_poll, next_departures) - time.monotonic())
            if self._wake.wait(wait):
                self._wake.clear()
                self._stop.wait(DEBOUNCE_S)

    def _login(self) -> None:
        with self._rest_lock:
            self.rest.login(self.cfg.username, self.cfg.password.get_secret_value())
            ensure_screen(self.rest, self.uuid, self._rng)
        self.logged_in = True
        log.info(
            "osca: logged in to %s as %s (uuid %s)",
            self.cfg.server_url,
            self.cfg.username,
            self.uuid,
        )
        self._watch(live_classes(self.snapshot or {}))

    def _watch(self, classes: frozenset[str]) -> None:
        """LiveQuery on `classes`; restarted when the set changes (the tile class, say, is
        only known from the snapshot: its pointers name it)."""
        if not self._use_livequery or self._stop.is_set():
            return
        if self._lq is not None:
            if self._lq.classes == classes:
                return
            self._lq.stop()
        self._lq = LiveQuery(
            self.cfg.server_url,
            self.cfg.app_id,
            self.cfg.js_key.get_secret_value(),
            lambda: self.rest.session_token,
            {cls: ({"uuid": self.uuid} if cls == "SteleScreen" else {}) for cls in classes},
            on_event=lambda _cls, _op: self.refresh(),
            # Up: catch up on what was missed. Down: re-read now, then poll.
            on_link=lambda _up: self.refresh(),
            min_s=self._lq_backoff[0],
            max_s=self._lq_backoff[1],
            rng=self._rng,
        )
        self._lq.start()

    def _fetch(self) -> tuple[bool, bool]:
        """A fresh snapshot with its files: (differs from the last good one, all files here)."""
        with self._rest_lock:
            snap = fetch_snapshot(self.rest, self.uuid, self._now())
            files_ok = self._fetch_files(snap)
        self.fetches += 1
        old = self.snapshot or {}
        for key in ("mobility", "mobility_fetched"):  # kept from their own timer
            if key in old:
                snap[key] = old[key]
        changed = _content(old) != _content(snap)
        self.snapshot = snap
        if changed:
            save_snapshot(self.dir, snap)
            self.files.keep_only(_file_names(snap))
        self._publish()
        self._watch(live_classes(snap))
        return changed, files_ok

    def _fetch_files(self, snap: dict[str, Any]) -> bool:
        ok = True
        for obj in snap.get("diashow") or []:
            file = obj.get("file")
            if not isinstance(file, dict) or not file.get("name") or not file.get("url"):
                continue
            try:
                self.files.fetch(self.rest, str(file["name"]), str(file["url"]))
            except OscaUnreachable:
                raise
            except OscaError as exc:  # this file only: the others and the snapshot stand
                log.warning("osca: %s (retried in %.0f s)", exc, FILE_RETRY_S)
                ok = False
        return ok

    def _departures(self) -> None:
        snap = self.snapshot
        if snap is None or "Busabfahrten" not in tile_types(snap):
            return
        where = geo_point((snap.get("screen") or {}).get("location"))
        if where is None:
            return
        try:
            with self._rest_lock:
                result = fetch_departures(self.rest, where)
        except OscaUnreachable:
            raise
        except OscaError as exc:  # the cloud function's own failure: keep the last departures
            log.warning("osca: departures: %s", exc)
            return
        snap["mobility"] = result
        snap["mobility_fetched"] = self._now().astimezone(UTC).isoformat()
        save_snapshot(self.dir, snap)
        self._publish()

    def _file_table(self) -> dict[str, dict[str, Any]]:
        table = {}
        for obj in (self.snapshot or {}).get("diashow") or []:
            name = (obj.get("file") or {}).get("name")
            if not name:
                continue
            # After a cold start each file is hashed once more before it is offered.
            cached = self.files.verified(name) if self._cold_files else self.files.get(name)
            if cached is not None:
                table[name] = {
                    "sha256": cached.sha256,
                    "size": cached.size,
                    "path": str(self.files.path(cached)),
                }
        self._cold_files = False
        return table

    def _publish(self) -> None:
        if self.snapshot is None:
            return
        view = build_view(self.snapshot, self._file_table(), self.cfg.server_url, self._now())
        view["osca_uuid"] = self.uuid
        if view != self.view:
            self.view = view
            self._on_view(view)

    # --- screenshots -------------------------------------------------------------------------

    def upload_screenshot(self, png: bytes) -> str:
        """Store `png` as this stele's SteleScreenshot and delete its older ones; returns the
        new row's id. Called by the UI with the grabbed frame (not on the GUI thread)."""
        screen = (self.snapshot or {}).get("screen") or {}
        screen_id = screen.get("objectId")
        if not screen_id:
            raise OscaError("no SteleScreen row known yet: screenshot not uploaded")
        with self._rest_lock:
            if not self.logged_in:
                self._login()
            file = self.rest.upload("screenshot.png", png, "image/png")
            at = self._now().astimezone(UTC).isoformat(timespec="milliseconds")
            new_id = self.rest.create(
                "SteleScreenshot",
                {
                    "screenshot": file,
                    "screen": pointer("SteleScreen", screen_id),
                    "date": {"__type": "Date", "iso": at.replace("+00:00", "Z")},
                },
            )
            older = self.rest.find(
                "SteleScreenshot",
                {"screen": pointer("SteleScreen", screen_id), "objectId": {"$ne": new_id}},
                keys="objectId",
            )
            for row in older:
                self.rest.delete("SteleScreenshot", row["objectId"])
        return new_id


def live_classes(snap: dict[str, Any]) -> frozenset[str]:
    """The fixed classes plus every class the snapshot's included pointers name."""
    named: set[str] = set(LIVE_CLASSES)

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            cls = value.get("className")
            if value.get("__type") in ("Object", "Pointer") and isinstance(cls, str):
                named.add(cls)
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for key in ("screen", "tiles"):
        walk(snap.get(key))
    named -= {"_User", "_Session", "_Role"}
    return frozenset(named)


def _file_names(snap: dict[str, Any]) -> set[str]:
    return {
        str(obj["file"]["name"])
        for obj in snap.get("diashow") or []
        if isinstance(obj.get("file"), dict) and obj["file"].get("name")
    }


def _content(snap: dict[str, Any]) -> str:
    """The snapshot without its fetch time, for "did anything change?"."""
    return json.dumps({k: v for k, v in snap.items() if k != "fetched"}, sort_keys=True)
