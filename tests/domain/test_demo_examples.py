"""The bundled demo CAP messages (stele/demo/examples): well-formed CAP 1.2, parsed by the real
parser, targeted at the demo city, and producing the intended demo story in the real alert book."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from importlib.resources import files
from importlib.resources.abc import Traversable

import pytest

from stele.domain.book import AlertBook, Outcome
from stele.domain.cap import XML_CONTENT_TYPE, parse_alert
from stele.domain.decide import decide_layout
from stele.domain.model import Alert, Info, Layout, MsgType, Scope, Severity, Status
from stele.domain.targeting import Place, applies

NS = "urn:oasis:names:tc:emergency:cap:1.2"
Q = f"{{{NS}}}"

FLOOD_ALERT = "01_flood_alert.xml"
FLOOD_UPDATE = "02_flood_update.xml"
FLOOD_CANCEL = "03_flood_cancel.xml"
EXERCISE = "04_exercise.xml"
STORM = "05_storm_moderate.xml"
INFO = "06_info_minor.xml"
ALL = (FLOOD_ALERT, FLOOD_UPDATE, FLOOD_CANCEL, EXERCISE, STORM, INFO)

# The window the README promises the demo works in, unchanged files and a correct clock.
DEMO_FROM = datetime.fromisoformat("2026-11-22T15:00:00+01:00")
DEMO_UNTIL = datetime.fromisoformat("2027-12-31T23:00:00+01:00")

SOLINGEN_ARS = "051220000000"
SOLINGEN_WARNCELL = "805122000"
SOLINGEN_CENTRE = (51.17, 7.08)
SOLINGEN_BURG = (51.137, 7.148)
DUESSELDORF = Place(lat=51.2277, lon=6.7735, ars="051110000000", warncells=frozenset({"805111000"}))


def _examples() -> Traversable:
    return files("stele.demo").joinpath("examples")


def _raw(name: str) -> bytes:
    return _examples().joinpath(name).read_bytes()


def _parsed(name: str) -> Alert:
    return parse_alert(_raw(name), XML_CONTENT_TYPE)


def _root(name: str) -> ET.Element:
    return ET.fromstring(_raw(name))  # our own files: the stdlib parser is fine here


def test_package_ships_exactly_the_documented_examples() -> None:
    names = {e.name for e in _examples().iterdir() if e.name.endswith(".xml")}
    assert names == set(ALL)
    readme = _examples().joinpath("README.md").read_text(encoding="utf-8")
    for name in ALL:
        assert name in readme


@pytest.mark.parametrize("name", ALL)
def test_is_well_formed_cap12_with_required_elements(name: str) -> None:
    root = _root(name)
    assert root.tag == f"{Q}alert"
    for tag in ("identifier", "sender", "sent", "status", "msgType", "scope"):
        assert (root.findtext(f"{Q}{tag}") or "").strip(), tag
    assert root.findtext(f"{Q}sender") == "demo@stele.invalid"
    assert "DEMO" in (root.findtext(f"{Q}note") or "")
    infos = root.findall(f"{Q}info")
    assert infos
    for info in infos:
        assert info.findall(f"{Q}category")
        for tag in ("event", "urgency", "severity", "certainty"):
            assert (info.findtext(f"{Q}{tag}") or "").strip(), tag
        assert info.findtext(f"{Q}web") in ("https://www.solingen.de/", "https://www.dwd.de/")
        assert "Demo" in (info.findtext(f"{Q}senderName") or "")
        for area in info.findall(f"{Q}area"):
            assert (area.findtext(f"{Q}areaDesc") or "").strip()
            for poly in area.findall(f"{Q}polygon"):
                points = (poly.text or "").split()
                assert points[0] == points[-1], "CAP polygons are closed rings"
                for point in points:
                    lat, lon = (float(v) for v in point.split(","))
                    assert 51.0 < lat < 51.3 and 6.9 < lon < 7.2, "lat,lon order around Solingen"
    times = [root.findtext(f"{Q}sent") or ""]
    times += [
        t.text or "" for t in root.iter() if t.tag in {f"{Q}effective", f"{Q}onset", f"{Q}expires"}
    ]
    for text in times:
        assert text.endswith("+01:00"), text
        assert datetime.fromisoformat(text).utcoffset() is not None


@pytest.mark.parametrize("name", ALL)
def test_parses_with_the_real_parser(name: str) -> None:
    alert = _parsed(name)
    assert alert.sender == "demo@stele.invalid"
    assert alert.scope is Scope.PUBLIC
    assert alert.identifier == _root(name).findtext(f"{Q}identifier")
    assert SOLINGEN_ARS in alert.all_ars()
    for info in alert.infos:
        assert info.headline and info.description and info.instruction
        assert any(area.polygons for area in info.areas)


def test_identity_type_status_severity_and_languages() -> None:
    expected = {
        FLOOD_ALERT: (MsgType.ALERT, Status.ACTUAL, Severity.SEVERE, ["de-DE", "en-GB", "tr-TR"]),
        FLOOD_UPDATE: (
            MsgType.UPDATE,
            Status.ACTUAL,
            Severity.EXTREME,
            ["de-DE", "en-GB", "tr-TR"],
        ),
        FLOOD_CANCEL: (
            MsgType.CANCEL,
            Status.ACTUAL,
            Severity.EXTREME,
            ["de-DE", "en-GB", "tr-TR"],
        ),
        EXERCISE: (MsgType.ALERT, Status.EXERCISE, Severity.SEVERE, ["de-DE", "en-GB"]),
        STORM: (MsgType.ALERT, Status.ACTUAL, Severity.MODERATE, ["de-DE", "en"]),
        INFO: (MsgType.ALERT, Status.ACTUAL, Severity.MINOR, ["de-DE"]),
    }
    alerts = {name: _parsed(name) for name in ALL}
    assert len({a.identifier for a in alerts.values()}) == len(ALL)
    for name, (msg_type, status, severity, languages) in expected.items():
        alert = alerts[name]
        assert alert.msg_type is msg_type, name
        assert alert.status is status, name
        assert [i.language for i in alert.infos] == languages, name
        assert {i.severity for i in alert.infos} == {severity}, name
    turkish = alerts[FLOOD_ALERT].infos[2]
    assert any(ch in turkish.instruction for ch in "şığ"), "real Turkish, not a German copy"
    assert alerts[FLOOD_CANCEL].infos[0].headline == "Entwarnung: Hochwasser Wupper"
    assert alerts[EXERCISE].infos[0].headline.startswith("Übung:")


def test_references_link_update_and_cancel_to_the_flood_alert() -> None:
    alert, update, cancel = _parsed(FLOOD_ALERT), _parsed(FLOOD_UPDATE), _parsed(FLOOD_CANCEL)
    assert update.references == (alert.identifier,)
    assert set(cancel.references) == {alert.identifier, update.identifier}
    assert alert.sent < update.sent < cancel.sent  # else "older than it replaces" drops a step
    # The raw references are CAP-conformant: "sender,identifier,sent" of the referenced message.
    by_id = {a.identifier: a for a in (alert, update)}
    for name in (FLOOD_UPDATE, FLOOD_CANCEL):
        for token in (_root(name).findtext(f"{Q}references") or "").split():
            sender, identifier, sent = token.split(",")
            assert sender == by_id[identifier].sender
            assert datetime.fromisoformat(sent) == by_id[identifier].sent


def test_flood_alert_lasts_until_cancelled_and_the_rest_until_end_of_2027() -> None:
    for name in (FLOOD_ALERT, FLOOD_UPDATE):
        assert all(i.expires is None for i in _parsed(name).infos)
    for name in (FLOOD_CANCEL, EXERCISE, STORM, INFO):
        for info in _parsed(name).infos:
            assert info.expires is not None and info.expires > DEMO_UNTIL


def test_storm_is_dwd_shaped_with_warn_cell() -> None:
    storm = _parsed(STORM)
    assert SOLINGEN_WARNCELL in storm.all_warncells()
    for info in storm.infos:
        assert ("II", "52") in info.event_codes  # STURMBÖEN; 98/99 would make it a test
        assert ("GROUP", "WIND") in info.event_codes
        assert info.categories == ("Met",)
    assert storm.infos[0].event == "STURMBÖEN"


@pytest.mark.parametrize("name", ALL)
def test_targets_solingen_three_ways_and_not_duesseldorf(name: str) -> None:
    alert = _parsed(name)
    for lat, lon in (SOLINGEN_CENTRE, SOLINGEN_BURG):
        assert applies(alert, Place(lat=lat, lon=lon), addressed=False)
    assert applies(alert, Place(ars=SOLINGEN_ARS), addressed=False)
    assert not applies(alert, DUESSELDORF, addressed=False)
    if name == STORM:
        assert applies(alert, Place(warncells=frozenset({SOLINGEN_WARNCELL})), addressed=False)


def test_evacuation_area_covers_burg_but_not_the_city_centre() -> None:
    info = _parsed(FLOOD_UPDATE).infos[0]
    evac = [a for a in info.areas if "Unterburg" in a.description]
    assert len(evac) == 1 and not evac[0].ars
    only_evac = Alert(
        identifier="evac-area-only",
        sender="test",
        sent=DEMO_FROM,
        status=Status.ACTUAL,
        msg_type=MsgType.ALERT,
        scope=Scope.PUBLIC,
        infos=(Info(areas=tuple(evac)),),
    )
    assert applies(only_evac, Place(lat=SOLINGEN_BURG[0], lon=SOLINGEN_BURG[1]), addressed=False)
    assert not applies(
        only_evac, Place(lat=SOLINGEN_CENTRE[0], lon=SOLINGEN_CENTRE[1]), addressed=False
    )


@pytest.mark.parametrize("now", [DEMO_FROM, DEMO_UNTIL])
def test_each_message_alone_gives_its_documented_layout(now: datetime) -> None:
    place = Place(lat=SOLINGEN_CENTRE[0], lon=SOLINGEN_CENTRE[1], ars=SOLINGEN_ARS)
    expected = {
        FLOOD_ALERT: Layout.TAKEOVER,
        FLOOD_UPDATE: Layout.TAKEOVER,
        FLOOD_CANCEL: Layout.NONE,  # never a takeover, although Extreme
        EXERCISE: Layout.TAKEOVER,
        STORM: Layout.BANNER,
        INFO: Layout.LOOP,
    }
    for name, layout in expected.items():
        assert decide_layout(_parsed(name), place, now) is layout, name


@pytest.mark.parametrize("now", [DEMO_FROM, DEMO_UNTIL])
def test_documented_send_order_tells_the_demo_story(now: datetime) -> None:
    book = AlertBook(
        place=Place(
            lat=SOLINGEN_CENTRE[0],
            lon=SOLINGEN_CENTRE[1],
            ars=SOLINGEN_ARS,
            warncells=frozenset({SOLINGEN_WARNCELL}),
        )
    )

    def shown() -> list[tuple[str, Layout]]:
        return [(e.alert.identifier, layout) for e, layout in book.shown(now)]

    storm, info = _parsed(STORM), _parsed(INFO)
    alert, update, cancel = _parsed(FLOOD_ALERT), _parsed(FLOOD_UPDATE), _parsed(FLOOD_CANCEL)
    assert book.receive(storm, now).outcome is Outcome.ADDED
    assert book.receive(info, now).outcome is Outcome.ADDED
    assert shown() == [(storm.identifier, Layout.BANNER), (info.identifier, Layout.LOOP)]

    assert book.receive(alert, now).outcome is Outcome.ADDED
    assert shown()[0] == (alert.identifier, Layout.TAKEOVER)

    change = book.receive(update, now)
    assert change.outcome is Outcome.REPLACED and change.removed == (alert.identifier,)
    assert shown()[0] == (update.identifier, Layout.TAKEOVER)

    change = book.receive(cancel, now)
    assert change.outcome is Outcome.CANCELLED and change.removed == (update.identifier,)
    assert shown() == [(storm.identifier, Layout.BANNER), (info.identifier, Layout.LOOP)]
    all_clear = book.current_all_clear(now)
    assert all_clear is not None and all_clear.cancel.identifier == cancel.identifier

    exercise = _parsed(EXERCISE)
    assert book.receive(exercise, now).outcome is Outcome.ADDED
    assert (exercise.identifier, Layout.TAKEOVER) in shown()
