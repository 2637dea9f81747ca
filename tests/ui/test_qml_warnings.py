"""Alerts come and go without a single QML warning (a TypeError once fired each time an
alert was cleared while its languages were turning)."""

from __future__ import annotations

from stele.domain.presentation import Mode, ScreenModel
from stele.domain.screen import screen_of
from tests.ui.harness import LANDSCAPE, PORTRAIT, qml_warnings
from tests.ui.samples import ALL_CLEAR, BANNER, CRISIS, FLOOD, ICE, LONG, STORM, WATER

EMPTY = ScreenModel(mode=Mode.NORMAL)
TURNING_MS = 1100  # a language turns (Theme.languageSeconds = 1), a slide rotates
# Each screen, and how long it stays before the next one comes.
CYCLE = [
    (CRISIS, TURNING_MS),
    (EMPTY, 300),
    (BANNER, 300),
    (EMPTY, 300),
    (screen_of((ICE,)), TURNING_MS),
    (EMPTY, 300),
    (screen_of((), ALL_CLEAR), 300),
    (EMPTY, 300),
    (screen_of((FLOOD,)), TURNING_MS),
    (screen_of((LONG, STORM, WATER)), TURNING_MS),
    (screen_of((WATER, ICE), ALL_CLEAR), 300),
    (EMPTY, 300),
]


def test_alerts_come_and_go_without_qml_warnings(stele, qtbot, qtlog) -> None:
    for size in (PORTRAIT, LANDSCAPE):
        s = stele(size, rotation_seconds=1)
        s.set_token("languageSeconds", 1)
        for screen, stay_ms in CYCLE:
            s.bridge.apply(screen)
            qtbot.wait(stay_ms)
            s.frame()
            assert not qml_warnings(qtlog.records), screen
