"""Profiles: how much to run (sizes, repeats, schedulers, sweeps, time limits).

>>> p = PROFILES["default"]
>>> p.repeats, [s.label for s in p.specs(cores=2)]
(5, ['sync', 'threads-2', 'processes-2', 'distributed-2x1', 'processes-2-shipped', 'distributed-2x1-shipped'])

>>> sweep_counts(2), sweep_counts(16)
([1, 2, 3, 4], [1, 2, 4, 8, 16, 32])

>>> layouts(2), layouts(16)
([(2, 1), (1, 2)], [(16, 1), (1, 16), (4, 4)])
>>> [s.label for s in p.layout_specs(cores=2)], p.sweeps_layouts("delayed-null")
(['distributed-1x2'], True)

>>> from types import SimpleNamespace as Claim
>>> known = {"C1": Claim(kinds=frozenset({"sync", "threads"}), scaling=True)}
>>> sorted(needed_kinds(("C1",), known)), sorted(needed_kinds((), known))
(['sync', 'threads'], ['distributed', 'processes', 'sync', 'threads'])
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal, Mapping, Protocol, Sequence

from runners.records.kinds import DEFAULT_SCHEDULER, KINDS, POOLS, SchedulerSpec, dask_layout, layouts  # noqa: F401 (re-exported)

__all__ = ["Profile", "PROFILES", "sweep_counts", "layouts", "dask_layout", "cores", "ClaimNeeds", "needed_kinds",
           "ALL_KINDS", "LAYOUT_SAMPLE"]

ALL_KINDS = frozenset(KINDS)

# The quick profile's layout sample: three workloads of different character that quick already
# runs under distributed -- many tiny pure-Python tasks (scheduler cost per task), GIL-releasing
# element-wise NumPy, and a BLAS product whose blocks travel between workers (bytes moved).
# (No GIL-holding pure-Python workload runs distributed in quick: C3's bag workloads read no cluster.)
LAYOUT_SAMPLE = ("delayed-null", "array-transcendental", "array-matmul")


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
    layout_workloads
        Where the distributed layouts (:func:`layouts`: N×1, 1×N, Dask's own split) are swept:
        ``"all"`` (every workload that runs under distributed: ``default``, ``full``), or
        the workloads named (``quick``: :data:`LAYOUT_SAMPLE`, what its budget allows; ``()``:
        none).  Only the tuned reading (the kept cluster) is swept; ``distributed-Nx1`` stays
        the base spec every comparison reads.
    shipped_kinds, shipped_claims
        The kinds also measured as Dask ships them (``processes-N-shipped``: a pool
        started per compute; ``distributed-NxT-shipped``: a cluster started per
        compute), beside the tuned reading every profile measures; and, in a lean
        profile, the claims whose workloads get them (``None``: every workload).
        A user's own workloads (no claims) get them wherever the kind runs.
    shipped_as_default
        In a lean profile, measure an as-shipped reading only where its kind is the
        collection's Dask default (:data:`~runners.records.kinds.DEFAULT_SCHEDULER`:
        processes for bags) -- the one as-shipped figure C12 and the recommendations
        cannot do without.  Elsewhere the tuned reading answers "could another
        scheduler beat the default?" at least as well: a pool started per compute is
        never faster than the kept one.  ``quick`` and ``default``: processes as
        shipped on C12's bag workloads; ``full``: both kinds everywhere.
    overhead_repeats
        Interleaved instrumented/bare pairs for the instrumentation-overhead figure.
    overhead_max_repeats
        Up to this many, while the figure's interval is wider than the overhead control asks
        (:mod:`runners.overhead`; None: four times ``overhead_repeats``).  ``quick``: 15, three
        times the minimum.  Five rounds (15 pairs) gave it intervals of ±5–12 % and, over 15
        quick runs of two evenings here, estimates from 0.93 to 1.085 (mean 1.03, sd 0.04).  With
        up to 15 rounds (27–36 pairs) four runs read 1.029–1.084, their intervals ±4–7 %: on
        ``threads-2`` the GIL samplers cost quick's short computes 5–13 %.  A round of its three
        workloads costs ~0.45 s: ten more cost ~4.5 s of the 180.
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
    stream_pages
        Which task-stream pages the report draws (meta.json ``stream_pages``): ``"all"``, or
        ``"chosen"``: each workload's fastest spec and Dask's default
        (:func:`reports.streampages.chosen`).  Every stream is stored either way.
    """

    name: str
    repeats: int
    timeout_s: float
    full_sweep: bool
    layout_workloads: Literal["all"] | tuple[str, ...]
    overhead_repeats: int
    overhead_max_repeats: int | None = None
    lean: bool = False
    c12_everywhere: bool = True
    max_repeats: int = 15
    budget_s: float = 20.0
    run_budget_s: float | None = None
    claim_max_repeats: int | None = None
    claim_extra_s: float | None = None
    plain_check: str = "all"
    stream_pages: str = "all"
    plain_repeats: int = 4
    sweep_claims: tuple[str, ...] | None = None  # sweep only the workloads of these claims (None: every sweep)
    shipped_kinds: tuple[str, ...] = ("processes", "distributed")
    shipped_claims: tuple[str, ...] | None = None
    shipped_as_default: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.layout_workloads, str) and self.layout_workloads != "all":
            raise ValueError(f"layout_workloads must be 'all' or a tuple of workload names; "
                             f"got {self.layout_workloads!r}")

    def specs(self, cores: int) -> list[SchedulerSpec]:
        """The base specs on a machine with *cores* cores: each kind tuned, then the as-shipped readings."""
        tuned = [
            SchedulerSpec("sync"),
            SchedulerSpec("threads", workers=cores),
            SchedulerSpec("processes", workers=cores),
            SchedulerSpec("distributed", workers=cores, threads_per_worker=1),
        ]
        return tuned + [s.shipped for s in tuned if s.kind in self.shipped_kinds]

    def ships(self, claims: Sequence[str], collection: str | None = None, kind: str | None = None) -> bool:
        """Is the as-shipped reading of *kind* measured for a workload of *claims* and *collection*?

        A lean profile's choice (see ``shipped_claims`` and ``shipped_as_default``); a user's own
        workload (no claims) always gets it.

        >>> q = PROFILES["quick"]
        >>> q.ships(("C12",), "bag", "processes"), q.ships(("C12",), "array", "processes"), q.ships(())
        (True, False, True)
        """
        if not claims:
            return True
        if self.shipped_claims is not None and not set(claims) & set(self.shipped_claims):
            return False
        return not self.shipped_as_default or DEFAULT_SCHEDULER.get(collection or "") == kind

    def sweeps_layouts(self, workload: str) -> bool:
        """Are the distributed layouts swept for *workload* (where it runs under distributed)?"""
        return self.layout_workloads == "all" or workload in self.layout_workloads

    def layout_specs(self, cores: int) -> list[SchedulerSpec]:
        """The layouts of *cores* cores beyond the base ``distributed-Nx1``: tuned (kept) clusters only."""
        return [SchedulerSpec("distributed", workers=w, threads_per_worker=t)
                for w, t in layouts(cores) if (w, t) != (cores, 1)]

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
    "quick": Profile("quick", repeats=5, timeout_s=60, full_sweep=False, layout_workloads=LAYOUT_SAMPLE,
                     overhead_repeats=5, overhead_max_repeats=15,
                     lean=True, c12_everywhere=False, max_repeats=10, budget_s=2.2, plain_check="sample",
                     claim_max_repeats=25, claim_extra_s=4.5, run_budget_s=180.0,
                     sweep_claims=("C4",), shipped_kinds=("processes",), shipped_claims=("C12",),
                     shipped_as_default=True, stream_pages="chosen"),
    "default": Profile("default", repeats=5, timeout_s=300, full_sweep=True, layout_workloads="all",
                       overhead_repeats=7,
                       lean=True, c12_everywhere=False, max_repeats=8, budget_s=5.0, plain_check="wide",
                       claim_max_repeats=16, claim_extra_s=4.0, run_budget_s=900.0, shipped_claims=("C12",),
                       shipped_as_default=True),
    "full": Profile("full", repeats=7, timeout_s=900, full_sweep=True, layout_workloads="all", overhead_repeats=11,
                    max_repeats=30, budget_s=90.0),
}
