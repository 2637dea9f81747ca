"""Where the QML layouts (and the built-in theme packs beside them) are installed. No Qt here:
the configuration check finds the built-in themes without starting a GUI."""

from __future__ import annotations

import os
import sys
from pathlib import Path

MODULE = "Stele"
LAYOUTS_ENV = "STELE_LAYOUTS_DIR"


def layout_candidates() -> list[Path]:
    """$STELE_LAYOUTS_DIR, the source checkout, ``<sys.prefix>/share/stele/layouts``,
    ``/usr/share/stele/layouts``: in this order."""
    found: list[Path] = []
    if os.environ.get(LAYOUTS_ENV):
        found.append(Path(os.environ[LAYOUTS_ENV]))
    found.append(Path(__file__).resolve().parents[1] / "layouts")  # source checkout
    found.append(Path(sys.prefix) / "share" / "stele" / "layouts")  # pip/venv install
    found.append(Path("/usr/share/stele/layouts"))  # device image
    return found


def find_layouts() -> Path | None:
    """The first candidate holding the `Stele` QML module (``<dir>/Stele/qmldir``), or None."""
    return next((p for p in layout_candidates() if (p / MODULE / "qmldir").is_file()), None)
