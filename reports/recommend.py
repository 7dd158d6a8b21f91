"""Recommend a scheduler for every workload, explained by its own measurements.

The rule (:func:`pick`): among the specs whose repeats all succeeded, the one
with the lowest median is the *fastest*.  Every other spec is compared with it
(:func:`reports.stats.compare`, paired by round): it is beaten (the fastest
shown faster), ``equivalent`` (within ±10 %, by its interval) or undecided.  When none is undecided, the
simplest of the fastest and its equivalents is the candidate
(``sync < threads < processes < distributed``, then fewer threads) and the
explanation says which were equivalent.  When one stays undecided at the cap,
the fastest stays the candidate, marked ``undecided``, and both are named.  A
spec with a failed or mismatched repeat, or an unstable one, is never a candidate: the
recommendation reads rows through the same gate as the claims.  Simpler is
lower in :data:`runners.records.kinds.RANK`, then fewer threads.

*Undecided means the default.*  The status quo needs no evidence; a change
does.  When the candidate is not Dask's default for the collection, the
default's row is healthy, and the candidate is neither shown faster than the
default nor chosen among equivalents, the recommendation is the default
(status ``default (undecided)``), naming the candidate that might be faster
with its interval.

*As Dask ships it.*  A spec measured both ways (``processes-2-shipped``: a new
pool per compute, and ``processes-2``: the suite's kept pool) is a candidate
in its as-shipped reading only: the recommendation is about what Dask's
defaults give.  The tuned row is reported beside it, with the number of
computes after which a kept pool (or cluster) pays off its start-up
(:func:`break_even`).  Rows of older runs, which have one reading only, are
read as before.

Each recommendation carries a ``headline`` (the scheduler, the one comparison
that decided it with its interval, whether it is Dask's default, and its
memory where that is several times the baseline's) and the ``code`` to paste
(:func:`runners.records.paste.code`).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

import numpy as np
import pandas as pd

from reports import control_figures, fmt
from reports.evidence import Context, rounded
from reports.fmt import is_number
from reports.headline import DEFAULT_UNDECIDED, MEMORY_FACTOR, break_even, code_of, headline, healthy, \
    kept_pool, memory_note, span
from reports.resample import LEAST, RERUNS, agreements
from reports.stats import MARGIN, MIN_REPEATS, compare
from reports.table import flag
from runners.records.kinds import DEFAULT_SCHEDULER as DEFAULT_KIND, RANK, has_readings, \
    is_process_pool, is_serial, is_threads, label_at, pickles

__all__ = ["pick", "recommend", "explain", "headline", "Pick", "add_model_terms", "break_even", "code_of",
           "DEFAULT_UNDECIDED", "MEMORY_FACTOR"]



def _simplicity(r: dict[str, Any]) -> tuple[int, int, float]:
    return RANK.get(r["kind"], len(RANK)), int(r.get("nthreads") or 1), float(r["median_s"])


def _tuned_beside(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The tuned row of every spec also measured as shipped: ``{as-shipped label: tuned row}``.

    Matched by what the rows say they are (kind, workers, threads per worker, ``as_shipped``);
    a row without ``as_shipped`` (an older run) is a tuned one with no twin.

    >>> rows = [{"scheduler": "processes-2", "kind": "processes", "workers": 2, "as_shipped": False},
    ...         {"scheduler": "processes-2-shipped", "kind": "processes", "workers": 2, "as_shipped": True},
    ...         {"scheduler": "threads-2", "kind": "threads", "workers": 2}]
    >>> {k: r["scheduler"] for k, r in _tuned_beside(rows).items()}
    {'processes-2-shipped': 'processes-2'}
    """
    def key(r: dict[str, Any]) -> tuple[str, int, int]:
        return r["kind"], int(r.get("workers") or 1), int(r.get("threads_per_worker") or 1)

    shipped = {key(r): r["scheduler"] for r in rows if _shipped(r)}
    return {shipped[key(r)]: r for r in rows if not _shipped(r) and has_readings(r["kind"]) and key(r) in shipped}


def _shipped(r: dict[str, Any]) -> bool:
    """Whether row *r* is an as-shipped reading (a Python or a numpy True; missing, None or NaN: no)."""
    return flag(r.get("as_shipped"))


class Pick(dict):
    """``{scheduler, status, fastest, equivalent, beaten, undecided, comparisons, tuned, candidate, versus_default}``
    of one workload: ``tuned`` maps each as-shipped label to its tuned twin (not a candidate); with status
    :data:`DEFAULT_UNDECIDED`, ``candidate`` is the spec that might be faster and ``versus_default`` its
    comparison with the default (candidate over default)."""


def _main_cap(ctx: Context) -> Context:
    """*ctx* with its reruns no longer than the profile's main repeat cap (``max_repeats`` in ``meta.json``).

    A rerun goes on to the last look only for a question still open; the recommendation's are not a claim's, and
    the rounds stop them at the main cap (past it only a claim's go on).  Drawn to the claim cap instead,
    quick's array-object-math, undecided against sync at its cap of 10, was decided in every draw and its
    recommendation shown with a rerun agreement of 0.00.  A workload that ran longer keeps its rounds.

    >>> _main_cap(Context(cores=2, n=2, gil_enabled=True, free_threaded=False, openmp=None, rows={},
    ...                   meta={"max_repeats": 10}, lengths={"a": 25, "b": 7})).lengths
    {'a': 10, 'b': 7}
    """
    cap = ctx.meta.get("max_repeats") if isinstance(ctx.meta, dict) else None
    if not isinstance(cap, int) or not ctx.lengths:
        return ctx
    return replace(ctx, lengths={g: min(n, cap) for g, n in ctx.lengths.items()})


def pick(rows: list[dict[str, Any]], default: str | None = None, dropped: Mapping[str, str] | None = None
         ) -> Pick | None:
    """The recommendation among one workload's *rows* (table rows with ``times``); None if none is healthy.

    *default* is the label of Dask's default scheduler for the workload (:func:`_default_label`): a
    candidate that is not shown faster than it (nor equivalent to the fastest and simpler) leaves the
    recommendation with it.  *dropped* maps the labels the rounds left out early as far slower than the
    best (:func:`reports.stopping.far_slower`) to why: decided, so neither candidates nor undecided.

    >>> def row(s, k, t, times):
    ...     return {"scheduler": s, "kind": k, "nthreads": t, "times": times, "median_s": float(np.median(times))}
    >>> a = row("sync", "sync", 1, [1.0, 1.01, 0.99, 1.0, 1.02])
    >>> b = row("threads-2", "threads", 2, [0.99, 1.0, 0.98, 1.0, 0.99])
    >>> p = pick([a, b]); p["scheduler"], p["status"], p["equivalent"]
    ('sync', 'equivalent', ['sync'])
    >>> c = row("processes-2", "processes", 2, [0.6, 0.9, 1.1, 0.7, 1.2])  # faster by median, not shown faster
    >>> p = pick([b, c], default="threads-2"); p["scheduler"], p["status"], p["candidate"]
    ('threads-2', 'default (undecided)', 'processes-2')
    """
    beside = _tuned_beside(rows)
    twins = {id(r) for r in beside.values()}
    dropped = dict(dropped or {})
    good = [r for r in rows if healthy(r) and id(r) not in twins and r["scheduler"] not in dropped]
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
    choice = fastest if undecided else min([fastest] + eq, key=_simplicity)
    status = "undecided" if undecided else ("equivalent" if choice is not fastest else "fastest")
    p = Pick(scheduler=choice["scheduler"], status=status, fastest=fastest["scheduler"],
             equivalent=[r["scheduler"] for r in eq], beaten=[r["scheduler"] for r in beaten],
             undecided=[r["scheduler"] for r in undecided], comparisons=comps,
             tuned={k: r["scheduler"] for k, r in beside.items()}, candidate=None, versus_default=None,
             dropped={r["scheduler"]: dropped[r["scheduler"]] for r in rows if r["scheduler"] in dropped})
    d = next((r for r in good if r["scheduler"] == default), None)
    if d is None or d is choice or d is fastest or any(r is d for r in eq):
        return p  # no default to stay with, it is the pick, or it is equivalent to the fastest (simplicity decides)
    c = comps[d["scheduler"]] if choice is fastest else compare(choice, d, names=(choice["scheduler"], default))
    if c.outcome == "above":
        return p
    p.update(scheduler=d["scheduler"], status=DEFAULT_UNDECIDED, candidate=choice["scheduler"], versus_default=c)
    return p


def explain(p: Pick, rows: list[dict[str, Any]], n: int, default: str | None,
            start: dict[str, float] | None = None) -> tuple[str, dict[str, Any]]:
    """One short explanation of pick *p* among a workload's *rows*, and its evidence dict.

    *start* maps a tuned label to its pool's (or cluster's) start-up seconds (:func:`_start_costs`): the
    break-even of a kept pool is stated for the pick and Dask's default where they are as-shipped readings.
    """
    by = {r["scheduler"]: r for r in rows}
    rec = by[p["scheduler"]]
    sync = next((r for r in rows if is_serial(r["kind"])), None)
    thr = next((r for r in rows if is_threads(r["kind"]) and int(r.get("workers") or 0) == n), None)
    comps = p["comparisons"]
    ev: dict[str, Any] = {"scheduler": p["scheduler"], "status": p["status"], "median_s": rounded(rec["median_s"], 4),
                          "fastest": p["fastest"], "equivalent_to_fastest": p["equivalent"],
                          "beaten_by_fastest": p["beaten"], "undecided_with_fastest": p["undecided"],
                          "comparisons": {k: c.as_dict() for k, c in comps.items()}}
    if p.get("tuned"):
        ev["tuned_beside"] = dict(p["tuned"])
    if p.get("dropped"):
        ev["dropped"] = dict(p["dropped"])
    bits = []
    if p["status"] == DEFAULT_UNDECIDED:
        ev["candidate"] = p["candidate"]
        ev["candidate_vs_default"] = p["versus_default"].as_dict()
        bits.append(f"Dask's default, kept: {p['candidate']} might be faster, {span(p['versus_default'])}, undecided")
    elif p["status"] == "undecided":
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
    mem = memory_note(rec, sync if sync is not None and is_number(sync.get("peak_rss")) else by.get(default or ""))
    if mem is not None:
        ev["memory"] = mem
        bits.append(mem["words"])
    ev["default"] = default
    ev["differs_from_default"] = bool(default) and p["scheduler"] != default
    if default and p["scheduler"] != default:
        d = by.get(default)
        if default in (p.get("dropped") or {}):
            bits.append(f"Dask's default {default} left out early: {p['dropped'][default]}")
        elif d is None:
            bits.append(f"Dask's default {default} not measured")
        elif default in comps:
            bits.append("vs Dask's default: " + comps[default].words(p["fastest"], default))
        else:
            bits.append(f"Dask's default {default} had failed repeats")
    elif default and p["status"] != DEFAULT_UNDECIDED:
        bits.append("Dask's default")
    kept = {}
    for label in dict.fromkeys([p["scheduler"], default]):
        tuned = by.get(p.get("tuned", {}).get(label or ""))
        if tuned is not None:
            text, kept[label] = kept_pool(by[label], tuned, start or {})
            bits.append(text)
    if kept:
        ev["break_even"] = kept
    for label, why in (p.get("dropped") or {}).items():
        if label != default:
            bits.append(f"{label} left out early: {why}")
    return f"{p['scheduler']}: " + "; ".join(bits), ev


def _default_label(rows: list[dict[str, Any]], collection: str, n: int) -> str | None:
    """The label of Dask's default scheduler for *collection* at *n* workers, as measured or as it would be.

    A kind measured both ways is Dask's default in its as-shipped reading, where that was measured.

    >>> rows = [{"scheduler": s, "kind": k, "workers": w} for s, k, w in
    ...         [("sync", "sync", 1), ("threads-2", "threads", 2), ("processes-2", "processes", 2)]]
    >>> _default_label(rows, "bag", 2), _default_label(rows, "array", 4), _default_label(rows, "unknown", 2)
    ('processes-2', 'threads-4', None)
    >>> rows.append({"scheduler": "processes-2-shipped", "kind": "processes", "workers": 2, "as_shipped": True})
    >>> _default_label(rows, "bag", 2)
    'processes-2-shipped'
    """
    kind = DEFAULT_KIND.get(collection)
    at = [r for r in rows if r["kind"] == kind and int(r.get("workers") or 0) == n
          and int(r.get("threads_per_worker") or 1) == 1]
    r = next((r for r in at if _shipped(r)), at[0] if at else None)
    return r["scheduler"] if r is not None else (None if kind is None else label_at(kind, n))


def _groups(ctx: Context) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for (w, _), r in ctx.rows.items():
        if r.get("collection") != "experiment":
            out.setdefault(w, []).append(r)
    return out


def _start_costs(startup: Any) -> dict[str, float]:
    """Start-up seconds by scheduler label (the median of its ok starts) from ``startup.jsonl`` rows.

    >>> _start_costs(pd.DataFrame([{"scheduler": "processes-2", "kind": "processes", "start_s": s} for s in (0.8, 1.0, 0.9)]))
    {'processes-2': 0.9}
    """
    st = startup if isinstance(startup, pd.DataFrame) else pd.DataFrame(list(startup or []))
    if st.empty or not {"scheduler", "kind", "start_s"} <= set(st.columns):
        return {}
    if "status" in st:
        st = st[st["status"].fillna("ok") == "ok"]
    st = st.assign(start_s=pd.to_numeric(st["start_s"], errors="coerce"),
                   stop_s=pd.to_numeric(st["stop_s"], errors="coerce") if "stop_s" in st else np.nan)
    return {r.scheduler: float(r.start_s) for r in control_figures.startup(st).itertuples() if is_number(r.start_s)}


def recommend(ctx: Context, resamples: int = RERUNS, seed: int = 1, failures: dict[str, list[str]] | None = None,
              startup: Any = None) -> list[dict[str, Any]]:
    """One recommendation per workload, each with its rerun agreement over *resamples* reruns
    (:mod:`reports.resample`).

    Returns ``{workload, scheduler, status, headline, code, code_line, explanation, evidence, default,
    differs_from_default, rerun_agreement}``; ``scheduler`` (and ``code``) is None when no spec of the workload
    finished its repeats without a failure.  *startup* holds the run's start-up rows (``startup.jsonl``, a frame
    or a list of dicts): a kept pool's start-up, from which its break-even is stated.
    """
    groups = _groups(ctx)
    start = _start_costs(startup)

    def default_of(rows: list[dict[str, Any]], d: Context) -> str | None:
        return _default_label(rows, rows[0].get("collection") or "", d.n)

    picks = {w: pick(rows, default_of(rows, ctx), ctx.dropped.get(w)) for w, rows in groups.items()}
    points = {w: (p["scheduler"] if p else None) for w, p in picks.items()}

    def answer(d: Context, live: set[str]) -> dict[str, Any]:
        g = _groups(d)
        return {w: (pick(g[w], default_of(g[w], d), d.dropped.get(w)) or {}).get("scheduler") if w in g else None
                for w in live}

    fig = agreements(_main_cap(ctx), points, answer, seed, most=resamples, least=min(LEAST, resamples),
                     scope=lambda w: {w}) if resamples else {}
    out = []
    for w, fails in (failures or {}).items():  # every repeat of every spec failed: no row has a time
        if w not in groups:
            out.append(_failed(w, None, "no spec finished a repeat: " + "; ".join(sorted(set(fails)))[:200],
                               sorted(set(fails))))
    for w, rows in groups.items():
        default = default_of(rows, ctx)
        p = picks[w]
        if p is None:
            fails = sorted({f for r in rows for f in (r.get("failures") or [])}) or (failures or {}).get(w, [])
            out.append(_failed(w, default, "no spec finished its repeats without a failure: "
                               + ("; ".join(fails)[:200] or "no data"), fails))
            continue
        text, ev = explain(p, rows, ctx.n, default, start)
        few = [r["scheduler"] for r in rows if len(r["times"]) < MIN_REPEATS and r["scheduler"] not in p["dropped"]]
        if few:
            text += f"; fewer than {MIN_REPEATS} repeats on {', '.join(few)}: nothing decided there"
        stab = fig.get(w)
        code, line = code_of(p["scheduler"])
        out.append({"workload": w, "scheduler": p["scheduler"], "status": p["status"], "headline": headline(p, ev),
                    "code": code, "code_line": line, "explanation": text, "evidence": ev, "default": default,
                    "differs_from_default": ev["differs_from_default"], "rerun_agreement": stab, "stability": stab,
                    "fragile": bool(stab is not None and stab < 0.9)})
    return out


def _failed(workload: str, default: str | None, text: str, fails: list[str]) -> dict[str, Any]:
    """The recommendation of a workload no spec of which finished its repeats: none, and why."""
    return {"workload": workload, "scheduler": None, "status": "failed", "default": default,
            "differs_from_default": False, "stability": None, "headline": "none: every spec failed a repeat",
            "code": None, "code_line": None, "explanation": text, "evidence": {"failures": fails}}


def add_model_terms(recs: list[dict[str, Any]], predictions: list[dict[str, Any]], words: Any) -> None:
    """Put the cost model's reason for each recommended spec first in its explanation.

    *words* turns one prediction into a sentence (:func:`reports.model_advice.explain_terms`):
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


def add_preparation(recs: list[dict[str, Any]], rounds: list[dict[str, Any]] | None) -> None:
    """Say beside each recommendation what its workload's separate delayed objects cost Dask to prepare.

    The runner measures hundreds of separate delayed objects on one graph and stores what preparing
    them as given costs in ``rounds.jsonl`` (``preparation``, :mod:`runners.onegraph`); the
    recommendation carries it as ``graph_preparation`` and ``note``, and its explanation ends with it.

    >>> recs = [{"workload": "w", "explanation": "sync: fastest."}, {"workload": "v", "explanation": "x"}]
    >>> add_preparation(recs, [{"workload": "w", "preparation": {"separate_s": 2.1, "note": "2.1 s each compute"}}])
    >>> recs[0]["note"], recs[0]["explanation"], "note" in recs[1]
    ('2.1 s each compute', 'sync: fastest. Note: 2.1 s each compute', False)
    """
    prep = {r.get("workload"): r["preparation"] for r in rounds or [] if isinstance(r.get("preparation"), dict)}
    for r in recs:
        p = prep.get(r["workload"])
        if p and p.get("note"):
            r["graph_preparation"], r["note"] = p, str(p["note"])
            r["explanation"] = f"{r['explanation']} Note: {p['note']}"
