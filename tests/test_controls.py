"""The controls read back (reports/controls.py): overhead (paired, pooled over every round of every workload),
A/A noise (B/A with its own interval), the harness against plain Dask."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from reports import controls
from _factories import timed
from runners.records import RunRecord

A = [1.0, 1.01, 0.99, 1.02, 0.98, 1.0]


def control_rows(control, modes, workload="array-x", scheduler="threads-2", n=6, spread=0.02, noise=0.0, seed=0,
                 rounds=True):
    """Repeat i of every mode ran in round i (as runners.controls interleaves them): the round's factor (from
    ``1 - spread`` to ``1 + spread``) falls on every mode, then each repeat gets its own lognormal *noise*."""
    rng = np.random.default_rng(seed)
    out = []
    for mode, m in modes.items():
        for i, f in enumerate(np.linspace(1 - spread, 1 + spread, n)):
            wall = m * f * float(np.exp(rng.normal(0, noise))) if noise else m * f
            out.append(RunRecord(run_id="t", workload=workload, scheduler=scheduler, repeat=i, wall_s=wall,
                                 mode=mode, control=control, kind="threads", workers=2,
                                 round=i if rounds else -1).to_dict())
    return out


def test_overhead_reports_instrumented_over_bare():
    ov = controls.overhead(pd.DataFrame(control_rows("overhead", {"instrumented": 1.0, "bare": 1.0})
                                     + control_rows("overhead", {"instrumented": 2.02, "bare": 2.0}, workload="b")))
    assert ov["ratio"] == pytest.approx(1.005, abs=0.01)
    assert ov["lo"] <= ov["ratio"] <= ov["hi"]
    assert ov["within_5_percent"] == "equivalent" and len(ov["pairs"]) == 2
    # one pooled paired comparison of every round of both workloads (a workload's speed cancels in its pair)
    assert ov["pooled"]["method"] == "paired" and ov["pooled"]["pairs"] == 12
    assert ov["median_of_pairs"] == pytest.approx(1.005, abs=0.001)
    ov = controls.overhead(pd.DataFrame(control_rows("overhead", {"instrumented": 1.5, "bare": 1.0})))
    assert ov["ratio"] == pytest.approx(1.5) and ov["outcome"] == "above"  # bare is faster: a real overhead
    assert ov["within_5_percent"] == "not equivalent"
    assert controls.overhead(pd.DataFrame(timed("w", {"sync": 1.0}))) is None


def test_overhead_pools_rounds_of_workloads_too_short_alone():
    # Three rounds per workload decide nothing alone; pooled, the twelve rounds give one interval.
    rows = [r for i, w in enumerate("abcd") for r in control_rows(
        "overhead", {"instrumented": 1.02 * (i + 1), "bare": 1.0 * (i + 1)}, workload=w, n=3, noise=0.005, seed=i)]
    ov = controls.overhead(pd.DataFrame(rows))
    assert all(p["outcome"] == "undecided" for p in ov["pairs"])
    assert ov["pooled"]["pairs"] == 12 and ov["pooled"]["method"] == "paired"
    assert ov["lo"] is not None and ov["lo"] <= ov["ratio"] <= ov["hi"]
    assert ov["ratio"] == pytest.approx(1.02, abs=0.01)
    assert ov["within_5_percent"] == "equivalent"


def test_overhead_undecided_on_few_pairs_of_repeats():
    ov = controls.overhead(pd.DataFrame(control_rows("overhead", {"instrumented": 1.5, "bare": 1.0}, n=3)))
    assert ov["outcome"] == "undecided" and ov["pairs"][0]["outcome"] == "undecided"
    assert ov["lo"] is None and ov["within_5_percent"] == "undecided"


def test_aa_control_equal_blocks_are_no_false_difference():
    rows = (control_rows("A", {"instrumented": 1.0}, noise=0.02, seed=1)
            + control_rows("B", {"instrumented": 1.01}, noise=0.02, seed=2))
    aa = controls.aa_control(pd.DataFrame(rows))
    assert aa["verdict"] == "undecided" and not aa["false_difference"]
    assert aa["comparison"]["method"] == "paired" and aa["names"] == "B/A"
    assert aa["lo"] <= aa["ratio"] <= aa["hi"] and aa["lo"] < 1 < aa["hi"]
    assert aa["noise"] == pytest.approx(abs(aa["ratio"] - 1))


def test_aa_control_flags_a_false_difference():
    rows = (control_rows("A", {"instrumented": 1.0}, noise=0.02, seed=1)
            + control_rows("B", {"instrumented": 1.3}, noise=0.02, seed=2))
    aa = controls.aa_control(pd.DataFrame(rows))
    assert aa["false_difference"] and aa["verdict"] == "above"  # B slower than A: time(B)/time(A) above 1
    assert aa["ratio"] == pytest.approx(1.3, rel=0.05) and aa["lo"] <= aa["ratio"] <= aa["hi"]
    assert controls.aa_control(pd.DataFrame(control_rows("A", {"instrumented": 1.0}))) is None


def test_aa_control_ratio_is_b_over_a_with_its_own_interval():
    rows = (control_rows("A", {"instrumented": 1.3}, noise=0.02, seed=3)
            + control_rows("B", {"instrumented": 1.0}, noise=0.02, seed=4))
    aa = controls.aa_control(pd.DataFrame(rows))
    assert aa["verdict"] == "below" and aa["ratio"] == pytest.approx(1 / 1.3, rel=0.05)
    assert aa["lo"] <= aa["ratio"] <= aa["hi"] < 1
    assert (aa["lo"], aa["hi"]) == pytest.approx((aa["comparison"]["lo"], aa["comparison"]["hi"]), abs=1e-3)


def test_harness_check_warns_only_beyond_the_margin():
    agree = control_rows("plain-check", {"bare": 1.0, "plain": 1.01}, n=4)
    off = control_rows("plain-check", {"bare": 2.0, "plain": 1.0}, workload="bag-json", scheduler="sync", n=4)
    hc = controls.harness_check(pd.DataFrame(agree + off))
    p = {x["workload"]: x for x in hc["pairs"]}
    assert not p["array-x"]["warning"] and p["bag-json"]["warning"]
    assert p["bag-json"]["harness_over_plain"] == pytest.approx(2.0)
    assert len(hc["warnings"]) == 1 and hc["warnings"][0].startswith("bag-json on sync: harness 2×")
    assert controls.harness_check(pd.DataFrame(timed("w", {"sync": 1.0}))) is None
