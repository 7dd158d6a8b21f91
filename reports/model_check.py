"""The cost model checked: against the run it was fitted on, and against another run (more cores).

:func:`model_summary` is what ``summary.json`` holds of the model: every
prediction of :func:`reports.model.predict`, the median error over the
measured specs, the hit rate of the predicted best (:func:`hit_rate`), the
predictions off by more than 2x, the constants they rest on and the
predicted recommendations.

:func:`check` and the command score the model fitted on one results folder
against the measurements of another, the question users bring ("what happens
on the bigger machine?")::

    taskset -c 0 python -m runners.all --profile quick --predict-cores 2 --out fit   # a 1-core machine
    python -m runners.all --profile quick --out measured                            # the 2-core one
    python -m reports.model_check fit/<run-id> measured/<run-id> [--json]

Only the specs the measured run measured are scored, each predicted from the
fitted run's inputs and constants at the measured run's cores; the fitted
run's own measurements are never mixed in (on one core, quick's C4 sweep
measures ``threads-2`` while the model predicts it).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from reports import fmt
from reports.load import Results, load
from reports.model import fitted, pool_throughputs, predict, predict_spec, with_pool_throughput
from reports.model_advice import candidates, predicted_recommendations
from reports.model_inputs import constants, num, workload_inputs
from reports.model_pair import different_sizes, pace_ratio
from reports.recommend import pick
from reports.stats import MARGIN
from reports.table import table as stats_table
from runners import records
from runners.records.kinds import DEFAULT_SCHEDULER, is_serial, parse

__all__ = ["hit_rate", "model_summary", "check", "different_sizes", "save", "main"]


def hit_rate(table: pd.DataFrame, predictions: list[dict[str, Any]]) -> dict[str, Any]:
    """How often the predicted best spec is the measured best, or equivalent to it.

    Counted over the workloads whose measured best is decided: the fastest
    spec beats, or is equivalent to, every other (:func:`reports.recommend.pick`
    without an undecided pair).  The predicted best is the lowest prediction
    among the specs measured, with any within the equivalence margin of
    :func:`reports.stats.compare` (10 %) of it; a hit when one of them is the
    measured best or equivalent to it.
    """
    t = table[table["collection"].fillna("") != "experiment"]
    per = []
    for wl in dict.fromkeys(t["workload"]):
        rows = [r for r in t[t["workload"] == wl].to_dict("records") if num(r.get("median_s"))]
        for r in rows:
            r["times"] = [float(x) for x in r["times"]]
        preds = {p["scheduler"]: p["predicted_s"] for p in candidates([q for q in predictions if q["workload"] == wl])
                 if not p["hypothetical"] and p["measured_s"] is not None}
        if len(rows) < 2 or len(preds) < 2:
            continue
        pk = pick(rows)
        if pk is None or pk["status"] == "undecided":
            continue
        low = min(preds.values())
        # Predictions within the comparison's own equivalence margin are equally "best":
        # the model claims no finer resolution than the measurement it is checked against.
        tied = sorted((k for k, v in preds.items() if v <= low * MARGIN), key=preds.get)
        good = {pk["fastest"], *pk["equivalent"]}
        ok = any(k in good for k in tied)
        per.append({"workload": wl, "measured_best": pk["fastest"], "equivalent": list(pk["equivalent"]),
                    "predicted_best": tied[0], "predicted_tied": tied[1:], "hit": bool(ok)})
    rate = (sum(p["hit"] for p in per) / len(per)) if per else None
    return {"predicted_best_hit_rate": rate, "decided_workloads": len(per), "per_workload": per}


def model_summary(table: pd.DataFrame, meta: dict[str, Any] | None, rows: Any = None, startup: Any = None,
                  predict_cores: Sequence[int] = ()) -> dict[str, Any]:
    """What summary.json holds of the model.

    ``{"predictions", "median_abs_error", "predicted_best_hit_rate", "misses_over_2x", "constants", ...}``;
    the median error is over the measured specs other than ``sync`` (the model's input, predicted exactly).
    """
    c, pools = fitted(table, meta, rows, startup)
    preds = predict(table, meta, rows, startup, predict_cores, fit=(c, pools))
    errs = [p["error"] for p in preds if not p["hypothetical"] and not p["input"] and p["error"] is not None]
    hits = hit_rate(table, preds) if preds else {"predicted_best_hit_rate": None, "decided_workloads": 0,
                                                 "per_workload": []}
    misses = []
    for p in preds:
        if p["hypothetical"] or p["input"] or not p["measured_s"]:
            continue
        r = p["predicted_s"] / p["measured_s"]
        if r > 2 or r < 0.5:
            misses.append({"workload": p["workload"], "scheduler": p["scheduler"], "term": p["dominant_term"],
                           "predicted_over_measured": round(r, 3),
                           "direction": "over-predicted" if r > 2 else "under-predicted"})
    return {
        "predictions": [{k: v for k, v in p.items()} for p in preds],
        "median_abs_error": float(np.median(errs)) if errs else None,
        "predicted_best_hit_rate": hits["predicted_best_hit_rate"],
        "hit_decided_workloads": hits["decided_workloads"],
        "hits": hits["per_workload"],
        "misses_over_2x": misses,
        "constants": {"overhead_us": {k: round(v * 1e6, 2) for k, v in c["overhead_s"].items()},
                      "throughput_Bps": {k: round(v) for k, v in c["throughput_Bps"].items()},
                      "throughput_source": c["throughput_source"], "startup_s": c["startup_s"],
                      "core_availability": c["core_availability"],
                      "handoff_ns": None if c.get("handoff_s") is None else round(c["handoff_s"] * 1e9, 1),
                      "handoff_source": c.get("handoff_source"),
                      "contention": None if c.get("contention") is None else round(c["contention"], 4),
                      "contention_source": c.get("contention_source"),
                      "shipped_start_s": c.get("shipped_start_s") or {},
                      "pool_throughput_Bps": {wl: round(bps) for wl, (_, bps) in pools.items()}},
        "predicted_recommendations": predicted_recommendations(preds),
        "predict_cores": list(predict_cores),
        "predict_only": bool((meta or {}).get("predict_only")),
        "method": "cost model of reports.model: Amdahl with the GIL-held share serial for threads; "
                  "cores, pickled bytes over measured throughput and per-task overhead for processes and distributed",
    }


def _table(res: Results) -> pd.DataFrame:
    t = stats_table(res.rows, res.workload_info(), res.bursts, res.looks, res.own_looks)
    return t[t["collection"].fillna("") != "experiment"] if not t.empty else t


def _cores(res: Results) -> int:
    return int(num(res.meta.get("cores")) or num(res.meta.get("cpu_count")) or 1)


def cross_predictions(fit: Results, measured: Results, scale: float | None = None) -> list[dict[str, Any]]:
    """Every (workload, spec) the *measured* run measured, predicted from the *fit* run alone at the measured
    run's cores (``sync`` too: the fitted run's own sync time, the one figure that does not depend on cores).

    *scale*: the measured run's pace against the fit's (:func:`pace_ratio`); every predicted time and term is
    multiplied by it, and ``unscaled_s`` keeps the prediction before."""
    ft, mt = _table(fit), _table(measured)
    if ft.empty or mt.empty:
        return []
    c0 = {**constants(ft, fit.rows, fit.startup), "fit_cores": _cores(fit)}
    cores = _cores(measured)
    pools = pool_throughputs(ft[ft["collection"].fillna("") != "experiment"], fit.rows, c0, _cores(fit))
    out = []
    differ = set(different_sizes(ft, mt))
    for wl in dict.fromkeys(mt["workload"]):
        inp = workload_inputs(ft, fit.rows, wl) if wl in set(ft["workload"]) and wl not in differ else None
        if inp is None:
            continue
        c = with_pool_throughput(c0, wl, inp.get("collection") or "", pools)
        for r in mt[mt["workload"] == wl].to_dict("records"):
            try:
                spec = parse(str(r["scheduler"]))
            except ValueError:
                continue
            if spec.address:
                continue  # a cluster at an address: its size is not the label's
            pr = predict_spec(inp, spec.kind, spec.workers, spec.threads_per_worker, cores, c, spec.label,
                              shipped=spec.as_shipped)
            if scale:
                pr.update(unscaled_s=pr["predicted_s"], predicted_s=pr["predicted_s"] * scale,
                          terms={k: round(v * scale, 6) for k, v in pr["terms"].items()})
            meas = num(r.get("median_s"))
            pr.update(workload=wl, measured_s=meas, hypothetical=False, input=False, collection=inp["collection"],
                      error=abs(pr["predicted_s"] - meas) / meas if meas else None)
            out.append(pr)
    return out


def _measured_recommendation(rows: list[dict[str, Any]], collection: str, cores: int
                             ) -> tuple[str | None, set[str], bool]:
    """The measured recommendation read as the suite reads it, the specs as good as it (the fastest and its
    equivalents) and whether it was decided; undecided: Dask's default for the collection (the status quo
    needs no evidence), with nothing equivalent."""
    pk = pick(rows)
    if pk is None:
        return None, set(), False
    if pk["status"] == "undecided":
        kind = DEFAULT_SCHEDULER.get(collection)
        label = next((r["scheduler"] for r in rows if r.get("kind") == kind and int(r.get("nthreads") or 0) == cores),
                     None)
        return label, set(), False
    return pk["scheduler"], {pk["fastest"], *pk["equivalent"]}, True


def _stored_reading(rec: dict[str, Any]) -> tuple[str, set[str], bool]:
    """A stored recommendation (``summary.json``) as :func:`_measured_recommendation` reads rows: its label, the
    specs as good as it (the fastest and the specs equivalent to it; a simpler equivalent is the one
    recommended) and whether it was decided (an undecided one, or the default left in place, was not).

    >>> label, good, decided = _stored_reading({"scheduler": "sync", "status": "equivalent", "evidence": {
    ...     "fastest": "threads-2", "equivalent_to_fastest": ["sync"]}})
    >>> label, sorted(good), decided
    ('sync', ['sync', 'threads-2'], True)
    >>> _stored_reading({"scheduler": "threads-2", "status": "default (undecided)", "evidence": {"fastest": "sync"}})
    ('threads-2', {'threads-2'}, False)
    """
    ev = rec.get("evidence") or {}
    label, decided = str(rec["scheduler"]), rec.get("status") in ("fastest", "equivalent")
    good = {label, *(ev.get("equivalent_to_fastest") or [])}
    if decided and ev.get("fastest"):
        good.add(str(ev["fastest"]))
    return label, good, decided


def _stored_recommendations(measured_dir: str | Path) -> dict[str, dict[str, Any]]:
    """The measured run's own recommendations (its ``summary.json``), by workload; empty without one."""
    try:
        recs = json.loads((Path(measured_dir) / "summary.json").read_text()).get("recommendations") or []
    except (OSError, ValueError, AttributeError):
        return {}
    return {str(r["workload"]): r for r in recs if isinstance(r, dict) and r.get("workload") and r.get("scheduler")}


def check(fit_dir: str | Path, measured_dir: str | Path) -> dict[str, Any]:
    """The model fitted on *fit_dir* scored on the measurements of *measured_dir* (see the module docstring).

    ``{hit_rate, median_abs_error, recommendation_agreement, decided, agreement_decided,
    recommendation_agreement_all, agreement_all, pairs, workloads, misses_over_2x, fit, measured}``: the hit
    rate over the workloads whose measured best is decided; the median |predicted - measured| / measured
    over every scored spec but ``sync``; the share of the workloads whose measured recommendation was
    decided (the fastest, or chosen among equivalents) on which the predicted recommendation is it, its
    fastest or a spec equivalent to that (``agreement_decided`` of them); and ``..._all`` over every
    workload with a measured recommendation, an undecided one read as Dask's default.  The measured
    recommendation is the measured run's own, from its ``summary.json``, else read from its rows.
    """
    fit, measured = load(fit_dir), load(measured_dir)
    mt = _table(measured)
    differ = different_sizes(_table(fit), mt)
    scale = pace_ratio(fit, measured)
    preds = cross_predictions(fit, measured, scale)
    hits = hit_rate(mt, preds) if preds else {"predicted_best_hit_rate": None, "decided_workloads": 0,
                                              "per_workload": []}
    errs = [p["error"] for p in preds if p["error"] is not None and not is_serial(p["kind"])]
    unscaled = [abs(p.get("unscaled_s", p["predicted_s"]) - p["measured_s"]) / p["measured_s"] for p in preds
                if p["error"] is not None and not is_serial(p["kind"])]
    misses = [{"workload": p["workload"], "scheduler": p["scheduler"], "term": p["dominant_term"],
               "predicted_s": p["predicted_s"], "measured_s": p["measured_s"],
               "predicted_over_measured": round(p["predicted_s"] / p["measured_s"], 3)}
              for p in preds if p["measured_s"] and not 0.5 <= p["predicted_s"] / p["measured_s"] <= 2]
    recs = {r["workload"]: r for r in predicted_recommendations(preds)}
    stored = _stored_recommendations(measured_dir)
    cores = _cores(measured)
    per, agree, undecided = [], [], []
    for wl, rec in recs.items():
        rows = [r for r in mt[mt["workload"] == wl].to_dict("records") if num(r.get("median_s"))]
        for r in rows:
            r["times"] = [float(x) for x in r["times"]]
        coll = str(rows[0].get("collection") or "") if rows else ""
        if wl in stored:  # what the measured run itself recommended (its own reading of its rows)
            label, good, decided = _stored_reading(stored[wl])
        else:
            label, good, decided = _measured_recommendation(rows, coll, cores)
        hit = next((h for h in hits["per_workload"] if h["workload"] == wl), None)
        agrees = None if label is None else (rec["scheduler"] == label or rec["scheduler"] in good)
        if agrees is not None:
            (agree if decided else undecided).append(agrees)
        per.append({"workload": wl, "predicted_best": hit["predicted_best"] if hit else rec["scheduler"],
                    "measured_best": hit["measured_best"] if hit else None, "hit": hit["hit"] if hit else None,
                    "predicted_recommendation": rec["scheduler"], "measured_recommendation": label,
                    "measured_decided": bool(decided), "agrees": agrees, "dominant_term": rec["dominant_term"]})
    return {
        "hit_rate": hits["predicted_best_hit_rate"],
        "decided": hits["decided_workloads"],
        "median_abs_error": float(np.median(errs)) if errs else None,
        "pace_ratio": scale,
        "median_abs_error_unscaled": float(np.median(unscaled)) if unscaled else None,
        "recommendation_agreement": (sum(agree) / len(agree)) if agree else None,
        "agreement_decided": len(agree),
        # every workload with a measured recommendation, the undecided ones read as Dask's default
        "recommendation_agreement_all": (sum(agree + undecided) / len(agree + undecided)) if agree + undecided else None,
        "agreement_all": len(agree + undecided),
        "misses_over_2x": misses,
        "not_comparable": [{"workload": w, "why": why} for w, why in differ.items()],
        "workloads": per,
        "pairs": [{k: p[k] for k in ("workload", "scheduler", "predicted_s", "measured_s", "error", "dominant_term",
                                     "missing", "unscaled_s") if k in p} for p in preds],
        "fit": {"run_id": fit.meta.get("run_id"), "cores": _cores(fit), "predict_only": bool(fit.meta.get("predict_only"))},
        "measured": {"run_id": measured.meta.get("run_id"), "cores": cores},
    }


def _lines(d: dict[str, Any]) -> list[str]:
    f, m = d["fit"], d["measured"]
    pct = lambda x: "n/a" if x is None else f"{x:.0%}"  # noqa: E731
    out = [f"model fitted on {f['run_id']} ({f['cores']} core(s){', --predict-only' if f['predict_only'] else ''}), "
           f"checked on {m['run_id']} ({m['cores']} cores)", "",
           f"{'workload':26} {'spec':18} {'predicted':>10} {'measured':>10} {'error':>7}  term"]
    for p in d["pairs"]:
        err = "" if p["error"] is None else f"{p['error']:.0%}"
        out.append(f"{p['workload'][:26]:26} {p['scheduler'][:18]:18} {fmt.duration(p['predicted_s']):>10} "
                   f"{fmt.duration(p['measured_s']) if p['measured_s'] else '-':>10} {err:>7}  {p['dominant_term']}")
    out += ["", f"{'workload':26} {'predicted best':16} {'measured best':16} {'best':5} {'predicted rec.':16} "
                f"{'measured rec.':26} rec."]
    for w in d["workloads"]:
        mark = "" if w["hit"] is None else ("ok" if w["hit"] else "MISS")
        measured = (w["measured_recommendation"] or "-") + ("" if w.get("measured_decided", True) else " (undecided)")
        agrees = "" if w.get("agrees") is None else ("ok" if w["agrees"] else "MISS")
        out.append(f"{w['workload'][:26]:26} {w['predicted_best']:16} {str(w['measured_best'] or 'undecided'):16} "
                   f"{mark:5} {w['predicted_recommendation']:16} {measured:26} {agrees}")
    out += ["", f"median |error| {pct(d['median_abs_error'])} over {sum(1 for p in d['pairs'] if p['error'] is not None)}"
                f" predictions; predicted best = measured best (or equivalent) on {pct(d['hit_rate'])} of "
                f"{d['decided']} decided workloads; predicted recommendation = measured (or equivalent) on "
                f"{pct(d['recommendation_agreement'])} of the {d['agreement_decided']} decided measured "
                f"recommendations ({pct(d.get('recommendation_agreement_all'))} of all {d.get('agreement_all')}, "
                "an undecided one read as Dask's default)"]
    if d.get("pace_ratio"):
        out.append(f"  the measured run's core ran a fixed loop {d['pace_ratio']:.3g}× the fit's time (median over each "
                   f"run's rounds): predictions scaled by it; unscaled, median |error| "
                   f"{pct(d.get('median_abs_error_unscaled'))}")
    else:
        out.append("  no pace loop in one of the runs (older runs): predictions not scaled for the machine's speed")
    for x in d.get("not_comparable") or []:
        out.append(f"  not scored: {x['workload']}: {x['why']}")
    for x in d["misses_over_2x"]:
        out.append(f"  miss over 2x: {x['workload']} on {x['scheduler']}: predicted {x['predicted_over_measured']}x "
                   f"the measured time, dominated by {x['term']}")
    return out


def main(argv: Sequence[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        prog="python -m reports.model_check",
        description="Score the cost model fitted on one results folder (e.g. a run under taskset -c 0, or a "
                    "--predict-only run) against the measurements of another (e.g. the same commit on all cores): "
                    "per (workload, spec) predicted vs measured, the predicted vs measured best, the median "
                    "error, the hit rate and the recommendation agreement.")
    p.add_argument("fit_run", help="results folder the model is fitted on")
    p.add_argument("measured_run", help="results folder whose measurements it is checked against")
    p.add_argument("--json", action="store_true", help="print the figures as JSON (hit_rate, median_abs_error, "
                   "recommendation_agreement, decided, ...)")
    p.add_argument("--no-save", action="store_true", help="do not keep the score in MEASURED_RUN/model_check/ "
                   "(kept by default: the measured run's dashboard then plots predicted against measured)")
    a = p.parse_args(argv)
    for d in (a.fit_run, a.measured_run):
        if not Path(d).is_dir():
            print(f"ERROR: {d}: no such results folder", file=sys.stderr)
            sys.exit(2)
    d = check(a.fit_run, a.measured_run)
    print(json.dumps(d, indent=1, default=str) if a.json else "\n".join(_lines(d)))
    if not a.no_save:
        name = save(a.measured_run, d)
        if name:
            print(f"saved: {name} (its dashboard shows it once rebuilt: python -m reports.build "
                  f"{a.measured_run})", file=sys.stderr)


def save(measured_dir: str | Path, d: dict[str, Any]) -> Path | None:
    """Keep the score *d* in the measured run's own folder (``model_check/<fit run id>.json``), where its
    dashboard finds it; None (and a line on stderr) where the folder refuses it."""
    rel = f"{records.MODEL_CHECKS}/{records.slug(str(d['fit']['run_id'] or 'fit'))}.json"
    try:
        (Path(measured_dir) / records.MODEL_CHECKS).mkdir(exist_ok=True)
        records.write_file_safely(measured_dir, rel, json.dumps(d, indent=1, default=str))
    except (OSError, records.UnsafePath, records.WriteError) as e:
        print(f"WARNING: the score was not saved in {measured_dir}: {e}", file=sys.stderr)
        return None
    return Path(measured_dir) / rel


if __name__ == "__main__":
    main()
