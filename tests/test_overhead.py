"""The controls of the harness itself (runners/overhead.py): instrumentation overhead and A/A, interleaved."""
from __future__ import annotations

from collections import Counter

import pytest

from runners import records
from runners.measure import stop_knocker
from runners.openpools import OpenPools
from runners import overhead
from runners.overhead import CAP, overhead_workloads, precise, run_controls
from runners.plan import Plan
from runners.profiles import PROFILES, cores
from runners.progress import Steps
from runners.repeats import Repeats
from runners.rows import Rows
from workloads import catalogue


def _setup(tmp_path, names=("delayed-null",), controls=True, repeats=2):
    cat = catalogue()
    plan = Plan(profile=PROFILES["quick"], workloads={n: cat[n] for n in names}, specs=[], repeats=repeats,
                controls=controls, dashboard=False)
    pools = OpenPools(tmp_path, "r", lambda s: None, dashboard=False)
    said: list[str] = []
    return plan, Repeats(plan, Rows(tmp_path, "r", 0, "quick"), pools, said.append), Steps(said.append, 4), said


@pytest.fixture(autouse=True)
def _no_knocker_left():
    yield
    stop_knocker()


def test_overhead_pairs_and_aa_blocks_are_measured_interleaved(tmp_path):
    plan, rep, steps, said = _setup(tmp_path)
    run_controls(plan, rep, {}, steps)
    rows = list(records.read(tmp_path / records.ROWS))
    label = f"threads-{cores()}"  # delayed's default scheduler, at the machine's cores
    counts = Counter((r["control"], r["mode"], r["scheduler"]) for r in rows)
    n = plan.profile.overhead_repeats
    pairs = counts[("overhead", "instrumented", label)]
    assert n <= pairs <= CAP * n  # until the paired interval is narrow, within the cap
    assert counts == {("overhead", "instrumented", label): pairs, ("overhead", "bare", label): pairs,
                      ("A", "instrumented", label): max(2, n), ("B", "instrumented", label): max(2, n)}
    assert all(r["status"] == "ok" for r in rows)
    bare = [r for r in rows if r["mode"] == "bare"]
    assert all(not r["gil"] and r["bytes_moved"] is None for r in bare)  # no instrument ran
    assert [s[:5] for s in said] == ["[3/4]", "[4/4]"]


def test_controls_already_held_are_not_measured_again(tmp_path):
    plan, rep, steps, said = _setup(tmp_path)
    label, n = f"threads-{cores()}", plan.profile.overhead_repeats
    done = {("delayed-null", label, m, "overhead"): n for m in ("instrumented", "bare")}
    done |= {("delayed-null", label, "instrumented", c): 2 for c in "AB"}
    run_controls(plan, rep, done, steps)
    assert not (tmp_path / records.ROWS).exists() and said == []


def test_no_controls_when_the_plan_says_so(tmp_path):
    plan, rep, steps, _ = _setup(tmp_path, controls=False)
    run_controls(plan, rep, {}, steps)
    assert not (tmp_path / records.ROWS).exists()


def test_the_overhead_workloads_are_the_chosen_ones_when_selected():
    cat = catalogue()
    plan = Plan(profile=PROFILES["quick"], workloads={n: cat[n] for n in ("bag-json", "delayed-null", "df-groupby")},
                specs=[])
    assert overhead_workloads(plan) == ["df-groupby", "bag-json"]
    plan.workloads = {"delayed-null": cat["delayed-null"]}
    assert overhead_workloads(plan) == ["delayed-null"]


def test_in_process_kinds_measure_both_modes_on_one_scheduler_pools_of_processes_on_two(tmp_path, monkeypatch):
    """Two thread pools of one spec differed by up to 20 % (which one was slow changed between runs): the
    instruments of sync and threads are per compute, so the control compares them on the same pool."""
    started = []
    real = overhead.for_spec

    def counting(spec, instrumented=True, **kw):
        started.append((spec.kind, instrumented))
        return real(spec, instrumented=instrumented, **kw)

    monkeypatch.setattr(overhead, "for_spec", counting)
    plan, rep, steps, _ = _setup(tmp_path, names=("df-groupby", "bag-json"))
    overhead.run_overhead(plan, rep, {}, steps)
    assert started == [("threads", True), ("processes", True), ("processes", False)]
    rows = list(records.read(tmp_path / records.ROWS))
    assert {(r["workload"], r["mode"]) for r in rows} == {(w, m) for w in ("df-groupby", "bag-json")
                                                         for m in ("instrumented", "bare")}


def test_the_overhead_rounds_stop_on_the_intervals_width_alone():
    assert precise([0.03, 0.031, 0.029, 0.03, 0.032])  # narrow, whatever the estimate
    assert precise([0.5, 0.51, 0.49, 0.5, 0.5])
    assert not precise([0.03, -0.05, 0.08, 0.0, -0.02])  # +-5 %: go on
    assert not precise([0.0])  # no interval from one pair
