"""Real MoWaS messages 10-14 (storm night 18 Feb 2022): parsed values and their lifecycle.

The payloads are byte-for-byte copies (see tests/data/cap/SOURCES.md); nothing here is synthetic.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from stele.domain.book import AlertBook, Outcome
from stele.domain.cap import JSON_CONTENT_TYPE, parse_alert
from stele.domain.model import Alert, MsgType, Scope, Severity, Status
from stele.domain.presentation import Mode
from stele.domain.screen import build_screen
from stele.domain.targeting import Place, applies

DATA = Path(__file__).parents[1] / "data" / "cap"
CET = "+01:00"

# Germany's extent: latitude and longitude ranges do not overlap, so a swapped point shows.
LAT_RANGE = (47.2, 55.1)
LON_RANGE = (5.8, 15.1)

# Places inside the alert polygons (checked against the polygons by the tests below).
BREMEN = Place(lat=53.065, lon=8.84, ars="040110000000")
LIPPETAL = Place(lat=51.67, lon=8.08, ars="059740000000")
WUELFRATH = Place(lat=51.285, lon=7.04, ars="051580000000")
KLEIN_GLADEBRUEGGE = Place(lat=53.918, lon=10.3625, ars="010600000000")


def path(prefix: str) -> Path:
    (found,) = DATA.glob(prefix + "_*")
    return found


def sample(prefix: str) -> Alert:
    return parse_alert(path(prefix).read_bytes())


def t(text: str) -> datetime:
    return datetime.fromisoformat(text + CET)


# prefix, identifier, msgType, references, severity, expires, categories, points, first (lat, lon)
SAMPLES = [
    ("10", "DE-HB-HB-SE019-20220218-19-001", MsgType.ALERT, (), Severity.SEVERE, None,
     ("Geo", "Rescue"), 9, (53.0955, 8.7513)),
    ("11", "DE-HB-HB-SE019-20220218-19-002", MsgType.ALERT, (), Severity.SEVERE, None,
     ("Geo", "Rescue"), 22, (53.0715, 8.8073)),
    ("12", "DE-NW-SO-SE089-20220218-89-003", MsgType.CANCEL, ("DE-NW-SO-SE089-20220218-89-002",),
     Severity.EXTREME, "2022-02-19T03:56:38", ("Infra",), 359, (51.7224, 7.9767)),
    ("13", "DE-NW-ME-SE071-20220218-71-001", MsgType.CANCEL, ("DE-NW-ME-SE071-20220218-71-000",),
     Severity.MINOR, "2022-02-19T04:19:43", ("Infra",), 144, (51.3243, 7.004)),
    ("14", "DE-SH-EH-SE028-20220218-28-000", MsgType.ALERT, (), Severity.SEVERE, None,
     ("Fire", "Infra"), 65, (53.9248, 10.3825)),
]


@pytest.mark.parametrize(
    ("prefix", "identifier", "msg_type", "refs", "severity", "expires", "cats", "n", "first"),
    SAMPLES,
    ids=[s[0] for s in SAMPLES],
)
def test_real_sample_values(
    prefix: str,
    identifier: str,
    msg_type: MsgType,
    refs: tuple[str, ...],
    severity: Severity,
    expires: str | None,
    cats: tuple[str, ...],
    n: int,
    first: tuple[float, float],
) -> None:
    payload = path(prefix).read_bytes()
    alert = parse_alert(payload)
    assert alert.identifier == identifier
    assert alert.sender == identifier.rsplit("-2022", 1)[0]
    assert (alert.status, alert.msg_type, alert.scope) == (Status.ACTUAL, msg_type, Scope.PUBLIC)
    assert alert.references == refs
    assert alert.raw == payload and alert.content_type == JSON_CONTENT_TYPE
    (info,) = alert.infos
    assert info.language == "DE"
    assert info.severity is severity
    assert info.expires == (None if expires is None else t(expires))
    assert info.categories == cats
    (area,) = info.areas
    (polygon,) = area.polygons
    assert len(polygon.points) == n
    assert polygon.points[0] == first == polygon.points[-1]  # closed, and stored as (lat, lon)
    # The feed wrote "lon,lat": every point must have come out as (lat, lon) inside Germany.
    for lat, lon in polygon.points:
        assert LAT_RANGE[0] < lat < LAT_RANGE[1] and LON_RANGE[0] < lon < LON_RANGE[1]
    assert len(area.ars) == 1 and area.ars[0].endswith("0000000")
    assert "<br" not in info.description + info.instruction + info.contact


@pytest.mark.parametrize("prefix", [s[0] for s in SAMPLES])
def test_copy_is_the_minified_feed_element_listed_in_sources(prefix: str) -> None:
    payload = path(prefix).read_bytes()
    listed = re.search(
        rf"^([0-9a-f]{{64}})  {re.escape(path(prefix).name)}$",
        (DATA / "SOURCES.md").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    assert listed is not None and listed.group(1) == hashlib.sha256(payload).hexdigest()
    assert b"\n" not in payload and payload.startswith(b'{"identifier":"DE-')
    obj = json.loads(payload)
    assert json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode() == payload


def test_cancels_keep_the_feed_sent_times_and_a_six_hour_expires() -> None:
    for prefix, sent in (("12", "2022-02-18T21:56:38"), ("13", "2022-02-18T22:19:43")):
        alert = sample(prefix)
        assert alert.sent == t(sent)
        assert alert.infos[0].expires == alert.sent + timedelta(hours=6)
        assert alert.infos[0].headline.startswith("Entwarnung: ")


def test_bremen_alert_sent_twice_as_new_alerts_shows_both_newest_first() -> None:
    first, second = sample("10"), sample("11")
    assert second.sent - first.sent == timedelta(minutes=67, seconds=34)
    assert first.infos[0].headline == second.infos[0].headline
    b = AlertBook(place=BREMEN)
    now = second.sent + timedelta(minutes=1)
    assert b.receive(first, now).outcome is Outcome.ADDED
    # No references: the second message does not replace the first (CAP: only Update does).
    assert b.receive(second, now).outcome is Outcome.ADDED
    assert b.receive(first, now).outcome is Outcome.DUPLICATE  # QoS 1 re-delivery
    screen = build_screen(b, now)
    assert [v.identifier for v in screen.alerts] == [second.identifier, first.identifier]
    assert screen.mode is Mode.CRISIS  # Severe takes over by default
    # No expires: still shown three days later.
    assert len(build_screen(b, now + timedelta(days=3)).alerts) == 2


def test_bremen_polygons_differ_between_the_two_messages() -> None:
    first, second = sample("10"), sample("11")
    only_first = Place(lat=53.07, lon=8.82)  # no ARS: decided by the polygons alone
    assert applies(first, only_first, addressed=False)
    assert not applies(second, only_first, addressed=False)
    both = Place(lat=BREMEN.lat, lon=BREMEN.lon)
    assert applies(first, both, addressed=False) and applies(second, both, addressed=False)


def test_extreme_cancel_of_an_unknown_alert_gives_a_calm_all_clear_here() -> None:
    cancel = sample("12")
    b = AlertBook(place=LIPPETAL)
    now = cancel.sent + timedelta(minutes=1)
    change = b.receive(cancel, now)
    assert change.outcome is Outcome.CANCELLED and change.removed == ()
    screen = build_screen(b, now)
    assert screen.alerts == () and screen.mode is Mode.NORMAL  # Extreme, but never a crisis
    assert screen.all_clear is not None
    assert screen.all_clear.headline == "Entwarnung: Stromausfall in Teilen von Lippetal"
    assert screen.all_clear.until == now + timedelta(minutes=10)
    assert "DE-NW-SO-SE089-20220218-89-002" in b.ended


def test_extreme_cancel_shows_nothing_at_a_stele_elsewhere() -> None:
    cancel = sample("12")
    b = AlertBook(place=BREMEN)
    now = cancel.sent + timedelta(minutes=1)
    assert b.receive(cancel, now).outcome is Outcome.CANCELLED
    assert build_screen(b, now).all_clear is None


def test_two_cancels_of_one_sender_end_both_referenced_alerts() -> None:
    earlier, later = sample("04"), sample("12")
    assert earlier.sender == later.sender and earlier.sent < later.sent
    b = AlertBook(place=None)
    now = later.sent + timedelta(minutes=1)
    b.receive(earlier, now)
    b.receive(later, now)
    assert {*earlier.references, *later.references} <= set(b.ended)
    assert b.receive(earlier, now).outcome is Outcome.OUTDATED  # a Cancel is remembered too
    assert build_screen(b, now).mode is Mode.NORMAL


def test_all_clear_is_capped_by_the_real_cancels_expires() -> None:
    cancel = sample("13")
    expires = cancel.infos[0].expires
    assert expires is not None
    b = AlertBook(place=WUELFRATH)
    late = expires - timedelta(minutes=4)
    b.receive(cancel, late)
    screen = build_screen(b, late)
    assert screen.all_clear is not None and screen.all_clear.until == expires
    assert build_screen(b, expires).all_clear is None


def test_feuerwehr_ellipse_alert_takes_over_until_cancelled() -> None:
    alert = sample("14")
    assert alert.infos[0].instruction.startswith("Es besteht keine Gefahr.")
    b = AlertBook(place=KLEIN_GLADEBRUEGGE)
    now = alert.sent + timedelta(minutes=1)
    assert b.receive(alert, now).outcome is Outcome.ADDED
    screen = build_screen(b, now + timedelta(days=2))  # no expires
    assert [v.identifier for v in screen.alerts] == [alert.identifier]
    assert screen.mode is Mode.CRISIS
    assert screen.alerts[0].texts[0].headline == "Feuerwehreinsatz"
    outside = Place(lat=53.95, lon=10.2)  # outside the ellipse, no ARS
    assert not applies(alert, outside, addressed=False)
