"""Files that are on disk whole or not at all: the one way stele replaces a file.

Write to a temporary file in the same directory, fsync it, rename it over the target, then
fsync the directory so the rename itself survives a power cut. A crash at any point leaves
the old bytes or the new ones, and at worst a temporary file that its owner removes at its
next start (each owner picks a prefix it recognises).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def fsync_dir(directory: Path) -> None:
    """Make the renames and unlinks in `directory` so far durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(
    path: Path, data: bytes, *, prefix: str = ".part-", suffix: str = "", sync_dir: bool = True
) -> None:
    """Replace `path` by `data`. `sync_dir=False` leaves the directory's fsync to a caller
    that renames several files before one barrier (stele/adapters/state_store.py)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if sync_dir:
        fsync_dir(path.parent)
