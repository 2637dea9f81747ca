"""The alert book: the lifecycle of every alert a stele has received (pure, `now` injected)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from stele.domain.decide import (
    Policy,
    choose_info,
    display_order_key,
    effective_of,
    info_active,
    is_for_the_public,
    is_public_display,
    layout_by_level,
    onset_of,
)
from stele.domain.model import Alert, Layout, MsgType
from stele.domain.targeting import Place, applies

# Identifiers of ended alerts are remembered this long, so late duplicates stay dead.
ENDED_MEMORY = timedelta(days=30)
ENDED_MAX = 10_000


@dataclass(frozen=True, slots=True)
class Origin:
    """The MQTT incident an alert arrived on: PREFIX/alerts/<scope>[/<scope_id>]/<key>."""

    scope: str
    scope_id: str
    key: str


@dataclass(frozen=True, slots=True)
class Entry:
    alert: Alert
    received: datetime
    origin: Origin | None = None
    addressed: bool = True
    applies: bool = True
    received_ms: int | None = None


@dataclass(frozen=True, slots=True)
class AllClear:
    cancel: Alert
    until: datetime


class Outcome(StrEnum):
    ADDED = "added"
    REPLACED = "replaced"  # an Update removed older alerts and took their place
    CANCELLED = "cancelled"
    RETRACTED = "retracted"  # msgType Error
    DUPLICATE = "duplicate"
    OUTDATED = "outdated"  # older than the alert it would replace, or a late duplicate
    IGNORED = "ignored"  # Ack, or nothing to do


@dataclass(frozen=True, slots=True)
class Change:
    outcome: Outcome
    removed: tuple[str, ...] = ()
    reason: str = ""


@dataclass(slots=True)
class AlertBook:
    place: Place | None  # None: every alert counts as addressed to this stele (CLI replay)
    policy: Policy = field(default_factory=Policy)
    all_clear_for: timedelta = timedelta(minutes=10)
    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)
    ended: dict[str, datetime] = field(default_factory=dict)  # identifier -> when it ended
    # identifier -> `sent` of the newest Update/Cancel that ended it. Kept in memory only: after
    # a restart an outdated Update of an ended alert is caught by `ended` unless it is new.
    ended_by: dict[str, datetime] = field(default_factory=dict)
    all_clear: AllClear | None = None
    # Bumped by every change worth persisting: the kiosk writes the state file only when it
    # moved (an SD card must not be rewritten every few seconds for years).
    revision: int = 0

    # -- receiving -------------------------------------------------------------------------

    def receive(
        self,
        alert: Alert,
        now: datetime,
        *,
        origin: Origin | None = None,
        addressed: bool = True,
        received_ms: int | None = None,
    ) -> Change:
        existing = self.entries.get(alert.key)
        if existing is not None:
            if origin is not None and existing.origin != origin:
                # Same alert re-published on another incident topic: follow the newest topic.
                self.entries[alert.key] = replace(existing, origin=origin)
                self.revision += 1
            return Change(Outcome.DUPLICATE, reason="already known")
        if alert.identifier in self.ended:
            return Change(Outcome.OUTDATED, reason="late duplicate of an ended alert")
        if alert.msg_type is MsgType.ACK:
            return Change(Outcome.IGNORED, reason="Ack")

        # A message never ends itself, even if it lists its own identifier (seen in tests of
        # random sequences; real feeds are sloppy enough to do it).
        refs = [r for r in alert.references if r != alert.identifier]
        referenced = [e for e in self.entries.values() if e.alert.identifier in refs]
        if any(e.alert.sent > alert.sent for e in referenced):
            return Change(Outcome.OUTDATED, reason="older than the alert it would replace")
        # A newer Update or Cancel of the same alert already ended it: this one is outdated
        # too (without this, redelivered messages could revive what a Cancel ended).
        if any(self.ended_by.get(r, alert.sent) > alert.sent for r in refs):
            return Change(Outcome.OUTDATED, reason="older than the message that ended its alert")

        removed = self._end(refs, now, by=alert.sent)
        if alert.msg_type is MsgType.CANCEL:
            self._end((alert.identifier,), now)
            # All-clear only where the Cancel could be shown, and only if it ended something
            # shown here or targets this place itself. It never starts the crisis layout.
            ended_shown = any(e.applies and is_public_display(e.alert) for e in referenced)
            if is_for_the_public(alert) and (
                ended_shown or self.applies_here(alert, addressed=addressed)
            ):
                self._show_all_clear(alert, now)
            return Change(Outcome.CANCELLED, removed)
        if alert.msg_type is MsgType.ERROR:
            self._end((alert.identifier,), now)
            return Change(Outcome.RETRACTED, removed, reason=alert.note)

        self.revision += 1
        self.entries[alert.key] = Entry(
            alert=alert,
            received=now,
            origin=origin,
            addressed=addressed,
            applies=self.applies_here(alert, addressed=addressed),
            received_ms=received_ms,
        )
        if removed:
            return Change(Outcome.REPLACED, removed)
        return Change(Outcome.ADDED)

    def snapshot(self) -> AlertBook:
        """A copy that later changes to this book do not touch (entries are immutable, so
        copying the dicts is enough): lets a worker thread serialise it."""
        return AlertBook(
            place=self.place,
            policy=self.policy,
            all_clear_for=self.all_clear_for,
            entries=dict(self.entries),
            ended=dict(self.ended),
            ended_by=dict(self.ended_by),
            all_clear=self.all_clear,
            revision=self.revision,
        )

    def applies_here(self, alert: Alert, *, addressed: bool) -> bool:
        return self.place is None or applies(alert, self.place, addressed=addressed)

    def clear_incident(self, origin: Origin, now: datetime) -> tuple[str, ...]:
        """The server emptied an incident topic: remove its alerts silently."""
        gone = [e.alert.identifier for e in self.entries.values() if e.origin == origin]
        return self._end(gone, now)

    def reconcile_index(
        self, scope: str, scope_id: str, keys: Iterable[str], now: datetime
    ) -> tuple[str, ...]:
        """Drop local incidents of one scope that the server's retained index no longer lists."""
        listed = set(keys)
        gone = [
            e.alert.identifier
            for e in self.entries.values()
            if e.origin is not None
            and e.origin.scope == scope
            and e.origin.scope_id == scope_id
            and e.origin.key not in listed
        ]
        return self._end(gone, now)

    def _end(
        self, identifiers: Iterable[str], now: datetime, by: datetime | None = None
    ) -> tuple[str, ...]:
        wanted = set(identifiers)
        if not wanted:
            return ()
        self.revision += 1
        for ident in wanted:
            self.ended[ident] = now
            if by is not None:
                self.ended_by[ident] = max(by, self.ended_by.get(ident, by))
        removed = tuple(k for k, e in self.entries.items() if e.alert.identifier in wanted)
        for k in removed:
            del self.entries[k]
        self._prune_ended(now)
        return tuple(ident for _, ident in removed)

    def _prune_ended(self, now: datetime) -> None:
        if len(self.ended) <= ENDED_MAX // 2:
            return
        horizon = now - ENDED_MEMORY
        self.ended = {i: t for i, t in self.ended.items() if t >= horizon}
        if len(self.ended) > ENDED_MAX:
            newest = sorted(self.ended.items(), key=lambda item: item[1])[-ENDED_MAX:]
            self.ended = dict(newest)
        self.ended_by = {i: t for i, t in self.ended_by.items() if i in self.ended}

    def _show_all_clear(self, cancel: Alert, now: datetime) -> None:
        until = now + self.all_clear_for
        expiries = [i.expires for i in cancel.infos if i.expires is not None]
        if expiries:
            until = min(until, max(expiries))
        if until > now:
            self.all_clear = AllClear(cancel=cancel, until=until)
            self.revision += 1

    # -- time ------------------------------------------------------------------------------

    def expire(self, now: datetime) -> tuple[str, ...]:
        """Forget alerts whose every info block has expired, and an all-clear past its time."""
        if self.all_clear is not None and now >= self.all_clear.until:
            self.all_clear = None
            self.revision += 1
        gone = [
            e.alert.identifier
            for e in self.entries.values()
            if e.alert.infos
            and all(i.expires is not None and i.expires <= now for i in e.alert.infos)
        ]
        # Expired alerts are not "ended": a re-sent copy with the same identifier is still dead
        # because it has the same expiry; no need to remember it.
        for key in [k for k, e in self.entries.items() if e.alert.identifier in gone]:
            del self.entries[key]
        if gone:
            self.revision += 1
        return tuple(gone)

    def next_deadline(self, now: datetime) -> datetime | None:
        """The next instant at which what is shown can change without a new message."""
        instants: list[datetime] = []
        if self.all_clear is not None:
            instants.append(self.all_clear.until)
        for e in self.entries.values():
            for info in e.alert.infos:
                start = effective_of(info, e.alert, e.received)
                if start > now:
                    instants.append(start)
                if info.expires is not None and info.expires > now:
                    instants.append(info.expires)
                onset = onset_of(info, e.alert, e.received)
                if onset is not None and onset > now:
                    instants.append(onset)  # "ab <time>" disappears at onset
        return min(instants) if instants else None

    # -- what to show ----------------------------------------------------------------------

    def shown(self, now: datetime) -> list[tuple[Entry, Layout]]:
        """Alerts on screen at `now`, in display order, each with its layout."""
        rows = []
        for e in self.entries.values():
            if not e.applies or not is_public_display(e.alert):
                continue
            info = choose_info(e.alert, self.policy.languages)
            if not any(info_active(i, e.alert, now, e.received) for i in e.alert.infos):
                continue
            layout = layout_by_level(e.alert, info, self.policy)
            if layout is Layout.NONE:
                continue
            rows.append((display_order_key(e.alert, info), e, layout))
        rows.sort(key=lambda row: row[0])
        return [(e, layout) for _, e, layout in rows]

    def current_all_clear(self, now: datetime) -> AllClear | None:
        if self.all_clear is not None and now < self.all_clear.until:
            return self.all_clear
        return None
