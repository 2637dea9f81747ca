"""Everything the kiosk needs that is not Qt, for `stele run` to import before Qt.

PySide6 checks every module imported after it for its `__feature__` switches by reading the
module's source (`inspect.getsource`), which also stays in `linecache` for good. For the
kiosk's ~400 other modules (pydantic, paho, the domain ...) that cost some 6 MB resident and
a good part of a second's imports on a cold start (tests/bench/cold_start.py). Imported
first, they are never looked at. tests/ui/test_startup_imports.py checks that this list
leaves nothing outside stele.ui for the kiosk to import after Qt.
"""

from __future__ import annotations

import gc
import importlib

MODULES = (
    "ctypes",  # stele.ui.malloc
    "queue",  # stele.ui.pdf_raster
    "segno",  # stele.ui.qr
    "stele.adapters.clock_file",
    "stele.adapters.content_sync",
    "stele.adapters.display",
    "stele.adapters.journal",
    "stele.adapters.mqtt",
    "stele.adapters.playlog",
    "stele.adapters.sdnotify",
    "stele.adapters.state_saver",
    "stele.config",
    "stele.config.themes",
    "stele.domain.book",
    "stele.domain.clock",
    "stele.domain.decide",
    "stele.domain.livedata",
    "stele.domain.playlist",
    "stele.domain.presentation",
    "stele.domain.screen",
    "stele.layouts",
)


def import_kiosk_modules() -> None:
    """Import MODULES, before anything imports PySide6. The ~300k objects they make live as
    long as the process: the cyclic collector is held off while they load (it would walk
    them ~100 times meanwhile) and then leaves them alone for good (gc.freeze)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        for name in MODULES:
            importlib.import_module(name)
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
