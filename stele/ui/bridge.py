"""ScreenBridge: the domain's ScreenModel as QML properties.

Python hands QML typed entries (stele/ui/entries.py: `AlertEntry`, `AllClearEntry`, never
dataclasses or maps) and the alert lists as list models (stele/ui/models.py, a role per
field); every other property has its own NOTIFY signal and setters compare before emitting,
so re-applying an unchanged screen repaints nothing. Use from the GUI thread only: callers on
other threads (paho) must hop through a queued signal first.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Property, QObject, Signal, SignalInstance, Slot
from PySide6.QtQml import QmlElement, QmlUncreatable

from stele.domain.presentation import AlertView, AllClearView, ScreenModel
from stele.ui.entries import AlertEntry, AlertTextEntry, AllClearEntry
from stele.ui.models import AlertListModel
from stele.ui.qr import qr_source
from stele.ui.theme import CityTheme

_TIME_FORMAT = "%d.%m.%Y, %H:%M"
# Entries no longer on the screen stay alive this long: a QML binding or a delegate on its
# way out may still read one (a deleted QObject would turn it into null mid-evaluation).
_RETIRE_S = 10.0


# The QML module the bridge belongs to: `import Stele` knows `ScreenBridge`, and its
# properties are in layouts/Stele/bridge.qmltypes (`./dev qmltypes`) for qmllint.
QML_IMPORT_NAME = "Stele"
QML_IMPORT_MAJOR_VERSION = 1
QML_IMPORT_MINOR_VERSION = 0


@QmlElement
@QmlUncreatable("the application creates the bridge and hands it to Main")
class ScreenBridge(QObject):  # type: ignore[operator]  # QmlUncreatable: a class in the stubs
    """Everything the QML layouts show, as properties (see `apply`)."""

    modeChanged = Signal()
    topChanged = Signal()
    othersMoreChanged = Signal()
    bannerChanged = Signal()
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
    timeKnownChanged = Signal()
    alertSlideShown = Signal(str)  # identifier: the rotation shows that alert's slide now
    alertsListed = Signal(list)  # identifiers: the list under the takeover shows these now
    languagesChanged = Signal()
    diagonalInchChanged = Signal()

    @Property(str, notify=modeChanged)
    def mode(self) -> str:
        return self._mode

    @Property(AlertEntry, notify=topChanged)
    def top(self) -> AlertEntry:
        """The takeover; an entry with `identifier` "" when there is none."""
        return self._top

    @Property(AlertListModel, constant=True)
    def others(self) -> AlertListModel:
        """Listed under the takeover."""
        return self._others

    @Property(int, notify=othersMoreChanged)
    def othersMore(self) -> int:
        """Listed alerts that do not fit."""
        return self._others_more

    @Property(AlertEntry, notify=bannerChanged)
    def banner(self) -> AlertEntry:
        """The banner; an entry with `identifier` "" when there is none."""
        return self._banner

    @Property(AlertListModel, constant=True)
    def loopAlerts(self) -> AlertListModel:
        """The minor alerts in the rotation, a slide each."""
        return self._loop_alerts

    @Property(AllClearEntry, notify=allClearChanged)
    def allClear(self) -> AllClearEntry:
        """The all-clear card; an entry with `identifier` "" when there is none."""
        return self._all_clear

    @Property(bool, notify=connectedChanged)
    def connected(self) -> bool:
        return self._connected

    @Property(str, notify=staleTextChanged)
    def staleText(self) -> str:
        return self._stale_text

    @Property(str, notify=cityChanged)
    def city(self) -> str:
        return self._city

    @Property(str, notify=deviceIdChanged)
    def deviceId(self) -> str:
        return self._device_id

    @Property(bool, notify=identifyChanged)
    def identify(self) -> bool:
        return self._identify

    @Property(bool, notify=blankedChanged)
    def blanked(self) -> bool:
        return self._blanked

    @Property(int, notify=rotationSecondsChanged)
    def rotationSeconds(self) -> int:
        return self._rotation_seconds

    @Property(bool, notify=warmingUpChanged)
    def warmingUp(self) -> bool:
        return self._warming_up

    @Property(bool, notify=timeKnownChanged)
    def timeKnown(self) -> bool:
        """False while the clock is known to be behind: no time of day is shown then."""
        return self._time_known

    @Property(str, notify=logoChanged)
    def logo(self) -> str:
        """File URL of the city's logo, or ""."""
        return self._logo

    @Property(CityTheme, constant=True)
    def theme(self) -> CityTheme:
        """The city's theme pack: Main binds it into the Theme singleton."""
        return self.city_theme

    @Property("QVariantList", notify=languagesChanged)  # type: ignore[arg-type]
    def languages(self) -> list[str]:
        """The languages the whole screen turns through together (ScreenModel.language_cycle)."""
        return self._languages

    @Property(float, notify=diagonalInchChanged)
    def diagonalInch(self) -> float:
        """Visible diagonal of the panel: with the window's pixels it gives the letter sizes."""
        return self._diagonal_inch

    def __init__(
        self,
        *,
        city: str,
        device_id: str,
        timezone: str = "Europe/Berlin",
        rotation_seconds: int = 12,
        logo: str = "",
        diagonal_inch: float = 55.0,
        theme: CityTheme | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._zone = ZoneInfo(timezone)
        self._mode = "normal"
        self._no_alert = AlertEntry(parent=self)
        self._no_all_clear = AllClearEntry(parent=self)
        self._top = self._no_alert
        self._others = AlertListModel(self)
        self._others_more = 0
        self._banner = self._no_alert
        self._loop_alerts = AlertListModel(self)
        self._all_clear = self._no_all_clear
        self._connected = True
        self._stale_text = ""
        self._city = city
        self._device_id = device_id
        self._identify = False
        self._blanked = False
        self._rotation_seconds = max(1, rotation_seconds)
        self._warming_up = False
        self._time_known = True
        self._logo = logo
        self._languages: list[str] = []
        self._diagonal_inch = float(diagonal_inch)
        self.city_theme = theme or CityTheme(parent=self)
        # Last screen's alerts, converted, keyed by the (frozen, hashable) AlertView: the
        # core rebuilds equal views on every decision, apply() converts only new ones.
        self._converted: dict[AlertView, AlertEntry] = {}
        self._all_clear_view: AllClearView | None = None
        self._retired: list[tuple[float, QObject]] = []

    # -- public API --------------------------------------------------------------------

    def apply(self, screen: ScreenModel) -> None:
        """Show `screen`: convert it to entries and update the properties that changed.

        The composition (what is the takeover, the banner, the slides, the listed alerts) is
        the domain's (`build_screen`); this only translates it.
        """
        converted = {a: self._alert_entry(a) for a in screen.alerts}
        self._retire([e for a, e in self._converted.items() if a not in converted])
        self._converted = converted
        no = self._no_alert
        takeover = converted[screen.takeover] if screen.takeover is not None else no
        banner = converted[screen.banner] if screen.banner is not None else no
        self._set("_top", takeover, self.topChanged)
        self._others.replace([converted[a] for a in screen.listed])
        self._set("_others_more", screen.unlisted, self.othersMoreChanged)
        self._set("_banner", banner, self.bannerChanged)
        self._loop_alerts.replace([converted[a] for a in screen.slides])
        if screen.all_clear != self._all_clear_view:
            self._all_clear_view = screen.all_clear
            if self._all_clear is not self._no_all_clear:
                self._retire([self._all_clear])
            all_clear = self._all_clear_entry(screen.all_clear) if screen.all_clear else None
            self._set("_all_clear", all_clear or self._no_all_clear, self.allClearChanged)
        self._set("_languages", list(screen.language_cycle), self.languagesChanged)
        # Mode last: by the time QML switches state, the data it shows is in place.
        self._set("_mode", screen.mode.value, self.modeChanged)

    @Slot(str)
    def slideShown(self, identifier: str) -> None:
        """The rotation now shows the alert slide `identifier` (NormalScreen reports it)."""
        self.alertSlideShown.emit(identifier)

    @Slot("QVariantList")
    def listedShown(self, identifiers: list[str]) -> None:
        """The list under the takeover now shows these alerts (its current page)."""
        self.alertsListed.emit([str(i) for i in identifiers])

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

    def set_time_known(self, known: bool) -> None:
        self._set("_time_known", known, self.timeKnownChanged)

    # -- conversion --------------------------------------------------------------------

    def _set(self, attr: str, value: Any, signal: SignalInstance) -> None:
        if getattr(self, attr) != value:
            setattr(self, attr, value)
            signal.emit()

    def _format(self, moment: datetime) -> str:
        return moment.astimezone(self._zone).strftime(_TIME_FORMAT)

    def _retire(self, entries: list[AlertEntry] | list[AllClearEntry]) -> None:
        now = time.monotonic()
        self._retired = [(t, e) for t, e in self._retired if now - t < _RETIRE_S]
        self._retired.extend((now, e) for e in entries)

    def _alert_entry(self, alert: AlertView) -> AlertEntry:
        cached = self._converted.get(alert)
        if cached is not None:
            return cached
        return AlertEntry(
            identifier=alert.identifier,
            layout=alert.layout.value,
            severity=alert.severity,
            category=alert.category,
            exercise=alert.exercise,
            sent_time=self._format(alert.sent),
            onset_time=self._format(alert.onset) if alert.onset else "",
            web=alert.web,
            qr_source=qr_source(alert.web),
            texts=[AlertTextEntry(t) for t in alert.texts],
        )

    def _all_clear_entry(self, view: AllClearView) -> AllClearEntry:
        return AllClearEntry(
            identifier=view.identifier,
            headline=view.headline,
            until_text=self._format(view.until),
            texts=[AlertTextEntry(t) for t in view.texts],
        )
