"""Statistics over stored repeats: medians, spread, speedups, significance, controls.

One row per (workload, scheduler) in :func:`table`.  Its columns (the contract
the verdicts, recommendations and dashboard read):

identity
    ``workload, family, collection, claims, params, real_data, scheduler, kind,
    workers, threads_per_worker, nthreads, description, input_bytes, size``
wall time (seconds, over the ``n`` ok repeats)
    ``n, n_failed, failures, median_s, q1_s, q3_s, min_s, max_s, iqr_rel,
    unstable, unstable_reason, times`` (the list of repeat times)
vs sync of the same workload
    ``speedup`` (sync median / this median), ``speedup_lo, speedup_hi`` (ratio of
    quantiles: sync q1 / this q3 and sync q3 / this q1), ``vs_sync`` (``faster`` /
    ``slower`` / ``same``: factor and Mann-Whitney U must agree), ``p_vs_sync``
instruments (medians over repeats)
    ``gil_min, gil_median, gil_max`` (GIL contention 0..1, per-process min,
    duration-weighted median, max), ``cpu_s, cores_used, peak_rss, bytes_moved,
    ntasks, ntasks_graph, task_mismatch, per_task_us``, ``check_ok``

>>> faster([1.0, 1.1, 1.0], [2.0, 2.1, 2.2])
('faster', 0.05)
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "FACTOR",
    "ALPHA",
    "UNSTABLE_SPREAD",
    "MIN_TIME_S",
    "faster",
    "summarise",
    "table",
    "overhead",
    "aa_control",
    "startup",
]

FACTOR = 1.1  # "A is faster than B" needs at least this ratio of medians (as asv)...
ALPHA = 0.05  # ...and a one-sided Mann-Whitney U p-value at most this.
UNSTABLE_SPREAD = 0.10  # pyperf-style: flag a row whose IQR exceeds 10 % of its median
MIN_TIME_S = 1e-3  # ...or whose median is under 1 ms


def faster(a: Sequence[float], b: Sequence[float], factor: float = FACTOR, alpha: float = ALPHA) -> tuple[str, float | None]:
    """Is *a* (times) faster than *b*?  ``("faster" | "slower" | "same", p)``.

    Both tests must agree: the ratio of medians passes *factor* and the one-sided
    Mann-Whitney U test gives p <= *alpha*.  With 3 vs 3 repeats the smallest
    possible p is 0.05, so three clean repeats each can decide.
    """
    a = [x for x in a if x is not None and math.isfinite(x)]
    b = [x for x in b if x is not None and math.isfinite(x)]
    if len(a) < 2 or len(b) < 2:
        return "same", None
    from scipy.stats import mannwhitneyu

    ma, mb = float(np.median(a)), float(np.median(b))
    if mb >= ma * factor:
        p = float(mannwhitneyu(a, b, alternative="less").pvalue)
        return ("faster" if p <= alpha else "same"), p
    if ma >= mb * factor:
        p = float(mannwhitneyu(a, b, alternative="greater").pvalue)
        return ("slower" if p <= alpha else "same"), p
    return "same", float(mannwhitneyu(a, b, alternative="two-sided").pvalue)


def summarise(times: Sequence[float]) -> dict[str, Any]:
    """Median, quartiles, min/max, relative IQR and the stability flag of *times*."""
    t = np.asarray([x for x in times if x is not None and math.isfinite(x)], dtype=float)
    if t.size == 0:
        return {"n": 0, "median_s": None, "q1_s": None, "q3_s": None, "min_s": None, "max_s": None,
                "iqr_rel": None, "unstable": True, "unstable_reason": "no successful repeat"}
    q1, med, q3 = np.percentile(t, [25, 50, 75])
    iqr_rel = float((q3 - q1) / med) if med > 0 else None
    reasons = []
    if iqr_rel is not None and iqr_rel > UNSTABLE_SPREAD:
        reasons.append(f"spread {iqr_rel:.0%} of median > {UNSTABLE_SPREAD:.0%}")
    if med < MIN_TIME_S:
        reasons.append(f"median {med * 1e3:.2f} ms < 1 ms")
    if t.size < 3:
        reasons.append(f"only {t.size} repeat(s)")
    return {"n": int(t.size), "median_s": float(med), "q1_s": float(q1), "q3_s": float(q3),
            "min_s": float(t.min()), "max_s": float(t.max()), "iqr_rel": iqr_rel,
            "unstable": bool(reasons), "unstable_reason": "; ".join(reasons)}


def _med(s: pd.Series) -> float | None:
    s = pd.to_numeric(s, errors="coerce").dropna()
    return float(s.median()) if len(s) else None


def table(rows: pd.DataFrame, workloads: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """The per-(workload, scheduler) statistics table (see module docstring)."""
    workloads = workloads or {}
    if rows.empty:
        return pd.DataFrame()
    main = rows[(rows["mode"].fillna("instrumented") == "instrumented") & (rows["control"].fillna("") == "")]
    out = []
    for (wl, sched), g in main.groupby(["workload", "scheduler"], sort=False):
        ok = g[g["status"] == "ok"]
        bad = g[g["status"] != "ok"]
        first = g.iloc[0]
        info = workloads.get(wl, {})
        times = [float(x) for x in ok["wall_s"].dropna()]
        s = summarise(times)
        workers = int(first.get("workers") or 1)
        tpw = int(first.get("threads_per_worker") or 1)
        kind = first.get("kind") or ""
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
            "nthreads": 1 if kind == "sync" else workers * tpw,
            **s,
            "times": times,
            "n_failed": int(len(bad)),
            "failures": sorted({f"{r.status}: {r.error_type or ''} {str(r.error or r.check_detail or '')[:120]}".strip() for r in bad.itertuples()}),
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
            "per_task_us": (s["median_s"] / ntasks * 1e6) if s["median_s"] and ntasks else None,
            "check_ok": bool(len(ok) and not (g["status"] == "mismatch").any()),
        })
    t = pd.DataFrame(out)
    # Speedup vs sync of the same workload.
    sync = {r.workload: r for r in t.itertuples() if r.kind == "sync"}
    sp, lo, hi, verdict, pv = [], [], [], [], []
    for r in t.itertuples():
        base = sync.get(r.workload)
        if base is None or not r.median_s or not base.median_s:
            sp.append(None); lo.append(None); hi.append(None); verdict.append(None); pv.append(None)
            continue
        sp.append(base.median_s / r.median_s)
        lo.append(base.q1_s / r.q3_s if r.q3_s else None)
        hi.append(base.q3_s / r.q1_s if r.q1_s else None)
        v, p = faster(r.times, base.times) if r.kind != "sync" else ("same", None)
        verdict.append(v); pv.append(p)
    t["speedup"], t["speedup_lo"], t["speedup_hi"], t["vs_sync"], t["p_vs_sync"] = sp, lo, hi, verdict, pv
    return t


def overhead(rows: pd.DataFrame) -> dict[str, Any] | None:
    """Instrumentation overhead: median wall time instrumented / bare, per pair and overall.

    ``ratio`` is the median over (workload, scheduler) pairs of the ratio of medians.
    """
    if rows.empty or "control" not in rows:
        return None
    g = rows[(rows["control"] == "overhead") & (rows["status"] == "ok")]
    pairs = []
    for (wl, sched), x in g.groupby(["workload", "scheduler"]):
        on = x[x["mode"] == "instrumented"]["wall_s"].dropna().astype(float)
        off = x[x["mode"] == "bare"]["wall_s"].dropna().astype(float)
        if len(on) and len(off):
            pairs.append({"workload": wl, "scheduler": sched, "instrumented_s": float(on.median()),
                          "bare_s": float(off.median()), "ratio": float(on.median() / off.median()),
                          "n": int(min(len(on), len(off)))})
    if not pairs:
        return None
    return {"ratio": float(np.median([p["ratio"] for p in pairs])), "pairs": pairs,
            "method": "median over (workload, scheduler) of median(instrumented)/median(bare), interleaved repeats"}


def aa_control(rows: pd.DataFrame) -> dict[str, Any] | None:
    """The A/A control: the same spec twice; the difference is this machine's noise."""
    if rows.empty or "control" not in rows:
        return None
    g = rows[rows["control"].isin(["A", "B"]) & (rows["status"] == "ok")]
    if g.empty:
        return None
    a = g[g["control"] == "A"]["wall_s"].astype(float).tolist()
    b = g[g["control"] == "B"]["wall_s"].astype(float).tolist()
    if not a or not b:
        return None
    v, p = faster(b, a)
    ratio = float(np.median(b) / np.median(a))
    return {"workload": g["workload"].iloc[0], "scheduler": g["scheduler"].iloc[0], "median_a_s": float(np.median(a)),
            "median_b_s": float(np.median(b)), "ratio": ratio, "noise": abs(ratio - 1.0),
            "verdict": v, "p": p, "false_difference": v != "same"}


def startup(st: pd.DataFrame) -> pd.DataFrame:
    """Start-up and teardown cost per scheduler label (median over its starts)."""
    if st.empty:
        return pd.DataFrame(columns=["scheduler", "kind", "start_s", "stop_s", "starts"])
    return (st.groupby(["scheduler", "kind"], sort=False)
              .agg(start_s=("start_s", "median"), stop_s=("stop_s", "median"), starts=("start_s", "size"))
              .reset_index())
