"""glibc's allocator, set for a process that decodes pictures all day long.

glibc serves a block of at least M_MMAP_THRESHOLD bytes with an mmap of its own and gives it
back to the system when it is freed. The threshold starts at 128 KiB, but each time such a
block is freed glibc *raises* it to that block's size (up to 32 MiB): after the first
decoded picture was freed, the next ones came from the heap arenas, which are only given
back from their top, and an arena of the picture loader's thread held on to some 15-25 MB
that nothing used any more (tests/bench/soak.py: RSS swinging 171-190 MB instead of flat).
Setting the threshold also turns the raising off, so every picture buffer is mmapped and
goes back when its slide goes. MALLOC_ARENA_MAX=2 was tried and did not help: the same
memory stayed in the main heap instead of the thread's arena.
"""

from __future__ import annotations

import ctypes
import logging
import os
from collections.abc import Mapping

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # glibc's malloc.h
THRESHOLD = 1 << 20  # a decoded slide is megabytes; Python objects and QML items are far smaller


def return_big_blocks(environ: Mapping[str, str] | None = None) -> bool:
    """Have blocks of 1 MiB and more mmapped, and given back when freed. False where the C
    library has no mallopt (not glibc) or the environment sets the threshold itself."""
    env = os.environ if environ is None else environ
    if "MALLOC_MMAP_THRESHOLD_" in env or "glibc.malloc.mmap_threshold" in env.get(
        "GLIBC_TUNABLES", ""
    ):
        return False  # set by whoever started us: theirs wins
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    if mallopt(M_MMAP_THRESHOLD, THRESHOLD) != 1:
        log.warning("mallopt(M_MMAP_THRESHOLD) refused")
        return False
    return True
