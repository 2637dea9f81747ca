"""A valid CAP message with a 136,000-character description reaches the glass without
stopping the frames (it once took 6 s, frames stopped, because the layout got it all)."""

from __future__ import annotations

import itertools
import time
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt, QTimer

from stele.domain.book import AlertBook
from stele.domain.decide import Policy
from stele.domain.presentation import ScreenModel
from stele.domain.screen import build_screen
from tests.capgen import make_alert
from tests.ui.harness import LANDSCAPE, PORTRAIT

# Generous for a shared VM (a normal frame here takes a few ms), far below the seconds the
# unbounded text took.
MAX_GAP_S = 0.1
SENTENCE = "Der Pegel steigt weiter, Uferbereiche werden überflutet. "


def huge_screen(languages: tuple[str, ...] = ("de",)) -> ScreenModel:
    description = (SENTENCE * (136_000 // len(SENTENCE) + 1))[:136_000]
    alert = make_alert(severity="Extreme", description=description, instruction=SENTENCE * 200)
    assert len(alert.infos[0].description) == 136_000  # valid CAP: the parser keeps it all
    book = AlertBook(place=None, policy=Policy(languages=languages))
    at = alert.sent + timedelta(minutes=1)
    book.receive(alert, at)
    return build_screen(book, at)


@pytest.mark.parametrize("size", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_huge_alert_reaches_the_glass_without_a_frame_gap(stele, qtbot, size) -> None:
    screen = huge_screen()
    s = stele(size)
    view, bridge = s.view, s.bridge
    swaps: list[float] = []

    def swapped() -> None:
        swaps.append(time.perf_counter())
        view.update()  # keep frames coming, as an animation would

    view.frameSwapped.connect(swapped, Qt.ConnectionType.DirectConnection)
    view.update()
    qtbot.waitUntil(lambda: len(swaps) >= 10, timeout=5000)
    QTimer.singleShot(0, lambda: bridge.apply(screen))
    applied = len(swaps)
    qtbot.waitUntil(
        lambda: bridge.property("mode") == "crisis" and len(swaps) >= applied + 20, timeout=20_000
    )
    view.frameSwapped.disconnect(swapped)
    gaps = [b - a for a, b in itertools.pairwise(swaps)]
    assert max(gaps) < MAX_GAP_S, f"longest frame gap {max(gaps) * 1000:.0f} ms"
