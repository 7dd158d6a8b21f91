"""The figures of the run's controls: instrumentation overhead, the A/A noise, the harness against plain Dask.

The runner measures the controls beside the workloads (``control`` rows of ``rows.jsonl``); this module
reads them back, with the start-up cost of each spec (``startup.jsonl``).

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


def _sample(x: pd.DataFrame, prefix: str = "") -> dict[str, Any]:
    """Times of *x* with their pairing keys (``prefix:session:round``)."""
    times = x["wall_s"].astype(float).tolist()
    keys = [f"{prefix}{int(s or 0)}:{int(r)}" if r is not None and int(r) >= 0 else None
            for s, r in zip(x["session"].fillna(0), x["round"].fillna(-1))]
    return {"times": times, "keys": keys}


def overhead(rows: pd.DataFrame) -> dict[str, Any] | None:
    """Instrumentation overhead: instrumented vs bare, interleaved, paired by round, per workload and pooled.

    Per workload the paired :func:`compare` of bare against instrumented (ratio
    = instrumented / bare, with its interval).  ``ratio`` and ``pooled`` are
    the paired comparison of every round of every workload together (each
    pair's log ratio: a workload's speed cancels within its pair), so a few
    rounds per workload still give one interval; ``median_of_pairs`` is the
    median of the per-workload estimates.
    """
    if rows.empty or "control" not in rows:
        return None
    g = rows[(rows["control"] == "overhead") & (rows["status"] == "ok") & rows["wall_s"].notna()]
    pairs = []
    all_on: dict[str, list[Any]] = {"times": [], "keys": []}
    all_off: dict[str, list[Any]] = {"times": [], "keys": []}
    for (wl, sched), x in g.groupby(["workload", "scheduler"]):
        on = _sample(x[x["mode"] == "instrumented"], f"{wl}/{sched}:")
        off = _sample(x[x["mode"] == "bare"], f"{wl}/{sched}:")
        if not on["times"] or not off["times"]:
            continue
        c = compare(off, on, names=("bare", "instrumented"))
        for k in ("times", "keys"):
            all_on[k] += on[k]
            all_off[k] += off[k]
        pairs.append({"workload": wl, "scheduler": sched, "instrumented_s": float(np.median(on["times"])),
                      "bare_s": float(np.median(off["times"])), "ratio": c.ratio, "lo": c.lo, "hi": c.hi,
                      "outcome": c.outcome, "method": c.method, "n": int(min(len(on["times"]), len(off["times"])))})
    if not pairs:
        return None
    c = compare(all_off, all_on, names=("bare", "instrumented"))
    eq = compare(all_off, all_on, margin=1.05, names=("bare", "instrumented"))
    return {"ratio": c.ratio, "lo": c.lo, "hi": c.hi, "pooled": c.as_dict(), "outcome": c.outcome,
            "within_5_percent": eq.outcome,
            "median_of_pairs": float(np.median([p["ratio"] for p in pairs if p["ratio"] is not None] or [float("nan")])),
            "pairs": pairs,
            "method": (f"instrumented / bare, interleaved rounds; the {c.method or 'paired'} comparison of all rounds "
                       f"(reports.stats.compare) with its {c.confidence:.0%} interval")}


def aa_control(rows: pd.DataFrame) -> dict[str, Any] | None:
    """The A/A control: one spec measured as two interleaved blocks; any difference is noise.

    ``ratio`` is B/A (the paired estimate by round), ``comparison`` the same
    ratio's interval; ``false_difference`` is True when :func:`compare` calls
    the two blocks different, which a calibrated comparison does in at most
    5 % of runs.
    """
    if rows.empty or "control" not in rows:
        return None
    g = rows[rows["control"].isin(["A", "B"]) & (rows["status"] == "ok") & rows["wall_s"].notna()]
    if g.empty:
        return None
    a, b = _sample(g[g["control"] == "A"]), _sample(g[g["control"] == "B"])
    if not a["times"] or not b["times"]:
        return None
    c = compare(a, b, names=("A", "B"))  # time(B) / time(A), and that ratio's interval
    ratio = c.ratio if c.ratio is not None else float(np.median(b["times"]) / np.median(a["times"]))
    return {"workload": g["workload"].iloc[0], "scheduler": g["scheduler"].iloc[0],
            "median_a_s": float(np.median(a["times"])), "median_b_s": float(np.median(b["times"])),
            "ratio": ratio, "lo": c.lo, "hi": c.hi, "noise": abs(ratio - 1.0),
            "verdict": c.outcome, "comparison": c.as_dict(), "names": "B/A",
            "false_difference": c.outcome in ("above", "below")}


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
