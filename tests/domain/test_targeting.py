"""Targeting: polygon, circle, ARS hierarchy, DWD warn cells, topic addressing."""

from __future__ import annotations

from pathlib import Path

import pytest

from stele.domain.cap import parse_alert
from stele.domain.model import Circle, Polygon
from stele.domain.targeting import (
    Place,
    applies,
    ars_covers,
    ars_prefix,
    circle_contains,
    polygon_contains,
)
from tests.capgen import SOLINGEN_SQUARE, make_alert

DATA = Path(__file__).parent.parent / "data" / "cap"
SOLINGEN = Place(lat=51.1652, lon=7.0671, ars="051220000000", warncells=frozenset({"805122000"}))


@pytest.mark.parametrize(
    ("code", "stele", "covers"),
    [
        ("050000000000", "051220000000", True),  # Land NRW covers Solingen
        ("051220000000", "051220000000", True),
        ("051220000000", "051220001234", True),  # the Kreis key covers every 05122...
        ("051220000000", "051230000000", False),
        ("051000000000", "051220000000", True),  # Regierungsbezirk Düsseldorf
        ("051000000000", "053150000000", False),
        ("059740040040", "059740040040", True),
        ("059740040040", "059740040041", False),
        ("000000000000", "091620000000", True),  # nationwide
        ("05122", "051220000000", True),  # a short Kreis key, zero-filled
        ("060000000000", "051220000000", False),
    ],
)
def test_ars_hierarchy(code: str, stele: str, covers: bool) -> None:
    assert ars_covers(code, stele) is covers


def test_ars_prefix_stops_at_level_ends() -> None:
    assert ars_prefix("050000000000") == "05"
    assert ars_prefix("051220000000") == "05122"
    assert ars_prefix("059740040000") == "059740040"
    assert ars_prefix("000000000000") == ""


def test_polygon_contains_and_excludes() -> None:
    square = Polygon(points=SOLINGEN_SQUARE)
    assert polygon_contains(square, 51.1652, 7.0671)
    assert not polygon_contains(square, 51.30, 7.0671)
    assert not polygon_contains(square, 51.1652, 6.95)
    # A concave "U": the notch between the arms is outside.
    u = Polygon(points=((0, 0), (0, 3), (3, 3), (3, 2), (1, 2), (1, 1), (3, 1), (3, 0)))
    assert polygon_contains(u, 2, 0.5)
    assert not polygon_contains(u, 2, 1.5)


def test_circle_contains_by_great_circle_distance() -> None:
    circle = Circle(lat=51.17, lon=7.08, radius_km=2.0)
    assert circle_contains(circle, 51.1652, 7.0671)  # ~1 km away
    assert not circle_contains(circle, 51.22, 7.08)  # ~5.6 km north


def test_real_bbk_json_polygon_in_lon_lat_order_targets_husum() -> None:
    """Sample 01 writes lon,lat (9.12,54.35 near Husum); the parser must have swapped it."""
    alert = parse_alert((DATA / "01_mowas_alert_sturmflut_DE-HH-HH-W240-20220217-003.json").read_bytes())
    husum = Place(lat=54.4858, lon=9.0524)
    munich = Place(lat=48.137, lon=11.575)
    assert applies(alert, husum, addressed=False)
    assert not applies(alert, munich, addressed=False)


def test_real_bbk_ars_geocode_targets_its_kreis() -> None:
    alert = parse_alert((DATA / "01_mowas_alert_sturmflut_DE-HH-HH-W240-20220217-003.json").read_bytes())
    assert applies(alert, Place(ars="010540000000"), addressed=False)  # Nordfriesland
    assert not applies(alert, Place(ars="051220000000"), addressed=False)


def test_real_dwd_warncell_targets_listed_cell_only() -> None:
    alert = parse_alert((DATA / "08_dwd_cap12_xml_alert_large_windboeen.xml").read_bytes())
    cells = alert.all_warncells()
    assert len(cells) == 168  # 1,344 geocodes: 168 cells repeated in 8 language blocks
    assert applies(alert, Place(warncells=frozenset({cells[100]})), addressed=False)
    assert not applies(alert, Place(warncells=frozenset({"999999999"})), addressed=False)


def test_circle_area_in_a_message() -> None:
    alert = make_alert(ars=(), circle="51.17,7.08 2.0")
    assert applies(alert, SOLINGEN, addressed=False)
    assert not applies(alert, Place(lat=51.25, lon=7.08), addressed=False)


def test_no_machine_area_applies_only_when_addressed_to_this_stele() -> None:
    alert = make_alert(ars=())
    assert applies(alert, SOLINGEN, addressed=True)
    assert not applies(alert, SOLINGEN, addressed=False)


def test_any_one_criterion_suffices() -> None:
    elsewhere = ((52.0, 13.0), (52.0, 13.1), (52.1, 13.1), (52.0, 13.0))
    by_cell = make_alert(ars=(), polygon=elsewhere, warncells=("805122000",))
    assert applies(by_cell, SOLINGEN, addressed=False)
    by_polygon = make_alert(ars=("091620000000",), polygon=SOLINGEN_SQUARE)
    assert applies(by_polygon, SOLINGEN, addressed=False)
    nothing = make_alert(ars=("091620000000",), polygon=elsewhere)
    assert not applies(nothing, SOLINGEN, addressed=True)  # has an area, so topic doesn't count
