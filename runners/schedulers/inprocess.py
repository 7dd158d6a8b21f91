"""Measure one repeat whose tasks run in this process: the ``sync`` and ``threads`` kinds.

The task stream comes from dask's ``Profiler``, the GIL figures from this
process's samplers (:mod:`runners.gilsamplers`), CPU time from ``getrusage``,
peak RSS from a sampling thread; on request (``sync`` asks), a callback
estimates the bytes the ``processes`` scheduler would pickle.
"""
from __future__ import annotations

import os
import resource
import threading
import time
from contextlib import ExitStack
from typing import Any, Callable

from dask.callbacks import Callback
from dask.diagnostics import Profiler
from dask.sizeof import sizeof

from runners import gilcount
from runners.gilsamplers import flips, gil_windows, held_share, local_knocker, local_probe
from runners.measure import Instruments, Measurement, run_with_timeout
from runners.profiles import cores

__all__ = ["measure_in_process", "TaskBytes"]


class _RssSampler:
    """Peak RSS of this process, sampled every 100 ms in a thread (~30 us per sample).

    Each sample takes the GIL from the compute threads; at 20 ms that cost 3 %
    of a pandas group-by on threads-2 here, at 100 ms it is within noise.
    """

    def __init__(self) -> None:
        import psutil

        self._proc = psutil.Process()
        self.peak = self._proc.memory_info().rss
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._loop, name="suite-rss", daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, self._proc.memory_info().rss)

    def __enter__(self) -> "_RssSampler":
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)


def _cpu_self() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class TaskBytes(Callback):
    """A dask callback that sums what the processes scheduler would pickle, measured in this process.

    Under ``processes`` every task's result goes back to the parent once and out
    again to each task that needs it; so the estimate is, over all tasks,
    ``sizeof(result) * (1 + dependents)`` (:attr:`total`).  The cost model reads it
    where no processes run was measured (``--predict-only``).  ~2 µs a task.

    A cluster moves far less: its workers keep what they compute, and the scheduler
    runs a task where most of its input bytes already are, so a task with one input
    never waits for a transfer.  :attr:`spread` is what may have to move: over the
    tasks with two or more inputs, their input bytes less the largest input (on W
    workers each moves with chance ``1 - 1/W``); :attr:`results` what goes back to
    the client (the results of the tasks nothing depends on).  A quick run measured
    0.26 MB moved by ``distributed-2x1`` on array-reduction, whose ``total`` is 161 MB.

    >>> import dask
    >>> x = dask.delayed(list)(range(1000))
    >>> with TaskBytes() as counted:
    ...     _ = dask.compute(dask.delayed(len)(x), scheduler="sync")
    >>> counted.total > 1000, counted.spread, counted.results == sizeof(1000)
    (True, 0, True)
    """

    def __init__(self) -> None:
        super().__init__()
        self.total = 0
        self.dependents: dict[Any, Any] = {}
        self.dependencies: dict[Any, Any] = {}
        self.sizes: dict[Any, int] = {}

    def _start_state(self, dsk: Any, state: dict[str, Any]) -> None:
        self.dependents = state.get("dependents", {})
        self.dependencies = state.get("dependencies", {})

    def _posttask(self, key: Any, result: Any, dsk: Any, state: Any, worker_id: Any) -> None:
        try:
            size = int(sizeof(result))
        except Exception:  # an object sizeof cannot size: leave it out
            return
        self.sizes[key] = size
        self.total += size * (1 + len(self.dependents.get(key, ())))

    @property
    def spread(self) -> int:
        """Input bytes of the tasks with several inputs, less each one's largest (what a cluster may move)."""
        out = 0
        for key, deps in self.dependencies.items():
            sizes = [self.sizes[d] for d in deps if d in self.sizes]
            if len(sizes) >= 2:
                out += sum(sizes) - max(sizes)
        return out

    @property
    def results(self) -> int:
        """Bytes of the results nothing depends on (what a cluster sends back to the client)."""
        return sum(v for k, v in self.sizes.items() if not self.dependents.get(k))


def measure_in_process(compute: Callable[[], Any], ins: Instruments, timeout: float | None,
                       count_bytes: bool = False, here: bool = False) -> Measurement:
    """Run *compute* once in this process (within *timeout*) and measure it.

    *here*: in the calling (main) thread, as a user's ``sync`` compute runs
    (:func:`runners.measure.run_with_timeout`).

    *count_bytes*: with ``ins.bytes``, estimate what the processes scheduler would
    pickle (:class:`TaskBytes`); nothing is serialised here, so ``bytes_moved`` is 0.
    """
    with ExitStack() as stack:
        prof = stack.enter_context(Profiler()) if ins.tasks else None
        sized = stack.enter_context(TaskBytes()) if ins.bytes and count_bytes else None
        rss = stack.enter_context(_RssSampler()) if ins.resources else None
        knocker = local_knocker(ins.gil)
        probe = local_probe(ins.gil)
        g0 = knocker.seconds() if knocker else None
        p0 = probe.counts() if probe is not None else None
        f0 = flips(probe)
        s0 = gilcount.signals() if ins.gil else None
        cpu0 = _cpu_self()
        faults0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        started_at = time.time()
        t0 = time.perf_counter()
        result = run_with_timeout(compute, timeout, here=here)
        wall = time.perf_counter() - t0
        p1 = probe.counts() if probe is not None else None
        f1 = flips(probe)
        s1 = gilcount.signals() if s0 is not None else None
        cpu = _cpu_self() - cpu0
        faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults0
        contention = None
        if knocker is not None and g0 is not None:
            contention = min(1.0, max(0.0, (knocker.seconds() - g0) / wall)) if wall > 0 else None
    m = Measurement(wall_s=wall, result=result, started_at=started_at)
    pid = os.getpid()
    if ins.gil:
        m.gil = [{"pid": pid, "contention": contention, "seconds": wall}]
        if s0 is not None and s1 is not None and wall > 0:
            # GIL releases per second, counted (runners/gilcount.py: two signals per release and retake), on
            # any number of cores; the cost model's hand-off term reads it.
            m.extra["gil_release_rate"] = (s1 - s0) / 2 / wall
            m.extra["gil_release_source"] = "counted"
        held = held_share(p0, p1)
        if held is not None:  # the calibrated GIL-held share (see gilsamplers.local_probe)
            m.extra["gil_held"] = held
            m.extra["gil_samples"] = p1[1] - p0[1]
            if "gil_release_rate" not in m.extra and f0 is not None and f1 is not None and f1[1] > f0[1] and cores() >= 2:
                # Where releases are not counted: the probe's estimate (two flag changes each).  Not on one
                # core, where its bursts never overlap the work (they would read 0 however often the GIL
                # changes hands); on two it sees a change only between two of its reads, so it misses
                # most in a tight loop (kernel-retake-k1: 1.9 M/s read, 17.7 M/s counted).
                m.extra["gil_release_rate"] = (f1[0] - f0[0]) / 2 / (f1[1] - f0[1])
                m.extra["gil_release_source"] = "probe"
            if ins.tasks:  # the GIL over time, for the task-stream page
                gw = gil_windows(probe, t0, wall)
                if gw is not None:
                    m.extra["gil_windows"] = gw
    if ins.resources:
        m.cpu_s = cpu
        m.peak_rss = rss.peak if rss else None
        # Minor page faults of the process during the repeat: the allocator's state, which can move times.
        # A fresh interpreter's sync compute of array-transcendental (default size) faulted ~198 000 pages
        # (2.1 s) every time; the same compute in a long run's process faulted 30 (1.55 s).  Recorded to
        # tell apart stencil-numpy's two modes between quick runs (README): not the cause there (11-13 a
        # compute in both).
        m.extra["minor_faults"] = faults
    if ins.bytes:
        m.bytes_out = m.bytes_in = m.bytes_moved = 0  # shared memory: nothing serialised
        if sized is not None:
            m.extra["bytes_tasks"] = sized.total  # what processes would pickle (see TaskBytes)
            m.extra["bytes_spread"], m.extra["bytes_results"] = sized.spread, sized.results  # what a cluster may move
    if prof is not None:
        main = threading.get_ident()
        for r in prof.results:
            # Profiler's clock is timeit.default_timer (perf_counter), like t0.
            m.tasks.append(
                {
                    "key": str(r.key),
                    "worker": str(pid),
                    "thread": str(r.worker_id if r.worker_id is not None else main),
                    "start": r.start_time - t0,
                    "stop": r.end_time - t0,
                }
            )
    return m
