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
import time
from contextlib import ExitStack
from typing import Mapping

from reports.intervals import paired_t
from runners.measure import Instruments
from runners.plan import Plan, seeded_shuffle
from runners.profiles import cores
from runners.progress import Steps
from runners.records.kinds import DEFAULT_SCHEDULER, SchedulerSpec, in_process
from runners.repeats import Repeats
from runners.schedulers import Scheduler, for_spec

__all__ = ["run_controls", "run_overhead", "run_aa", "overhead_workloads", "precise", "PRECISION", "CAP", "SHARE",
           "OVERHEAD_WORKLOADS", "AA_WORKLOAD"]

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
    """Instrumented vs bare computes of each overhead workload on its collection's default scheduler, in
    interleaved rounds over all of them, until the pooled paired interval (the figure the reports print) is
    within :data:`PRECISION` of its estimate: at least ``overhead_repeats`` rounds, at most the profile's
    ``overhead_max_repeats`` (else :data:`CAP` times the minimum) and no more than :data:`SHARE` of the run's
    budget (the claims' leftover rounds come after).

    ``sync`` and ``threads`` keep their instruments in this process, per compute: both modes run on *one*
    scheduler, so the figure is the instruments' cost alone.  Two thread pools of one spec differed by up
    to 20 % here (array-transcendental, default size, threads-2: 0.440 s against 0.367 s bare on each,
    12 interleaved rounds), and which pool was the slow one changed between runs — the default run's
    control read 0.952 [0.898-1.01] and 1.067 [1.00-1.14] from that alone.  Pools of processes and
    clusters are started with and without the workers' instruments, so there it is two schedulers.
    Stopping on the interval's width (never on its estimate) leaves the estimate unbiased.
    """
    reps = plan.profile.overhead_repeats
    specs = {nm: SchedulerSpec(DEFAULT_SCHEDULER.get(plan.workloads[nm].collection, "threads"), workers=cores())
             for nm in overhead_workloads(plan)}
    todo = [nm for nm, s in specs.items() if any(done.get((nm, s.label, m, "overhead"), 0) < reps for m in MODES)]
    if not todo:
        return
    steps(steps.total - 1, "instrumentation overhead: " + ", ".join(f"{nm} on {specs[nm].label}" for nm in todo))
    with ExitStack() as stack:
        pools: dict[str, tuple[Scheduler, Scheduler]] = {}
        for nm in todo:
            s = specs[nm]
            if s.label not in pools:
                on = stack.enter_context(for_spec(s, dashboard=False))
                # sync/threads: the instruments are per compute, so bare runs on the same pool
                off = on if in_process(s.kind) else stack.enter_context(
                    for_spec(s, instrumented=False, dashboard=False))
                pools[s.label] = (on, off)
        for nm in todo:  # warm-ups
            on, off = pools[specs[nm].label]
            repeats.once(on, plan.workloads[nm], plan.instruments)
            repeats.once(off, plan.workloads[nm], Instruments.none())
        logs: list[float] = []
        t0 = time.perf_counter()
        extra = SHARE * plan.profile.run_budget_s if plan.profile.run_budget_s else math.inf
        cap = plan.profile.overhead_max_repeats or CAP * reps
        for rep in range(max(reps, cap)):
            if rep >= reps and (time.perf_counter() - t0) * (rep + 1) / rep > extra:
                break  # one more round would take the rounds past their share of the run's budget
            for nm in todo:
                pair = list(zip(MODES, pools[specs[nm].label]))
                seeded_shuffle(pair, plan.order_seed, nm + "/overhead", repeats.session, rep)
                walls = {mode: repeats.timed(pool, plan.workloads[nm], rep, rep, mode=mode, control="overhead")[1]
                         for mode, pool in pair}
                if walls["instrumented"] and walls["bare"]:
                    logs.append(math.log(walls["instrumented"] / walls["bare"]))
            if rep + 1 >= reps and precise(logs):
                break


MODES = ("instrumented", "bare")
PRECISION = 0.03  # the overhead rounds stop once their 95 % interval is within +-3 % of its estimate
CAP = 4  # ... or at four times the profile's overhead_repeats,
SHARE = 0.05  # ... or when the rounds (past the minimum) would pass this share of the run's budget (default: 45 s)


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
