"""One refresh of one live-data source: conditional requests, parsing, news pictures.

`refresh()` returns the new cache entry (data with its "Stand:" time, and the validators
for the next conditional request) or raises `LiveDataError`; the caller keeps the last
good entry then. No threads here: the fetcher in livedata_fetch.py calls this on its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

import requests

from stele.adapters import livedata_http
from stele.adapters.content_result import absolute_url
from stele.adapters.livedata_cache import Entry
from stele.adapters.livedata_http import Validators
from stele.adapters.livedata_ics import parse_events
from stele.adapters.livedata_images import ImageStore
from stele.adapters.livedata_news import parse_news
from stele.adapters.livedata_weather import parse_current, parse_days, weather_urls
from stele.domain.livedata import Kind, LiveData, NewsEntry, Weather, newest_first
from stele.domain.manifest import Manifest
from stele.errors import LiveDataError

log = logging.getLogger(__name__)

MAX_FEED_BYTES = 2 * 1024 * 1024
MAX_CALENDAR_BYTES = 2 * 1024 * 1024
MAX_WEATHER_BYTES = 1024 * 1024
REEXPAND = timedelta(days=1)


@dataclass(frozen=True)
class LiveSource:
    """What the manifest says about one live-data item's source (spec §1, `source`)."""

    kind: Kind
    url: str
    max_items: int = 5
    refresh_s: float = 900.0


def manifest_sources(manifest: Manifest, base_url: str) -> list[LiveSource]:
    """The live-data sources of a manifest served from `base_url`, their URLs absolute
    (resolved as media URLs are: `content_result.absolute_url`)."""
    return [
        LiveSource(
            item.type,  # type: ignore[arg-type]  # one of LIVE_TYPES: Item checks it
            absolute_url(base_url, item.source.url),
            item.source.max_items,
            float(item.source.refresh_s),
        )
        for item in manifest.live_items
        if item.source is not None  # always, for the type checker
    ]


@dataclass(frozen=True)
class Place:
    """Where the stele stands: its zone for dates, its position for the weather."""

    zone: tzinfo
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class Context:
    session: requests.Session
    place: Place
    images: ImageStore
    timeout_s: float = 10.0


def refresh(source: LiveSource, last: Entry, ctx: Context, now: datetime) -> Entry:
    if source.kind == "news":
        return _news(source, last, ctx, now)
    if source.kind == "events":
        return _events(source, last, ctx, now)
    if source.kind == "weather":
        return _weather(source, last, ctx, now)
    raise LiveDataError(f"{source.url}: unknown live-data kind {source.kind!r}")


def _get(
    ctx: Context, url: str, last: Entry, cap: int, part: object | None
) -> livedata_http.Answer:
    # Validators only while we still hold what they identify: a 304 must have a body to keep.
    held = last.validators.get(url) if part is not None else None
    return livedata_http.get(
        ctx.session, url, max_bytes=cap, timeout_s=ctx.timeout_s, validators=held
    )


def _news(source: LiveSource, last: Entry, ctx: Context, now: datetime) -> Entry:
    old = last.data.news if last.data else None
    answer = _get(ctx, source.url, last, MAX_FEED_BYTES, old)
    if answer.not_modified and old is not None:
        entries = old
    else:
        entries = parse_news(answer.body, source.url)
    entries = _with_images(entries, source.max_items, old or (), ctx)
    data = LiveData(kind="news", source_url=source.url, fetched_at=now, news=entries)
    return Entry(data, {source.url: answer.validators})


def _with_images(
    entries: tuple[NewsEntry, ...], max_items: int, old: tuple[NewsEntry, ...], ctx: Context
) -> tuple[NewsEntry, ...]:
    """Pictures for the entries a slide shows; a picture already verified on disk is reused
    by its URL; one that fails leaves its entry without a picture (retried next refresh)."""
    known = {e.image_url: e.image_sha256 for e in old if e.image_url and e.image_sha256}
    shown = {id(e) for e in newest_first(entries, max_items)}
    result = []
    for entry in entries:
        sha = None
        if entry.image_url and id(entry) in shown:
            sha = known.get(entry.image_url)
            if sha is None or not ctx.images.has(sha):
                try:
                    sha = ctx.images.fetch(ctx.session, entry.image_url, ctx.timeout_s)
                except LiveDataError as exc:
                    log.warning("news picture skipped: %s", exc)
                    sha = None
        if sha != entry.image_sha256:
            entry = entry.model_copy(update={"image_sha256": sha})
        result.append(entry)
    return tuple(result)


def _events(source: LiveSource, last: Entry, ctx: Context, now: datetime) -> Entry:
    # The expansion covers a year from when it was made; an unchanged calendar is still
    # downloaded and expanded again once a day, so the year always starts near today.
    old = last.data
    fresh = old is not None and old.expanded_at is not None and now - old.expanded_at < REEXPAND
    answer = _get(ctx, source.url, last, MAX_CALENDAR_BYTES, old if fresh else None)
    if answer.not_modified and old is not None:
        events, expanded_at = old.events, old.expanded_at
    else:
        events = parse_events(answer.body, source.url, now, ctx.place.zone)
        expanded_at = now
    data = LiveData(
        kind="events",
        source_url=source.url,
        fetched_at=now,
        expanded_at=expanded_at,
        events=events,
    )
    return Entry(data, {source.url: answer.validators})


def _weather(source: LiveSource, last: Entry, ctx: Context, now: datetime) -> Entry:
    place = ctx.place
    if place.latitude is None or place.longitude is None:
        raise LiveDataError(f"{source.url}: weather needs the stele's latitude and longitude")
    tz_name = getattr(place.zone, "key", None)
    today = now.astimezone(place.zone).date()
    current_url, days_url = weather_urls(
        source.url, place.latitude, place.longitude, today, tz_name
    )
    old = last.data.weather if last.data else None
    current = _get(ctx, current_url, last, MAX_WEATHER_BYTES, old and old.now)
    days = _get(ctx, days_url, last, MAX_WEATHER_BYTES, old and old.days)
    weather = Weather(
        now=old.now if current.not_modified and old else parse_current(current.body, current_url),
        days=old.days if days.not_modified and old else parse_days(days.body, days_url, place.zone),
    )
    data = LiveData(kind="weather", source_url=source.url, fetched_at=now, weather=weather)
    validators: dict[str, Validators] = {current_url: current.validators, days_url: days.validators}
    return Entry(data, validators)
