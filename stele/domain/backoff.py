"""Reconnect delays: exponential backoff with "full jitter".

Why full jitter (delay uniform in [0, min(max, min * 2**attempt)]) rather than
"equal jitter" ([cap/2, cap]): after a broker restart every stele of a city
drops at the same instant, and the aim is to spread their reconnects as thinly
as possible. Full jitter spreads them over the whole window, equal jitter over
half of it (twice the peak rate at the broker). The expected delay still
doubles per attempt, so a broker that stays down is not hammered. Each device
draws from its own generator (seeded from its id), so the spread does not
depend on anything the fleet shares, such as the boot time.
"""

from __future__ import annotations

import hashlib
import random

# 2**32 * min_s exceeds any sane max_s; capping the exponent avoids float overflow.
_MAX_EXPONENT = 32


def backoff_cap(attempt: int, min_s: float, max_s: float) -> float:
    """The upper end of the jitter window for this attempt (0-based)."""
    exponent = min(max(attempt, 0), _MAX_EXPONENT)
    return min(max_s, min_s * (2**exponent))


def backoff_delay(attempt: int, min_s: float, max_s: float, rng: random.Random) -> float:
    """Seconds to wait before reconnect attempt number `attempt` (0 = first retry)."""
    if min_s <= 0 or max_s < min_s:
        raise ValueError(f"expected 0 < min_s <= max_s, got min_s={min_s} max_s={max_s}")
    return rng.uniform(0.0, backoff_cap(attempt, min_s, max_s))


def device_rng(device_id: str) -> random.Random:
    """A generator seeded from the device id: different per stele, stable across restarts."""
    digest = hashlib.sha256(f"stele-backoff:{device_id}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))
