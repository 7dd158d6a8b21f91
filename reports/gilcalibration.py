"""The GIL calibration in numbers: each GIL metric's reading against the designed share.

Reads the ``gil-calibration`` rows of :mod:`runners.calibration` (a kernel
holding the GIL for a designed share of every iteration, under ``sync`` and
``threads-2``, read by each metric and bare) and says which metric reads the
designed share most closely, within how much, over how much of the wall time it
samples and at what cost.  :mod:`reports.model` reads the figure it picks.
Re-exported there as :func:`reports.model.calibration`.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from reports.model_inputs import extra, frame
from reports.stats import compare

__all__ = ["calibration"]


def knocker_sampled_share(kw: dict[str, int]) -> float:
    """Share of wall time inside gilknocker's sampling windows at settings *kw*.

    gilknocker 0.4 samples for ``sampling_interval`` in a thread of its own; its
    monitor notices the window has ended at its next tick (every
    ``sleeping_interval``, so half an interval later on average) and starts the
    next window one tick after that: one to two sleeping intervals between windows,
    1.5 on average (``S / (S + 2 z) .. S / (S + z)``, the middle returned).

    >>> round(knocker_sampled_share(dict(polling_interval_micros=1000, sampling_interval_micros=10_000,
    ...                                    sleeping_interval_micros=1_000)), 3)
    0.87
    """
    s = float(kw.get("sampling_interval_micros") or 10 * kw.get("polling_interval_micros", 1000))
    z = float(kw.get("sleeping_interval_micros") or 100 * kw.get("polling_interval_micros", 1000))
    return s / (s + 1.5 * z)


def _metric_calibration(g: pd.DataFrame, bare: pd.DataFrame, metric: str) -> dict[str, Any]:
    on = g[g["metric"] == metric]
    sync_bare = {s: float(np.median(x["wall_s"])) for s, x in bare[bare["threads"] == 1].groupby("designed_share")}
    points, on_n, off_n = [], [], []
    for (t, s), x in on.groupby(["threads", "designed_share"]):
        vals = [v for v in x["measured"] if v is not None and math.isfinite(v)]
        if not vals:
            continue
        m = float(np.median(vals))
        pt = {"designed_share": float(s), "threads": int(t), "measured": round(m, 4), "error": round(m - s, 4),
              "n": len(vals)}
        if t > 1 and s in sync_bare:
            # t threads each hold the GIL for s x (one thread's bare time): that much held time
            # over this cell's wall time, if the metric reads the share of time the GIL is held.
            expected = min(1.0, t * s * sync_bare[s] / float(np.median(x["wall_s"])))
            pt.update(expected=round(expected, 4), error_vs_expected=round(m - expected, 4))
        points.append(pt)
        b = bare[(bare["threads"] == t) & (bare["designed_share"] == s)]["wall_s"].astype(float).tolist()
        if b:  # pooled overhead: every cell's times over its own bare median
            mb = float(np.median(b))
            on_n += [w / mb for w in x["wall_s"].astype(float)]
            off_n += [w / mb for w in b]
    sync_pts = [p for p in points if p["threads"] == 1]
    thr_pts = [p for p in points if "error_vs_expected" in p]
    kw = next((k for k in on["knocker"] if isinstance(k, dict)), None) if "knocker" in on else None
    out = {
        "points": points,
        "max_error": max((abs(p["error"]) for p in sync_pts), default=None),
        "max_error_threads": max((abs(p["error_vs_expected"]) for p in thr_pts), default=None),
        "sampled_share": (round(knocker_sampled_share(kw), 3) if kw else None) if metric == "gilknocker" else 1.0,
        "overhead": compare(off_n, on_n, names=("bare", metric)).as_dict() if on_n else None,
    }
    if metric == "gilknocker" and kw:
        out["settings"] = kw
    if metric == "probe":
        samples = [v for v in on["samples"] if v]
        secs = on["wall_s"].astype(float).sum()
        out["samples_per_s"] = round(float(np.sum(samples)) / secs, 1) if secs > 0 and samples else None
    return out


def calibration(rows: Any) -> dict[str, Any] | None:
    """The GIL metrics against the calibration kernel: designed vs measured share.

    Returns, for the metric the model uses (the one whose ``sync`` readings come
    closest to the designed shares), ``{metric, points: [{designed_share,
    threads, measured, error}], max_error, sampled_share, overhead}`` and the
    same for every metric under ``metrics``.  ``error`` is measured minus
    designed share; ``max_error`` is the largest ``|error|`` under ``sync`` (one
    thread: the share of time some thread holds the GIL is the designed share),
    which is the figure the model reads.  Under two threads each point also
    carries ``expected`` (both threads' held time over the cell's wall time)
    and ``max_error_threads`` against it.  ``overhead`` is
    :func:`reports.stats.compare` of bare against instrumented runs (times
    over each cell's bare median, pooled).  None without calibration rows.
    """
    df = frame(rows)
    if df.empty or "workload" not in df:
        return None
    df = df[(df["workload"] == "gil-calibration") & (df["status"].fillna("ok") == "ok")]
    if df.empty:
        return None
    params = df["params"].apply(lambda p: p if isinstance(p, dict) else {})
    coarse = params.apply(lambda p: p.get("grain") != "fine")  # the hand-off cell is the model's, not a point
    df, params = df[coarse], params[coarse]
    g = pd.DataFrame({
        "threads": params.apply(lambda p: int(p.get("threads") or 1)),
        "designed_share": params.apply(lambda p: float(p.get("designed_share") or 0.0)),
        "metric": params.apply(lambda p: p.get("metric")),
        "knocker": params.apply(lambda p: p.get("knocker")),
        "wall_s": df["wall_s"].astype(float),
        "measured": df.apply(lambda r: extra(r.to_dict(), "measured"), axis=1),
        "samples": df.apply(lambda r: extra(r.to_dict(), "samples"), axis=1),
    })
    bare = g[g["metric"].isna()]
    metrics = {m: _metric_calibration(g, bare, m) for m in sorted(set(g["metric"].dropna()))}
    metrics = {m: c for m, c in metrics.items() if c["max_error"] is not None}
    if not metrics:
        return None
    best = min(metrics, key=lambda m: metrics[m]["max_error"])
    c = metrics[best]
    return {
        "metric": best, "points": c["points"], "max_error": c["max_error"],
        "max_error_threads": c["max_error_threads"], "sampled_share": c["sampled_share"], "overhead": c["overhead"],
        "within_0_05": bool(c["max_error"] <= 0.05),
        "model_uses": f"{best}, one thread (sync): the share of task time that holds the GIL",
        "metrics": metrics,
    }
