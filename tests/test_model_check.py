"""The cost model checked against the run (reports/model_check.py): hit rate, errors, misses, what summary.json holds."""
from __future__ import annotations

import pandas as pd
import pytest

from _factories import timed
from reports import model, model_check
from reports.table import table

GIL = {"pure-python": 0.98, "numpy": 0.02, "noisy": 0.5, "delayed-null": 1.0}


@pytest.fixture(scope="module")
def run():
    """(table, raw rows) of four workloads: one GIL-bound, one GIL-free, one too noisy to decide, the null one."""
    rows = (timed("pure-python", {"sync": 1.0, "threads-2": 1.05, "processes-2": 0.6}, collection="bag", ntasks=10)
            + timed("numpy", {"sync": 1.0, "threads-2": 0.52, "processes-2": 0.8}, ntasks=10,
                    bytes_moved={"processes-2": 1e7})
            + timed("noisy", {"sync": 1.0, "threads-2": 0.98}, ntasks=10, spread=0.3, seed=1)
            + timed("delayed-null", {"sync": 0.01, "threads-2": 0.02, "processes-2": 0.05}, collection="delayed",
                    ntasks=100))
    for r in rows:
        if r["kind"] == "sync":
            r["extra"] = {"gil_held": GIL[r["workload"]]}
    df = pd.DataFrame(rows)
    return table(df), df


def test_hit_rate_counts_only_decided_workloads(run):
    t, rows = run
    preds = model.predict(t, {"cores": 2}, rows)
    h = model_check.hit_rate(t, preds)
    decided = {p["workload"] for p in h["per_workload"]}
    assert "noisy" not in decided  # its fastest spec is not decided against the other
    assert {"pure-python", "numpy"} <= decided and h["decided_workloads"] == len(decided)
    assert h["predicted_best_hit_rate"] == sum(p["hit"] for p in h["per_workload"]) / len(h["per_workload"])
    # A prediction that picks the slowest spec of a decided workload is a miss.
    wrong = [{**p, "predicted_s": 1.0 / p["predicted_s"]} for p in preds]
    assert model_check.hit_rate(t, wrong)["predicted_best_hit_rate"] < h["predicted_best_hit_rate"]


def test_predictions_within_the_margin_are_all_best(run):
    t, _ = run
    preds = [{"workload": "numpy", "scheduler": s, "predicted_s": x, "hypothetical": False, "measured_s": 1.0}
             for s, x in (("sync", 1.0), ("processes-2", 0.50), ("threads-2", 0.54))]
    (w,) = model_check.hit_rate(t[t["workload"] == "numpy"], preds)["per_workload"]
    assert (w["measured_best"], w["predicted_best"], w["predicted_tied"]) == ("threads-2", "processes-2", ["threads-2"])
    assert w["hit"]  # threads-2 predicted within 10 % of the lowest: the model claims no finer resolution
    far = [{**p, "predicted_s": 0.6} if p["scheduler"] == "threads-2" else p for p in preds]
    assert not model_check.hit_rate(t[t["workload"] == "numpy"], far)["per_workload"][0]["hit"]


def test_model_summary_keys_carry_the_acceptance_words(run):
    t, rows = run
    s = model_check.model_summary(t, {"cores": 2}, rows, predict_cores=(8, 64))
    assert {"predictions", "median_abs_error", "predicted_best_hit_rate", "misses_over_2x"} <= set(s)
    keys = " ".join(s)
    for word in ("predict", "hit", "error"):
        assert word in keys
    hyp = [p for p in s["predictions"] if p["hypothetical"]]
    assert {p["cores_used"] for p in hyp} == {8, 64}
    assert all(p["measured_s"] is None and "predicted" in p["note"] for p in hyp)
    assert 0 <= s["median_abs_error"] < 10
    assert s["predict_cores"] == [8, 64] and s["predict_only"] is False


def test_median_error_leaves_out_the_sync_input_and_the_hypotheses(run):
    t, rows = run
    s = model_check.model_summary(t, {"cores": 2}, rows, predict_cores=(8,))
    measured = [p["error"] for p in s["predictions"] if not p["hypothetical"] and not p["input"]]
    assert s["median_abs_error"] == pytest.approx(float(pd.Series(measured).median()))
    assert all(p["error"] == pytest.approx(0.0) for p in s["predictions"] if p["input"])


def test_misses_over_2x_name_the_term_and_direction(run):
    t, rows = run
    t = t.copy()
    t.loc[(t["workload"] == "numpy") & (t["scheduler"] == "threads-2"), "median_s"] = 5.0
    t.loc[(t["workload"] == "pure-python") & (t["scheduler"] == "processes-2"), "median_s"] = 0.05
    s = model_check.model_summary(t, {"cores": 2}, rows)
    miss = {(m["workload"], m["scheduler"]): m for m in s["misses_over_2x"]}
    assert miss[("numpy", "threads-2")]["term"] == "compute"
    assert miss[("numpy", "threads-2")]["direction"] == "under-predicted"
    assert miss[("pure-python", "processes-2")]["direction"] == "over-predicted"
    assert miss[("pure-python", "processes-2")]["predicted_over_measured"] > 2


def test_constants_are_stored_in_readable_units(run):
    t, rows = run
    c = model_check.model_summary(t, {"cores": 2}, rows)["constants"]
    assert c["overhead_us"] == {"sync": 100.0, "threads-2": 200.0, "processes-2": 500.0}
    assert c["throughput_source"] == "assumed" and c["handoff_ns"] is None and c["core_availability"] is None


def test_predicted_recommendations_are_marked_and_cover_core_counts(run):
    t, rows = run
    s = model_check.model_summary(t, {"cores": 2}, rows, predict_cores=(16,))
    recs = {r["workload"]: r for r in s["predicted_recommendations"]}
    assert recs["pure-python"]["scheduler"] == "processes-2" and recs["pure-python"]["basis"] == "predicted"
    assert set(recs["numpy"]["at_cores"]) == {"16"}


def test_an_empty_run_has_no_model():
    s = model_check.model_summary(pd.DataFrame(), {})
    assert s["predictions"] == [] and s["median_abs_error"] is None and s["predicted_best_hit_rate"] is None
    assert s["hit_decided_workloads"] == 0 and s["predicted_recommendations"] == []


# --- python -m reports.model_check FIT MEASURED --------------------------------------------------------------

def _folder(path, rows, cores):
    """A results folder of *rows* (RunRecord dicts) on a machine of *cores* cores."""
    import json

    from runners import records

    path.mkdir(parents=True)
    (path / records.META).write_text(json.dumps({"v": records.SCHEMA_VERSION, "run_id": path.name, "cores": cores}))
    records.append(path / records.ROWS, rows)
    return path


def test_check_scores_only_what_the_measured_run_measured(tmp_path, run):
    _, df = run
    rows = df.to_dict("records")
    # the fitted "1-core" run measured sync only (as --predict-only does); the measured one everything
    fit = _folder(tmp_path / "fit", [r for r in rows if r["kind"] == "sync"], 1)
    measured = _folder(tmp_path / "measured", rows, 2)
    d = model_check.check(fit, measured)
    assert {"hit_rate", "median_abs_error", "recommendation_agreement", "decided"} <= set(d)
    scored = {(p["workload"], p["scheduler"]) for p in d["pairs"]}
    assert scored == {(r["workload"], r["scheduler"]) for r in rows}  # every measured spec, nothing else
    assert d["fit"]["cores"] == 1 and d["measured"]["cores"] == 2
    sync = [p for p in d["pairs"] if p["scheduler"] == "sync"]
    assert all(p["error"] is not None and p["error"] < 0.2 for p in sync)  # the fitted sync time carries over
    numpy = {p["scheduler"]: p["predicted_s"] for p in d["pairs"] if p["workload"] == "numpy"}
    assert numpy["threads-2"] < numpy["sync"]  # GIL-free work predicted to scale on the measured run's 2 cores
    assert 0 < d["decided"] <= 4 and d["hit_rate"] is not None


def test_agreement_is_scored_over_decided_measured_recommendations_with_the_fastest_as_good(tmp_path, run):
    import json

    _, df = run
    rows = df.to_dict("records")
    fit = _folder(tmp_path / "fit", [r for r in rows if r["kind"] == "sync"], 1)
    measured = _folder(tmp_path / "measured", rows, 2)
    predicted = {w["workload"]: w["predicted_recommendation"] for w in model_check.check(fit, measured)["workloads"]}
    other = lambda wl: next(s for s in ("sync", "threads-2", "processes-2") if s != predicted[wl])  # noqa: E731
    # the measured run chose a simpler spec among equivalents, the predicted one is its fastest: as good
    recs = [{"workload": "numpy", "scheduler": other("numpy"), "status": "equivalent",
             "evidence": {"fastest": predicted["numpy"], "equivalent_to_fastest": [other("numpy")]}},
            # decided, and not what was predicted
            {"workload": "pure-python", "scheduler": other("pure-python"), "status": "fastest",
             "evidence": {"fastest": other("pure-python"), "equivalent_to_fastest": []}},
            # undecided, left with Dask's default: not a decided workload, counted in the "all" figure only
            {"workload": "noisy", "scheduler": other("noisy"), "status": "default (undecided)",
             "evidence": {"fastest": predicted["noisy"]}},
            {"workload": "delayed-null", "scheduler": predicted["delayed-null"], "status": "fastest",
             "evidence": {"fastest": predicted["delayed-null"]}}]
    (measured / "summary.json").write_text(json.dumps({"recommendations": recs}))
    d = model_check.check(fit, measured)
    by = {w["workload"]: w for w in d["workloads"]}
    assert by["numpy"]["agrees"] is True and by["pure-python"]["agrees"] is False
    assert by["noisy"]["agrees"] is False and by["noisy"]["measured_decided"] is False
    assert d["agreement_decided"] == 3 and d["recommendation_agreement"] == 2 / 3
    assert d["agreement_all"] == 4 and d["recommendation_agreement_all"] == 2 / 4
    assert "MISS" in "\n".join(model_check._lines(d)) and "(undecided)" in "\n".join(model_check._lines(d))


def test_predictions_are_scaled_by_the_two_runs_pace(tmp_path, run):
    # the measured run's core ran the pace loop 1.5x slower: every prediction from the fit is scaled by that
    from runners import records

    _, df = run
    rows = df.to_dict("records")
    fit = _folder(tmp_path / "fit", [r for r in rows if r["kind"] == "sync"], 1)
    measured = _folder(tmp_path / "measured", rows, 2)
    plain = {(p["workload"], p["scheduler"]): p["predicted_s"] for p in model_check.check(fit, measured)["pairs"]}
    records.append(fit / records.INTERFERENCE, [{"seconds": 1.0, "pace_s": 6e-4}] * 3)
    records.append(measured / records.INTERFERENCE, [{"seconds": 1.0, "pace_s": 9e-4}] * 3)
    d = model_check.check(fit, measured)
    assert d["pace_ratio"] == 1.5
    for p in d["pairs"]:
        assert p["predicted_s"] == pytest.approx(1.5 * plain[(p["workload"], p["scheduler"])])
        assert p["unscaled_s"] == pytest.approx(plain[(p["workload"], p["scheduler"])])
    assert d["median_abs_error_unscaled"] is not None and "scaled by it" in "\n".join(model_check._lines(d))


def test_check_predicts_nothing_for_workloads_the_fit_never_ran(tmp_path, run):
    _, df = run
    rows = df.to_dict("records")
    fit = _folder(tmp_path / "fit", [r for r in rows if r["workload"] == "numpy"], 1)
    d = model_check.check(fit, _folder(tmp_path / "measured", rows, 2))
    assert {p["workload"] for p in d["pairs"]} == {"numpy"}


def test_check_scores_no_workload_built_at_another_size_in_the_fit(tmp_path, run):
    # a fit of another profile or commit (array-transcendental 2400 there, 1200 here) predicts another problem
    _, df = run
    rows = df.to_dict("records")
    fit_rows = [dict(r, size=2 * int(r.get("size") or 1)) if r["workload"] == "numpy" else r for r in rows]
    d = model_check.check(_folder(tmp_path / "fit", fit_rows, 1), _folder(tmp_path / "measured", rows, 2))
    assert "numpy" not in {p["workload"] for p in d["pairs"]}
    assert [x["workload"] for x in d["not_comparable"]] == ["numpy"] and "size" in d["not_comparable"][0]["why"]
    assert {"pure-python", "delayed-null"} <= {p["workload"] for p in d["pairs"]}


def test_main_prints_json_and_refuses_a_missing_folder(tmp_path, run, capsys):
    import json

    _, df = run
    rows = df.to_dict("records")
    a, b = _folder(tmp_path / "a", rows, 1), _folder(tmp_path / "b", rows, 2)
    model_check.main([str(a), str(b), "--json"])
    d = json.loads(capsys.readouterr().out)
    assert d["measured"]["cores"] == 2 and isinstance(d["pairs"], list)
    model_check.main([str(a), str(b)])
    out = capsys.readouterr().out
    assert "median |error|" in out and "decided workloads" in out
    with pytest.raises(SystemExit) as e:
        model_check.main([str(a), str(tmp_path / "nope")])
    assert e.value.code == 2 and capsys.readouterr().err.startswith("ERROR:")


def test_a_saved_score_lands_in_the_measured_runs_summary_and_dashboard(tmp_path, run, capsys):
    import json

    from reports.build import build

    _, df = run
    rows = df.to_dict("records")
    fit = _folder(tmp_path / "fit", [r for r in rows if r["kind"] == "sync"], 1)
    measured = _folder(tmp_path / "measured", rows, 2)
    model_check.main([str(fit), str(measured)])
    saved = list((measured / "model_check").glob("*.json"))
    assert [p.name for p in saved] == ["fit.json"] and "saved:" in capsys.readouterr().err
    summary = build(measured, quiet=True)
    assert [c["fit"]["run_id"] for c in summary["model_checks"]] == ["fit"]
    html = (measured / "dashboard.html").read_text()
    assert "Fitted on fit (1 core(s)) \u2192 measured at 2 cores" in html or "Fitted on fit (1 core(s))" in html
    model_check.main([str(fit), str(measured), "--no-save", "--json"])
    assert len(list((measured / "model_check").glob("*.json"))) == 1
    (measured / "model_check" / "junk.json").write_text("{not json")
    assert len(build(measured, quiet=True)["model_checks"]) == 1  # a damaged score is skipped, the rest shown
