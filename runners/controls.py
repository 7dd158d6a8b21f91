"""The run's controls and experiments: what is measured besides the workloads.

* Experiments (:mod:`runners.experiments`): raw threads timed directly (the convoy of C13).
* The instrumentation-overhead control: each overhead workload on its
  collection's default scheduler, in an instrumented and a bare pool,
  interleaved in a seeded random order, at the run's sizes.
* The A/A control: one spec measured as two interleaved blocks; any
  difference between them is the machine's noise.
* Per workload, the harness against plain Dask: bare repeats here interleaved
  with plain ``dask.compute`` in a fresh interpreter (:mod:`runners.plain`);
  and for clusters, Dask's own ``performance_report`` of one more compute.

Both functions take the measuring runner of :mod:`runners.run` (its pools,
rows and progress display).
"""
from __future__ import annotations

import tempfile
import traceback as tb
from pathlib import Path
from typing import Any

from runners import records
from runners.measure import Instruments
from runners.plain import PlainChild
from runners.plan import seeded_shuffle
from runners.pools import open_pool
from runners.profiles import cores
from runners.records import RunRecord
from runners.records.kinds import DEFAULT_SCHEDULER, SchedulerSpec

__all__ = ["run_experiments", "run_controls", "plain_check", "perf_report", "OVERHEAD_WORKLOADS", "AA_WORKLOAD"]

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
        r.step(len(r.plan.schedule()) + r.plan.experiments.index(name) + 1, r.steps(), f"experiment {name}")
        try:
            rows = exp.run(r.plan.profile.name, max(r.plan.min_repeats, r.plan.profile.repeats))
        except Exception as e:
            rows = [{"workload": name, "scheduler": "threads-1", "repeat": 0, "status": "error",
                     "error_type": type(e).__name__, "error": str(e), "traceback": tb.format_exc(limit=20),
                     "claims": list(exp.claims), "collection": "experiment"}]
        records.append(r.dir / records.ROWS, [RunRecord(run_id=r.run_id, session=r.session, **x) for x in rows])


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
        r.step(r.steps() - 1, r.steps(), f"instrumentation overhead on {spec.label} ({', '.join(group)})")
        with open_pool(spec, dashboard=False) as on_pool, open_pool(spec, instrumented=False, dashboard=False) as off_pool:
            for nm in group:
                w = r.plan.workloads[nm]
                pair = [("instrumented", on_pool), ("bare", off_pool)]
                for p in pair:
                    r.once(p[1], w, r.plan.instruments if p[0] == "instrumented" else Instruments.none())
                for rep in range(reps):
                    seeded_shuffle(pair, r.plan.order_seed, nm + "/overhead", r.session, rep)
                    for mode, pool in pair:
                        r.timed(pool, w, rep, rep, mode=mode, control="overhead")
    aa = AA_WORKLOAD if AA_WORKLOAD in r.plan.workloads else names[0]
    spec = SchedulerSpec("threads", workers=n)
    if any(r.done.get((aa, spec.label, "instrumented", c), 0) < r.plan.min_repeats for c in ("A", "B")):
        r.step(r.steps(), r.steps(), f"A/A control: {aa} on {spec.label}, two interleaved blocks")
        w = r.plan.workloads[aa]
        with open_pool(spec, dashboard=False) as pool:
            r.once(pool, w, r.plan.instruments)
            blocks = ["A", "B"]
            for rep in range(max(r.plan.min_repeats, reps)):
                seeded_shuffle(blocks, r.plan.order_seed, aa + "/aa", r.session, rep)
                for block in blocks:
                    r.timed(pool, w, rep, rep, control=block)


def plain_check(r: Any, w: Any, pools: list[Any]) -> None:
    """Bare repeats here interleaved with plain ``dask.compute`` in a fresh interpreter."""
    local = [p for p in pools if p.spec.kind in ("sync", "threads", "processes")]
    if not local:
        return
    if r.plain is None:
        r.plain = PlainChild(r.plan.profile.name, r.plan.seed, r.plan.plugin_files)
    for rnd in range(r.plan.profile.plain_repeats):
        order = list(range(len(local)))
        seeded_shuffle(order, r.plan.order_seed, w.name + "/plain", r.session, rnd)
        for i in order:
            pool = local[i]
            r.timed(pool, w, rnd, rnd, mode="bare", control="plain-check")
            got = r.plain.time(w, pool.spec)
            r.store(r.make_row(w, pool.label, pool.spec, rnd, mode="plain", control="plain-check", round=rnd,
                                  status="ok" if "wall_s" in got else "error", wall_s=got.get("wall_s"),
                                  error=got.get("error", "")), None)

def perf_report(r: Any, pool: Any, w: Any) -> None:
    """Dask's own performance_report for one more compute, saved beside the results."""
    if pool.spec.kind != "distributed" or pool.client is None:
        return
    path = r.dir / "perf" / f"{records.slug(w.name)}__{records.slug(pool.label)}.html"
    if path.exists():
        return
    if (r.plan.profile.lean and not r.plan.profile.c12_everywhere
            and any((r.dir / "perf").glob(f"*__{records.slug(pool.label)}.html"))):
        return  # a lean profile keeps one report per cluster
    try:
        from distributed import performance_report

        objs, _, _ = r.build(w)
        # Dask writes the page wherever it is told, following links: write it in a private
        # folder, then create the file in the results folder afresh.
        with tempfile.TemporaryDirectory(prefix="dask-suite-perf-") as tmp:
            page = Path(tmp) / "report.html"
            with pool.client.as_current(), performance_report(filename=str(page), mode="inline"):
                pool.compute(objs)
            records.write_file_safely(r.dir, str(path.relative_to(r.dir)), page.read_text(encoding="utf-8"))
    except Exception as e:  # a report is a nicety; never lose the run for it
        r.say(f"  performance_report for {w.name} failed: {type(e).__name__}: {e}")
