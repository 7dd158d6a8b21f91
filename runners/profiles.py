"""Profiles: how much to run (sizes, repeats, schedulers, sweeps, time limits).

>>> p = PROFILES["default"]
>>> p.repeats, [s.label for s in p.specs(cores=2)]
(5, ['sync', 'threads-2', 'processes-2', 'distributed-2x1'])

>>> sweep_counts(2), sweep_counts(16)
([1, 2, 3, 4], [1, 2, 4, 8, 16, 32])

>>> from types import SimpleNamespace as Claim
>>> known = {"C1": Claim(kinds=frozenset({"sync", "threads"}), scaling=True)}
>>> sorted(needed_kinds(("C1",), known)), sorted(needed_kinds((), known))
(['sync', 'threads'], ['distributed', 'processes', 'sync', 'threads'])
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping, Protocol, Sequence

from runners.records.kinds import KINDS, POOLS, SchedulerSpec

__all__ = ["Profile", "PROFILES", "sweep_counts", "cores", "ClaimNeeds", "needed_kinds", "ALL_KINDS"]

ALL_KINDS = frozenset(KINDS)


class ClaimNeeds(Protocol):
    """What the runner reads of a claim (:class:`reports.claims.Claim` is one; :mod:`runners.all` hands them in)."""

    @property
    def kinds(self) -> frozenset[str]:
        """The scheduler kinds the claim's verdict reads."""

    @property
    def scaling(self) -> bool:
        """Whether the claim reads speedup curves (its workloads' sweeps)."""


def needed_kinds(claims: Sequence[str], known: Mapping[str, ClaimNeeds],
                 c12_everywhere: bool = False) -> frozenset[str]:
    """Kinds a lean profile runs for a workload serving *claims*: those the *known* claims' verdicts read
    (all kinds for a user's own workload, or for a claim not in *known*).

    A lean profile runs a workload only under the kinds its claims need (C12 is then
    decided among the kinds that were run); a full profile runs everything under every
    kind.  With *c12_everywhere*, workloads of claim C12 (Dask's default vs the best
    scheduler) run under every kind, so "best" means best of all.
    """
    if not claims or (c12_everywhere and "C12" in claims):
        return ALL_KINDS
    return frozenset().union(*(known[c].kinds if c in known else ALL_KINDS for c in claims))


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
        The minimum of interleaved rounds (timed repeats per (workload, spec)),
        after one warm-up per pair; at least 5, the least that can decide.
    max_repeats, budget_s
        The cap on adaptive rounds: past the minimum, rounds continue while a
        comparison the verdicts or the recommendation read is undecided, until
        a pair has *max_repeats* repeats or the workload's rounds have taken
        *budget_s* seconds.  Each round runs only the specs an undecided
        comparison names.
    claim_max_repeats, claim_extra_s
        The further cap for the comparisons a claim's verdict reads, at the
        claim's own bars (:mod:`reports.claims.questions`): past the first cap,
        rounds of only those specs go on until a pair has *claim_max_repeats*
        repeats or they have taken *claim_extra_s* seconds more (None: none).
    plain_check
        Workloads whose times are checked against plain ``dask.compute`` in a
        fresh interpreter: ``"all"`` (``full``), ``"wide"`` (one workload per
        collection and kind of work, ``default``) or ``"sample"`` (a pandas and a
        pure-Python one, ``quick``): what each budget allows.
    timeout_s
        Limit for one repeat; past it the repeat is recorded as ``timeout``.
    full_sweep
        Sweep every worker count of :func:`sweep_counts`, or only 1, N, 2N.
    distributed_1xn
        Also run ``distributed-1xN`` (one worker process with N threads).
    overhead_repeats
        Interleaved instrumented/bare pairs for the instrumentation-overhead figure.
    run_budget_s
        The whole run's budget on 2 cores (``quick`` 180 s, ``default`` 15 min;
        None: no run-level budget).  The runner plans against it from the
        fixed costs it measures as it goes (warm-ups, the minimum rounds,
        start-ups): the per-workload caps above shrink when the fixed costs of
        the workloads left would not leave them room (a slow or busy machine),
        and the run says so.
    lean
        Run each built-in workload only under the scheduler kinds its claims need
        (see :func:`needed_kinds`); what keeps the profiles within budget on 2 cores.
    c12_everywhere
        With ``lean``, still run C12's workloads under every kind (``default``,
        ``full``); ``quick`` decides C12 among the kinds it ran, and keeps one
        performance_report per cluster.
    """

    name: str
    repeats: int
    timeout_s: float
    full_sweep: bool
    distributed_1xn: bool
    overhead_repeats: int
    lean: bool = False
    c12_everywhere: bool = True
    max_repeats: int = 15
    budget_s: float = 20.0
    run_budget_s: float | None = None
    claim_max_repeats: int | None = None
    claim_extra_s: float | None = None
    plain_check: str = "all"
    plain_repeats: int = 4
    sweep_claims: tuple[str, ...] | None = None  # sweep only the workloads of these claims (None: every sweep)

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
        """Extra specs for the scaling sweeps: threads and processes at 1..2N workers, or, without
        ``full_sweep``, only threads at 2N (what C4's "levels off past the cores" reads)."""
        if not self.full_sweep:
            return [SchedulerSpec("threads", workers=2 * cores)]
        return [
            SchedulerSpec(kind, workers=n)
            for kind in POOLS
            for n in sweep_counts(cores, self.full_sweep)
        ]


PROFILES: dict[str, Profile] = {
    "quick": Profile("quick", repeats=5, timeout_s=60, full_sweep=False, distributed_1xn=False, overhead_repeats=5,
                     lean=True, c12_everywhere=False, max_repeats=10, budget_s=2.2, plain_check="sample",
                     claim_max_repeats=25, claim_extra_s=4.5, run_budget_s=180.0,
                     sweep_claims=("C4",)),
    "default": Profile("default", repeats=5, timeout_s=300, full_sweep=True, distributed_1xn=False, overhead_repeats=7,
                       lean=True, c12_everywhere=False, max_repeats=8, budget_s=5.0, plain_check="wide",
                       claim_max_repeats=16, claim_extra_s=4.0, run_budget_s=900.0),
    "full": Profile("full", repeats=7, timeout_s=900, full_sweep=True, distributed_1xn=True, overhead_repeats=11,
                    max_repeats=30, budget_s=90.0),
}
