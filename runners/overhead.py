"""The controls that measure the harness itself: its instrumentation's overhead, and the machine's noise.

* The instrumentation-overhead control: each overhead workload on its
  collection's default scheduler, instrumented and bare computes interleaved
  in a seeded random order, at the run's sizes, until the paired interval is
  narrow (rows with ``control="overhead"``, ``mode`` instrumented or bare).
* The A/A control: one spec measured as two interleaved blocks (``control``
  ``"A"`` and ``"B"``); any difference between them is the machine's noise.

Both come last in a run and are skipped where a resumed run already holds them.
:mod:`reports.controls` reads them back.
"""
from __future__ import annotations

import math
from contextlib import ExitStack
from typing import Mapping

from runners.measure import Instruments
from runners.plan import Plan, seeded_shuffle
from runners.profiles import cores
from runners.progress import Steps
from reports.intervals import paired_t
from runners.records.kinds import DEFAULT_SCHEDULER, SchedulerSpec, in_process
from runners.repeats import Repeats
from runners.schedulers import for_spec

__all__ = ["run_controls", "run_overhead", "run_aa", "overhead_workloads", "precise", "PRECISION", "CAP", "OVERHEAD_WORKLOADS", "AA_WORKLOAD"]

# The overhead and A/A controls use these when selected, else the first selected workloads.
OVERHEAD_WORKLOADS = ("array-transcendental", "df-groupby", "bag-json")
AA_WORKLOAD = "array-transcendental"

Done = Mapping[tuple, int]  # (workload, scheduler, mode, control) -> repeats the results folder holds


def overhead_workloads(plan: Plan) -> list[str]:
    """The workloads the controls measure: the overhead ones selected, else the first selected workload."""
    return [x for x in OVERHEAD_WORKLOADS if x in plan.workloads] or list(plan.workloads)[:1]


def run_controls(plan: Plan, repeats: Repeats, done: Done, steps: Steps) -> None:
    """Instrumentation overhead (steps ``total - 1``) and the A/A control (step ``total``), when the plan asks."""
    if plan.controls and overhead_workloads(plan):
        run_overhead(plan, repeats, done, steps)
        run_aa(plan, repeats, done, steps)


def run_overhead(plan: Plan, repeats: Repeats, done: Done, steps: Steps) -> None:
    """Instrumented vs bare computes of the same spec, interleaved, per overhead workload, until the group's
    paired interval is :data:`PRECISION` wide (at least ``overhead_repeats`` rounds, at most :data:`CAP` times that).

    ``sync`` and ``threads`` keep their instruments in this process, per compute: both modes run on *one*
    scheduler, so the figure is the instruments' cost alone.  Two thread pools of one spec differed by up
    to 20 % here (array-transcendental, default size, threads-2: 0.440 s against 0.367 s bare on each,
    12 interleaved rounds), and which pool was the slow one changed between runs — the default run's
    control read 0.952 [0.898-1.01] and 1.067 [1.00-1.14] from that alone.  Pools of processes and
    clusters are started with and without the workers' instruments, so there it is two schedulers.
    Stopping on the interval's width (never on its estimate) leaves the estimate unbiased.
    """
    reps = plan.profile.overhead_repeats
    by_kind: dict[str, list[str]] = {}
    for nm in overhead_workloads(plan):
        by_kind.setdefault(DEFAULT_SCHEDULER.get(plan.workloads[nm].collection, "threads"), []).append(nm)
    for kind, group in by_kind.items():
        spec = SchedulerSpec(kind, workers=cores())
        if all(done.get((nm, spec.label, m, "overhead"), 0) >= reps for nm in group for m in ("instrumented", "bare")):
            continue
        steps(steps.total - 1, f"instrumentation overhead on {spec.label} ({', '.join(group)})")
        with ExitStack() as stack:
            on = stack.enter_context(for_spec(spec, dashboard=False))
            off = on if in_process(spec.kind) else stack.enter_context(for_spec(spec, instrumented=False,
                                                                                  dashboard=False))
            for nm in group:  # warm-ups
                repeats.once(on, plan.workloads[nm], plan.instruments)
                repeats.once(off, plan.workloads[nm], Instruments.none())
            logs: list[float] = []
            for rep in range(CAP * reps):
                for nm in group:
                    w = plan.workloads[nm]
                    pair = [("instrumented", on), ("bare", off)]
                    seeded_shuffle(pair, plan.order_seed, nm + "/overhead", repeats.session, rep)
                    walls = {mode: repeats.timed(pool, w, rep, rep, mode=mode, control="overhead")[1]
                             for mode, pool in pair}
                    if walls["instrumented"] and walls["bare"]:
                        logs.append(math.log(walls["instrumented"] / walls["bare"]))
                if rep + 1 >= reps and precise(logs):
                    break


PRECISION = 0.025  # the overhead rounds stop once their 95 % interval is within +-2.5 % of its estimate
CAP = 4  # ... or at four times the profile's overhead_repeats


def precise(logs: list[float]) -> bool:
    """Whether the paired interval of the log ratios *logs* is within :data:`PRECISION` of its estimate.

    >>> precise([0.01, 0.012, 0.009, 0.011, 0.01]), precise([0.1, -0.1, 0.05, -0.05, 0.0])
    (True, False)
    """
    est, lo, hi = paired_t(logs)
    return math.isfinite(lo) and max(est - lo, hi - est) <= math.log1p(PRECISION)


def run_aa(plan: Plan, repeats: Repeats, done: Done, steps: Steps) -> None:
    """One workload on ``threads`` at the machine's cores, as two interleaved blocks A and B."""
    aa = AA_WORKLOAD if AA_WORKLOAD in plan.workloads else overhead_workloads(plan)[0]
    spec = SchedulerSpec("threads", workers=cores())
    if all(done.get((aa, spec.label, "instrumented", c), 0) >= plan.min_repeats for c in ("A", "B")):
        return
    steps(steps.total, f"A/A control: {aa} on {spec.label}, two interleaved blocks")
    w = plan.workloads[aa]
    with for_spec(spec, dashboard=False) as pool:
        repeats.once(pool, w, plan.instruments)
        blocks = ["A", "B"]
        for rep in range(max(plan.min_repeats, plan.profile.overhead_repeats)):
            seeded_shuffle(blocks, plan.order_seed, aa + "/aa", repeats.session, rep)
            for block in blocks:
                repeats.timed(pool, w, rep, rep, control=block)
