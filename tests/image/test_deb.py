"""The .deb installs into a clean Debian trixie root and runs there (image-build/test-deb)."""

from __future__ import annotations

import subprocess

import pytest

from tests.image.tools import IMAGE_BUILD, need

pytestmark = [pytest.mark.image, pytest.mark.slow]

EXPECTED = [
    "stele --version",
    "every module imports",
    "stele config check (/boot/firmware/stele.toml)",
    "invalid file refused",
    "layouts installed",
    "QML loads offscreen on trixie's Qt",
    "user stele (sysusers)",
    "stele.service enabled",
    "unit file valid",
]


def test_deb_installs_and_runs_in_clean_trixie_root() -> None:
    need("mmdebstrap", "dpkg-deb")
    res = subprocess.run(
        [str(IMAGE_BUILD / "test-deb")], capture_output=True, text=True, timeout=900, check=False
    )
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith(("ok ", "FAIL "))]
    assert res.returncode == 0, res.stdout + res.stderr[-3000:]
    passed = {ln[5:].split(":", 1)[0] for ln in lines if ln.startswith("ok ")}
    assert passed == set(EXPECTED), lines
    assert "stele 0.1.0" in res.stdout
