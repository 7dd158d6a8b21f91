"""Time one compute on a pool, with every instrument the scheduler allows.

Per repeat: wall time; the task stream (worker-side start/stop per task, in one
schema for every scheduler); GIL contention per process that ran tasks; CPU
time and peak RSS per process; bytes serialised between processes.

Instruments are switched on and off one by one with :class:`Instruments`; with
all off (:meth:`Instruments.none`) only the wall clock runs, which is how the
suite measures its own overhead.
"""
from __future__ import annotations

import os
import resource
import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

from runners import _procworker
from runners.pools import Pool

__all__ = ["stop_knocker", "held_share", "gil_windows", "MAX_GIL_WINDOWS", "Instruments", "Measurement", "RepeatTimeout", "measure", "graph_size", "weighted_median",
           "run_with_timeout"]



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
    try:
        from dask._expr import FinalizeCompute
        from dask.base import collections_to_expr

        expr = FinalizeCompute(collections_to_expr(list(objs), True)).optimize()
        return len(expr.__dask_graph__())
    except Exception:
        return None


def run_with_timeout(fn: Any, timeout: float | None) -> Any:
    """Run *fn* in a daemon thread; raise RepeatTimeout if it is not done in time.

    The main thread stays free to receive Ctrl-C.  A stuck thread cannot be
    killed in CPython: it is abandoned (daemon) and the caller tears its pool down.
    """
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


def measure(pool: Pool, objs: Sequence[Any], instruments: Instruments, timeout: float | None = None) -> Measurement:
    """Compute *objs* once on *pool* and measure it."""
    kind = pool.spec.kind
    if kind not in ("sync", "threads") or not instruments.gil:
        _local_knocker(False)  # only sync/threads read it; elsewhere it would only cost
        _local_probe(False)
    if kind in ("sync", "threads"):
        return _measure_local(pool, objs, instruments, timeout)
    if kind == "processes":
        return _measure_processes(pool, objs, instruments, timeout)
    return _measure_distributed(pool, objs, instruments, timeout)


class _Knocker:
    """One gilknocker for this process, kept running across repeats.

    Starting and stopping a KnockKnock costs ~100 ms (its thread's sleep), more
    than a quick repeat: so it runs from the first instrumented repeat on, and a
    repeat reads the contention seconds accumulated during it.  It is stopped for
    bare (uninstrumented) repeats, which must not pay for its probing.
    """

    def __init__(self, kw: dict[str, int] | None = None) -> None:
        from gilknocker import KnockKnock

        # *kw*: other KnockKnock settings (the GIL calibration tries some); the suite's by default.
        self.k = KnockKnock(**(kw or _procworker.KNOCKER_KW))
        self.k.start()
        self.t0 = time.perf_counter()

    def seconds(self) -> float:
        """Seconds the probe waited for the GIL since start (metric is a fraction)."""
        return self.k.contention_metric * (time.perf_counter() - self.t0)

    def stop(self) -> None:
        self.k.stop()


_KNOCKER: list[_Knocker] = []


def _local_knocker(on: bool) -> _Knocker | None:
    """The running process-wide knocker when *on*; stop it when not.

    None where GIL contention cannot be sampled (gilknocker missing, or no GIL):
    the repeat's GIL figures are then None, with the reason in meta.json.
    """
    if on and not _KNOCKER and _procworker.can_sample_gil():
        _KNOCKER.append(_Knocker())
    elif not on and _KNOCKER:
        _KNOCKER.pop().stop()
    return _KNOCKER[0] if _KNOCKER else None


_PROBE: list[Any] = []


def _local_probe(on: bool) -> Any:
    """The running process-wide GIL probe (:class:`kernels._gilprobe.GilProbe`) when *on*; stop it when not.

    It reads whether some thread holds the GIL, at random instants, without taking
    the GIL itself; the share of samples that found it held is the GIL-held share
    that the GIL calibration checks and the cost model reads.  None where there is
    no GIL to sample or the kernels were not built.
    """
    if on and not _PROBE and _procworker.can_sample_gil():
        try:
            from kernels._gilprobe import GilProbe
        except ImportError:
            return None
        p = GilProbe()
        p.start()
        _PROBE.append(p)
    elif not on and _PROBE:
        _PROBE.pop().stop()
    return _PROBE[0] if _PROBE else None


def _flips(probe: Any) -> tuple[int, float] | None:
    """The probe's (GIL flag changes, burst seconds) so far; None without a probe that counts them."""
    try:
        return probe.flips() if probe is not None and probe.flag else None
    except AttributeError:  # a probe built before it counted them
        return None


def held_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """Share of the probe's samples between two :meth:`GilProbe.counts` that found the GIL held.

    >>> held_share((10, 100), (40, 200))
    0.3
    >>> held_share((0, 5), (0, 5)) is None
    True
    """
    if before is None or after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


MAX_GIL_WINDOWS = 400  # windows kept per repeat; longer repeats merge neighbours


def gil_windows(probe: Any, t0: float, wall: float, limit: int = MAX_GIL_WINDOWS) -> dict[str, Any] | None:
    """The probe's GIL-held share over one repeat, window by window: ``{window_s, t, held}``.

    ``t`` is each window's start in seconds since the repeat began (*t0*, a
    ``time.perf_counter`` reading: the probe's clock on Linux), ``held`` the
    share of its samples that found the GIL held.  More than *limit* windows
    are merged in equal groups.  What the task-stream page draws under the lanes.
    """
    try:
        start = probe.started_at()
        wins = [(start + ts - t0, h, n) for ts, h, n in probe.windows(since_s=t0 - start)]
    except AttributeError:  # a probe built before it kept windows
        return None
    wins = [w for w in wins if -probe.window_ms / 1e3 < w[0] < wall and w[2] > 0]
    if not wins:
        return None
    k = -(-len(wins) // limit)  # ceil
    t, held = [], []
    for i in range(0, len(wins), k):
        grp = wins[i:i + k]
        t.append(round(max(0.0, grp[0][0]), 6))
        held.append(round(sum(g[1] for g in grp) / sum(g[2] for g in grp), 3))
    return {"window_s": probe.window_ms / 1e3 * k, "t": t, "held": held}


def stop_knocker() -> None:
    """Stop this process's knocker and GIL probe (end of run)."""
    _local_knocker(False)
    _local_probe(False)


def _cpu_self() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _task_bytes() -> Any:
    """A dask callback that sums what the processes scheduler would pickle, measured under ``sync``.

    Under ``processes`` every task's result goes back to the parent once and out
    again to each task that needs it; so the estimate is, over all tasks,
    ``sizeof(result) * (1 + dependents)``.  The cost model reads it where no
    processes run was measured (``--predict-only``).  ~2 µs a task.
    """
    from dask.callbacks import Callback
    from dask.sizeof import sizeof

    class TaskBytes(Callback):
        def __init__(self) -> None:
            super().__init__()
            self.total = 0
            self.dependents: dict[Any, Any] = {}

        def _start_state(self, dsk: Any, state: dict[str, Any]) -> None:
            self.dependents = state.get("dependents", {})

        def _posttask(self, key: Any, result: Any, dsk: Any, state: Any, worker_id: Any) -> None:
            try:
                self.total += int(sizeof(result)) * (1 + len(self.dependents.get(key, ())))
            except Exception:  # an object sizeof cannot size: leave it out
                pass

    return TaskBytes()


def _measure_local(pool: Pool, objs: Sequence[Any], ins: Instruments, timeout: float | None) -> Measurement:
    from contextlib import ExitStack

    from dask.diagnostics import Profiler

    with ExitStack() as stack:
        prof = stack.enter_context(Profiler()) if ins.tasks else None
        sized = stack.enter_context(_task_bytes()) if ins.bytes and pool.spec.kind == "sync" else None
        rss = stack.enter_context(_RssSampler()) if ins.resources else None
        knocker = _local_knocker(ins.gil)
        probe = _local_probe(ins.gil)
        g0 = knocker.seconds() if knocker else None
        p0 = probe.counts() if probe is not None else None
        f0 = _flips(probe)
        cpu0 = _cpu_self()
        started_at = time.time()
        t0 = time.perf_counter()
        result = run_with_timeout(lambda: pool.compute(objs), timeout)
        wall = time.perf_counter() - t0
        p1 = probe.counts() if probe is not None else None
        f1 = _flips(probe)
        cpu = _cpu_self() - cpu0
        contention = None
        if knocker is not None and g0 is not None:
            contention = min(1.0, max(0.0, (knocker.seconds() - g0) / wall)) if wall > 0 else None
    m = Measurement(wall_s=wall, result=result, started_at=started_at)
    pid = os.getpid()
    if ins.gil:
        m.gil = [{"pid": pid, "contention": contention, "seconds": wall}]
        held = held_share(p0, p1)
        if held is not None:  # the calibrated GIL-held share (see _local_probe)
            m.extra["gil_held"] = held
            m.extra["gil_samples"] = p1[1] - p0[1]
            if f0 is not None and f1 is not None and f1[1] > f0[1]:
                # GIL releases per second (two flag changes each), for the cost model's hand-off term
                m.extra["gil_release_rate"] = (f1[0] - f0[0]) / 2 / (f1[1] - f0[1])
            if ins.tasks:  # the GIL over time, for the task-stream page
                gw = gil_windows(probe, t0, wall)
                if gw is not None:
                    m.extra["gil_windows"] = gw
    if ins.resources:
        m.cpu_s = cpu
        m.peak_rss = rss.peak if rss else None
    if ins.bytes:
        m.bytes_out = m.bytes_in = m.bytes_moved = 0  # shared memory: nothing serialised
        if sized is not None:
            m.extra["bytes_tasks"] = sized.total  # what processes would pickle (see _task_bytes)
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


def _measure_processes(pool: Pool, objs: Sequence[Any], ins: Instruments, timeout: float | None) -> Measurement:
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


# -- distributed: functions run in each worker via Client.run ---------------
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


def _measure_distributed(pool: Pool, objs: Sequence[Any], ins: Instruments, timeout: float | None) -> Measurement:
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
