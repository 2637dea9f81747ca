"""What the broker should hold, from what the feeds list: the bridge's decisions.

Pure except for the state file. Each poll result of a feed updates the incidents of the
scopes (municipality ARS keys) that feed serves:

- every listed warning that could be built is grouped into its incident with the rule of
  `stele alert send` (an Update or Cancel lands where one of the identifiers it names
  already is; otherwise a new key from sender and identifier). At most one message per
  incident per poll: the newest by `sent`.
- an incident none of whose source ids is listed counts a missing poll, but only on a
  successful poll of its own feed (a 304 is one that still lists it); after
  `clear_after_polls` in a row, or once every info has expired, it is removed.
- a failed poll changes nothing at all.

Output: per scope the wanted retained payload of every incident whose message this
process has (`wanted`), and the keys to remove (`removed`, kept until the broker confirmed
them). The state file remembers incidents, their missing counts and pending removals
across restarts; which payloads are already retained is read back from the broker.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from stele.adapters import atomic
from stele.central.incidents import IncidentIndex, choose_key
from stele.domain.cap import parse_alert
from stele.domain.model import Alert
from stele.errors import SteleError

log = logging.getLogger("stele.bridge")
STATE_VERSION = 1


@dataclass
class Incident:
    feed: str
    ids: list[str]  # the feed's ids of the warnings that went into it
    identifiers: list[str]  # CAP identifiers and references: how Updates find it
    expires: str | None = None  # ISO time after which every info has ended; None: never
    missing: int = 0
    payload: bytes | None = None  # not persisted: rebuilt by the first poll after a start

    def to_json(self) -> dict[str, Any]:
        return {
            "feed": self.feed,
            "ids": self.ids,
            "identifiers": self.identifiers,
            "expires": self.expires,
            "missing": self.missing,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Incident:
        return cls(
            feed=str(data["feed"]),
            ids=[str(i) for i in data["ids"]],
            identifiers=[str(i) for i in data["identifiers"]],
            expires=data.get("expires"),
            missing=int(data.get("missing", 0)),
        )


@dataclass(frozen=True)
class Poll:
    """One successful poll of one feed: every listed id, with its CAP payload when built."""

    feed: str
    items: dict[str, bytes | None]


@dataclass
class Reconciler:
    scopes_of_feed: dict[str, tuple[str, ...]]
    clear_after_polls: int
    state_path: Path | None = None
    incidents: dict[str, dict[str, Incident]] = field(default_factory=dict)
    removed: dict[str, set[str]] = field(default_factory=dict)

    # -- the decisions ---------------------------------------------------------------------
    def apply_poll(self, poll: Poll, now: datetime) -> None:
        for scope in self.scopes_of_feed.get(poll.feed, ()):
            self._apply_scope(scope, poll, now)

    def _apply_scope(self, scope: str, poll: Poll, now: datetime) -> None:
        incidents = self.incidents.setdefault(scope, {})
        newest: dict[str, tuple[Alert, bytes, str]] = {}
        index = self._index(scope)
        for sid in sorted(poll.items):
            payload = poll.items[sid]
            if payload is None:
                continue
            try:
                alert = parse_alert(payload)
            except SteleError as exc:
                log.warning("%s: warning %s is not a CAP alert (%s): skipped", poll.feed, sid, exc)
                continue
            ends = _expires(alert)
            if ends is not None and datetime.fromisoformat(ends) <= now:
                continue  # over already: a feed may list it a while longer, it stays off
            key = self._key_of(scope, sid) or choose_key(alert, index, {})
            index.add(key, [alert.identifier, *alert.references])
            best = newest.get(key)
            if best is None or (alert.sent, alert.identifier) > (best[0].sent, best[0].identifier):
                newest[key] = (alert, payload, sid)
        for key, (alert, payload, sid) in newest.items():
            inc = incidents.get(key)
            if inc is None:
                inc = incidents[key] = Incident(feed=poll.feed, ids=[], identifiers=[])
                log.info("%s: new incident %s in %s (%s)", poll.feed, key, scope, alert.identifier)
            _extend(inc.ids, [sid])
            _extend(inc.identifiers, [alert.identifier, *alert.references])
            inc.expires = _expires(alert)
            inc.payload = payload
            self.removed.get(scope, set()).discard(key)
        listed = set(poll.items)
        for key, inc in list(incidents.items()):
            if inc.feed != poll.feed:
                continue
            if listed.intersection(inc.ids):
                inc.missing = 0
            else:
                inc.missing += 1
                log.info(
                    "%s: incident %s in %s not listed (%d of %d polls)",
                    poll.feed,
                    key,
                    scope,
                    inc.missing,
                    self.clear_after_polls,
                )
            ended = inc.expires is not None and datetime.fromisoformat(inc.expires) <= now
            if inc.missing >= self.clear_after_polls or ended:
                why = "expired" if ended else f"missing from {inc.missing} polls"
                log.info("%s: clearing incident %s in %s (%s)", poll.feed, key, scope, why)
                del incidents[key]
                self.removed.setdefault(scope, set()).add(key)

    def _key_of(self, scope: str, sid: str) -> str | None:
        for key, inc in self.incidents.get(scope, {}).items():
            if sid in inc.ids:
                return key
        return None

    def _index(self, scope: str) -> IncidentIndex:
        return IncidentIndex(
            {k: list(i.identifiers) for k, i in self.incidents.get(scope, {}).items()}
        )

    # -- what the broker should hold --------------------------------------------------------
    def wanted(self) -> dict[str, dict[str, bytes]]:
        return {
            scope: {k: i.payload for k, i in incs.items() if i.payload is not None}
            for scope, incs in self.incidents.items()
        }

    def removals(self) -> dict[str, set[str]]:
        return {s: set(keys) for s, keys in self.removed.items() if keys}

    def removal_done(self, scope: str, keys: set[str]) -> None:
        self.removed.get(scope, set()).difference_update(keys)

    # -- the state file -------------------------------------------------------------------
    def save(self) -> None:
        if self.state_path is None:
            return
        data = {
            "version": STATE_VERSION,
            "incidents": {
                s: {k: i.to_json() for k, i in incs.items()} for s, incs in self.incidents.items()
            },
            "removed": {s: sorted(keys) for s, keys in self.removed.items() if keys},
        }
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        atomic.write_atomic(self.state_path, text.encode(), prefix=".state-", suffix=".tmp")

    def load(self) -> None:
        if self.state_path is None or not self.state_path.exists():
            return
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
            if data.get("version") != STATE_VERSION:
                raise ValueError(f"state version {data.get('version')!r}")
            self.incidents = {
                s: {k: Incident.from_json(i) for k, i in incs.items()}
                for s, incs in data["incidents"].items()
            }
            self.removed = {s: set(keys) for s, keys in data.get("removed", {}).items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            # Start empty: the feeds rebuild every incident within one poll; only the
            # missing counts and pending removals of that moment are lost.
            log.warning("state file %s unreadable (%s): starting without it", self.state_path, exc)
            self.incidents, self.removed = {}, {}


def _extend(into: list[str], items: list[str]) -> None:
    into.extend(i for i in dict.fromkeys(items) if i not in into)


def _expires(alert: Alert) -> str | None:
    ends = [info.expires for info in alert.infos]
    if not ends or any(e is None for e in ends):
        return None
    return max(e for e in ends if e is not None).isoformat()
