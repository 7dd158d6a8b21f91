"""The run's controls, read back: instrumentation overhead, the A/A noise, the harness against plain Dask.

Each is a :func:`reports.stats.compare` of interleaved samples, so each
figure carries its interval and an outcome, and a control that cannot resolve
what it measures says so (``undecided``) instead of reporting noise as a value.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from reports.stats import MARGIN, compare

__all__ = ["overhead", "aa_control", "harness_check", "startup"]


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
