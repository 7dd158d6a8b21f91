"""The one comparison (reports/stats.py): paired trimmed t by round, else Hodges–Lehmann with its exact
Mann–Whitney interval; one-sided outcomes against a bar, equivalence only when a margin is asked."""
from __future__ import annotations

import math

import numpy as np
import pytest

from reports import stats
from reports import intervals
from reports.stats import MIN_REPEATS, compare

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
    assert c.outcome == "above" and c.method == "unpaired"
    assert 1.9 < c.lo <= c.ratio <= c.hi < 2.1
    assert compare(b, a).outcome == "below"
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
    c = compare(A, scaled(A, 1.03), margin=1.1)
    assert c.outcome == "equivalent"
    assert 1 / 1.1 <= c.lo and c.hi <= 1.1
    assert "within ±10%" in c.reason


def test_compare_answers_equivalent_only_when_a_margin_is_asked():
    # The same samples without a margin: a one-sided question, never "equivalent".
    c = compare(A, scaled(A, 1.03))
    assert c.outcome in ("above", "below", "undecided") and c.outcome != "equivalent"
    assert compare(A, scaled(A, 1.0)).outcome == "undecided"


def test_compare_not_equivalent_when_interval_wholly_outside_the_band():
    c = compare(scaled(A, 1 / 1.2), A, margin=1.1)
    assert c.outcome == "not equivalent" and c.lo > 1.1
    assert "outside ±10%" in c.reason


def test_compare_not_equivalent_when_interval_leaves_the_margin():
    # Same medians, but a spread too wide for the interval to fit in +-10 %.
    wide = list(np.linspace(0.7, 1.3, 6))
    c = compare(wide, wide, margin=1.1)
    assert c.outcome == "undecided" and "neither within nor outside" in c.reason
    assert c.lo < 1 / 1.1 or c.hi > 1.1


def test_compare_small_real_gap_is_above_not_equivalent():
    c = compare(scaled(A, 1 / 1.2), A)
    assert c.outcome == "above" and c.lo > 1.1


def test_compare_threshold_is_tested_on_the_scaled_samples():
    # Per-run ratios 1.3, 1.65, 2.0, ...: the median ratio clears 1.6, the sample does not.
    a = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    b = [r * x for r, x in zip((1.3, 1.65, 2.0, 1.35, 1.7, 1.95), a)]
    assert np.median(b) / np.median(a) > 1.6
    c = compare(a, b, factor=1.6)
    assert c.outcome != "above"
    assert c.outcome == "undecided"
    assert c.lo < 1.6 < c.hi
    # ... while the same samples clear a bar they are all above.
    assert compare(a, b, factor=1.2).outcome == "above"


def test_compare_interval_is_equivariant_in_the_factor():
    b = [2.0, 2.1, 1.9, 2.05, 1.95, 2.02]
    c1, c2 = compare(A, b), compare(A, b, factor=1.5)
    assert (c2.ratio, c2.lo, c2.hi) == pytest.approx((c1.ratio, c1.lo, c1.hi))
    assert c2.outcome == "above" and compare(A, b, factor=2.5).outcome == "below"
    assert compare(A, b, factor=2.0).outcome == "undecided"
    assert compare(A, b, factor=2.0, margin=1.1).outcome == "equivalent"


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
    assert compare(row(times=scaled(A, 0.1)), row()).outcome == "above"


# --- calibration by simulation -----------------------------------------------------------

@pytest.mark.parametrize("n", [5, 6, 10])
def test_simulated_aa_false_difference_rate_is_at_most_5_percent(n):
    rng = np.random.default_rng(2024 + n)
    pairs = [(rng.lognormal(0, 0.08, n), rng.lognormal(0, 0.08, n)) for _ in range(1000)]
    outcomes = [compare(a, b).outcome for a, b in pairs]
    false = sum(o in ("above", "below") for o in outcomes) / len(outcomes)
    assert false <= 0.05
    # asked as an equivalence question, the A/A pairs are not all left undecided
    assert "equivalent" in [compare(a, b, margin=1.1).outcome for a, b in pairs[:200]]


def test_simulated_true_twofold_difference_is_detected_at_n5():
    rng = np.random.default_rng(7)
    outcomes = [compare(rng.lognormal(0, 0.25, 5), rng.lognormal(math.log(2), 0.25, 5)).outcome
                for _ in range(500)]
    assert sum(o == "above" for o in outcomes) / 500 >= 0.8
    assert "below" not in outcomes


def test_dead_helpers_are_gone():
    assert not hasattr(stats, "signed_rank_hl") and not hasattr(stats, "open_questions")
    assert not hasattr(stats, "resample_table")


# --- table and derive --------------------------------------------------------------------

# --- controls ------------------------------------------------------------------------------

# --- paired by round ---------------------------------------------------------------------------

def _drifting(rng, n, ratio, drift=0.15, sd=0.1):
    """One run's two sides: each round shifts both by a shared drift (log sd *drift*), each repeat its own noise."""
    d = rng.normal(0, drift, n)
    a = np.exp(d + rng.normal(0, sd, n))
    b = ratio * np.exp(d + rng.normal(0, sd, n))
    keys = [f"0:w:{i}" for i in range(n)]
    return {"times": list(a), "keys": keys}, {"times": list(b), "keys": keys}


def test_paired_comparison_detects_a_real_difference_under_shared_drift_more_often():
    rng = np.random.default_rng(20260101)
    paired = unpaired = 0
    draws = 400
    for _ in range(draws):
        a, b = _drifting(rng, 10, 1.15)
        cp, cu = compare(a, b), compare(a["times"], b["times"])
        assert cp.method == "paired" and cp.pairs == 10 and cu.method == "unpaired"
        paired += cp.outcome == "above"
        unpaired += cu.outcome == "above"
        assert cp.outcome != "below" or cu.outcome != "above"
    assert paired / draws >= 0.6  # the drift cancels within each round
    assert paired >= 1.5 * unpaired, (paired, unpaired)


def test_paired_comparison_a_a_false_difference_rate_is_nominal():
    rng = np.random.default_rng(7)
    draws = 2000
    false = sum(compare(*_drifting(rng, 10, 1.0)).outcome in ("above", "below") for _ in range(draws))
    se = math.sqrt(0.05 * 0.95 / draws)
    assert false / draws <= 0.05 + 2 * se, false / draws


def test_paired_interval_is_the_trimmed_t_of_the_per_round_log_ratios():
    rng = np.random.default_rng(3)
    a, b = _drifting(rng, 12, 1.3)
    c = compare(a, b)
    d = np.log(b["times"]) - np.log(a["times"])
    est, lo, hi = intervals.paired_t(d)
    assert c.method == "paired" and c.pairs == 12
    assert (c.ratio, c.lo, c.hi) == pytest.approx((math.exp(est), math.exp(lo), math.exp(hi)))
    # pairs follow the keys, not the order of the repeats
    order = rng.permutation(12)
    shuffled = {"times": [b["times"][i] for i in order], "keys": [b["keys"][i] for i in order]}
    again = compare(a, shuffled)
    assert again.method == "paired" and (again.ratio, again.lo, again.hi) == pytest.approx((c.ratio, c.lo, c.hi))


def test_paired_by_the_rounds_both_sides_ran_in():
    a = {"times": [1.0, 1.1, 0.9, 1.05, 0.95, 1.0, 2.0], "keys": ["0:0", "0:1", "0:2", "0:3", "0:4", "0:5", "0:9"]}
    b = {"times": [t * 1.5 for t in a["times"][:6]] + [0.5], "keys": a["keys"][:6] + ["0:8"]}
    c = compare(a, b)
    assert c.method == "paired" and c.pairs == 6 and (c.n_a, c.n_b) == (7, 7)
    assert c.ratio == pytest.approx(1.5) and c.outcome == "above"  # the unshared rounds 8 and 9 play no part


@pytest.mark.parametrize("keys_b, why", [
    (None, "no keys on one side"),
    (["0:0", "0:1", "0:2", "0:3", "1:0", "1:1"], "4 shared rounds"),
    (["0:0", "0:1"], "keys that do not match the times"),
])
def test_unpaired_fallback_without_five_shared_rounds(keys_b, why):
    keys_a = ["0:0", "0:1", "0:2", "0:3", "0:4", "0:5"]
    a = {"times": A, "keys": keys_a}
    b = {"times": scaled(A, 2.0), "keys": keys_b}
    c = compare(a, b)
    assert c.method == "unpaired", why
    assert c.outcome == "above" and c.ratio == pytest.approx(2.0, rel=0.02)
    assert c.pairs < stats.MIN_REPEATS


def test_paired_can_be_turned_off():
    keys = [f"0:{i}" for i in range(6)]
    c = compare({"times": A, "keys": keys}, {"times": scaled(A, 2.0), "keys": keys}, paired=False)
    assert c.method == "unpaired" and c.pairs == 0


# --- one-sided outcomes, equivalence, the sequential level -----------------------------------------

def test_equivalent_never_hides_a_cleared_bar():
    f = np.linspace(0.98, 1.02, 8)
    a, b = list(f), list(1.26 * f[::-1])
    c = compare(a, b, factor=1.2)
    assert c.outcome == "above"
    assert 1.23 < c.lo < 1.24 and 1.28 < c.hi < 1.29 and c.ratio == pytest.approx(1.26)
    # the same interval lies within a +-10 % band of 1.2: an equivalence question would say so -- which is why a
    # one-sided question (a rule's bar) never passes a margin
    assert compare(a, b, factor=1.2, margin=1.1).outcome == "equivalent"
    from reports.claims.questions import answer, ask

    assert answer(ask("C1", "threads-2", "sync", 1.2), a, b) == 1
    with pytest.raises(TypeError):
        ask("C1", "threads-2", "sync", 1.2, 1.1)  # no margin argument any more


def test_outcomes_are_the_documented_words():
    seen = {compare(A, scaled(A, f), margin=m).outcome for f in (0.5, 1.0, 2.0) for m in (None, 1.1)}
    seen |= {compare(A, scaled(A, 1.0), margin=1.1).outcome, compare(A[:3], A[:3]).outcome}
    assert seen <= set(stats.OUTCOMES) and {"above", "below", "equivalent", "not equivalent", "undecided"} == seen


def test_looks_set_a_stricter_level_per_look():
    lk = intervals.Looks(5, 25)
    levels = [lk.confidence(n) for n in range(5, 30)]
    assert lk.confidence(4) == 0.0
    assert all(x > 0.95 for x in levels)
    assert levels[:21] == sorted(levels[:21], reverse=True)  # strictest at the first look
    assert intervals.Looks.of(lk.as_dict()) == lk and intervals.Looks.of([5, 25]) == lk and intervals.Looks.of(None) is None
    keys = [f"0:{i}" for i in range(6)]
    a, b = {"times": A, "keys": keys}, {"times": scaled(A, 1.05), "keys": keys, "looks": lk.as_dict()}
    c = compare(a, b)  # the looks of a row set the level
    assert c.confidence == pytest.approx(lk.confidence(6)) and c.ci.startswith(stats._level(c.confidence))
    assert compare(A, scaled(A, 1.05)).confidence == stats.CONFIDENCE  # none: fixed n, 95 %
    assert compare(a, b, looks=intervals.Looks(5, 10)).confidence == pytest.approx(intervals.Looks(5, 10).confidence(6))


def test_family_divides_the_error_rate():
    c1, c3 = compare(A, scaled(A, 1.05)), compare(A, scaled(A, 1.05), family=3)
    assert 1 - c3.confidence == pytest.approx((1 - c1.confidence) / 3)
    assert c3.lo <= c1.lo and c3.hi >= c1.hi


@pytest.mark.parametrize("bad, words", [
    ({"missing": "no ok repeat (error: boom)"}, "no ok repeat (error: boom)"),
    ({"n_failed": 3, "times": []}, "3 failed or mismatched repeat(s)"),
])
def test_missing_or_failed_row_is_undecided_with_its_reason(bad, words):
    c = compare(row(**bad), row(), names=("threads-2", "sync"))
    assert c.outcome == "undecided" and c.lo is None and c.reason.startswith("threads-2: " + words)


def test_words_follow_the_outcome():
    assert compare(scaled(A, 2.0), A).words("threads-2", "sync").startswith("threads-2 2× slower than sync (95 % CI")
    assert "undecided against 1×" in compare(A, scaled(A, 1.0)).words()
    assert compare(A, scaled(A, 1.5), margin=1.1).words().startswith("A and B not equivalent")
    d = compare(A, scaled(A, 2.0)).as_dict()
    assert d["method"] == "unpaired" and d["pairs"] == 0 and d["confidence"] == 0.95 and d["outcome"] == "above"
