"""Single CAP values: times, `references`, polygon and circle coordinates.

Pure functions used by `stele.domain.cap`; each raises `CapError` with one readable line.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone

from stele.domain.model import Circle, Polygon
from stele.errors import CapError

# CAP 1.2 dateTime: "2022-02-17T05:27:15+01:00"; we also accept "Z", fractional seconds and
# an offset without colon. No offset at all is rejected: a local time cannot be placed safely.
_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):?(\d{2}))",
    re.ASCII,
)


def show(value: str, limit: int = 60) -> str:
    """A payload value quoted for an error message: one line, bounded length."""
    text = value if len(value) <= limit else value[:limit] + "…"
    return repr(text)


def parse_time(value: str, key: str) -> datetime:
    """A timezone-aware datetime from a CAP time; `key` names the element in the error."""
    match = _TIME.fullmatch(value.strip())
    if match is None:
        raise CapError(f"invalid {key!r} time {show(value)} (want 2024-05-01T12:00:00+02:00)")
    year, month, day, hour, minute, second, frac, zulu, sign, off_h, off_m = match.groups()
    try:
        if zulu:
            tz = UTC
        else:
            if int(off_m) >= 60:
                raise ValueError
            offset = timedelta(hours=int(off_h), minutes=int(off_m))
            tz = timezone(-offset if sign == "-" else offset)
        micro = int((frac or "0")[:6].ljust(6, "0"))
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=tz
        )
    except ValueError:  # month 13, hour 25, offset of 24 h or more
        raise CapError(f"invalid {key!r} time {show(value)}") from None


# The `sent` part of a reference, also in MoWaS' broken form "89--T00:00:00+00:00".
_TIME_LIKE = re.compile(r"[\d-]*[Tt]\d{1,2}:\d{2}|\d{4}-\d{2}-\d{2}$", re.ASCII)
_COMMA = re.compile(r"\s*,\s*")


def _is_sender_or_time(part: str) -> bool:
    return "@" in part or _TIME_LIKE.match(part) is not None


def parse_references(value: str) -> tuple[str, ...]:
    """The identifiers referenced by a CAP `references` value, in order, without duplicates.

    CAP writes "sender,identifier,sent" groups separated by whitespace; real feeds break this
    (docs/alerts.md quirk 2): MoWaS writes "sender,identifier", "identifier,sent", a bare
    "identifier", or a garbled sent such as "89--T00:00:00+00:00". The rule, per
    whitespace-separated group (spaces around commas are ignored first):

    * three parts: the middle one is the identifier (CAP's own form, whatever the other two
      look like; a MoWaS sender may look like an identifier, e.g. "DE-NW-SO-SE089-20220218");
    * otherwise drop parts that look like a time (digits/dashes then "T" and hh:mm, or a bare
      date) or like an e-mail style sender (contains "@"); if two or more parts remain, the
      first one is the sender and is dropped too.

    A lone group is never guessed to be a sender unless it has an "@": identifiers such as
    "HOCHWASSERZENTRALEN.DE.HB" look host-like, and keeping a stray sender is harmless since
    references are only looked up by identifier.
    """
    found: dict[str, None] = {}
    for group in _COMMA.sub(",", value).split():
        parts = [p for p in group.split(",") if p]
        if len(parts) == 3:
            candidates = parts[1:2]
        else:
            candidates = [p for p in parts if not _is_sender_or_time(p)]
            if len(candidates) >= 2:
                candidates = candidates[1:]
        for part in candidates:
            if not _is_sender_or_time(part):
                found[part] = None
    return tuple(found)


def _point(token: str, what: str) -> tuple[float, float]:
    first, sep, rest = token.partition(",")
    second, _, altitude = rest.partition(",")  # a third (altitude) component is ignored
    try:
        if not sep or "," in altitude:
            raise ValueError
        a, b = float(first), float(second)
        if altitude:
            float(altitude)
    except ValueError:
        raise CapError(f"malformed {what} point {show(token)} (expected 'lat,lon')") from None
    if not (math.isfinite(a) and math.isfinite(b)):
        raise CapError(f"malformed {what} point {show(token)} (not a finite number)")
    return a, b


# Germany (with margin) as lat/lon ranges. They do not overlap, so the order can be told.
_LAT = (47.0, 55.2)
_LON = (5.5, 15.5)


def _in_germany(a: float, b: float) -> bool:
    return _LAT[0] <= a <= _LAT[1] and _LON[0] <= b <= _LON[1]


# Placeholder vertices seen in real MoWaS polygons (e.g. a leading "-1.0,-1.0"): not places.
_SENTINELS = frozenset({(-1.0, -1.0), (0.0, 0.0)})


def orient(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """docs/alerts.md quirk 1: points in (lat, lon). Placeholder vertices are dropped first.
    If most points read as a German lon,lat (the BBK JSON feeds) and fewer as a German
    lat,lon, they are swapped; anything else (lat,lon, outside Germany) keeps CAP's order."""
    real = [p for p in points if p not in _SENTINELS] or points
    as_lat_lon = sum(_in_germany(a, b) for a, b in real)
    as_lon_lat = sum(_in_germany(b, a) for a, b in real)
    if as_lon_lat > as_lat_lon and 2 * as_lon_lat >= len(real):
        return [(b, a) for a, b in real]
    return real


def _check_range(points: list[tuple[float, float]], what: str) -> None:
    for lat, lon in points:
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise CapError(f"{what} point {lat},{lon} is outside the globe")


def parse_polygon(value: str) -> Polygon | None:
    """A CAP polygon "lat,lon lat,lon ..." (order detected, see `orient`); None when empty."""
    points = [_point(token, "polygon") for token in value.split()]
    if not points:
        return None
    points = orient(points)
    _check_range(points, "polygon")
    return Polygon(tuple(points))


def parse_circle(value: str) -> Circle | None:
    """A CAP circle "lat,lon radius_km" (centre order detected as for polygons); None when
    empty."""
    tokens = value.split()
    if not tokens:
        return None
    if len(tokens) != 2:
        raise CapError(f"malformed circle {show(value)} (expected 'lat,lon radius')")
    centre = orient([_point(tokens[0], "circle")])
    _check_range(centre, "circle")
    try:
        radius = float(tokens[1])
    except ValueError:
        radius = math.nan
    if not (math.isfinite(radius) and radius >= 0):
        raise CapError(f"malformed circle radius {show(tokens[1])}")
    (lat, lon) = centre[0]
    return Circle(lat=lat, lon=lon, radius_km=radius)
