"""The demo content through the real kiosk: the content server `stele demo` starts, the
kiosk's sync, cache, live data and PDF rendering — every item of the demo becomes a slide."""

from __future__ import annotations

import pytest

from stele.config import load_config
from stele.demo.runner import write_demo_config
from stele.demo.server import DemoContentServer
from stele.domain.manifest import parse_manifest
from tests.ui.harness import Stele, texts_on_screen
from tests.ui.kiosk_helpers import new_kiosk

pytestmark = pytest.mark.usefixtures("qapp")


def test_every_demo_item_becomes_a_slide_under_the_solingen_theme(broker, tmp_path, qtbot) -> None:
    with DemoContentServer() as server:
        config = write_demo_config(tmp_path, broker.port, manifest_url=server.manifest_url)
        k = new_kiosk(load_config(config, env={}, system_paths=()))
        k.start()
        try:
            ids = [i.id for i in parse_manifest((server.root / "manifest.json").read_bytes()).items]
            slides = k.content_bridge.slides
            shown: list[str] = []
            k.content.slide_changed.connect(shown.append)

            def playable() -> list[str]:
                return [str(r["slideId"]) for r in slides.rows()]

            # Media verified, live data fetched, the PDF page rendered: all eight in order.
            qtbot.waitUntil(lambda: playable() == ids, timeout=30_000)
            kinds = {str(r["kind"]) for r in slides.rows()}
            assert kinds == {"image", "video", "pdf", "text", "news", "events", "weather"}
            live = {str(r["kind"]): r["live"] for r in slides.rows() if r["live"]}
            assert len(live["news"]["entries"]) == 4  # max_items of the demo's news item
            assert live["events"]["entries"]  # recurring: always something ahead
            # Demo slides reach the glass, framed by the theme's city header.
            qtbot.waitUntil(lambda: bool(set(shown) & set(ids)), timeout=15_000)
            assert "Klingenstadt Solingen" in texts_on_screen(Stele(k.view, k.bridge))
            assert any(r.startswith("GET /live/brightsky/weather?") for r in server.requests)
        finally:
            k.stop()
            k.dispose()
