"""The controls read back (reports/controls.py): overhead, A/A noise, the harness against plain Dask."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from reports import controls
from _factories import timed
from runners.records import RunRecord

A = [1.0, 1.01, 0.99, 1.02, 0.98, 1.0]


def control_rows(control, modes, workload="array-x", scheduler="threads-2", n=6, spread=0.02):
    out = []
    for mode, m in modes.items():
        for i, f in enumerate(np.linspace(1 - spread, 1 + spread, n)):
            out.append(RunRecord(run_id="t", workload=workload, scheduler=scheduler, repeat=i, wall_s=m * f,
                                 mode=mode, control=control, kind="threads", workers=2).to_dict())
    return out


def test_overhead_reports_instrumented_over_bare():
    ov = controls.overhead(pd.DataFrame(control_rows("overhead", {"instrumented": 1.0, "bare": 1.0})
                                     + control_rows("overhead", {"instrumented": 2.02, "bare": 2.0}, workload="b")))
    assert ov["ratio"] == pytest.approx(1.005, abs=0.01)
    assert ov["outcome"] == "equivalent" and len(ov["pairs"]) == 2
    ov = controls.overhead(pd.DataFrame(control_rows("overhead", {"instrumented": 1.5, "bare": 1.0})))
    assert ov["ratio"] == pytest.approx(1.5) and ov["outcome"] == "faster"  # bare is faster: a real overhead
    assert controls.overhead(pd.DataFrame(timed("w", {"sync": 1.0}))) is None


def test_overhead_undecided_on_few_pairs_of_repeats():
    ov = controls.overhead(pd.DataFrame(control_rows("overhead", {"instrumented": 1.5, "bare": 1.0}, n=3)))
    assert ov["outcome"] == "undecided" and ov["pairs"][0]["outcome"] == "undecided"


def test_aa_control_equal_blocks_are_no_false_difference():
    rows = control_rows("A", {"instrumented": 1.0}) + control_rows("B", {"instrumented": 1.01})
    aa = controls.aa_control(pd.DataFrame(rows))
    assert aa["verdict"] == "equivalent" and not aa["false_difference"]
    assert aa["noise"] == pytest.approx(0.01)


def test_aa_control_flags_a_false_difference():
    rows = control_rows("A", {"instrumented": 1.0}) + control_rows("B", {"instrumented": 1.3})
    aa = controls.aa_control(pd.DataFrame(rows))
    assert aa["false_difference"] and aa["verdict"] == "slower"  # B slower than A
    assert controls.aa_control(pd.DataFrame(control_rows("A", {"instrumented": 1.0}))) is None


def test_harness_check_warns_only_beyond_the_margin():
    agree = control_rows("plain-check", {"bare": 1.0, "plain": 1.01}, n=4)
    off = control_rows("plain-check", {"bare": 2.0, "plain": 1.0}, workload="bag-json", scheduler="sync", n=4)
    hc = controls.harness_check(pd.DataFrame(agree + off))
    p = {x["workload"]: x for x in hc["pairs"]}
    assert not p["array-x"]["warning"] and p["bag-json"]["warning"]
    assert p["bag-json"]["harness_over_plain"] == pytest.approx(2.0)
    assert len(hc["warnings"]) == 1 and hc["warnings"][0].startswith("bag-json on sync: harness 2×")
    assert controls.harness_check(pd.DataFrame(timed("w", {"sync": 1.0}))) is None
