"""What competed for the CPU while the suite measured: host steal, other processes, load and clock.

Each interleaved round is bracketed by two :class:`Snapshot` readings; :meth:`Probe.between`
turns a pair into the round's figures:

* ``seconds``: the wall time of the window (``time.monotonic``).
* ``steal``: the share (0..1) of all CPU time of the machine that the hypervisor gave to other
  guests, from the ``cpu`` line of ``/proc/stat``: steal delta / total delta, where total sums
  user, nice, system, idle, iowait, irq, softirq and steal (guest and guest_nice are already
  inside user and nice).
* ``steal_cores``: steal seconds per wall second (how many of our cores the host took).
* ``other_cores``: CPU used by processes *outside* the suite's own tree, in cores: the
  machine's busy seconds (user + nice + system + irq + softirq) less the CPU seconds (user +
  system) of the root process, its live descendants and the children it (or they) reaped, per
  wall second, floored at 0.
* ``load1``: the one-minute load average at the end of the window.
* ``freq_mhz``: the mean ``scaling_cur_freq`` over CPUs at the end of the window, in MHz
  (thermal or power throttling on laptops); None where cpufreq is not exposed (most VMs).
* ``pace_s``: how long a fixed pure-Python loop (:data:`PACE_LOOP` additions, the better of two
  tries, ~1 ms) took at the window's two ends, averaged: the speed of the core this process ran on.
  A VM whose host runs a neighbour on the same physical core (a hyperthread sibling) or lowers its
  clock shows no steal and no other process, yet everything takes longer — here the same ``sync``
  compute took 0.085 s in some rounds of one run and 0.17 s in others, its own CPU time doubling
  with it.  The loop sees that; :mod:`reports.interference` compares each round's pace with the
  run's best.

Every figure is None where its source is missing or denied (no ``/proc/stat``, no cpufreq, psutil
refused): never 0, never an exception.  /proc/stat counts in jiffies (``SC_CLK_TCK``, usually
1/100 s), so very short windows are coarse.

A round is a *burst* when its interference (``steal_cores + other_cores``) exceeds the run's own
:class:`Baseline` (the median interference of the rounds so far, seeded by an idle reading before
measuring) by more than :data:`BURST_CORES`, and the excess CPU-seconds over the round reach
:data:`BURST_MIN_CPU_S`.  The rounds' figures are stored in ``interference.jsonl``;
:mod:`reports.interference` condenses them into a few figures and one sentence for humans.
"""
from __future__ import annotations

import glob
import os
import time
from dataclasses import dataclass
from typing import Any, Callable

try:
    import psutil
except ImportError:  # pragma: no cover - psutil is a dependency, but degrade anyway
    psutil = None  # type: ignore[assignment]

__all__ = ["BURST_CORES", "BURST_MIN_CPU_S", "Snapshot", "Probe", "Baseline", "Load", "Watch"]

BURST_CORES = 0.5  # a round is a burst when steal+other cores exceed the baseline by more than this ...
BURST_MIN_CPU_S = 0.05  # ... and the excess CPU-seconds over the round are at least this (jiffy granularity)

PROC_STAT = "/proc/stat"
CPUFREQ_GLOB = "/sys/devices/system/cpu/cpu[0-9]*/cpufreq/scaling_cur_freq"


@dataclass(frozen=True)
class Snapshot:
    """One reading; any figure is None where its source is unavailable.

    >>> Snapshot(t=1.0, busy_s=None, steal_s=None, total_s=None, own_s=None, load1=None, freq_mhz=None).t
    1.0
    """

    t: float  # time.monotonic()
    busy_s: float | None  # machine-wide user+nice+system+irq+softirq seconds (/proc/stat)
    steal_s: float | None  # machine-wide steal seconds (/proc/stat)
    total_s: float | None  # all fields of the cpu line but guest, guest_nice, in seconds
    own_s: float | None  # user+system seconds of the suite's own process tree, reaped children included
    load1: float | None  # os.getloadavg()[0]
    freq_mhz: float | None  # mean scaling_cur_freq over CPUs, MHz
    pace_s: float | None = None  # seconds of the fixed loop (_pace), the better of two tries


def _clock_tick() -> float:
    try:
        tick = os.sysconf("SC_CLK_TCK")
        return float(tick) if tick > 0 else 100.0
    except (AttributeError, ValueError, OSError):
        return 100.0


_TICK = _clock_tick()


def _read_proc_stat() -> tuple[float, float, float] | None:
    """(busy, steal, total) seconds from the ``cpu`` line of /proc/stat, None when unreadable."""
    try:
        with open(PROC_STAT, "rb") as f:
            line = f.readline().split()
        if not line or line[0] != b"cpu" or len(line) < 5:
            return None
        v = [int(x) for x in line[1:9]] + [0] * (9 - len(line))  # old kernels: fewer fields
        user, nice, system, idle, iowait, irq, softirq, steal = v[:8]
    except (OSError, ValueError, IndexError):
        return None
    busy = user + nice + system + irq + softirq
    total = busy + idle + iowait + steal
    return busy / _TICK, steal / _TICK, total / _TICK


def _read_freq(paths: list[str]) -> float | None:
    """Mean of *paths* (scaling_cur_freq, kHz) in MHz, None when none is readable."""
    khz = []
    for p in paths:
        try:
            with open(p, "rb") as f:
                khz.append(int(f.read().strip()))
        except (OSError, ValueError):
            continue
    return sum(khz) / len(khz) / 1000.0 if khz else None


PACE_LOOP = 20_000  # additions in the pace loop: ~0.6 ms on the 2-core VM this suite is developed on


def _pace(n: int = PACE_LOOP) -> float:
    """Seconds the better of two runs of an *n*-addition pure-Python loop took (the core's speed, now).

    >>> 0 < _pace(1000) < 1
    True
    """
    best = float("inf")
    for _ in range(2):
        t, x = time.perf_counter(), 0
        for i in range(n):
            x += i
        best = min(best, time.perf_counter() - t)
    return best


def _read_load1() -> float | None:
    try:
        return float(os.getloadavg()[0])
    except (AttributeError, OSError):
        return None


def _safe(fn: Callable[[], Any]) -> Any:
    """fn(), or None on any error: a probe must never break a measurement."""
    try:
        return fn()
    except Exception:  # noqa: BLE001 - degrade, whatever the platform raises
        return None


class Probe:
    """Takes :class:`Snapshot` readings of the machine and of the process tree rooted at *root_pid*."""

    def __init__(self, root_pid: int | None = None):
        self.root_pid = os.getpid() if root_pid is None else root_pid
        self._root = None
        if psutil is not None:
            try:
                self._root = psutil.Process(self.root_pid)
            except Exception:  # noqa: BLE001 - NoSuchProcess, AccessDenied, ...
                self._root = None
        self._freq_paths = sorted(_safe(lambda: glob.glob(CPUFREQ_GLOB)) or [])

    def _own_s(self) -> float | None:
        """CPU seconds of the tree: root + live descendants, each with the children it reaped."""
        if self._root is None:
            return None
        try:
            procs = [self._root, *self._root.children(recursive=True)]
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None
        total = 0.0
        for i, p in enumerate(procs):
            try:
                c = p.cpu_times()
            except psutil.AccessDenied:
                return None
            except psutil.NoSuchProcess:
                if i == 0:
                    return None
                continue  # exited since listed: its CPU moves into its parent's children_* once reaped
            total += c.user + c.system + getattr(c, "children_user", 0.0) + getattr(c, "children_system", 0.0)
        return total

    def snapshot(self) -> Snapshot:
        """One reading now (a few ms: /proc/stat, the tree's /proc entries, cpufreq, the pace loop)."""
        pace = _safe(_pace)
        t = time.monotonic()
        stat = _safe(_read_proc_stat)
        busy, steal, total = stat if stat else (None, None, None)
        return Snapshot(t=t, busy_s=busy, steal_s=steal, total_s=total, own_s=_safe(self._own_s),
                        load1=_safe(_read_load1), freq_mhz=_safe(lambda: _read_freq(self._freq_paths)), pace_s=pace)

    def between(self, a: Snapshot, b: Snapshot) -> dict[str, float | None]:
        """The figures of the window *a*..*b* (see the module docstring).

        >>> a = Snapshot(0.0, busy_s=10.0, steal_s=1.0, total_s=40.0, own_s=3.0, load1=0.5, freq_mhz=None)
        >>> b = Snapshot(2.0, busy_s=13.0, steal_s=1.4, total_s=44.0, own_s=4.0, load1=0.7, freq_mhz=None)
        >>> x = Probe().between(a, b)
        >>> x["seconds"], x["steal"], x["steal_cores"], x["other_cores"], x["load1"], x["freq_mhz"]
        (2.0, 0.1, 0.2, 1.0, 0.7, None)
        """
        wall = b.t - a.t
        steal = steal_cores = other = None
        if a.steal_s is not None and b.steal_s is not None:
            d_steal = max(0.0, b.steal_s - a.steal_s)
            if a.total_s is not None and b.total_s is not None and b.total_s - a.total_s > 0:
                steal = _r(d_steal / (b.total_s - a.total_s))
            if wall > 0:
                steal_cores = _r(d_steal / wall)
        if wall > 0 and None not in (a.busy_s, b.busy_s, a.own_s, b.own_s):
            other = _r(max(0.0, (b.busy_s - a.busy_s) - (b.own_s - a.own_s)) / wall)  # type: ignore[operator]
        pace = None if a.pace_s is None or b.pace_s is None else round((a.pace_s + b.pace_s) / 2, 9)
        return {"seconds": wall, "steal": steal, "steal_cores": steal_cores, "other_cores": other,
                "load1": b.load1, "freq_mhz": b.freq_mhz, "pace_s": pace}

    def idle(self, seconds: float = 0.5) -> dict[str, float | None]:
        """The machine's state before measuring: :meth:`between` over a *seconds* sleep."""
        a = self.snapshot()
        time.sleep(seconds)
        return self.between(a, self.snapshot())


def _r(x: float) -> float:
    return round(x, 6)  # jiffies: no more digits mean anything; keeps records and doctests tidy


def _interference(x: dict) -> float | None:
    s, o = x.get("steal_cores"), x.get("other_cores")
    return None if s is None or o is None else s + o


def _median(v: list[float]) -> float:
    s = sorted(v)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


class Baseline:
    """The run's own baseline: the median interference (steal_cores + other_cores) of the rounds so far
    (seeded by an idle reading).  Without any reading yet, no round is a burst.

    >>> b = Baseline({"seconds": 0.5, "steal_cores": 0.0, "other_cores": 0.2})
    >>> b.burst({"seconds": 1.0, "steal_cores": 0.0, "other_cores": 0.3})
    ''
    >>> b.burst({"seconds": 1.0, "steal_cores": 0.1, "other_cores": 1.3})
    'other processes 1.3 cores, steal 0.1 cores vs baseline 0.2 (+1.2 > 0.5)'
    """

    def __init__(self, seed: dict | None = None):
        self.values: list[float] = []
        if seed is not None:
            self.add(seed)

    @property
    def level(self) -> float | None:
        """The baseline interference in cores, None before any reading."""
        return _median(self.values) if self.values else None

    def burst(self, x: dict) -> str:
        """"" unless round *x* is a burst, else why; rounds with None figures are never bursts."""
        now, base, secs = _interference(x), self.level, x.get("seconds")
        if now is None or base is None or not secs or secs <= 0:
            return ""
        excess = now - base
        if excess <= BURST_CORES or excess * secs < BURST_MIN_CPU_S:
            return ""
        return (f"other processes {_num(x['other_cores'])} cores, steal {_num(x['steal_cores'])} cores"
                f" vs baseline {_num(base)} (+{_num(excess)} > {_num(BURST_CORES)})")

    def add(self, x: dict) -> None:
        """Record a non-burst round (the caller leaves bursts out); rounds with None figures are ignored."""
        v = _interference(x)
        if v is not None:
            self.values.append(v)


def _num(x: float) -> str:
    """Short human number: 2 significant digits below 10, whole numbers above.

    >>> _num(0.02), _num(0.4), _num(1.25), _num(18.4), _num(100.0), _num(0.0)
    ('0.02', '0.4', '1.2', '18', '100', '0')
    """
    return f"{x:.0f}" if abs(x) >= 10 else f"{x:.2g}"


class Load:
    """The cores other users of the machine took while the suite measured: host steal plus other processes,
    a seconds-weighted mean over the rounds the loop kept (bursts it re-ran left out) and the idle reading.

    The runner's :class:`Watch` fills it; the claims' questions read it while the rounds run, to set their
    parallel-speedup bars for the cores left free (:func:`reports.evidence.on_free_cores`), as the report does
    from ``interference.jsonl`` afterwards.

    >>> load = Load()
    >>> load.cores is None
    True
    >>> load.add({"seconds": 1.0, "steal_cores": 0.0, "other_cores": 0.2})
    >>> load.add({"seconds": 3.0, "steal_cores": 0.1, "other_cores": 0.5})
    >>> round(load.cores, 3)
    0.5
    """

    def __init__(self) -> None:
        self.cpu_s = 0.0
        self.wall_s = 0.0

    def add(self, x: dict | None) -> None:
        v, secs = (None, None) if x is None else (_interference(x), x.get("seconds"))
        if v is not None and secs and secs > 0:
            self.cpu_s += v * secs
            self.wall_s += secs

    @property
    def cores(self) -> float | None:
        """The mean cores taken; None before any reading."""
        return self.cpu_s / self.wall_s if self.wall_s > 0 else None


class Watch:
    """The rounds' interference watch: a :class:`Probe` and the run's :class:`Baseline`, one record per round.

    :meth:`start` before a round, :meth:`end` after it: the round's figures are
    written (through *write*, one record: the figures, the ``(workload,
    "session:round")`` items the round measured, ``burst``, ``rerun``,
    ``reason``) and, when the round was a burst and *may_drop*, the reason is
    returned so that the loop leaves the round out and measures it again.  A
    burst that is kept (the loop's re-run cap) moves the baseline: the machine's
    new state.
    """

    def __init__(self, write: Callable[[list[dict[str, Any]]], None], probe: Probe | None = None,
                 idle_s: float = 0.3, load: Load | None = None):
        self.probe = probe or Probe()
        self.write = write
        self.idle = self.probe.idle(idle_s) if idle_s > 0 else None
        self.baseline = Baseline(self.idle)
        self.load = Load() if load is None else load
        self.load.add(self.idle)

    def start(self) -> Snapshot:
        return self.probe.snapshot()

    def end(self, token: Snapshot, items: list[tuple[str, str]], may_drop: bool = True) -> str:
        x = self.probe.between(token, self.probe.snapshot())
        why = self.baseline.burst(x)
        dropped = bool(why) and may_drop
        if not dropped:
            self.baseline.add(x)
            self.load.add(x)
        self.write([{**x, "items": [list(i) for i in items], "burst": bool(why), "rerun": dropped, "reason": why}])
        return why if dropped else ""
