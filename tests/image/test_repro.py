"""The device image is reproducible: two builds of qemu-amd64 from the same checkout and the
same packages are the same bytes (image-build/repro-image, ./dev image-repro).

Two full builds (7-9 min here with the apt cache): marked image_long, so not in
`./dev image-test` (CI); run it with `./dev image-test-long`.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.image.tools import IMAGE_BUILD, need

pytestmark = [pytest.mark.image, pytest.mark.image_long, pytest.mark.slow]


def test_two_builds_of_qemu_amd64_are_byte_identical() -> None:
    need("mmdebstrap", "genimage", "mcopy", "sfdisk", "debugfs")
    res = subprocess.run(
        [str(IMAGE_BUILD / "repro-image"), "qemu-amd64"],
        capture_output=True, text=True, timeout=3600, check=False,
    )  # fmt: skip
    sums = re.findall(r"^build ([12]): ([0-9a-f]{64})  (\d+) s$", res.stdout, re.M)
    print(res.stdout)  # the two sums and times: pytest -s shows them
    assert [n for n, _, _ in sums] == ["1", "2"], res.stdout + res.stderr[-3000:]
    assert "INCONCLUSIVE" not in res.stdout, res.stdout  # the archive moved: run it again
    assert sums[0][1] == sums[1][1], res.stdout
    assert res.returncode == 0 and "IDENTICAL" in res.stdout, res.stdout + res.stderr[-3000:]
