"""The one comparison (Hodges–Lehmann ratio, exact Mann–Whitney interval), the table and the controls."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import mannwhitneyu

from reports import stats
from reports.stats import MIN_REPEATS, compare, hodges_lehmann
from _factories import timed
from runners.records import RunRecord

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


def test_compare_rows_from_the_table_carry_their_failures():
    t = stats.table(pd.DataFrame(timed("w", {"sync": 1.0, "threads-2": 0.1}, failures={"threads-2": ["mismatch"]})))
    thr = t.set_index("scheduler").loc["threads-2"].to_dict()
    assert thr["n_failed"] == 1 and thr["check_ok"] is False
    c = compare(thr, t.set_index("scheduler").loc["sync"].to_dict())
    assert c.outcome == "undecided" and "failed or mismatched" in c.reason


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

def test_describe_times_flags_spread_and_tiny_medians():
    assert stats.describe_times([1.0, 1.5, 0.5, 1.0, 2.0])["unstable"]
    d = stats.describe_times([0.0005] * 5)
    assert d["unstable"] and "1 ms" in d["unstable_reason"]
    assert stats.describe_times([])["unstable_reason"] == "no successful repeat"


def test_open_questions_until_every_comparison_decides():
    few = {"sync": [1.0] * 3, "threads-2": [0.5] * 3}
    assert stats.open_questions(few) == ["threads-2 vs sync"]
    enough = {"sync": A, "threads-2": scaled(A, 0.5)}
    assert stats.open_questions(enough) == []
    wide = {"sync": list(np.linspace(0.85, 1.15, 6)), "threads-2": list(np.linspace(0.425, 0.575, 6))}
    assert stats.open_questions(wide) == []  # clearly faster ...
    assert stats.open_questions(wide, factors=(1.0, 2.0)) == ["threads-2 vs sync at 2×"]  # ... not clearly 2x
    assert stats.open_questions({**few, "processes-2": [0.5] * 3}, failed={"threads-2": 1, "processes-2": 1}) == []


# --- table and derive --------------------------------------------------------------------

def by_sched(t, workload="w"):
    return {r["scheduler"]: r for r in t[t["workload"] == workload].to_dict("records")}


def test_table_vs_sync_outcomes():
    specs = {"sync": 1.0, "threads-2": 0.5, "processes-2": 1.02, "distributed-2x1": 1.5}
    t = stats.table(pd.DataFrame(timed("w", specs, ntasks=100)))
    r = by_sched(t)
    assert r["threads-2"]["vs_sync"] == "faster" and r["threads-2"]["speedup"] == pytest.approx(2.0)
    assert r["threads-2"]["speedup_lo"] <= 2.0 <= r["threads-2"]["speedup_hi"]
    assert r["processes-2"]["vs_sync"] == "equivalent"
    assert r["distributed-2x1"]["vs_sync"] == "slower"
    assert pd.isna(r["sync"]["vs_sync"]) and r["sync"]["speedup"] == pytest.approx(1.0)
    assert r["sync"]["n"] == 6 and r["sync"]["median_s"] == pytest.approx(1.0)
    assert r["sync"]["per_task_us"] == pytest.approx(1e4)


def test_table_counts_failures_and_mismatches():
    rows = timed("w", {"sync": 1.0, "threads-2": 0.5}, failures={"threads-2": ["error", "mismatch"]})
    r = by_sched(stats.table(pd.DataFrame(rows)))
    thr = r["threads-2"]
    assert thr["n_failed"] == 2 and thr["n"] == 6 and thr["check_ok"] is False
    assert thr["vs_sync"] == "undecided" and "2 failed or mismatched" in thr["vs_sync_reason"]
    assert any(f.startswith("error: ValueError boom") for f in thr["failures"])
    assert any(f.startswith("mismatch") for f in thr["failures"])
    assert r["sync"]["n_failed"] == 0 and r["sync"]["check_ok"] is True


def test_table_too_few_repeats_is_undecided_vs_sync():
    r = by_sched(stats.table(pd.DataFrame(timed("w", {"sync": 1.0, "threads-2": 0.5}, n=3))))
    assert r["threads-2"]["vs_sync"] == "undecided" and "needs 5" in r["threads-2"]["vs_sync_reason"]


def test_table_does_not_count_failed_rows_a_later_session_retried():
    earlier = timed("w", {"threads-2": 0.5}, n=0, failures={"threads-2": ["error", "error"]}, session=0)
    later = timed("w", {"sync": 1.0, "threads-2": 0.5}, session=1)
    r = by_sched(stats.table(pd.DataFrame(earlier + later)))
    assert r["threads-2"]["n_failed"] == 0 and r["threads-2"]["vs_sync"] == "faster"
    # a failure in the latest session still counts
    again = timed("w", {"threads-2": 0.5}, n=0, failures={"threads-2": ["error"]}, session=1)
    r = by_sched(stats.table(pd.DataFrame(earlier + later + again)))
    assert r["threads-2"]["n_failed"] == 1 and r["threads-2"]["vs_sync"] == "undecided"


def test_table_leaves_out_skipped_schedulers_and_experiments():
    rows = timed("w", {"sync": 1.0, "threads-2": 0.5})
    skipped = [dict(r, status="skipped", wall_s=None) for r in timed("w", {"processes-2": 1.0}, n=1)]
    cells = timed("convoy", {"threads-2": 0.1}, collection="experiment")
    t = stats.table(pd.DataFrame(rows + skipped + cells))
    assert set(zip(t["workload"], t["scheduler"])) == {("w", "sync"), ("w", "threads-2")}


def test_table_leaves_out_control_rows():
    rows = timed("w", {"sync": 1.0, "threads-2": 0.5})
    ctrl = [dict(r, control="A", wall_s=100.0) for r in rows]
    r = by_sched(stats.table(pd.DataFrame(rows + ctrl)))
    assert r["sync"]["median_s"] == pytest.approx(1.0) and r["sync"]["n"] == 6


def test_derive_recomputes_after_a_change_of_times():
    t = stats.table(pd.DataFrame(timed("w", {"sync": 1.0, "threads-2": 0.5})))
    flat = list(np.linspace(0.98, 1.02, 6))
    t["times"] = [flat if s == "threads-2" else x for s, x in zip(t["scheduler"], t["times"])]
    r = by_sched(stats.derive(t))
    assert r["threads-2"]["vs_sync"] == "equivalent" and r["threads-2"]["median_s"] == pytest.approx(1.0)


def test_resample_table_draws_from_each_rows_own_times():
    t = stats.table(pd.DataFrame(timed("w", {"sync": 1.0, "threads-2": 0.5}, spread=0.1)))
    r = stats.resample_table(t, np.random.default_rng(0))
    for before, after in zip(t.to_dict("records"), r.to_dict("records")):
        assert len(after["times"]) == len(before["times"]) and set(after["times"]) <= set(before["times"])
    assert set(by_sched(r)) == {"sync", "threads-2"}


# --- controls ------------------------------------------------------------------------------

def control_rows(control, modes, workload="array-x", scheduler="threads-2", n=6, spread=0.02):
    out = []
    for mode, m in modes.items():
        for i, f in enumerate(np.linspace(1 - spread, 1 + spread, n)):
            out.append(RunRecord(run_id="t", workload=workload, scheduler=scheduler, repeat=i, wall_s=m * f,
                                 mode=mode, control=control, kind="threads", workers=2).to_dict())
    return out


def test_overhead_reports_instrumented_over_bare():
    ov = stats.overhead(pd.DataFrame(control_rows("overhead", {"instrumented": 1.0, "bare": 1.0})
                                     + control_rows("overhead", {"instrumented": 2.02, "bare": 2.0}, workload="b")))
    assert ov["ratio"] == pytest.approx(1.005, abs=0.01)
    assert ov["outcome"] == "equivalent" and len(ov["pairs"]) == 2
    ov = stats.overhead(pd.DataFrame(control_rows("overhead", {"instrumented": 1.5, "bare": 1.0})))
    assert ov["ratio"] == pytest.approx(1.5) and ov["outcome"] == "faster"  # bare is faster: a real overhead
    assert stats.overhead(pd.DataFrame(timed("w", {"sync": 1.0}))) is None


def test_overhead_undecided_on_few_pairs_of_repeats():
    ov = stats.overhead(pd.DataFrame(control_rows("overhead", {"instrumented": 1.5, "bare": 1.0}, n=3)))
    assert ov["outcome"] == "undecided" and ov["pairs"][0]["outcome"] == "undecided"


def test_aa_control_equal_blocks_are_no_false_difference():
    rows = control_rows("A", {"instrumented": 1.0}) + control_rows("B", {"instrumented": 1.01})
    aa = stats.aa_control(pd.DataFrame(rows))
    assert aa["verdict"] == "equivalent" and not aa["false_difference"]
    assert aa["noise"] == pytest.approx(0.01)


def test_aa_control_flags_a_false_difference():
    rows = control_rows("A", {"instrumented": 1.0}) + control_rows("B", {"instrumented": 1.3})
    aa = stats.aa_control(pd.DataFrame(rows))
    assert aa["false_difference"] and aa["verdict"] == "slower"  # B slower than A
    assert stats.aa_control(pd.DataFrame(control_rows("A", {"instrumented": 1.0}))) is None


def test_harness_check_warns_only_beyond_the_margin():
    agree = control_rows("plain-check", {"bare": 1.0, "plain": 1.01}, n=4)
    off = control_rows("plain-check", {"bare": 2.0, "plain": 1.0}, workload="bag-json", scheduler="sync", n=4)
    hc = stats.harness_check(pd.DataFrame(agree + off))
    p = {x["workload"]: x for x in hc["pairs"]}
    assert not p["array-x"]["warning"] and p["bag-json"]["warning"]
    assert p["bag-json"]["harness_over_plain"] == pytest.approx(2.0)
    assert len(hc["warnings"]) == 1 and hc["warnings"][0].startswith("bag-json on sync: harness 2×")
    assert stats.harness_check(pd.DataFrame(timed("w", {"sync": 1.0}))) is None
