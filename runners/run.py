"""The measurement loop: every workload under its specs, interleaved, rows appended as measured.

Order: workload by workload (workloads that share an ``interleave`` key
together).  The pools of every spec a workload runs under are open together
(each started once, timed, and closed when no later workload needs it).  Per
workload: one warm-up per spec (``sync`` first: its result is the reference
every other spec is checked against), then rounds, each visiting every spec
once in a seeded random order (ABCD, CADB, ...), so the two sides of every
ratio are measured seconds apart and a noisy neighbour's drift falls on all
specs alike.  Past the profile's minimum, rounds continue while
:attr:`Plan.decide` (the comparisons the verdicts and the recommendation read)
reports an undecided pair, up to a cap in repeats and seconds (see
:mod:`runners.rounds`); why the rounds stopped is stored in ``rounds.jsonl``.  A sample of
workloads is then timed bare here, interleaved with plain ``dask.compute`` in
a fresh interpreter (:mod:`runners.plain`).  Then the raw-thread experiments,
the instrumentation-overhead control (instrumented vs bare pools,
interleaved) and the A/A control (two interleaved blocks of one spec).

A crash or Ctrl-C keeps every finished row; :func:`execute` with an existing
run folder (``--resume``) continues: the repeats it holds count, a pair
continued is warmed up again, and failed pairs are retried (their old rows are
kept, superseded by the new session's).
"""
from __future__ import annotations

import gc
import time
import traceback as tb
from functools import partial
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from runners import records
from runners.measure import Instruments, Measurement, RepeatTimeout, graph_size, measure, run_with_timeout
from runners.controls import perf_report, plain_check, run_controls, run_experiments
from runners.budget import Budget
from runners.interference import Watch
from runners.plan import Plan, done_keys, prior_work, seeded_shuffle, workload_info
from runners.rounds import Rounds, run_rounds
from runners.openpools import OpenPools
from runners.pools import Pool
from runners.records import RunRecord, TaskRecord
from runners.records.kinds import SchedulerSpec
from workloads.base import Workload

__all__ = ["execute"]


Progress = Callable[[str], None]
_WRITE_ERROR = records.WriteError  # a full or read-only disk stops the run


def _as_objs(built: Any) -> tuple[list[Any], bool]:
    if isinstance(built, (list, tuple)):
        return list(built), True
    return [built], False


def _unpack(results: Sequence[Any], is_list: bool) -> Any:
    return list(results) if is_list else results[0]


def _difference(result: Any, reference: Any) -> str:
    """The size of a disagreement, for the record: max |a - b| where that means something."""
    try:
        a = np.asarray(result, dtype=float)
        b = np.asarray(reference, dtype=float)
        if a.shape == b.shape:
            return f"max |result - reference| = {float(np.nanmax(np.abs(a - b))):.3g}"
        return f"shapes differ: {a.shape} vs {b.shape}"
    except Exception:
        return f"result {type(result).__name__} differs from reference {type(reference).__name__}"


class NoReference(Exception):
    """The sync reference of a workload could not be computed."""


class Runner:
    """One run's measurement: its pools, rows, references and progress (see the module docstring)."""

    def __init__(self, run_dir: Path, run_id: str, plan: Plan, progress: Progress):
        self.dir = run_dir
        self.run_id = run_id
        self.plan = plan
        self.say = progress
        self.prior = prior_work(run_dir)
        self.session = self.prior.session
        self.done = done_keys(run_dir)
        self.references: dict[str, Any] = {}
        self.built: dict[str, tuple[list[Any], bool, int | None]] = {}
        self.pools = OpenPools(run_dir, run_id, plan, progress)
        self.plain: Any = None  # the plain-Dask interpreter (runners.plain.PlainChild), started on first use
        self.t0 = time.perf_counter()
        self.budget = Budget(plan.profile.run_budget_s if not plan.fixed else None)
        # What competes for the CPU, round by round (an idle reading first: the machine before we load it).
        self.watch = Watch(lambda recs: records.append(self.dir / records.INTERFERENCE,
                                                      [{"session": self.session, **r} for r in recs]))

    # -- rows ---------------------------------------------------------------
    def make_row(self, w: Workload, label: str, spec: SchedulerSpec, repeat: int, size_profile: str | None = None,
             **kw: Any) -> RunRecord:
        info = workload_info(w, size_profile or self.plan.profile.name)
        return RunRecord(
            run_id=self.run_id, workload=w.name, scheduler=label, repeat=repeat,
            family=w.family, collection=w.collection, claims=list(w.claims), params=dict(w.params),
            kind=spec.kind, workers=spec.workers, threads_per_worker=spec.threads_per_worker,
            size=info["size"], input_bytes=info["input_bytes"], real_data=w.real_data, session=self.session, **kw,
        )

    def store(self, row: RunRecord, m: Measurement | None) -> None:
        records.append(self.dir / records.ROWS, [row])
        if m is not None and m.tasks:
            rows = [
                TaskRecord(
                    workload=row.workload, scheduler=row.scheduler, repeat=row.repeat,
                    key=t["key"], prefix=_prefix(t["key"]), worker=t["worker"], thread=t["thread"],
                    start=t["start"], stop=t["stop"], action=t.get("action", "compute"), nbytes=t.get("nbytes"),
                )
                for t in m.tasks
            ]
            records.append(records.tasks_path(self.dir, row.workload, row.scheduler), rows)

    # -- building and references ----------------------------------------------
    def build(self, w: Workload, profile: str | None = None) -> tuple[list[Any], bool, int | None]:
        profile = profile or self.plan.profile.name
        key = w.name if profile == self.plan.profile.name else f"{w.name}@{profile}"
        if key not in self.built:
            objs, is_list = _as_objs(w.build(w.size_for(profile), self.plan.seed))
            self.built[key] = (objs, is_list, graph_size(objs))
        return self.built[key]

    def _reference(self, w: Workload) -> Any:
        """The ``sync`` result of *w* (computed once, within the repeat time limit).

        Raises :class:`NoReference` when it cannot be had (it failed or timed out).
        """
        if w.name not in self.references:
            import dask

            objs, is_list, _ = self.build(w)
            try:
                value = run_with_timeout(lambda: dask.compute(*objs, scheduler="sync"), self.plan.timeout_s)
                self.references[w.name] = _unpack(value, is_list)
            except Exception as e:
                self.references[w.name] = NoReference(f"no sync reference: {type(e).__name__}: {e}")
        ref = self.references[w.name]
        if isinstance(ref, NoReference):
            raise ref
        return ref

    def _check(self, w: Workload, result: Any) -> tuple[bool, str]:
        try:
            reference = self._reference(w)
            ok = bool(w.check(result, reference))
            return ok, "" if ok else _difference(result, reference)
        except NoReference as e:
            return False, str(e)
        except Exception as e:
            return False, f"check raised {type(e).__name__}: {e}"

    # -- one timed compute ----------------------------------------------------
    def once(self, pool: Pool, w: Workload, ins: Instruments, size_profile: str | None = None) -> tuple[Measurement, Any]:
        """One compute of *w* on *pool*; the harness's own objects frozen out of the collector.

        ``gc.freeze()`` moves every object alive now (the harness, a
        LocalCluster's scheduler, results of earlier repeats) out of the
        collector's reach for the length of the repeat, so a full collection
        during the workload walks only the workload's own objects — as in a
        fresh interpreter — whichever specs are open beside it.
        """
        objs, is_list, _ = self.build(w, size_profile)
        gc.freeze()
        try:
            m = measure(pool, objs, ins, self.plan.timeout_s)
        finally:
            gc.unfreeze()
        return m, _unpack(m.result, is_list)

    def timed(self, pool: Pool, w: Workload, repeat: int, rnd: int, mode: str = "instrumented", control: str = "",
               size_profile: str | None = None) -> tuple[str, float | None]:
        """Measure and store one repeat; returns (status, wall) and restarts a broken pool."""
        spec, label = pool.spec, pool.label
        ins = self.plan.instruments if mode == "instrumented" else Instruments.none()
        row = partial(self.make_row, w, label, spec, repeat, size_profile=size_profile, mode=mode, control=control, round=rnd)
        try:
            m, result = self.once(pool, w, ins, size_profile)
        except RepeatTimeout as e:
            self.store(row(status="timeout", error_type="RepeatTimeout", error=str(e)), None)
            self.say(f"  {w.name} on {label}: {e}; starting a fresh {spec.kind} pool")
            self.pools.restart(pool)
            return "timeout", None
        except _WRITE_ERROR:
            raise
        except Exception as e:
            self.store(row(status="error", error_type=type(e).__name__, error=str(e)[:2000],
                            traceback=tb.format_exc(limit=30)), None)
            self.say(f"  {w.name} on {label}: {type(e).__name__}: {str(e)[:200]}")
            if spec.kind == "distributed" and not _alive(pool):
                self.pools.restart(pool)
            return "error", None
        checked = mode == "instrumented" and not control
        ok, detail = self._check(w, result) if checked else (True, "")
        gmin, gmed, gmax = m.gil_summary()
        objs_info = self.build(w, size_profile)
        self.store(row(
            wall_s=m.wall_s, status="ok" if ok else "mismatch",
            ntasks_graph=objs_info[2], ntasks_captured=(len({t["key"] for t in m.tasks}) if ins.tasks else None),
            gil=m.gil, gil_min=gmin, gil_median=gmed, gil_max=gmax, cpu_s=m.cpu_s,
            cores_used=(m.cpu_s / m.wall_s if m.cpu_s is not None and m.wall_s > 0 else None),
            peak_rss=m.peak_rss, bytes_out=m.bytes_out, bytes_in=m.bytes_in, bytes_moved=m.bytes_moved,
            check_ok=ok if checked else None, check_detail=detail, started_at=m.started_at, extra=m.extra,
        ), m if mode == "instrumented" else None)
        return ("ok" if ok else "mismatch"), m.wall_s

    def _warm(self, pool: Pool, w: Workload, size_profile: str | None = None) -> tuple[str, str, str]:
        """The untimed warm-up of (*w*, spec); under sync it gives the reference.

        Returns ``("", "", "")`` or the failure as (error type, message, traceback).
        """
        try:
            _, result = self.once(pool, w, self.plan.instruments, size_profile)
        except RepeatTimeout as e:
            self.pools.restart(pool)
            return "RepeatTimeout", f"warm-up: {e}", ""
        except Exception as e:
            if pool.spec.kind == "distributed" and not _alive(pool):
                self.pools.restart(pool)
            return type(e).__name__, f"warm-up: {str(e)[:2000]}", tb.format_exc(limit=30)
        if pool.spec.kind == "sync" and w.name not in self.references and size_profile is None:
            self.references[w.name] = result
        return "", "", ""

    # -- one workload (or an interleaved group), every spec, interleaved ----
    def measure_group(self, group: list[tuple[Workload, list[SchedulerSpec]]], index: int, total: int) -> None:
        """Warm-up per (workload, spec), then rounds over all of them (see :mod:`runners.rounds`)."""
        states: list[Rounds] = []
        self._group_t0 = time.perf_counter()
        for j, (w, specs) in enumerate(group):
            if self.prior.finished.get(w.name):
                continue
            try:
                self.build(w)
            except Exception as e:
                for s in specs:
                    self.store(self.make_row(w, s.label, s, 0, status="error", error_type=type(e).__name__,
                                          error=f"build failed: {e}", traceback=tb.format_exc(limit=20)), None)
                self._rounds_row(w, 0, "build failed", [])
                continue
            live = self._open_for(w, specs)
            self.step(index + j, total, f"{w.name}: {', '.join(live)}")
            self._warm_all(w, live)
            # Results of earlier sessions (--resume) count; their failures are retried.
            states.append(Rounds(w, live, {s.label: list(self.prior.times.get((w.name, s.label), [])) for s in specs},
                                 {s.label: list(self.prior.keys.get((w.name, s.label), [])) for s in specs},
                                 self.plan.looks))
        left = self.groups_left - 1 if hasattr(self, "groups_left") else 0
        scale = self.budget.scale(left + 1, self.plan.budget_s + self.plan.claim_extra_s)
        for r in states:
            r.scale = scale
        run_rounds(self, states)
        for r in states:
            self._rounds_row(r.w, r.rnd, r.stop or "no spec left", r.open, r.bursts, round(r.scale, 3))
            pools = [self.pools[k] for k in r.live if self.pools.get(k) is not None]
            if self.plan.plain_check(r.w):
                plain_check(self, r.w, pools)
            for pool in pools:
                if pool.spec.kind == "distributed":
                    perf_report(self, pool, r.w)
        # The group's fixed cost: all but its adaptive rounds (each workload's own pairs past the minimum)
        adaptive = sum(max(0.0, r.used - r.fixed_s) for r in states)
        self.budget.done(time.perf_counter() - self._group_t0 - adaptive)
        warning = self.budget.warning(self.plan.profile.name, left)
        if warning:
            self.say(warning)

    def _open_for(self, w: Workload, specs: list[SchedulerSpec]) -> dict[str, Pool]:
        """The pools of *specs*, started as needed; a spec that cannot start is recorded as failed."""
        live: dict[str, Pool] = {}
        for s in specs:
            pool = self.pools.get_or_start(s)
            if pool is None and s.label in self.pools.unavailable:
                self.store(self.make_row(w, s.label, s, 0, status="skipped", error_type="SchedulerUnavailable",
                                      error=self.pools.unavailable[s.label]), None)
            elif pool is None:
                self.store(self.make_row(w, s.label, s, 0, status="error", error_type="SchedulerFailedToStart",
                                      error="scheduler failed to start"), None)
            else:
                live[s.label] = pool
        return live

    def _warm_all(self, w: Workload, live: dict[str, Pool]) -> None:
        """One warm-up per spec, ``sync`` first (its result is the reference); failures leave *live*."""
        order = list(live)
        seeded_shuffle(order, self.plan.order_seed, w.name, self.session, -1)
        if "sync" in order:
            order.remove("sync")
            order.insert(0, "sync")
        for label in order:
            kind, why, trace = self._warm(self.pools.get(label) or live[label], w)
            if why:
                s = live.pop(label).spec
                status = "timeout" if kind == "RepeatTimeout" else "error"
                self.store(self.make_row(w, label, s, 0, status=status, error_type=kind, error=why, traceback=trace),
                           None)
                self.say(f"  {w.name} on {label}: {kind}: {why[:200]}")

    def _rounds_row(self, w: Workload, rounds: int, stop: str, open_: list[str], bursts: int = 0,
                    scale: float = 1.0) -> None:
        records.append(self.dir / records.ROUNDS, [{
            "run_id": self.run_id, "workload": w.name, "session": self.session, "rounds": rounds,
            "stopped": stop, "undecided": open_, "bursts": bursts, "scale": scale}])

    # -- the run -------------------------------------------------------------
    def step(self, index: int, total: int, text: str) -> None:
        step = getattr(self.say, "step", None)
        if step is not None:
            step(index, total, text)
        else:
            self.say(f"[{index}/{total}] {time.perf_counter() - self.t0:6.1f}s {text}")

    def steps(self) -> int:
        """Items of work the progress display counts: workloads, experiments, the two controls."""
        return len(self.plan.schedule()) + len(self.plan.experiments) + (2 if self.plan.controls else 0)

    def run_workloads(self) -> None:
        schedule = self.plan.schedule()
        self.total = self.steps()
        status, error = "ok", ""
        try:
            i = 0
            while i < len(schedule):
                # Workloads that share an interleave key (adjacent in the schedule) are measured together.
                key = schedule[i][0].interleave
                j = i + 1
                while key and j < len(schedule) and schedule[j][0].interleave == key:
                    j += 1
                # Pools no later workload needs (sweep counts) are closed as soon as they are done.
                later = {s.label for _, ss in schedule[i:] for s in ss}
                self.pools.close(keep=later)
                self.groups_left = _groups_left(schedule, i)
                self.measure_group(schedule[i:j], i + 1, self.total)
                i = j
        except BaseException as e:
            status, error = ("interrupted", "interrupted") if isinstance(e, KeyboardInterrupt) else ("error", f"{type(e).__name__}: {e}")
            raise
        finally:
            self.pools.close(status=status, error=error)
            if self.plain is not None:
                self.plain.close()

def _groups_left(schedule: list[tuple[Workload, list[SchedulerSpec]]], i: int) -> int:
    """Workload groups (an interleave key counts once) from position *i* of *schedule* on, that one included."""
    keys = [w.interleave or w.name for w, _ in schedule[i:]]
    return len(dict.fromkeys(keys))


def _alive(pool: Pool) -> bool:
    try:
        return bool(pool.client and pool.client.scheduler_info().get("workers"))
    except Exception:
        return False


def _prefix(key: str) -> str:
    """Task prefix as Dask defines it: the name part of a key, without the token."""
    from dask.utils import key_split

    try:
        return key_split(key)
    except Exception:
        return str(key)


def execute(run_dir: Path, run_id: str, plan: Plan, progress: Progress = lambda s: None) -> None:
    """Measure *plan* into *run_dir*, continuing what it already holds."""
    from runners.measure import stop_knocker

    r = Runner(run_dir, run_id, plan, progress)
    try:
        r.run_workloads()
        run_experiments(r)
        run_controls(r)
    finally:
        stop_knocker()
