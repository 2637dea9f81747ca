"""The OSCA view's live rows as the content model's LiveData (stele/domain/osca_live.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from stele.domain.osca_live import live_data

AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_press_releases_become_news_newest_first_as_given() -> None:
    rows = [
        {"title": "Neu", "summary": "Zwei", "date": "2026-12-02T08:00:00Z", "image_url": None},
        {"title": "", "summary": "ohne Titel: nichts zu zeigen", "date": None},
        {"title": "Alt", "summary": "Eins", "date": "2026-12-01T08:00:00Z", "image_url": "x"},
    ]
    data = live_data("news", "https://osca/parse/classes/PressRelease", rows, AT)
    assert data is not None and data.kind == "news" and data.fetched_at == AT
    assert [(e.title, e.summary) for e in data.news] == [("Neu", "Zwei"), ("Alt", "Eins")]
    assert data.news[0].published == datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def test_the_nearest_station_becomes_the_current_weather() -> None:
    entry = {
        "name": "Solingen Mitte",
        "observed": "2026-12-02T08:50:00Z",
        "values": [
            {"key": "humidity", "name": "Luftfeuchte", "unit": "%", "value": 81.6},
            {"key": "temperature", "name": "Temperatur", "unit": "°C", "value": 4.5},
            {"key": "pollen", "name": "Pollen", "unit": None, "value": "niedrig"},
        ],
    }
    data = live_data("weather", "u", entry, AT)
    assert data is not None and data.weather is not None and data.weather.now is not None
    now = data.weather.now
    assert (now.temperature_c, now.relative_humidity, now.station) == (4.5, 82, "Solingen Mitte")
    assert now.observed_at == datetime(2026, 12, 2, 8, 50, tzinfo=UTC)


def test_missing_or_wrong_shaped_data_is_none() -> None:
    assert live_data("weather", "u", None, AT) is None
    assert live_data("news", "u", {"title": "kein Array"}, AT) is None
    assert live_data("events", "u", [], AT) is None
