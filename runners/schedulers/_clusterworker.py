"""What the ``distributed`` scheduler runs inside its workers (through ``Client.run``).

Sent by reference: a worker imports this module, so it holds nothing but what
those calls need.

>>> from types import SimpleNamespace
>>> snapshot(SimpleNamespace(), full=False)["pid"] == os.getpid()
True
"""
from __future__ import annotations

import gc
import os
import time
from typing import Any

from runners.allocator import settle
from runners.gilsamplers import can_sample_gil

__all__ = ["snapshot", "pid", "freeze_gc"]


def snapshot(dask_worker: Any, full: bool = True) -> dict[str, Any]:
    """What one worker has counted so far; with ``full=False`` only its identity (pid, clock)."""
    if not full:
        return {"t": time.time(), "pid": os.getpid()}
    import psutil

    mon = dask_worker.monitor
    gil = None
    # Distributed runs gilknocker only where it imports; with no GIL its figure would mean nothing.
    if getattr(mon, "monitor_gil_contention", False) and can_sample_gil():
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


def pid() -> int:
    """The worker's pid."""
    return os.getpid()


def freeze_gc() -> None:
    """As in every process the suite times in: start-up state out of the collector's reach, and the
    allocator's thresholds fixed (:func:`runners.allocator.settle`)."""
    settle()
    gc.freeze()
