"""The OSCA view's live data (press releases, the nearest weather station) as the content
model's `LiveData`, so the news and weather slides draw it unchanged. Pure.

The OSCA source already read these rows from Parse (and keeps them on disk); nothing here is
fetched over HTTP. The "Stand" is the time the source last read the backend.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from stele.domain.livedata import LiveData, NewsEntry, Weather, WeatherNow
from stele.domain.osca import parse_date

# WeatherObserved `values` keys → the WeatherNow field they fill (the keys the OSCA
# backend's weather importer writes; others are not drawn by the weather slide).
_WEATHER_KEYS = {
    "temperature": "temperature_c",
    "humidity": "relative_humidity",
    "relativeHumidity": "relative_humidity",
    "windSpeed": "wind_speed_kmh",
    "precipitation": "precipitation_mm_h",
}


def live_data(kind: str, url: str, data: Any, fetched_at: datetime) -> LiveData | None:
    """`data` is the view's `live[item id]` for a news or weather item; None: nothing."""
    if kind == "news" and isinstance(data, list):
        news = tuple(
            NewsEntry(
                title=str(e.get("title") or ""),
                published=parse_date(e.get("date")),
                summary=str(e.get("summary") or ""),
                image_url=e.get("image_url") if isinstance(e.get("image_url"), str) else None,
            )
            for e in data
            if isinstance(e, dict) and e.get("title")
        )
        return LiveData(kind="news", source_url=url, fetched_at=fetched_at, news=news)
    if kind == "weather" and isinstance(data, dict):
        observed = parse_date(data.get("observed")) or fetched_at
        fields: dict[str, Any] = {}
        for value in data.get("values") or []:
            target = _WEATHER_KEYS.get(str(value.get("key")))
            number = value.get("value")
            if target and isinstance(number, int | float) and not isinstance(number, bool):
                fields[target] = round(number) if target == "relative_humidity" else float(number)
        now = WeatherNow(observed_at=observed, station=data.get("name") or None, **fields)
        return LiveData(
            kind="weather", source_url=url, fetched_at=fetched_at, weather=Weather(now=now)
        )
    return None
