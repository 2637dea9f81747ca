"""Typed values the bridge hands QML: one alert, one of its language versions, an all-clear.

Each is an immutable QObject with one constant property per field, registered under
`Stele` so QML declares `property AlertEntry alert` and binds `alert.headline` with types
qmllint checks (no look-ups of keys in a map). "None" is an entry too (`identifier` ""):
the screens exist from startup and bind to an empty alert rather than to null.
"""

from __future__ import annotations

from PySide6.QtCore import Property, QObject
from PySide6.QtQml import QmlElement, QmlUncreatable

from stele.domain.presentation import AlertText
from stele.domain.text import soft_hyphens

QML_IMPORT_NAME = "Stele"
QML_IMPORT_MAJOR_VERSION = 1
QML_IMPORT_MINOR_VERSION = 0


@QmlElement
@QmlUncreatable("the bridge makes alert texts")
class AlertTextEntry(QObject):  # type: ignore[operator]  # QmlUncreatable: a class in the stubs
    """One language version of an alert's texts."""

    def __init__(self, text: AlertText | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Soft hyphens let Qt break a word too long for a line at a syllable, with a "-".
        self._language = text.language if text else ""
        self._rtl = text.rtl if text else False
        self._headline = soft_hyphens(text.headline) if text else ""
        self._description = soft_hyphens(text.description) if text else ""
        self._instruction = soft_hyphens(text.instruction) if text else ""
        self._event = soft_hyphens(text.event) if text else ""
        self._sender_name = soft_hyphens(text.sender_name) if text else ""
        self._area = soft_hyphens(text.area) if text else ""

    @Property(str, constant=True)
    def language(self) -> str:
        return self._language

    @Property(bool, constant=True)
    def rtl(self) -> bool:
        return self._rtl

    @Property(str, constant=True)
    def headline(self) -> str:
        return self._headline

    @Property(str, constant=True)
    def description(self) -> str:
        return self._description

    @Property(str, constant=True)
    def instruction(self) -> str:
        return self._instruction

    # Not `event`: that name is QObject's event handler.
    @Property(str, constant=True)
    def eventName(self) -> str:
        return self._event

    @Property(str, constant=True)
    def senderName(self) -> str:
        return self._sender_name

    @Property(str, constant=True)
    def area(self) -> str:
        return self._area


@QmlElement
@QmlUncreatable("the bridge makes alert entries")
class AlertEntry(QObject):  # type: ignore[operator]
    """One alert as the screens show it; `identifier` "" is no alert."""

    def __init__(
        self,
        *,
        identifier: str = "",
        layout: str = "",
        severity: str = "",
        category: str = "",
        exercise: bool = False,
        sent_time: str = "",
        onset_time: str = "",
        web: str = "",
        qr_source: str = "",
        texts: list[AlertTextEntry] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._identifier = identifier
        self._layout = layout
        self._severity = severity
        self._category = category
        self._exercise = exercise
        self._sent_time = sent_time
        self._onset_time = onset_time
        self._web = web
        self._qr_source = qr_source
        self._texts = list(texts or [])
        for text in self._texts:
            text.setParent(self)  # they live and die with the alert

    @Property(str, constant=True)
    def identifier(self) -> str:
        return self._identifier

    @Property(str, constant=True)
    def layout(self) -> str:
        return self._layout

    @Property(str, constant=True)
    def severity(self) -> str:
        return self._severity

    @Property(str, constant=True)
    def category(self) -> str:
        return self._category

    @Property(bool, constant=True)
    def exercise(self) -> bool:
        return self._exercise

    @Property(str, constant=True)
    def sentTime(self) -> str:
        return self._sent_time

    @Property(str, constant=True)
    def onsetTime(self) -> str:
        return self._onset_time

    @Property(str, constant=True)
    def web(self) -> str:
        return self._web

    @Property(str, constant=True)
    def qrSource(self) -> str:
        """The QR image provider's URL for `web`, "" for none."""
        return self._qr_source

    @Property("QVariantList", constant=True)  # type: ignore[arg-type]
    def texts(self) -> list[AlertTextEntry]:
        """AlertTextEntry objects, the preferred language first."""
        return self._texts

    def text_entries(self) -> list[AlertTextEntry]:
        return list(self._texts)


@QmlElement
@QmlUncreatable("the bridge makes all-clear entries")
class AllClearEntry(QObject):  # type: ignore[operator]
    """The all-clear card's content; `identifier` "" is none."""

    def __init__(
        self,
        *,
        identifier: str = "",
        headline: str = "",
        until_text: str = "",
        texts: list[AlertTextEntry] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._identifier = identifier
        self._headline = headline
        self._until_text = until_text
        self._texts = list(texts or [])
        for text in self._texts:
            text.setParent(self)

    @Property(str, constant=True)
    def identifier(self) -> str:
        return self._identifier

    @Property(str, constant=True)
    def headline(self) -> str:
        """The cancel's own headline (shown when no language version has one)."""
        return self._headline

    @Property(str, constant=True)
    def untilText(self) -> str:
        return self._until_text

    @Property("QVariantList", constant=True)  # type: ignore[arg-type]
    def texts(self) -> list[AlertTextEntry]:
        return self._texts
