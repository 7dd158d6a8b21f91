"""The controls that measure the harness itself: its instrumentation's overhead, and the machine's noise.

* The instrumentation-overhead control: each overhead workload on its
  collection's default scheduler, in an instrumented and a bare scheduler,
  interleaved in a seeded random order, at the run's sizes (rows with
  ``control="overhead"``, ``mode`` instrumented or bare).
* The A/A control: one spec measured as two interleaved blocks (``control``
  ``"A"`` and ``"B"``); any difference between them is the machine's noise.

Both come last in a run and are skipped where a resumed run already holds them.
:mod:`reports.controls` reads them back.
"""
from __future__ import annotations

from typing import Mapping

from runners.measure import Instruments
from runners.plan import Plan, seeded_shuffle
from runners.profiles import cores
from runners.progress import Steps
from runners.records.kinds import DEFAULT_SCHEDULER, SchedulerSpec
from runners.repeats import Repeats
from runners.schedulers import for_spec

__all__ = ["run_controls", "run_overhead", "run_aa", "overhead_workloads", "OVERHEAD_WORKLOADS", "AA_WORKLOAD"]

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
    """Instrumented vs bare schedulers of the same spec, interleaved, per overhead workload."""
    reps = plan.profile.overhead_repeats
    # Each workload on its collection's default scheduler (what users get), at the
    # run's sizes; the pairs are interleaved in random order and the figure carries
    # its interval, so a quick run says how much (or how little) it could resolve.
    by_kind: dict[str, list[str]] = {}
    for nm in overhead_workloads(plan):
        by_kind.setdefault(DEFAULT_SCHEDULER.get(plan.workloads[nm].collection, "threads"), []).append(nm)
    for kind, group in by_kind.items():
        spec = SchedulerSpec(kind, workers=cores())
        if all(done.get((nm, spec.label, m, "overhead"), 0) >= reps for nm in group for m in ("instrumented", "bare")):
            continue
        steps(steps.total - 1, f"instrumentation overhead on {spec.label} ({', '.join(group)})")
        with for_spec(spec, dashboard=False) as on, for_spec(spec, instrumented=False, dashboard=False) as off:
            for nm in group:
                w = plan.workloads[nm]
                pair = [("instrumented", on), ("bare", off)]
                repeats.once(on, w, plan.instruments)  # warm-ups
                repeats.once(off, w, Instruments.none())
                for rep in range(reps):
                    seeded_shuffle(pair, plan.order_seed, nm + "/overhead", repeats.session, rep)
                    for mode, pool in pair:
                        repeats.timed(pool, w, rep, rep, mode=mode, control="overhead")


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
