"""Does an alert address this stele? Polygon, circle, ARS hierarchy, DWD warn cell."""

from __future__ import annotations

import math
from dataclasses import dataclass

from stele.domain.model import Alert, Circle, Polygon

# ARS levels end after these digits: Land, Regierungsbezirk, Kreis, Gemeindeverband, Gemeinde.
_ARS_LEVELS = (2, 3, 5, 9, 12)
_EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class Place:
    """Where a stele stands. Any field may be missing (the CLI asks about partial places)."""

    lat: float | None = None
    lon: float | None = None
    ars: str | None = None
    warncells: frozenset[str] = frozenset()

    @property
    def has_position(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def is_empty(self) -> bool:
        return not self.has_position and not self.ars and not self.warncells


def ars_prefix(code: str) -> str:
    """The prefix of a steles' ARS that `code` covers: its significant digits up to a level end.

    `050000000000` -> "05" (all of NRW); `051220000000` -> "05122"; an all-zero key is
    nationwide (""). Shorter keys (a 5-digit Kreis key) are padded as if zero-filled.
    """
    padded = code.ljust(12, "0")
    for level in _ARS_LEVELS:
        if padded[level:].strip("0") == "":
            return "" if padded[:level].strip("0") == "" else padded[:level]
    return padded


def ars_covers(code: str, stele_ars: str) -> bool:
    return stele_ars.startswith(ars_prefix(code))


def polygon_contains(polygon: Polygon, lat: float, lon: float) -> bool:
    """Even-odd ray casting in the lat/lon plane: exact enough at city scale."""
    pts = polygon.points
    inside = False
    j = len(pts) - 1
    for i in range(len(pts)):
        yi, xi = pts[i]
        yj, xj = pts[j]
        if (yi > lat) != (yj > lat):
            cross_x = xi + (lat - yi) * (xj - xi) / (yj - yi)
            if lon < cross_x:
                inside = not inside
        j = i
    return inside


def circle_contains(circle: Circle, lat: float, lon: float) -> bool:
    p1, p2 = math.radians(circle.lat), math.radians(lat)
    dphi = p2 - p1
    dlmb = math.radians(lon - circle.lon)
    a = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlmb / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a))) <= circle.radius_km


def has_machine_area(alert: Alert) -> bool:
    return any(
        area.polygons or area.circles or area.ars or area.warncells
        for info in alert.infos
        for area in info.areas
    )


def applies(alert: Alert, place: Place, *, addressed: bool) -> bool:
    """True if any area of any info block targets `place`.

    `addressed`: the alert arrived on a topic meant for this stele (all, its ARS, its id);
    it decides only for alerts that carry no machine-readable area at all.
    """
    if not has_machine_area(alert):
        return addressed
    seen: set[int] = set()
    for info in alert.infos:
        for area in info.areas:
            # The parser shares equal areas across language blocks: test each once.
            if id(area) in seen:
                continue
            seen.add(id(area))
            if place.warncells and not place.warncells.isdisjoint(area.warncells):
                return True
            if place.ars and any(ars_covers(code, place.ars) for code in area.ars):
                return True
            if place.lat is not None and place.lon is not None:
                if any(polygon_contains(p, place.lat, place.lon) for p in area.polygons):
                    return True
                if any(circle_contains(c, place.lat, place.lon) for c in area.circles):
                    return True
    return False
