"""Boot-time rehearsal: render every alert screen once, hidden, before the first real alert.

Qt Quick rasterises glyphs, builds text geometry and uploads textures the first time a
screen is drawn. Measured here, the first switch to the crisis layout took ~35 ms longer
than later ones — on the one occasion that matters. So at start the kiosk shows each screen
for a couple of frames under an opaque cover in the boot colour, with sample text that
covers the scripts alerts arrive in, and only then the real state.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtQuick import QQuickWindow

from stele.domain.model import Layout
from stele.domain.presentation import AlertText, AlertView, AllClearView, ScreenModel
from stele.domain.screen import screen_of
from stele.ui.bridge import ScreenBridge

FRAMES_PER_SCREEN = 2
GIVE_UP_MS = 3_000  # never hold the real state back longer than this

_LATIN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789 ÄÖÜäöüß"
_MARKS = ".,:;!?–-()/\"'„“«»&%+°"
_TURKISH = "çğıİşÇĞŞ"
_ARABIC = "تحذير رسمي من الفيضانات غادروا الأقبية فوراً ٠١٢٣٤٥٦٧٨٩"


def _text(language: str, rtl: bool, sample: str) -> AlertText:
    return AlertText(
        language=language,
        rtl=rtl,
        headline=sample,
        description=" ".join([sample, _MARKS] * 3),
        instruction=" ".join([sample] * 2),
        event=sample[:24],
        sender_name=sample[:32],
        area=sample[:48],
    )


def _alert(layout: Layout, severity: str, now: datetime) -> AlertView:
    return AlertView(
        identifier=f"warm-up-{layout.value}",
        layout=layout,
        severity=severity,
        category="Met",
        exercise=False,
        sent=now,
        onset=now + timedelta(hours=1),
        expires=None,
        web="https://stele.invalid/warm-up",
        texts=(
            _text("de", False, f"{_LATIN} {_TURKISH}"),
            _text("ar", True, _ARABIC),
        ),
    )


def rehearsal_screens(now: datetime) -> list[ScreenModel]:
    """One screen per look an alert can take: takeover, banner, rotation slide, all-clear."""
    crisis = _alert(Layout.TAKEOVER, "Extreme", now)
    severe = _alert(Layout.TAKEOVER, "Severe", now)
    banner = _alert(Layout.BANNER, "Moderate", now)
    minor = _alert(Layout.LOOP, "Minor", now)
    all_clear = AllClearView("warm-up-all-clear", _LATIN, crisis.texts, now + timedelta(hours=1))
    return [
        screen_of((crisis, severe, banner)),
        screen_of((severe,)),
        screen_of((banner, minor)),
        screen_of((minor,), all_clear),
    ]


class WarmUp(QObject):
    """Steps the bridge through `screens`, FRAMES_PER_SCREEN presented frames each, then
    calls `done` on the GUI thread (also after GIVE_UP_MS, if frames never come)."""

    _frame = Signal()

    def __init__(
        self,
        window: QQuickWindow,
        bridge: ScreenBridge,
        screens: list[ScreenModel],
        done: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._bridge = bridge
        self._screens = list(screens)
        self._done = done
        self._frames = 0
        self._finished = False
        # frameSwapped may come from the render thread: hop to the GUI thread.
        window.frameSwapped.connect(self._frame.emit, Qt.ConnectionType.DirectConnection)
        self._frame.connect(self._on_frame, Qt.ConnectionType.QueuedConnection)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._finish)

    def start(self) -> None:
        self._bridge.set_warming_up(True)
        self._timer.start(GIVE_UP_MS)
        self._next()

    def abort(self) -> None:
        """End the rehearsal now (a real alert must not wait for it); `done` runs at once."""
        self._finish()

    def _next(self) -> None:
        if not self._screens:
            self._finish()
            return
        self._bridge.apply(self._screens.pop(0))
        self._frames = 0
        self._window.update()

    def _on_frame(self) -> None:
        if self._finished:
            return
        self._frames += 1
        if self._frames >= FRAMES_PER_SCREEN:
            self._next()
        else:
            self._window.update()

    def _finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        self._timer.stop()
        self._window.frameSwapped.disconnect(self._frame.emit)
        self._done()
        self._bridge.set_warming_up(False)
