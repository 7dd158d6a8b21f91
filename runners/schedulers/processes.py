"""``processes``: a pool of spawned worker processes; tasks and results are pickled to and fro.

Two readings (:data:`runners.records.kinds.SHIPPED`).  *As Dask ships it*
(``processes-2-shipped``): ``dask.compute(scheduler="processes", num_workers=2)``
with no pool, so Dask starts a new ``ProcessPoolExecutor`` of spawned workers
for every compute, batches six tasks per submission and shuts the pool down
after it; each repeat's wall time includes all of that, and nothing inside the
workers is measured (an initializer of ours would add its own imports).  The
compute runs as a notebook's would: the spawned workers import no main module
(a script's would re-import the script; ``python -m runners.all`` is not the
user's script).  The one knob added is ``multiprocessing.initializer`` set to
:func:`~runners.records.die_with_parent`, so a killed runner leaves no worker.

*Tuned* (``processes-2``, what the label always meant): the pool is kept for the run (its start-up is timed once, every worker
spawned before the clock stops) and handed to ``dask.compute(scheduler=
"processes", pool=..., chunksize=1)``: one task per submission, so per-task
times are per task (Dask's default of 6 batches tasks; docs/FACTS.md measured
1.39 s vs 1.94 s).  Each worker (:mod:`runners.schedulers._procworker`)
records every task's start and stop with its clock, CPU time, RSS and GIL
contention, and the bytes pickled each way; a repeat reads those records back
after the compute.

>>> import dask
>>> from runners.records.kinds import parse
>>> with Processes(parse("processes-1"), instrumented=False) as p:
...     p.compute([dask.delayed(sum)([1, 2])]), len(p.pids())
((3,), 1)
"""
from __future__ import annotations

import time
from functools import partial
from typing import Any, Sequence

import dask

from runners.measure import Instruments, Measurement, run_with_timeout, stop_knocker
from runners.records import die_with_parent
from runners.schedulers._procworker import COLLECTOR, bare_init, dumps, init, loads
from runners.schedulers.base import PoolScheduler, as_a_notebook_runs_it, spawn_pool

__all__ = ["Processes", "per_process", "as_a_notebook_runs_it"]


class Processes(PoolScheduler):
    """Dask's multiprocessing scheduler on a kept pool of ``spec.workers`` spawned processes."""

    kind = "processes"
    slow_start = True
    plain_checked = True

    def _start(self) -> None:
        if self.spec.as_shipped:  # Dask starts its own pool in every compute
            self.info["pids"] = []
            return
        worker_init = partial(init, True) if self.instrumented else bare_init
        with as_a_notebook_runs_it():  # as for the as-shipped reading: workers import no main module
            self.executor = spawn_pool(self.spec.workers, worker_init)
        self.info["pids"] = self.pids()

    def compute(self, objs: Sequence[Any]) -> tuple[Any, ...]:
        if self.spec.as_shipped:
            with as_a_notebook_runs_it():
                return dask.compute(*objs, scheduler="processes", num_workers=self.spec.workers,
                                    initializer=die_with_parent)
        hooks = dict(func_dumps=dumps, func_loads=loads) if self.instrumented else {}
        return dask.compute(*objs, scheduler="processes", pool=self.executor, chunksize=1, **hooks)

    def pids(self) -> list[int]:
        procs = getattr(self.executor, "_processes", None) or {}
        return sorted(p.pid for p in procs.values())

    def measure(self, objs: Sequence[Any], ins: Instruments, timeout: float | None = None) -> Measurement:
        # this process's samplers read nothing of the workers: they would only cost (a bare repeat waits for it)
        stop_knocker(wait=not ins.gil)
        if self.spec.as_shipped:
            return self.wall_only(objs, timeout)
        col = COLLECTOR
        col.reset()
        started_at = time.time()
        t0 = time.perf_counter()
        result = run_with_timeout(lambda: self.compute(objs), timeout)
        m = Measurement(wall_s=time.perf_counter() - t0, result=result, started_at=started_at)
        if not self.instrumented:
            return m
        with col.lock:
            tasks, bytes_out, bytes_in = list(col.tasks), col.bytes_out, col.bytes_in
        if ins.bytes:
            m.bytes_out, m.bytes_in, m.bytes_moved = bytes_out, bytes_in, bytes_out + bytes_in
        if ins.tasks:
            m.tasks = [{"key": str(t["key"]), "worker": str(t["pid"]), "thread": str(t["thread"]),
                        "start": t["start"]["t"] - started_at, "stop": t["stop"]["t"] - started_at}
                       for t in tasks if t.get("start") and t.get("stop")]
        per_pid = per_process(tasks)
        if ins.gil:
            m.gil = [{"pid": pid,
                      "contention": min(1.0, max(0.0, p["gil"] / p["busy"])) if p["busy"] > 0 and p["gil_known"]
                      else None,
                      "seconds": p["busy"]}
                     for pid, p in sorted(per_pid.items())]
        if ins.resources and per_pid:
            m.cpu_s = sum(p["cpu"] for p in per_pid.values())
            m.peak_rss = max(int(p["rss"]) for p in per_pid.values())
            # the tasks' minor page faults in their workers, as sync and threads rows count this process's
            m.extra["minor_faults"] = int(sum(p["faults"] for p in per_pid.values()))
        return m


def per_process(tasks: list[dict[str, Any]]) -> dict[int, dict[str, float]]:
    """Busy, GIL-wait and CPU seconds, the peak RSS and the minor page faults per worker pid, from the workers'
    task records.

    ``gil_known`` is 0 where some task's GIL reading was missing (no knocker in that worker).

    >>> a = {"t": 1.0, "gil_s": 0.0, "cpu_s": 0.0, "rss": None, "faults": 40}
    >>> b = {"t": 3.0, "gil_s": 0.5, "cpu_s": 1.5, "rss": 100, "faults": 90}
    >>> per_process([{"pid": 7, "start": a, "stop": b}, {"pid": 7, "start": None, "stop": b}])
    {7: {'busy': 2.0, 'gil': 0.5, 'cpu': 1.5, 'rss': 100, 'gil_known': 1, 'faults': 50}}
    """
    out: dict[int, dict[str, float]] = {}
    for t in tasks:
        a, b = t.get("start"), t.get("stop")
        if not a or not b:
            continue
        p = out.setdefault(t["pid"], {"busy": 0.0, "gil": 0.0, "cpu": 0.0, "rss": 0, "gil_known": 1, "faults": 0})
        p["busy"] += b["t"] - a["t"]
        p["cpu"] += b["cpu_s"] - a["cpu_s"]
        if a.get("faults") is not None and b.get("faults") is not None:  # records of workers that count them
            p["faults"] += b["faults"] - a["faults"]
        p["rss"] = max(p["rss"], b["rss"])
        if a["gil_s"] is None or b["gil_s"] is None:
            p["gil_known"] = 0
        else:
            p["gil"] += b["gil_s"] - a["gil_s"]
    return out
