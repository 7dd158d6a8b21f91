"""The pure-Python claims (reports/claims/python.py): C3, C11 and C14 hold, fail, and stay inconclusive when the
data cannot decide; C14 only on a free-threaded build."""
from __future__ import annotations

import sys
from dataclasses import replace
from types import SimpleNamespace

import pytest

from _claimdata import bags, ctx_of, decided, parsing, verdict
from _factories import timed
from reports.claims.arrays import c1_bar
from reports.claims.python import C3, C11, C14
from reports.evidence import FAILS, HOLDS, UNSURE, flat_bar


def _w(name="bag-json"):
    return SimpleNamespace(name=name, collection="bag", params={}, claims=())


# --- C3 ------------------------------------------------------------------------------

def test_c3_holds_threads_flat_processes_faster():
    v = verdict("C3", *bags(1.0, 0.6))
    assert v["verdict"] == HOLDS
    assert all(v["numbers"][w]["agrees"] for w in ("bag-json", "bag-wordcount", "stdlib-ast"))


def test_c3_does_not_hold_when_threads_scale():
    assert verdict("C3", *bags(0.55, 0.6))["verdict"] == FAILS


@pytest.mark.parametrize("kw", [{"n": 3}, {"failures": {"threads-2": ["mismatch"]}}, {"spread": 0.2}])
def test_c3_inconclusive_when_the_data_cannot_decide(kw):
    # threads 'not faster' must be shown, never assumed from missing or failed data
    threads = 0.9 if "spread" in kw else 1.0
    assert verdict("C3", *bags(threads, 0.6, **kw))["verdict"] == UNSURE


def test_c3_inconclusive_without_processes():
    rows = [[r for r in g if r["scheduler"] != "processes-2"] for g in bags(1.0, 0.6)]
    assert verdict("C3", *rows)["verdict"] == UNSURE


def test_c3_asks_threads_flat_and_processes_faster():
    assert {(q.a, q.b, q.up) for q in C3.questions(_w(), 2)} == {("threads-2", "sync", flat_bar(2)),
                                                                  ("processes-2", "sync", 1.0)}


# --- C11 -----------------------------------------------------------------------------

def test_c11_holds_when_processes_win():
    assert verdict("C11", *parsing(1.0, 0.6))["verdict"] == HOLDS


def test_c11_does_not_hold_when_threads_win():
    assert verdict("C11", *parsing(0.6, 1.0))["verdict"] == FAILS


@pytest.mark.parametrize("kw", [{"spread": 0.2}, {"n": 4}, {"failures": {"processes-2": ["error"]}}])
def test_c11_inconclusive_when_the_data_cannot_decide(kw):
    processes = 0.95 if "spread" in kw else 0.6
    assert verdict("C11", *parsing(1.0, processes, **kw))["verdict"] == UNSURE


def test_c11_not_holds_when_processes_failed_on_two_of_three_workloads():
    assert verdict("C11", *parsing(1.0, 0.6))["verdict"] == HOLDS
    groups = parsing(1.0, 0.6)
    dead = [timed(w, {"processes-2": 0.6}, claims=["C11"], collection="bag", n=0, failures={"processes-2": ["error"]})
            for w in ("bag-logparse", "stdlib-re")]
    kept = [[r for r in g if not (r["scheduler"] == "processes-2" and r["workload"] in ("bag-logparse", "stdlib-re"))]
            for g in groups]
    v = verdict("C11", *kept, *dead)
    assert v["verdict"] != HOLDS and v["verdict"] == UNSURE
    assert v["numbers"]["bag-logparse"]["processes_vs_threads"]["outcome"] == "undecided"


def test_c11_asks_processes_against_threads():
    assert [(q.a, q.b) for q in C11.questions(_w("stdlib-re"), 4)] == [("processes-4", "threads-4")]


# --- C14 -----------------------------------------------------------------------------

def test_c14_inconclusive_with_a_gil():
    v = verdict("C14", *bags(0.55, 0.6))
    assert v["verdict"] == UNSURE and "GIL" in v["reason"] and v["numbers"]["gil_enabled"] is True


def test_c14_synthetic_meta_without_the_gil_decides():
    """Synthetic: a context whose meta says gil_enabled False (no free-threaded run behind it)."""
    assert verdict("C14", *bags(0.55, 0.6), gil_enabled=False)["verdict"] == HOLDS
    assert verdict("C14", *bags(1.0, 0.6), gil_enabled=False)["verdict"] == FAILS
    assert verdict("C14", *bags(0.55, 0.6, n=3), gil_enabled=False)["verdict"] == UNSURE


def test_c14_synthetic_inconclusive_on_one_core_or_unrecorded_gil():
    ctx = ctx_of(*bags(0.55, 0.6), gil_enabled=False)
    assert decided(ctx)["C14"]["verdict"] == HOLDS
    assert decided(replace(ctx, cores=1))["C14"]["verdict"] == UNSURE
    assert decided(replace(ctx, gil_enabled=None))["C14"]["verdict"] == UNSURE


def test_c14_says_why_a_gil_build_cannot_decide_it_before_counting_cores():
    """C14 checks the cores itself (free_threaded_only): on one core with a GIL it names the GIL, not the core."""
    v = decided(replace(ctx_of(*bags(0.55, 0.6)), cores=1))["C14"]
    assert v["verdict"] == UNSURE and "GIL" in v["reason"] and "core" not in v["reason"]


def test_c14_failed_processes_row_is_an_undecided_test_not_a_pass():
    assert verdict("C14", *bags(0.55, 0.6), gil_enabled=False)["verdict"] == HOLDS
    failed = bags(0.55, 0.6, failures={"processes-2": ["error"]})
    assert verdict("C14", *failed, gil_enabled=False)["verdict"] == UNSURE


@pytest.mark.parametrize("processes, expected", [(0.6, HOLDS), (0.575, UNSURE), (0.4, FAILS)])
def test_c14_keeps_up_with_processes_only_by_an_interval_above_one_over_1_25(processes, expected):
    # threads 0.72: 1.39x over sync (above the 1.2 bar); against processes-2 time(p)/time(t) = 0.83, 0.8, 0.56.
    v = verdict("C14", *bags(0.72, processes), gil_enabled=False)
    assert v["verdict"] == expected, v["numbers"]


def test_c14_asks_only_where_the_gil_is_off(monkeypatch):
    monkeypatch.setattr(sys, "_is_gil_enabled", lambda: True, raising=False)
    assert C14.questions(_w(), 2) == []
    monkeypatch.setattr(sys, "_is_gil_enabled", lambda: False, raising=False)
    assert [(q.a, q.b, q.up) for q in C14.questions(_w(), 2)] == [("threads-2", "sync", c1_bar(2)),
                                                                   ("threads-2", "processes-2", 1 / flat_bar(2))]


def test_the_python_records():
    assert C14.free_threaded_only and not C3.free_threaded_only and not C11.free_threaded_only
    assert C3.kinds == C11.kinds == C14.kinds == {"sync", "threads", "processes"}
