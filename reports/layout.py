"""Which split of the cores into distributed workers × threads to use, per workload, by measurement.

distributed#9076 asks what ``threads_per_worker`` means and what to pick.  The
layout sweep (:func:`runners.profiles.layouts`) measures the tuned (kept)
cluster of N cores as N×1, 1×N and the split ``LocalCluster`` picks by itself;
:func:`advise` reads those rows of one run.

The rule: the fastest layout by median is compared with every other one
(:func:`reports.recommend.pick`: paired by round, ``equivalent`` within
±10 %).  A layout is recommended over Dask's own pick only when it is shown
faster than it; when no layout is (equivalent or undecided), Dask's pick is
recommended and the advice says so: the status quo needs no evidence.  The
``why`` reads the rows' own figures: the share of time a thread waited for
the GIL under the layout with threads (a high share favours processes), the
bytes moved between workers per task under N×1 beyond 1×N (many favour
threads, which share memory), and the cost per task under each.

>>> def row(label, workers, threads, times, gil=None):
...     return {"scheduler": label, "kind": "distributed", "workers": workers, "threads_per_worker": threads,
...             "nthreads": workers * threads, "times": times, "keys": list(range(len(times))),
...             "median_s": sorted(times)[len(times) // 2], "gil_median": gil}
>>> rows = [row("distributed-2x1", 2, 1, [1.0, 1.02, 0.98, 1.01, 0.99]),
...         row("distributed-1x2", 1, 2, [1.9, 2.0, 1.95, 2.05, 1.98], gil=0.55)]
>>> a = choose(rows, 2)
>>> a["layout"], a["status"], a["comparison"]["outcome"]
('distributed-2x1', 'fastest', 'above')
>>> a["why"].split("; ")[1]
'a thread waited for the GIL 55% of the time under distributed-1x2 (high: favours processes, one thread each)'
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from reports import fmt
from reports.headline import healthy
from reports.recommend import pick
from reports.stats import Comparison
from runners.records.kinds import SchedulerSpec, dask_layout, layouts

if TYPE_CHECKING:
    from reports.evidence import Context

__all__ = ["advise", "choose", "healthy", "GIL_SHARE", "BYTES_PER_TASK", "FASTEST", "BEATS_DASK", "DASK_PICK"]

# A thread waits for the GIL this share of the time or more under a layout with threads: they queue
# for one interpreter, so separate processes (one thread each) are the better split.
GIL_SHARE = 0.3
# Bytes moved between workers per task under N×1 beyond what 1×N moves (results sent back move under
# both): at the ~1 GB/s that pickling and a loopback transfer reach, 100 kB is ~0.1 ms a task, the
# order of the scheduler's own cost per task, so threads in one process (shared memory) pay off.
BYTES_PER_TASK = 100_000

# The statuses: the recommended layout is shown faster than every other layout measured; it is shown
# faster than Dask's own pick (but not than every other layout); no layout is shown faster than
# Dask's pick, which is therefore kept (or recommended unmeasured: the status quo).
FASTEST, BEATS_DASK, DASK_PICK = "fastest", "beats Dask's pick", "Dask's pick"


def advise(ctx: Context) -> list[dict[str, Any]]:
    """The layout to use for every workload of *ctx* with two or more healthy tuned layouts measured.

    Each item: ``workload``, ``layout`` (the label recommended), ``status``
    (:data:`FASTEST`, :data:`BEATS_DASK` or :data:`DASK_PICK`), ``comparison``
    (the deciding comparison as a dict: ``a``, ``b``, ``words``, outcome, ratio
    ``time(b) / time(a)`` and its interval), ``why`` (one sentence from the
    figures), ``rows`` (``{label: median_s}`` of every layout measured) and
    ``dask_pick`` (the label of Dask's own split for the run's N cores).
    """
    out = []
    for w in ctx.workloads():
        rows = [r for wk, t in layouts(ctx.n) if (r := ctx.row(w, "distributed", wk, t)) is not None]
        item = choose(rows, ctx.n)
        if item is not None:
            out.append({"workload": w, **item})
    return out


def choose(rows: Sequence[dict[str, Any]], n: int) -> dict[str, Any] | None:
    """The advice among one workload's layout *rows* on *n* cores (None with fewer than two healthy ones)."""
    good = [r for r in rows if healthy(r)]
    if len(good) < 2:
        return None
    p = pick(good)
    assert p is not None  # two healthy rows
    dask = SchedulerSpec("distributed", *dask_layout(n)).label
    fastest, comps = p["fastest"], p["comparisons"]
    open_ = [k for k in comps if k not in p["beaten"]]  # equivalent to the fastest, or undecided
    if not open_:
        layout, status = fastest, FASTEST
        other = min(comps, key=lambda k: comps[k].ratio or float("inf"))  # the closest one beaten
    elif fastest != dask and dask in p["beaten"]:
        layout, status, other = fastest, BEATS_DASK, dask
    else:
        layout, status = dask, DASK_PICK
        other = dask if dask in comps else min(open_, key=lambda k: comps[k].ratio or float("inf"))
    c = comps[other]
    return {"layout": layout, "status": status, "comparison": _as_dict(c, fastest, other),
            "why": _why(layout, status, c, (fastest, other, dask), open_, list(rows), n),
            "rows": {r["scheduler"]: _median(r) for r in rows}, "dask_pick": dask}


def _median(row: dict[str, Any]) -> float | None:
    """The row's median in seconds, None when it has none."""
    m = row.get("median_s")
    return float(m) if fmt.is_number(m) else None


def _as_dict(c: Comparison, a: str, b: str) -> dict[str, Any]:
    return {"a": a, "b": b, "words": c.words(a, b), **c.as_dict()}


def _why(layout: str, status: str, c: Comparison, names: tuple[str, str, str], open_: list[str],
         rows: list[dict[str, Any]], n: int) -> str:
    """The advice in one sentence: the deciding comparison *c* of (fastest, other), then what the figures say.

    *names*: the fastest layout, the other side of *c* and Dask's pick; *open_*: the layouts not shown
    slower than the fastest.
    """
    fastest, other, dask = names
    if status == FASTEST:
        head = f"{layout} is the fastest layout: {c.words(fastest, other)}"
    elif status == BEATS_DASK:
        head = f"{layout} beats Dask's own pick: {c.words(fastest, other)} (not shown faster than {', '.join(open_)})"
    elif fastest == dask:
        head = (f"{dask}, Dask's own pick, is the fastest by median but not shown faster than {other}: "
                f"{c.words(fastest, other)}; keep it")
    else:
        measured = "" if other == dask else " (not measured, or failed)"
        head = (f"no layout shown faster than Dask's own pick {dask}{measured}: {c.words(fastest, other)}; "
                f"keep it: the status quo needs no evidence")
    bad = [r["scheduler"] for r in rows if not healthy(r)]
    tail = [f"left out (failed, mismatched or unstable): {', '.join(bad)}"] if bad else []
    return "; ".join([head, _gil(rows), _bytes(rows, n), _per_task(rows)] + tail)


def _gil(rows: list[dict[str, Any]]) -> str:
    """The GIL share under the layout with the most threads per worker, and which way it points."""
    threaded = [r for r in rows if int(r.get("threads_per_worker") or 1) > 1]
    if not threaded:
        return "GIL share: no layout with threads measured"
    r = max(threaded, key=lambda x: int(x.get("threads_per_worker") or 1))
    g = r.get("gil_median")
    if not fmt.is_number(g):
        return f"GIL share under {r['scheduler']}: not measured"
    lean = "high: favours processes, one thread each" if g >= GIL_SHARE else "low: threads share a process well"
    return f"a thread waited for the GIL {fmt.percent(g)} of the time under {r['scheduler']} ({lean})"


def _bytes(rows: list[dict[str, Any]], n: int) -> str:
    """Bytes moved per task under N×1 beyond 1×N, and which way they point."""
    by = {(int(r.get("workers") or 1), int(r.get("threads_per_worker") or 1)): r for r in rows}
    procs, threads = by.get((n, 1)), by.get((1, n))
    each = [_per_task_bytes(r) for r in (procs, threads)]
    if procs is None or threads is None or None in each:
        return "bytes moved per task under N×1 vs 1×N: not measured"
    extra = each[0] - each[1]
    said = (f"bytes moved per task: {fmt.size(each[0])} under {procs['scheduler']}, "
            f"{fmt.size(each[1])} under {threads['scheduler']}")
    return said + (" (many: favours threads, which share memory)" if extra >= BYTES_PER_TASK else " (few)")


def _per_task_bytes(row: dict[str, Any]) -> float | None:
    b, nt = row.get("bytes_moved"), row.get("ntasks") or row.get("ntasks_graph")
    return float(b) / float(nt) if fmt.is_number(b) and fmt.is_number(nt) and nt > 0 else None


def _per_task(rows: list[dict[str, Any]]) -> str:
    """The wall time per task under each layout."""
    parts = [f"{fmt.duration(r['per_task_us'] / 1e6)} under {r['scheduler']}" if fmt.is_number(r.get("per_task_us"))
             else f"not measured under {r['scheduler']}" for r in rows]
    if not any(fmt.is_number(r.get("per_task_us")) for r in rows):
        return "per-task cost: not measured"
    return "per-task cost: " + ", ".join(parts)
