"""The statistics table: one row per (workload, scheduler) of a run's timed repeats.

:func:`table` reads the stored rows (controls, experiments and skipped
schedulers left out; failed rows that a later ``--resume`` session retried
are kept in the folder but not counted) and :func:`derive` computes what
follows from the times: the spread, the stability flag, µs per task, the
first round's transient, and the comparison with ``sync``
(:func:`reports.stats.compare`, paired by round).
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence, cast

import numpy as np
import pandas as pd

from reports.fmt import is_number
from reports.stats import MIN_TIME_S, UNSTABLE_SPREAD, compare
from runners.records.kinds import Kind, SchedulerSpec, is_serial

__all__ = ["table", "derive", "describe_times", "first_round", "disturbed", "TRANSIENT"]

TRANSIENT = 0.10  # a first timed round more than 10 % off the rest is flagged (a warm-up that did not warm)


def describe_times(times: Sequence[float]) -> dict[str, Any]:
    """Median, quartiles, min/max, relative IQR and the stability flag of *times*.

    >>> d = describe_times([1.0, 1.1, 0.9, 1.0, 1.05])
    >>> d["median_s"], d["unstable"]
    (1.0, False)
    """
    t = np.asarray([x for x in times if is_number(x)], dtype=float)
    if t.size == 0:
        return {"n": 0, "median_s": None, "q1_s": None, "q3_s": None, "min_s": None, "max_s": None,
                "iqr_rel": None, "unstable": True, "unstable_reason": "no successful repeat"}
    q1, med, q3 = np.percentile(t, [25, 50, 75])
    iqr_rel = float((q3 - q1) / med) if med > 0 else None
    reasons = []
    if iqr_rel is not None and iqr_rel > UNSTABLE_SPREAD and t.size >= 4:
        reasons.append(f"spread {iqr_rel:.0%} of median > {UNSTABLE_SPREAD:.0%}")
    if med < MIN_TIME_S:
        reasons.append(f"median {med * 1e3:.2f} ms < 1 ms")
    return {"n": int(t.size), "median_s": float(med), "q1_s": float(q1), "q3_s": float(q3),
            "min_s": float(t.min()), "max_s": float(t.max()), "iqr_rel": iqr_rel,
            "unstable": bool(reasons), "unstable_reason": "; ".join(reasons)}


def _med(s: pd.Series) -> float | None:
    s = pd.to_numeric(s, errors="coerce").dropna()
    return float(s.median()) if len(s) else None


def _superseded(g: pd.DataFrame) -> pd.Series:
    """Failed rows that a later session of ``--resume`` retried (kept, not counted)."""
    if "session" not in g:
        return pd.Series(False, index=g.index)
    s = pd.to_numeric(g["session"], errors="coerce").fillna(0)
    return (g["status"] != "ok") & (s < s.max())


def _key(session: Any, rnd: Any, group: str = "") -> str | None:
    """A repeat's round, ``"session:round"`` (None outside the rounds: warm-ups, controls); with *group* (the
    workloads measured in the same rounds: a twin pair's interleave key, else the workload) the pairing key
    ``"session:group:round"``, so that rounds of workloads measured apart never pair.

    >>> _key(0, 3), _key(1, 3), _key(0, -1), _key(0, 3, "kernel-sleep")
    ('0:3', '1:3', None, '0:kernel-sleep:3')
    """
    r = int(rnd) if is_number(rnd) else -1
    s = int(session) if is_number(session) else 0
    if r < 0:
        return None
    return f"{s}:{group}:{r}" if group else f"{s}:{r}"


def disturbed(rows: pd.DataFrame, bursts: set[tuple[str, str]] | None) -> pd.Series:
    """Ok repeats of a round marked as a burst of interference (``(workload, key)`` in *bursts*): left out.

    A failure is never left out, burst or not: the runner took that spec out of the rotation, so nothing
    would measure it again.
    """
    if not bursts or rows.empty:
        return pd.Series(False, index=rows.index)
    return pd.Series([st == "ok" and (w, _key(s, r)) in bursts
                      for w, s, r, st in zip(rows["workload"], rows["session"], rows["round"], rows["status"])],
                     index=rows.index)


def _nthreads(kind: str, workers: int, threads_per_worker: int) -> int:
    """Threads that run tasks (:attr:`SchedulerSpec.nthreads`); for a row that does not say a valid spec, its
    workers times threads per worker as stored.

    >>> _nthreads("sync", 1, 1), _nthreads("threads", 4, 1), _nthreads("distributed", 2, 3), _nthreads("", 2, 1)
    (1, 4, 6, 2)
    """
    try:
        return SchedulerSpec(cast(Kind, kind), workers, threads_per_worker).nthreads
    except ValueError:
        return workers * threads_per_worker


def flag(x: Any) -> bool:
    """A stored yes/no (``as_shipped``): True only for a true boolean; missing (old rows) or NaN is False.

    >>> flag(np.True_), flag(True), flag(None), flag(float("nan")), flag("yes")
    (True, True, False, False, False)
    """
    return isinstance(x, (bool, np.bool_)) and bool(x)


def table(rows: pd.DataFrame, workloads: dict[str, dict[str, Any]] | None = None,
          bursts: set[tuple[str, str]] | None = None, looks: dict[str, Any] | None = None,
          own_looks: Mapping[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """One row per (workload, scheduler) of the timed repeats (controls excluded).

    Columns: identity (``workload, family, collection, claims, params, real_data,
    scheduler, kind, workers, threads_per_worker, as_shipped, nthreads, description,
    input_bytes, size``); wall time over the ok repeats (``n, times, median_s,
    q1_s, q3_s, min_s, max_s, iqr_rel, unstable, unstable_reason``); failures
    (``n_failed, failures, check_ok``); instruments (medians over repeats:
    ``gil_min, gil_median, gil_max, cpu_s, cores_used, peak_rss, bytes_moved,
    ntasks, ntasks_graph, task_mismatch, per_task_us``); and against ``sync``
    of the same workload (:func:`derive`): ``speedup, speedup_lo, speedup_hi,
    vs_sync`` (an outcome of :func:`compare`) and ``vs_sync_reason``.  Beside
    ``times``: ``keys`` (each repeat's round, for paired comparisons) and
    ``gils`` (each repeat's GIL figure, so a resample keeps them together);
    ``first_round``: the first timed round against the median of the rest
    (``transient`` when more than 10 % off).  Repeats of rounds listed in
    *bursts* (``(workload, "session:round")``) are left out and counted in
    ``n_disturbed``.  *looks* (the run's sequential design,
    :class:`reports.intervals.Looks` as a dict) is stored on every row: the
    level of every comparison of its repeats; *own_looks* (workload -> looks) the design a workload got
    of its own (:func:`runners.rounds.design`), which its rows carry instead.
    """
    workloads = workloads or {}
    if rows.empty:
        return pd.DataFrame()
    main = rows[(rows["mode"].fillna("instrumented") == "instrumented") & (rows["control"].fillna("") == "")
                & (rows["status"].fillna("ok") != "skipped")  # a scheduler this interpreter cannot run
                & (rows["collection"].fillna("") != "experiment")]  # raw-thread cells: read by their rules
    out = []
    for (wl, sched), g in main.groupby(["workload", "scheduler"], sort=False):
        g = g[~_superseded(g)]
        hit = disturbed(g, bursts)
        n_disturbed = int(hit.sum())
        g = g[~hit]
        ok = g[g["status"] == "ok"]
        ok = ok[pd.to_numeric(ok["wall_s"], errors="coerce").notna()]
        bad = g[g["status"] != "ok"]
        first = g.iloc[0]
        info = workloads.get(wl, {})
        kind = first.get("kind") or ""
        workers = int(first.get("workers") or 1)
        tpw = int(first.get("threads_per_worker") or 1)
        ntasks = _med(ok["ntasks_captured"]) if "ntasks_captured" in ok else None
        ngraph = _med(ok["ntasks_graph"]) if "ntasks_graph" in ok else None
        out.append({
            "workload": wl,
            "family": first.get("family") or info.get("family") or wl,
            "collection": first.get("collection") or info.get("collection", ""),
            "claims": list(first.get("claims") or info.get("claims") or []),
            "params": dict(first.get("params") or info.get("params") or {}),
            "real_data": bool(first.get("real_data") or info.get("real_data", False)),
            "description": info.get("description", ""),
            "input_bytes": first.get("input_bytes") or info.get("input_bytes", 0),
            "size": first.get("size"),
            "scheduler": sched,
            "kind": kind,
            "workers": workers,
            "threads_per_worker": tpw,
            "as_shipped": flag(first.get("as_shipped")),
            "nthreads": _nthreads(kind, workers, tpw),
            "times": [float(x) for x in ok["wall_s"]],
            "keys": [_key(a, b, info.get("interleave") or wl) for a, b in zip(ok["session"], ok["round"])],
            "gils": [float(x) if is_number(x) else None for x in ok["gil_median"]],
            "n_disturbed": n_disturbed,
            "looks": (own_looks or {}).get(wl, looks),
            "n_failed": int(len(bad)),
            "failures": sorted({f"{r.status}: {r.error_type or ''} {str(r.error or r.check_detail or '')[:120]}".strip()
                                for r in bad.itertuples()}) if len(bad) else [],
            "gil_min": _med(ok["gil_min"]),
            "gil_median": _med(ok["gil_median"]),
            "gil_max": _med(ok["gil_max"]),
            "cpu_s": _med(ok["cpu_s"]),
            "cores_used": _med(ok["cores_used"]),
            "peak_rss": _med(ok["peak_rss"]),
            "bytes_moved": _med(ok["bytes_moved"]),
            "ntasks": ntasks,
            "ntasks_graph": ngraph,
            "task_mismatch": bool(ntasks is not None and ngraph is not None and ntasks != ngraph),
            "check_ok": bool(len(ok) and not (g["status"] == "mismatch").any()),
        })
    return derive(pd.DataFrame(out))


def derive(t: pd.DataFrame) -> pd.DataFrame:
    """(Re)compute every column that follows from ``times``: spread, per-task time, vs sync.

    Used by :func:`table` and again on every bootstrap resample.
    """
    if t.empty:
        return t
    t = t.copy()
    desc = [describe_times(x) for x in t["times"]]
    for k in desc[0]:
        t[k] = [d[k] for d in desc]
    first = [first_round(x, k) for x, k in zip(t["times"], t["keys"] if "keys" in t else [None] * len(t))]
    t["first_round"] = first
    t["transient"] = [f is not None and abs(f - 1) > TRANSIENT for f in first]
    t["per_task_us"] = [(m / n * 1e6) if m and is_number(n) and n else None for m, n in zip(t["median_s"], t["ntasks"])]
    sync = {r["workload"]: r for _, r in t.iterrows() if is_serial(r["kind"])}
    cols: dict[str, list[Any]] = {k: [] for k in ("speedup", "speedup_lo", "speedup_hi", "vs_sync", "vs_sync_reason")}
    for _, r in t.iterrows():
        base = sync.get(r["workload"])
        if base is None or is_serial(r["kind"]) or not r["times"] or not base["times"]:
            sp = (base["median_s"] / r["median_s"]) if base is not None and base["median_s"] and r["median_s"] else None
            vals = [sp, None, None, None, ""]
        else:
            c = compare(r, base, names=(r["scheduler"], "sync"))
            vals = [c.ratio, c.lo, c.hi, c.outcome, c.reason]
        for k, v in zip(cols, vals):
            cols[k].append(v)
    for k, v in cols.items():
        t[k] = v
    return t


def first_round(times: Sequence[float], keys: Sequence[Any] | None) -> float | None:
    """The first timed round of a row against the median of the rest (None under 5 repeats).

    >>> first_round([1.3, 1.0, 1.0, 1.01, 0.99], ["0:w:0", "0:w:1", "0:w:2", "0:w:3", "0:w:4"])
    1.3
    """
    if len(times) < 5:
        return None
    order = list(range(len(times)))
    if keys is not None and len(keys) == len(times) and all(k is not None for k in keys):
        parts = [str(keys[i]).split(":") for i in order]
        order.sort(key=lambda i: (int(parts[i][0]), int(parts[i][-1])))
    rest = float(np.median([times[i] for i in order[1:]]))
    return round(float(times[order[0]]) / rest, 4) if rest > 0 else None
