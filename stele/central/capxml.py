"""api31 CAP-JSON plus its GeoJSON → the CAP 1.2 XML every stele already parses.

The federal API serves a warning's CAP as JSON without any machine-readable area (the
geometry comes separately as GeoJSON). Here the geometry becomes CAP `<polygon>`s in CAP's
`lat,lon` order in every area of every info, so each stele targets by its own position.
Nothing is added that widens the area: no ARS geocode for the Kreis the warning was found
through. Elements are written in the order of the CAP 1.2 schema; keys CAP does not know
are dropped. Output is deterministic (same input, same bytes): restarts compare it with
what is retained on the broker.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from stele.errors import SteleError

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"

# CAP 1.2 element order (OASIS CAP 1.2, section 3.2); "*" marks the repeatable ones.
_ALERT = (
    "identifier", "sender", "sent", "status", "msgType", "source", "scope", "restriction",
    "addresses", "code*", "note", "references", "incidents",
)  # fmt: skip
_INFO = (
    "language", "category*", "event", "responseType*", "urgency", "severity", "certainty",
    "audience", "eventCode*", "effective", "onset", "expires", "senderName", "headline",
    "description", "instruction", "web", "contact", "parameter*",
)  # fmt: skip
_AREA_TAIL = ("altitude", "ceiling")


class ConversionError(SteleError):
    """A warning whose CAP-JSON or GeoJSON cannot become a CAP alert."""


Ring = list[tuple[float, float]]  # (lat, lon)


def geojson_rings(geojson: Any) -> list[Ring]:
    """The outer ring of every Polygon / MultiPolygon in a FeatureCollection, as (lat, lon).

    Holes are not kept: CAP has no holes, and a stele inside a hole of a warning's area is
    nearer to it than one far outside (a wider area is the safe side here only for holes).
    """
    if not isinstance(geojson, Mapping):
        raise ConversionError("GeoJSON is not an object")
    features = geojson.get("features")
    if geojson.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise ConversionError("GeoJSON is not a FeatureCollection")
    rings: list[Ring] = []
    for feature in features:
        geometry = feature.get("geometry") if isinstance(feature, Mapping) else None
        if not isinstance(geometry, Mapping):
            continue
        kind, coords = geometry.get("type"), geometry.get("coordinates")
        polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
        for polygon in polygons or []:
            if polygon:
                rings.append(_ring(polygon[0]))
    return rings


def _ring(points: Any) -> Ring:
    try:
        ring = [(float(p[1]), float(p[0])) for p in points]  # GeoJSON is [lon, lat]
    except (TypeError, ValueError, IndexError):
        raise ConversionError("GeoJSON ring holds something other than [lon, lat]") from None
    if len(ring) >= 3 and ring[0] != ring[-1]:
        ring.append(ring[0])  # CAP: the first and last pairs are the same
    if len(ring) < 4:
        raise ConversionError(f"GeoJSON ring of {len(ring)} points: CAP needs at least 4")
    return ring


def polygon_text(ring: Ring) -> str:
    return " ".join(f"{_num(lat)},{_num(lon)}" for lat, lon in ring)


def _num(value: float) -> str:
    return format(value, ".6f").rstrip("0").rstrip(".")


def cap_xml(cap: Mapping[str, Any], rings: Sequence[Ring]) -> bytes:
    """CAP 1.2 XML for one api31 warning and its geometry."""
    if not isinstance(cap, Mapping) or not isinstance(cap.get("info"), list):
        raise ConversionError("CAP-JSON is not an alert object with an info list")
    root = Element("alert", xmlns=CAP_NS)
    _fields(root, cap, _ALERT)
    polygons = [polygon_text(r) for r in rings]
    for info in cap["info"]:
        if not isinstance(info, Mapping):
            raise ConversionError("an info block is not an object")
        node = SubElement(root, "info")
        _fields(node, info, _INFO)
        for resource in _items(info.get("resource")):
            if isinstance(resource, Mapping):
                _simple(SubElement(node, "resource"), resource)
        areas = [a for a in _items(info.get("area")) if isinstance(a, Mapping)]
        if not areas and polygons:
            areas = [{"areaDesc": ""}]
        for area in areas:
            _area(SubElement(node, "area"), area, polygons)
    return tostring(root, encoding="utf-8", xml_declaration=True)


def _area(node: Element, area: Mapping[str, Any], polygons: Iterable[str]) -> None:
    _text(node, "areaDesc", area.get("areaDesc", ""))
    for text in [*_items(area.get("polygon")), *polygons]:
        _text(node, "polygon", text)
    for text in _items(area.get("circle")):
        _text(node, "circle", text)
    for pair in _items(area.get("geocode")):
        _pair(node, "geocode", pair)
    for name in _AREA_TAIL:
        if area.get(name) is not None:
            _text(node, name, area[name])


def _fields(node: Element, data: Mapping[str, Any], order: Sequence[str]) -> None:
    for spec in order:
        name = spec.rstrip("*")
        value = data.get(name)
        if value is None:
            continue
        if name in ("eventCode", "parameter"):
            for pair in _items(value):
                _pair(node, name, pair)
        elif spec.endswith("*"):
            for item in _items(value):
                _text(node, name, item)
        else:
            _text(node, name, value)


def _simple(node: Element, data: Mapping[str, Any]) -> None:
    for key in ("resourceDesc", "mimeType", "size", "uri", "derefUri", "digest"):
        if data.get(key) is not None:
            _text(node, key, data[key])


def _pair(node: Element, name: str, pair: Any) -> None:
    if not isinstance(pair, Mapping):
        return
    child = SubElement(node, name)
    _text(child, "valueName", pair.get("valueName", ""))
    _text(child, "value", pair.get("value", ""))


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _text(node: Element, name: str, value: Any) -> None:
    if isinstance(value, (bool, dict, list)):
        raise ConversionError(f"{name}: expected text, found {type(value).__name__}")
    SubElement(node, name).text = str(value)
