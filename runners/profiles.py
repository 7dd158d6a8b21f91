"""Profiles: how much to run (sizes, repeats, schedulers, sweeps, time limits).

>>> p = PROFILES["quick"]
>>> p.repeats, [s.label for s in p.specs(cores=2)][:3]
(3, ['sync', 'threads-2', 'processes-2'])
>>> sweep_counts(2), sweep_counts(16)
([1, 2, 3, 4], [1, 2, 4, 8, 16, 32])
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from runners.spec import SchedulerSpec

__all__ = ["Profile", "PROFILES", "sweep_counts", "cores"]


def cores() -> int:
    """Cores this process may use (the affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def sweep_counts(n: int, full: bool = True) -> list[int]:
    """Worker counts for scaling sweeps: 1..2n, all of them for small n, powers of two beyond."""
    if n <= 4:
        counts = list(range(1, 2 * n + 1))
    else:
        counts = sorted({1, 2, n, 2 * n} | {2**i for i in range(1, (2 * n).bit_length()) if 2**i <= 2 * n})
    if not full:
        counts = sorted({1, n, 2 * n})
    return counts


@dataclass(frozen=True)
class Profile:
    """One run size.

    Parameters
    ----------
    name
        ``quick`` (CI and tests, <= 3 min on 2 cores), ``default`` (start-up
        amortised, <= 15 min on 2 cores), ``full``.
    repeats
        Timed repeats per (workload, spec), after one warm-up.
    timeout_s
        Limit for one repeat; past it the repeat is recorded as ``timeout``.
    full_sweep
        Sweep every worker count of :func:`sweep_counts`, or only 1, N, 2N.
    distributed_1xn
        Also run ``distributed-1xN`` (one worker process with N threads).
    overhead_repeats
        Interleaved instrumented/bare pairs for the instrumentation-overhead figure.
    """

    name: str
    repeats: int
    timeout_s: float
    full_sweep: bool
    distributed_1xn: bool
    overhead_repeats: int

    def specs(self, cores: int) -> list[SchedulerSpec]:
        """The base specs every workload runs under on a machine with *cores* cores."""
        specs = [
            SchedulerSpec("sync"),
            SchedulerSpec("threads", workers=cores),
            SchedulerSpec("processes", workers=cores),
            SchedulerSpec("distributed", workers=cores, threads_per_worker=1),
        ]
        if self.distributed_1xn and cores > 1:
            specs.append(SchedulerSpec("distributed", workers=1, threads_per_worker=cores))
        return specs

    def sweep_specs(self, cores: int) -> list[SchedulerSpec]:
        """Extra specs for the scaling sweeps (threads and processes at 1..2N workers)."""
        return [
            SchedulerSpec(kind, workers=n)
            for kind in ("threads", "processes")
            for n in sweep_counts(cores, self.full_sweep)
        ]


PROFILES: dict[str, Profile] = {
    "quick": Profile("quick", repeats=3, timeout_s=60, full_sweep=False, distributed_1xn=True, overhead_repeats=7),
    "default": Profile("default", repeats=5, timeout_s=300, full_sweep=True, distributed_1xn=True, overhead_repeats=9),
    "full": Profile("full", repeats=7, timeout_s=900, full_sweep=True, distributed_1xn=True, overhead_repeats=11),
}
