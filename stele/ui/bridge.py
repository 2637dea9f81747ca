"""ScreenBridge: the domain's ScreenModel as QML properties.

Python hands QML plain maps and lists (never dataclasses); every property has its own
NOTIFY signal and setters compare before emitting, so re-applying an unchanged screen
repaints nothing. Use from the GUI thread only: callers on other threads (paho) must hop
through a queued signal first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Property, QObject, Signal

from stele.domain.model import Layout
from stele.domain.presentation import AlertText, AlertView, AllClearView, Mode, ScreenModel
from stele.domain.text import soft_hyphens
from stele.ui.qr import qr_source

_TIME_FORMAT = "%d.%m.%Y, %H:%M"


def _readonly(type_name: str, attr: str, signal: Signal) -> Property:
    def getter(self: ScreenBridge) -> Any:
        return getattr(self, attr)

    return Property(type_name, getter, notify=signal)


class ScreenBridge(QObject):
    """Everything the QML layouts show, as properties (see `apply`)."""

    modeChanged = Signal()
    topChanged = Signal()
    othersChanged = Signal()
    bannerChanged = Signal()
    loopAlertsChanged = Signal()
    allClearChanged = Signal()
    connectedChanged = Signal()
    staleTextChanged = Signal()
    cityChanged = Signal()
    deviceIdChanged = Signal()
    identifyChanged = Signal()
    blankedChanged = Signal()
    rotationSecondsChanged = Signal()
    warmingUpChanged = Signal()
    logoChanged = Signal()
    languagesChanged = Signal()
    diagonalInchChanged = Signal()

    mode = _readonly("QString", "_mode", modeChanged)
    top = _readonly("QVariantMap", "_top", topChanged)
    others = _readonly("QVariantList", "_others", othersChanged)
    banner = _readonly("QVariantMap", "_banner", bannerChanged)
    loopAlerts = _readonly("QVariantList", "_loop_alerts", loopAlertsChanged)
    allClear = _readonly("QVariantMap", "_all_clear", allClearChanged)
    connected = _readonly("bool", "_connected", connectedChanged)
    staleText = _readonly("QString", "_stale_text", staleTextChanged)
    city = _readonly("QString", "_city", cityChanged)
    deviceId = _readonly("QString", "_device_id", deviceIdChanged)
    identify = _readonly("bool", "_identify", identifyChanged)
    blanked = _readonly("bool", "_blanked", blankedChanged)
    rotationSeconds = _readonly("int", "_rotation_seconds", rotationSecondsChanged)
    warmingUp = _readonly("bool", "_warming_up", warmingUpChanged)
    logo = _readonly("QString", "_logo", logoChanged)  # file URL of the city's logo, or ""
    # The languages the whole screen turns through together (ScreenModel.language_cycle).
    languages = _readonly("QVariantList", "_languages", languagesChanged)
    # Visible diagonal of the panel: with the window's pixels it gives the letter sizes.
    diagonalInch = _readonly("double", "_diagonal_inch", diagonalInchChanged)

    def __init__(
        self,
        *,
        city: str,
        device_id: str,
        timezone: str = "Europe/Berlin",
        rotation_seconds: int = 12,
        logo: str = "",
        diagonal_inch: float = 55.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._zone = ZoneInfo(timezone)
        self._mode = "normal"
        self._top: dict[str, Any] = {}
        self._others: list[dict[str, Any]] = []
        self._banner: dict[str, Any] = {}
        self._loop_alerts: list[dict[str, Any]] = []
        self._all_clear: dict[str, Any] = {}
        self._connected = True
        self._stale_text = ""
        self._city = city
        self._device_id = device_id
        self._identify = False
        self._blanked = False
        self._rotation_seconds = max(1, rotation_seconds)
        self._warming_up = False
        self._logo = logo
        self._languages: list[str] = []
        self._diagonal_inch = float(diagonal_inch)
        # Last screen's alerts, converted, keyed by the (frozen, hashable) AlertView: the
        # core rebuilds equal views on every decision, apply() converts only new ones.
        self._converted: dict[AlertView, dict[str, Any]] = {}

    # -- public API --------------------------------------------------------------------

    def apply(self, screen: ScreenModel) -> None:
        """Show `screen`: convert it to plain maps and update the properties that changed."""
        converted = [self._alert_map(a) for a in screen.alerts]
        self._converted = dict(zip(screen.alerts, converted, strict=True))
        banners = [
            m for a, m in zip(screen.alerts, converted, strict=True) if a.layout is Layout.BANNER
        ]
        # The rotation shows every alert that has no screen of its own: Minor alerts, a
        # second banner, and a takeover that is not on top (an Exercise below an Actual
        # banner), so no active alert ever vanishes.
        banner = banners[0] if banners else {}
        self._set("_top", converted[0] if converted else {}, self.topChanged)
        self._set("_others", converted[1:], self.othersChanged)
        self._set("_banner", banner, self.bannerChanged)
        top = converted[0] if converted and screen.mode is Mode.CRISIS else {}
        loops = [m for m in converted if m is not banner and m is not top]
        self._set("_loop_alerts", loops, self.loopAlertsChanged)
        all_clear = self._all_clear_map(screen.all_clear) if screen.all_clear else {}
        self._set("_all_clear", all_clear, self.allClearChanged)
        self._set("_languages", list(screen.language_cycle), self.languagesChanged)
        # Mode last: by the time QML switches state, the data it shows is in place.
        self._set("_mode", screen.mode.value, self.modeChanged)

    def set_connected(self, connected: bool, last_sync: datetime | None) -> None:
        stale = f"Stand: {self._format(last_sync)} Uhr" if last_sync else "Stand: unbekannt"
        self._set("_stale_text", stale, self.staleTextChanged)
        self._set("_connected", connected, self.connectedChanged)

    def set_identify(self, identify: bool) -> None:
        self._set("_identify", identify, self.identifyChanged)

    def set_blanked(self, blanked: bool) -> None:
        self._set("_blanked", blanked, self.blankedChanged)

    def set_warming_up(self, warming: bool) -> None:
        """While true, a cover in the boot colour hides rehearsal screens (see warmup.py)."""
        self._set("_warming_up", warming, self.warmingUpChanged)

    # -- conversion --------------------------------------------------------------------

    def _set(self, attr: str, value: Any, signal: Signal) -> None:
        if getattr(self, attr) != value:
            setattr(self, attr, value)
            signal.emit()

    def _format(self, moment: datetime) -> str:
        return moment.astimezone(self._zone).strftime(_TIME_FORMAT)

    def _alert_map(self, alert: AlertView) -> dict[str, Any]:
        cached = self._converted.get(alert)
        if cached is not None:
            return cached
        sent = self._format(alert.sent)
        onset = self._format(alert.onset) if alert.onset else ""
        return {
            "identifier": alert.identifier,
            "layout": alert.layout.value,
            "severity": alert.severity,
            "category": alert.category,
            "exercise": alert.exercise,
            "sentTime": sent,
            "sentText": f"Stand: {sent} Uhr",
            "onsetTime": onset,
            "onsetText": f"ab {onset} Uhr" if onset else "",
            "web": alert.web,
            "qrSource": qr_source(alert.web),
            "texts": [_text_map(t) for t in alert.texts],
        }

    def _all_clear_map(self, view: AllClearView) -> dict[str, Any]:
        return {
            "identifier": view.identifier,
            "headline": view.headline,
            "texts": [_text_map(t) for t in view.texts],
            "untilText": self._format(view.until),
        }


def _text_map(text: AlertText) -> dict[str, Any]:
    # Soft hyphens let Qt break a word too long for a line at a syllable, with a "-".
    return {
        "language": text.language,
        "rtl": text.rtl,
        "headline": soft_hyphens(text.headline),
        "description": soft_hyphens(text.description),
        "instruction": soft_hyphens(text.instruction),
        "event": soft_hyphens(text.event),
        "senderName": soft_hyphens(text.sender_name),
        "area": soft_hyphens(text.area),
    }
