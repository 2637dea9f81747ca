"""Build synthetic CAP 1.2 XML for lifecycle tests (real samples live in tests/data/cap).

Synthetic messages go through the real parser, so the tests exercise the same path as a
message from the broker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from stele.domain.cap import parse_alert
from stele.domain.model import Alert

SOLINGEN_ARS = "051220000000"
# A square around Solingen's centre (lat, lon).
SOLINGEN_SQUARE = ((51.10, 7.00), (51.10, 7.20), (51.25, 7.20), (51.25, 7.00), (51.10, 7.00))


@dataclass
class InfoSpec:
    language: str = "de-DE"
    severity: str = "Severe"
    urgency: str = "Immediate"
    certainty: str = "Observed"
    category: str = "Met"
    event: str = "Hochwasser"
    headline: str = "Hochwasser an der Wupper"
    description: str = "Der Pegel steigt."
    instruction: str = "Meiden Sie das Ufer."
    sender_name: str = "Stadt Solingen"
    web: str = ""
    effective: str | None = None
    onset: str | None = None
    expires: str | None = None
    ars: tuple[str, ...] = (SOLINGEN_ARS,)
    warncells: tuple[str, ...] = ()
    polygon: tuple[tuple[float, float], ...] = ()
    circle: str | None = None
    area_desc: str = "Stadt Solingen"
    parameters: tuple[tuple[str, str], ...] = ()
    event_codes: tuple[tuple[str, str], ...] = ()


@dataclass
class CapSpec:
    identifier: str = "DE-NW-SG-TEST-0001"
    sender: str = "test@stele.invalid"
    sent: str = "2026-11-22T14:00:00+01:00"
    status: str = "Actual"
    msg_type: str = "Alert"
    scope: str = "Public"
    references: str = ""
    infos: list[InfoSpec] = field(default_factory=lambda: [InfoSpec()])


def _opt(tag: str, value: str | None) -> str:
    return f"<{tag}>{escape(value)}</{tag}>" if value else ""


def cap_xml(spec: CapSpec) -> bytes:
    infos = []
    for i in spec.infos:
        geocodes = "".join(
            f"<geocode><valueName>ARS</valueName><value>{a}</value></geocode>" for a in i.ars
        ) + "".join(
            f"<geocode><valueName>WARNCELLID</valueName><value>{w}</value></geocode>"
            for w in i.warncells
        )
        polygon = (
            "<polygon>" + " ".join(f"{lat},{lon}" for lat, lon in i.polygon) + "</polygon>"
            if i.polygon
            else ""
        )
        params = "".join(
            f"<parameter><valueName>{k}</valueName><value>{escape(v)}</value></parameter>"
            for k, v in i.parameters
        )
        codes = "".join(
            f"<eventCode><valueName>{k}</valueName><value>{v}</value></eventCode>"
            for k, v in i.event_codes
        )
        infos.append(
            f"<info><language>{i.language}</language><category>{i.category}</category>"
            f"<event>{escape(i.event)}</event><urgency>{i.urgency}</urgency>"
            f"<severity>{i.severity}</severity><certainty>{i.certainty}</certainty>{codes}"
            f"{_opt('effective', i.effective)}{_opt('onset', i.onset)}"
            f"{_opt('expires', i.expires)}{_opt('senderName', i.sender_name)}"
            f"{_opt('headline', i.headline)}{_opt('description', i.description)}"
            f"{_opt('instruction', i.instruction)}{_opt('web', i.web)}{params}"
            f"<area><areaDesc>{escape(i.area_desc)}</areaDesc>{polygon}"
            f"{_opt('circle', i.circle)}{geocodes}</area></info>"
        )
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">'
        f"<identifier>{escape(spec.identifier)}</identifier><sender>{spec.sender}</sender>"
        f"<sent>{spec.sent}</sent><status>{spec.status}</status>"
        f"<msgType>{spec.msg_type}</msgType><scope>{spec.scope}</scope>"
        f"{_opt('references', spec.references)}{''.join(infos)}</alert>"
    )
    return xml.encode()


def make_alert(**kwargs: object) -> Alert:
    """A parsed alert; InfoSpec fields may be given directly for a single-info message."""
    info_fields = {k: kwargs.pop(k) for k in list(kwargs) if k in InfoSpec.__dataclass_fields__}
    spec = CapSpec(**kwargs)  # type: ignore[arg-type]
    if info_fields:
        spec.infos = [InfoSpec(**info_fields)]  # type: ignore[arg-type]
    return parse_alert(cap_xml(spec))
