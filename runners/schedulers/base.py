"""What every scheduler kind does: start (timed), compute, measure a repeat, stop (always).

A :class:`Scheduler` is the live pool or cluster behind one spec.  It is
started once per spec (its start-up time is a result, not noise) and reused for
every workload and repeat of that spec.  It is a context manager: leaving it,
normally, on error or on Ctrl-C, stops every thread, process and cluster it
started.  Each kind is a subclass in its own module of this package, found by
kind in :data:`runners.schedulers.SCHEDULERS`; what the kinds *mean* (labels,
specs, predicates) is :mod:`runners.records.kinds`.

>>> from runners.records.kinds import parse
>>> class Echo(Scheduler):
...     kind = "sync"
...     def compute(self, objs):
...         return tuple(objs)
>>> with Echo(parse("sync")) as s:
...     s.compute([1]), s.label, s.start_s is not None
((1,), 'sync', True)
>>> s.stop_s is not None
True
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import time
import types
from contextlib import contextmanager
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Iterator, Sequence

import dask

from runners.measure import Instruments, Measurement, run_with_timeout
from runners.meta import free_threaded_build
from runners.records.kinds import SchedulerSpec
from runners.records.paste import code

if TYPE_CHECKING:
    from distributed.security import Security

__all__ = ["Scheduler", "PoolScheduler", "SchedulerUnavailable", "Plain", "interpreter", "spawn_pool",
           "as_a_notebook_runs_it"]


class SchedulerUnavailable(RuntimeError):
    """This interpreter cannot run the scheduler at all: a result to report as skipped, not a failure.

    Raised by :meth:`Scheduler.start` when, for example, ``distributed`` cannot be
    imported, or a local cluster fails to start on a free-threaded build.
    ``reason`` says why, in words fit for a report.

    >>> SchedulerUnavailable("distributed is not installed").reason
    'distributed is not installed'
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def interpreter() -> str:
    """This interpreter in a few words, for a reason given in a report: ``Python 3.11.7``."""
    return f"{'free-threaded ' if free_threaded_build() else ''}Python {sys.version.split()[0]}"


# The settings a pasted snippet (:func:`runners.records.paste.code`) may leave in Dask's config.
_SNIPPET_KEYS = ("scheduler", "pool", "chunksize", "num_workers")


@dataclass
class Plain:
    """``dask.compute`` as a user would call it: under the Dask settings a pasted snippet made.

    What the harness check runs in a fresh interpreter (:mod:`runners.plaindask`):
    :meth:`of` runs the very code a recommendation tells users to paste.

    >>> from runners.records.kinds import parse
    >>> p = Plain.of(parse("threads-2"))
    >>> p.config["scheduler"], p.config["num_workers"], p.compute([dask.delayed(sum)([1, 2])])
    ('threads', 2, (3,))
    >>> dask.config.get("num_workers", None) is None  # the snippet's settings apply only inside compute
    True
    """

    config: dict[str, Any] = field(default_factory=dict)
    close: Callable[[], None] = lambda: None

    @classmethod
    def of(cls, spec: SchedulerSpec) -> Plain:
        """Run *spec*'s snippet once and keep the settings it made (and its pool, closed by :attr:`close`)."""
        before = {k: dask.config.config[k] for k in _SNIPPET_KEYS if k in dask.config.config}
        ns: dict[str, Any] = {}
        exec(code(spec), ns)  # the text users are told to paste, as they would run it
        after = {k: dask.config.get(k, None) for k in _SNIPPET_KEYS}
        for k in _SNIPPET_KEYS:  # each spec computes under its own settings, not the last snippet's
            dask.config.config.pop(k, None)
        dask.config.config.update(before)
        pool = ns.get("pool")
        close = (lambda: pool.shutdown(wait=True, cancel_futures=True)) if pool is not None else (lambda: None)
        return cls({k: v for k, v in after.items() if v is not None}, close)

    def compute(self, objs: Sequence[Any]) -> tuple[Any, ...]:
        with dask.config.set(self.config):
            return dask.compute(*objs)


class Scheduler:
    """The live resources of one spec, with ``compute``, ``measure`` and ``close``.

    Subclasses set :attr:`kind` and implement :meth:`compute` and :meth:`measure`;
    :meth:`_start` and :meth:`_close` acquire and release what they hold.

    Attributes
    ----------
    spec
        The scheduler spec.
    start_s, stop_s
        Seconds taken to start (until every worker answered) and to stop.
    instrumented
        False for the overhead control: no instruments in the workers.
    dashboard
        Whether a cluster serves Dask's dashboard.
    upload
        ``.py`` files (plugin workloads) that workers in other processes must import.
    security
        A ``distributed.security.Security`` for connecting to ``spec.address`` (TLS).
    info
        What the start found out (pids, addresses, workers), for ``startup.jsonl``.
    """

    kind: ClassVar[str]
    # Starting takes seconds (worker processes import numpy, pandas, dask): the run says so first.
    slow_start: ClassVar[bool] = False
    # Timed against plain dask.compute in a fresh interpreter (the harness check), under the code
    # users are told to paste (runners.records.paste, run by Plain.of).
    plain_checked: ClassVar[bool] = False

    def __init__(self, spec: SchedulerSpec, instrumented: bool = True, dashboard: bool = True,
                 upload: Sequence[str] = (), security: Security | None = None):
        if spec.kind != self.kind:
            raise ValueError(f"a {type(self).__name__} scheduler runs {self.kind!r} specs; got {spec.label!r}")
        self.spec = spec
        self.instrumented = instrumented
        self.dashboard = dashboard
        self.upload = list(upload)
        self.security = security
        self.start_s: float | None = None
        self.stop_s: float | None = None
        self.info: dict[str, Any] = {}

    # -- life cycle -------------------------------------------------------
    def start(self) -> Scheduler:
        """Start what this kind needs (timed as :attr:`start_s`)."""
        t0 = time.perf_counter()
        self._start()
        self.start_s = time.perf_counter() - t0
        return self

    def close(self) -> None:
        """Stop everything this scheduler started; safe to call twice, never raises."""
        t0 = time.perf_counter()
        try:
            self._close()
        finally:
            if self.stop_s is None:
                self.stop_s = time.perf_counter() - t0

    def _start(self) -> None:
        """Acquire the kind's resources (nothing for ``sync``)."""

    def _close(self) -> None:
        """Release them; must not raise."""

    def __enter__(self) -> Scheduler:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- use --------------------------------------------------------------
    @property
    def label(self) -> str:
        """The label its rows carry (an existing cluster's says its size, known once started)."""
        return self.spec.label

    def compute(self, objs: Sequence[Any]) -> tuple[Any, ...]:
        """Compute *objs* (collections or delayed) on this scheduler, as ``dask.compute`` does."""
        raise NotImplementedError

    def measure(self, objs: Sequence[Any], ins: Instruments, timeout: float | None = None) -> Measurement:
        """Compute *objs* once and measure it with the instruments *ins* switches on."""
        raise NotImplementedError

    def wall_only(self, objs: Sequence[Any], timeout: float | None = None) -> Measurement:
        """One compute of *objs* timed as a whole, nothing inside measured: the as-shipped readings, whose
        workers live only for the compute."""
        started_at = time.time()
        t0 = time.perf_counter()
        result = run_with_timeout(lambda: self.compute(objs), timeout)
        return Measurement(wall_s=time.perf_counter() - t0, result=result, started_at=started_at)

    def pids(self) -> list[int]:
        """Pids of the processes that run tasks (this one where they run here)."""
        return [os.getpid()]

    def pause(self) -> None:
        """Stop spending CPU while other specs are timed (see :meth:`runners.openpools.OpenPools.focus`).

        A kind whose idle state costs nothing (a pool's threads or workers blocked on a queue) does
        nothing.  Must be undone by :meth:`resume` before the next compute or :meth:`close`."""

    def resume(self) -> None:
        """Undo :meth:`pause` (nothing when not paused)."""

    def alive(self) -> bool:
        """Whether it can still run tasks after a failed repeat (a cluster may have lost every worker)."""
        return True

    def performance_report(self, objs: Sequence[Any]) -> str | None:
        """Dask's own performance report (an HTML page) of one more compute of *objs*; None where the kind has none."""
        return None


def spawn_pool(workers: int, initializer: Callable[[], None]) -> ProcessPoolExecutor:
    """A pool of *workers* spawned processes, every one started now (so start-up is timed where it is asked).

    ProcessPoolExecutor spawns lazily: tasks are submitted until every worker
    exists and has run *initializer* (which imports what tasks use).
    """
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=initializer)
    pids: set[int] = set()
    deadline = time.monotonic() + 120
    while len(pids) < workers and time.monotonic() < deadline:
        for f in [pool.submit(time.sleep, 0.05) for _ in range(workers)]:
            f.result()
        pids = {p.pid for p in pool._processes.values()}
    return pool


class PoolScheduler(Scheduler):
    """A kind that runs tasks on a ``concurrent.futures`` pool it holds (``threads``, ``processes``)."""

    executor: Executor | None = None  # set by _start, None again once closed

    def _close(self) -> None:
        if self.executor is None:
            return
        ex, self.executor = self.executor, None
        procs = list((getattr(ex, "_processes", None) or {}).values())
        # Never wait: a thread stuck in a timed-out task would block forever.
        ex.shutdown(wait=False, cancel_futures=True)
        for p in procs:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
                p.join(timeout=5)
            if p.is_alive():
                p.kill()


@contextmanager
def as_a_notebook_runs_it() -> Iterator[None]:
    """Spawned workers started meanwhile import no main module, as in a notebook.

    ``multiprocessing``'s spawn re-imports ``sys.modules["__main__"]`` in every worker
    (by name under ``python -m``): here that is the suite's runner, not a user's code.
    A bare ``__main__`` stands in while Dask starts its pool.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main
