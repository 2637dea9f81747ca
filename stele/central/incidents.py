"""Incidents and the per-scope index: which topic key an alert belongs to.

Shared by `stele alert send|clear` (publish.py), the bridge (reconcile.py, link.py) and the
session's read-back (session.py). See docs/mqtt.md for the index payload.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from stele.domain.model import Alert

log = logging.getLogger("stele.central")


def incident_key(sender: str, identifier: str) -> str:
    """A short stable topic level for a new incident: never the raw identifier."""
    return hashlib.sha256(f"{sender}\x00{identifier}".encode()).hexdigest()[:16]


@dataclass
class IncidentIndex:
    """PREFIX/index/<scope>: {"keys": [...], "incidents": {key: [identifiers]}, "written"}."""

    incidents: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_payload(cls, payload: bytes | None) -> IncidentIndex:
        if not payload:
            return cls()
        try:
            data = json.loads(payload)
            incidents = data.get("incidents") or {}
            result = {str(k): [str(i) for i in incidents.get(k, [])] for k in data["keys"]}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("retained index unreadable (%s): rebuilding it", exc)
            return cls()
        return cls(result)

    def to_payload(self, now: datetime) -> bytes:
        keys = sorted(self.incidents)
        data = {
            "keys": keys,
            "incidents": {k: self.incidents[k] for k in keys},
            "written": now.astimezone(UTC).isoformat(timespec="seconds"),
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()

    def find(self, identifiers: Iterable[str]) -> str | None:
        wanted = set(identifiers)
        for key in sorted(self.incidents):
            if wanted.intersection(self.incidents[key]):
                return key
        return None

    def add(self, key: str, identifiers: Iterable[str]) -> None:
        known = self.incidents.setdefault(key, [])
        known.extend(i for i in dict.fromkeys(identifiers) if i not in known)


def chain(alert: Alert) -> list[str]:
    return [alert.identifier, *alert.references]


def choose_key(alert: Alert, index: IncidentIndex, retained: dict[str, Alert]) -> str:
    """The incident an alert belongs to.

    An Update/Cancel (or a repeat) lands on the incident that already holds one of the
    identifiers it names: first by the index, then by the retained alerts themselves
    (an index written by another tool, or lost). Otherwise it starts a new incident.
    """
    found = index.find(chain(alert))
    if found is not None:
        return found
    wanted = set(chain(alert))
    for key in sorted(retained):
        if wanted.intersection(chain(retained[key])):
            return key
    return incident_key(alert.sender, alert.identifier)
