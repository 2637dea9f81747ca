"""One read of everything the stele shows from the OSCA backend: its SteleScreen row with the
layout config (pointers by `include`), the diashow objects and tiles (Relations by
`$relatedTo`), and the data of the tiles it has. The result is plain Parse JSON; the domain
(stele/domain/osca.py) gives it meaning.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime
from typing import Any

from stele.adapters.osca.rest import ParseRest
from stele.domain.osca import geo_point

log = logging.getLogger(__name__)
SCREEN_INCLUDE = "layoutType,state,layoutConfig,layoutConfig.diashowConfig,layoutConfig.gridConfig"
# The current client names a new stele after a random first name; so does stele.
FIRST_NAMES = (
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Emma",
    "Finn",
    "Greta",
    "Hannah",
    "Ida",
    "Jonas",
    "Karla",
    "Leon",
    "Mia",
    "Noah",
    "Oskar",
    "Paula",
    "Quentin",
    "Rosa",
    "Samuel",
    "Tilda",
    "Ute",
    "Valentin",
    "Wilma",
    "Xaver",
    "Yara",
    "Zoe",
)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def find_screen(rest: ParseRest, uuid: str) -> dict[str, Any] | None:
    rows = rest.find("SteleScreen", {"uuid": uuid}, include=SCREEN_INCLUDE, limit=1)
    return rows[0] if rows else None


def ensure_screen(rest: ParseRest, uuid: str, rng: random.Random | None = None) -> bool:
    """Create this stele's SteleScreen row if the backend has none; True if it was made."""
    if find_screen(rest, uuid) is not None:
        return False
    name = (rng or random.Random()).choice(FIRST_NAMES)
    rest.create("SteleScreen", {"uuid": uuid, "name": name})
    log.info("osca: created SteleScreen %s named %s: waiting for activation", uuid, name)
    return True


def tile_types(snapshot: dict[str, Any]) -> set[str]:
    names = set()
    for pos in snapshot.get("tiles") or []:
        tile = pos.get("tile") or {}
        tile_type = tile.get("tileType") if isinstance(tile, dict) else None
        if isinstance(tile_type, dict) and isinstance(tile_type.get("name"), str):
            names.add(tile_type["name"])
    return names


def fetch_snapshot(rest: ParseRest, uuid: str, now: datetime) -> dict[str, Any]:
    """Every query the view needs, fresh. Raises OscaError if any of them fails, so that a
    partial answer never replaces the last good snapshot."""
    snap: dict[str, Any] = {"uuid": uuid, "fetched": _iso(now), "screen": find_screen(rest, uuid)}
    screen = snap["screen"] or {}
    raw = screen.get("layoutConfig")
    layout: dict[str, Any] = raw if isinstance(raw, dict) else {}
    diashow = layout.get("diashowConfig")
    grid = layout.get("gridConfig")
    snap["diashow"] = (
        rest.related(
            "SteleDiashowConfig", diashow["objectId"], "diashowObjects", "SteleDiashowObject"
        )
        if isinstance(diashow, dict) and "objectId" in diashow
        else []
    )
    snap["tiles"] = (
        rest.related(
            "SteleGridConfig",
            grid["objectId"],
            "tiles",
            "SteleTilePosition",
            include="tile,tile.tileType",
        )
        if isinstance(grid, dict) and "objectId" in grid
        else []
    )
    kinds = tile_types(snap)
    if "Pressemitteilungen" in kinds:
        snap["press"] = rest.find(
            "PressRelease",
            {"date": {"$lte": {"__type": "Date", "iso": _iso(now)}}},
            order="-date",
            limit=10,
        )
    if "Wetter" in kinds:
        snap["weather"] = nearest_weather(rest, geo_point(screen.get("location")))
    return snap


def nearest_weather(rest: ParseRest, at: tuple[float, float] | None) -> dict[str, Any] | None:
    """The nearest WeatherObserved row, chosen here: Parse's `near` needs PostGIS, which a
    PostgreSQL backend may lack (the test server's has none)."""
    from stele.domain.osca import nearest_station

    return nearest_station(rest.find("WeatherObserved"), at)


def fetch_departures(rest: ParseRest, location: tuple[float, float]) -> Any:
    lat, lon = location
    return rest.call("mobility", {"type": "public-transport", "lat": lat, "lon": lon})
