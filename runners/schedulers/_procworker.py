"""Instrumentation inside the worker processes of the ``processes`` scheduler (:mod:`runners.schedulers.processes`).

``dask.multiprocessing.get`` sends each task through ``func_dumps`` in the
parent and ``func_loads`` in the worker, and each result back through
``func_dumps`` in the worker and ``func_loads`` in the parent.  These hooks are
module-level functions (importable in the spawned workers), so:

* in the parent they count every byte sent and received (exact bytes moved);
* in the worker, ``loads`` notes when a task starts, and ``dumps`` wraps the
  result with the worker-side start/stop, pid, thread, the worker's GIL
  contention (gilknocker, started by :func:`init`), CPU time and the peak RSS
  of that task alone (:class:`_PeakRss`);
* back in the parent, ``loads`` unwraps it and keeps the worker-side record.

The Profiler of ``dask.diagnostics`` runs in the parent and would time IPC and
batching too; this records what the worker itself saw.
"""
from __future__ import annotations

import atexit
import gc
import os
import resource
import sys
import threading
import time
from typing import Any

import cloudpickle

from runners.allocator import settle
from runners.gilsamplers import KNOCKER_KW, can_sample_gil
from runners.records import die_with_parent

__all__ = ["init", "dumps", "loads", "Collector", "COLLECTOR", "bare_init"]

_IN_WORKER = False
_KNOCKER: Any = None
_CURRENT: dict[str, Any] = {}
_T0 = [0.0]  # when the knocker started (its metric is a fraction of the time since)


def _warm_imports() -> None:
    # Import what tasks use, so the first task does not pay for it: that is
    # start-up cost, and is timed as such.
    import dask  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401

    # Every process the suite times in has its start-up state frozen out of the
    # garbage collector (the parent freezes before each repeat): a full collection
    # then walks the tasks' own objects only, alike under every scheduler.  And it
    # starts with the allocator's thresholds where a long session has them.
    settle()
    gc.freeze()


def bare_init() -> None:
    """Worker initializer with no instruments (the overhead control)."""
    die_with_parent()  # a killed runner leaves no worker behind
    _warm_imports()


def init(gil: bool = True) -> None:
    """Worker initializer: mark this process as a worker and start the GIL knocker (where it can run)."""
    global _IN_WORKER, _KNOCKER, _PEAK
    die_with_parent()  # first: a killed runner leaves no worker behind, knocker polling
    _warm_imports()
    _PEAK = _PeakRss()
    _IN_WORKER = True
    if gil and can_sample_gil():
        from gilknocker import KnockKnock

        _KNOCKER = KnockKnock(**KNOCKER_KW)
        _KNOCKER.start()
        # gilknocker 0.4's thread is unwound mid-probe when the interpreter
        # finalises (stopping it from atexit is no better), and glibc aborts the
        # worker with "FATAL: exception not rethrown".  A pool worker has sent
        # every result by then: flush and leave without finalising.
        atexit.register(_exit_now)
        _T0[0] = time.perf_counter()


def _exit_now() -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _gil_seconds() -> float | None:
    """Seconds the knocker's probe waited for the GIL since it started; None without a knocker."""
    if _KNOCKER is None:
        return None
    return _KNOCKER.contention_metric * (time.perf_counter() - _T0[0])


class _PeakRss:
    """Peak RSS of this worker since the current task began, in bytes.

    Not ``ru_maxrss``: that is the worker's lifetime peak (a small task after a
    large one would inherit its peak), and in a spawned worker it even starts
    at the parent's size at fork.  Linux keeps a high-water mark of RSS
    (``VmHWM``) that writing ``5`` to ``/proc/self/clear_refs`` resets to the
    current RSS (Linux >= 4.0): it is reset as a task starts (~1 us) and read
    as it ends, so each task's peak is its own, whatever the sampling rate.
    Reading it costs ~10 us (``/proc/self/status``), as much as a tenth of a
    null task: a task shorter than :data:`SHORT_S` reports the RSS at its end
    instead (``statm``, ~2 us) -- under a millisecond a task can fault in a few
    MB at most.  Without ``/proc``: the larger of the RSS at start and end.
    """

    SHORT_S = 1e-3

    def __init__(self) -> None:
        self._fds: dict[str, int] = {}
        self._start = 0
        self._page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        try:
            for name, mode in (("clear_refs", os.O_WRONLY), ("status", os.O_RDONLY), ("statm", os.O_RDONLY)):
                self._fds[name] = os.open(f"/proc/self/{name}", mode | os.O_CLOEXEC)
            self.reset()
            self._hwm()
            self._now()
        except (OSError, ValueError):
            for fd in self._fds.values():
                os.close(fd)
            self._fds = {}

    def _hwm(self) -> int:
        text = os.pread(self._fds["status"], 4096, 0)
        i = text.index(b"VmHWM:")
        return int(text[i + 6: text.index(b"kB", i)]) * 1024

    def _now(self) -> int:
        if not self._fds:
            import psutil

            return psutil.Process().memory_info().rss
        return int(os.pread(self._fds["statm"], 128, 0).split()[1]) * self._page

    def reset(self) -> None:
        """A task starts: its peak so far is the RSS now."""
        if self._fds:
            os.write(self._fds["clear_refs"], b"5")
        else:
            self._start = self._now()

    def peak(self, seconds: float) -> int:
        """The peak RSS since :meth:`reset`, for a task that took *seconds*."""
        if not self._fds:
            return max(self._start, self._now())
        return self._now() if seconds < self.SHORT_S else self._hwm()


_PEAK: _PeakRss | None = None


def _snapshot(start: dict[str, Any] | None = None) -> dict[str, Any]:
    """The worker's clocks and counters now: at a task's start (*start* None) or its end.

    getrusage costs ~1 us where psutil costs ~30 us: this runs twice per task,
    and null tasks under processes take ~80 us in all.  "rss" is read at a
    task's end only: the task's own peak (see _PeakRss).
    """
    ru = resource.getrusage(resource.RUSAGE_SELF)
    now = time.time()
    if _PEAK is not None and start is None:
        _PEAK.reset()
    return {
        "t": now,
        "gil_s": _gil_seconds(),
        "cpu_s": ru.ru_utime + ru.ru_stime,
        "faults": ru.ru_minflt,  # minor page faults: what the allocator's state costs a task (fresh pages)
        "rss": _PEAK.peak(now - start["t"]) if _PEAK is not None and start is not None else None,
    }


class Collector:
    """Parent-side tally of bytes and worker-side task records of one repeat."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.bytes_out = 0
        self.bytes_in = 0
        self.tasks: list[dict[str, Any]] = []


COLLECTOR = Collector()


def dumps(obj: Any) -> bytes:
    """``func_dumps`` for the processes scheduler (see module docstring)."""
    if _IN_WORKER:
        start = _CURRENT.pop("start", None)
        meta = {
            "key": _CURRENT.pop("key", None),
            "pid": os.getpid(),
            "thread": threading.get_ident(),
            "start": start,
            "stop": _snapshot(start) if start else None,
        }
        return cloudpickle.dumps(("__suite__", obj, meta))
    data = cloudpickle.dumps(obj)
    with COLLECTOR.lock:
        COLLECTOR.bytes_out += len(data)
    return data


def loads(data: bytes) -> Any:
    """``func_loads`` for the processes scheduler (see module docstring)."""
    if _IN_WORKER:
        obj = cloudpickle.loads(data)
        _CURRENT["start"] = _snapshot()
        try:
            task = obj[0]
            _CURRENT["key"] = str(getattr(task, "key", None))
        except Exception:
            _CURRENT["key"] = None
        return obj
    with COLLECTOR.lock:
        COLLECTOR.bytes_in += len(data)
    obj = cloudpickle.loads(data)
    if isinstance(obj, tuple) and len(obj) == 3 and obj[0] == "__suite__":
        with COLLECTOR.lock:
            COLLECTOR.tasks.append(obj[2])
        return obj[1]
    return obj
