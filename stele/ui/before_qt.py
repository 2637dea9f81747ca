"""Everything the kiosk needs that is not Qt, for `stele run` to import before Qt.

PySide6 checks every module imported after it for its `__feature__` switches by reading the
module's source (`inspect.getsource`), which also stays in `linecache` for good. For the
kiosk's ~400 other modules (pydantic, paho, the domain ...) that cost some 6 MB resident and
a good part of a second's imports on a cold start (tests/bench/cold_start.py). Imported
first, they are never looked at. tests/ui/test_startup_imports.py checks that this list
leaves nothing outside stele.ui for the kiosk to import after Qt.
"""

from __future__ import annotations

import ctypes  # noqa: F401  (stele.ui.malloc)
import queue  # noqa: F401  (stele.ui.pdf_raster)

import segno  # noqa: F401  (stele.ui.qr)

import stele.adapters.content_sync
import stele.adapters.display
import stele.adapters.journal
import stele.adapters.mqtt
import stele.adapters.playlog
import stele.adapters.sdnotify
import stele.adapters.state_saver
import stele.config
import stele.config.themes
import stele.domain.book
import stele.domain.decide
import stele.domain.livedata
import stele.domain.playlist
import stele.domain.presentation
import stele.domain.screen
import stele.layouts  # noqa: F401
