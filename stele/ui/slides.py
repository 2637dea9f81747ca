"""A manifest item as the map a QML slide reads (stele/ui/content_model.py's roles), and the
live data of news, events and weather items as the plain German text their slides draw.

No Qt objects here beyond a file URL and a picture's size read from its header; the player
decides what is ready, this only formats.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QImageReader

from stele.domain.livedata import (
    WEATHER_CREDIT,
    Event,
    LiveData,
    WeatherDay,
    select_events,
    select_news,
    select_weather_days,
)
from stele.domain.manifest import Item
from stele.ui.qr import qr_source

QR_CAPTION = "Mehr dazu"
RASTER = ("image", "pdf")  # item types whose source is a picture file (a PDF's rendered page)
WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
WEEKDAY_NAMES = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
# Bright Sky's icon and condition names in plain German.
ICONS = {
    "clear-day": "sonnig",
    "clear-night": "klar",
    "partly-cloudy-day": "teils bewölkt",
    "partly-cloudy-night": "teils bewölkt",
    "cloudy": "bewölkt",
    "fog": "Nebel",
    "wind": "windig",
    "rain": "Regen",
    "sleet": "Schneeregen",
    "snow": "Schnee",
    "hail": "Hagel",
    "thunderstorm": "Gewitter",
}
CONDITIONS = {
    "dry": "trocken",
    "fog": "Nebel",
    "rain": "Regen",
    "sleet": "Schneeregen",
    "snow": "Schnee",
    "hail": "Hagel",
    "thunderstorm": "Gewitter",
}


def file_url(path: Path | None) -> str:
    return QUrl.fromLocalFile(str(path)).toString() if path is not None else ""


# Picture file -> its size in pixels. The files are content-addressed (media by sha256, PDF
# pages by sha256, page and size): a path's pixels never change, and a playlist of a few
# hundred pictures stays far below the bound.
_PIXELS: dict[str, tuple[int, int]] = {}
_PIXELS_MAX = 1024


def pixel_size(path: Path) -> tuple[int, int]:
    """Width and height of the picture at `path`, from its header alone (no decoding);
    (0, 0) when it cannot be read: the slide then decodes at its drawn size."""
    key = str(path)
    found = _PIXELS.get(key)
    if found is None:
        size = QImageReader(key).size()
        found = (size.width(), size.height()) if size.isValid() else (0, 0)
        if found != (0, 0):
            if len(_PIXELS) >= _PIXELS_MAX:
                _PIXELS.clear()
            _PIXELS[key] = found
    return found


def slide_map(
    item: Item, *, source: Path | None = None, live: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The slide for `item`; `source` is its verified file (a PDF's rendered page)."""
    duration = item.duration
    # A picture's own size lets its slide decode it at exactly the size it is drawn at.
    width, height = pixel_size(source) if source is not None and item.type in RASTER else (0, 0)
    return {
        "slideId": item.id,
        "kind": item.type,
        "durationMs": 0 if duration is None else duration * 1000,
        "source": file_url(source),
        "fit": item.fit_mode,
        "title": item.title or "",
        "body": item.body or "",
        "qrSource": qr_source(item.qr) if item.qr else "",
        "qrCaption": QR_CAPTION if item.qr else "",
        "live": live or {},
        "pixelWidth": width,
        "pixelHeight": height,
    }


def stand(data: LiveData, zone: tzinfo) -> str:
    return f"Stand: {data.fetched_at.astimezone(zone).strftime('%d.%m.%Y, %H:%M')} Uhr"


def live_map(
    item: Item,
    data: LiveData,
    now: datetime,
    zone: tzinfo,
    image: Callable[[str], Path | None],
) -> dict[str, Any]:
    """What the item's slide shows of `data` at `now`; "entries" empty: nothing to show."""
    max_items = item.source.max_items if item.source is not None else 5
    if item.type == "news":
        return {
            "stand": stand(data, zone),
            "entries": [
                {
                    "title": e.title,
                    "date": e.published.astimezone(zone).strftime("%d.%m.%Y")
                    if e.published
                    else "",
                    "summary": e.summary,
                    "image": file_url(image(e.image_sha256)) if e.image_sha256 else "",
                }
                for e in select_news(data, max_items)
            ],
        }
    if item.type == "events":
        return {
            "stand": stand(data, zone),
            "entries": [_event(e, zone) for e in select_events(data, now, max_items)],
        }
    weather = data.weather
    current: dict[str, str] = {}
    if weather is not None and weather.now is not None:
        w = weather.now
        current = {
            "temperature": _degrees(w.temperature_c),
            "condition": ICONS.get(w.icon or "", CONDITIONS.get(w.condition or "", "")),
        }
    today = now.astimezone(zone).date()
    days = [_day(d, today) for d in select_weather_days(data, now, zone)]
    if not current and not days:
        return {}
    return {"stand": stand(data, zone), "source": WEATHER_CREDIT, "current": current, "days": days}


def shows_something(kind: str, live: dict[str, Any]) -> bool:
    if kind == "weather":
        return bool(live.get("current") or live.get("days"))
    return bool(live.get("entries"))


def _event(e: Event, zone: tzinfo) -> dict[str, str]:
    start, end = e.start.astimezone(zone), e.end.astimezone(zone)
    day = f"{WEEKDAYS[start.weekday()]} {start.day}.{start.month}."
    if e.all_day:
        last = end - timedelta(days=1)
        if last.date() > start.date():
            day += f" – {WEEKDAYS[last.weekday()]} {last.day}.{last.month}."
        time = "ganztägig"
    elif end.date() == start.date():
        time = f"{start:%H:%M}–{end:%H:%M} Uhr"
    else:
        time = f"ab {start:%H:%M} Uhr"
    return {"date": day, "time": time, "title": e.title, "place": e.location}


def _degrees(value: float | None) -> str:
    return "" if value is None else f"{round(value)} °C"


def _day(d: WeatherDay, today: Any) -> dict[str, str]:
    offset = (d.day - today).days
    name = "Heute" if offset == 0 else "Morgen" if offset == 1 else WEEKDAY_NAMES[d.day.weekday()]
    rain = f"{d.precipitation_mm:.0f} mm" if d.precipitation_mm else ""
    return {
        "day": name,
        "min": _degrees(d.temp_min_c),
        "max": _degrees(d.temp_max_c),
        "condition": ICONS.get(d.icon or "", CONDITIONS.get(d.condition or "", "")),
        "precipitation": rain,
    }
