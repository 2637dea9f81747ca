"""The JSON reports of `stele alert inspect` and `stele alert replay` (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from stele.domain.book import AlertBook
from stele.domain.decide import Policy, choose_info, info_active
from stele.domain.model import Alert
from stele.domain.presentation import Form
from stele.domain.screen import build_screen
from stele.domain.targeting import Place, applies


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t is not None else None


def inspect_alert(
    alert: Alert, *, place: Place | None, at: datetime, policy: Policy
) -> dict[str, Any]:
    """One alert, seen from one place at one time: the `stele alert inspect` contract."""
    info = choose_info(alert, policy.languages)
    return {
        "identifier": alert.identifier,
        "sender": alert.sender,
        "sent": _iso(alert.sent),
        "status": alert.status.value,
        "msg_type": alert.msg_type.value,
        "scope": alert.scope.value,
        "references": list(alert.references),
        "language": info.language if info else None,
        "severity": info.severity.value if info else None,
        "urgency": info.urgency.value if info else None,
        "certainty": info.certainty.value if info else None,
        "event": info.event if info else None,
        "headline": info.headline if info else None,
        "description": info.description if info else None,
        "instruction": info.instruction if info else None,
        "effective": _iso(info.effective) if info else None,
        "onset": _iso(info.onset) if info else None,
        "expires": _iso(info.expires) if info else None,
        "ars": list(alert.all_ars()),
        "warncells": list(alert.all_warncells()),
        "applies": None if place is None else applies(alert, place, addressed=True),
        "active": any(info_active(i, alert, at, at) for i in alert.infos),
        "layout": _layout_on_screen(alert, place, at, policy),
    }


# The CLI names the rotation "loop" (its contract predates the ack's "slide").
_CLI_LAYOUT = {Form.TAKEOVER: "takeover", Form.BANNER: "banner", Form.SLIDE: "loop"}


def _layout_on_screen(alert: Alert, place: Place | None, at: datetime, policy: Policy) -> str:
    """The screen's own decision (`build_screen`) for a stele that holds only this message,
    so `inspect` cannot disagree with the glass."""
    book = AlertBook(place=place, policy=policy)
    book.receive(alert, at, addressed=True)
    form = build_screen(book, at).forms().get(alert.identifier)
    return _CLI_LAYOUT.get(form, "none") if form is not None else "none"


def replay_report(book: AlertBook, at: datetime) -> dict[str, Any]:
    """What a stele shows after a sequence of messages: the `stele alert replay` contract."""
    screen = build_screen(book, at)
    shown = book.shown(at)
    all_clear = book.current_all_clear(at)
    return {
        "active": [
            {
                "identifier": e.alert.identifier,
                "headline": view.texts[0].headline if view.texts else "",
                "severity": view.severity,
                "status": e.alert.status.value,
                "layout": layout.value,
            }
            for (e, layout), view in zip(shown, screen.alerts, strict=True)
        ],
        "layout": screen.top.layout.value if screen.top else "none",
        "all_clear": None
        if all_clear is None or screen.all_clear is None
        else {"identifier": all_clear.cancel.identifier, "headline": screen.all_clear.headline},
    }
