"""The OSCA backend's state (a snapshot of its Parse classes) as stele's own content model.

Pure: takes the snapshot the adapter fetched (raw Parse JSON), the verified files and `now`,
and returns a *view*: the manifest (docs: content spec §1) that the schedule, cache and
player apply unchanged, plus what the manifest has no words for — the Touchscreen grid,
the tiles' live data and the "wird gerade konfiguriert" state.

- Diashow objects become image/pdf/video items; their startDate/endDate become the item's
  schedule `from`/`until`, their duration its `duration_s`.
- Tiles become a 2×2 grid description (by position) and, for the rotation without touch,
  items: `news` for Pressemitteilungen, `weather` for Wetter (their `source.url` names the
  Parse class; the OSCA source supplies their data itself, see `live`), the diashow's
  items for a Diashow tile. Departures have no manifest type: grid and `live` only.
- Any other tile type is a designed "not available on this stele" tile and a reported
  problem, never an error.
- Unless the screen's state is "Aktiv" and it has a layout config, the view is
  `configuring` with the stele's name and an empty manifest.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from datetime import UTC, datetime
from typing import Any

CONFIGURING_TEXT = "Diese Stele wird gerade konfiguriert. Kommen Sie gerne später wieder!"
UNAVAILABLE_TEXT = "Auf dieser Stele nicht verfügbar"
ACTIVE = "Aktiv"
PRESS_MAX = 10
DURATION_MIN, DURATION_MAX, DURATION_DEFAULT = 3, 600, 10
TILE_KINDS = {
    "Pressemitteilungen": "news",
    "Wetter": "weather",
    "Busabfahrten": "departures",
    "Diashow": "diashow",
}
# fileType as the configurator writes it, or a MIME type; the file name's extension last.
_KINDS = (("pdf", "pdf"), ("video", "video"), ("mp4", "video"), ("image", "image"))
_EXT = {
    "png": "image",
    "jpg": "image",
    "jpeg": "image",
    "webp": "image",
    "gif": "image",
    "pdf": "pdf",
    "mp4": "video",
    "m4v": "video",
    "webm": "video",
}


def item_id(prefix: str, object_id: str) -> str:
    """A manifest id (a-z 0-9 - _ .) from a Parse objectId, which is case-sensitive:
    an upper-case letter becomes "_" + its lower case, so two ids never collide."""
    body = re.sub(r"[A-Z]", lambda m: "_" + m[0].lower(), object_id)
    body = re.sub(r"[^a-z0-9_.-]", "-", body)
    return f"{prefix}-{body}"[:64]


def parse_date(value: Any) -> datetime | None:
    """A Parse Date ({"__type": "Date", "iso": ...}) or ISO string, as an aware datetime."""
    if isinstance(value, dict) and value.get("__type") == "Date":
        value = value.get("iso")
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _name(obj: Any) -> str | None:
    return obj.get("name") if isinstance(obj, dict) and isinstance(obj.get("name"), str) else None


def media_kind(file_type: Any, file_name: str) -> str | None:
    text = file_type.lower() if isinstance(file_type, str) else ""
    for needle, kind in _KINDS:
        if needle in text:
            return kind
    return _EXT.get(file_name.rsplit(".", 1)[-1].lower()) if "." in file_name else None


def _duration(value: Any) -> int:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return int(min(max(round(value), DURATION_MIN), DURATION_MAX))
    return DURATION_DEFAULT


def diashow_items(
    objects: list[dict[str, Any]], files: dict[str, dict[str, Any]], problems: list[str]
) -> list[dict[str, Any]]:
    """Image/pdf/video items, oldest configured first (a Relation has no order of its own)."""
    items = []
    ordered = sorted(objects, key=lambda o: (str(o.get("createdAt", "")), str(o["objectId"])))
    for obj in ordered:
        oid = str(obj["objectId"])
        file = obj.get("file")
        if not isinstance(file, dict) or not file.get("name"):
            problems.append(f"diashow object {oid}: no file")
            continue
        name = str(file["name"])
        kind = media_kind(obj.get("fileType"), name)
        if kind is None:
            problems.append(f"diashow object {oid}: file type {obj.get('fileType')!r} unknown")
            continue
        cached = files.get(name)
        if cached is None:
            problems.append(f"diashow object {oid}: file {name} not downloaded yet")
            continue
        item: dict[str, Any] = {
            "id": item_id("dia", oid),
            "type": kind,
            "duration_s": _duration(obj.get("duration")),
            "media": {
                "url": file.get("url") or name,
                "sha256": cached["sha256"],
                "size": cached["size"],
            },
        }
        start, end = parse_date(obj.get("startDate")), parse_date(obj.get("endDate"))
        if start is not None and end is not None and end <= start:
            problems.append(f"diashow object {oid}: endDate is not after startDate")
            continue
        window = {k: _iso(v) for k, v in (("from", start), ("until", end)) if v is not None}
        if window:
            item["schedule"] = window
        items.append(item)
    return items


def _distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, h)))


def geo_point(value: Any) -> tuple[float, float] | None:
    if isinstance(value, dict) and value.get("__type") == "GeoPoint":
        lat, lon = value.get("latitude"), value.get("longitude")
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            return float(lat), float(lon)
    return None


def nearest_station(
    stations: list[dict[str, Any]], at: tuple[float, float] | None
) -> dict[str, Any] | None:
    """The WeatherObserved row nearest to the stele. Computed here, not by Parse's `near`:
    that needs PostGIS on a PostgreSQL backend, which a city's server may not have."""
    located = [(geo_point(s.get("location")), s) for s in stations]
    candidates = [(p, s) for p, s in located if p is not None]
    if at is None or not candidates:
        return None
    return min(candidates, key=lambda ps: (_distance_km(at, ps[0]), str(ps[1]["objectId"])))[1]


def press_entries(rows: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """date <= now, newest first, at most 10 — what the current client shows."""
    dated = [(parse_date(r.get("date")), r) for r in rows]
    shown = sorted(
        ((d, r) for d, r in dated if d is not None and d <= now), key=lambda dr: dr[0], reverse=True
    )[:PRESS_MAX]
    return [
        {
            "title": str(r.get("title") or ""),
            "summary": str(r.get("summary") or ""),
            "date": _iso(d),
            "image_url": r.get("imageUrl"),
            "url": r.get("url"),
        }
        for d, r in shown
    ]


def weather_entry(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    raw = row.get("values")
    values: dict[str, Any] = raw if isinstance(raw, dict) else {}
    observed = parse_date(row.get("dateObserved"))
    return {
        "name": str(row.get("name") or ""),
        "observed": _iso(observed) if observed else None,
        "values": [
            {
                "key": k,
                "name": str(v.get("name", k)),
                "unit": v.get("unit"),
                "value": v.get("value"),
            }
            for k, v in sorted(values.items())
            if isinstance(v, dict)
        ],
    }


def departures(result: Any) -> list[dict[str, Any]]:
    """The `mobility` cloud function's answer: `[0].availableOptions[]`, soonest first."""
    if not isinstance(result, list) or not result or not isinstance(result[0], dict):
        return []
    options = result[0].get("availableOptions")
    rows = []
    for o in options if isinstance(options, list) else []:
        if not isinstance(o, dict):
            continue
        planned = parse_date(o.get("departureTimePlanned"))
        estimated = parse_date(o.get("departureTimeEstimated")) or planned
        if planned is None or estimated is None:
            continue
        rows.append(
            {
                "line": str(o.get("shortName") or ""),
                "destination": str(o.get("name") or ""),
                "planned": _iso(planned),
                "estimated": _iso(estimated),
            }
        )
    return sorted(rows, key=lambda r: r["estimated"])


def _position(pos: dict[str, Any]) -> tuple[int, str]:
    p = pos.get("position")
    number = isinstance(p, int | float) and not isinstance(p, bool) and math.isfinite(p)
    return (int(p) if number else 99, str(pos.get("objectId")))  # type: ignore[arg-type]


def _configuring(screen: dict[str, Any] | None, why: str) -> dict[str, Any]:
    return {
        "state": "configuring",
        "name": _name(screen) or "",
        "message": CONFIGURING_TEXT,
        "layout": _name((screen or {}).get("layoutType")),
        "manifest": {"version": "osca-configuring", "items": []},
        "grid": None,
        "live": {},
        "problems": [f"waiting for activation in the Stele Configurator: {why}"],
    }


def build_view(
    snapshot: dict[str, Any], files: dict[str, dict[str, Any]], server_url: str, now: datetime
) -> dict[str, Any]:
    """The whole view for one snapshot; `files` maps Parse file names to {sha256, size}."""
    screen = snapshot.get("screen")
    if not isinstance(screen, dict):
        return _configuring(None, "no SteleScreen row for this stele's uuid")
    state = _name(screen.get("state"))
    layout_cfg = screen.get("layoutConfig")
    if state != ACTIVE:
        return _configuring(screen, f"state is {state or 'not set'}")
    if not isinstance(layout_cfg, dict) or "objectId" not in layout_cfg:
        return _configuring(screen, "no layout config")
    layout = _name(screen.get("layoutType"))
    problems: list[str] = []
    slides = diashow_items(list(snapshot.get("diashow") or []), files, problems)
    items: list[dict[str, Any]] = []
    live: dict[str, Any] = {}
    grid: list[dict[str, Any]] | None = None
    if layout == "Touchscreen":
        grid = []
        for pos in sorted(snapshot.get("tiles") or [], key=_position):
            tile = pos.get("tile") if isinstance(pos.get("tile"), dict) else {}
            type_name = _name(tile.get("tileType")) or "?"
            kind = TILE_KINDS.get(type_name, "unavailable")
            position = pos.get("position")
            entry: dict[str, Any] = {
                "position": position,
                "tile_type": type_name,
                "kind": kind,
                "config": tile.get("config"),
            }
            if kind == "news":
                entry["item"] = f"tile-{position}-news"
                live[entry["item"]] = press_entries(list(snapshot.get("press") or []), now)
                items.append(
                    {
                        "id": entry["item"],
                        "type": "news",
                        "source": {
                            "url": f"{server_url}/classes/PressRelease",
                            "max_items": PRESS_MAX,
                        },
                    }
                )
            elif kind == "weather":
                entry["item"] = f"tile-{position}-weather"
                live[entry["item"]] = weather_entry(snapshot.get("weather"))
                items.append(
                    {
                        "id": entry["item"],
                        "type": "weather",
                        "source": {"url": f"{server_url}/classes/WeatherObserved"},
                    }
                )
            elif kind == "departures":
                entry["live"] = "departures"
                live["departures"] = {
                    "fetched": snapshot.get("mobility_fetched"),
                    "rows": departures(snapshot.get("mobility")),
                }
            elif kind == "diashow":
                entry["items"] = [i["id"] for i in slides]
                items.extend(slides)
            else:
                entry["text"] = UNAVAILABLE_TEXT
                problems.append(f"tile {position} ({type_name}): not available on this stele")
            if kind in ("weather", "departures") and geo_point(screen.get("location")) is None:
                problems.append(
                    f"tile {position} ({type_name}): no location set for this "
                    "stele in the Stele Configurator"
                )
            grid.append(entry)
    elif layout == "Diashow":
        items = slides
    else:
        problems.append(f"layout type {layout!r} unknown: showing the diashow")
        items = slides
    return {
        "state": "active",
        "name": _name(screen) or "",
        "layout": layout,
        "show_header": layout_cfg.get("showHeader", True),
        "show_footer": layout_cfg.get("showFooter", True),
        "manifest": {"version": manifest_version(items), "items": items},
        "grid": grid,
        "live": live,
        "problems": problems,
    }


def manifest_version(items: list[dict[str, Any]]) -> str:
    """Changes whenever anything in the items changes (spec §1), and only then."""
    canon = json.dumps(items, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "osca-" + hashlib.sha256(canon.encode()).hexdigest()[:16]
