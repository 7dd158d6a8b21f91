"""Recommend a scheduler for every workload, explained by its own measurements.

The rule (:func:`pick`): among the specs whose repeats all succeeded, the one
with the lowest median is the *fastest*.  Every other spec is compared with it
(:func:`reports.stats.compare`, paired by round): it is beaten (the fastest
shown faster), ``equivalent`` (within ±10 %, by its interval) or undecided.  When none is undecided, the
simplest of the fastest and its equivalents is recommended
(``sync < threads < processes < distributed``, then fewer threads) and the
explanation says which were equivalent.  When one stays undecided at the cap,
the recommendation says so and names both candidates (the fastest stays the
pick, marked ``undecided``), instead of quietly choosing the simpler one.  A
spec with a failed or mismatched repeat, or an unstable one, is never a candidate: the
recommendation reads rows through the same gate as the claims.  Simpler is
lower in :data:`runners.records.kinds.RANK`, then fewer threads.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from reports import fmt
from reports.evidence import Context, rounded
from reports.resample import LEAST, RERUNS, agreements
from reports.stats import MARGIN, MIN_REPEATS, compare
from runners.records.kinds import DEFAULT_SCHEDULER as DEFAULT_KIND, RANK, is_process_pool, is_serial, is_threads, \
    label_at, pickles

__all__ = ["pick", "recommend", "explain", "Pick", "add_model_terms"]


def _healthy(r: dict[str, Any]) -> bool:
    """Through the comparisons' gate: ok repeats, none failed or mismatched, not unstable, not missing."""
    return (len(r["times"]) >= 1 and not r.get("n_failed") and r.get("check_ok") is not False
            and not r.get("unstable") and not r.get("missing") and bool(r.get("median_s")))


def _simplicity(r: dict[str, Any]) -> tuple[int, int, float]:
    return RANK.get(r["kind"], len(RANK)), int(r.get("nthreads") or 1), float(r["median_s"])


class Pick(dict):
    """``{scheduler, status, fastest, equivalent, beaten, undecided, comparisons}`` of one workload."""


def pick(rows: list[dict[str, Any]]) -> Pick | None:
    """The recommendation among one workload's *rows* (table rows with ``times``); None if none is healthy.

    >>> a = {"scheduler": "sync", "kind": "sync", "nthreads": 1, "times": [1.0, 1.01, 0.99, 1.0, 1.02]}
    >>> b = {"scheduler": "threads-2", "kind": "threads", "nthreads": 2, "times": [0.99, 1.0, 0.98, 1.0, 0.99]}
    >>> for r in (a, b): r["median_s"] = float(np.median(r["times"]))
    >>> p = pick([a, b]); p["scheduler"], p["status"], p["equivalent"]
    ('sync', 'equivalent', ['sync'])
    """
    good = [r for r in rows if _healthy(r)]
    if not good:
        return None
    fastest = min(good, key=lambda r: r["median_s"])
    eq, beaten, undecided, comps = [], [], [], {}
    for r in good:
        if r is fastest:
            continue
        names = (fastest["scheduler"], r["scheduler"])
        c = compare(fastest, r, names=names)  # paired by round where both ran in it
        if c.outcome != "above":  # not shown slower than the fastest: equivalent within ±10 %, or undecided
            c = compare(fastest, r, margin=MARGIN, names=names)
        comps[r["scheduler"]] = c
        {"above": beaten, "equivalent": eq}.get(c.outcome, undecided).append(r)
    if undecided:
        return Pick(scheduler=fastest["scheduler"], status="undecided", fastest=fastest["scheduler"],
                    equivalent=[r["scheduler"] for r in eq], beaten=[r["scheduler"] for r in beaten],
                    undecided=[r["scheduler"] for r in undecided], comparisons=comps)
    choice = min([fastest] + eq, key=_simplicity)
    return Pick(scheduler=choice["scheduler"], status="equivalent" if choice is not fastest else "fastest",
                fastest=fastest["scheduler"], equivalent=[r["scheduler"] for r in eq],
                beaten=[r["scheduler"] for r in beaten], undecided=[], comparisons=comps)


def explain(p: Pick, rows: list[dict[str, Any]], n: int, default: str | None) -> tuple[str, dict[str, Any]]:
    """One short explanation of pick *p* among a workload's *rows*, and its evidence dict."""
    by = {r["scheduler"]: r for r in rows}
    rec = by[p["scheduler"]]
    sync = next((r for r in rows if is_serial(r["kind"])), None)
    thr = next((r for r in rows if is_threads(r["kind"]) and int(r.get("workers") or 0) == n), None)
    comps = p["comparisons"]
    ev: dict[str, Any] = {"scheduler": p["scheduler"], "status": p["status"], "median_s": rounded(rec["median_s"], 4),
                          "fastest": p["fastest"], "equivalent_to_fastest": p["equivalent"],
                          "beaten_by_fastest": p["beaten"], "undecided_with_fastest": p["undecided"],
                          "comparisons": {k: c.as_dict() for k, c in comps.items()}}
    bits = []
    if p["status"] == "undecided":
        other = p["undecided"][0]
        bits.append(f"undecided between {p['fastest']} and {', '.join(p['undecided'])} at the cap: "
                    + comps[other].words(p["fastest"], other))
    elif p["status"] == "equivalent":
        bits.append(comps[p["scheduler"]].words(p["fastest"], p["scheduler"]) + ", so the simpler one")
    else:
        beaten = [comps[k] for k in p["beaten"]]
        if beaten:
            closest = min(beaten, key=lambda c: c.ratio or np.inf)
            bits.append(closest.words(p["scheduler"], next(k for k in p["beaten"] if comps[k] is closest)))
        if p["equivalent"]:
            bits.append(f"equivalent: {', '.join(p['equivalent'])}")
    if sync is not None and rec is not sync:
        c = compare(rec, sync, names=(rec["scheduler"], "sync"))
        ev["vs_sync"] = c.as_dict()
        if c.outcome != "undecided" and c.lo is not None and c.lo > max(1, min(int(rec.get("nthreads") or 1), n)):
            bits.append(f"ARTEFACT to explain: {fmt.ratio(c.ratio)} over sync exceeds the {min(int(rec.get('nthreads') or 1), n)} "
                        f"cores it uses")
            ev["artefact"] = True
    g_row = thr if thr is not None else rec
    g = g_row.get("gil_median")
    if rounded(g) is not None:
        bits.append(f"a thread waited for the GIL {g:.0%} of the time under {g_row['scheduler']}")
        ev["gil_median"] = rounded(g)
    b_row = rec if pickles(rec["kind"]) else next((r for r in rows if is_process_pool(r["kind"])), None)
    if b_row is not None and rounded(b_row.get("bytes_moved")) is not None:
        bits.append(f"{b_row['scheduler']} moved {fmt.size(float(b_row['bytes_moved']))}")
        ev["bytes_moved"] = int(b_row["bytes_moved"])
    if sync is not None and rounded(sync.get("per_task_us")) is not None:
        nt = sync.get("ntasks") or sync.get("ntasks_graph")
        ev["task_us_sync"] = rounded(sync["per_task_us"], 1)
        bits.append((f"{int(nt)} tasks" if rounded(nt) is not None else "tasks")
                    + f" of ≈ {fmt.duration(float(sync['per_task_us']) / 1e6)} each under sync")
    if rounded(rec.get("cores_used")) is not None:
        ev["cores_used"] = rounded(rec["cores_used"], 2)
        bits.append(f"{rec['cores_used']:.1f} cores busy")
    ev["default"] = default
    ev["differs_from_default"] = bool(default) and p["scheduler"] != default
    if default and p["scheduler"] != default:
        d = by.get(default)
        if d is None:
            bits.append(f"Dask's default {default} not measured")
        elif default in comps:
            bits.append("vs Dask's default: " + comps[default].words(p["fastest"], default))
        else:
            bits.append(f"Dask's default {default} had failed repeats")
    elif default:
        bits.append("Dask's default")
    return f"{p['scheduler']}: " + "; ".join(bits), ev


def _default_label(rows: list[dict[str, Any]], collection: str, n: int) -> str | None:
    """The label of Dask's default scheduler for *collection* at *n* workers, as measured or as it would be.

    >>> rows = [{"scheduler": s, "kind": k, "workers": w} for s, k, w in
    ...         [("sync", "sync", 1), ("threads-2", "threads", 2), ("processes-2", "processes", 2)]]
    >>> _default_label(rows, "bag", 2), _default_label(rows, "array", 4), _default_label(rows, "unknown", 2)
    ('processes-2', 'threads-4', None)
    """
    kind = DEFAULT_KIND.get(collection)
    r = next((r for r in rows if r["kind"] == kind and int(r.get("workers") or 0) == n
              and int(r.get("threads_per_worker") or 1) == 1), None)
    return r["scheduler"] if r is not None else (None if kind is None else label_at(kind, n))


def _groups(ctx: Context) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for (w, _), r in ctx.rows.items():
        if r.get("collection") != "experiment":
            out.setdefault(w, []).append(r)
    return out


def recommend(ctx: Context, resamples: int = RERUNS, seed: int = 1, failures: dict[str, list[str]] | None = None
              ) -> list[dict[str, Any]]:
    """One recommendation per workload, each with its rerun agreement over *resamples* reruns
    (:mod:`reports.resample`).

    Returns ``{workload, scheduler, status, explanation, evidence, default, differs_from_default,
    rerun_agreement}``;
    ``scheduler`` is None when no spec of the workload finished its repeats without a failure.
    """
    groups = _groups(ctx)
    picks = {w: pick(rows) for w, rows in groups.items()}
    points = {w: (p["scheduler"] if p else None) for w, p in picks.items()}

    def answer(d: Context, live: set[str]) -> dict[str, Any]:
        g = _groups(d)
        return {w: (pick(g[w]) or {}).get("scheduler") if w in g else None for w in live}

    fig = agreements(ctx, points, answer, seed, most=resamples, least=min(LEAST, resamples),
                     scope=lambda w: {w}) if resamples else {}
    out = []
    for w, fails in (failures or {}).items():  # every repeat of every spec failed: no row has a time
        if w not in groups:
            out.append({"workload": w, "scheduler": None, "status": "failed", "default": None,
                        "differs_from_default": False, "stability": None,
                        "explanation": "no spec finished a repeat: " + "; ".join(sorted(set(fails)))[:200],
                        "evidence": {"failures": sorted(set(fails))}})
    for w, rows in groups.items():
        default = _default_label(rows, rows[0].get("collection") or "", ctx.n)
        p = picks[w]
        if p is None:
            fails = sorted({f for r in rows for f in (r.get("failures") or [])}) or (failures or {}).get(w, [])
            out.append({"workload": w, "scheduler": None, "status": "failed", "default": default,
                        "differs_from_default": False, "stability": None,
                        "explanation": "no spec finished its repeats without a failure: "
                                       + ("; ".join(fails)[:200] or "no data"), "evidence": {"failures": fails}})
            continue
        text, ev = explain(p, rows, ctx.n, default)
        few = [r["scheduler"] for r in rows if len(r["times"]) < MIN_REPEATS]
        if few:
            text += f"; fewer than {MIN_REPEATS} repeats on {', '.join(few)}: nothing decided there"
        stab = fig.get(w)
        out.append({"workload": w, "scheduler": p["scheduler"], "status": p["status"], "explanation": text,
                    "evidence": ev, "default": default, "differs_from_default": ev["differs_from_default"],
                    "rerun_agreement": stab, "stability": stab, "fragile": bool(stab is not None and stab < 0.9)})
    return out


def add_model_terms(recs: list[dict[str, Any]], predictions: list[dict[str, Any]], words: Any) -> None:
    """Put the cost model's reason for each recommended spec first in its explanation.

    *words* turns one prediction into a sentence (:func:`reports.model.explain_terms`):
    "processes-2: 72 % of the task time holds the GIL (threads cap at 1.4×); 3 kB
    pickled per task".  The measured comparison follows; ``evidence["model"]`` keeps
    the predicted and measured seconds and the dominant term.
    """
    by = {(p.get("workload"), p.get("scheduler")): p for p in predictions}
    for r in recs:
        p = by.get((r["workload"], r.get("scheduler")))
        if p is None:
            continue
        said = words(p)
        rest = r["explanation"].split(": ", 1)[1] if ": " in r["explanation"] else r["explanation"]
        r["explanation"] = f"{said} (model); measured: {rest}"
        r["evidence"]["model"] = {k: p.get(k) for k in ("predicted_s", "measured_s", "error", "dominant_term")}
