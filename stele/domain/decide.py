"""Deciding what one alert means for one stele: language, activity, layout, display order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from stele.domain.model import (
    Alert,
    Certainty,
    Info,
    Layout,
    MsgType,
    Scope,
    Severity,
    Status,
    Urgency,
)
from stele.domain.targeting import Place, applies

DEFAULT_LAYOUTS: Mapping[Severity, Layout] = {
    Severity.EXTREME: Layout.TAKEOVER,
    Severity.SEVERE: Layout.TAKEOVER,
    Severity.MODERATE: Layout.BANNER,
    Severity.MINOR: Layout.LOOP,
    Severity.UNKNOWN: Layout.LOOP,
}
_OVERRIDES = {layout.value: layout for layout in (Layout.TAKEOVER, Layout.BANNER, Layout.LOOP)}
SHOWN_STATUSES = frozenset({Status.ACTUAL, Status.EXERCISE})
ENDING_TYPES = frozenset({MsgType.CANCEL, MsgType.ERROR, MsgType.ACK})


@dataclass(frozen=True, slots=True)
class Policy:
    """Per-stele choices from the configuration."""

    languages: tuple[str, ...] = ("de", "en")
    layouts: Mapping[Severity, Layout] = field(default_factory=lambda: dict(DEFAULT_LAYOUTS))


def lang_matches(info_lang: str, wanted: str) -> bool:
    have, want = info_lang.strip().lower(), wanted.strip().lower()
    if not have or not want:
        return False
    # Prefix match on whole subtags: "de" matches "de-DE", "de-DE" matches "de".
    return have == want or have.startswith(want + "-") or want.startswith(have + "-")


def infos_by_preference(alert: Alert, languages: Sequence[str]) -> list[Info]:
    """Info blocks in display order: configured languages, then German, then English, then rest."""
    order: list[Info] = []
    seen: set[int] = set()
    for wanted in (*languages, "de", "en"):
        for i, info in enumerate(alert.infos):
            if i not in seen and lang_matches(info.language, wanted):
                order.append(info)
                seen.add(i)
    order.extend(info for i, info in enumerate(alert.infos) if i not in seen)
    return order


def choose_info(alert: Alert, languages: Sequence[str]) -> Info | None:
    prefs = infos_by_preference(alert, languages)
    return prefs[0] if prefs else None


def clock_lag(alert: Alert, received: datetime | None) -> timedelta:
    """How far the stele's clock was provably behind when it received `alert`: a message
    cannot have been sent after it arrived (docs/alerts.md "Time"). Zero when unknown."""
    if received is None or alert.sent <= received:
        return timedelta(0)
    return alert.sent - received


def effective_of(info: Info, alert: Alert, received: datetime | None = None) -> datetime:
    """When `info` starts on the stele's clock: `effective` (default `sent`), moved back by
    the lag the message proved, so a clock that is behind (no RTC, no NTP yet) never holds
    a warning back. A later `effective` keeps its distance from `sent`."""
    start = alert.sent if info.effective is None else info.effective
    return start - clock_lag(alert, received)


def onset_of(info: Info, alert: Alert, received: datetime | None = None) -> datetime | None:
    """`onset` on the stele's clock, read like `effective_of`."""
    return None if info.onset is None else info.onset - clock_lag(alert, received)


def info_active(info: Info, alert: Alert, now: datetime, received: datetime | None = None) -> bool:
    # `expires` is not moved: after NTP steps the clock forward it would end a warning early.
    # A clock that stays behind shows it that much longer, never shorter.
    if effective_of(info, alert, received) > now:
        return False
    return info.expires is None or now < info.expires


def is_active(alert: Alert, now: datetime, received: datetime | None = None) -> bool:
    return any(info_active(info, alert, now, received) for info in alert.infos)


def layout_by_level(alert: Alert, info: Info | None, policy: Policy) -> Layout:
    """Layout by severity, or the alert's own `layout` parameter; ignores time and place."""
    if info is None:
        return Layout.NONE
    override = info.parameter("layout")
    if override is not None and override.strip().lower() in _OVERRIDES:
        return _OVERRIDES[override.strip().lower()]
    return policy.layouts.get(info.severity, Layout.LOOP)


def is_for_the_public(alert: Alert) -> bool:
    """Status and scope allow passers-by to see this message (alert or all-clear)."""
    return alert.status in SHOWN_STATUSES and alert.scope is Scope.PUBLIC


def is_public_display(alert: Alert) -> bool:
    """Status, scope and message type allow showing this alert to passers-by."""
    return alert.msg_type not in ENDING_TYPES and is_for_the_public(alert)


def decide_layout(
    alert: Alert,
    place: Place | None,
    now: datetime,
    *,
    policy: Policy | None = None,
    addressed: bool = True,
    received: datetime | None = None,
) -> Layout:
    """What this message alone would put on a stele at `place` at `now`."""
    policy = policy or Policy()
    if not is_public_display(alert) or not is_active(alert, now, received):
        return Layout.NONE
    if place is not None and not applies(alert, place, addressed=addressed):
        return Layout.NONE
    return layout_by_level(alert, choose_info(alert, policy.languages), policy)


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}
_URGENCY_RANK = {u: i for i, u in enumerate(Urgency)}
_CERTAINTY_RANK = {c: i for i, c in enumerate(Certainty)}


def display_order_key(alert: Alert, info: Info | None) -> tuple[int, int, int, int, float, str]:
    """Actual before Exercise, then severity, urgency, certainty, newest first, identifier."""
    return (
        0 if alert.status is Status.ACTUAL else 1,
        _SEVERITY_RANK[info.severity] if info else len(_SEVERITY_RANK),
        _URGENCY_RANK[info.urgency] if info else len(_URGENCY_RANK),
        _CERTAINTY_RANK[info.certainty] if info else len(_CERTAINTY_RANK),
        -alert.sent.timestamp(),
        alert.identifier,
    )
