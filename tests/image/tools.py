"""The image tests run the real tools (mmdebstrap, genimage, QEMU): skipped where a tool is
missing, unless STELE_REQUIRE_IMAGE=1 (CI), where a missing tool fails the test instead."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IMAGE_BUILD = REPO / "image-build"


def need(*tools: str) -> None:
    missing = [t for t in tools if shutil.which(t) is None]
    if not missing:
        return
    message = "missing " + ", ".join(missing) + " (./dev image installs them)"
    if os.environ.get("STELE_REQUIRE_IMAGE") == "1":
        pytest.fail(message)
    pytest.skip(message)
