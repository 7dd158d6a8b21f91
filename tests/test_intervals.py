"""The intervals and the sequential looks (reports/intervals.py): exact where they claim to be, and checked so."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import mannwhitneyu, t as student

from reports import intervals
from reports.intervals import Looks, hodges_lehmann, median_interval_width, paired_t


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


# --- the paired trimmed t -------------------------------------------------------------------

def test_paired_t_without_trim_is_students_interval():
    d = [0.1, 0.2, 0.15, 0.12, 0.18, 0.11, 0.16]
    m, lo, hi = paired_t(d, 0.95)
    se = np.std(d, ddof=1) / math.sqrt(len(d))
    q = student.isf(0.025, len(d) - 1) * se
    assert (m, lo, hi) == pytest.approx((np.mean(d), np.mean(d) - q, np.mean(d) + q))


def test_paired_t_trims_a_tenth_from_each_end_from_ten_values():
    d = [0.1, 0.11, 0.09, 0.1, 0.12, 0.1, 0.08, 0.1, 0.11, 0.9]  # one disturbed round
    m, lo, hi = paired_t(d, 0.95)
    kept = sorted(d)[1:-1]
    assert m == pytest.approx(np.mean(kept))
    assert hi < 0.2  # the 0.9 does not drag the interval: it is winsorised, not averaged
    untrimmed = paired_t(d, 0.95, trim=0.0)
    assert untrimmed[2] - untrimmed[1] > 3 * (hi - lo)


def test_paired_t_is_infinite_below_two_values_and_order_free():
    assert paired_t([0.3])[1:] == (-math.inf, math.inf)
    assert math.isnan(paired_t([])[0])
    rng = np.random.default_rng(5)
    d = list(rng.normal(0, 0.1, 14))
    assert paired_t(d) == pytest.approx(paired_t(list(reversed(d))))


def test_paired_t_covers_the_true_shift_by_simulation():
    rng = np.random.default_rng(17)
    hits = sum(lo <= 0.2 <= hi for _, lo, hi in (paired_t(rng.normal(0.2, 0.1, 12), 0.95) for _ in range(2000)))
    assert 0.93 <= hits / 2000 <= 0.97


# --- the looks ---------------------------------------------------------------------------------

def test_looks_spend_at_most_their_alpha_over_a_sequence_of_looks():
    """Simulated A/A paired rounds looked at from 5 to 25 pairs: the share ever decided stays near 5 %."""
    for shape in (0.0, 0.25):
        lk = Looks(5, 25, shape=shape)
        rng = np.random.default_rng(2)
        draws, false = 2000, 0
        for _ in range(draws):
            d = rng.normal(0, 0.1, 25)
            for n in range(5, 26):
                _, lo, hi = paired_t(d[:n], lk.confidence(n), trim=0.0)
                if lo > 0 or hi < 0:
                    false += 1
                    break
        se = math.sqrt(0.05 * 0.95 / draws)
        assert false / draws <= 0.05 + 2 * se, shape


def test_looks_round_trip_and_refuse_below_the_first():
    lk = Looks(5, 10)
    assert lk.shape == 0.25 and lk.confidence(4) == 0.0 and lk.confidence(5) > lk.confidence(10) > 0.95
    assert Looks.of(lk.as_dict()) == lk and Looks.of(None) is None
    flat = Looks(5, 10, shape=0.0)
    assert flat.shape == 0.0 and flat.confidence(5) == pytest.approx(flat.confidence(10)) and flat.confidence(5) > 0.95
    assert Looks.of(flat.as_dict()) == flat


def test_a_design_stored_before_it_named_its_shape_keeps_the_shape_it_was_run_with():
    old = Looks.of({"first": 5, "last": 25, "alpha": 0.05, "tail": 0.02})
    assert old.shape == 0.25 and round(old.confidence(5), 3) == 0.999
    assert Looks.of({**old.as_dict(), "shape": 0.0}).shape == 0.0


def test_the_flat_boundary_is_wider_than_fixed_n_and_narrower_early_than_the_old_shape():
    """What the change of shape buys where the loops stop (6 pairs) and what it costs at the cap (25)."""
    flat, old = Looks(5, 25, shape=0.0), Looks(5, 25)
    assert 0.95 < flat.confidence(6) < old.confidence(6)
    assert flat.confidence(25) > old.confidence(25) > 0.95


# --- the median's interval ---------------------------------------------------------------------

def test_median_interval_width_is_relative_and_needs_five_values():
    assert median_interval_width([1.0] * 4) is None
    assert median_interval_width([1.0] * 5) == 0.0
    w = median_interval_width([0.9, 1.0, 1.1, 1.0, 0.95, 1.05])
    assert w == pytest.approx(0.2)
    assert median_interval_width([0.9, 1.0, 1.1, 1.0, 0.95, 1.05, float("nan")]) == pytest.approx(w)
