"""glibc's allocator, set for a process that decodes pictures all day long.

glibc serves a block of at least M_MMAP_THRESHOLD bytes with an mmap of its own and gives it
back to the system when it is freed. The threshold starts at 128 KiB, but each time such a
block is freed glibc *raises* it to that block's size (up to 32 MiB): after the first
decoded picture was freed, the next ones came from the heap arenas, which are only given
back from their top, and an arena of the picture loader's thread held on to some 15-25 MB
that nothing used any more (tests/bench/soak.py: RSS swinging 171-190 MB instead of flat).
Setting the threshold (4 MiB) also turns the raising off, so the big picture buffers are
mmapped and go back when their slide goes. MALLOC_ARENA_MAX=2 was tried and did not help:
the same memory stayed in the main heap instead of the thread's arena.

Setting it also fixes the trim threshold at its 128 KiB default: the heap's free top was
then handed back after every alert's parse and faulted in again by the next (the 400 KB
DWD sample parsed ~1-2 ms slower, tests/bench/cap_parse.py; a 1 MiB mmap threshold cost
it ~0.5 ms more). It is set to 32 MiB, and the soak's memory is the same with both.
"""

from __future__ import annotations

import ctypes
import logging
import os
from collections.abc import Mapping

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1  # glibc's malloc.h
M_MMAP_THRESHOLD = -3
THRESHOLD = 4 << 20  # a full-HD picture decodes into 8 MB first; an alert's parse stays below
TRIM = 32 << 20


def return_big_blocks(environ: Mapping[str, str] | None = None) -> bool:
    """Have blocks of 4 MiB and more mmapped, and given back when freed (and the heap's top
    kept up to 32 MiB). False where the C library has no mallopt (not glibc) or the
    environment sets either threshold itself."""
    env = os.environ if environ is None else environ
    tunables = env.get("GLIBC_TUNABLES", "")
    if any(
        f"MALLOC_{n}_THRESHOLD_" in env or f"malloc.{n.lower()}_threshold" in tunables
        for n in ("MMAP", "TRIM")
    ):
        return False  # set by whoever started us: theirs win
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    if mallopt(M_MMAP_THRESHOLD, THRESHOLD) != 1 or mallopt(M_TRIM_THRESHOLD, TRIM) != 1:
        log.warning("mallopt refused the mmap or trim threshold")
        return False
    return True
