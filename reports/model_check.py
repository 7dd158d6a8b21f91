"""The cost model checked against the run: how often it names the measured best, its errors, its misses.

:func:`model_summary` is what ``summary.json`` holds of the model: every
prediction of :func:`reports.model.predict`, the median error over the
measured specs, the hit rate of the predicted best (:func:`hit_rate`), the
predictions off by more than 2x, the constants they rest on and the
predicted recommendations.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from reports.model import predict, predicted_recommendations
from reports.model_inputs import constants, num
from reports.recommend import pick
from reports.stats import MARGIN

__all__ = ["hit_rate", "model_summary"]


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
        preds = {p["scheduler"]: p["predicted_s"] for p in predictions
                 if p["workload"] == wl and not p["hypothetical"] and p["measured_s"] is not None}
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
    preds = predict(table, meta, rows, startup, predict_cores)
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
    c = constants(table, rows, startup)
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
                      "handoff_ns": None if c.get("handoff_s") is None else round(c["handoff_s"] * 1e9, 1)},
        "predicted_recommendations": predicted_recommendations(preds),
        "predict_cores": list(predict_cores),
        "predict_only": bool((meta or {}).get("predict_only")),
        "method": "cost model of reports.model: Amdahl with the GIL-held share serial for threads; "
                  "cores, pickled bytes over measured throughput and per-task overhead for processes and distributed",
    }
