"""What the claim rules read (reports/evidence.py): rows found by spec, failed rows kept, one-sided tests, verdicts."""
from __future__ import annotations

import pandas as pd
import pytest

from _factories import timed
from reports import evidence
from reports.evidence import FAILS, HOLDS, UNSURE, context
from reports.table import table

SPECS = {"sync": 1.0, "threads-2": 0.5, "threads-4": 0.3, "processes-2": 0.6, "distributed-2x1": 0.7,
         "distributed-1x2": 0.8}


def ctx_of(rows, meta=None, raw=None, rounds=None):
    return context(table(pd.DataFrame(rows)), meta if meta is not None else {"cores": 2}, raw, rounds)


def test_row_is_found_by_kind_workers_and_threads_never_by_label():
    ctx = ctx_of(timed("w", SPECS))
    assert ctx.n == 2
    assert ctx.row("w")["scheduler"] == "sync"
    assert ctx.row("w", "sync", workers=8, threads=4)["scheduler"] == "sync"  # the serial kind has one worker
    assert ctx.row("w", "threads")["scheduler"] == "threads-2"  # N workers by default
    assert ctx.row("w", "threads", 4, threads=3)["scheduler"] == "threads-4"  # a pool's workers have one thread
    assert ctx.row("w", "distributed")["scheduler"] == "distributed-2x1"
    assert ctx.row("w", "distributed", 1, 2)["scheduler"] == "distributed-1x2"  # only a cluster has several
    assert ctx.row("w", "processes", 4) is None and ctx.row("other") is None


def test_a_failed_row_stays_missing_and_its_tests_are_undecided():
    rows = timed("w", {"sync": 1.0, "threads-2": 0.5}, n={"threads-2": 0}, failures={"threads-2": ["error"]})
    ctx = ctx_of(rows)
    r = ctx.row("w", "threads")
    assert r is not None and r["median_s"] is None
    assert r["missing"].startswith("no ok repeat (error: ValueError boom")
    assert ctx.ok("w") and not ctx.ok("w", "threads")
    c = evidence.speedup(ctx, "w", "threads")
    assert c.outcome == "undecided"
    assert evidence.outcome_is(c, "above") is None and evidence.above(c) is None and evidence.below(c) is None


def test_n_is_the_cores_else_the_commonest_threads_worker_count():
    rows = (timed("a", {"sync": 1.0, "threads-2": 0.5}) + timed("b", {"sync": 1.0, "threads-2": 0.5})
            + timed("c", {"sync": 1.0, "threads-4": 0.5}))
    assert ctx_of(rows, {"cores": 8}).n == 8
    assert ctx_of(rows, {"cpu_count": 3}).n == 3
    assert ctx_of(rows, {}).n == 2
    assert ctx_of(timed("a", {"sync": 1.0}), {}).n == 1  # nothing to go by: one worker


def test_context_reads_the_run_state_from_meta():
    ctx = ctx_of(timed("w", {"sync": 1.0}), {"cores": 2, "gil_enabled": 0, "free_threaded_build": 1,
                                             "openmp_kernels": False})
    assert (ctx.gil_enabled, ctx.free_threaded, ctx.openmp) == (False, True, False)
    ctx = ctx_of(timed("w", {"sync": 1.0}))
    assert (ctx.gil_enabled, ctx.free_threaded, ctx.openmp) == (None, None, None)
    assert context(pd.DataFrame(), {}).rows == {}


def test_workloads_by_claim_and_family_and_their_params():
    rows = (timed("a", {"sync": 1.0, "threads-2": 0.5}, claims=["C1"], family="f", params={"k": 3})
            + timed("b", {"sync": 1.0}, claims=["C1", "C2"]))
    ctx = ctx_of(rows)
    assert ctx.workloads() == ["a", "b"]
    assert ctx.workloads("C2") == ["b"] and ctx.workloads(family="f") == ["a"]
    assert ctx.param("a", "k") == 3 and ctx.param("a", "x") is None and ctx.param("z", "k") is None


def test_experiment_cells_keep_ok_samples_by_spinner_and_switch_interval():
    raw = pd.DataFrame([
        {"workload": "convoy", "collection": "experiment", "status": "ok", "wall_s": 1.0,
         "params": {"spinner": True, "switch_interval_ms": 5}},
        {"workload": "convoy", "collection": "experiment", "status": None, "wall_s": 1.5,
         "params": {"spinner": True, "switch_interval_ms": 5}},
        {"workload": "convoy", "collection": "experiment", "status": "error", "wall_s": 9.0,
         "params": {"spinner": True, "switch_interval_ms": 5}},
        {"workload": "convoy", "collection": "experiment", "status": "ok", "wall_s": 2.0,
         "params": {"spinner": False, "switch_interval_ms": 0.5}},
        {"workload": "convoy", "collection": "experiment", "status": "ok", "wall_s": None,
         "params": {"spinner": False, "switch_interval_ms": 0.5}},
        {"workload": "w", "collection": "array", "status": "ok", "wall_s": 3.0, "params": {"spinner": True}},
    ])
    ctx = ctx_of(timed("w", {"sync": 1.0}), raw=raw)
    assert ctx.cells == {"convoy/spinner=True/5.0": [1.0, 1.5], "convoy/spinner=False/0.5": [2.0]}


def test_rerun_lengths_leave_out_groups_stopped_by_time():
    meta = {"cores": 2, "looks": {"first": 5, "last": 30},
            "workloads": [{"name": "a"}, {"name": "b", "interleave": "pair"}, {"name": "c", "interleave": "pair"},
                          {"name": "d"}]}
    rounds = [{"workload": "a", "stopped": "decided"}, {"workload": "b", "stopped": "decided"},
              {"workload": "c", "stopped": "time cap"}, {"workload": "d", "stopped": "decided", "scale": 0.5}]
    ctx = ctx_of(timed("a", {"sync": 1.0}), meta, rounds=rounds)
    assert ctx.lengths == {"a": 30}  # b's twin stopped at its cap; d ran on caps the budget had cut
    assert ctx_of(timed("a", {"sync": 1.0}), {"cores": 2}, rounds=rounds).lengths == {}


def _row(name, median, n=6, spread=0.02):
    return table(pd.DataFrame(timed("w", {name: median}, n=n, spread=spread))).to_dict("records")[0]


def test_versus_and_the_one_sided_tests():
    fast, slow = _row("threads-2", 0.5), _row("sync", 1.0)
    c = evidence.versus(fast, slow)
    assert c.ratio == pytest.approx(2.0, rel=0.02) and c.outcome == "above"
    assert evidence.above(c) is True and evidence.below(c) is False
    assert evidence.below(evidence.versus(fast, slow, factor=3.0)) is True  # less than 3x faster
    assert evidence.above(evidence.versus(fast, slow, factor=2.0)) is None  # the interval holds 2
    assert evidence.versus(fast, None) is None and evidence.above(None) is None
    assert evidence.outcome_is(c, "above", "equivalent") is True and evidence.outcome_is(c, "below") is False


def test_versus_names_the_schedulers_else_the_workloads():
    failed = {**_row("threads-2", 0.5), "n_failed": 1}
    assert evidence.versus(failed, _row("sync", 1.0)).reason == "threads-2: 1 failed or mismatched repeat(s)"
    failed = {**_row("sync", 0.5), "n_failed": 1}
    assert evidence.versus(failed, {**_row("sync", 1.0), "workload": "v"}).reason == (
        "w: 1 failed or mismatched repeat(s)")


def test_gains_is_one_test_at_one_bar():
    fast, slow = _row("threads-2", 0.5), _row("sync", 1.0)
    assert evidence.gains(fast, slow) is True
    assert evidence.gains(slow, fast) is False
    noisy = _row("threads-2", 0.95, n=5, spread=0.6)
    assert evidence.gains(noisy, slow) is None


def test_gains_never_decides_both_ways_for_one_true_ratio():
    # A true speedup between 1 and 1.1 used to be decidable either way: "faster" once the interval
    # cleared 1, "no gain" once it fell under 1.1 (C10 swapped between quick runs so: df-str-arrow
    # 0.978x [0.878-1.09] "no gain" in one, 1.05x [1.001-1.11] "faster" in another).  One bar now.
    slow = _row("sync", 1.0)
    spans_one = _row("threads-2", 1 / 1.02, n=8, spread=0.07)  # ~1.02x, its interval holds 1 and lies under 1.1
    c = evidence.versus(spans_one, slow)
    assert c.lo < 1.0 < c.hi < 1.1
    assert evidence.gains(spans_one, slow) is None
    a_little = _row("threads-2", 1 / 1.05, n=8, spread=0.01)  # 1.05x, tightly: faster, however little
    assert evidence.gains(a_little, slow) is True


@pytest.mark.parametrize("tests, all_of, majority", [
    ([], UNSURE, UNSURE),
    ([True], HOLDS, HOLDS),
    ([None], UNSURE, UNSURE),
    ([True, None], UNSURE, UNSURE),
    ([False, None], FAILS, FAILS),
    ([True, False], FAILS, UNSURE),
    ([True, True, False], FAILS, HOLDS),
    ([False, False, True, True], FAILS, UNSURE),
    ([False, None, None, True], FAILS, UNSURE),
])
def test_all_of_and_majority(tests, all_of, majority):
    assert evidence.all_of(tests) == all_of
    assert evidence.majority(tests) == majority


def test_flat_bar_grows_with_the_cores_up_to_four():
    assert [evidence.flat_bar(n) for n in (1, 2, 3, 4, 64)] == [1.0, 1.25, 1.5, 1.75, 1.75]


def test_figures_in_numbers_and_in_words():
    fast, slow = _row("threads-2", 0.5), _row("sync", 1.0)
    f = evidence.figure(evidence.versus(fast, slow))
    assert set(f) >= {"ratio", "lo", "hi", "outcome"} and evidence.figure(None) is None
    assert evidence.shown(f).startswith("2") and "[" in evidence.shown(f)
    assert evidence.shown({"ratio": 1.5, "lo": None}) == "1.5× (undecided)"
    assert evidence.rounded("x") is None and evidence.rounded(1.23456) == 1.235 and evidence.rounded(2.5, 0) == 2.0


def test_verdicts_and_what_was_not_measured():
    v = evidence.verdict(HOLDS, {}, "> 1.5x", "fast")
    assert v == {"verdict": HOLDS, "numbers": {"missing": ["no figures"]}, "threshold": "> 1.5x", "reason": "fast"}
    m = evidence.missing("bar", [f"w{i}" for i in range(8)] + ["w0"], {"n": 1})
    assert m["verdict"] == UNSURE and m["numbers"]["missing"] == [f"w{i}" for i in range(8)]
    assert m["numbers"]["n"] == 1
    assert m["reason"] == "Not measured: w0, w1, w2, w3, w4, w5 and 2 more."
