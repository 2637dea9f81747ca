"""The OSCA backend's state as stele's view and manifest (pure; no server)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stele.domain.osca import (
    CONFIGURING_TEXT,
    build_view,
    departures,
    item_id,
    media_kind,
    nearest_station,
    press_entries,
)

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
URL = "https://osca.example.de/parse"
ID_RE = re.compile(r"[a-z0-9_.-]{1,64}")


def pdate(at: datetime) -> dict[str, str]:
    return {"__type": "Date", "iso": at.isoformat().replace("+00:00", "Z")}


def screen(state: str = "Aktiv", layout: str = "Diashow", config: bool = True) -> dict[str, Any]:
    s: dict[str, Any] = {
        "objectId": "Scr1",
        "uuid": "u",
        "name": "Clara",
        "state": {"objectId": "s", "name": state},
        "layoutType": {"objectId": "l", "name": layout},
        "location": {"__type": "GeoPoint", "latitude": 51.17, "longitude": 7.08},
    }
    if config:
        s["layoutConfig"] = {"objectId": "Lc1", "showHeader": True, "showFooter": False}
    return s


def dia(oid: str, name: str, file_type: str, **kw: Any) -> dict[str, Any]:
    return {
        "objectId": oid,
        "createdAt": kw.pop("created", "2026-11-01T00:00:00.000Z"),
        "file": {"__type": "File", "name": name, "url": f"{URL}/files/app/{name}"},
        "fileType": file_type,
        **kw,
    }


FILES = {
    n: {"sha256": c * 64, "size": s}
    for n, c, s in (("a.png", "a", 10), ("b.pdf", "b", 20), ("c.mp4", "c", 30))
}


@pytest.mark.parametrize(
    ("scr", "why"),
    [
        (None, "no SteleScreen row"),
        (screen(state="Inaktiv"), "state is Inaktiv"),
        (screen(config=False), "no layout config"),
        ({**screen(), "state": None}, "state is not set"),
    ],
)
def test_not_active_or_unconfigured_is_the_configuring_state(scr: Any, why: str) -> None:
    view = build_view({"screen": scr, "diashow": [dia("X", "a.png", "image")]}, FILES, URL, NOW)
    assert view["state"] == "configuring"
    assert view["message"] == CONFIGURING_TEXT
    assert view["name"] == ("Clara" if scr else "")
    assert view["manifest"]["items"] == []
    assert why in view["problems"][0]


def test_diashow_objects_become_items_with_their_windows_and_durations() -> None:
    snap = {
        "screen": screen(),
        "diashow": [
            dia(
                "Vid",
                "c.mp4",
                "video/mp4",
                duration=30,
                created="2026-11-03T00:00:00Z",
                startDate=pdate(NOW + timedelta(days=1)),
            ),
            dia(
                "Img",
                "a.png",
                "image",
                duration=7.6,
                created="2026-11-01T00:00:00Z",
                startDate=pdate(NOW - timedelta(days=1)),
                endDate=pdate(NOW + timedelta(days=3)),
            ),
            dia("Pdf", "b.pdf", "pdf", duration=1, created="2026-11-02T00:00:00Z"),
        ],
    }
    view = build_view(snap, FILES, URL, NOW)
    assert view["state"] == "active" and view["grid"] is None
    assert view["show_footer"] is False
    items = view["manifest"]["items"]
    assert [(i["type"], i["duration_s"]) for i in items] == [
        ("image", 8),
        ("pdf", 3),
        ("video", 30),
    ]  # createdAt order; 3-600 s
    assert items[0]["media"] == {"url": f"{URL}/files/app/a.png", "sha256": "a" * 64, "size": 10}
    assert items[0]["schedule"] == {"from": "2026-12-01T10:00:00Z", "until": "2026-12-05T10:00:00Z"}
    assert "schedule" not in items[1]
    assert items[2]["schedule"] == {"from": "2026-12-03T10:00:00Z"}
    assert [i["id"] for i in items] == ["dia-_img", "dia-_pdf", "dia-_vid"]
    assert view["problems"] == []


def test_objects_that_cannot_play_are_reported_not_shown() -> None:
    snap = {
        "screen": screen(),
        "diashow": [
            dia("A", "a.png", "image", startDate=pdate(NOW), endDate=pdate(NOW)),
            dia("B", "missing.png", "image"),
            dia("C", "x.bin", "spreadsheet"),
            {"objectId": "D", "fileType": "image"},
        ],
    }
    view = build_view(snap, FILES, URL, NOW)
    assert view["manifest"]["items"] == []
    assert view["problems"] == [
        "diashow object D: no file",  # no createdAt: first
        "diashow object A: endDate is not after startDate",
        "diashow object B: file missing.png not downloaded yet",
        "diashow object C: file type 'spreadsheet' unknown",
    ]


def test_version_changes_with_the_items_and_only_then() -> None:
    snap = {"screen": screen(), "diashow": [dia("A", "a.png", "image", duration=5)]}
    v1 = build_view(snap, FILES, URL, NOW)["manifest"]["version"]
    assert build_view(snap, FILES, URL, NOW + timedelta(hours=1))["manifest"]["version"] == v1
    snap["diashow"][0]["duration"] = 6
    assert build_view(snap, FILES, URL, NOW)["manifest"]["version"] != v1


def tile(pos: int, name: str, config: Any = None) -> dict[str, Any]:
    return {
        "objectId": f"P{pos}",
        "position": pos,
        "tile": {
            "objectId": f"T{pos}",
            "tileType": {"objectId": "tt", "name": name},
            "config": config or {},
        },
    }


def test_touchscreen_tiles_become_a_grid_items_and_live_data() -> None:
    snap = {
        "screen": screen(layout="Touchscreen"),
        "diashow": [dia("A", "a.png", "image")],
        "tiles": [
            tile(3, "Busabfahrten"),
            tile(1, "Pressemitteilungen"),
            tile(4, "Raumbuchung"),
            tile(2, "Diashow"),
        ],
        "press": [{"objectId": "p", "title": "T", "summary": "S", "date": pdate(NOW)}],
        "mobility": [
            {
                "availableOptions": [
                    {
                        "shortName": "681",
                        "name": "Hbf",
                        "departureTimePlanned": "2026-12-02T10:05:00Z",
                    }
                ]
            }
        ],
        "mobility_fetched": "2026-12-02T10:00:00+00:00",
    }
    view = build_view(snap, FILES, URL, NOW)
    assert [(t["position"], t["kind"]) for t in view["grid"]] == [
        (1, "news"),
        (2, "diashow"),
        (3, "departures"),
        (4, "unavailable"),
    ]
    assert view["grid"][3]["text"] == "Auf dieser Stele nicht verfügbar"
    assert view["problems"] == ["tile 4 (Raumbuchung): not available on this stele"]
    assert [i["id"] for i in view["manifest"]["items"]] == ["tile-1-news", "dia-_a"]
    assert view["manifest"]["items"][0]["source"]["url"] == f"{URL}/classes/PressRelease"
    assert view["grid"][1]["items"] == ["dia-_a"]
    assert view["live"]["departures"]["rows"] == [
        {
            "line": "681",
            "destination": "Hbf",
            "planned": "2026-12-02T10:05:00Z",
            "estimated": "2026-12-02T10:05:00Z",
        }
    ]


def test_press_releases_up_to_now_newest_first_ten() -> None:
    rows = [{"title": f"n{i}", "date": pdate(NOW - timedelta(hours=i))} for i in range(-2, 14)]
    shown = press_entries(rows, NOW)
    assert [p["title"] for p in shown] == [f"n{i}" for i in range(10)]


def test_nearest_weather_station_is_chosen_by_distance() -> None:
    def station(oid: str, lat: float, lon: float) -> dict[str, Any]:
        return {
            "objectId": oid,
            "location": {"__type": "GeoPoint", "latitude": lat, "longitude": lon},
        }

    rows = [station("far", 52.5, 13.4), station("near", 51.18, 7.09), {"objectId": "none"}]
    assert nearest_station(rows, (51.17, 7.08))["objectId"] == "near"  # type: ignore[index]
    assert nearest_station(rows, None) is None


def test_departures_read_the_first_result_soonest_first() -> None:
    result = [
        {
            "availableOptions": [
                {"shortName": "2", "name": "B", "departureTimePlanned": "2026-12-02T10:10:00Z"},
                {
                    "shortName": "1",
                    "name": "A",
                    "departureTimePlanned": "2026-12-02T10:02:00Z",
                    "departureTimeEstimated": "2026-12-02T10:12:00Z",
                },
                {"shortName": "x"},
            ]
        }
    ]
    assert [r["line"] for r in departures(result)] == ["2", "1"]
    assert departures(None) == [] and departures([]) == [] and departures({"a": 1}) == []


def test_media_kind_from_file_type_or_name() -> None:
    assert media_kind("image/jpeg", "x") == "image"
    assert media_kind("application/pdf", "x") == "pdf"
    assert media_kind(None, "clip.MP4") == "video"
    assert media_kind("", "noext") is None


@given(
    st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        min_size=1,
        max_size=20,
    ),
    st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
        min_size=1,
        max_size=20,
    ),
)
def test_item_ids_are_valid_and_keep_case_sensitive_object_ids_apart(a: str, b: str) -> None:
    assert ID_RE.fullmatch(item_id("dia", a))
    assert (item_id("dia", a) == item_id("dia", b)) == (a == b)


def test_the_manifest_validates_against_the_content_model() -> None:
    """The mapped manifest passes the content model's own strict validation."""
    import json

    from stele.domain import manifest

    snap = {
        "screen": screen(layout="Touchscreen"),
        "diashow": [dia("A", "a.png", "image", startDate=pdate(NOW))],
        "tiles": [tile(1, "Pressemitteilungen"), tile(2, "Wetter"), tile(3, "Diashow")],
    }
    view = build_view(snap, FILES, URL, NOW)
    parsed = manifest.parse_manifest(json.dumps(view["manifest"]))
    assert [i.id for i in parsed.items] == [i["id"] for i in view["manifest"]["items"]]


def test_tiles_with_odd_positions_still_map() -> None:
    odd = [
        tile(2, "Wetter"),
        {**tile(1, "Karte"), "position": None},
        {**tile(3, "Pressemitteilungen"), "position": 1.0},
    ]
    view = build_view({"screen": screen(layout="Touchscreen"), "tiles": odd}, FILES, URL, NOW)
    assert [t["tile_type"] for t in view["grid"]] == ["Pressemitteilungen", "Wetter", "Karte"]


def test_weather_and_departures_without_a_location_are_reported() -> None:
    scr = {k: v for k, v in screen(layout="Touchscreen").items() if k != "location"}
    view = build_view(
        {"screen": scr, "tiles": [tile(1, "Wetter"), tile(2, "Busabfahrten")]}, FILES, URL, NOW
    )
    assert view["problems"] == [
        "tile 1 (Wetter): no location set for this stele in the Stele Configurator",
        "tile 2 (Busabfahrten): no location set for this stele in the Stele Configurator",
    ]
