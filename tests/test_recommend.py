"""Recommendations on synthetic runs: the fastest wins, equivalents go to the simplest, undecided keeps Dask's
default, as-shipped readings are the candidates, every recommendation has a headline and the code to paste."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from reports import table as stattable
from reports.evidence import context
from reports import model_advice
from reports.recommend import DEFAULT_UNDECIDED, add_model_terms, break_even, code_of, pick, recommend
from runners.records import paste
from runners.records.kinds import parse
from _factories import timed as _timed


def timed(workload, medians, peak_rss=None, **kw):
    """Rows of *workload* (see _factories.timed), with 10 tasks a repeat unless told; each row says whether it is
    an as-shipped reading (``processes-2-shipped``), and carries *peak_rss* ``{label: bytes}``."""
    rows = _timed(workload, medians, **{"ntasks": 10, **kw})
    for r in rows:
        r["as_shipped"] = parse(r["scheduler"]).as_shipped
        r["peak_rss"] = (peak_rss or {}).get(r["scheduler"])
    return rows


def recs(*groups, cores=2, resamples=50, startup=None, table=None):
    rows = pd.DataFrame([r for g in groups for r in g])
    t = stattable.table(rows) if table is None else table(rows)
    ctx = context(t, {"cores": cores}, rows)
    return {r["workload"]: r for r in recommend(ctx, resamples=resamples, startup=startup)}


def test_table_keeps_the_as_shipped_flag():
    t = stattable.table(pd.DataFrame(timed("w", {"processes-2": 0.5, "processes-2-shipped": 0.8})))
    assert dict(zip(t["scheduler"], t["as_shipped"])) == {"processes-2": False, "processes-2-shipped": True}


def started(**start_s):
    """A start-up frame as ``reports.load`` gives it: ``started(processes_2=1.0)`` for label processes-2."""
    return pd.DataFrame([{"run_id": "t", "scheduler": k.replace("_", "-"), "kind": k.split("_")[0], "start_s": v,
                          "stop_s": 0.1, "status": "ok"} for k, v in start_s.items()])


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


# --- as Dask ships it: the as-shipped reading is the candidate, the tuned one is reported beside it --------------

def test_recommend_reads_the_as_shipped_reading_not_the_kept_pool():
    # The kept pool (processes-2) is fastest by median; the old rule recommended it.  Users of Dask's
    # defaults get processes-2-shipped: that is the candidate, and the kept pool is reported beside it.
    r = recs(timed("parse", {"threads-2": 1.0, "processes-2": 0.5, "processes-2-shipped": 0.8}, collection="delayed",
                   spread=0.005), startup=started(processes_2=1.0), table=None)["parse"]
    assert r["scheduler"] == "processes-2-shipped" and r["status"] == "fastest"
    ev = r["evidence"]
    assert "processes-2" not in ev["comparisons"] and ev["tuned_beside"] == {"processes-2-shipped": "processes-2"}
    kept = ev["break_even"]["processes-2-shipped"]
    assert kept["tuned"] == "processes-2" and kept["start_s"] == 1.0
    assert kept["break_even"] == 4  # a kept pool: 1 s once + 0.5 s a compute; as shipped 0.8 s a compute: 1 / 0.3
    lo, hi = kept["break_even_range"]
    assert lo <= 4 <= hi
    assert kept["tuned_vs_shipped"]["outcome"] == "above"
    assert "kept pool processes-2 1.6× [1.5" in r["explanation"] and "faster per compute (500 ms vs 800 ms" in \
        r["explanation"]
    assert re.search(r"with its 1 s start-up it pays off after 4 computes( \[\d+–\d+\]| \(4 at either end of its "
                     r"interval\))", r["explanation"])
    no_bad_wording(r["explanation"])


def test_recommend_kept_pool_that_is_no_faster_never_pays_off():
    r = recs(timed("io", {"sync": 1.0, "processes-2": 0.55, "processes-2-shipped": 0.5}, collection="bag",
                   spread=0.005), startup=started(processes_2=0.7), table=None)["io"]
    assert r["scheduler"] == "processes-2-shipped"
    assert r["evidence"]["break_even"]["processes-2-shipped"]["break_even"] == "never"
    assert "it never pays off" in r["explanation"]


def test_recommend_break_even_without_start_up_says_it_is_not_measured():
    r = recs(timed("io", {"sync": 1.0, "processes-2": 0.4, "processes-2-shipped": 0.5}, collection="bag",
                   spread=0.005), table=None)["io"]
    kept = r["evidence"]["break_even"]["processes-2-shipped"]
    assert kept["start_s"] is None and kept["break_even"] is None
    assert "start-up not measured" in r["explanation"]


def test_recommend_states_the_break_even_of_dasks_default_too():
    # sync wins; Dask's default for a bag is the as-shipped pool, and its kept twin's break-even is stated.
    r = recs(timed("b", {"sync": 0.3, "processes-2": 0.5, "processes-2-shipped": 0.9}, collection="bag",
                   spread=0.005), startup=started(processes_2=2.0), table=None)["b"]
    assert r["scheduler"] == "sync" and r["default"] == "processes-2-shipped" and r["differs_from_default"]
    assert r["evidence"]["break_even"]["processes-2-shipped"]["break_even"] == 5  # 2 / (0.9 - 0.5)
    assert "not Dask's default (processes-2-shipped)" in r["headline"]


def test_default_is_the_as_shipped_reading_and_old_rows_read_as_before():
    new = recs(timed("b", {"sync": 1.0, "processes-2": 0.6, "processes-2-shipped": 0.7}, collection="bag"), table=None)["b"]
    assert new["default"] == "processes-2-shipped"
    old = recs(timed("b", {"sync": 1.0, "processes-2": 0.6}, collection="bag"))["b"]
    assert old["default"] == "processes-2" and old["scheduler"] == "processes-2" and not old["differs_from_default"]
    assert "break_even" not in old["evidence"] and "tuned_beside" not in old["evidence"]


def test_break_even_counts_whole_computes():
    assert break_even(1.0, 0.8, 0.5) == 4 and break_even(0.9, 0.8, 0.5) == 3
    assert break_even(1.0, 0.5, 0.5) is None and break_even(1.0, 0.4, 0.5) is None


# --- undecided means the default ----------------------------------------------------------------------------

def test_recommend_undecided_against_the_default_keeps_the_default():
    # Faster by median, not shown faster: the old rule recommended processes-2-shipped, marked undecided.
    r = recs(timed("noisy", {"threads-2": 1.0, "processes-2-shipped": 0.9}, spread=0.2))["noisy"]
    assert r["scheduler"] == "threads-2" and r["status"] == DEFAULT_UNDECIDED
    assert r["default"] == "threads-2" and not r["differs_from_default"]
    assert r["evidence"]["candidate"] == "processes-2-shipped"
    c = r["evidence"]["candidate_vs_default"]
    assert c["outcome"] == "undecided" and c["lo"] < 1 < c["hi"]
    assert re.search(r"^threads-2: Dask's default, kept: processes-2-shipped might be faster, 1\.11× \[[\d.]+–[\d.]+\], "
                     r"undecided", r["explanation"])
    assert r["headline"].startswith("threads-2: Dask's default; processes-2-shipped might be faster, 1.11× [")
    assert r["code"] == paste.code(parse("threads-2"))
    no_bad_wording(r["explanation"] + r["headline"])


def test_recommend_a_change_shown_faster_than_the_default_stands_even_when_another_pair_is_undecided():
    r = recs(timed("w", {"sync": 1.0, "threads-2": 2.0, "processes-2": 0.9}, spread={"sync": 0.2, "processes-2": 0.2,
                                                                                   "threads-2": 0.005}))["w"]
    assert r["scheduler"] == "processes-2" and r["status"] == "undecided"
    assert r["evidence"]["comparisons"]["threads-2"]["outcome"] == "above"
    assert "2.22× [" in r["headline"] and "faster than threads-2" in r["headline"]
    assert "undecided vs sync" in r["headline"] and "not Dask's default (threads-2)" in r["headline"]


def test_pick_without_a_default_keeps_the_fastest_when_undecided():
    rows = [{"scheduler": s, "kind": k, "nthreads": 2, "times": t, "median_s": sorted(t)[2]}
            for s, k, t in (("threads-2", "threads", [1.0, 0.8, 1.2, 0.9, 1.1]),
                            ("processes-2", "processes", [0.9, 0.7, 1.1, 0.8, 1.0]))]
    assert pick(rows)["scheduler"] == "processes-2" and pick(rows)["status"] == "undecided"
    p = pick(rows, default="threads-2")
    assert p["scheduler"] == "threads-2" and p["status"] == DEFAULT_UNDECIDED and p["candidate"] == "processes-2"


# --- the code to paste and the headline ------------------------------------------------------------------------

def test_every_recommendation_carries_the_code_it_measured():
    out = recs(timed("a", {"sync": 1.0, "threads-2": 0.5}), timed("b", {"sync": 1.0, "processes-2-shipped": 0.5},
                                                                   spread=0.005),
               timed("c", {"sync": 1.0, "distributed-2x1": 0.5}, spread=0.005),
               timed("dead", {"sync": 1.0}, failures={"sync": ["error"]}))
    for r in out.values():
        if r["scheduler"] is None:
            assert r["code"] is None and r["code_line"] is None
            continue
        assert r["code"] == paste.code(parse(r["scheduler"])), r
        assert r["code_line"] == paste.one_line(parse(r["scheduler"]))
    assert out["b"]["code"] == 'import dask\ndask.config.set(scheduler="processes", num_workers=2)' \
                               "  # a new pool of 2 per compute, 6 tasks per batch"
    assert "LocalCluster(n_workers=2, threads_per_worker=1)" in out["c"]["code"]


def test_code_of_an_address_and_of_no_spec():
    code, line = code_of("distributed@tcp://10.0.0.5:8786-2x1")
    assert code == paste.code(parse("distributed@tcp://10.0.0.5:8786")) and 'Client("tcp://10.0.0.5:8786")' in line
    assert code_of("quantum-7") == (None, None) and code_of(None) == (None, None)


@pytest.mark.parametrize("medians,kw", [
    ({"sync": 1.0, "threads-2": 0.5}, {}),
    ({"sync": 1.0, "threads-2": 0.99, "processes-2": 0.98}, {}),
    ({"sync": 1.0, "processes-2": 0.55, "processes-2-shipped": 0.6}, {"collection": "delayed", "spread": 0.005}),
    ({"threads-2": 1.0, "processes-2-shipped": 0.9}, {"spread": 0.2}),
    ({"sync": 1.0, "processes-2": 0.9}, {"spread": 0.2}),
])
def test_headline_reads_in_ten_seconds(medians, kw):
    r = recs(timed("w", medians, **kw), startup=started(processes_2=0.5), table=None)["w"]
    h = r["headline"]
    assert h.startswith(f"{r['scheduler']}: ") and len(h.split()) <= 22, h
    assert re.search(r"\d× \[[\d.]+–[\d.]+\]|no interval", h), h  # the deciding comparison with its interval
    assert ("not Dask's default (" in h) == r["differs_from_default"] and "Dask's default" in h
    assert len(h) < len(r["explanation"]) and r["explanation"].startswith(f"{r['scheduler']}: ")
    no_bad_wording(h)


# --- memory where it matters -----------------------------------------------------------------------------------

def test_recommend_says_when_the_pick_needs_several_times_the_memory():
    r = recs(timed("m", {"sync": 1.0, "processes-2-shipped": 0.5}, collection="bag", spread=0.005,
                   peak_rss={"sync": 200e6, "processes-2-shipped": 820e6}))["m"]
    assert r["scheduler"] == "processes-2-shipped"
    mem = r["evidence"]["memory"]
    assert mem["ratio"] == 4.1 and mem["of"] == "sync" and mem["peak_rss"] == 820_000_000
    assert "needs 4.1× the memory of sync (820 MB vs 200 MB)" in r["headline"]
    assert "needs 4.1× the memory of sync" in r["explanation"]


def test_recommend_says_nothing_of_memory_under_three_times():
    r = recs(timed("m", {"sync": 1.0, "threads-2": 0.5}, spread=0.005,
                   peak_rss={"sync": 200e6, "threads-2": 590e6}))["m"]
    assert "memory" not in r["evidence"] and "memory" not in r["headline"]


def test_recommend_memory_against_the_default_without_sync():
    r = recs(timed("m", {"threads-2": 1.0, "processes-2-shipped": 0.5}, spread=0.005,
                   peak_rss={"threads-2": 100e6, "processes-2-shipped": 500e6}))["m"]
    assert r["evidence"]["memory"]["of"] == "threads-2" and "5× the memory of threads-2" in r["headline"]


# --- the model's terms ---------------------------------------------------------------------------------------------

def test_model_terms_not_measured_are_said_so_never_zero():
    out = recs(timed("w", {"sync": 1.0, "threads-2": 0.5}))
    pred = {"workload": "w", "scheduler": "threads-2", "kind": "threads", "g": None, "n": 10, "cores_used": 2,
            "dominant_term": "compute", "terms": {"gil": 0.0, "compute": 0.5, "handoff": 0.0, "overhead": 0.0},
            "missing": ["GIL share", "per-task overhead of threads"], "predicted_s": 0.5, "measured_s": 0.5}
    rs = list(out.values())
    add_model_terms(rs, [pred], model_advice.explain_terms)
    text = rs[0]["explanation"]
    assert "scheduler overhead per task not measured" in text and "GIL-held share not measured" in text
    assert "0 µs" not in text and " 0 s" not in text


def test_recommend_break_even_range_reaches_never_when_the_kept_pool_is_not_shown_faster():
    r = recs(timed("w", {"sync": 1.0, "processes-2": 0.5, "processes-2-shipped": 0.6}, collection="bag",
                   spread={"sync": 0.005, "processes-2": 0.2, "processes-2-shipped": 0.2}),
             startup=started(processes_2=1.0), table=None)["w"]
    kept = r["evidence"]["break_even"]["processes-2-shipped"]
    assert kept["tuned_vs_shipped"]["outcome"] == "undecided" and kept["break_even"] == 10  # 1 / (0.6 - 0.5)
    assert kept["break_even_range"][1] == "never" and kept["break_even_range"][0] <= 10
    assert "kept pool processes-2 not shown faster per compute: 1.2× [" in r["explanation"]
    assert re.search(r"pays off after 10 computes \[\d+–never\]", r["explanation"])


def test_recommend_break_even_of_a_failed_kept_pool_says_so():
    r = recs(timed("w", {"sync": 1.0, "processes-2": 0.4, "processes-2-shipped": 0.5}, collection="bag",
                   spread=0.005, failures={"processes-2": ["error"]}),
             startup=started(processes_2=1.0), table=None)["w"]
    assert r["scheduler"] == "processes-2-shipped"
    kept = r["evidence"]["break_even"]["processes-2-shipped"]
    assert kept["break_even"] is None and "failed" in kept["unusable"]
    assert "no break-even, processes-2 not usable" in r["explanation"]
