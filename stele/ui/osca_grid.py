"""The OSCA Touchscreen layout's 2×2 tiles as maps for layouts/Stele/screens/TileGrid.qml.

Each tile has a small face (its heading and a few lines) and `slide`: the slide map its large
view draws with the rotation's own slides (news, weather, an image, a text page), so the
large view pages and sizes its text as the rotation does. Departures have no slide type of
their own: a text page of rows. An unknown tile type is the designed "not available" tile.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from stele.domain.livedata import LiveData
from stele.domain.manifest import Item, Manifest
from stele.domain.osca import UNAVAILABLE_TEXT, parse_date
from stele.ui.slides import file_url, live_map, slide_map

HEADINGS = {
    "news": "Presse\u00admitteilungen",  # a soft hyphen: a narrow tile breaks it there
    "weather": "Wetter",
    "departures": "Abfahrten",
    "diashow": "Diashow",
}
FACE_LINES = 3
GRID_ID = "osca-grid"  # the status `slide` while the grid is on the glass, no tile open


def tile_maps(
    view: dict[str, Any],
    manifest: Manifest,
    live: Callable[[Item], LiveData | None],
    media: Callable[[str], Path | None],
    now: datetime,
    zone: tzinfo,
) -> list[dict[str, Any]]:
    items = {i.id: i for i in manifest.items}
    tiles = []
    for entry in view.get("grid") or []:
        kind = str(entry.get("kind"))
        position = entry.get("position")
        heading = HEADINGS.get(kind, str(entry.get("tile_type") or ""))
        lines: list[str] = []
        image = ""
        slide = _text_slide(f"tile-{position}-{kind}", heading, UNAVAILABLE_TEXT)
        item = items.get(str(entry.get("item") or ""))
        if kind in ("news", "weather") and item is not None:
            data = live(item)
            shown = live_map(item, data, now, zone, lambda _sha: None) if data else {}
            slide = slide_map(item, live=shown)
            if kind == "news":
                lines = [str(e["title"]) for e in shown.get("entries", [])[:FACE_LINES]]
            else:
                current = shown.get("current") or {}
                station = (
                    data.weather.now.station if data and data.weather and data.weather.now else None
                )
                lines = [
                    s for s in (station, current.get("temperature"), current.get("condition")) if s
                ]
        elif kind == "departures":
            rows = (view.get("live") or {}).get("departures", {}).get("rows") or []
            texts = [_departure(r, zone) for r in rows]
            lines = texts[:FACE_LINES]
            slide = _text_slide(f"tile-{position}-departures", heading, "\n".join(texts))
        elif kind == "diashow":
            for item_id in entry.get("items") or []:
                dia = items.get(item_id)
                path = (
                    media(dia.media.sha256) if dia and dia.media and dia.type == "image" else None
                )
                if dia is not None and path is not None:
                    image = file_url(path)
                    slide = slide_map(dia, source=path)
                    break
        else:
            lines = [UNAVAILABLE_TEXT]
        if kind != "unavailable" and not lines and not image:
            lines = ["Zurzeit keine Daten"]
        tiles.append(
            {
                "position": position,
                "kind": kind,
                "heading": heading,
                "lines": lines,
                "image": image,
                "available": kind != "unavailable",
                "slide": slide,
            }
        )
    return tiles


def departure_items(view: dict[str, Any], zone: tzinfo) -> list[Item]:
    """Without touch input the tiles rotate: departures, which have no manifest type, as a
    text page of rows (refreshed with every `mobility` answer)."""
    items = []
    for entry in view.get("grid") or []:
        if entry.get("kind") != "departures":
            continue
        rows = (view.get("live") or {}).get("departures", {}).get("rows") or []
        if rows:
            body = "\n".join(_departure(r, zone) for r in rows)
            items.append(
                Item(
                    id=f"tile-{entry.get('position')}-departures",
                    type="text",
                    title=HEADINGS["departures"],
                    body=body[:20000],
                    duration_s=15,
                )
            )
    return items


def _text_slide(slide_id: str, title: str, body: str) -> dict[str, Any]:
    return {
        "slideId": slide_id,
        "kind": "text",
        "durationMs": 0,
        "source": "",
        "fit": "contain",
        "title": title,
        "body": body,
        "qrSource": "",
        "qrCaption": "",
        "live": {},
        "pixelWidth": 0,
        "pixelHeight": 0,
    }


def _departure(row: dict[str, Any], zone: tzinfo) -> str:
    planned, estimated = parse_date(row.get("planned")), parse_date(row.get("estimated"))
    if planned is None:
        return f"{row.get('line', '')}  {row.get('destination', '')}"
    at = planned.astimezone(zone).strftime("%H:%M")
    late = round((estimated - planned).total_seconds() / 60) if estimated else 0
    delay = f" (+{late})" if late > 0 else ""
    return f"{row.get('line', '')}  {row.get('destination', '')}  {at}{delay}"
