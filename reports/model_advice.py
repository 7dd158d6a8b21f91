"""What the cost model recommends, and why in words: its predictions read as a measured recommendation is read.

:mod:`reports.model` predicts each spec's time; this module turns the
predictions into a recommendation per workload (:func:`predicted_recommendations`,
with the same candidates and the same "undecided means Dask's default" reading
as :mod:`reports.recommend`), the terminal's ``PREDICTED`` lines
(:func:`predicted_lines`) and one prediction's terms in words
(:func:`explain_terms`).
"""
from __future__ import annotations

from typing import Any

from reports import fmt
from runners.records.kinds import DEFAULT_SCHEDULER, RANK, is_shipped, parse, pickles

__all__ = ["candidates", "predicted_recommendations", "predicted_lines", "explain_terms"]


def candidates(predictions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The specs a recommendation chooses among, as the measured one does (:mod:`reports.recommend`): a tuned
    spec whose as-shipped twin is there too is not one (a recommendation is about what Dask's defaults give).

    >>> [p["scheduler"] for p in candidates([{"scheduler": "processes-2"}, {"scheduler": "processes-2-shipped"},
    ...                                      {"scheduler": "sync"}])]
    ['processes-2-shipped', 'sync']
    """
    twins = {parse(str(p["scheduler"])).tuned.label for p in predictions if is_shipped(str(p["scheduler"]))}
    return [p for p in predictions if p["scheduler"] not in twins]


def _dask_default(ps: list[dict[str, Any]], collection: str) -> dict[str, Any] | None:
    """Among *ps*, Dask's default for *collection*: its kind on the most cores, as shipped where predicted so."""
    kind = DEFAULT_SCHEDULER.get(collection)
    at = [p for p in ps if p.get("kind") == kind]
    if not at:
        return None
    return min(at, key=lambda p: (-float(p["cores_used"]), not is_shipped(str(p["scheduler"])),
                                  parse(str(p["scheduler"])).workers))


def predicted_recommendations(predictions: list[dict[str, Any]], margin: float = 1.10) -> list[dict[str, Any]]:
    """Per workload, the spec the model recommends on this machine, and at each predicted core count.

    Read as the measured recommendation reads (:mod:`reports.recommend`): among the :func:`candidates`,
    those predicted within *margin* of the lowest are too close to call, and of them Dask's default for
    the collection wins (the status quo needs no evidence), else the simplest spec (``sync < threads <
    processes < distributed``, then fewer workers).  Marked ``basis: "predicted"``.
    """
    def best(ps: list[dict[str, Any]]) -> dict[str, Any]:
        ps = candidates(ps)
        low = min(p["predicted_s"] for p in ps)
        near = [p for p in ps if p["predicted_s"] <= low * margin]
        d = _dask_default(ps, str(ps[0].get("collection") or ""))
        if d is not None and d in near:
            return d
        return min(near, key=lambda p: (RANK.get(p["kind"], len(RANK)), p["cores_used"], p["predicted_s"]))

    out = []
    for wl in dict.fromkeys(p["workload"] for p in predictions):
        here = [p for p in predictions if p["workload"] == wl and not p["hypothetical"]]
        if not here:
            continue
        b = best(here)
        rec = {"workload": wl, "scheduler": b["scheduler"], "predicted_s": b["predicted_s"],
               "dominant_term": b["dominant_term"], "explanation": explain_terms(b), "basis": "predicted",
               "at_cores": {}}
        for n in sorted({int(p["cores_used"]) for p in predictions if p["workload"] == wl and p["hypothetical"]}):
            hb = best([p for p in predictions if p["workload"] == wl and p["hypothetical"]
                       and int(p["cores_used"]) == n])
            rec["at_cores"][str(n)] = {"scheduler": hb["scheduler"], "predicted_s": hb["predicted_s"],
                                       "dominant_term": hb["dominant_term"]}
        out.append(rec)
    return out

def predicted_lines(model: dict[str, Any]) -> list[str]:
    """The predicted recommendations as terminal lines, each marked PREDICTED."""
    lines = []
    for r in model.get("predicted_recommendations") or []:
        more = "; ".join(f"{n} cores: {x['scheduler']} ({fmt.duration(x['predicted_s'])})"
                         for n, x in (r.get("at_cores") or {}).items())
        lines.append(f"PREDICTED {r['workload']}: {r['scheduler']} in {fmt.duration(r['predicted_s'])} "
                     f"— {r['explanation'].split(': ', 1)[-1]}" + (f" [predictions beyond this machine: {more}]"
                                                                    if more else ""))
    return lines


def explain_terms(prediction: dict[str, Any]) -> str:
    """The model's reason for one spec's time: its terms in words, the dominant one first.

    A term the model could not measure (the prediction's ``missing``, or a figure that is no number) is
    said to be not measured, never shown as 0.

    >>> explain_terms({"scheduler": "processes-2", "kind": "processes", "g": 0.72, "cores_used": 2,
    ...                "bytes_per_task": 3000, "n": 18, "dominant_term": "compute",
    ...                "terms": {"compute": 0.2, "bytes": 0.001, "overhead": 0.01}})
    'processes-2: 72 % of the task time holds the GIL (threads cap at 1.39×, 1.16× on 2 cores); 3 kB pickled per task; 556 µs of scheduler overhead per task × 18 tasks'
    >>> explain_terms({"scheduler": "threads-2", "kind": "threads", "g": None, "n": 18, "dominant_term": "overhead",
    ...                "terms": {"gil": 0.0, "overhead": 0.0}, "missing": ["GIL share", "per-task overhead of threads"]})
    'threads-2: scheduler overhead per task not measured; GIL-held share not measured'
    """
    g, p = prediction.get("g"), max(int(prediction.get("cores_used") or 1), 2)
    missing = " ".join(prediction.get("missing") or [])
    parts: dict[str, str] = {}
    if fmt.is_number(g):
        cap = f"threads cap at {1 / g:.3g}×, {1 / (g + (1 - g) / p):.3g}× on {p} cores" if g > 0 else "no cap on threads"
        parts["gil"] = f"{100 * g:.0f} % of the task time holds the GIL ({cap})"
    elif "GIL share" in missing:
        parts["gil"] = "GIL-held share not measured"
    bpt = prediction.get("bytes_per_task")
    if pickles(prediction.get("kind")):
        if fmt.is_number(bpt):
            parts["bytes"] = f"{fmt.size(bpt)} pickled per task"
        elif "bytes moved" in missing:
            parts["bytes"] = "bytes pickled per task not measured"
    terms = prediction.get("terms") or {}
    if "GIL release rate" in missing:
        parts["handoff"] = ("contended GIL hand-offs not charged: how often the GIL changes hands was not "
                            "measured (not counted here, and the probe needs two cores)")
    elif "GIL hand-off cost" in missing:
        parts["handoff"] = (f"contended GIL hand-offs not charged: the GIL changes hands "
                            f"{fmt.number(prediction.get('release_rate'))} times a second, but what a contended "
                            "take costs was not measured (no GIL calibration in this run)")
    elif terms.get("handoff"):
        parts["handoff"] = (f"{fmt.duration(terms['handoff'])} of contended GIL hand-offs (the GIL is taken and "
                            f"released {fmt.number(prediction.get('release_rate'))} times a second)"
                            if fmt.is_number(terms["handoff"]) else "contended GIL hand-offs not measured")
    if "GIL contention" in missing:
        parts["contention"] = "what threads that all want the GIL lose to each other not measured (no GIL calibration)"
    elif fmt.is_number(terms.get("contention")) and terms["contention"] > 0:
        parts["contention"] = f"{fmt.duration(terms['contention'])} lost by threads waiting on each other for the GIL"
    n = prediction.get("n")
    if "per-task overhead" in missing or ("overhead" in terms and not fmt.is_number(terms["overhead"])):
        parts["overhead"] = "scheduler overhead per task not measured"
    elif terms.get("overhead") is not None and n:
        parts["overhead"] = f"{fmt.duration(terms['overhead'] / n)} of scheduler overhead per task × {int(n)} tasks"
    dom = prediction.get("dominant_term")
    first = "gil" if dom in ("gil", "compute") else dom  # the GIL share says why compute is (or is not) parallel
    order = [k for k in dict.fromkeys([first, "gil", "contention", "handoff", "bytes", "overhead"]) if k in parts]
    return f"{prediction.get('scheduler', '?')}: " + "; ".join(parts[k] for k in order)
