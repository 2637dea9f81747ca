"""Live-data records: their disk form and what a slide shows at `now` (pure, no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from stele.domain.livedata import (
    Event,
    LiveData,
    NewsEntry,
    Weather,
    WeatherDay,
    WeatherNow,
    select_events,
    select_news,
    select_weather_days,
)

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def news(*entries: NewsEntry) -> LiveData:
    return LiveData(kind="news", source_url="https://x/feed", fetched_at=T0, news=entries)


def entry(title: str, day: int | None) -> NewsEntry:
    return NewsEntry(title=title, published=None if day is None else T0 - timedelta(days=day))


def test_news_newest_first_up_to_max_items_undated_last_in_feed_order() -> None:
    data = news(
        entry("old", 5),
        entry("undated-a", None),
        entry("new", 1),
        entry("mid", 3),
        entry("undated-b", None),
    )
    assert [e.title for e in select_news(data, 10)] == [
        "new",
        "mid",
        "old",
        "undated-a",
        "undated-b",
    ]
    assert [e.title for e in select_news(data, 2)] == ["new", "mid"]
    assert select_news(data, 0) == ()


def ev(title: str, start_h: float, hours: float = 1, *, all_day: bool = False) -> Event:
    start = T0 + timedelta(hours=start_h)
    return Event(start=start, end=start + timedelta(hours=hours), all_day=all_day, title=title)


def test_events_from_now_on_running_ones_included_earliest_first() -> None:
    data = LiveData(
        kind="events",
        source_url="https://x/cal.ics",
        fetched_at=T0,
        events=(
            ev("later", 30),
            ev("over", -3, 2),
            ev("running", -1, 3),
            ev("next", 2),
            ev("ends-now", -1, 1),
        ),
    )
    assert [e.title for e in select_events(data, T0, 10)] == ["running", "next", "later"]
    assert [e.title for e in select_events(data, T0, 2)] == ["running", "next"]
    # an hour later "running" still runs, two hours later it is over
    assert [e.title for e in select_events(data, T0 + timedelta(hours=2), 5)] == ["next", "later"]


def test_events_need_an_aware_now() -> None:
    data = LiveData(kind="events", source_url="u", fetched_at=T0)
    with pytest.raises(ValueError):
        select_events(data, datetime(2026, 3, 1, 12), 5)


def test_weather_days_are_today_and_the_next_two_in_the_stele_zone() -> None:
    days = tuple(WeatherDay(day=date(2026, 3, d)) for d in range(1, 6))
    data = LiveData(kind="weather", source_url="u", fetched_at=T0, weather=Weather(days=days))
    # 23:30 UTC on 1 March is already 2 March in Berlin
    late = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert [d.day.day for d in select_weather_days(data, late, BERLIN)] == [2, 3, 4]
    assert [d.day.day for d in select_weather_days(data, late, UTC)] == [1, 2, 3]


def test_json_round_trip_keeps_every_field() -> None:
    data = LiveData(
        kind="weather",
        source_url="https://api.example/",
        fetched_at=T0,
        weather=Weather(
            now=WeatherNow(observed_at=T0, temperature_c=19.7, icon="cloudy", station="Berlin"),
            days=(WeatherDay(day=date(2026, 3, 1), temp_min_c=-2.5, temp_max_c=6.0),),
        ),
    )
    assert LiveData.from_json(data.to_json()) == data
    events = LiveData(
        kind="events", source_url="u", fetched_at=T0, events=(ev("Markt", 1, all_day=True),)
    )
    back = LiveData.from_json(events.to_json())
    assert back == events and back.events[0].start.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "doc",
    [
        '{"kind": "news", "source_url": "u", "fetched_at": "2026-03-01T12:00:00"}',  # no offset
        '{"kind": "radio", "source_url": "u", "fetched_at": "2026-03-01T12:00:00Z"}',
        '{"kind": "news", "source_url": "u", "fetched_at": "2026-03-01T12:00:00Z", "x": 1}',
    ],
)
def test_bad_disk_forms_are_rejected(doc: str) -> None:
    with pytest.raises(ValidationError):
        LiveData.from_json(doc)
