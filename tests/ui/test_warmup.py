"""The boot rehearsal renders every alert screen, but nobody sees it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from shiboken6 import Shiboken

from stele.domain.presentation import EMPTY_SCREEN
from stele.ui.bridge import ScreenBridge
from stele.ui.view import create_view
from stele.ui.warmup import FRAMES_PER_SCREEN, WarmUp, rehearsal_screens
from tests.ui.kiosk_helpers import red_fraction, visible_texts

pytestmark = pytest.mark.usefixtures("qapp")


def test_rehearsal_is_covered_and_ends_with_the_real_screen(qtbot) -> None:
    bridge = ScreenBridge(city="Stadt Solingen", device_id="x")
    view = create_view(bridge, width=540, height=960, fullscreen=False)
    qtbot.waitExposed(view)
    screens = rehearsal_screens(datetime.now(UTC))
    modes_seen: list[str] = []
    red_while_covered: list[float] = []
    done: list[bool] = []

    def on_frame() -> None:
        if bridge.property("warmingUp"):
            modes_seen.append(bridge.property("mode"))
            red_while_covered.append(red_fraction(view.grabWindow(), step=16))

    view.frameSwapped.connect(on_frame)
    warm = WarmUp(view, bridge, screens, lambda: (bridge.apply(EMPTY_SCREEN), done.append(True)), view)
    warm.start()
    try:
        qtbot.waitUntil(lambda: bool(done), timeout=5_000)
        assert {"crisis", "banner", "normal"} <= set(modes_seen)  # every look was rendered
        assert len(modes_seen) >= FRAMES_PER_SCREEN * len(screens) - 1
        assert max(red_while_covered) < 0.01  # ...under the cover: no red ever shown
        assert not bridge.property("warmingUp")
        assert bridge.property("mode") == "normal"
        assert "Stadt Solingen" in visible_texts(view)
    finally:
        view.frameSwapped.disconnect(on_frame)
        view.close()
        Shiboken.delete(view)  # the engine goes before the bridge it was given
