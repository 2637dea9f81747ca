"""What the screen should show, as plain data: the contract between the alert core and the UI.

`stele.domain.screen.build_screen()` produces a `ScreenModel`; `stele.ui` turns it into
QML properties. Nothing here knows about Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from stele.domain.model import Layout


class Mode(StrEnum):
    NORMAL = "normal"
    BANNER = "banner"
    CRISIS = "crisis"


@dataclass(frozen=True, slots=True)
class AlertText:
    """One language of an alert, plain text only."""

    language: str  # lower-case primary tag: "de", "en", "ar"
    rtl: bool
    headline: str
    description: str
    instruction: str
    event: str
    sender_name: str
    area: str  # area descriptions joined with ", "


@dataclass(frozen=True, slots=True)
class AlertView:
    identifier: str
    layout: Layout
    severity: str  # CAP severity value, e.g. "Extreme"
    category: str  # CAP category of the preferred info block: "Met", "Geo", "Fire", ...
    exercise: bool
    sent: datetime  # shown as "Stand"
    onset: datetime | None  # set only when onset lies in the future: shown as "ab <time>"
    expires: datetime | None
    web: str  # official link; the UI shows it as a QR code when non-empty
    texts: tuple[AlertText, ...]  # preferred language first; the UI may rotate through them


@dataclass(frozen=True, slots=True)
class AllClearView:
    identifier: str
    headline: str
    texts: tuple[AlertText, ...]
    until: datetime


class Form(StrEnum):
    """How an alert is visible on the glass: what an ack reports (docs/mqtt.md)."""

    TAKEOVER = "takeover"  # the full-screen crisis layout
    BANNER = "banner"  # the persistent strip over the rotation
    SLIDE = "slide"  # a card in the rotation (visible while the rotation shows it)
    LISTED = "listed"  # a line in the list of further warnings under a takeover


# A new ack follows only when an alert becomes more prominent than it was acked as.
FORM_RANK = {Form.LISTED: 1, Form.SLIDE: 2, Form.BANNER: 3, Form.TAKEOVER: 4}


@dataclass(frozen=True, slots=True)
class ScreenModel:
    """Everything the glass shows, composed once here; the bridge translates, QML draws.

    `alerts` are all alerts active for this place in display order (the status lists them);
    each visible one is in exactly one of `takeover`, `banner`, `slides` or `listed`.
    Alerts behind a takeover that do not fit its list are only counted (`unlisted`).
    """

    mode: Mode
    alerts: tuple[AlertView, ...] = ()
    takeover: AlertView | None = None
    banner: AlertView | None = None
    slides: tuple[AlertView, ...] = ()  # alert cards in the rotation, display order
    listed: tuple[AlertView, ...] = ()  # under the takeover, display order
    unlisted: int = 0
    all_clear: AllClearView | None = None
    # The languages the whole screen shows in turn, one at a time (build_screen: the configured
    # ones some shown text has, in configured order). Empty: see `language_cycle`.
    languages: tuple[str, ...] = ()

    @property
    def top(self) -> AlertView | None:
        return self.alerts[0] if self.alerts else None

    @property
    def language_cycle(self) -> tuple[str, ...]:
        """`languages`, or if none were given every language of a shown text, in the order
        they first appear (each alert lists its texts in preference order)."""
        if self.languages:
            return self.languages
        texts = [t for a in self.alerts for t in a.texts]
        if self.all_clear is not None:
            texts.extend(self.all_clear.texts)
        return tuple(dict.fromkeys(t.language for t in texts))

    @property
    def exercise(self) -> bool:
        """Some shown alert is an exercise (each one carries its own "ÜBUNG" marking)."""
        return any(a.exercise for a in self.alerts)

    def forms(self) -> dict[str, Form]:
        """Identifier -> how it is visible. Slides count as visible only while the rotation
        shows them; the kiosk learns that from the rotation itself."""
        out: dict[str, Form] = {}
        if self.takeover is not None:
            out[self.takeover.identifier] = Form.TAKEOVER
        if self.banner is not None:
            out[self.banner.identifier] = Form.BANNER
        for view in self.slides:
            out[view.identifier] = Form.SLIDE
        for view in self.listed:
            out[view.identifier] = Form.LISTED
        return out


EMPTY_SCREEN = ScreenModel(mode=Mode.NORMAL)
