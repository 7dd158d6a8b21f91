"""The measurement loop: every workload under every spec, rows appended as measured.

Order: spec by spec (each pool or cluster started once, timed, always closed),
``sync`` first so its results are the reference every other spec is checked
against.  Per (workload, spec): one warm-up, then R timed repeats.  Then the
raw-thread experiments, the instrumentation-overhead control (instrumented vs
bare, interleaved) and the A/A noise control.

A crash or Ctrl-C keeps every finished row; :func:`execute` with an existing
run folder skips what it already holds (``--resume``).
"""
from __future__ import annotations

import json
import os
import sys
import time
import traceback as tb
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from runners import records
from runners.measure import Instruments, Measurement, RepeatTimeout, _run_with_timeout, graph_size, measure
from runners.pools import Pool, open_pool
from runners.profiles import Profile, cores, needed_kinds
from runners.records import RunRecord, StartupRecord, TaskRecord
from runners.spec import DEFAULT_SCHEDULER, SchedulerSpec
from workloads.base import Workload

__all__ = ["Plan", "execute", "new_run_id", "plan_specs", "done_keys", "workload_info", "OVERHEAD_WORKLOADS", "AA_WORKLOAD"]

# The overhead and A/A controls use these when selected, else the first selected workloads.
OVERHEAD_WORKLOADS = ("array-transcendental", "df-groupby", "bag-json")
AA_WORKLOAD = "array-transcendental"

Progress = Callable[[str], None]


def new_run_id() -> str:
    """A sortable, unique run id: ``20261123-021530-1a2b``."""
    return time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:4]


@dataclass
class Plan:
    """What one run measures; stored in meta.json so ``--resume`` can redo it."""

    profile: Profile
    workloads: dict[str, Workload]
    specs: list[SchedulerSpec]
    sweep_specs: list[SchedulerSpec] = field(default_factory=list)
    repeats: int = 3
    instruments: Instruments = field(default_factory=Instruments)
    experiments: list[str] = field(default_factory=list)
    controls: bool = True
    timeout_s: float | None = None
    dashboard: bool = True
    seed: int = 42
    plugin_files: list[str] = field(default_factory=list)
    lean: bool | None = None  # None: the profile's; False when the user named the schedulers
    security: Any = None  # distributed.security.Security for address (TLS) clusters

    @property
    def is_lean(self) -> bool:
        return self.profile.lean if self.lean is None else self.lean

    def _runs(self, w: Workload, spec: SchedulerSpec) -> bool:
        if w.kinds is not None and spec.kind not in w.kinds:
            return False
        if self.is_lean and spec.kind != "sync":
            # One worker process with N threads is a question for the claims about
            # threads vs processes (C2, C3, C9), not for C12's best-of-all.
            one_by_n = spec.kind == "distributed" and spec.workers == 1 and spec.threads_per_worker > 1
            if spec.kind not in needed_kinds(w.claims, self.profile.c12_everywhere and not one_by_n):
                return False
        return True

    def units(self) -> list[tuple[SchedulerSpec, list[Workload]]]:
        """(spec, workloads) pairs in run order, sync first."""
        out = []
        for spec in self.specs:
            ws = [w for w in self.workloads.values() if self._runs(w, spec)]
            out.append((spec, ws))
        for spec in self.sweep_specs:
            if spec in self.specs:
                continue
            ws = [w for w in self.workloads.values() if w.sweep and self._runs(w, spec)
                  and (not self.is_lean or spec.kind in _scaling_kinds(w))]
            if ws:
                out.append((spec, ws))
        out.sort(key=lambda u: u[0].kind != "sync")
        return out


def plan_specs(profile: Profile, n_cores: int, address: str | None = None) -> tuple[list[SchedulerSpec], list[SchedulerSpec]]:
    """Base and sweep specs of *profile*; with *address* the cluster replaces local distributed."""
    base = profile.specs(n_cores)
    if address:
        base = [s for s in base if s.kind != "distributed"] + [SchedulerSpec("distributed", address=address)]
    return base, profile.sweep_specs(n_cores)


def workload_info(w: Workload, profile: str) -> dict[str, Any]:
    """What reports need to know of a workload (stored in meta.json)."""
    size = w.size_for(profile)
    try:
        nbytes = int(w.nbytes(size))
    except Exception:
        nbytes = 0
    return {
        "name": w.name,
        "collection": w.collection,
        "claims": list(w.claims),
        "family": w.family,
        "params": dict(w.params),
        "sweep": w.sweep,
        "real_data": w.real_data,
        "description": w.description,
        "size": size,
        "input_bytes": nbytes,
        "module": getattr(w.build, "__module__", ""),
    }


def done_keys(run_dir: Path) -> dict[tuple, int]:
    """(workload, scheduler, mode, control) -> number of finished repeats in the folder."""
    counts: dict[tuple, int] = {}
    for d in records.read(run_dir / records.ROWS):
        k = (d.get("workload"), d.get("scheduler"), d.get("mode", "instrumented"), d.get("control", ""))
        counts[k] = counts.get(k, 0) + 1
    return counts


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


class _Runner:
    def __init__(self, run_dir: Path, run_id: str, plan: Plan, progress: Progress):
        self.dir = run_dir
        self.run_id = run_id
        self.plan = plan
        self.say = progress
        self.done = done_keys(run_dir)
        self.references: dict[str, Any] = {}
        self.built: dict[str, tuple[list[Any], bool, int | None]] = {}
        self.step = 0
        self.t0 = time.perf_counter()
        self.total = sum(len(ws) for _, ws in plan.units())

    # -- rows ---------------------------------------------------------------
    def _row(self, w: Workload, label: str, spec: SchedulerSpec, repeat: int, size_profile: str | None = None,
             **kw: Any) -> RunRecord:
        info = workload_info(w, size_profile or self.plan.profile.name)
        return RunRecord(
            run_id=self.run_id, workload=w.name, scheduler=label, repeat=repeat,
            family=w.family, collection=w.collection, claims=list(w.claims), params=dict(w.params),
            kind=spec.kind, workers=spec.workers, threads_per_worker=spec.threads_per_worker,
            size=info["size"], input_bytes=info["input_bytes"], real_data=w.real_data, **kw,
        )

    def _store(self, row: RunRecord, m: Measurement | None) -> None:
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
    def _build(self, w: Workload, profile: str | None = None) -> tuple[list[Any], bool, int | None]:
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

            objs, is_list, _ = self._build(w)
            try:
                value = _run_with_timeout(lambda: dask.compute(*objs, scheduler="sync"), self.plan.timeout_s)
                self.references[w.name] = _unpack(value, is_list)
            except Exception as e:
                self.references[w.name] = NoReference(f"no sync reference: {type(e).__name__}: {e}")
        ref = self.references[w.name]
        if isinstance(ref, NoReference):
            raise ref
        return ref

    # -- one (workload, spec) -------------------------------------------------
    def _measure_workload(self, pool: Pool, w: Workload, mode: str = "instrumented", control: str = "",
                          repeats: int | None = None, size_profile: str | None = None) -> Pool:
        """Warm-up and timed repeats of *w* on *pool*; returns the pool (a fresh one after a timeout)."""
        spec = pool.spec
        label = pool.label
        repeats = self.plan.repeats if repeats is None else repeats
        have = self.done.get((w.name, label, mode, control), 0)
        if have >= repeats:
            return pool
        ins = self.plan.instruments if mode == "instrumented" else Instruments.none()
        try:
            objs, is_list, ntasks = self._build(w, size_profile)
        except Exception as e:
            self._store(self._row(w, label, spec, size_profile=size_profile, repeat=have, status="error", mode=mode, control=control,
                                  error_type=type(e).__name__, error=f"build failed: {e}",
                                  traceback=tb.format_exc(limit=20)), None)
            return pool
        timeout = self.plan.timeout_s
        for repeat in range(-1 if have == 0 else have, repeats):
            try:
                m = measure(pool, objs, ins, timeout)
            except RepeatTimeout as e:
                self._store(self._row(w, label, spec, size_profile=size_profile, repeat=max(repeat, 0), status="timeout", mode=mode,
                                      control=control, error_type="RepeatTimeout", error=str(e)), None)
                self.say(f"  {w.name} on {label}: {e}; starting a fresh {spec.kind} pool")
                return self._restart(pool)
            except Exception as e:
                self._store(self._row(w, label, spec, size_profile=size_profile, repeat=max(repeat, 0), status="error", mode=mode, control=control,
                                      error_type=type(e).__name__, error=str(e)[:2000],
                                      traceback=tb.format_exc(limit=30)), None)
                self.say(f"  {w.name} on {label}: {type(e).__name__}: {str(e)[:200]}")
                if spec.kind == "distributed" and not _alive(pool):
                    return self._restart(pool)
                return pool
            result = _unpack(m.result, is_list)
            if repeat < 0:  # warm-up: not recorded; under sync it is the reference
                if spec.kind == "sync" and w.name not in self.references:
                    self.references[w.name] = result
                continue
            ok, detail = True, ""
            if mode == "instrumented" and not control:
                try:
                    reference = self._reference(w)
                    ok = bool(w.check(result, reference))
                    if not ok:
                        detail = _difference(result, reference)
                except NoReference as e:
                    ok, detail = False, str(e)
                except Exception as e:
                    ok, detail = False, f"check raised {type(e).__name__}: {e}"
            gmin, gmed, gmax = m.gil_summary()
            row = self._row(
                w, label, spec, repeat, size_profile=size_profile, wall_s=m.wall_s, status="ok" if ok else "mismatch", mode=mode,
                control=control, ntasks_graph=ntasks, ntasks_captured=(len({t["key"] for t in m.tasks}) if ins.tasks else None),
                gil=m.gil, gil_min=gmin, gil_median=gmed, gil_max=gmax, cpu_s=m.cpu_s,
                cores_used=(m.cpu_s / m.wall_s if m.cpu_s is not None and m.wall_s > 0 else None),
                peak_rss=m.peak_rss, bytes_out=m.bytes_out, bytes_in=m.bytes_in, bytes_moved=m.bytes_moved,
                check_ok=ok if mode == "instrumented" and not control else None, check_detail=detail,
                started_at=m.started_at, extra=m.extra,
            )
            self._store(row, m)
        return pool

    def _restart(self, pool: Pool) -> Pool:
        pool.close()
        self._startup_row(pool, note="closed after a timeout or lost worker")
        fresh = open_pool(pool.spec, instrumented=pool.instrumented, dashboard=self.plan.dashboard,
                          upload=self.plan.plugin_files, security=self.plan.security)
        try:
            fresh.start()
        except BaseException:
            fresh.close()  # never leave a half-started pool behind
            raise
        return fresh

    def _startup_row(self, pool: Pool, status: str = "ok", error: str = "", note: str = "") -> None:
        info = {k: v for k, v in pool.info.items() if k != "dashboard_link"}
        if note:
            info["note"] = note
        records.append(self.dir / records.STARTUP, [StartupRecord(
            run_id=self.run_id, scheduler=pool.label, kind=pool.spec.kind, start_s=pool.start_s,
            stop_s=pool.stop_s, status=status, error=error, address=str(pool.info.get("address", "")),
            dashboard_link=str(pool.info.get("dashboard_link", "")), info=info)])

    # -- the run -------------------------------------------------------------
    def run_units(self) -> None:
        for spec, ws in self.plan.units():
            todo = [w for w in ws if self.done.get((w.name, spec.label, "instrumented", ""), 0) < self.plan.repeats]
            if not todo:
                self.step += len(ws)
                continue
            self.say(f"starting {spec.label} ...")
            pool = open_pool(spec, dashboard=self.plan.dashboard, upload=self.plan.plugin_files,
                             security=self.plan.security)
            status, error = "ok", ""
            try:
                try:
                    pool.start()
                except Exception as e:
                    status, error = "error", f"{type(e).__name__}: {e}"
                    self.say(f"  {spec.label} failed to start: {error}; its workloads are recorded as failed")
                    for w in todo:
                        self._store(self._row(w, spec.label, spec, 0, status="error", error_type=type(e).__name__,
                                              error=f"scheduler failed to start: {e}",
                                              traceback=tb.format_exc(limit=20)), None)
                    self.step += len(ws)
                    continue
                link = pool.info.get("dashboard_link")
                started = f"{spec.label} up in {pool.start_s:.2f} s"
                if link:
                    started += f"; Dask dashboard: {link}"
                self.say(started)
                for i, w in enumerate(ws):
                    self.step += 1
                    self.say(f"[{self.step}/{self.total}] {time.perf_counter() - self.t0:6.1f}s "
                             f"{pool.label:<18} {w.name}")
                    try:
                        pool = self._measure_workload(pool, w)
                    except Exception as e:  # the pool could not be restarted: give up on this spec only
                        status, error = "error", f"{type(e).__name__}: {e}"
                        self.say(f"  {spec.label} is gone ({error}); skipping its remaining workloads")
                        for rest in ws[i:]:
                            self._store(self._row(rest, pool.label, spec, 0, status="error",
                                                  error_type=type(e).__name__, error=f"scheduler lost: {e}"), None)
                        self.step += len(ws) - i - 1
                        break
                    self._perf_report(pool, w)
            except BaseException as e:
                status, error = ("interrupted", "interrupted") if isinstance(e, KeyboardInterrupt) else ("error", f"{type(e).__name__}: {e}")
                raise
            finally:
                pool.close()
                self._startup_row(pool, status=status, error=error)

    def _perf_report(self, pool: Pool, w: Workload) -> None:
        """Dask's own performance_report for one more compute, saved beside the results."""
        if pool.spec.kind != "distributed" or pool.client is None:
            return
        path = self.dir / "perf" / f"{records.slug(w.name)}__{records.slug(pool.label)}.html"
        if path.exists():
            return
        if (self.plan.profile.lean and not self.plan.profile.c12_everywhere
                and any((self.dir / "perf").glob(f"*__{records.slug(pool.label)}.html"))):
            return  # a lean profile keeps one report per cluster
        try:
            from distributed import performance_report

            objs, _, _ = self._build(w)
            path.parent.mkdir(parents=True, exist_ok=True)
            with pool.client.as_current(), performance_report(filename=str(path), mode="inline"):
                pool.compute(objs)
        except Exception as e:  # a report is a nicety; never lose the run for it
            self.say(f"  performance_report for {w.name} failed: {type(e).__name__}: {e}")

    def run_experiments(self) -> None:
        if not self.plan.experiments:
            return
        from runners.experiments import EXPERIMENTS

        for name in self.plan.experiments:
            exp = EXPERIMENTS[name]
            if any(k[0] == name or k[0].startswith(name) for k in self.done):
                continue
            self.say(f"experiment {name} ...")
            try:
                rows = exp.run(self.plan.profile.name, self.plan.repeats)
            except Exception as e:
                rows = [{"workload": name, "scheduler": "threads-1", "repeat": 0, "status": "error",
                         "error_type": type(e).__name__, "error": str(e), "traceback": tb.format_exc(limit=20),
                         "claims": list(exp.claims), "collection": "experiment"}]
            records.append(self.dir / records.ROWS, [RunRecord(run_id=self.run_id, **r) for r in rows])

    def run_controls(self) -> None:
        """Instrumentation overhead (instrumented vs bare, interleaved) and the A/A noise control."""
        if not self.plan.controls:
            return
        n = cores()
        names = [x for x in OVERHEAD_WORKLOADS if x in self.plan.workloads] or list(self.plan.workloads)[:1]
        if not names:
            return
        reps = self.plan.profile.overhead_repeats
        # Each workload on its collection's default scheduler (what users get), at the
        # default profile's size whatever the profile: the overhead goal is stated for
        # those sizes, and 40 ms quick repeats would measure mostly noise.
        by_kind: dict[str, list[str]] = {}
        for nm in names:
            by_kind.setdefault(DEFAULT_SCHEDULER.get(self.plan.workloads[nm].collection, "threads"), []).append(nm)
        for kind, group in by_kind.items():
            spec = SchedulerSpec(kind, workers=n)
            if all(self.done.get((nm, spec.label, m, "overhead"), 0) >= reps for nm in group for m in ("instrumented", "bare")):
                continue
            self.say(f"instrumentation overhead on {spec.label} ({', '.join(group)}) ...")
            on_pool = open_pool(spec, dashboard=False)
            off_pool = open_pool(spec, instrumented=False, dashboard=False)
            try:
                on_pool.start()
                off_pool.start()
                for nm in group:
                    w = self.plan.workloads[nm]
                    for r in range(reps):
                        # Interleaved, one repeat each, so drift in the machine hits both alike.
                        # A timeout hands back a fresh pool; the finally closes whichever is current.
                        on_pool = self._measure_workload(on_pool, w, "instrumented", "overhead", repeats=r + 1,
                                                         size_profile="default")
                        off_pool = self._measure_workload(off_pool, w, "bare", "overhead", repeats=r + 1,
                                                          size_profile="default")
                        self.done = done_keys(self.dir)
            finally:
                on_pool.close()
                off_pool.close()
        aa = AA_WORKLOAD if AA_WORKLOAD in self.plan.workloads else names[0]
        spec = SchedulerSpec("threads", workers=n)
        if any(self.done.get((aa, spec.label, "instrumented", c), 0) < self.plan.repeats for c in ("A", "B")):
            self.say(f"A/A control: {aa} on {spec.label} twice ...")
            with open_pool(spec, dashboard=False) as pool:
                for c in ("A", "B"):
                    pool = self._measure_workload(pool, self.plan.workloads[aa], "instrumented", c)


def _scaling_kinds(w: Workload) -> frozenset[str]:
    """Kinds whose worker-count curve a scaling claim of *w* reads (C12/C2 compare, not sweep)."""
    scaling = [c for c in w.claims if c not in ("C2", "C12")]
    return needed_kinds(scaling) if scaling else needed_kinds(w.claims)


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


def write_meta(run_dir: Path, meta: dict[str, Any]) -> None:
    """Write meta.json atomically (a crash never leaves half a file)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    tmp = run_dir / (records.META + ".tmp")
    tmp.write_text(json.dumps({"v": records.SCHEMA_VERSION, **meta}, indent=1, sort_keys=True, default=str))
    os.replace(tmp, run_dir / records.META)


def execute(run_dir: Path, run_id: str, plan: Plan, progress: Progress = lambda s: None) -> None:
    """Measure *plan* into *run_dir*, skipping rows it already holds."""
    from runners.measure import stop_knocker

    r = _Runner(run_dir, run_id, plan, progress)
    try:
        r.run_units()
        r.run_experiments()
        r.run_controls()
    finally:
        stop_knocker()
