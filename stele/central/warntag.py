"""The Warntag report: per alert, which steles were expected (by scope), which acked, how
fast (publish -> presented), which did not (online or offline). Pure: it works on the
events stele.central.fleet records (live or from a recorded log)."""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from stele.central.acl import Device
from stele.central.fleet import Event, table


@dataclass(frozen=True)
class Presented:
    device: str
    presented_ms: int
    latency_ms: int
    layout: str


@dataclass
class AlertReport:
    identifier: str
    scope: str
    published_ms: int
    published_from: str  # "seen" (the recorder saw it published) or "sent" (CAP <sent>)
    expected: list[str] = field(default_factory=list)
    acked: dict[str, Presented] = field(default_factory=dict)
    missing_online: list[str] = field(default_factory=list)
    missing_offline: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)  # acked, though not in its scope

    @property
    def latencies(self) -> list[int]:
        return sorted(p.latency_ms for p in self.acked.values())

    def figures(self) -> tuple[float | None, int | None, int | None]:
        """(median, p95, max) publish -> presented in ms; p95 by nearest rank."""
        lat = self.latencies
        if not lat:
            return None, None, None
        p95 = lat[max(0, math.ceil(0.95 * len(lat)) - 1)]
        return statistics.median(lat), p95, lat[-1]


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def expected_for(scope: str, devices: list[Device] | None, known: set[str]) -> list[str]:
    """Steles in the alert's scope: from DEVICES.txt, else the steles with a status (all)."""
    kind, _, value = scope.partition("/")
    if kind == "device":
        return [value]
    if devices is None:
        return sorted(known) if kind == "all" else []
    if kind == "ars":
        return sorted(d.id for d in devices if d.ars == value)
    return sorted(d.id for d in devices)


def build_report(
    events: Iterable[Event],
    *,
    since: datetime,
    until: datetime | None = None,
    devices: list[Device] | None = None,
) -> list[AlertReport]:
    start, end = _ms(since), _ms(until) if until else None
    evs = sorted(events, key=lambda e: e.t_ms)
    state: dict[str, str] = {}  # device -> last state seen (up to `until`)
    reports: dict[str, AlertReport] = {}
    for e in evs:
        if end is not None and e.t_ms > end:
            break
        if e.kind == "status":
            state[e.data["device"]] = str(e.data.get("state", "?"))
        elif e.kind == "alert":
            ident = str(e.data.get("identifier"))
            if e.retained:  # published before the recorder listened: CAP <sent> stands in
                sent = e.data.get("sent")
                published, source = (
                    (_ms(datetime.fromisoformat(sent)), "sent") if sent else (e.t_ms, "seen")
                )
            else:
                published, source = e.t_ms, "seen"
            if published < start or (end is not None and published > end):
                continue
            old = reports.get(ident)
            if old is None or (old.published_from == "sent" and source == "seen"):
                reports[ident] = AlertReport(ident, str(e.data.get("scope")), published, source)
    for e in evs:
        if e.kind != "ack" or (end is not None and e.t_ms > end):
            continue
        rep = reports.get(str(e.data.get("identifier")))
        device = str(e.data.get("device"))
        presented = e.data.get("presented_ms")
        if rep is None or not isinstance(presented, int):
            continue
        first = rep.acked.get(device)
        if first is None or presented < first.presented_ms:
            rep.acked[device] = Presented(
                device, presented, presented - rep.published_ms, str(e.data.get("layout", "?"))
            )
    known = set(state)
    for rep in reports.values():
        rep.expected = expected_for(rep.scope, devices, known | set(rep.acked))
        missing = [d for d in rep.expected if d not in rep.acked]
        rep.missing_online = [d for d in missing if state.get(d) == "online"]
        rep.missing_offline = [d for d in missing if state.get(d) != "online"]
        rep.unexpected = sorted(set(rep.acked) - set(rep.expected))
    return sorted(reports.values(), key=lambda r: r.published_ms)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def render_text(reports: list[AlertReport]) -> str:
    if not reports:
        return "no alert published in that time\n"
    headers = [
        "alert",
        "scope",
        "published (UTC)",
        "expected",
        "acked",
        "median ms",
        "p95 ms",
        "max ms",
        "missing online",
        "missing offline",
    ]
    rows = []
    for r in reports:
        med, p95, top = r.figures()
        when = datetime.fromtimestamp(r.published_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")
        if r.published_from == "sent":
            when += " (sent)"
        acked = len([d for d in r.acked if d in r.expected])
        rows.append(
            [
                r.identifier,
                r.scope,
                when,
                str(len(r.expected)),
                str(acked),
                _fmt(med),
                _fmt(p95),
                _fmt(top),
                str(len(r.missing_online)),
                str(len(r.missing_offline)),
            ]
        )
    out = [table(headers, rows)]
    for r in reports:
        for label, ids in (
            ("online, no ack", r.missing_online),
            ("offline", r.missing_offline),
            ("acked outside its scope", r.unexpected),
        ):
            if ids:
                out.append(f"{r.identifier}: {label}: {', '.join(ids)}\n")
    return "".join(out)


def render_csv(reports: list[AlertReport]) -> str:
    """One row per alert and stele (expected or acked)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        [
            "alert",
            "scope",
            "published_ms",
            "device",
            "expected",
            "acked",
            "layout",
            "presented_ms",
            "latency_ms",
            "missing",
        ]
    )
    for r in reports:
        for device in sorted(set(r.expected) | set(r.acked)):
            p = r.acked.get(device)
            missing = (
                "online"
                if device in r.missing_online
                else "offline"
                if device in r.missing_offline
                else ""
            )
            w.writerow(
                [
                    r.identifier,
                    r.scope,
                    r.published_ms,
                    device,
                    int(device in r.expected),
                    int(p is not None),
                    p.layout if p else "",
                    p.presented_ms if p else "",
                    p.latency_ms if p else "",
                    missing,
                ]
            )
    return buf.getvalue()
