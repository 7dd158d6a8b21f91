"""Time one compute on a scheduler, with every instrument its kind allows.

Per repeat: wall time; the task stream (worker-side start/stop per task, in one
schema for every scheduler); GIL contention per process that ran tasks; CPU
time and peak RSS per process; bytes serialised between processes.

Instruments are switched on and off one by one with :class:`Instruments`; with
all off (:meth:`Instruments.none`) only the wall clock runs, which is how the
suite measures its own overhead.

How a repeat is measured depends on where its tasks run, so each scheduler
kind measures its own (:meth:`runners.schedulers.base.Scheduler.measure`, in
:mod:`runners.schedulers`); what they share is here: the record of a repeat,
the switches, the time limit; the process-wide GIL samplers in
:mod:`runners.gilsamplers`.
"""
from __future__ import annotations

import signal
import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

from runners.gilsamplers import local_knocker, local_probe

if TYPE_CHECKING:
    from runners.schedulers.base import Scheduler

__all__ = ["stop_knocker", "Instruments", "Measurement", "RepeatTimeout", "measure", "graph_size", "weighted_median",
           "run_with_timeout", "ABANDONED"]


# Threads left running by a timed-out repeat (CPython cannot kill a thread).
ABANDONED: list[threading.Thread] = []


class RepeatTimeout(TimeoutError):
    """A repeat ran past its time limit."""


@dataclass(frozen=True)
class Instruments:
    """Which instruments run during a repeat."""

    tasks: bool = True
    gil: bool = True
    bytes: bool = True
    resources: bool = True

    @classmethod
    def none(cls) -> "Instruments":
        return cls(False, False, False, False)

    @property
    def any(self) -> bool:
        return self.tasks or self.gil or self.bytes or self.resources


@dataclass
class Measurement:
    """What one repeat measured (before it becomes a RunRecord)."""

    wall_s: float
    result: Any
    started_at: float
    tasks: list[dict[str, Any]] = field(default_factory=list)
    gil: list[dict[str, Any]] = field(default_factory=list)  # per process: pid, contention, seconds
    cpu_s: float | None = None
    peak_rss: int | None = None
    bytes_out: int | None = None
    bytes_in: int | None = None
    bytes_moved: int | None = None
    # Anything else worth keeping with the row, e.g. {"workers_lost": [...], "workers_joined": [...]}.
    extra: dict[str, Any] = field(default_factory=dict)

    def gil_summary(self) -> tuple[float | None, float | None, float | None]:
        """(min, duration-weighted median, max) GIL contention over processes."""
        vals = [(g["contention"], g.get("seconds") or 0.0) for g in self.gil if g.get("contention") is not None]
        if not vals:
            return None, None, None
        return min(v for v, _ in vals), weighted_median(vals), max(v for v, _ in vals)


def weighted_median(pairs: Sequence[tuple[float, float]]) -> float:
    """Median of values weighted by duration; plain median when all weights are 0.

    >>> weighted_median([(0.1, 1.0), (0.9, 3.0)])
    0.9
    """
    pairs = sorted(pairs)
    total = sum(w for _, w in pairs)
    if total <= 0:
        return statistics.median(v for v, _ in pairs)
    acc = 0.0
    for v, w in pairs:
        acc += w
        if acc >= total / 2:
            return v
    return pairs[-1][0]


def graph_size(objs: Sequence[Any]) -> int | None:
    """Number of tasks in the optimised graph ``dask.compute`` hands the scheduler."""
    try:  # dask's private expression API: a dask without it gives no count, not an error
        from dask._expr import FinalizeCompute
        from dask.base import collections_to_expr

        expr = FinalizeCompute(collections_to_expr(list(objs), True)).optimize()
        return len(expr.__dask_graph__())
    except Exception:
        return None


def run_with_timeout(fn: Callable[[], Any], timeout: float | None, here: bool = False) -> Any:
    """Run *fn*; raise RepeatTimeout if it is not done within *timeout* seconds.

    By default *fn* runs in a daemon thread: the main thread stays free to receive Ctrl-C,
    and a stuck thread, which cannot be killed in CPython, is abandoned (the caller tears
    its pool down).

    *here* (``sync``, whose tasks a user runs in the main thread): from the main thread,
    *fn* runs in it, with the main thread's malloc arena as in a user's script or notebook.
    A compute in a fresh thread gets a thread arena instead: array-transcendental at the
    default size took 9 % less there than in the main thread of one plain interpreter
    (1.92 s vs 2.11 s, equal with ``MALLOC_ARENA_MAX=1``).  The time limit is then kept by
    ``SIGALRM`` (a caller's alarm is restored, less the time spent).  Only ``sync``: a
    signal raised in the main thread inside a pool's or a cluster's own locks (a SIGTERM
    during a distributed warm-up) came out as ``release unlocked lock`` and the run went on;
    ``sync`` has no pool, no thread and no lock of its own to leave behind.
    """
    if here and threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        return _in_main_thread(fn, timeout)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as e:  # handed to the caller
            box["error"] = e

    t = threading.Thread(target=target, name="suite-compute", daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        ABANDONED.append(t)
        raise RepeatTimeout(f"repeat did not finish within {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def _in_main_thread(fn: Callable[[], Any], timeout: float | None) -> Any:
    """*fn* here (the main thread), interrupted by ``SIGALRM`` after *timeout* seconds (see :func:`run_with_timeout`)."""
    if timeout is None:
        return fn()
    state = {"done": False}

    def alarm(signum: int, frame: Any) -> None:
        if not state["done"]:
            raise RepeatTimeout(f"repeat did not finish within {timeout:g} s")

    old_handler = signal.signal(signal.SIGALRM, alarm)
    old_delay, old_interval = signal.setitimer(signal.ITIMER_REAL, max(timeout, 1e-6))
    t0 = time.monotonic()
    try:
        value = fn()
        state["done"] = True
        return value
    finally:
        state["done"] = True
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_delay > 0:  # the caller's own alarm (pytest-timeout's, an application's): what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(old_delay - (time.monotonic() - t0), 1e-3), old_interval)


def measure(scheduler: Scheduler, objs: Sequence[Any], instruments: Instruments,
            timeout: float | None = None) -> Measurement:
    """Compute *objs* once on *scheduler* and measure it, as its kind allows (see the module docstring)."""
    return scheduler.measure(objs, instruments, timeout)


def stop_knocker(wait: bool = True) -> None:
    """Stop this process's knocker and GIL probe (end of run; before a repeat in other processes).

    *wait* False: the knocker's ~100-ms stop goes on in a daemon thread (see
    :func:`runners.gilsamplers.local_knocker`): 70-odd switches a quick run, 7 s here.
    """
    local_knocker(False, wait)
    local_probe(False)
