"""Live data for the news, events and weather slides: plain records, their disk form, and
what a slide shows at an instant (spec content.md §3).

The adapters parse feeds, calendars and Bright Sky answers into these records; the disk
cache stores them as JSON; the selections below are pure functions of a record and `now`.
Every text in here is plain text (feed HTML is stripped before it gets here).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator

Kind = Literal["news", "events", "weather"]
KINDS: tuple[Kind, ...] = ("news", "events", "weather")

# "Quelle: Deutscher Wetterdienst" is required on the weather slide (spec §3).
WEATHER_CREDIT = "Quelle: Deutscher Wetterdienst"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.utcoffset() is None:
        raise ValueError("expected a date-time with a UTC offset")
    return value


class NewsEntry(_Record):
    title: str
    published: datetime | None = None
    summary: str = ""
    image_url: str | None = None  # where the feed said the picture is (absolute)
    image_sha256: str | None = None  # the verified picture in the image cache, if fetched

    _published_aware = field_validator("published")(_aware)


class Event(_Record):
    """One occurrence (a recurring event is expanded into one `Event` per date)."""

    start: datetime  # all-day: local midnight of the first day, in the stele's zone
    end: datetime  # exclusive; all-day: local midnight after the last day
    all_day: bool = False
    title: str
    location: str = ""

    _start_aware = field_validator("start", "end")(_aware)


class WeatherNow(_Record):
    observed_at: datetime
    temperature_c: float | None = None
    condition: str | None = None  # Bright Sky: dry, fog, rain, sleet, snow, hail, thunderstorm
    icon: str | None = None  # Bright Sky: clear-day, partly-cloudy-night, rain, wind, ...
    wind_speed_kmh: float | None = None
    wind_direction_deg: int | None = None
    wind_gust_kmh: float | None = None
    precipitation_mm_h: float | None = None  # the last hour
    relative_humidity: int | None = None
    station: str | None = None

    _observed_aware = field_validator("observed_at")(_aware)


class WeatherDay(_Record):
    day: date  # in the stele's time zone
    temp_min_c: float | None = None
    temp_max_c: float | None = None
    precipitation_mm: float | None = None
    precipitation_probability: int | None = None  # highest hourly value of the day, percent
    wind_max_kmh: float | None = None
    icon: str | None = None  # the icon most hours of the daytime show
    condition: str | None = None  # the most severe condition of the day


class Weather(_Record):
    now: WeatherNow | None = None
    days: tuple[WeatherDay, ...] = ()


class LiveData(_Record):
    """The last good result of one source, with its "Stand:" time."""

    kind: Kind
    source_url: str
    fetched_at: datetime  # the "Stand": when the source last answered with this data
    # events: the instant the calendar was expanded from (a 304 keeps the old expansion)
    expanded_at: datetime | None = None
    news: tuple[NewsEntry, ...] = ()
    events: tuple[Event, ...] = ()
    weather: Weather | None = None

    _fetched_aware = field_validator("fetched_at", "expanded_at")(_aware)

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str | bytes) -> LiveData:
        return cls.model_validate_json(text)


# -- what a slide shows at `now` --------------------------------------------------------------


def _newest_first_key(entry: NewsEntry) -> tuple[int, float]:
    # Undated entries keep their feed order after the dated ones (sorted() is stable).
    if entry.published is None:
        return (1, 0.0)
    return (0, -entry.published.timestamp())


def newest_first(entries: tuple[NewsEntry, ...], max_items: int) -> tuple[NewsEntry, ...]:
    """Up to `max_items` entries, newest first (entries without a date last, in feed order)."""
    return tuple(sorted(entries, key=_newest_first_key)[: max(max_items, 0)])


def select_news(data: LiveData, max_items: int) -> tuple[NewsEntry, ...]:
    return newest_first(data.news, max_items)


def select_events(data: LiveData, now: datetime, max_items: int) -> tuple[Event, ...]:
    """The next `max_items` occurrences from `now` on: those not yet over (a running market
    is still worth showing), earliest start first."""
    if now.utcoffset() is None:
        raise ValueError("now must carry a UTC offset")
    upcoming = [e for e in data.events if e.end > now]
    upcoming.sort(key=lambda e: (e.start, e.end, e.title))
    return tuple(upcoming[: max(max_items, 0)])


def select_weather_days(
    data: LiveData, now: datetime, zone: tzinfo, days: int = 3
) -> tuple[WeatherDay, ...]:
    """Today and the next days (in the stele's zone) that the forecast covers."""
    if data.weather is None:
        return ()
    today = now.astimezone(zone).date()
    last = today + timedelta(days=days - 1)
    return tuple(d for d in data.weather.days if today <= d.day <= last)
