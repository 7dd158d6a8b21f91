"""Recommendations on synthetic runs: the fastest wins, equivalents go to the simplest, undecided says so."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from reports import table as stattable
from reports.evidence import context
from reports.recommend import pick, recommend
from _factories import timed as _timed


def timed(workload, medians, **kw):
    """Rows of *workload* (see _factories.timed), with 10 tasks a repeat unless told."""
    return _timed(workload, medians, **{"ntasks": 10, **kw})


def recs(*groups, cores=2, resamples=50):
    rows = pd.DataFrame([r for g in groups for r in g])
    ctx = context(stattable.table(rows), {"cores": cores}, rows)
    return {r["workload"]: r for r in recommend(ctx, resamples=resamples)}


def no_bad_wording(text):
    assert not re.search(r"(?<![\d.])1(\.0+)?× faster", text), text
    assert "not significantly" not in text and "p=" not in text, text


def test_recommend_picks_the_fastest_and_explains_with_the_gil():
    r = recs(timed("my-parse", {"sync": 1.0, "threads-2": 1.0, "processes-2": 0.55}, collection="delayed",
                   gil={"threads-2": 0.93}, bytes_moved={"processes-2": 2e6}))["my-parse"]
    assert r["scheduler"] == "processes-2" and r["status"] == "fastest"
    assert "processes-2 1.82× faster than" in r["explanation"]
    assert "a thread waited for the GIL 93% of the time under threads-2" in r["explanation"]
    assert "processes-2 moved 2 MB" in r["explanation"]
    assert r["evidence"]["gil_median"] == 0.93
    assert r["differs_from_default"] and r["default"] == "threads-2"
    assert "vs Dask's default" in r["explanation"]
    no_bad_wording(r["explanation"])


def test_recommend_equivalent_specs_go_to_the_simplest():
    r = recs(timed("tiny", {"sync": 1.0, "threads-2": 0.99, "processes-2": 0.98}))["tiny"]
    assert r["scheduler"] == "sync" and r["status"] == "equivalent"
    assert r["evidence"]["fastest"] == "processes-2"
    assert set(r["evidence"]["equivalent_to_fastest"]) == {"sync", "threads-2"}
    assert "equivalent" in r["explanation"] and "so the simpler one" in r["explanation"]
    no_bad_wording(r["explanation"])


def test_recommend_threads_over_processes_when_equivalent():
    r = recs(timed("np", {"sync": 1.0, "threads-2": 0.52, "processes-2": 0.51}, gil={"threads-2": 0.05}))["np"]
    assert r["scheduler"] == "threads-2" and r["status"] == "equivalent"
    assert not r["differs_from_default"] and "Dask's default" in r["explanation"]


def test_recommend_five_percent_gap_with_a_tight_interval_is_a_real_difference():
    # Shown slower than the fastest (interval above 1): beaten, even though within +-10 % -- equivalence
    # never hides a difference the interval has shown.
    r = recs(timed("close", {"sync": 1.0, "processes-2": 0.95}, spread=0.005))["close"]
    assert r["scheduler"] == "processes-2" and r["status"] == "fastest"
    c = r["evidence"]["comparisons"]["sync"]
    assert c["outcome"] == "above" and c["ratio"] == pytest.approx(1 / 0.95, rel=1e-3) and c["lo"] > 1
    assert r["evidence"]["beaten_by_fastest"] == ["sync"] and r["evidence"]["equivalent_to_fastest"] == []
    assert "processes-2 1.05× faster than sync" in r["explanation"]
    no_bad_wording(r["explanation"])


def test_recommend_five_percent_gap_within_the_noise_is_equivalent():
    r = recs(timed("close", {"sync": 1.0, "processes-2": 0.98}, spread=0.03))["close"]
    assert r["scheduler"] == "sync" and r["status"] == "equivalent"
    c = r["evidence"]["comparisons"]["sync"]
    assert c["outcome"] == "equivalent" and c["lo"] < 1 < c["hi"]
    assert "equivalent: B/A" in r["explanation"] and "so the simpler one" in r["explanation"]
    no_bad_wording(r["explanation"])


def test_recommend_small_real_gap_is_named_with_its_size():
    r = recs(timed("gap", {"sync": 1.0, "processes-2": 0.8}, spread=0.005))["gap"]
    assert r["scheduler"] == "processes-2" and r["status"] == "fastest"
    assert "processes-2 1.25× faster than sync" in r["explanation"]
    no_bad_wording(r["explanation"])


def test_recommend_undecided_at_the_cap_names_both_and_keeps_the_fastest():
    r = recs(timed("noisy", {"sync": 1.0, "processes-2": 0.9}, spread=0.2))["noisy"]
    assert r["status"] == "undecided"
    assert r["scheduler"] == "processes-2"  # not a quiet fallback to sync
    assert "undecided between processes-2 and sync" in r["explanation"]
    assert r["evidence"]["undecided_with_fastest"] == ["sync"]
    no_bad_wording(r["explanation"])


def test_recommend_too_few_repeats_is_undecided_and_said():
    r = recs(timed("short", {"sync": 1.0, "threads-2": 0.5}, n=3))["short"]
    assert r["status"] == "undecided" and r["scheduler"] == "threads-2"
    assert "fewer than 5 repeats on sync, threads-2" in r["explanation"]


def test_recommend_never_a_spec_with_failed_or_mismatched_repeats():
    """The case of issue 13: sync with 1 ok repeat, 1 mismatch and 1 error against a 9.9x faster threads row."""
    rows = timed("bag-json", {"sync": 9.9, "threads-2": 1.0}, collection="bag", n={"sync": 1},
                 failures={"sync": ["mismatch", "error"]})
    r = recs(rows)["bag-json"]
    assert r["scheduler"] == "threads-2"
    assert r["evidence"]["equivalent_to_fastest"] == [] and "sync" not in r["evidence"]["comparisons"]


@pytest.mark.parametrize("status", ["error", "mismatch"])
def test_recommend_never_the_fastest_median_if_it_failed_a_repeat(status):
    r = recs(timed("w", {"sync": 1.0, "threads-2": 0.9, "processes-2": 0.3}, failures={"processes-2": [status]}))["w"]
    assert r["scheduler"] == "threads-2" and r["evidence"]["fastest"] == "threads-2"


def test_recommend_reports_failure_when_no_spec_is_healthy():
    r = recs(timed("dead", {"sync": 1.0, "threads-2": 0.5}, failures={"sync": ["error"], "threads-2": ["mismatch"]}))
    assert r["dead"]["scheduler"] is None and r["dead"]["status"] == "failed"
    assert "no spec finished its repeats without a failure" in r["dead"]["explanation"]
    assert "error: ValueError boom" in r["dead"]["explanation"]


def test_recommend_flags_a_speedup_beyond_the_cores_as_an_artefact():
    r = recs(timed("json", {"sync": 3.7, "processes-2": 1.0}, collection="bag"))["json"]
    assert r["scheduler"] == "processes-2" and r["evidence"]["artefact"]
    assert "ARTEFACT to explain: 3.7× over sync exceeds the 2 cores" in r["explanation"]


def test_recommend_carries_its_stability():
    out = recs(timed("a", {"sync": 1.0, "threads-2": 0.5}), timed("b", {"sync": 1.0, "processes-2": 0.9}, spread=0.2))
    assert out["a"]["stability"] == 1.0 and not out["a"]["fragile"]
    assert all(r["rerun_agreement"] == r["stability"] for r in out.values())
    assert 0.0 <= out["b"]["stability"] <= 1.0
    assert out["b"]["fragile"] == (out["b"]["stability"] < 0.9)


def test_recommend_one_per_workload_and_skips_experiments():
    conv = [dict(r, collection="experiment") for r in timed("convoy", {"threads-1": 0.05, "threads-2": 0.1})]
    out = recs(timed("a", {"sync": 1.0, "threads-2": 0.5}), timed("b", {"sync": 1.0}), conv)
    assert set(out) == {"a", "b"}
    assert out["b"]["scheduler"] == "sync" and out["b"]["status"] == "fastest"


def test_recommend_empty_context():
    assert recommend(context(pd.DataFrame(), {"cores": 2}), resamples=5) == []


def test_pick_orders_simplicity_by_kind_then_threads():
    # All within a +-3 % spread of each other: none shown slower than the fastest, all equivalent to it.
    rows = [{"scheduler": s, "kind": k, "nthreads": t, "times": [m * f for f in (0.97, 1.0, 1.03, 1.015, 0.985)]}
            for s, k, t, m in (("distributed-2x1", "distributed", 2, 1.0), ("threads-4", "threads", 4, 1.0),
                               ("threads-2", "threads", 2, 1.005), ("processes-2", "processes", 2, 0.995))]
    for r in rows:
        r["median_s"] = sorted(r["times"])[2]
    p = pick(rows)
    assert p["fastest"] == "processes-2" and p["scheduler"] == "threads-2" and p["status"] == "equivalent"
    assert sorted(p["equivalent"]) == ["distributed-2x1", "threads-2", "threads-4"] and p["beaten"] == []


# --- the gate: only healthy rows are candidates -----------------------------------------------------

def test_recommend_never_an_unstable_row_under_a_millisecond():
    r = recs(timed("tiny", {"sync": 1.0, "threads-2": 0.9, "processes-2": 0.0005}))["tiny"]
    assert r["scheduler"] == "threads-2" and r["evidence"]["fastest"] == "threads-2"
    assert "processes-2" not in r["evidence"]["comparisons"]


def test_recommend_never_an_unstable_row_with_a_spread_over_100_percent():
    rows = timed("erratic", {"sync": 1.0, "threads-2": 0.9, "processes-2": 0.3})
    wild = iter([0.05, 0.3, 0.9, 0.1, 1.2, 0.06])  # median 0.2, IQR well over the median
    for x in rows:
        if x["scheduler"] == "processes-2":
            x["wall_s"] = next(wild)
    t = stattable.table(pd.DataFrame(rows))
    p = t.set_index("scheduler").loc["processes-2"]
    assert p["unstable"] and "spread" in p["unstable_reason"] and p["median_s"] < 0.9
    r = recs(rows)["erratic"]
    assert r["scheduler"] == "threads-2" and "processes-2" not in r["evidence"]["comparisons"]


def test_pick_gate_leaves_out_failed_missing_and_unstable_rows():
    def row(s, kind, m, **kw):
        times = [m * f for f in (0.99, 1.0, 1.01, 1.0, 0.995)]
        return {"scheduler": s, "kind": kind, "nthreads": 2, "times": times, "median_s": m, **kw}

    rows = [row("sync", "sync", 1.0), row("threads-2", "threads", 0.5, unstable=True),
            row("processes-2", "processes", 0.4, n_failed=1), row("distributed-2x1", "distributed", 0.3,
                                                                      missing="no ok repeat"),
            row("threads-4", "threads", 0.2, check_ok=False)]
    p = pick(rows)
    assert p["scheduler"] == "sync" and p["fastest"] == "sync" and p["comparisons"] == {}
    assert pick(rows[1:]) is None


def test_pick_compares_paired_by_round_with_the_fastest():
    keys = [f"0:w:{i}" for i in range(8)]
    drift = [1.0, 1.3, 0.75, 1.2, 0.85, 1.1, 0.9, 1.0]
    sync = {"scheduler": "sync", "kind": "sync", "nthreads": 1, "keys": keys,
            "times": [d * (1 + 0.005 * (i % 2)) for i, d in enumerate(drift)]}
    thr = {"scheduler": "threads-2", "kind": "threads", "nthreads": 2, "keys": keys,
           "times": [d / 1.15 * (1 - 0.005 * (i % 2)) for i, d in enumerate(drift)]}
    for r in (sync, thr):
        r["median_s"] = sorted(r["times"])[4]
    p = pick([sync, thr])
    c = p["comparisons"]["sync"]
    assert c.method == "paired" and c.outcome == "above" and p["beaten"] == ["sync"]
    assert p["scheduler"] == "threads-2" and p["status"] == "fastest"
