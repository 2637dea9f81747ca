"""The CAP 1.2 alert as stele understands it, independent of the wire encoding.

Plain frozen dataclasses (not pydantic): a 400 KB DWD message builds thousands of
geocodes and validation would cost more than the parse itself. The parser in
`cap.py` is the only producer and guarantees the invariants documented here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    ACTUAL = "Actual"
    EXERCISE = "Exercise"
    SYSTEM = "System"
    TEST = "Test"
    DRAFT = "Draft"


class MsgType(StrEnum):
    ALERT = "Alert"
    UPDATE = "Update"
    CANCEL = "Cancel"
    ACK = "Ack"
    ERROR = "Error"


class Scope(StrEnum):
    PUBLIC = "Public"
    RESTRICTED = "Restricted"
    PRIVATE = "Private"


class Severity(StrEnum):
    EXTREME = "Extreme"
    SEVERE = "Severe"
    MODERATE = "Moderate"
    MINOR = "Minor"
    UNKNOWN = "Unknown"


class Urgency(StrEnum):
    IMMEDIATE = "Immediate"
    EXPECTED = "Expected"
    FUTURE = "Future"
    PAST = "Past"
    UNKNOWN = "Unknown"


class Certainty(StrEnum):
    OBSERVED = "Observed"
    LIKELY = "Likely"
    POSSIBLE = "Possible"
    UNLIKELY = "Unlikely"
    UNKNOWN = "Unknown"


class Layout(StrEnum):
    """What one alert puts on a stele; `NONE` means it is not shown."""

    TAKEOVER = "takeover"
    BANNER = "banner"
    LOOP = "loop"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Polygon:
    """Points as (lat, lon), already normalised from the source's order; closed or not."""

    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class Circle:
    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True, slots=True)
class Area:
    description: str = ""
    polygons: tuple[Polygon, ...] = ()
    circles: tuple[Circle, ...] = ()
    # 12-digit Amtlicher Regionalschluessel values (BBK: geocode value; shorter keys kept as sent).
    ars: tuple[str, ...] = ()
    # DWD warn-cell ids (geocode valueName WARNCELLID).
    warncells: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Info:
    """One language block. Text fields are already plain text (HTML stripped, entities decoded)."""

    language: str = "en-US"  # CAP's default when <language> is absent
    categories: tuple[str, ...] = ()
    event: str = ""
    urgency: Urgency = Urgency.UNKNOWN
    severity: Severity = Severity.UNKNOWN
    certainty: Certainty = Certainty.UNKNOWN
    effective: datetime | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    sender_name: str = ""
    headline: str = ""
    description: str = ""
    instruction: str = ""
    web: str = ""
    contact: str = ""
    event_codes: tuple[tuple[str, str], ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()
    areas: tuple[Area, ...] = ()

    def parameter(self, name: str) -> str | None:
        for key, value in self.parameters:
            if key == name:
                return value
        return None


@dataclass(frozen=True, slots=True)
class Alert:
    identifier: str
    sender: str
    sent: datetime  # always timezone-aware
    status: Status
    msg_type: MsgType
    scope: Scope
    references: tuple[str, ...] = ()  # referenced identifiers only (sender/sent parts dropped)
    note: str = ""
    infos: tuple[Info, ...] = ()
    # The original payload, kept so the active set can be persisted and re-parsed verbatim.
    raw: bytes = field(default=b"", repr=False, compare=False)
    content_type: str = field(default="", compare=False)

    @property
    def key(self) -> tuple[str, str]:
        """CAP identity: (sender, identifier)."""
        return (self.sender, self.identifier)

    def all_ars(self) -> tuple[str, ...]:
        return _unique(code for info in self.infos for area in info.areas for code in area.ars)

    def all_warncells(self) -> tuple[str, ...]:
        return _unique(c for info in self.infos for area in info.areas for c in area.warncells)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
