"""Shared test fixtures."""

from __future__ import annotations

import os

# Tests render offscreen whatever the shell says (./dev test sets it too); before any Qt import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator

import pytest

from tests.mosquitto import MosquittoBroker


@pytest.fixture
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MosquittoBroker]:
    """A private Mosquitto on a free 127.0.0.1 port (persistence on; restart() keeps the port)."""
    b = MosquittoBroker(workdir=tmp_path_factory.mktemp("mosquitto"))
    b.start()
    try:
        yield b
    finally:
        b.close()
