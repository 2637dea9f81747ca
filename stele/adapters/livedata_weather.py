"""Bright Sky answers (DWD data) to `WeatherNow` and `WeatherDay` records.

`/current_weather?lat=&lon=` gives one record (`weather` is an object); `/weather?lat=&lon=
&date=&last_date=` gives hourly records (`weather` is a list). Both list their DWD stations
under `sources`. Days are grouped in the stele's zone, not Bright Sky's UTC.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import urlencode

from stele.domain.livedata import WeatherDay, WeatherNow
from stele.errors import LiveDataError

# Worst first: a day with one thunderstorm hour is a thunderstorm day.
_SEVERITY = ("thunderstorm", "hail", "snow", "sleet", "rain", "fog", "dry")
_DAYTIME = range(7, 20)  # local hours whose icon describes "the day"


def weather_urls(
    base: str, lat: float, lon: float, today: date, tz_name: str | None = None, days: int = 3
) -> tuple[str, str]:
    """The /current_weather and /weather URLs for today and the next `days - 1` days; with
    `tz_name` Bright Sky reads the dates in the stele's zone (else in UTC)."""
    root = base.rstrip("/")
    where = {"lat": f"{lat:.4f}", "lon": f"{lon:.4f}"}
    current = f"{root}/current_weather?{urlencode(where)}"
    last = today + timedelta(days=days)
    span = {**where, "date": today.isoformat(), "last_date": last.isoformat()}
    if tz_name:
        span["tz"] = tz_name
    return current, f"{root}/weather?{urlencode(span)}"


def _load(body: bytes, url: str) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise LiveDataError(f"{url}: not JSON ({type(exc).__name__})") from None
    if not isinstance(doc, dict) or "weather" not in doc:
        raise LiveDataError(f'{url}: not a Bright Sky answer (no "weather")')
    return doc


def _num(record: dict[str, Any], *keys: str) -> float | None:
    for key in keys:
        value = record.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
    return None


def _int(record: dict[str, Any], *keys: str) -> int | None:
    value = _num(record, *keys)
    return None if value is None else round(value)


def _text(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    return value[:40] if isinstance(value, str) and value else None


def _time(record: dict[str, Any], url: str) -> datetime:
    raw = record.get("timestamp")
    try:
        when = datetime.fromisoformat(str(raw))
    except ValueError:
        raise LiveDataError(f"{url}: bad timestamp {str(raw)[:40]!r}") from None
    if when.utcoffset() is None:
        raise LiveDataError(f"{url}: timestamp {str(raw)[:40]!r} has no UTC offset")
    return when


def _station(doc: dict[str, Any], source_id: Any) -> str | None:
    for source in doc.get("sources") or ():
        if isinstance(source, dict) and source.get("id") == source_id:
            return _text(source, "station_name")
    return None


def parse_current(body: bytes, url: str) -> WeatherNow:
    doc = _load(body, url)
    record = doc["weather"]
    if not isinstance(record, dict):
        raise LiveDataError(f'{url}: "weather" is not one record')
    return WeatherNow(
        observed_at=_time(record, url),
        temperature_c=_num(record, "temperature"),
        condition=_text(record, "condition"),
        icon=_text(record, "icon"),
        wind_speed_kmh=_num(record, "wind_speed_10", "wind_speed_30", "wind_speed_60"),
        wind_direction_deg=_int(record, "wind_direction_10", "wind_direction_30"),
        wind_gust_kmh=_num(record, "wind_gust_speed_10", "wind_gust_speed_30"),
        precipitation_mm_h=_num(record, "precipitation_60"),
        relative_humidity=_int(record, "relative_humidity"),
        station=_station(doc, record.get("source_id")),
    )


def parse_days(body: bytes, url: str, zone: tzinfo) -> tuple[WeatherDay, ...]:
    doc = _load(body, url)
    records = doc["weather"]
    if not isinstance(records, list):
        raise LiveDataError(f'{url}: "weather" is not a list of hours')
    by_day: dict[date, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for record in records:
        if isinstance(record, dict):
            local = _time(record, url).astimezone(zone)
            by_day[local.date()].append((local.hour, record))
    if records and not by_day:
        raise LiveDataError(f"{url}: no hourly record is readable")
    return tuple(_day(day, hours) for day, hours in sorted(by_day.items()))


def _day(day: date, hours: list[tuple[int, dict[str, Any]]]) -> WeatherDay:
    records = [r for _, r in hours]
    temps = [t for r in records if (t := _num(r, "temperature")) is not None]
    rain = [p for r in records if (p := _num(r, "precipitation")) is not None]
    chance = [p for r in records if (p := _int(r, "precipitation_probability")) is not None]
    wind = [w for r in records if (w := _num(r, "wind_speed")) is not None]
    daytime = [_text(r, "icon") for h, r in hours if h in _DAYTIME]
    if not any(daytime):  # a day the forecast covers only at night
        daytime = [_text(r, "icon") for r in records]
    icons = Counter(i for i in daytime if i)
    conditions = {c for r in records if (c := _text(r, "condition"))}
    return WeatherDay(
        day=day,
        temp_min_c=min(temps) if temps else None,
        temp_max_c=max(temps) if temps else None,
        precipitation_mm=round(sum(rain), 1) if rain else None,
        precipitation_probability=max(chance) if chance else None,
        wind_max_kmh=max(wind) if wind else None,
        icon=icons.most_common(1)[0][0] if icons else None,
        condition=next((c for c in _SEVERITY if c in conditions), None),
    )
