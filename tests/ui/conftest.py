"""The `stele` fixture: the real QML module in an offscreen window, with its bridge."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from stele.ui.bridge import ScreenBridge
from stele.ui.view import create_view
from tests.ui.harness import PORTRAIT, Stele, qml_warnings


@pytest.fixture
def stele(qtbot, qtlog) -> Iterator[Callable[..., Stele]]:
    """Makes steles; after the test, fails it if QML reported any warning meanwhile."""
    made: list[Stele] = []

    def make(
        size: tuple[int, int] = PORTRAIT, rotation_seconds: int = 3600, diagonal_inch: float = 55.0
    ) -> Stele:
        bridge = ScreenBridge(
            city="Musterstadt",
            device_id="stele-0042",
            rotation_seconds=rotation_seconds,
            diagonal_inch=diagonal_inch,
        )
        view = create_view(bridge, width=size[0], height=size[1], fullscreen=False)
        qtbot.waitExposed(view)
        made.append(Stele(view, bridge))
        return made[-1]

    yield make
    for s in made:  # the view (and its engine) goes before the bridge
        s.view.close()
        del s.view
    made.clear()
    assert not qml_warnings(qtlog.records)


@pytest.fixture
def central(broker):
    """The server side of a kiosk test on the private broker."""
    from tests.ui.kiosk_helpers import Central

    c = Central(broker)
    yield c
    c.close()


@pytest.fixture
def kiosk(broker, tmp_path, qtbot):
    """A started kiosk for this test's broker and state directory; stopped and disposed after."""
    from tests.ui.kiosk_helpers import kiosk_config, new_kiosk

    k = new_kiosk(kiosk_config(tmp_path, broker.port))
    k.start()
    yield k
    k.stop()
    k.dispose()
