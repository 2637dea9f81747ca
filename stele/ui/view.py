"""Loading the Stele QML module into a window.

The view keeps its bridge alive (QML only holds a raw pointer to it). At shutdown delete
the view, and with it the engine, before the application object goes::

    view = create_view(bridge, width=1080, height=1920, fullscreen=True)
    try:
        app.exec()
    finally:
        view.close()
        del view          # engine and root objects go here; the bridge after them
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import PySide6.QtQuick  # noqa: F401  (registers the QtQuick types root objects are cast to)
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor
from PySide6.QtQuick import QQuickView

from stele.errors import SteleError
from stele.layouts import MODULE, find_layouts, layout_candidates
from stele.ui.bridge import ScreenBridge
from stele.ui.content_model import ContentBridge
from stele.ui.qr import PROVIDER_ID, QrImageProvider

log = logging.getLogger(__name__)

# Colour of the window before the first QML frame: the normal screen's background,
# so a stele is never black while it starts.
_START_COLOUR = "#0b2545"


class UiError(SteleError):
    """The QML layouts could not be found or loaded."""


def layouts_dir() -> Path:
    """The directory holding the `Stele` QML module (``<dir>/Stele/qmldir``).

    Looked up in order: $STELE_LAYOUTS_DIR, the source checkout next to the package,
    ``<sys.prefix>/share/stele/layouts``, ``/usr/share/stele/layouts``.
    """
    found = find_layouts()
    if found is None:
        raise UiError(
            "QML module Stele not found; looked in " + ", ".join(map(str, layout_candidates()))
        )
    return found


def create_view(
    bridge: ScreenBridge,
    *,
    width: int,
    height: int,
    fullscreen: bool,
    content: ContentBridge | None = None,
) -> QQuickView:
    """Load `Stele.Main` with `bridge` (and the city's playlist, `content`: none given, an
    empty one) into a new window and show it.

    Every screen is created here, once, so switching to the crisis layout later creates
    nothing. The caller owns the application and must delete the view before the bridges.
    """
    content = content if content is not None else ContentBridge()
    # Before the first frame the window shows the theme's background: never black.
    colour = QColor(bridge.city_theme.pack.colors.background)
    view = _load(
        "Main",
        {"bridge": bridge, "content": content},
        width,
        height,
        fullscreen,
        qr=True,
        colour=colour,
    )
    # QML holds the bridges only as raw pointers: keep them alive as long as the view.
    view._stele_bridge = bridge  # type: ignore[attr-defined]
    view._stele_content = content  # type: ignore[attr-defined]
    return view


def create_config_error_view(
    lines: list[str],
    *,
    host_name: str,
    width: int = 1080,
    height: int = 1920,
    fullscreen: bool = True,
) -> QQuickView:
    """The screen a stele shows instead of the kiosk while its configuration is invalid."""
    props = {"lines": lines, "hostName": host_name}
    return _load("ConfigErrorScreen", props, width, height, fullscreen)


def _load(
    component: str,
    props: Mapping[str, object],
    width: int,
    height: int,
    fullscreen: bool,
    *,
    qr: bool = False,
    colour: QColor | None = None,
) -> QQuickView:
    view = QQuickView()
    view.setColor(colour or QColor(_START_COLOUR))
    view.setResizeMode(QQuickView.ResizeMode.SizeRootObjectToView)
    directory = layouts_dir()
    view.engine().addImportPath(str(directory))
    if qr:  # before loading: images ask for their provider while the scene is created
        view.engine().addImageProvider(PROVIDER_ID, QrImageProvider())
    view.setInitialProperties(dict(props))
    view.resize(width, height)
    view.loadFromModule(MODULE, component)
    if not _ready(view):
        # Loading the file directly is equivalent; it helps when a Qt build cannot
        # resolve the module by name. Real QML errors will simply repeat.
        log.warning("loadFromModule failed (%s); loading %s.qml directly", _errors(view), component)
        view.setSource(QUrl.fromLocalFile(str(directory / MODULE / f"{component}.qml")))
    if not _ready(view):
        raise UiError(f"cannot load QML module {MODULE} from {directory}: {_errors(view)}")
    log.info("layouts loaded from %s (%dx%d)", directory, width, height)
    if fullscreen:
        view.showFullScreen()
    else:
        view.show()
    return view


def _ready(view: QQuickView) -> bool:
    return view.status() == QQuickView.Status.Ready and view.rootObject() is not None


def _errors(view: QQuickView) -> str:
    return "; ".join(e.toString() for e in view.errors()) or f"status {view.status()}"
