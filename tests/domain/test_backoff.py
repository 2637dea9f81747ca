"""backoff_delay: full jitter under an exponential cap; per-device generators."""

from __future__ import annotations

import random
import statistics

import pytest

from stele.domain.backoff import backoff_cap, backoff_delay, device_rng


def test_cap_doubles_from_min_and_stops_at_max() -> None:
    caps = [backoff_cap(n, 1.0, 60.0) for n in range(9)]
    assert caps == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    assert backoff_cap(10_000, 1.0, 60.0) == 60.0  # no overflow on a long outage
    assert backoff_cap(-3, 1.0, 60.0) == 1.0


@pytest.mark.parametrize("attempt", [0, 1, 3, 8])
def test_full_jitter_is_uniform_over_the_window(attempt: int) -> None:
    rng = random.Random(attempt)
    cap = backoff_cap(attempt, 1.0, 30.0)
    draws = [backoff_delay(attempt, 1.0, 30.0, rng) for _ in range(4000)]
    assert all(0.0 <= d <= cap for d in draws)
    assert statistics.fmean(draws) == pytest.approx(cap / 2, rel=0.05)
    # Both ends of the window are used: that is what spreads a fleet.
    assert min(draws) < 0.05 * cap and max(draws) > 0.95 * cap
    deciles = [sum(1 for d in draws if k * cap / 10 <= d < (k + 1) * cap / 10) for k in range(10)]
    assert all(300 < n < 500 for n in deciles), deciles


def test_a_fleet_spreads_its_first_retry_over_the_window() -> None:
    # 1000 steles drop at the same instant (broker restart): first retries per 100 ms bucket.
    firsts = [backoff_delay(0, 1.0, 60.0, device_rng(f"st-{n:04d}")) for n in range(1000)]
    buckets = [sum(1 for d in firsts if k / 10 <= d < (k + 1) / 10) for k in range(10)]
    assert all(60 < n < 140 for n in buckets), buckets
    assert len({round(d, 6) for d in firsts}) == 1000


def test_device_rng_is_stable_per_device_and_differs_between_devices() -> None:
    assert device_rng("st-a").random() == device_rng("st-a").random()
    assert device_rng("st-a").random() != device_rng("st-b").random()


def test_rejects_a_nonsense_window() -> None:
    with pytest.raises(ValueError):
        backoff_delay(0, 0.0, 1.0, random.Random(1))
    with pytest.raises(ValueError):
        backoff_delay(0, 2.0, 1.0, random.Random(1))
