"""Render the built-in themes offscreen into docs/screenshots/ (the README shows them):

    .venv/bin/python tools/theme_screenshots.py

For each pack: the normal screen playing the demo's text slide (`theme-<name>.png`) and the
fallback screen (`fallback-<name>.png`), portrait 1080x1920 on a 55" panel.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_QUICK_BACKEND", "software")

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtQuick import QQuickView

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stele.config.themes import DEFAULT_CITY, load_theme  # noqa: E402
from stele.demo.server import content_dir  # noqa: E402
from stele.domain.manifest import parse_manifest  # noqa: E402
from stele.ui.bridge import ScreenBridge  # noqa: E402
from stele.ui.content_model import ContentBridge  # noqa: E402
from stele.ui.theme import CityTheme, install_fonts  # noqa: E402
from stele.ui.view import create_view, layouts_dir  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SIZE = (1080, 1920)


def settle(ms: int = 400) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def fallback_view(pack: CityTheme, city: str, logo: str) -> QQuickView:
    view = QQuickView()
    view.setResizeMode(QQuickView.ResizeMode.SizeRootObjectToView)
    view.engine().addImportPath(str(layouts_dir()))
    theme = view.engine().singletonInstance("Stele", "Theme")
    theme.setProperty("pack", pack)
    theme.setProperty("scale", min(SIZE) / 1080)
    view.setInitialProperties({"city": city, "logo": logo})
    view.resize(*SIZE)
    view.loadFromModule("Stele", "FallbackScreen")
    view.show()
    return view


def demo_text_slide() -> dict[str, object]:
    """The demo manifest's text item as the player hands it to QML."""
    manifest = parse_manifest((content_dir() / "manifest.json").read_bytes())
    item = next(i for i in manifest.items if i.type == "text")
    return {
        "slideId": item.id, "kind": "text", "durationMs": 3_600_000, "source": "",
        "fit": "contain", "title": item.title or "", "body": item.body or "",
        "qrSource": "", "qrCaption": "", "live": {},
    }  # fmt: skip


def main() -> int:
    app = QGuiApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    for name in ("neutral", "solingen"):
        theme = load_theme(name)
        install_fonts(theme)
        pack = CityTheme(theme.pack)
        city = theme.pack.city or DEFAULT_CITY
        logo = QUrl.fromLocalFile(str(theme.logo)).toString() if theme.logo else ""
        bridge = ScreenBridge(city=city, device_id="demo", logo=logo, theme=pack)
        content = ContentBridge()
        content.set_slides([demo_text_slide()])
        normal = create_view(
            bridge, width=SIZE[0], height=SIZE[1], fullscreen=False, content=content
        )
        for file, view in (
            (f"theme-{name}.png", normal),
            (f"fallback-{name}.png", fallback_view(pack, city, logo)),
        ):
            settle(1500)  # the first slide fades in
            assert view.grabWindow().save(str(OUT / file)), file
            print(OUT / file)
            view.close()
        del normal, view
    QCoreApplication.processEvents()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
