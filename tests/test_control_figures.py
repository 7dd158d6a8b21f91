"""The run's controls read back (reports/control_figures.py): instrumentation overhead, A/A noise, the harness
against plain Dask, start-up costs."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from _factories import timed
from reports import control_figures as controls
from reports.control_figures import aa_control, harness_check, overhead, startup
from runners.records import RunRecord


def rows_of(control, modes, workload="w", scheduler="threads-2", n=6, spread=0.02, session=0, rounds=True):
    """Repeat i of every mode in round i: a round's factor falls on every mode alike (as interleaving makes it)."""
    return [RunRecord(run_id="t", workload=workload, scheduler=scheduler, repeat=i, wall_s=m * f, mode=mode,
                      control=control, kind="threads", workers=2, session=session,
                      round=i if rounds else -1).to_dict()
            for mode, m in modes.items() for i, f in enumerate(np.linspace(1 - spread, 1 + spread, n))]


def test_overhead_pairs_instrumented_with_bare_by_round():
    ov = overhead(pd.DataFrame(rows_of("overhead", {"instrumented": 1.2, "bare": 1.0}, spread=0.3)))
    # the rounds' wide spread falls on both modes: paired, the 20 % stands out
    assert ov["pooled"]["method"] == "paired" and ov["outcome"] == "above"
    assert ov["ratio"] == pytest.approx(1.2) and ov["within_5_percent"] == "not equivalent"
    (p,) = ov["pairs"]
    assert (p["workload"], p["scheduler"], p["n"]) == ("w", "threads-2", 6)
    assert p["instrumented_s"] == pytest.approx(1.2) and p["bare_s"] == pytest.approx(1.0)


def test_overhead_keys_keep_workloads_and_sessions_apart():
    rows = (rows_of("overhead", {"instrumented": 1.0, "bare": 1.0}, workload="a")
            + rows_of("overhead", {"instrumented": 3.0, "bare": 3.0}, workload="b", session=1))
    ov = overhead(pd.DataFrame(rows))
    assert ov["pooled"]["pairs"] == 12 and ov["ratio"] == pytest.approx(1.0)
    assert ov["within_5_percent"] == "equivalent" and ov["median_of_pairs"] == pytest.approx(1.0)


def test_overhead_needs_both_modes_of_a_control():
    assert overhead(pd.DataFrame(rows_of("overhead", {"instrumented": 1.0}))) is None
    assert overhead(pd.DataFrame(rows_of("A", {"instrumented": 1.0, "bare": 1.0}))) is None
    failed = [{**r, "status": "error"} for r in rows_of("overhead", {"instrumented": 1.0, "bare": 1.0})]
    assert overhead(pd.DataFrame(failed)) is None
    assert overhead(pd.DataFrame(timed("w", {"sync": 1.0}))) is None and overhead(pd.DataFrame()) is None


def test_aa_control_is_b_over_a_and_flags_a_false_difference():
    same = rows_of("A", {"instrumented": 1.0}) + rows_of("B", {"instrumented": 1.0})
    aa = aa_control(pd.DataFrame(same))
    assert aa["ratio"] == pytest.approx(1.0) and aa["noise"] == pytest.approx(0.0, abs=1e-9)
    assert not aa["false_difference"] and aa["names"] == "B/A" and aa["workload"] == "w"
    apart = rows_of("A", {"instrumented": 1.0}) + rows_of("B", {"instrumented": 1.3})
    aa = aa_control(pd.DataFrame(apart))
    assert aa["ratio"] == pytest.approx(1.3) and aa["false_difference"] and aa["verdict"] == "above"  # A faster
    assert aa["median_b_s"] / aa["median_a_s"] == pytest.approx(1.3)


def test_aa_control_without_both_blocks_is_none():
    assert aa_control(pd.DataFrame(rows_of("A", {"instrumented": 1.0}))) is None
    assert aa_control(pd.DataFrame(timed("w", {"sync": 1.0}))) is None


def test_aa_control_undecided_on_few_repeats_keeps_its_estimate():
    few = rows_of("A", {"instrumented": 1.0}, n=2) + rows_of("B", {"instrumented": 1.5}, n=2)
    aa = aa_control(pd.DataFrame(few))
    assert aa["verdict"] == "undecided" and aa["lo"] is None and not aa["false_difference"]
    assert aa["ratio"] == pytest.approx(1.5)


def test_harness_check_warns_only_beyond_the_margin():
    agree = rows_of("plain-check", {"bare": 1.0, "plain": 1.02}, workload="a", rounds=False)
    off = rows_of("plain-check", {"bare": 1.5, "plain": 1.0}, workload="b", rounds=False)
    hc = harness_check(pd.DataFrame(agree + off))
    by = {p["workload"]: p for p in hc["pairs"]}
    assert not by["a"]["warning"] and by["b"]["warning"]
    assert by["b"]["harness_over_plain"] == pytest.approx(1.5) and by["b"]["n"] == [6, 6]
    assert hc["warnings"] == [w for w in hc["warnings"] if w.startswith("b on threads-2: harness 1.5× plain Dask")]
    assert len(hc["warnings"]) == 1
    assert hc["median_ratio"] == pytest.approx(np.median([by["a"]["harness_over_plain"], 1.5]))


def test_harness_check_needs_both_sides():
    assert harness_check(pd.DataFrame(rows_of("plain-check", {"bare": 1.0}))) is None
    assert harness_check(pd.DataFrame(timed("w", {"sync": 1.0}))) is None


def test_startup_medians_per_label():
    st = pd.DataFrame({"scheduler": ["processes-2"] * 3 + ["sync"], "kind": ["processes"] * 3 + ["sync"],
                       "start_s": [0.1, 0.3, 0.2, 0.0], "stop_s": [0.01, 0.03, 0.02, 0.0]})
    out = startup(st).set_index("scheduler")
    assert list(out.index) == ["processes-2", "sync"]
    assert out.loc["processes-2", "start_s"] == pytest.approx(0.2) and out.loc["processes-2", "starts"] == 3
    assert out.loc["processes-2", "stop_s"] == pytest.approx(0.02)
    assert list(startup(pd.DataFrame()).columns) == ["scheduler", "kind", "start_s", "stop_s", "starts"]


# --- moved from the old tests/test_controls.py: the same module, read through its module name ----------

A = [1.0, 1.01, 0.99, 1.02, 0.98, 1.0]


def control_rows(control, modes, workload="array-x", scheduler="threads-2", n=6, spread=0.02, noise=0.0, seed=0,
                 rounds=True):
    """Repeat i of every mode ran in round i (as runners.overhead interleaves them): the round's factor (from
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
