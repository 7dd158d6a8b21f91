"""What the cost model reads of a run: the constants measured in it, and each workload's ``sync`` inputs.

The constants (:func:`constants`) are this run's, on this machine: the
per-task overhead of each spec (``delayed-null``), the pickle throughput of
each calibration payload (``pickle-throughput``), the start-up of each pool,
the share of the cores a GIL-free kernel got, and the cost of a contended GIL
take (the GIL calibration's fine cell).  A workload's inputs
(:func:`workload_inputs`) are read from its ``sync`` row: ``T1``, the task
count, the GIL-held share, the bytes its tasks would move.  :mod:`reports.model`
predicts from both.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from reports.model_chunks import chunking
from runners.records.kinds import SchedulerSpec, is_cluster, is_process_pool, is_serial, parse

__all__ = ["constants", "workload_inputs", "overhead", "cluster_overhead", "startup", "shipped_start", "throughput", "ASSUMED_HANDOFF_S", "ASSUMED_CONTENTION",
           "frame", "num", "extra", "ASSUMED_THROUGHPUT"]

ASSUMED_THROUGHPUT = 1e9  # bytes/s when no pickle-throughput rows were measured (said in the constants)
# A contended GIL take where two threads could not run at once (fitted on one core): a stand-in for the
# hand-off the calibration measures on two cores.  Measured 389-496 ns on the slower 2-core VMs of early
# December 2026 and 71-98 ns on the faster one of December 6 (a loop of 10 M additions: 1.75-2.4 s there,
# 0.71 s here): the geometric middle of that range, so that neither kind of machine is off by more than
# ~2.6x.  Said in the constants as "assumed" whenever it stands in.
ASSUMED_HANDOFF_S = 190e-9
# What two threads that both hold the GIL lose to each other, where they could not run at once (fitted on one
# core, where it read 0.4-2 %): the calibration's share-1 cell on two cores of the 2-core VMs of December 6,
# 2026 read 2.08-2.18x one thread's time for twice the work, 4-9 % lost (five --predict-only runs).  Its
# middle stands in, said as "assumed".
ASSUMED_CONTENTION = 0.065
PARALLEL_AVAILABILITY = 0.75  # below it, the calibration's two GIL-free threads did not run in parallel
_OBJECT_COLLECTIONS = ("bag", "delayed")  # charged at the list-of-dicts throughput


def frame(rows: Any) -> pd.DataFrame:
    """*rows* as a DataFrame: a DataFrame as it is, records (or None) as a new one."""
    if isinstance(rows, pd.DataFrame):
        return rows
    return pd.DataFrame(list(rows or []))


def num(x: Any) -> float | None:
    """*x* as a finite float, else None.

    >>> num("2.5"), num(None), num(float("nan"))
    (2.5, None, None)
    """
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def extra(r: Any, key: str) -> float | None:
    """``num(extra[key])`` of a row (a dict or a record with an ``extra`` dict); None without it."""
    e = r.get("extra") if isinstance(r, dict) else getattr(r, "extra", None)
    return num(e.get(key)) if isinstance(e, dict) else None


def constants(table: pd.DataFrame, rows: Any = None, startup: Any = None) -> dict[str, Any]:
    """Per-scheduler constants of this run: overhead per task, pickle throughput, start-up.

    ``overhead_s[label]`` is the median wall time of ``delayed-null`` under that
    spec over its task count (it already includes however the spec overlaps
    its per-task work: it is not divided by the cores again).
    ``throughput_Bps[payload]`` is bytes over the median dumps + loads time of
    ``pickle-throughput`` (:data:`ASSUMED_THROUGHPUT` when not measured, with
    ``throughput_source`` saying so).
    """
    out: dict[str, Any] = {"overhead_s": {}, "throughput_Bps": {}, "throughput_source": "assumed", "startup_s": {},
                           "cluster_split": {}}
    if isinstance(table, pd.DataFrame) and not table.empty:
        for r in table[table["workload"] == "delayed-null"].to_dict("records"):
            n = num(r.get("ntasks")) or num(r.get("ntasks_graph"))
            if n and num(r.get("median_s")):
                out["overhead_s"][r["scheduler"]] = float(r["median_s"]) / n
                if is_cluster(r.get("kind")) and num(r.get("cpu_s")) is not None:
                    workers_cpu = float(r["cpu_s"])
                    out["cluster_split"][r["scheduler"]] = (workers_cpu / n, max(0.0, float(r["median_s"]) - workers_cpu) / n)
    df = frame(rows)
    if not df.empty and "workload" in df:
        p = df[(df["workload"] == "pickle-throughput") & (df["status"].fillna("ok") == "ok")]
        per: dict[str, dict[str, list[float]]] = {}
        nbytes: dict[str, float] = {}
        for r in p.to_dict("records"):
            prm = r.get("params") or {}
            if num(r.get("wall_s")) is None or prm.get("op") not in ("dumps", "loads", "pipe"):
                continue
            per.setdefault(prm.get("payload"), {}).setdefault(prm["op"], []).append(float(r["wall_s"]))
            nbytes[prm.get("payload")] = float(prm.get("bytes") or 0)
        for name, ops in per.items():
            if "dumps" in ops and "loads" in ops and nbytes.get(name):
                secs = sum(float(np.median(v)) for v in ops.values())  # dumps + loads (+ the pipe)
                out["throughput_Bps"][name] = nbytes[name] / secs
        if out["throughput_Bps"]:
            out["throughput_source"] = "pickle-throughput"
    out["core_availability"] = None
    cal = [r for r in df.to_dict("records") if r.get("workload") == "gil-calibration"
           and (r.get("status") or "ok") == "ok" and r.get("mode") == "bare"
           and isinstance(r.get("params"), dict) and float(r["params"].get("designed_share", -1)) == 0.0
           and num(r.get("wall_s"))] if not df.empty and "workload" in df else []
    one = pd.Series([float(r["wall_s"]) for r in cal if int(r["params"].get("threads") or 1) == 1], dtype=float)
    more = pd.Series([float(r["wall_s"]) for r in cal if int(r["params"].get("threads") or 1) > 1], dtype=float)
    out["handoff_s"], out["handoff_source"] = _handoff_cost(df), "gil-calibration"
    if len(one) and len(more):
        # N threads of a kernel that never holds the GIL take as long as one alone when N
        # cores are free; longer when other work on the machine takes some of them.
        out["core_availability"] = min(1.0, float(one.median()) / float(more.median()))
    ca = out["core_availability"]
    if out["handoff_s"] is not None and ca is not None and ca < PARALLEL_AVAILABILITY:
        # Two threads that never ran at once (one core, or a machine too busy to give them two) never
        # contended for the GIL: their hand-off is a time slice's, not a contended take's.  Stand in.
        out["handoff_s"], out["handoff_source"] = ASSUMED_HANDOFF_S, (
            f"assumed: the calibration's two threads did not run at once here (core availability "
            f"{ca:.2f})")
    out["contention"], out["contention_source"] = _contention(df), "gil-calibration"
    if out["contention"] is not None and ca is not None and ca < PARALLEL_AVAILABILITY:
        out["contention"], out["contention_source"] = ASSUMED_CONTENTION, (
            f"assumed: the calibration's two threads did not run at once here (core availability {ca:.2f})")
    out["shipped_start_s"], out["shipped_imports_s"] = _shipped_start(table, frame(rows))
    st = startup if isinstance(startup, pd.DataFrame) else frame(startup)
    if not st.empty and "scheduler" in st and "start_s" in st:
        for label, x in st.groupby("scheduler"):
            v = pd.to_numeric(x["start_s"], errors="coerce").dropna()
            if len(v):
                out["startup_s"][label] = float(v.median())
    return out


def _handoff_cost(df: pd.DataFrame) -> float | None:
    """Extra seconds a GIL take costs when another thread contends for it (the calibration's fine cell).

    One thread runs the ~100 ns-iteration kernel in ``T1`` holding the GIL for a
    share ``g`` (the probe's reading); two threads doing as much each would take
    ``T1 * (1 + g)`` by Amdahl; what they take beyond that, over their ``2 x
    iterations`` GIL releases, is the cost of a release when two threads loop on
    the GIL: ``c = (T2 - T1 (1 + g)) / (2 iterations)``.
    """
    if df.empty or "workload" not in df:
        return None
    fine = [r for r in df.to_dict("records") if r.get("workload") == "gil-calibration"
            and (r.get("status") or "ok") == "ok" and isinstance(r.get("params"), dict)
            and r["params"].get("grain") == "fine" and num(r.get("wall_s"))]
    bare = {t: [float(r["wall_s"]) for r in fine if r.get("mode") == "bare" and int(r["params"].get("threads") or 1) == t]
            for t in (1, 2)}
    held = [extra(r, "measured") for r in fine if r["params"].get("metric") == "probe"
            and int(r["params"].get("threads") or 1) == 1]
    held = [h for h in held if h is not None]
    if not bare[1] or not bare[2] or not held:
        return None
    g = float(np.median(held))
    its = int(fine[0]["params"].get("iterations") or 0)
    if g <= 0 or its <= 0:
        return None
    t1, t2 = float(np.median(bare[1])), float(np.median(bare[2]))
    return max(0.0, (t2 - t1 * (1 + g)) / (2 * its))


def _contention(df: pd.DataFrame) -> float | None:
    """The share of GIL-held time that threads which all hold the GIL lose to each other (the calibration's share-1 cell).

    One thread runs the kernel in ``T1`` holding the GIL throughout; N threads doing as much each
    would take ``N T1`` if the GIL passed between them for free.  What they take beyond that is
    lost to the hand-overs CPython forces every switch interval (5 ms) between threads that all
    want the GIL, a waking thread on another core finding the holder's data in the wrong cache:
    ``k = T_N / (N T1) - 1``, at least 0.  Pure-Python work (object math, ``apply``, regular
    expressions) is such work; the model charges ``k`` on the GIL-held share that meets another
    thread waiting for it.

    >>> rows = [{"workload": "gil-calibration", "mode": "bare", "wall_s": w,
    ...          "params": {"designed_share": 1.0, "threads": t}} for w, t in ((0.1, 1), (0.1, 1), (0.214, 2))]
    >>> round(_contention(pd.DataFrame(rows)), 3)
    0.07
    """
    if df.empty or "workload" not in df:
        return None
    held = [r for r in df.to_dict("records") if r.get("workload") == "gil-calibration"
            and (r.get("status") or "ok") == "ok" and r.get("mode") == "bare" and isinstance(r.get("params"), dict)
            and r["params"].get("grain") != "fine" and float(r["params"].get("designed_share", -1)) == 1.0
            and num(r.get("wall_s"))]
    by: dict[int, list[float]] = {}
    for r in held:
        by.setdefault(int(r["params"].get("threads") or 1), []).append(float(r["wall_s"]))
    more = [t for t in by if t > 1]
    if 1 not in by or not more:
        return None
    n = min(more)
    return max(0.0, float(np.median(by[n])) / (n * float(np.median(by[1]))) - 1)


def _spec(label: str) -> SchedulerSpec | None:
    """The spec of a stored label; None for one that is not a label."""
    try:
        return parse(label)
    except ValueError:
        return None


def overhead(c: dict[str, Any], kind: str, label: str, workers: int) -> float | None:
    """Per-task overhead of *label*; else that of the same kind at the nearest worker count.

    An existing cluster (a spec with an address) is of a size the label does not say: never a stand-in.

    >>> c = {"overhead_s": {"sync": 1e-5, "threads-2": 2e-5, "threads-8": 4e-5}}
    >>> overhead(c, "threads", "threads-4", 4), overhead(c, "threads", "threads-7", 7)
    (2e-05, 4e-05)
    >>> overhead(c, "processes", "processes-2", 2) is None
    True
    """
    key = _nearest(c["overhead_s"], kind, label, workers)
    return None if key is None else c["overhead_s"][key]


def _nearest(figures: dict[str, Any], kind: str, label: str, workers: int, kept_only: bool = False) -> str | None:
    """The key of *figures* that stands for *label*: itself, else the same kind at the nearest worker count
    (never a cluster at an address, whose size its label does not say; *kept_only*: no as-shipped reading).

    >>> _nearest({"threads-2": 1, "threads-8": 2, "processes-4": 3}, "threads", "threads-7", 7)
    'threads-8'
    >>> _nearest({"processes-1-shipped": 1}, "processes", "processes-2", 2, kept_only=True) is None
    True
    """
    if label in figures:
        return label
    same = [(s.workers, k) for k in figures if (s := _spec(k)) is not None and s.kind == kind
            and s.address is None and not (kept_only and s.as_shipped)]
    return min(same, key=lambda wk: abs(wk[0] - workers))[1] if same else None


def cluster_overhead(c: dict[str, Any], label: str, workers: int, cores: float) -> float | None:
    """Per-task overhead of the local cluster *label* on *cores* cores, from a run on fewer (else None).

    Fitted where the client, the scheduler and the workers took turns on too few cores (one), the
    null tasks' wall time is the sum of their work: the workers' CPU (``cpu_s``) and the rest.  With
    cores to run them at once, a task stream goes at the pace of the busiest: the workers' share
    spread over the workers that get a core, or the client and scheduler's.  ``delayed-null`` on
    ``distributed-1x1`` on one core: 3.2 ms a task (1.5 ms of it the worker's); on two cores
    ``distributed-2x1`` measured 1.7-1.9 ms, which this reads as 1.7.

    >>> c = {"overhead_s": {"distributed-1x1": 3.2e-3}, "cluster_split": {"distributed-1x1": (1.5e-3, 1.7e-3)},
    ...      "fit_cores": 1}
    >>> round(cluster_overhead(c, "distributed-2x1", 2, 2), 6), cluster_overhead(c, "distributed-1x1", 1, 2)
    (0.0017, None)
    """
    if label in c.get("overhead_s", {}) or (c.get("fit_cores") or cores) >= cores:
        return None
    split = c.get("cluster_split") or {}
    spec = _spec(label)
    key = _nearest(split, spec.kind, label, workers) if spec is not None else None
    if key is None:
        return None
    worker, other = split[key]
    return max(worker / max(1.0, min(float(workers), cores)), other)


def _shipped_start(table: pd.DataFrame, rows: pd.DataFrame | None = None) -> tuple[dict[str, float], dict[str, float]]:
    """What Dask's own pool (or cluster) costs a compute, measured: ``{kept label: seconds}``; and the median
    time a fresh worker took to import the modules of the workloads it was measured on (where the run timed
    it, :mod:`runners.worker_imports`): ``{kept label: seconds}``.

    An as-shipped reading starts its pool inside every compute, the kept one before any: where a
    workload was measured both ways, the as-shipped median less the kept one's is that start as a
    compute sees it, and the median over such workloads is the constant.  It is not the kept pool's
    own start-up row (0.53-0.66 s for ``processes-2`` in the quick runs of December 6): Dask's spawn
    workers start while the first tasks are sent, and the bag workloads' as-shipped computes took
    only 0.31-0.51 s more than on the kept pool (0.30-0.37 s on one core).

    >>> t = pd.DataFrame({"workload": ["a", "a", "b", "b", "c"],
    ...                   "scheduler": ["processes-2", "processes-2-shipped"] * 2 + ["processes-2-shipped"],
    ...                   "median_s": [0.1, 0.45, 0.2, 0.6, 9.0]})
    >>> r = pd.DataFrame({"workload": ["a", "b"], "kind": ["sync"] * 2, "status": ["ok"] * 2,
    ...                   "extra": [{"worker_imports_s": 0.2}] * 2})
    >>> _shipped_start(t), _shipped_start(t, r)
    (({'processes-2': 0.375}, {}), ({'processes-2': 0.375}, {'processes-2': 0.2}))
    """
    if not isinstance(table, pd.DataFrame) or table.empty or "scheduler" not in table:
        return {}, {}
    medians = {(r["workload"], r["scheduler"]): num(r.get("median_s")) for r in table.to_dict("records")}
    tasks = {(r["workload"], r["scheduler"]): num(r.get("ntasks")) or num(r.get("ntasks_graph"))
             for r in table.to_dict("records")}
    extra_by: dict[str, list[float]] = {}
    imports_by: dict[str, list[float]] = {}
    for (wl, label), shipped in medians.items():
        spec = _spec(str(label))
        if spec is None or not spec.as_shipped or shipped is None:
            continue
        tuned = SchedulerSpec(spec.kind, spec.workers, spec.threads_per_worker).label
        kept = medians.get((wl, tuned))
        if kept is not None:  # less what Dask's chunks of six cost the compute beyond the kept pool's one task
            f = chunking(tasks.get((wl, tuned)) or 1, spec.workers) if is_process_pool(spec.kind) else 1.0
            extra_by.setdefault(tuned, []).append(shipped - kept * f)
            i = _sync_extra(rows, wl, "worker_imports_s", timed_only=False) if rows is not None else None
            imports_by.setdefault(tuned, []).extend([] if i is None else [i])
    return ({k: max(0.0, float(np.median(v))) for k, v in extra_by.items()},
            {k: float(np.median(v)) for k, v in imports_by.items() if v and len(v) == len(extra_by[k])})


def shipped_start(c: dict[str, Any], kind: str, label: str, workers: int, imports_s: float | None = None
                  ) -> tuple[float | None, str]:
    """What the as-shipped reading of the kept *label* adds to a compute, and where the figure comes from.

    Measured in the run (:func:`_shipped_start`) for *label*, else for the same kind at the nearest
    worker count; else the kept pool's own start-up (:func:`startup`), which overstates it.  *imports_s*:
    what a fresh worker of this workload imports (:mod:`runners.worker_imports`); where the workloads the
    start was measured on timed theirs too, the difference is added (a kernel's NumPy and compiled module
    against a bag's ``json``: 0.4 s here).

    >>> c = {"shipped_start_s": {"processes-1": 0.33}, "startup_s": {"processes-2": 0.6}}
    >>> shipped_start(c, "processes", "processes-2", 2)
    (0.33, 'as shipped less kept (processes-1)')
    >>> shipped_start({**c, "shipped_imports_s": {"processes-1": 0.25}}, "processes", "processes-2", 2, 0.65)
    (0.73, "as shipped less kept (processes-1), +0.40 s for this workload's worker imports")
    >>> shipped_start({"startup_s": {"processes-2": 0.6}}, "processes", "processes-2", 2)
    (0.6, "the kept pool's start-up")
    """
    measured = c.get("shipped_start_s") or {}
    k = _nearest(measured, kind, label, workers)
    if k is not None:
        ref = (c.get("shipped_imports_s") or {}).get(k)
        if imports_s is None or ref is None:
            return measured[k], f"as shipped less kept ({k})"
        return (round(max(0.0, measured[k] + imports_s - ref), 6),
                f"as shipped less kept ({k}), {imports_s - ref:+.2f} s for this workload's worker imports")
    start = startup(c, kind, label, workers)
    return start, "the kept pool's start-up"


def startup(c: dict[str, Any], kind: str, label: str, workers: int) -> float | None:
    """Start-up of the kept pool or cluster *label*; else that of the same kind at the nearest worker count
    (an as-shipped reading's own start-up row is nothing: it starts inside every compute).

    >>> c = {"startup_s": {"processes-1": 0.9, "processes-1-shipped": 1e-6}}
    >>> startup(c, "processes", "processes-2", 2), startup(c, "distributed", "distributed-2x1", 2)
    (0.9, None)
    """
    st = c.get("startup_s") or {}
    key = _nearest(st, kind, label, workers, kept_only=True)
    return None if key is None else st[key]


def throughput(c: dict[str, Any], collection: str) -> float:
    """Pickle throughput (bytes/s) for *collection*: list-of-dicts for bags and delayed, else the array's."""
    t = c["throughput_Bps"]
    want = "dicts" if collection in _OBJECT_COLLECTIONS else "ndarray"
    return t.get(want) or (min(t.values()) if t else ASSUMED_THROUGHPUT)


def _sync_extra(rows: pd.DataFrame, workload: str, key: str, timed_only: bool = True) -> float | None:
    """Median of ``extra[key]`` over the ok rows of *workload* on the serial kind.

    *timed_only*: only the instrumented repeats (no control, no bare run), as the statistics table reads them.
    """
    if rows.empty or "extra" not in rows:
        return None
    sub = rows[rows["workload"] == workload]  # first: the rest is read of this workload's few rows only
    sel = sub["kind"].map(is_serial) & (sub["status"] == "ok")
    if timed_only:
        sel &= (sub["mode"].fillna("instrumented") == "instrumented") & (sub["control"].fillna("") == "")
    vals = [v for v in (num(e.get(key)) for e in sub.loc[sel, "extra"] if isinstance(e, dict)) if v is not None]
    return float(np.median(vals)) if vals else None


def workload_inputs(table: pd.DataFrame, rows: Any, workload: str) -> dict[str, Any] | None:
    """What the model reads of one workload (``T1, n, g, bytes, bytes_d, bytes_spread``, …); None without sync."""
    t = table[table["workload"] == workload]
    s = t[t["kind"].map(is_serial)]
    if s.empty or num(s.iloc[0].get("median_s")) is None:
        return None
    r = s.iloc[0]
    df = frame(rows)
    g, src = _sync_extra(df, workload, "gil_held"), "probe"
    if g is None:
        g, src = num(r.get("gil_median")), "gilknocker"
    proc = t[t["kind"].map(is_process_pool)]  # every result pickled back to this process
    dist = t[t["kind"].map(is_cluster)]  # what the workers fetched from each other
    b = num(proc.iloc[0].get("bytes_moved")) if not proc.empty else None
    b_src = "processes" if b is not None else None
    if b is None:
        b = _sync_extra(df, workload, "bytes_tasks", timed_only=False)
        b_src = "sync estimate" if b is not None else None
    return {
        "workload": workload, "collection": r.get("collection") or "", "T1": float(r["median_s"]),
        "n": num(r.get("ntasks")) or num(r.get("ntasks_graph")) or 1.0,
        "g": None if g is None else min(1.0, max(0.0, g)), "g_source": src if g is not None else None,
        "bytes": b, "bytes_source": b_src, "release_rate": _sync_extra(df, workload, "gil_release_rate"),
        "u1": num(r.get("cores_used")),  # cores sync kept busy (library threads: BLAS, OpenMP)
        "bytes_d": {x["scheduler"]: num(x.get("bytes_moved")) for x in dist.to_dict("records")},
        # what a cluster may move, estimated under sync (runners.schedulers.inprocess.TaskBytes; absent before)
        "bytes_spread": _sync_extra(df, workload, "bytes_spread", timed_only=False),
        "bytes_results": _sync_extra(df, workload, "bytes_results", timed_only=False),
        "imports_s": _sync_extra(df, workload, "worker_imports_s", timed_only=False),  # a fresh worker's imports
    }
