"""The one comparison (reports/stats.py): Hodges–Lehmann ratio with its exact Mann–Whitney interval."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import mannwhitneyu

from reports import stats
from reports.stats import MIN_REPEATS, compare, hodges_lehmann

A = [1.0, 1.01, 0.99, 1.02, 0.98, 1.0]


def scaled(xs, f):
    return [x * f for x in xs]


# --- compare: small n, overlap, equivalence ---------------------------------------------

def test_compare_below_min_repeats_is_undecided_and_says_why():
    c = compare([1.0, 1.01, 0.99, 1.0], [2.0, 2.02, 1.98, 2.0])
    assert MIN_REPEATS == 5
    assert c.outcome == "undecided"
    assert (c.n_a, c.n_b) == (4, 4)
    assert c.lo is None and c.hi is None
    assert c.ratio == pytest.approx(2.0)  # the estimate is still shown
    assert "A has 4 ok repeat(s), needs 5" in c.reason and "B has 4" in c.reason


def test_compare_at_min_repeats_decides_when_clearly_apart():
    a, b = [1.0, 1.01, 0.99, 1.0, 1.02], [2.0, 2.02, 1.98, 2.0, 2.01]
    c = compare(a, b)
    assert c.outcome == "faster"
    assert 1.9 < c.lo <= c.ratio <= c.hi < 2.1
    assert compare(b, a).outcome == "slower"
    assert compare(b, a).ratio == pytest.approx(1 / c.ratio)


def test_compare_one_short_side_is_enough_to_stay_undecided():
    c = compare(A, [2.0] * 4)
    assert c.outcome == "undecided" and "B has 4" in c.reason and "A has" not in c.reason


def test_compare_overlapping_samples_are_undecided():
    a = scaled(np.linspace(0.8, 1.2, 6), 1.0)
    b = scaled(np.linspace(0.8, 1.2, 6), 1.05)
    c = compare(a, b)
    assert c.outcome == "undecided"
    assert c.lo < 1 < c.hi and "spans" in c.reason


def test_compare_equivalent_when_interval_within_margin():
    c = compare(A, scaled(A, 1.03))
    assert c.outcome == "equivalent"
    assert 1 / 1.1 <= c.lo and c.hi <= 1.1
    assert "within ±10%" in c.reason


def test_compare_not_equivalent_when_interval_leaves_the_margin():
    # Same medians, but a spread too wide for the interval to fit in +-10 %.
    wide = list(np.linspace(0.7, 1.3, 6))
    c = compare(wide, wide)
    assert c.outcome == "undecided"
    assert c.lo < 1 / 1.1 or c.hi > 1.1


def test_compare_small_real_gap_is_faster_not_equivalent():
    c = compare(scaled(A, 1 / 1.2), A)
    assert c.outcome == "faster" and c.lo > 1.1


def test_compare_threshold_is_tested_on_the_scaled_samples():
    # Per-run ratios 1.3, 1.65, 2.0, ...: the median ratio clears 1.6, the sample does not.
    a = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    b = [r * x for r, x in zip((1.3, 1.65, 2.0, 1.35, 1.7, 1.95), a)]
    assert np.median(b) / np.median(a) > 1.6
    c = compare(a, b, factor=1.6)
    assert c.outcome != "faster"
    assert c.outcome == "undecided"
    assert c.lo < 1.6 < c.hi
    # ... while the same samples clear a bar they are all above.
    assert compare(a, b, factor=1.2).outcome == "faster"


def test_compare_interval_is_equivariant_in_the_factor():
    b = [2.0, 2.1, 1.9, 2.05, 1.95, 2.02]
    c1, c2 = compare(A, b), compare(A, b, factor=1.5)
    assert (c2.ratio, c2.lo, c2.hi) == pytest.approx((c1.ratio, c1.lo, c1.hi))
    assert c2.outcome == "faster" and compare(A, b, factor=2.5).outcome == "slower"
    assert compare(A, b, factor=2.0).outcome == "equivalent"


def test_compare_nonpositive_times_are_undecided():
    c = compare([0.0] + A[1:], A)
    assert c.outcome == "undecided" and "non-positive" in c.reason


# --- compare: rows with failures ---------------------------------------------------------

def row(**kw):
    return {"times": list(A), "n_failed": 0, "check_ok": True, "unstable": False, "unstable_reason": "", **kw}


@pytest.mark.parametrize("bad, words", [
    ({"n_failed": 1}, "1 failed or mismatched repeat(s)"),
    ({"n_failed": 2}, "2 failed or mismatched repeat(s)"),
    ({"check_ok": False}, "disagreed with the sync reference"),
    ({"unstable": True, "unstable_reason": "spread 45% of median > 30%"}, "unstable: spread 45% of median"),
])
def test_compare_failed_mismatched_or_unstable_row_is_undecided(bad, words):
    fast = row(times=scaled(A, 0.1), **bad)
    c = compare(fast, row(), names=("threads-2", "sync"))
    assert c.outcome == "undecided"
    assert c.reason.startswith("threads-2: ") and words in c.reason
    assert c.lo is None
    # the same row without its defect decides
    assert compare(row(times=scaled(A, 0.1)), row()).outcome == "faster"


# --- Hodges–Lehmann against the exact Mann–Whitney test ----------------------------------

@pytest.mark.parametrize("n, m, seed", [(5, 5, 0), (5, 5, 1), (4, 6, 2), (5, 7, 3), (6, 6, 4), (7, 5, 5)])
def test_hodges_lehmann_interval_inverts_the_exact_test(n, m, seed):
    """Brute force: the shifts the exact two-sided test does not reject at 5 % are exactly (lo, hi)."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(0, 1, n), rng.normal(0.7, 1, m)
    est, lo, hi = hodges_lehmann(a, b)
    d = np.unique(np.subtract.outer(b, a).ravel())
    assert est == pytest.approx(np.median(np.subtract.outer(b, a)))
    probes = np.concatenate([[d[0] - 1], (d[:-1] + d[1:]) / 2, [d[-1] + 1]])
    for delta in probes:
        p = mannwhitneyu(b - delta, a, alternative="two-sided", method="exact").pvalue
        assert (p > 0.05) == (lo < delta < hi), (delta, p, lo, hi)
    assert lo in d and hi in d  # endpoints are pairwise differences


def test_hodges_lehmann_too_small_for_any_interval():
    est, lo, hi = hodges_lehmann([1.0, 2.0, 3.0], [4.0, 5.0, 6.0])
    assert est == 3.0 and (lo, hi) == (-math.inf, math.inf)


def test_hodges_lehmann_covers_the_true_shift_by_simulation():
    rng = np.random.default_rng(11)
    hits = 0
    for _ in range(2000):
        a, b = rng.standard_t(3, 5), rng.standard_t(3, 6) + 0.5
        _, lo, hi = hodges_lehmann(a, b)
        hits += lo <= 0.5 <= hi
    assert hits / 2000 >= 0.95


def test_hodges_lehmann_normal_approximation_for_large_samples():
    # Beyond 3600 pairs the critical value comes from the normal approximation: still about 95 %.
    rng = np.random.default_rng(3)
    hits = 0
    for _ in range(200):
        a, b = rng.normal(0, 1, 61), rng.normal(1, 1, 61)
        _, lo, hi = hodges_lehmann(a, b)
        hits += lo <= 1 <= hi
    assert 0.9 <= hits / 200 <= 1.0


# --- calibration by simulation -----------------------------------------------------------

@pytest.mark.parametrize("n", [5, 6, 10])
def test_simulated_aa_false_difference_rate_is_at_most_5_percent(n):
    rng = np.random.default_rng(2024 + n)
    outcomes = [compare(rng.lognormal(0, 0.08, n), rng.lognormal(0, 0.08, n)).outcome for _ in range(1000)]
    false = sum(o in ("faster", "slower") for o in outcomes) / len(outcomes)
    assert false <= 0.05
    assert "equivalent" in outcomes  # the A/A pairs are not all left undecided


def test_simulated_true_twofold_difference_is_detected_at_n5():
    rng = np.random.default_rng(7)
    outcomes = [compare(rng.lognormal(0, 0.25, 5), rng.lognormal(math.log(2), 0.25, 5)).outcome
                for _ in range(500)]
    assert sum(o == "faster" for o in outcomes) / 500 >= 0.8
    assert "slower" not in outcomes


# --- describe_times, open_questions -------------------------------------------------------

def test_open_questions_until_every_comparison_decides():
    few = {"sync": [1.0] * 3, "threads-2": [0.5] * 3}
    assert stats.open_questions(few) == ["threads-2 vs sync", "sync median: too few repeats",
                                         "threads-2 median: too few repeats"]
    enough = {"sync": A, "threads-2": scaled(A, 0.5)}
    assert stats.open_questions(enough) == []
    wide = {"sync": list(np.linspace(0.85, 1.15, 6)), "threads-2": list(np.linspace(0.425, 0.575, 6))}
    # clearly faster, but neither median known to ±5 %: more rounds wanted
    assert stats.open_questions(wide) == ["sync median ±15%", "threads-2 median ±15%"]
    assert stats.open_questions(wide, factors=(1.0, 2.0))[0] == "threads-2 vs sync at 2×"  # ... not clearly 2x
    assert stats.open_questions({**few, "processes-2": [0.5] * 3}, failed={"threads-2": 1, "processes-2": 1}) == []


# --- table and derive --------------------------------------------------------------------

# --- controls ------------------------------------------------------------------------------

