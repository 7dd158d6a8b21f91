"""Measure one repeat on a ``distributed`` cluster: the task stream, and snapshots of each worker.

A snapshot of every worker (taken with ``Client.run`` before and after the
compute) gives its GIL contention, CPU time, peak RSS and bytes sent; comparing
the two also tells which workers left or joined during the repeat.
"""
from __future__ import annotations

import os
import time
from typing import Any, Sequence

from runners import _procworker
from runners.measure import Instruments, Measurement, run_with_timeout
from runners.pools import Pool

__all__ = ["measure_distributed"]


def _worker_snapshot(dask_worker: Any, full: bool = True) -> dict[str, Any]:
    """What one worker has counted so far; with ``full=False`` only its identity (pid, clock)."""
    if not full:
        return {"t": time.time(), "pid": os.getpid()}
    import psutil

    mon = dask_worker.monitor
    gil = None
    # Distributed runs gilknocker only where it imports; with no GIL its figure would mean nothing.
    if getattr(mon, "monitor_gil_contention", False) and _procworker.can_sample_gil():
        mon.update()  # fold the knocker's latest reading into the cumulative figure
        gil = mon.cumulative_gil_contention
    proc = psutil.Process()
    cpu = proc.cpu_times()
    return {
        "t": time.time(),
        "pid": os.getpid(),
        "gil_s": gil,
        "cpu_s": cpu.user + cpu.system,
        "rss": proc.memory_info().rss,
        "mem_samples": list(zip(mon.quantities.get("time", []), mon.quantities.get("memory", []))),
        "transfer_out": getattr(dask_worker, "transfer_outgoing_bytes_total", 0),
    }


def _snapshots(client: Any, full: bool) -> dict[str, dict[str, Any]]:
    """One snapshot per worker the scheduler knows; a worker that cannot answer (dying) is left out."""
    try:
        got = client.run(_worker_snapshot, full=full, on_error="return")
    except Exception:  # the scheduler itself is unreachable: nothing to compare
        return {}
    return {addr: s for addr, s in got.items() if isinstance(s, dict)}


def _roster_change(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Workers that left or joined between two snapshots (a restarted process counts as both).

    >>> _roster_change({"a": {"pid": 1}, "b": {"pid": 2}}, {"a": {"pid": 1}, "c": {"pid": 3}})
    {'workers_lost': ['b'], 'workers_joined': ['c']}
    >>> _roster_change({"a": {"pid": 1}}, {"a": {"pid": 1}})
    {}
    """
    old = {(a, s.get("pid")) for a, s in before.items()}
    new = {(a, s.get("pid")) for a, s in after.items()}
    lost = sorted(a for a, _ in old - new)
    joined = sorted(a for a, _ in new - old)
    return {"workers_lost": lost, "workers_joined": joined} if lost or joined else {}


def measure_distributed(pool: Pool, objs: Sequence[Any], ins: Instruments, timeout: float | None) -> Measurement:
    from distributed import get_task_stream
    from distributed.sizeof import sizeof

    client = pool.client
    # Always take a (cheap, identity-only when no instrument needs more) snapshot, so a
    # worker that dies or joins during the repeat is noticed and recorded.
    snap = ins.gil or ins.resources or ins.bytes
    before = _snapshots(client, snap)
    ts = get_task_stream(client) if ins.tasks else None
    if ts is not None:
        ts.__enter__()
    try:
        started_at = time.time()
        t0 = time.perf_counter()
        result = run_with_timeout(lambda: pool.compute(objs), timeout)
        wall = time.perf_counter() - t0
    except Exception as e:
        # E.g. KilledWorker after workers died running a task: say which ones went.
        change = _roster_change(before, _snapshots(client, False))
        if change:
            e.add_note(f"workers lost during the repeat: {change['workers_lost']}; "
                       f"joined: {change['workers_joined']}")
        raise
    finally:
        if ts is not None:
            try:
                ts.__exit__(None, None, None)
            except Exception:  # the scheduler went away: the exception above says why
                pass
    m = Measurement(wall_s=wall, result=result, started_at=started_at)
    after = _snapshots(client, snap)
    m.extra.update(_roster_change(before, after))
    if ts is not None:
        for msg in ts.data:
            worker = str(msg.get("worker", ""))
            for part in msg.get("startstops", []):
                m.tasks.append(
                    {
                        "key": str(msg.get("key")),
                        "worker": worker,
                        "thread": f"{worker}/{msg.get('thread')}",
                        "start": part["start"] - started_at,
                        "stop": part["stop"] - started_at,
                        "action": part.get("action", "compute"),
                        "nbytes": msg.get("nbytes"),
                    }
                )
    if not snap:
        return m
    gil, cpu, rss, moved = [], 0.0, 0, 0
    for addr, a in before.items():
        b = after.get(addr)
        if b is None or b["pid"] != a["pid"]:
            continue  # lost or restarted: its counters do not cover the repeat
        dt = b["t"] - a["t"]
        c = None
        if a["gil_s"] is not None and b["gil_s"] is not None and dt > 0:
            c = min(1.0, max(0.0, (b["gil_s"] - a["gil_s"]) / dt))
        gil.append({"pid": b["pid"], "worker": addr, "contention": c, "seconds": dt})
        cpu += b["cpu_s"] - a["cpu_s"]
        peak = max([a["rss"], b["rss"]] + [mem for t, mem in b["mem_samples"] if t >= a["t"]])
        rss = max(rss, peak)
        moved += max(0, b["transfer_out"] - a["transfer_out"])
    if ins.gil:
        m.gil = gil
    if ins.resources and before:
        m.cpu_s, m.peak_rss = cpu, rss
    if ins.bytes:
        # Worker-to-worker transfers plus the results sent back to this client.
        back = sum(sizeof(r) for r in result)
        m.bytes_out, m.bytes_in, m.bytes_moved = moved, back, moved + back
    return m
