"""Claim C12 (reports/claims/defaults.py): Dask's default per collection against every other spec measured."""
from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from _claimdata import arrays12, bags, verdict
from _factories import timed
from reports.claims.defaults import C12, LOSS, c12, why_default_lost
from reports.evidence import FAILS, HOLDS, UNSURE, Context, versus


def test_c12_holds_when_defaults_are_best():
    v = verdict("C12", arrays12(), *bags(1.0, 0.6))
    assert v["verdict"] == HOLDS
    assert v["numbers"]["array"]["default"] == "threads-2"
    assert v["numbers"]["bag"]["default_best_or_equivalent"] == 3


def test_c12_holds_when_the_default_is_equivalent_to_the_best():
    # processes 3 % faster than the threads default: within +-10 %, so the default is as good.
    arr = timed("array-transcendental", {"sync": 1.0, "threads-2": 0.5, "processes-2": 0.485}, claims=["C12"],
                spread=0.005)
    assert verdict("C12", arr)["verdict"] == HOLDS


def test_c12_does_not_hold_and_lists_losers():
    v = verdict("C12", *bags(0.5, 1.0))
    assert v["verdict"] == FAILS
    losers = v["numbers"]["bag"]["default_lost"]
    assert {x["workload"] for x in losers} == {"bag-json", "bag-wordcount", "stdlib-ast"}
    assert all(x["best"] == "threads-2" for x in losers)
    assert all(x["why"] == "scheduler overhead" for x in losers)


@pytest.mark.parametrize("threads, kw", [(0.57, {"spread": 0.2}), (0.5, {"n": 4}),
                                         (0.5, {"failures": {"threads-2": ["error"]}, "spread": 0.2})])
def test_c12_inconclusive_when_the_data_cannot_decide(threads, kw):
    assert verdict("C12", *bags(threads, 0.6, **kw))["verdict"] == UNSURE


@pytest.mark.parametrize("kw", [{"n": 1}, {"n": 4}, {"failures": {"processes-2": ["error"]}},
                                {"failures": {"processes-2": ["mismatch"]}}])
def test_c12_default_fastest_by_median_still_needs_a_comparison(kw):
    """The default with the lowest median on one repeat, or with a failed one, has shown nothing."""
    assert verdict("C12", *bags(1.0, 0.6))["verdict"] == HOLDS
    assert verdict("C12", *bags(1.0, 0.6, **kw))["verdict"] == UNSURE


def test_c12_inconclusive_without_data():
    assert verdict("C12")["verdict"] == UNSURE


@pytest.mark.parametrize("default, best, expected", [
    ({"kind": "threads", "scheduler": "threads-2", "gil_median": 0.8}, {"kind": "processes"},
     "GIL contention 0.80 under threads-2"),
    ({"kind": "processes", "scheduler": "processes-2", "bytes_moved": 2e6}, {"kind": "threads"},
     "processes-2 moved 2.0 MB"),
    ({"kind": "threads", "scheduler": "threads-2", "gil_median": 0.1}, {"kind": "sync"},
     "parallelism did not pay for its overhead"),
])
def test_why_default_lost_reads_the_kinds(default, best, expected):
    assert why_default_lost(default, best) == expected


def test_c12_asks_every_other_spec_against_the_collections_default():
    w = lambda coll: SimpleNamespace(name="w", collection=coll, params={}, claims=("C12",))  # noqa: E731
    assert C12.questions(w("bag"), 2) == [("others", "processes-2", LOSS, LOSS, None, "C12", None)]
    assert C12.questions(w("array"), 4) == [("others", "threads-4", LOSS, LOSS, None, "C12", None)]
    assert C12.questions(w("matrix"), 2) == []


# --- every other spec against the default, Bonferroni over the candidates -------------------------------

def _c12_ctx(rng, n=10, k=4, ratio=1.2, drift=0.15, sd=0.1):
    """One array workload: the threads-2 default and *k* candidates each *ratio* times faster, paired by round."""
    specs = [("threads", 2, "threads-2"), ("sync", 1, "sync"), ("processes", 2, "processes-2"),
             ("distributed", 2, "distributed-2x1"), ("threads", 4, "threads-4"), ("processes", 4, "processes-4")]
    d = rng.normal(0, drift, n)
    keys = [f"0:w:{i}" for i in range(n)]
    rows = {}
    for j, (kind, workers, label) in enumerate(specs[:k + 1]):
        base = 1.0 if j == 0 else 1.0 / ratio
        t = list(base * np.exp(d + rng.normal(0, sd, n)))
        rows[("w", label)] = {"workload": "w", "scheduler": label, "kind": kind, "workers": workers,
                              "threads_per_worker": 1, "collection": "array", "claims": ["C12"], "times": t,
                              "keys": keys, "median_s": float(np.median(t))}
    return Context(cores=2, n=2, gil_enabled=True, free_threaded=False, openmp=None, rows=rows)


def test_c12_default_lost_rate_at_the_bar_is_at_most_nominal():
    """k candidates each exactly LOSS times faster: the default 'lost' (a union of k tests) at most 2.5 % of runs."""
    rng = np.random.default_rng(12)
    draws, lost, uncorrected = 300, 0, 0
    for _ in range(draws):
        ctx = _c12_ctx(rng, ratio=LOSS)
        v = c12(ctx)
        lost += bool(v["numbers"]["array"]["default_lost"])
        d = ctx.row("w", "threads")
        uncorrected += any(versus(o, d, LOSS).outcome == "above" for o in ctx.rows.values() if o is not d)
    se = math.sqrt(0.025 * 0.975 / draws)
    assert lost / draws <= 0.025 + 2 * se, lost / draws
    assert uncorrected > lost  # the correction is what keeps it there


def test_c12_a_candidate_clearly_faster_still_makes_the_default_lose():
    v = c12(_c12_ctx(np.random.default_rng(1), n=12, k=4, ratio=2.0))
    assert v["verdict"] == FAILS and v["numbers"]["array"]["default_lost"]
    v = c12(_c12_ctx(np.random.default_rng(1), n=12, k=4, ratio=0.6))
    assert v["verdict"] == HOLDS


def test_the_defaults_record():
    assert not C12.scaling and C12.plot.drawing == "defaults" and C12.verdict is c12


def test_c12_reads_the_bag_default_as_dask_ships_it_where_that_was_measured():
    # The kept pool beats sync on every bag workload; Dask's default, a pool per compute, loses to sync.
    bags_ = [timed(w, {"sync": 1.0, "threads-2": 1.0, "processes-2": 0.55, "processes-2-shipped": 2.4},
                   claims=["C12"], collection="bag") for w in ("bag-json", "bag-wordcount", "stdlib-ast")]
    arr = timed("array-transcendental", {"sync": 1.0, "threads-2": 0.5, "processes-2-shipped": 3.0}, claims=["C12"])
    v = verdict("C12", *bags_, arr)
    assert v["verdict"] == FAILS and v["numbers"]["bag"]["as_shipped_on"] == ["bag-json", "bag-wordcount", "stdlib-ast"]
    assert v["numbers"]["bag"]["default"] == "processes-2-shipped" and v["numbers"]["array"]["default"] == "threads-2"
    tuned_only = [timed(w, {"sync": 1.0, "threads-2": 1.0, "processes-2": 0.55}, claims=["C12"], collection="bag")
                  for w in ("bag-json", "bag-wordcount", "stdlib-ast")]
    assert verdict("C12", *tuned_only)["verdict"] == HOLDS  # old results: the tuned reading, as before


def test_c12_asks_its_question_of_the_as_shipped_default_when_it_runs():
    from reports.claims.questions import still_open

    (q,) = C12.questions(SimpleNamespace(name="w", collection="bag", params={}, claims=("C12",)), 2)
    noisy = [1.0, 1.6, 0.7, 1.3, 0.9]  # nothing decided yet: every candidate against the default is open
    live = {"sync": noisy, "processes-2": noisy, "processes-2-shipped": noisy}
    assert {o.specs for o in still_open(live, [q], recommend=False)} == {("sync", "processes-2-shipped"),
                                                                         ("processes-2", "processes-2-shipped")}
    del live["processes-2-shipped"]  # not measured as shipped: the tuned default, as before
    assert {o.specs for o in still_open(live, [q], recommend=False)} == {("sync", "processes-2")}
