"""The run's controls and experiments: what is measured besides the workloads.

* Experiments (:mod:`runners.experiments`): raw threads timed directly (the convoy of C13).
* The instrumentation-overhead control: each overhead workload on its
  collection's default scheduler, in an instrumented and a bare pool,
  interleaved in a seeded random order, at the run's sizes.
* The A/A control: one spec measured as two interleaved blocks; any
  difference between them is the machine's noise.

Both functions take the measuring runner of :mod:`runners.run` (its pools,
rows and progress display).
"""
from __future__ import annotations

import traceback as tb
from typing import Any

from runners import records
from runners.measure import Instruments
from runners.plan import seeded_shuffle
from runners.pools import open_pool
from runners.profiles import cores
from runners.records import RunRecord
from runners.spec import DEFAULT_SCHEDULER, SchedulerSpec

__all__ = ["run_experiments", "run_controls", "OVERHEAD_WORKLOADS", "AA_WORKLOAD"]

# The overhead and A/A controls use these when selected, else the first selected workloads.
OVERHEAD_WORKLOADS = ("array-transcendental", "df-groupby", "bag-json")
AA_WORKLOAD = "array-transcendental"


def run_experiments(r: Any) -> None:
    if not r.plan.experiments:
        return
    from runners.experiments import EXPERIMENTS

    for name in r.plan.experiments:
        exp = EXPERIMENTS[name]
        if any(k[0] == name or k[0].startswith(name) for k in r.done):
            continue
        r._step(len(r.plan.schedule()) + r.plan.experiments.index(name) + 1, r.steps(),
                   f"experiment {name}")
        try:
            rows = exp.run(r.plan.profile.name, max(r.plan.min_repeats, r.plan.profile.repeats))
        except Exception as e:
            rows = [{"workload": name, "scheduler": "threads-1", "repeat": 0, "status": "error",
                     "error_type": type(e).__name__, "error": str(e), "traceback": tb.format_exc(limit=20),
                     "claims": list(exp.claims), "collection": "experiment"}]
        records.append(r.dir / records.ROWS, [RunRecord(run_id=r.run_id, session=r.session, **r) for r in rows])

def run_controls(r: Any) -> None:
    """Instrumentation overhead (instrumented vs bare pools, interleaved) and the A/A control."""
    if not r.plan.controls:
        return
    n = cores()
    names = [x for x in OVERHEAD_WORKLOADS if x in r.plan.workloads] or list(r.plan.workloads)[:1]
    if not names:
        return
    reps = r.plan.profile.overhead_repeats
    # Each workload on its collection's default scheduler (what users get), at the
    # run's sizes; the pairs are interleaved in random order and the figure carries
    # its interval, so a quick run says how much (or how little) it could resolve.
    by_kind: dict[str, list[str]] = {}
    for nm in names:
        by_kind.setdefault(DEFAULT_SCHEDULER.get(r.plan.workloads[nm].collection, "threads"), []).append(nm)
    for kind, group in by_kind.items():
        spec = SchedulerSpec(kind, workers=n)
        if all(r.done.get((nm, spec.label, m, "overhead"), 0) >= reps for nm in group for m in ("instrumented", "bare")):
            continue
        r._step(r.steps() - 1, r.steps(), f"instrumentation overhead on {spec.label} ({', '.join(group)})")
        with open_pool(spec, dashboard=False) as on_pool, open_pool(spec, instrumented=False, dashboard=False) as off_pool:
            for nm in group:
                w = r.plan.workloads[nm]
                pair = [("instrumented", on_pool), ("bare", off_pool)]
                for p in pair:
                    r._once(p[1], w, r.plan.instruments if p[0] == "instrumented" else Instruments.none())
                for r in range(reps):
                    seeded_shuffle(pair, r.plan.seed, nm + "/overhead", r.session, r)
                    for mode, pool in pair:
                        r._timed(pool, w, r, r, mode=mode, control="overhead")
    aa = AA_WORKLOAD if AA_WORKLOAD in r.plan.workloads else names[0]
    spec = SchedulerSpec("threads", workers=n)
    if any(r.done.get((aa, spec.label, "instrumented", c), 0) < r.plan.min_repeats for c in ("A", "B")):
        r._step(r.steps(), r.steps(), f"A/A control: {aa} on {spec.label}, two interleaved blocks")
        w = r.plan.workloads[aa]
        with open_pool(spec, dashboard=False) as pool:
            r._once(pool, w, r.plan.instruments)
            blocks = ["A", "B"]
            for r in range(max(r.plan.min_repeats, reps)):
                seeded_shuffle(blocks, r.plan.seed, aa + "/aa", r.session, r)
                for c in blocks:
                    r._timed(pool, w, r, r, control=c)
