"""Recommend a scheduler for every workload, explained by its own measurements.

The rule: the spec with the lowest median wall time wins, but every spec that
it does not beat significantly (:func:`reports.stats.faster`: >= 1.1x and
Mann-Whitney p <= 0.05) is tied with it, and among tied specs the simplest is
recommended: ``sync < threads < processes < distributed``, then fewer threads.
The explanation is built from the run's figures: GIL contention under threads,
bytes serialised, task duration vs per-task time, cores used, speedups, and
whether the pick differs from Dask's default for the collection.

>>> KIND_RANK["sync"] < KIND_RANK["threads"] < KIND_RANK["processes"] < KIND_RANK["distributed"]
True
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from reports.stats import faster
from reports.verdicts import context, main_labels
from runners.spec import DEFAULT_SCHEDULER

if TYPE_CHECKING:
    from reports.load import Results

__all__ = ["KIND_RANK", "pick", "recommend", "explain"]

KIND_RANK = {"sync": 0, "threads": 1, "processes": 2, "distributed": 3}


def _ok(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _r(x: Any, nd: int = 3) -> float | None:
    return round(float(x), nd) if _ok(x) else None


def _size(b: float) -> str:
    for unit, f in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if b >= f:
            return f"{b / f:.1f} {unit}"
    return f"{b:.0f} B"


def _dur(us: float) -> str:
    if us >= 1e6:
        return f"{us / 1e6:.2g} s"
    if us >= 1e3:
        return f"{us / 1e3:.2g} ms"
    return f"{us:.0f} µs"


def pick(rows: pd.DataFrame) -> tuple[pd.Series, list[str]]:
    """The recommended row of one workload's *rows* and the labels tied with the fastest.

    >>> t = pd.DataFrame([{"scheduler": "sync", "kind": "sync", "nthreads": 1, "median_s": 1.0,
    ...                    "times": [1.0, 1.01, 0.99]},
    ...                   {"scheduler": "threads-2", "kind": "threads", "nthreads": 2, "median_s": 0.98,
    ...                    "times": [0.98, 0.97, 0.99]}])
    >>> pick(t)[0]["scheduler"]
    'sync'
    """
    rows = rows[rows["median_s"].map(_ok)]
    best = rows.loc[rows["median_s"].astype(float).idxmin()]
    tied = [r for _, r in rows.iterrows()
            if r["scheduler"] == best["scheduler"] or faster(best["times"], r["times"])[0] != "faster"]
    choice = min(tied, key=lambda r: (KIND_RANK.get(r["kind"], 9), int(r["nthreads"] or 1), float(r["median_s"])))
    return choice, [r["scheduler"] for r in tied]


def explain(rec: pd.Series, rows: pd.DataFrame, n: int, default: str | None) -> tuple[str, dict[str, Any]]:
    """One short explanation of *rec* among a workload's *rows*, and its evidence dict."""
    L = main_labels(n)
    by = {r["scheduler"]: r for _, r in rows.iterrows() if _ok(r["median_s"])}
    lab = rec["scheduler"]
    sync, thr, proc = by.get("sync"), by.get(L["threads"]), by.get(L["processes"])
    ev: dict[str, Any] = {"scheduler": lab, "median_s": _r(rec["median_s"], 4), "speedup": _r(rec.get("speedup")),
                          "speedup_lo": _r(rec.get("speedup_lo")), "speedup_hi": _r(rec.get("speedup_hi"))}
    bits = []
    if lab != "sync" and _ok(rec.get("speedup")):
        bits.append(f"{rec['speedup']:.2g}× vs sync")
    fastest = min(by.values(), key=lambda r: r["median_s"])
    if fastest["scheduler"] != lab:
        v, p = faster(fastest["times"], rec["times"])
        ps = f", p={p:.2g}" if p is not None else ""
        bits.append(f"{fastest['scheduler']} was {rec['median_s'] / fastest['median_s']:.2g}× faster by median "
                    f"but not significantly ({len(fastest['times'])} vs {len(rec['times'])} repeats{ps}), "
                    f"so the simpler one")
        ev["fastest"] = fastest["scheduler"]
        ev["fastest_median_s"] = _r(fastest["median_s"], 4)
    elif lab == "sync":
        bits.append("no parallel spec was faster")
    # GIL: how long a thread waited for it under the threaded spec (or the pick's own figure).
    g_row = thr if thr is not None else rec
    g = g_row.get("gil_median")
    if _ok(g):
        bits.append(f"{g:.2f} of the time a thread waited for the GIL under {g_row['scheduler']}")
        ev["gil_median"] = _r(g)
        ev["gil_scheduler"] = g_row["scheduler"]
    if _ok(rec.get("gil_median")) and rec["scheduler"] != g_row["scheduler"]:
        ev["gil_median_recommended"] = _r(rec.get("gil_median"))
    # Bytes serialised between processes.
    b_row = rec if rec.get("kind") in ("processes", "distributed") else proc
    if b_row is not None and _ok(b_row.get("bytes_moved")):
        bits.append(f"{b_row['scheduler']} moved {_size(float(b_row['bytes_moved']))}")
        ev["bytes_moved"] = int(b_row["bytes_moved"])
        ev["bytes_scheduler"] = b_row["scheduler"]
    # Task duration (sync wall per task) vs the pick's wall per task.
    ntasks = rec.get("ntasks") if _ok(rec.get("ntasks")) else rec.get("ntasks_graph")
    if sync is not None and _ok(sync.get("per_task_us")):
        ev["task_us_sync"] = _r(sync["per_task_us"], 1)
        ev["ntasks"] = int(ntasks) if _ok(ntasks) else None
        bits.append((f"{int(ntasks)} tasks" if _ok(ntasks) else "tasks")
                    + f" of ≈ {_dur(float(sync['per_task_us']))} each (sync)")
    if _ok(rec.get("per_task_us")):
        ev["per_task_us"] = _r(rec["per_task_us"], 1)
    if _ok(rec.get("cores_used")):
        ev["cores_used"] = _r(rec["cores_used"], 2)
        bits.append(f"{rec['cores_used']:.1f} cores busy")
    ev["default"] = default
    d = by.get(default) if default else None
    ev["differs_from_default"] = bool(default) and lab != default
    if default and lab != default:
        if d is not None:
            ratio = d["median_s"] / rec["median_s"]
            ev["default_over_recommended"] = _r(ratio)
            bits.append(f"{ratio:.2g}× faster than {default} (Dask's default)" if ratio >= 1 else
                        f"Dask's default {default} is within noise")
        else:
            bits.append(f"Dask's default {default} not measured")
    elif default:
        bits.append("Dask's default")
    if bool(rec.get("unstable")):
        bits.append(f"unstable: {rec.get('unstable_reason')}")
    return f"{lab}: " + "; ".join(bits), ev


def recommend(table: pd.DataFrame, res: "Results | None") -> list[dict[str, Any]]:
    """One recommendation per workload of *table* (experiments excluded).

    Parameters
    ----------
    table
        The statistics table of :func:`reports.stats.table`.
    res
        The loaded run (its ``meta["cores"]`` fixes N for the default spec).

    Returns
    -------
    list of dict
        ``{workload, scheduler, explanation, evidence, default, differs_from_default}``;
        ``scheduler`` is None when no spec of the workload succeeded.
    """
    if not isinstance(table, pd.DataFrame) or table.empty:
        return []
    n = context(table, res).n
    out = []
    for wl, rows in table.groupby("workload", sort=False):
        coll = rows.iloc[0].get("collection") or ""
        if coll == "experiment":
            continue
        kind = DEFAULT_SCHEDULER.get(coll)
        default = None if kind is None else main_labels(n)[kind]
        good = rows[rows["median_s"].map(_ok)]
        if good.empty:
            fails = sorted({f for fs in rows["failures"] for f in (fs or [])})
            out.append({"workload": wl, "scheduler": None, "default": default, "differs_from_default": False,
                        "explanation": "no spec finished a repeat: " + ("; ".join(fails)[:200] or "no data"),
                        "evidence": {"failures": fails}})
            continue
        rec, tied = pick(good)
        text, ev = explain(rec, good, n, default)
        ev["tied_with_fastest"] = tied
        out.append({"workload": wl, "scheduler": rec["scheduler"], "explanation": text, "evidence": ev,
                    "default": default, "differs_from_default": ev["differs_from_default"]})
    return out
