"""When to stop measuring (reports/stopping.py): what a recommendation still needs, and which specs are hopeless."""
from __future__ import annotations

import math

import numpy as np

from reports import stats, stopping

A = [1.0, 1.01, 0.99, 1.02, 0.98, 1.0]


def scaled(xs, f):
    return [x * f for x in xs]


def test_pending_until_every_comparison_decides():
    few = {"sync": [1.0] * 3, "threads-2": [0.5] * 3}
    assert [o.text for o in stopping.pending(few)] == ["threads-2 vs sync", "sync median: too few repeats",
                                                    "threads-2 median: too few repeats"]
    assert not any(o.claim for o in stopping.pending(few))
    enough = {"sync": A, "threads-2": scaled(A, 0.5)}
    assert stopping.pending(enough) == []
    wide = {"sync": list(np.linspace(0.7, 1.3, 6)), "threads-2": list(np.linspace(0.35, 0.65, 6))}
    # clearly faster, but neither median known to ±PRECISION (10 %): more rounds wanted
    assert stats.PRECISION == 0.10
    assert [o.text for o in stopping.pending(wide)] == ["sync median ±30%", "threads-2 median ±30%"]
    first = stopping.pending(wide, factors=(1.0, 2.0))[0]
    assert first.text == "threads-2 vs sync at 2×" and first.specs == ("threads-2", "sync")  # ... not clearly 2x
    assert stopping.pending({**few, "processes-2": [0.5] * 3}, failed={"threads-2": 1, "processes-2": 1}) == []


def test_far_slower_drops_only_what_is_shown_more_than_twice_as_slow_and_not_protected():
    s = {"sync": [0.50, 0.52], "threads-2": [0.9, 0.95], "processes-2": [5.1, 5.4]}
    assert list(stopping.far_slower(s)) == ["processes-2"]  # 1.8x is not shown beyond 2x
    assert stopping.far_slower(s, protected=["processes-2"]) == {}
    assert stopping.far_slower(s, rounds=1) == {} and stopping.far_slower(s, rounds=5) == {}  # only rounds 2..4
    assert stopping.far_slower({"sync": [0.5], "processes-2": [5.0]}, rounds=2) == {}  # one repeat each: no spread known


def test_far_slower_keeps_its_error_rate_for_a_spec_exactly_twice_as_slow():
    """Simulated: lognormal noise (sd 0.15) on a spec truly 2x slower than the best, looks at rounds 2..4."""
    rng = np.random.default_rng(5)
    wrong, draws = 0, 4000
    for _ in range(draws):
        a = list(np.exp(rng.normal(0.0, 0.15, 4)))
        b = list(2.0 * np.exp(rng.normal(0.0, 0.15, 4)))
        c = list(1.1 * np.exp(rng.normal(0.0, 0.15, 4)))
        wrong += any(stopping.far_slower({"sync": a[:r], "threads-2": c[:r], "processes-2": b[:r]}, rounds=r)
                     for r in (2, 3, 4))
    assert wrong / draws <= stopping.DROP_ALPHA + 2 * math.sqrt(stopping.DROP_ALPHA / draws)
