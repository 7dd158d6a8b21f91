"""Statistics over stored repeats: one comparison, the table, the controls.

The comparison (:func:`compare`) is the only way this suite says that one
sample of wall times is faster than another.  Its estimate is the
Hodges–Lehmann shift of the log times (the median of all pairwise differences
``log b_j - log a_i``), reported as a ratio ``b / a`` ("A is this many times
faster than B"), with the exact distribution-free 95 % interval that inverts
the Mann–Whitney test.  Against a stated *factor* the outcome is one of:

``equivalent``
    the whole interval lies within the equivalence margin around the factor
    (``factor / margin .. factor * margin``): any difference is smaller than
    the margin, with 95 % confidence;
``faster``
    the whole interval lies above the factor (A is more than *factor* times faster);
``slower``
    the whole interval lies below it (A is less than *factor* times faster;
    with factor 1: A is slower);
``undecided``
    anything else, and always when a side has fewer than :data:`MIN_REPEATS`
    ok repeats, a failed or mismatched repeat, or is unstable — with the reason.

A threshold is tested on the samples scaled by it: ``compare(a, b, 1.3)``
compares ``1.3 * a`` with ``b``, so the interval of the scaled samples must
clear 1 (the Hodges–Lehmann interval is equivariant, so this is the interval
of ``b / a`` divided by 1.3).

>>> c = compare([1.0, 1.02, 0.99, 1.01, 1.0], [2.0, 2.1, 2.05, 1.98, 2.02])
>>> c.outcome, round(c.ratio, 2)
('faster', 2.02)
>>> compare([1.0, 1.1], [2.0, 2.1]).outcome
'undecided'
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "MIN_REPEATS",
    "MARGIN",
    "CONFIDENCE",
    "UNSTABLE_SPREAD",
    "MIN_TIME_S",
    "Comparison",
    "compare",
    "hodges_lehmann",
    "describe_times",
    "open_questions",
    "table",
    "derive",
    "overhead",
    "aa_control",
    "harness_check",
    "startup",
    "resample_table",
]

MIN_REPEATS = 5  # ok repeats a side needs before it can decide anything
MARGIN = 1.10  # equivalence: the interval within x/1.1 .. x*1.1 of the factor
CONFIDENCE = 0.95
UNSTABLE_SPREAD = 0.30  # a row whose IQR exceeds 30 % of its median is too noisy to compare
MIN_TIME_S = 1e-3  # ... or whose median is under 1 ms (timer and call overhead)

OUTCOMES = ("faster", "slower", "equivalent", "undecided")


class Comparison(NamedTuple):
    """The answer of :func:`compare`: how many times faster A is than B, and how sure.

    ``ratio``, ``lo``, ``hi`` are the estimate and 95 % interval of
    ``time(B) / time(A)`` (None when undecided for want of data).
    """

    outcome: str
    ratio: float | None
    lo: float | None
    hi: float | None
    factor: float
    margin: float
    n_a: int
    n_b: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        r = lambda x: None if x is None or not math.isfinite(x) else round(float(x), 4)  # noqa: E731
        return {"outcome": self.outcome, "ratio": r(self.ratio), "lo": r(self.lo), "hi": r(self.hi),
                "factor": self.factor, "n": [self.n_a, self.n_b], "reason": self.reason}

    def words(self, a: str = "A", b: str = "B") -> str:
        """The comparison as a sentence whose wording follows the outcome.

        >>> compare([1.0] * 5, [1.5, 1.6, 1.55, 1.52, 1.58]).words("threads-2", "sync")
        'threads-2 1.55× faster than sync (95 % CI 1.5–1.6)'
        """
        if self.ratio is None:
            return f"{a} vs {b}: undecided ({self.reason})"
        ci = f"95 % CI {_g(self.lo)}–{_g(self.hi)}"
        if self.outcome == "equivalent":
            return f"{a} and {b} equivalent: {_g(self.ratio)}× ({ci}, within ±{self.margin - 1:.0%} of {_g(self.factor)}×)"
        if self.outcome == "undecided":
            return f"{a} vs {b}: {_g(self.ratio)}× ({ci}), undecided against {_g(self.factor)}×"
        if self.factor == 1.0:
            if self.outcome == "faster":
                return f"{a} {_g(self.ratio)}× faster than {b} ({ci})"
            return f"{a} {_g(1 / self.ratio)}× slower than {b} ({ci})"
        side = "above" if self.outcome == "faster" else "below"
        return f"{a} vs {b}: {_g(self.ratio)}× ({ci}), {side} {_g(self.factor)}×"


def _g(x: float | None) -> str:
    """Three significant digits, never in exponent notation ('2050', not '2.05e+03')."""
    if x is None:
        return "?"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:.0f}"


@lru_cache(maxsize=4096)
def _u_counts(n: int, m: int) -> np.ndarray:
    """Number of orderings of *n* vs *m* values with Mann–Whitney U = 0..n*m (no ties).

    >>> _u_counts(2, 2).tolist()
    [1.0, 1.0, 2.0, 1.0, 1.0]
    """
    if n == 0 or m == 0:
        return np.ones(1)
    a = _u_counts(n - 1, m)
    b = _u_counts(n, m - 1)
    out = np.zeros(n * m + 1)
    out[m:m + a.size] += a  # the largest of all values belongs to A: it beats all m of B
    out[:b.size] += b  # it belongs to B: beats nothing of A
    return out


def _critical(n: int, m: int, confidence: float = CONFIDENCE) -> int:
    """k such that [D_(k), D_(nm-k+1)] (1-based) of the sorted pairwise differences covers >= *confidence*.

    0 when no interval reaches the confidence (too few values).

    >>> _critical(5, 5), _critical(3, 3)
    (3, 0)
    """
    alpha = (1 - confidence) / 2
    if n * m <= 3600:
        c = _u_counts(n, m)
        cdf = np.cumsum(c) / c.sum()
        # largest k with P(U <= k - 1) <= alpha
        k = int(np.searchsorted(cdf, alpha, side="right"))
        return k
    from scipy.stats import norm

    mu, sd = n * m / 2, math.sqrt(n * m * (n + m + 1) / 12)
    return max(0, int(math.floor(mu - norm.ppf(1 - alpha) * sd)))


def hodges_lehmann(a: Sequence[float], b: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Estimate and interval of the shift ``b - a`` (median of pairwise differences).

    The interval is the exact one that inverts the two-sided Mann–Whitney test;
    infinite when the samples are too small to reach *confidence*.

    >>> hodges_lehmann([1, 2, 3, 4, 5], [11, 12, 13, 14, 15])
    (10.0, 7.0, 13.0)
    """
    d = np.sort(np.subtract.outer(np.asarray(b, float), np.asarray(a, float)).ravel())
    est = float(np.median(d))
    k = _critical(len(a), len(b), confidence)
    if k < 1:
        return est, -math.inf, math.inf
    return est, float(d[k - 1]), float(d[d.size - k])


def _side(x: Any) -> tuple[list[float], str]:
    """Times of one side and why it cannot decide ('' when it can)."""
    if isinstance(x, (Mapping, pd.Series)):
        times = [float(t) for t in (x.get("times") if x.get("times") is not None else []) if _finite(t)]
        failed = int(x.get("n_failed") or 0)
        if failed:
            return times, f"{failed} failed or mismatched repeat(s)"
        if x.get("check_ok") is False:
            return times, "its result disagreed with the sync reference"
        if bool(x.get("unstable")) and x.get("unstable_reason"):
            return times, f"unstable: {x.get('unstable_reason')}"
        return times, ""
    return [float(t) for t in x if _finite(t)], ""


def _finite(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def compare(a: Any, b: Any, factor: float = 1.0, margin: float = MARGIN, min_n: int = MIN_REPEATS,
            names: tuple[str, str] = ("A", "B")) -> Comparison:
    """Is *a* faster than *b* by more than *factor*?  See the module docstring.

    *a* and *b* are sequences of wall times, or table rows (mappings with
    ``times``, ``n_failed``, ``check_ok``, ``unstable``, ``unstable_reason``)
    whose failures make the comparison undecided.

    >>> compare([1.0] * 5, [1.02, 1.01, 1.03, 1.0, 1.02]).outcome
    'equivalent'
    >>> row = {"times": [1.0] * 6, "n_failed": 1}
    >>> compare(row, [2.0] * 6).reason
    'A: 1 failed or mismatched repeat(s)'
    """
    ta, why_a = _side(a)
    tb, why_b = _side(b)
    bad = [f"{nm}: {w}" for nm, w in zip(names, (why_a, why_b)) if w]
    few = [f"{nm} has {len(t)} ok repeat(s), needs {min_n}" for nm, t in zip(names, (ta, tb)) if len(t) < min_n]
    if any(t <= 0 for t in ta + tb):
        bad.append("non-positive times")
    if bad or few or not ta or not tb:
        est = (float(np.median(tb)) / float(np.median(ta))) if ta and tb and min(ta + tb) > 0 else None
        return Comparison("undecided", est, None, None, factor, margin, len(ta), len(tb), "; ".join(bad + few))
    # Scale A by the factor: the interval of log(b) - log(factor * a) must clear 0.
    la = np.log(np.asarray(ta)) + math.log(factor)
    lb = np.log(np.asarray(tb))
    est, lo, hi = hodges_lehmann(la, lb)
    ratio, rlo, rhi = factor * math.exp(est), factor * math.exp(lo), factor * math.exp(hi)
    m = math.log(margin)
    if lo >= -m and hi <= m:
        out, why = "equivalent", f"interval within ±{margin - 1:.0%} of {factor:g}×"
    elif lo > 0:
        out, why = "faster", f"interval above {factor:g}×"
    elif hi < 0:
        out, why = "slower", f"interval below {factor:g}×"
    else:
        out, why = "undecided", f"interval {rlo:.3g}–{rhi:.3g} spans {factor:g}× and is wider than the ±{margin - 1:.0%} margin"
    return Comparison(out, ratio, rlo, rhi, factor, margin, len(ta), len(tb), why)


def describe_times(times: Sequence[float]) -> dict[str, Any]:
    """Median, quartiles, min/max, relative IQR and the stability flag of *times*.

    >>> d = describe_times([1.0, 1.1, 0.9, 1.0, 1.05])
    >>> d["median_s"], d["unstable"]
    (1.0, False)
    """
    t = np.asarray([x for x in times if _finite(x)], dtype=float)
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


def open_questions(samples: Mapping[str, Sequence[float]], failed: Mapping[str, int] | None = None,
                   factors: Sequence[float] = (1.0,)) -> list[str]:
    """The comparisons of one workload that are still undecided.

    What the verdicts and the recommendation read: every spec against
    ``sync`` (when measured), and the fastest spec against every other, at
    each of *factors*.  Specs with failed repeats are left out (they stay
    undecided whatever more rounds would show).  The runner keeps adding
    rounds while this is not empty.

    >>> open_questions({"sync": [1.0] * 5, "threads-2": [0.5, 0.51, 0.5, 0.49, 0.52]})
    []
    >>> open_questions({"sync": [1.0] * 3, "threads-2": [0.5] * 3})
    ['threads-2 vs sync']
    """
    failed = failed or {}
    live = {k: list(v) for k, v in samples.items() if not failed.get(k)}
    if len(live) < 2:
        return []
    meds = {k: float(np.median(v)) if v else math.inf for k, v in live.items()}
    best = min(meds, key=meds.get)
    pairs = []
    if "sync" in live:
        pairs += [(k, "sync") for k in live if k != "sync"]
    pairs += [(best, k) for k in live if k != best and (best, k) not in pairs and (k, best) not in pairs]
    out = []
    for x, y in pairs:
        for f in factors:
            if compare(live[x], live[y], f).outcome == "undecided":
                out.append(f"{x} vs {y}" + (f" at {f:g}×" if f != 1.0 else ""))
                break
    return out


def _med(s: pd.Series) -> float | None:
    s = pd.to_numeric(s, errors="coerce").dropna()
    return float(s.median()) if len(s) else None


def _superseded(g: pd.DataFrame) -> pd.Series:
    """Failed rows that a later session of ``--resume`` retried (kept, not counted)."""
    if "session" not in g:
        return pd.Series(False, index=g.index)
    s = pd.to_numeric(g["session"], errors="coerce").fillna(0)
    return (g["status"] != "ok") & (s < s.max())


def table(rows: pd.DataFrame, workloads: dict[str, dict[str, Any]] | None = None) -> pd.DataFrame:
    """One row per (workload, scheduler) of the timed repeats (controls excluded).

    Columns: identity (``workload, family, collection, claims, params, real_data,
    scheduler, kind, workers, threads_per_worker, nthreads, description,
    input_bytes, size``); wall time over the ok repeats (``n, times, median_s,
    q1_s, q3_s, min_s, max_s, iqr_rel, unstable, unstable_reason``); failures
    (``n_failed, failures, check_ok``); instruments (medians over repeats:
    ``gil_min, gil_median, gil_max, cpu_s, cores_used, peak_rss, bytes_moved,
    ntasks, ntasks_graph, task_mismatch, per_task_us``); and against ``sync``
    of the same workload (:func:`derive`): ``speedup, speedup_lo, speedup_hi,
    vs_sync`` (an outcome of :func:`compare`) and ``vs_sync_reason``.
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
        ok = g[g["status"] == "ok"]
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
            "nthreads": 1 if kind == "sync" else workers * tpw,
            "times": [float(x) for x in ok["wall_s"].dropna()],
            "n_failed": int(len(bad)),
            "failures": sorted({f"{r.status}: {r.error_type or ''} {str(r.error or r.check_detail or '')[:120]}".strip()
                                for r in bad.itertuples()}),
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
    t["per_task_us"] = [(m / n * 1e6) if m and _finite(n) and n else None for m, n in zip(t["median_s"], t["ntasks"])]
    sync = {r["workload"]: r for _, r in t.iterrows() if r["kind"] == "sync"}
    cols: dict[str, list[Any]] = {k: [] for k in ("speedup", "speedup_lo", "speedup_hi", "vs_sync", "vs_sync_reason")}
    for _, r in t.iterrows():
        base = sync.get(r["workload"])
        if base is None or r["kind"] == "sync" or not r["times"] or not base["times"]:
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


def resample_table(t: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A bootstrap resample: every row's times drawn with replacement, derived columns recomputed."""
    if t.empty:
        return t
    r = t.copy()
    r["times"] = [list(rng.choice(x, size=len(x), replace=True)) if len(x) else [] for x in t["times"]]
    return derive(r)


def overhead(rows: pd.DataFrame) -> dict[str, Any] | None:
    """Instrumentation overhead: instrumented vs bare, interleaved, per pair and pooled.

    Per pair the :func:`compare` of bare against instrumented (ratio =
    instrumented / bare, with its interval).  ``ratio`` is the median of the
    pairs' estimates; ``outcome`` the pooled comparison of all pairs' times,
    each normalised by its pair's bare median.
    """
    if rows.empty or "control" not in rows:
        return None
    g = rows[(rows["control"] == "overhead") & (rows["status"] == "ok")]
    pairs, pooled_on, pooled_off = [], [], []
    for (wl, sched), x in g.groupby(["workload", "scheduler"]):
        on = x[x["mode"] == "instrumented"]["wall_s"].dropna().astype(float).tolist()
        off = x[x["mode"] == "bare"]["wall_s"].dropna().astype(float).tolist()
        if not on or not off:
            continue
        c = compare(off, on, names=("bare", "instrumented"))
        m = float(np.median(off))
        pooled_on += [v / m for v in on]
        pooled_off += [v / m for v in off]
        pairs.append({"workload": wl, "scheduler": sched, "instrumented_s": float(np.median(on)),
                      "bare_s": m, "ratio": c.ratio, "lo": c.lo, "hi": c.hi, "outcome": c.outcome,
                      "n": int(min(len(on), len(off)))})
    if not pairs:
        return None
    c = compare(pooled_off, pooled_on, names=("bare", "instrumented"))
    return {"ratio": float(np.median([p["ratio"] for p in pairs if p["ratio"] is not None] or [float("nan")])),
            "pooled": c.as_dict(), "outcome": c.outcome, "pairs": pairs,
            "method": "instrumented / bare, interleaved repeats; Hodges–Lehmann ratio with its exact 95 % interval"}


def aa_control(rows: pd.DataFrame) -> dict[str, Any] | None:
    """The A/A control: one spec measured as two interleaved blocks; any difference is noise.

    ``false_difference`` is True when :func:`compare` calls the two blocks
    different (``faster``/``slower``), which a calibrated comparison does in at
    most 5 % of runs.
    """
    if rows.empty or "control" not in rows:
        return None
    g = rows[rows["control"].isin(["A", "B"]) & (rows["status"] == "ok")]
    if g.empty:
        return None
    a = g[g["control"] == "A"]["wall_s"].astype(float).tolist()
    b = g[g["control"] == "B"]["wall_s"].astype(float).tolist()
    if not a or not b:
        return None
    c = compare(b, a, names=("B", "A"))
    ratio = float(np.median(b) / np.median(a))
    return {"workload": g["workload"].iloc[0], "scheduler": g["scheduler"].iloc[0], "median_a_s": float(np.median(a)),
            "median_b_s": float(np.median(b)), "ratio": ratio, "noise": abs(ratio - 1.0),
            "verdict": c.outcome, "comparison": c.as_dict(),
            "false_difference": c.outcome in ("faster", "slower")}


def harness_check(rows: pd.DataFrame) -> dict[str, Any] | None:
    """The harness against plain Dask: per (workload, scheduler), bare repeats here vs plain ``dask.compute``.

    Each pair's :func:`compare` (ratio = harness time / plain time, at least 4
    repeats a side); ``warning`` when the interval excludes 1 by more than the
    ±10 % margin, i.e. the harness's own process changed the time it reports.
    """
    if rows.empty or "control" not in rows:
        return None
    g = rows[(rows["control"] == "plain-check") & (rows["status"] == "ok")]
    if g.empty:
        return None
    pairs = []
    for (wl, sched), x in g.groupby(["workload", "scheduler"], sort=False):
        here = x[x["mode"] == "bare"]["wall_s"].dropna().astype(float).tolist()
        plain = x[x["mode"] == "plain"]["wall_s"].dropna().astype(float).tolist()
        if not here or not plain:
            continue
        c = compare(plain, here, min_n=4, names=("plain", "harness"))
        off = c.lo is not None and (c.lo > MARGIN or c.hi < 1 / MARGIN)
        pairs.append({"workload": wl, "scheduler": sched, "harness_s": float(np.median(here)),
                      "plain_s": float(np.median(plain)), "harness_over_plain": c.ratio, "lo": c.lo, "hi": c.hi,
                      "n": [len(here), len(plain)], "warning": bool(off)})
    if not pairs:
        return None
    ratios = [p["harness_over_plain"] for p in pairs if p["harness_over_plain"] is not None]
    return {"pairs": pairs, "median_ratio": float(np.median(ratios)) if ratios else None,
            "warnings": [f"{p['workload']} on {p['scheduler']}: harness {p['harness_over_plain']:.3g}× plain Dask "
                         f"[{p['lo']:.3g}–{p['hi']:.3g}]" for p in pairs if p["warning"]],
            "method": "bare repeats in the harness interleaved with plain dask.compute in a fresh interpreter"}


def startup(st: pd.DataFrame) -> pd.DataFrame:
    """Start-up and teardown cost per scheduler label (median over its starts)."""
    if st.empty:
        return pd.DataFrame(columns=["scheduler", "kind", "start_s", "stop_s", "starts"])
    return (st.groupby(["scheduler", "kind"], sort=False)
              .agg(start_s=("start_s", "median"), stop_s=("stop_s", "median"), starts=("start_s", "size"))
              .reset_index())
