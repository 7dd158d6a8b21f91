"""What a repeat on a cluster did, from the scheduler's task stream and two snapshots of every worker.

:class:`runners.schedulers.distributed.Distributed` takes a snapshot of each worker before and after a
repeat (:func:`runners.schedulers._clusterworker.snapshot`); these turn them into the suite's figures:
the task records, which workers left or joined, and per-worker GIL contention, CPU, peak RSS and bytes sent.
"""
from __future__ import annotations

from typing import Any

__all__ = ["task_stream", "roster_change", "worker_figures"]


def task_stream(data: list[dict[str, Any]], started_at: float) -> list[dict[str, Any]]:
    """The scheduler's task-stream messages as the suite's task records (seconds since the repeat began)."""
    out = []
    for msg in data:
        worker = str(msg.get("worker", ""))
        for part in msg.get("startstops", []):
            out.append({"key": str(msg.get("key")), "worker": worker, "thread": f"{worker}/{msg.get('thread')}",
                        "start": part["start"] - started_at, "stop": part["stop"] - started_at,
                        "action": part.get("action", "compute"), "nbytes": msg.get("nbytes")})
    return out


def roster_change(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Workers that left or joined between two snapshots (a restarted process counts as both).

    >>> roster_change({"a": {"pid": 1}, "b": {"pid": 2}}, {"a": {"pid": 1}, "c": {"pid": 3}})
    {'workers_lost': ['b'], 'workers_joined': ['c']}
    >>> roster_change({"a": {"pid": 1}}, {"a": {"pid": 1}})
    {}
    """
    old = {(a, s.get("pid")) for a, s in before.items()}
    new = {(a, s.get("pid")) for a, s in after.items()}
    lost = sorted(a for a, _ in old - new)
    joined = sorted(a for a, _ in new - old)
    return {"workers_lost": lost, "workers_joined": joined} if lost or joined else {}


def worker_figures(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]
                   ) -> tuple[list[dict[str, Any]], float, int, int]:
    """(GIL per worker, CPU seconds, peak RSS, bytes sent) between two full snapshots of every worker.

    A worker lost or restarted between them is left out: its counters do not cover the repeat.

    >>> a = {"t": 0.0, "pid": 5, "gil_s": 0.0, "cpu_s": 1.0, "rss": 10, "mem_samples": [], "transfer_out": 0}
    >>> b = {"t": 2.0, "pid": 5, "gil_s": 1.0, "cpu_s": 2.5, "rss": 12, "mem_samples": [(1.0, 30)],
    ...      "transfer_out": 64}
    >>> worker_figures({"w": a}, {"w": b})
    ([{'pid': 5, 'worker': 'w', 'contention': 0.5, 'seconds': 2.0}], 1.5, 30, 64)
    """
    gil, cpu, rss, moved = [], 0.0, 0, 0
    for addr, a in before.items():
        b = after.get(addr)
        if b is None or b["pid"] != a["pid"]:
            continue
        dt = b["t"] - a["t"]
        c = None
        if a["gil_s"] is not None and b["gil_s"] is not None and dt > 0:
            c = min(1.0, max(0.0, (b["gil_s"] - a["gil_s"]) / dt))
        gil.append({"pid": b["pid"], "worker": addr, "contention": c, "seconds": dt})
        cpu += b["cpu_s"] - a["cpu_s"]
        rss = max(rss, a["rss"], b["rss"], *[mem for t, mem in b["mem_samples"] if t >= a["t"]])
        moved += max(0, b["transfer_out"] - a["transfer_out"])
    return gil, cpu, rss, moved
