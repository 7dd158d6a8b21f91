"""One repeat: a workload's graph computed on a scheduler, measured, checked, stored as a row.

Each workload's graph is built once per run (:meth:`Repeats.build`) and its
``sync`` result is the reference every other scheduler's result is checked
against (the ``sync`` warm-up gives it; else it is computed once, within the
repeat time limit).  A repeat that times out or breaks its scheduler is
recorded and the scheduler restarted (:meth:`Repeats.timed`); only a failed
write to the results folder stops the run.
"""
from __future__ import annotations

import gc
import traceback as tb
from typing import Any, Callable, NamedTuple, Sequence

import dask
import numpy as np

from runners import records
from runners.measure import Instruments, Measurement, RepeatTimeout, graph_size, measure, run_with_timeout
from runners.onegraph import prepared
from runners.openpools import OpenPools
from runners.plan import Plan
from runners.procs import stop_if_signalled
from runners.records.kinds import is_serial
from runners.rows import Rows
from runners.schedulers import Scheduler
from runners.worker_imports import WorkerImports
from workloads.base import Workload

__all__ = ["Repeats", "Built", "Failure", "NoReference", "difference"]


class Built(NamedTuple):
    """A workload's graph as built for the run: what ``dask.compute`` takes, and its size."""

    objs: list[Any]
    is_list: bool  # the workload built a list (of delayed): its result is a list too
    ntasks: int | None  # tasks in the optimised graph (None where dask cannot say)
    # separate delayed objects measured on one graph: what preparing them costs (runners.onegraph), else None
    preparation: dict[str, Any] | None = None

    def result(self, computed: Sequence[Any]) -> Any:
        """What the workload's own ``check`` compares: *computed* unpacked as the workload built it."""
        return list(computed) if self.is_list else computed[0]


class Failure(NamedTuple):
    """A warm-up that failed: the error's type, its message, its traceback ("" for a timeout)."""

    error_type: str
    error: str
    traceback: str


class NoReference(Exception):
    """The sync reference of a workload could not be computed."""


def difference(result: Any, reference: Any) -> str:
    """The size of a disagreement, for the record: max |a - b| where that means something.

    >>> difference([1.0, 2.0], [1.0, 2.5])
    'max |result - reference| = 0.5'
    >>> difference([1.0], [1.0, 2.0])
    'shapes differ: (1,) vs (2,)'
    """
    try:
        a = np.asarray(result, dtype=float)
        b = np.asarray(reference, dtype=float)
        if a.shape == b.shape:
            return f"max |result - reference| = {float(np.nanmax(np.abs(a - b))):.3g}"
        return f"shapes differ: {a.shape} vs {b.shape}"
    except Exception:
        return f"result {type(result).__name__} differs from reference {type(reference).__name__}"


class Repeats:
    """Timed repeats of one run: *plan* says how (seed, sizes, instruments, time limit), *rows* where they go,
    *pools* restarts a scheduler a repeat broke, *say* reports failures."""

    def __init__(self, plan: Plan, rows: Rows, pools: OpenPools, say: Callable[[str], None]):
        self.plan, self.rows, self.pools, self.say = plan, rows, pools, say
        self.built: dict[str, Built] = {}
        self.references: dict[str, Any] = {}  # workload -> its sync result, or the NoReference that says why not
        self.imports = WorkerImports()  # what each workload's fresh workers import (plan.worker_imports)

    @property
    def session(self) -> int:
        return self.rows.session

    # -- the graph and its reference -----------------------------------------
    def build(self, w: Workload) -> Built:
        """*w*'s graph at the run's size, built once."""
        if w.name not in self.built:
            # A user's hundreds of separate delayed objects: the same tasks on one graph, and what that saves said
            built, prep = prepared(w.build(w.size_for(self.plan.profile.name), self.plan.seed))
            if prep is not None:
                self.say(f"  {w.name}: {prep.note}")
            objs = list(built) if isinstance(built, (list, tuple)) else [built]
            ntasks = prep.ntasks if prep is not None and prep.ntasks is not None else graph_size(objs)
            self.built[w.name] = Built(objs, isinstance(built, (list, tuple)), ntasks,
                                       prep.as_dict() if prep is not None else None)
        return self.built[w.name]

    def reference(self, w: Workload) -> Any:
        """The ``sync`` result of *w* (computed once, within the repeat time limit).

        Raises :class:`NoReference` when it cannot be had (it failed or timed out).
        """
        if w.name not in self.references:
            b = self.build(w)
            try:
                value = run_with_timeout(lambda: dask.compute(*b.objs, scheduler="sync"), self.plan.timeout_s, here=True)
                self.references[w.name] = b.result(value)
            except Exception as e:
                self.references[w.name] = NoReference(f"no sync reference: {type(e).__name__}: {e}")
        ref = self.references[w.name]
        if isinstance(ref, NoReference):
            raise ref
        return ref

    def check(self, w: Workload, result: Any) -> tuple[bool, str]:
        """Whether *result* agrees with *w*'s reference, and if not, by how much (or why it cannot be told)."""
        try:
            reference = self.reference(w)
            ok = bool(w.check(result, reference))
            return ok, "" if ok else difference(result, reference)
        except NoReference as e:
            return False, str(e)
        except Exception as e:
            return False, f"check raised {type(e).__name__}: {e}"

    # -- one compute -----------------------------------------------------------
    def once(self, pool: Scheduler, w: Workload, ins: Instruments) -> tuple[Measurement, Any]:
        """One compute of *w* on *pool*; the harness's own objects frozen out of the collector.

        ``gc.freeze()`` moves every object alive now (the harness, a
        LocalCluster's scheduler, results of earlier repeats) out of the
        collector's reach for the length of the repeat, so a full collection
        during the workload walks only the workload's own objects — as in a
        fresh interpreter — whichever specs are open beside it.
        """
        b = self.build(w)
        self.pools.focus(pool)  # the other open schedulers paused: an idle cluster costs CPU
        gc.freeze()
        try:
            m = measure(pool, b.objs, ins, self.plan.timeout_s)
        finally:
            gc.unfreeze()
        return m, b.result(m.result)

    def timed(self, pool: Scheduler, w: Workload, repeat: int, rnd: int, mode: str = "instrumented",
              control: str = "") -> tuple[str, float | None]:
        """Measure and store one repeat; returns (status, wall) and restarts a broken scheduler."""
        stop_if_signalled()  # a stop a finaliser swallowed (see runners.procs) stops the run here
        spec, label = pool.spec, pool.label
        ins = self.plan.instruments if mode == "instrumented" else Instruments.none()

        def row(**kw: Any) -> records.RunRecord:
            return self.rows.row(w, spec, repeat, label=label, mode=mode, control=control, round=rnd, **kw)

        try:
            m, result = self.once(pool, w, ins)
        except RepeatTimeout as e:
            self.rows.store(row(status="timeout", error_type="RepeatTimeout", error=str(e)))
            self.say(f"  {w.name} on {label}: {e}; starting a fresh {spec.kind} pool")
            self.pools.restart(pool)
            return "timeout", None
        except records.WriteError:  # a full or read-only disk stops the run
            raise
        except Exception as e:
            self.rows.store(row(status="error", error_type=type(e).__name__, error=str(e)[:2000],
                                traceback=tb.format_exc(limit=30)))
            self.say(f"  {w.name} on {label}: {type(e).__name__}: {str(e)[:200]}")
            if not pool.alive():
                self.pools.restart(pool)
            return "error", None
        checked = mode == "instrumented" and not control
        ok, detail = self.check(w, result) if checked else (True, "")
        if checked and self.plan.worker_imports and is_serial(spec.kind):  # measured once, before any repeat
            m.extra.update(self.imports.measure(w.name, self.build(w).objs))
        gmin, gmed, gmax = m.gil_summary()
        self.rows.store(row(
            wall_s=m.wall_s, status="ok" if ok else "mismatch",
            ntasks_graph=self.build(w).ntasks, ntasks_captured=len({t["key"] for t in m.tasks}) if ins.tasks else None,
            gil=m.gil, gil_min=gmin, gil_median=gmed, gil_max=gmax, cpu_s=m.cpu_s,
            cores_used=(m.cpu_s / m.wall_s if m.cpu_s is not None and m.wall_s > 0 else None),
            peak_rss=m.peak_rss, bytes_out=m.bytes_out, bytes_in=m.bytes_in, bytes_moved=m.bytes_moved,
            check_ok=ok if checked else None, check_detail=detail, started_at=m.started_at, extra=m.extra,
        ), m if mode == "instrumented" else None)
        return ("ok" if ok else "mismatch"), m.wall_s

    def warm(self, pool: Scheduler, w: Workload) -> Failure | None:
        """The untimed warm-up of (*w*, *pool*); under ``sync`` it gives the reference.  None, or what failed."""
        try:
            _, result = self.once(pool, w, self.plan.instruments)
        except RepeatTimeout as e:
            self.pools.restart(pool)
            return Failure("RepeatTimeout", f"warm-up: {e}", "")
        except Exception as e:
            if not pool.alive():
                self.pools.restart(pool)
            return Failure(type(e).__name__, f"warm-up: {str(e)[:2000]}", tb.format_exc(limit=30))
        if is_serial(pool.spec.kind) and w.name not in self.references:
            self.references[w.name] = result
        return None
