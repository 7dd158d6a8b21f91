"""The measurement loop: every workload under its specs, interleaved, rows appended as measured.

Order: workload by workload (workloads that share an ``interleave`` key
together).  The pools of every spec a workload runs under are open together
(each started once, timed, and closed when no later workload needs it).  Per
workload: one warm-up per spec (``sync`` first: its result is the reference
every other spec is checked against; under a time budget, ``sync``'s alone when
one compute is long: :meth:`Runner.long_compute`), then rounds, each visiting every spec
once in a seeded random order (ABCD, CADB, ...), so the two sides of every
ratio are measured seconds apart and a noisy neighbour's drift falls on all
specs alike.  Past the profile's minimum, rounds continue while
:attr:`Plan.decide` (the comparisons the verdicts and the recommendation read)
reports an undecided pair, up to a cap in repeats and seconds (see
:mod:`runners.rounds`); why the rounds stopped is stored in ``rounds.jsonl``.  A sample of
workloads is then timed bare here, interleaved with plain ``dask.compute`` in
a fresh interpreter (:mod:`runners.harness_check`).  Then the raw-thread
experiments (:mod:`runners.experiments`), the instrumentation-overhead control
(instrumented vs bare pools, interleaved) and the A/A control (two interleaved
blocks of one spec; :mod:`runners.overhead`).

What one repeat does (build, compute, check, store) is :mod:`runners.repeats`;
where its row goes, :mod:`runners.rows`; each scheduler kind's start, compute
and instruments, :mod:`runners.schedulers`.

A crash or Ctrl-C keeps every finished row; :func:`execute` with an existing
run folder (``--resume``) continues: the repeats it holds count, a pair
continued is warmed up again, and failed pairs are retried (their old rows are
kept, superseded by the new session's).
"""
from __future__ import annotations

import time
import traceback as tb
from pathlib import Path
from typing import Callable

from runners import records
from runners.budget import Budget, answer_scale
from runners.experiments import run_experiments
from runners.harness_check import HarnessCheck
from runners.interference import Watch
from runners.measure import stop_knocker
from runners.openpools import OpenPools
from runners.overhead import run_controls
from runners.plan import Plan, done_keys, prior_work, seeded_shuffle
from runners.profiles import cores
from runners.progress import Say, Steps
from runners.records.kinds import SchedulerSpec, is_serial
from runners.repeats import Repeats
from runners.revisit import revisit
from runners.rounds import Rounds, run_rounds
from runners.rows import Rows
from runners.schedulers import Scheduler
from workloads.base import Workload

# Under a time budget, a sync warm-up longer than this share of it means the other schedulers are not warmed up
WARM_SHARE = 0.05

__all__ = ["execute", "Runner", "Schedule"]

Schedule = list[tuple[Workload, list[SchedulerSpec]]]  # (workload, the specs it runs under), in run order


class Runner:
    """One session's measurement of a plan: its schedulers, repeats, rows, budget and progress.

    See the module docstring; :meth:`run` does it all, :func:`execute` is the way in.
    """

    def __init__(self, run_dir: Path, run_id: str, plan: Plan, say: Say):
        self.plan, self.say = plan, say
        self.prior = prior_work(run_dir)  # what earlier sessions of this folder measured (--resume)
        self.done = done_keys(run_dir)
        self.rows = Rows(run_dir, run_id, self.prior.session, plan.profile.name)
        self.pools = OpenPools(run_dir, run_id, say, dashboard=plan.dashboard, upload=plan.plugin_files,
                               security=plan.security)
        self.repeats = Repeats(plan, self.rows, self.pools, say)
        self.harness = HarnessCheck(plan, self.repeats)
        # Items of work the progress display counts: workloads, experiments, the two controls.
        self.steps = Steps(say, len(plan.schedule()) + len(plan.experiments) + (2 if plan.controls else 0))
        self.budget = Budget(None if plan.fixed else (plan.time_budget_s or plan.profile.run_budget_s))
        # The whole answer's deadline (compare(), a user's --workloads): no round starts past it.
        self.deadline = None if plan.time_budget_s is None else time.perf_counter() + plan.time_budget_s
        self.sync_warm_s: dict[str, float] = {}  # workload -> seconds its sync warm-up took (see long_compute)
        self.said_long: set[str] = set()
        self.groups: list[tuple[Schedule, list[Rounds]]] = []  # every group measured, with its rounds (revisit)
        # What competes for the CPU, round by round (an idle reading first: the machine before we load it).
        self.watch = Watch(self.rows.interference, load=plan.load)

    def run(self) -> None:
        """The workloads, then the experiments and the controls, then the leftover budget on the claim questions a
        time cap left open (:mod:`runners.revisit`); this process's GIL samplers stopped at the end."""
        try:
            if self.plan.worker_imports:
                self.worker_imports()
            self.pooled(self.run_workloads)
            run_experiments(self.plan, self.rows, self.done, self.steps)
            run_controls(self.plan, self.repeats, self.done, self.steps)
            self.pooled(lambda: revisit(self, self.groups))
        finally:
            stop_knocker()

    def worker_imports(self) -> None:
        """What each workload's fresh workers import, timed before any repeat (fresh interpreters, as many at
        once as this process has cores: nothing else runs yet); a workload that cannot be built is left to its
        turn, which records why."""
        work = []
        for w, _ in self.plan.schedule():
            if not self.prior.finished.get(w.name):
                try:
                    work.append((w.name, self.repeats.build(w).objs))
                except Exception:
                    continue
        t0 = time.perf_counter()
        n = self.repeats.imports.measure_all(work, parallel=cores())
        self.say(f"what the workers of {len(work)} workload(s) import: {n} module set(s) timed in fresh interpreters "
                 f"in {time.perf_counter() - t0:.1f} s")

    def pooled(self, work: Callable[[], None]) -> None:
        """Run *work*; every scheduler closed (and its stop recorded) however it ends."""
        status, error = "ok", ""
        try:
            work()
        except BaseException as e:
            status, error = (("interrupted", "interrupted") if isinstance(e, KeyboardInterrupt)
                             else ("error", f"{type(e).__name__}: {e}"))
            raise
        finally:
            self.pools.close(status=status, error=error)
            self.harness.close()

    def run_workloads(self) -> None:
        """Every workload group of the schedule."""
        schedule = self.plan.schedule()
        i = 0
        while i < len(schedule):
            # Workloads that share an interleave key (adjacent in the schedule) are measured together.
            key = schedule[i][0].interleave
            j = i + 1
            while key and j < len(schedule) and schedule[j][0].interleave == key:
                j += 1
            # Schedulers no later workload needs (sweep counts) are closed as soon as they are done.
            self.pools.close(keep={s.label for _, ss in schedule[i:] for s in ss})
            self.measure_group(schedule[i:j], i + 1, groups_left(schedule, i), pairs_left(schedule, i))
            i = j

    def measure_group(self, group: Schedule, index: int, groups_left: int, pairs_left: int | None = None) -> None:
        """Warm-up per (workload, spec), then rounds over all of them (see :mod:`runners.rounds`).

        *index* numbers the group's first workload for the progress display; *groups_left*
        (this one included) and *pairs_left*, their (workload, scheduler) pairs, are what the run's budget
        plans for.
        """
        t0 = time.perf_counter()
        states: list[Rounds] = []
        for j, (w, specs) in enumerate(group):
            if self.prior.finished.get(w.name):
                continue
            try:
                self.repeats.build(w)
            except Exception as e:
                for s in specs:
                    self.rows.store(self.rows.row(w, s, 0, status="error", error_type=type(e).__name__,
                                                  error=f"build failed: {e}", traceback=tb.format_exc(limit=20)))
                self.rows.rounds(w.name, 0, "build failed", [])
                continue
            live = self.open_for(w, specs)
            self.steps(index + j, f"{w.name}: {', '.join(live)}")
            self.warm_all(w, live)
            # Results of earlier sessions (--resume) count; their failures are retried.
            states.append(Rounds(w, live, {s.label: list(self.prior.times.get((w.name, s.label), [])) for s in specs},
                                 {s.label: list(self.prior.keys.get((w.name, s.label), [])) for s in specs},
                                 self.plan.looks))
        scale = self.budget.scale(groups_left, self.plan.budget_s + self.plan.claim_extra_s, pairs_left)
        if self.deadline is not None:  # the answer's own budget, not the profile's per-workload caps
            scale = answer_scale(self.deadline - time.perf_counter(), groups_left, self.plan.budget_s)
        for r in states:
            r.scale = scale
        run_rounds(self.repeats, states, watch=self.watch, deadline=self.deadline)
        specs_of_workload = {w.name: specs for w, specs in group}
        self.groups.append(([(r.w, specs_of_workload[r.w.name]) for r in states], states))
        for r in states:
            self.rows.rounds(r.w.name, r.rnd, r.stop or "no spec left", r.open, r.bursts, round(r.scale, 3),
                             preparation=self.repeats.build(r.w).preparation,
                             dropped=r.dropped, looks=r.own_looks)
            for label, why in r.dropped.items():
                self.say(f"  {r.w.name}: {label} no longer measured, {why}")
            if r.stop == "time budget":
                self.say(f"  {r.w.name}: time budget of {self.plan.time_budget_s:g} s spent; still open: "
                         + ("; ".join(r.open[:4]) or "nothing"))
            pools = [p for p in map(self.pools.get, r.live) if p is not None]
            if self.plan.plain_check(r.w):
                self.harness.run(r.w, [p for p in pools if self.plan.plain_checked(r.w, p.spec)])
            for pool in pools:
                self.performance_report(pool, r.w)
        # The group's fixed cost: all but its adaptive rounds (each workload's own pairs past the minimum)
        adaptive = sum(max(0.0, r.used - r.fixed_s) for r in states)
        pairs = sum(len(specs) for _, specs in group)
        offered = (self.plan.budget_s + self.plan.claim_extra_s) * scale * len(states)
        self.budget.done(time.perf_counter() - t0 - adaptive, pairs, adaptive, offered)
        warning = self.budget.warning(self.plan.profile.name, groups_left - 1,
                                      None if pairs_left is None else max(0, pairs_left - pairs))
        if warning:
            self.say(warning)

    def open_for(self, w: Workload, specs: list[SchedulerSpec]) -> dict[str, Scheduler]:
        """The schedulers of *specs* by label, started as needed; one that cannot start is recorded as such."""
        live: dict[str, Scheduler] = {}
        for s in specs:
            pool = self.pools.get_or_start(s)
            if pool is None and s.label in self.pools.unavailable:
                self.rows.store(self.rows.row(w, s, 0, status="skipped", error_type="SchedulerUnavailable",
                                              error=self.pools.unavailable[s.label]))
            elif pool is None:
                self.rows.store(self.rows.row(w, s, 0, status="error", error_type="SchedulerFailedToStart",
                                              error="scheduler failed to start"))
            else:
                live[s.label] = pool
        return live

    def warm_all(self, w: Workload, live: dict[str, Scheduler]) -> None:
        """One warm-up per spec, ``sync`` first (its result is the reference); failures leave *live*.

        Not for the as-shipped readings: each of their computes starts its pool or cluster afresh,
        so a warm-up would warm nothing of theirs (the first timed round is checked for a transient
        like every other), and their first repeat's result is still checked against ``sync``'s.
        """
        order = list(live)
        seeded_shuffle(order, self.plan.order_seed, w.name, self.rows.session, -1)
        order.sort(key=lambda label: not is_serial(live[label].spec.kind))  # stable: the rest stay shuffled
        for label in order:
            if live[label].spec.as_shipped:
                continue  # every compute starts its pool afresh: there is nothing to warm, and it costs a compute
            if not is_serial(live[label].spec.kind) and self.long_compute(w):
                continue
            t0 = time.perf_counter()
            failed = self.repeats.warm(self.pools.get(label) or live[label], w)
            if failed and failed.error_type != "RepeatTimeout" and not is_serial(live[label].spec.kind):
                # Once more, on a fresh pool: a worker lost or a port taken is not the workload's failure.  The
                # first failure stays on record (a control row: it reads as no repeat of the table's).
                spec = live[label].spec
                self.rows.store(self.rows.row(w, spec, 0, label=label, status="error", control="warm-up",
                                              error_type=failed.error_type, error=failed.error,
                                              traceback=failed.traceback))
                self.say(f"  {w.name} on {label}: {failed.error_type}: {failed.error[:200]}; trying a fresh {spec.kind} "
                         "pool once more")
                fresh = self.pools.restart(self.pools.get(label) or live[label], why="a failed warm-up")
                if fresh is not None:
                    live[label] = fresh
                    failed = self.repeats.warm(fresh, w)
                    if not failed:
                        self.say(f"  {w.name} on {label}: the second warm-up went through")
            if is_serial(live[label].spec.kind) and not failed:
                self.sync_warm_s[w.name] = time.perf_counter() - t0
            if failed:
                spec = live.pop(label).spec
                status = "timeout" if failed.error_type == "RepeatTimeout" else "error"
                self.rows.store(self.rows.row(w, spec, 0, status=status, error_type=failed.error_type,
                                              error=failed.error, traceback=failed.traceback))
                self.say(f"  {w.name} on {label}: {failed.error_type}: {failed.error[:200]}")

    def long_compute(self, w: Workload) -> bool:
        """Under a time budget (``compare()``, a user's ``--workloads``): is one compute of *w* long enough
        that warming the other schedulers up would spend the budget?

        True when its ``sync`` warm-up took more than :data:`WARM_SHARE` of the budget (3 s of
        ``compare()``'s 60): a pool's first-call costs (a worker's imports, ~1 s here) are then small
        beside a compute, a warm-up per scheduler would cost as much as a round (5 000 tiny delayed tasks:
        42 s of warm-ups on 2 cores), and the first timed round is checked for a transient like any
        other (``transient`` in the table).  Said once per workload.
        """
        budget, took = self.plan.time_budget_s, self.sync_warm_s.get(w.name)
        if self.deadline is None or not budget or took is None or took <= WARM_SHARE * budget:
            return False
        if w.name not in self.said_long:
            self.said_long.add(w.name)
            self.say(f"  {w.name}: one compute takes {took:.1f} s under sync, over {WARM_SHARE:.0%} of the "
                     f"{budget:g}-s budget: the other schedulers start without a warm-up (their first round is "
                     "checked for a transient)")
        return True

    def performance_report(self, pool: Scheduler, w: Workload) -> None:
        """Dask's own performance report of one more compute of *w*, saved beside the results, where *pool* has one.

        Not past a time budget's deadline: it is one more compute, and a nicety."""
        if self.deadline is not None and time.perf_counter() > self.deadline:
            return
        folder = self.rows.dir / "perf"
        path = folder / f"{records.slug(w.name)}__{records.slug(pool.label)}.html"
        if path.exists():
            return
        profile = self.plan.profile
        if profile.lean and not profile.c12_everywhere and any(folder.glob(f"*__{records.slug(pool.label)}.html")):
            return  # a lean profile keeps one report per cluster
        try:
            self.pools.focus(pool)
            page = pool.performance_report(self.repeats.build(w).objs)
            if page is not None:
                records.write_file_safely(self.rows.dir, str(path.relative_to(self.rows.dir)), page)
        except Exception as e:  # a report is a nicety; never lose the run for it
            self.say(f"  performance_report for {w.name} failed: {type(e).__name__}: {e}")


def groups_left(schedule: Schedule, i: int) -> int:
    """Workload groups (an interleave key counts once) from position *i* of *schedule* on, that one included.

    >>> from types import SimpleNamespace as W
    >>> groups_left([(W(name="a", interleave="k"), []), (W(name="b", interleave="k"), []),
    ...              (W(name="c", interleave=""), [])], 0)
    2
    """
    keys = [w.interleave or w.name for w, _ in schedule[i:]]
    return len(dict.fromkeys(keys))


def pairs_left(schedule: Schedule, i: int) -> int:
    """(workload, scheduler) pairs from position *i* of *schedule* on, that one included.

    >>> from types import SimpleNamespace as W
    >>> pairs_left([(W(name="a"), ["sync", "threads-2"]), (W(name="b"), ["sync"])], 0)
    3
    """
    return sum(len(specs) for _, specs in schedule[i:])


def execute(run_dir: Path, run_id: str, plan: Plan, progress: Say = lambda s: None) -> None:
    """Measure *plan* into *run_dir*, continuing what it already holds; *progress* hears what happens."""
    Runner(run_dir, run_id, plan, progress).run()
