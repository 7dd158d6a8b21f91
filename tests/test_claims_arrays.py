"""The array claims (reports/claims/arrays.py): C1, C2 and C4 hold, fail, and stay inconclusive when the data
cannot decide; their questions ask at the bars their verdicts read."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from _claimdata import alone, c1, c2, c4, verdict
from reports.claims.arrays import C1, C2, C4, LEVEL, SAME, c1_bar, c4_bar
from reports.evidence import FAILS, HOLDS, UNSURE


def _w(name, collection="array"):
    return SimpleNamespace(name=name, collection=collection, params={}, claims=())


# --- C1 ------------------------------------------------------------------------------

def test_c1_holds_when_numpy_clears_the_bar_and_object_does_not():
    v = verdict("C1", *c1())
    assert v["verdict"] == HOLDS
    assert v["numbers"]["bar"] == 1.2
    assert v["numbers"]["array-transcendental"]["speedup"]["lo"] > 1.3


def test_c1_does_not_hold_without_speedup():
    assert verdict("C1", *c1(np_threads=1.0))["verdict"] == FAILS


def test_c1_does_not_hold_when_numpy_contends_more_than_object():
    groups = c1()
    flipped = [dict(r, gil_median=0.95) if r["scheduler"] == "threads-2" else r for r in groups[0]]
    assert verdict("C1", flipped, groups[1])["verdict"] == FAILS


def test_c1_inconclusive_on_a_speedup_near_the_bar():
    # Median speedup 1.35 clears the 1.2 bar; the spread of the repeats does not.
    v = verdict("C1", *c1(np_threads=1 / 1.35, spread={"threads-2": 0.2}))
    assert v["verdict"] == UNSURE
    assert v["numbers"]["array-transcendental"]["speedup"]["ratio"] > 1.3


@pytest.mark.parametrize("kw", [{"n": 4}, {"failures": {"threads-2": ["error"]}}])
def test_c1_inconclusive_on_too_few_or_failed_repeats(kw):
    assert verdict("C1", *c1(**kw))["verdict"] == UNSURE


def test_c1_inconclusive_without_contrast():
    v = verdict("C1", c1()[0])
    assert v["verdict"] == UNSURE and any("object" in m for m in v["numbers"]["missing"])


def test_c1_bar_grows_with_the_cores_up_to_four():
    assert [c1_bar(n) for n in (1, 2, 4, 16)] == [1.0, 1.2, 1.6, 1.6]
    assert alone("C1", *c1(), cores=2)["numbers"]["bar"] == c1_bar(2)


def test_c1_asks_threads_against_sync_at_its_bar():
    assert [tuple(q) for q in C1.questions(_w("array-transcendental"), 4)] == [
        ("threads-4", "sync", c1_bar(4), c1_bar(4), None, "C1", 1.0)]  # a parallel bar: moves with the cores free


# --- C2 ------------------------------------------------------------------------------

def test_c2_holds_when_threads_win():
    v = verdict("C2", *c2(0.5, 1.0))
    assert v["verdict"] == HOLDS
    assert v["numbers"]["array-matmul"]["bytes_moved_processes_mb"] == 50.0


def test_c2_does_not_hold_when_processes_win():
    assert verdict("C2", *c2(1.0, 0.5))["verdict"] == FAILS


def test_c2_inconclusive_on_overlapping_samples():
    assert verdict("C2", *c2(0.95, 1.0, spread=0.2))["verdict"] == UNSURE


def test_c2_inconclusive_when_processes_failed_a_repeat():
    assert verdict("C2", *c2(0.5, 1.0, failures={"processes-2": ["error"]}))["verdict"] == UNSURE


def test_c2_asks_threads_against_every_kind_that_pickles():
    assert {(q.a, q.b) for q in C2.questions(_w("array-matmul"), 2)} == {
        ("threads-2", "processes-2"), ("threads-2", "distributed-2x1")}


# --- C4 ------------------------------------------------------------------------------

def test_c4_holds_for_the_expected_curves():
    v = verdict("C4", *c4())
    assert v["verdict"] == HOLDS
    assert v["numbers"]["curves"]["stencil-numpy"]["threads-2"] == pytest.approx(2.0)
    assert set(v["numbers"]["curves"]["stencil-numpy"]) == {"threads-1", "threads-2", "threads-4", "processes-2"}
    assert v["numbers"]["numpy_bar"] == 1.2


@pytest.mark.parametrize("kw", [{"numpy_2": 1.0}, {"numpy_4": 0.3}, {"processes": 1.0}])
def test_c4_does_not_hold(kw):
    """NumPy flat on threads; still scaling past the cores; processes far from threads."""
    assert verdict("C4", *c4(**kw))["verdict"] == FAILS


@pytest.mark.parametrize("kw", [{"n": {"threads-2": 4}}, {"failures": {"threads-4": ["error"]}}])
def test_c4_inconclusive_when_the_data_cannot_decide(kw):
    assert verdict("C4", *c4(**kw))["verdict"] == UNSURE


def test_c4_inconclusive_without_the_sweep():
    py, nu = c4()
    v = verdict("C4", py, [r for r in nu if r["scheduler"] != "threads-4"])
    assert v["verdict"] == UNSURE and v["numbers"]["missing"] == ["stencil-numpy@threads-4"]


def test_c4_missing_names_real_scheduler_labels():
    py, nu = c4()
    v = verdict("C4", py, [r for r in nu if r["scheduler"] != "sync"])
    assert v["numbers"]["missing"] == ["stencil-numpy@sync"]  # the label, not "sync-1"


def test_c4_asks_what_its_verdict_reads_at_the_same_bars():
    assert C4.questions(_w("stencil-numpy"), 2) == [
        ("threads-2", "sync", c4_bar(2), c4_bar(2), None, "C4", 1.0),
        ("threads-4", "threads-2", LEVEL, LEVEL, None, "C4", None),
        ("processes-2", "threads-2", 1.0, 1.0, SAME, "C4", None)]
    assert [q.up for q in C4.questions(_w("stencil-python"), 2)] == [1.25]
    assert C4.questions(_w("array-matmul"), 2) == []
    assert f"within ±{SAME - 1:.0%}" in alone("C4", *c4())["threshold"]


def test_the_array_records():
    assert (C1.scaling, C2.scaling, C4.scaling) == (True, False, True)
    assert C4.plot.drawing == "curves" and C1.plot.drawing == C2.plot.drawing == "comparisons"
    assert C2.kinds == {"sync", "threads", "processes", "distributed"}
