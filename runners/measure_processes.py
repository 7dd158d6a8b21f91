"""Measure one repeat on the ``processes`` scheduler, from what its worker processes recorded.

Each worker process (:mod:`runners._procworker`) records every task's start
and stop with its clock, CPU time, RSS and GIL contention, and the bytes
pickled each way; this reads those records back after the compute.
"""
from __future__ import annotations

import time
from typing import Any, Sequence

from runners import _procworker
from runners.measure import Instruments, Measurement, run_with_timeout
from runners.pools import Pool

__all__ = ["measure_processes"]


def measure_processes(pool: Pool, objs: Sequence[Any], ins: Instruments, timeout: float | None) -> Measurement:
    col = _procworker.COLLECTOR
    col.reset()
    started_at = time.time()
    t0 = time.perf_counter()
    result = run_with_timeout(lambda: pool.compute(objs), timeout)
    wall = time.perf_counter() - t0
    m = Measurement(wall_s=wall, result=result, started_at=started_at)
    if not pool.instrumented:
        return m
    with col.lock:
        tasks, bytes_out, bytes_in = list(col.tasks), col.bytes_out, col.bytes_in
    if ins.bytes:
        m.bytes_out, m.bytes_in, m.bytes_moved = bytes_out, bytes_in, bytes_out + bytes_in
    per_pid: dict[int, dict[str, float]] = {}
    for t in tasks:
        a, b = t.get("start"), t.get("stop")
        if not a or not b:
            continue
        if ins.tasks:
            m.tasks.append(
                {
                    "key": str(t["key"]),
                    "worker": str(t["pid"]),
                    "thread": str(t["thread"]),
                    "start": a["t"] - started_at,
                    "stop": b["t"] - started_at,
                }
            )
        p = per_pid.setdefault(t["pid"], {"busy": 0.0, "gil": 0.0, "cpu": 0.0, "rss": 0, "gil_known": 1})
        p["busy"] += b["t"] - a["t"]
        p["cpu"] += b["cpu_s"] - a["cpu_s"]
        p["rss"] = max(p["rss"], b["rss"])
        if a["gil_s"] is None or b["gil_s"] is None:
            p["gil_known"] = 0
        else:
            p["gil"] += b["gil_s"] - a["gil_s"]
    if ins.gil:
        m.gil = [
            {
                "pid": pid,
                "contention": (min(1.0, max(0.0, p["gil"] / p["busy"])) if p["busy"] > 0 and p["gil_known"] else None),
                "seconds": p["busy"],
            }
            for pid, p in sorted(per_pid.items())
        ]
    if ins.resources and per_pid:
        m.cpu_s = sum(p["cpu"] for p in per_pid.values())
        m.peak_rss = max(int(p["rss"]) for p in per_pid.values())
    return m
