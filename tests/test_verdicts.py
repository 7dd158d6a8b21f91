"""Claim rules on synthetic statistics tables: each can hold, fail and be inconclusive."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from reports import stats
from reports.verdicts import CLAIMS, FAILS, HOLDS, UNSURE, Ratio, decide, judge
from _factories import timed
from runners.records import RunRecord


def run(*groups, cores=2, gil_enabled=True, extra=()):
    """(table, results) of the given row groups on a machine with *cores* cores."""
    rows = pd.DataFrame([r for g in groups for r in g] + list(extra))
    t = stats.table(rows) if len(rows) else pd.DataFrame()
    res = SimpleNamespace(meta={"cores": cores, "gil_enabled": gil_enabled, "free_threaded_build": not gil_enabled},
                          rows=rows)
    return t, res


def verdict(cid, *groups, **kw):
    t, res = run(*groups, **kw)
    return {v["id"]: v for v in decide(t, res)}[cid]


# --- generic -------------------------------------------------------------------------

def test_decide_gives_all_14_claims_on_an_empty_table():
    out = decide(pd.DataFrame(), None)
    assert [v["id"] for v in out] == [f"C{i}" for i in range(1, 15)]
    for v in out:
        assert set(v) == {"id", "claim", "verdict", "numbers", "threshold", "reason"}
        assert v["verdict"] == UNSURE
        assert v["numbers"] and v["reason"]


def test_decide_restricted_run_still_gives_14():
    t, res = run(timed("bag-json", {"sync": 1.0, "threads-2": 1.0, "processes-2": 0.6}, claims=["C3"],
                       collection="bag"))
    out = decide(t, res)
    assert len(out) == 14
    assert {v["id"]: v["verdict"] for v in out}["C1"] == UNSURE
    assert "missing" in out[0]["numbers"]


def test_claims_registry_has_a_rule_per_claim():
    assert [c.id for c in CLAIMS] == [f"C{i}" for i in range(1, 15)]


@pytest.mark.parametrize("r, thr, above, want", [
    (Ratio(1.8, 1.6, 2.0, [], []), 1.3, True, True),
    (Ratio(1.0, 0.9, 1.1, [], []), 1.3, True, False),
    (Ratio(1.35, 1.2, 1.5, [1.0, 1.2, 1.4], [1.0, 1.1, 1.2]), 1.3, True, None),
    (Ratio(1.0, 0.95, 1.05, [], []), 1.2, False, True),
    (Ratio(1.8, 1.6, 2.0, [], []), 1.2, False, False),
])
def test_judge_uses_the_interval(r, thr, above, want):
    assert judge(r, thr, above) is want


# --- C1 ------------------------------------------------------------------------------

def c1(np_threads=0.55):
    return (timed("array-transcendental", {"sync": 1.0, "threads-2": np_threads}, claims=["C1"],
                  gil={"threads-2": 0.05}),
            timed("array-object-math", {"sync": 1.0, "threads-2": 1.0}, claims=["C1"], gil={"threads-2": 0.9}))


def test_c1_holds_when_numpy_scales_and_object_does_not():
    v = verdict("C1", *c1())
    assert v["verdict"] == HOLDS
    assert v["numbers"]["array-transcendental"]["speedup"]["lo"] > 1.3


def test_c1_does_not_hold_without_speedup():
    assert verdict("C1", *c1(np_threads=1.0))["verdict"] == FAILS


def test_c1_inconclusive_on_one_core():
    assert verdict("C1", *c1(), cores=1)["verdict"] == UNSURE


def test_c1_inconclusive_without_contrast():
    v = verdict("C1", c1()[0])
    assert v["verdict"] == UNSURE and any("object" in m for m in v["numbers"]["missing"])


# --- C2 ------------------------------------------------------------------------------

def c2(threads, processes):
    return [timed(w, {"sync": 1.0, "threads-2": threads, "processes-2": processes, "distributed-2x1": 1.2},
                  claims=["C2"], bytes_moved={"processes-2": 5e7})
            for w in ("array-transcendental", "array-matmul")]


def test_c2_holds_when_threads_win():
    v = verdict("C2", *c2(0.5, 1.0))
    assert v["verdict"] == HOLDS
    assert v["numbers"]["array-matmul"]["bytes_moved_processes_mb"] == 50.0


def test_c2_does_not_hold_when_processes_win():
    assert verdict("C2", *c2(1.0, 0.5))["verdict"] == FAILS


def test_c2_inconclusive_within_noise():
    assert verdict("C2", *c2(1.0, 1.02))["verdict"] == UNSURE


# --- C3 / C14 ------------------------------------------------------------------------

def bags(threads, processes):
    return [timed(w, {"sync": 1.0, "threads-2": threads, "processes-2": processes}, claims=["C3", "C12"],
                  collection="bag", gil={"threads-2": 0.95}) for w in ("bag-json", "bag-wordcount", "stdlib-ast")]


def test_c3_holds_threads_flat_processes_faster():
    assert verdict("C3", *bags(1.0, 0.6))["verdict"] == HOLDS


def test_c3_does_not_hold_when_threads_scale():
    assert verdict("C3", *bags(0.55, 0.6))["verdict"] == FAILS


def test_c3_inconclusive_on_one_core():
    assert verdict("C3", *bags(1.0, 0.6), cores=1)["verdict"] == UNSURE


def test_c14_inconclusive_with_a_gil():
    v = verdict("C14", *bags(0.55, 0.6))
    assert v["verdict"] == UNSURE and "GIL" in v["reason"] and v["numbers"]["gil_enabled"] is True


def test_c14_decided_without_the_gil():
    assert verdict("C14", *bags(0.55, 0.6), gil_enabled=False)["verdict"] == HOLDS
    assert verdict("C14", *bags(1.0, 0.6), gil_enabled=False)["verdict"] == FAILS


# --- C4 ------------------------------------------------------------------------------

def c4(numpy_2=0.55):
    sweep = {"sync": 1.0, "threads-1": 1.0, "threads-2": 1.0, "threads-4": 1.0}
    return (timed("stencil-python", sweep, claims=["C4"], collection="delayed", family="jacobi"),
            timed("stencil-numpy", {"sync": 1.0, "threads-1": 1.0, "threads-2": numpy_2, "threads-4": numpy_2,
                                    "processes-2": numpy_2 * 1.1}, claims=["C4"], collection="delayed",
                  family="jacobi"))


def test_c4_holds_for_the_expected_curves():
    v = verdict("C4", *c4())
    assert v["verdict"] == HOLDS
    assert v["numbers"]["curves"]["stencil-numpy"]["threads-2"] > 1.7


def test_c4_does_not_hold_when_numpy_is_flat():
    assert verdict("C4", *c4(numpy_2=1.0))["verdict"] == FAILS


def test_c4_inconclusive_without_the_sweep():
    py, nu = c4()
    nu = [r for r in nu if r["scheduler"] != "threads-4"]
    assert verdict("C4", py, nu)["verdict"] == UNSURE


# --- C5 / C6 -------------------------------------------------------------------------

def kernels(held_threads=1.0, held_sync=1.0):
    out = []
    for fam in ("kernel-sleep", "kernel-compute"):
        out.append(timed(f"{fam}-nogil", {"sync": 1.0, "threads-2": 0.5}, claims=["C5", "C6"], family=fam,
                         params={"gil": "released"}))
        out.append(timed(f"{fam}-gil", {"sync": held_sync, "threads-2": held_threads}, claims=["C5", "C6"],
                         family=fam, params={"gil": "held"}))
    return out


def test_c5_holds_when_held_kernel_serialises():
    v = verdict("C5", *kernels())
    assert v["verdict"] == HOLDS
    assert v["numbers"]["kernel-sleep"]["gil_over_nogil"]["value"] == pytest.approx(2.0)


def test_c5_does_not_hold_when_both_parallel():
    assert verdict("C5", *kernels(held_threads=0.5))["verdict"] == FAILS


def test_c5_inconclusive_on_one_core():
    assert verdict("C5", *kernels(), cores=1)["verdict"] == UNSURE


def test_c6_holds_at_equal_single_thread_times():
    assert verdict("C6", *kernels())["verdict"] == HOLDS


def test_c6_does_not_hold_when_nogil_is_faster_alone():
    assert verdict("C6", *kernels(held_sync=1.5))["verdict"] == FAILS


def test_c6_inconclusive_when_missing():
    assert verdict("C6")["verdict"] == UNSURE


# --- C7 / C8 -------------------------------------------------------------------------

def retake(k1_threads=1.0):
    return [timed(f"kernel-retake-k{k}", {"sync": 1.0, "threads-2": t}, claims=["C7"], family="kernel-retake",
                  params={"k": k}) for k, t in ((1, k1_threads), (16, 0.7), (4096, 0.52))]


def test_c7_holds_when_speedup_falls_with_k():
    v = verdict("C7", *retake())
    assert v["verdict"] == HOLDS and "k1" in v["numbers"]["kernel-retake"]


def test_c7_does_not_hold_when_k1_still_scales():
    assert verdict("C7", *retake(k1_threads=0.5))["verdict"] == FAILS


def test_c7_inconclusive_on_one_core():
    assert verdict("C7", *retake(), cores=1)["verdict"] == UNSURE


def prange(many):
    return (timed("kernel-prange-libcores", {"sync": 1.0, "threads-2": many}, claims=["C8"], family="kernel-prange"),
            timed("kernel-prange-lib1", {"sync": 1.0, "threads-2": 0.5}, claims=["C8"], family="kernel-prange"))


def test_c8_holds_under_oversubscription():
    assert verdict("C8", *prange(0.8))["verdict"] == HOLDS


def test_c8_does_not_hold_without_slowdown():
    assert verdict("C8", *prange(0.5))["verdict"] == FAILS


def test_c8_inconclusive_when_missing():
    assert verdict("C8", prange(0.8)[0])["verdict"] == UNSURE


# --- C9 ------------------------------------------------------------------------------

def c9(threads=0.05):
    null = timed("delayed-null", {"sync": 0.02, "threads-2": threads, "processes-2": 0.08, "distributed-2x1": 0.5},
                 claims=["C9"], collection="delayed", ntasks=1000)
    busy = [timed(f"delayed-busy-{us}", {"sync": 1.0, "threads-2": t, "processes-2": 1.3}, claims=["C9"],
                  collection="delayed", family="delayed-busy", params={"task_us": us})
            for us, t in ((10, 1.5), (1000, 0.6))]
    return [null, *busy]


def test_c9_holds_with_ordered_overhead_and_reports_break_even():
    v = verdict("C9", *c9())
    assert v["verdict"] == HOLDS
    assert v["numbers"]["per_task_us"]["sync"] == pytest.approx(20.0)
    assert v["numbers"]["break_even_task_us"]["threads-2"] == 1000
    assert v["numbers"]["break_even_task_us"]["processes-2"] == "> 1000"


def test_c9_does_not_hold_on_an_inversion():
    assert verdict("C9", *c9(threads=0.01))["verdict"] == FAILS


def test_c9_inconclusive_without_distributed():
    null = [r for r in c9()[0] if r["scheduler"] != "distributed-2x1"]
    assert verdict("C9", null)["verdict"] == UNSURE


# --- C10 / C11 -----------------------------------------------------------------------

def frames(numeric_threads=0.55):
    return (timed("df-groupby", {"sync": 1.0, "threads-2": numeric_threads}, claims=["C10", "C12"],
                  collection="dataframe", gil={"threads-2": 0.1}),
            timed("df-str-object", {"sync": 1.0, "threads-2": 1.0}, claims=["C10", "C12"],
                  collection="dataframe", gil={"threads-2": 0.9}))


def test_c10_holds_numeric_faster_and_lower_gil():
    assert verdict("C10", *frames())["verdict"] == HOLDS


def test_c10_does_not_hold_when_numeric_flat():
    assert verdict("C10", *frames(numeric_threads=1.0))["verdict"] == FAILS


def test_c10_inconclusive_on_one_core():
    assert verdict("C10", *frames(), cores=1)["verdict"] == UNSURE


def parsing(threads, processes):
    return [timed(w, {"sync": 1.0, "threads-2": threads, "processes-2": processes}, claims=["C11"],
                  collection="bag") for w in ("bag-logparse", "stdlib-re", "flights-read-csv-c")]


def test_c11_holds_when_processes_win():
    assert verdict("C11", *parsing(1.0, 0.6))["verdict"] == HOLDS


def test_c11_does_not_hold_when_threads_win():
    assert verdict("C11", *parsing(0.6, 1.0))["verdict"] == FAILS


def test_c11_inconclusive_on_one_core():
    assert verdict("C11", *parsing(1.0, 0.6), cores=1)["verdict"] == UNSURE


# --- C12 -----------------------------------------------------------------------------

def test_c12_holds_when_defaults_are_best():
    arr = timed("array-transcendental", {"sync": 1.0, "threads-2": 0.5, "processes-2": 0.8}, claims=["C12"])
    v = verdict("C12", arr, *bags(1.0, 0.6))
    assert v["verdict"] == HOLDS
    assert v["numbers"]["array"]["default"] == "threads-2"
    assert v["numbers"]["bag"]["best"] == "processes-2"


def test_c12_does_not_hold_and_lists_losers():
    v = verdict("C12", *bags(0.5, 1.0))
    assert v["verdict"] == FAILS
    losers = v["numbers"]["bag"]["losing_workloads"]
    assert {x["workload"] for x in losers} == {"bag-json", "bag-wordcount", "stdlib-ast"}
    assert all(x["best"] == "threads-2" for x in losers)


def test_c12_inconclusive_without_data():
    assert verdict("C12")["verdict"] == UNSURE


# --- C13 -----------------------------------------------------------------------------

def convoy(spin5=0.1, spin05=0.055):
    out = []
    for ms, alone, spin in ((5.0, 0.05, spin5), (0.5, 0.05, spin05)):
        for i, f in enumerate((0.98, 1.0, 1.02)):
            for spinner, wall in ((False, alone), (True, spin)):
                out.append(RunRecord(run_id="t", workload="convoy", scheduler="threads-2" if spinner else "threads-1",
                                     repeat=i, wall_s=wall * f, collection="experiment", family="convoy",
                                     claims=["C13"], params={"spinner": spinner, "switch_interval_ms": ms}).to_dict())
    return out


def test_c13_holds_when_spinner_slows_and_short_interval_helps():
    v = verdict("C13", extra=convoy())
    assert v["verdict"] == HOLDS
    assert v["numbers"]["slowdown_5ms"]["value"] == pytest.approx(2.0)


def test_c13_does_not_hold_without_slowdown():
    assert verdict("C13", extra=convoy(spin5=0.05, spin05=0.05))["verdict"] == FAILS


def test_c13_inconclusive_on_one_core_or_without_rows():
    assert verdict("C13", extra=convoy(), cores=1)["verdict"] == UNSURE
    assert verdict("C13")["verdict"] == UNSURE
