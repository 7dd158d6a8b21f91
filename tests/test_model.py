"""The cost model of reports/model.py on synthetic tables: formulas, dominant terms, hit rate, keys."""
from __future__ import annotations

import pandas as pd
import pytest

from reports import model, model_check, model_inputs
from reports.table import table
from tests._factories import timed

CONST = {"overhead_s": {"sync": 0.0, "threads-2": 0.0, "processes-2": 0.0, "distributed-2x1": 0.0},
         "throughput_Bps": {"ndarray": 1e8, "dicts": 1e7}, "startup_s": {"processes-2": 0.5}}


def inputs(g, t1=1.0, n=10, nbytes=0.0, collection="array"):
    return {"T1": t1, "n": n, "g": g, "g_source": "probe", "bytes": nbytes, "bytes_d": {}, "collection": collection}


@pytest.mark.parametrize("p", [2, 4, 16])
def test_amdahl_gil_held_throughout_predicts_no_speedup(p):
    pr = model.predict_spec(inputs(1.0), "threads", p, 1, p, CONST)
    assert pr["predicted_s"] == pytest.approx(1.0)
    assert pr["dominant_term"] == "gil"


@pytest.mark.parametrize("p", [2, 4, 16])
def test_amdahl_gil_free_predicts_p_times(p):
    pr = model.predict_spec(inputs(0.0), "threads", p, 1, p, CONST)
    assert pr["predicted_s"] == pytest.approx(1.0 / p)
    assert pr["dominant_term"] == "compute"


def test_threads_capped_by_cores():
    assert model.predict_spec(inputs(0.0), "threads", 8, 1, 2, CONST)["predicted_s"] == pytest.approx(0.5)


def test_processes_ignore_the_gil_but_pay_bytes_and_overhead():
    c = {**CONST, "overhead_s": {**CONST["overhead_s"], "processes-2": 0.01}}
    pr = model.predict_spec(inputs(1.0, nbytes=2e7), "processes", 2, 1, 2, c)
    assert pr["terms"]["compute"] == pytest.approx(0.5)
    assert pr["terms"]["bytes"] == pytest.approx(0.2)  # 20 MB at 100 MB/s (an array workload)
    assert pr["terms"]["overhead"] == pytest.approx(0.1)
    assert pr["predicted_s"] == pytest.approx(0.8)
    assert pr["startup_s"] == 0.5  # reported, not added


def test_bags_are_charged_at_the_object_throughput():
    pr = model.predict_spec(inputs(1.0, nbytes=1e7, collection="bag"), "processes", 2, 1, 2, CONST)
    assert pr["terms"]["bytes"] == pytest.approx(1.0)
    assert pr["dominant_term"] == "bytes"


def test_sync_overhead_is_taken_out_of_the_work_and_counts_as_gil_held():
    c = {**CONST, "overhead_s": {"sync": 0.01, "threads-2": 0.02}}
    # T1 = 1 s with 20 tasks of 10 ms sync overhead: 0.8 s of work, GIL-free (g = 0.2 is all overhead).
    pr = model.predict_spec(inputs(0.2, n=20), "threads", 2, 1, 2, c)
    assert pr["terms"]["gil"] == pytest.approx(0.0)
    assert pr["terms"]["compute"] == pytest.approx(0.4)
    assert pr["terms"]["overhead"] == pytest.approx(0.4)


def test_tiny_tasks_are_dominated_by_overhead():
    c = {**CONST, "overhead_s": {"sync": 1e-5, "distributed-2x1": 2e-3}}
    pr = model.predict_spec(inputs(0.0, t1=0.05, n=1000), "distributed", 2, 1, 2, c)
    assert pr["dominant_term"] == "overhead"


def _run_table():
    rows = (timed("pure-python", {"sync": 1.0, "threads-2": 1.05, "processes-2": 0.6}, collection="bag", ntasks=10)
            + timed("numpy", {"sync": 1.0, "threads-2": 0.52, "processes-2": 0.8}, ntasks=10,
                    bytes_moved={"processes-2": 1e7})
            + timed("noisy", {"sync": 1.0, "threads-2": 0.98}, ntasks=10, spread=0.3, seed=1)
            + timed("delayed-null", {"sync": 0.01, "threads-2": 0.02, "processes-2": 0.05}, collection="delayed",
                    ntasks=100))
    for r in rows:
        g = {"pure-python": 0.98, "numpy": 0.02, "noisy": 0.5, "delayed-null": 1.0}[r["workload"]]
        if r["kind"] == "sync":
            r["extra"] = {"gil_held": g}
    df = pd.DataFrame(rows)
    return table(df), df


def test_predict_covers_every_measured_pair_and_uses_the_probe():
    t, rows = _run_table()
    preds = model.predict(t, {"cores": 2}, rows)
    assert {(p["workload"], p["scheduler"]) for p in preds} == set(zip(t["workload"], t["scheduler"]))
    assert all(p["g_source"] == "probe" for p in preds)
    best = {wl: min((p for p in preds if p["workload"] == wl), key=lambda p: p["predicted_s"])["scheduler"]
            for wl in ("pure-python", "numpy")}
    assert best == {"pure-python": "processes-2", "numpy": "threads-2"}


def test_hit_rate_counts_only_decided_workloads():
    t, rows = _run_table()
    preds = model.predict(t, {"cores": 2}, rows)
    h = model_check.hit_rate(t, preds)
    decided = {p["workload"] for p in h["per_workload"]}
    assert "noisy" not in decided  # its fastest spec is not decided against the other
    assert {"pure-python", "numpy"} <= decided
    assert h["predicted_best_hit_rate"] == sum(p["hit"] for p in h["per_workload"]) / len(h["per_workload"])
    # A prediction that picks the slowest spec of a decided workload is a miss.
    wrong = [{**p, "predicted_s": 1.0 / p["predicted_s"]} for p in preds]
    assert model_check.hit_rate(t, wrong)["predicted_best_hit_rate"] < h["predicted_best_hit_rate"]


def test_model_summary_keys_carry_the_acceptance_words():
    t, rows = _run_table()
    s = model_check.model_summary(t, {"cores": 2}, rows, predict_cores=(8, 64))
    assert {"predictions", "median_abs_error", "predicted_best_hit_rate", "misses_over_2x"} <= set(s)
    keys = " ".join(s)
    for word in ("predict", "hit", "error"):
        assert word in keys
    hyp = [p for p in s["predictions"] if p["hypothetical"]]
    assert {p["cores_used"] for p in hyp} == {8, 64}
    assert all(p["measured_s"] is None and "predicted" in p["note"] for p in hyp)
    assert 0 <= s["median_abs_error"] < 10


def test_misses_over_2x_name_the_term():
    t, rows = _run_table()
    t = t.copy()
    t.loc[(t["workload"] == "numpy") & (t["scheduler"] == "threads-2"), "median_s"] = 5.0
    s = model_check.model_summary(t, {"cores": 2}, rows)
    miss = [m for m in s["misses_over_2x"] if m["workload"] == "numpy" and m["scheduler"] == "threads-2"]
    assert miss and miss[0]["term"] == "compute" and miss[0]["direction"] == "under-predicted"


def _calibration_rows(reading):
    rows = []
    for mode in (None, "probe", "gilknocker"):
        for t in (1, 2):
            for s in (0.0, 0.25, 0.5, 0.75, 1.0):
                for r in range(5):
                    rows.append({"workload": "gil-calibration", "status": "ok", "mode": "bare" if mode is None else
                                 "instrumented", "wall_s": 0.1 * (1 + 0.01 * r) * (1 + (t - 1) * s),
                                 "params": {"designed_share": s, "threads": t, "metric": mode,
                                            **({"knocker": {"polling_interval_micros": 1000,
                                                            "sampling_interval_micros": 10_000,
                                                            "sleeping_interval_micros": 1_000}}
                                               if mode == "gilknocker" else {})},
                                 "extra": {"measured": None if mode is None else reading[mode](s, t), "samples": 400}})
    return rows


def test_calibration_picks_the_closest_metric_and_reports_its_error():
    rows = _calibration_rows({"probe": lambda s, t: min(1.0, s * t) + 0.01, "gilknocker": lambda s, t: s / 4})
    c = model.calibration(rows)
    assert c["metric"] == "probe"
    assert c["max_error"] == pytest.approx(0.01)
    assert c["within_0_05"]
    assert c["metrics"]["gilknocker"]["max_error"] == pytest.approx(0.75)
    assert c["metrics"]["gilknocker"]["sampled_share"] == pytest.approx(10 / 11.5, abs=1e-3)
    sync = [p for p in c["points"] if p["threads"] == 1]
    assert [p["designed_share"] for p in sync] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert {"designed_share", "threads", "measured", "error"} <= set(c["points"][0])
    assert c["overhead"]["outcome"] in ("above", "below", "undecided")  # one-sided at 1x: no margin asked
    assert model.calibration([]) is None


def test_explain_terms_names_the_gil_and_the_bytes():
    t, rows = _run_table()
    p = next(p for p in model.predict(t, {"cores": 2}, rows)
             if p["workload"] == "numpy" and p["scheduler"] == "processes-2")
    text = model.explain_terms(p)
    assert text.startswith("processes-2: ")
    assert "holds the GIL" in text and "pickled per task" in text


@pytest.mark.parametrize("arg", ["0", "8,x", ","])
def test_predict_cores_flag_rejects_bad_counts(arg):
    from runners.cli import UsageError, predict_cores as _predict_cores

    with pytest.raises(UsageError, match="--predict-cores"):
        _predict_cores(arg)


def test_predicted_recommendations_are_marked_and_cover_core_counts():
    t, rows = _run_table()
    s = model_check.model_summary(t, {"cores": 2}, rows, predict_cores=(16,))
    recs = {r["workload"]: r for r in s["predicted_recommendations"]}
    assert recs["pure-python"]["scheduler"] == "processes-2" and recs["pure-python"]["basis"] == "predicted"
    assert set(recs["numpy"]["at_cores"]) == {"16"}
    lines = model.predicted_lines(s)
    assert lines and all(line.startswith("PREDICTED ") for line in lines)


def test_handoff_term_charges_gil_releases_on_two_threads_only():
    c = {**CONST, "handoff_s": 200e-9}
    inp = {**inputs(0.4), "release_rate": 2e6}  # a kernel re-taking the GIL every 500 ns
    two = model.predict_spec(inp, "threads", 2, 1, 2, c)
    assert two["terms"]["handoff"] == pytest.approx(2e6 * 1.0 * 200e-9)
    assert model.predict_spec(inp, "threads", 1, 1, 2, c)["terms"]["handoff"] == 0.0
    assert "handoff" not in model.predict_spec(inp, "processes", 2, 1, 2, c)["terms"]
    assert model.predict_spec({**inp, "release_rate": None}, "threads", 2, 1, 2, c)["terms"]["handoff"] == 0.0


def test_handoff_cost_from_the_fine_calibration_cell():
    rows = []
    for t, wall in ((1, 0.10), (2, 0.40)):
        for mode in ("bare", "instrumented"):
            rows.append({"workload": "gil-calibration", "status": "ok", "mode": mode, "wall_s": wall,
                         "params": {"grain": "fine", "threads": t, "designed_share": 0.5, "iterations": 1_000_000,
                                    "metric": None if mode == "bare" else "probe"},
                         "extra": {"measured": 0.6 if mode != "bare" else None}})
    # Amdahl: 0.10 * 1.6 = 0.16 s; 0.24 s more over 2 million releases: 120 ns each.
    assert model_inputs._handoff_cost(pd.DataFrame(rows)) == pytest.approx(120e-9)
    assert model.calibration(rows) is None  # the fine cell is no calibration point
