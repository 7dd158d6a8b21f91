"""What a fresh worker imports before it can run a workload's tasks, and how long that takes here.

Dask's ``processes`` scheduler as shipped starts a new pool of spawned workers in every compute
(and a one-off ``LocalCluster`` new workers): each unpickles its first tasks, importing every module
they name — Dask's array or bag code, NumPy, pandas, the workload's own module.  That is part of the
start an as-shipped compute sees, and it differs by workload.  Measured here (2026-12-07, quick sizes,
``python -m runners.across_cores``): as-shipped ``processes-2`` took 0.34–0.38 s more than the kept pool
on the delayed workloads, 0.58 s on bag-json and 0.87–0.95 s on the array and compiled-kernel ones;
importing their modules in a fresh interpreter took 0.22, 0.25 and 0.65 s.  The cost model fitted on
one run charged every workload the bag's start (0.49 s) and under-predicted the kernels' as-shipped
computes by 40–45 %; it now adds a workload's import time less that of the workloads its start was
measured on (:func:`reports.model_start.shipped_start`).

:func:`modules` lists what the optimised graph names (its pickle, read back with a recording
unpickler in this process, where every module is already imported); :func:`import_seconds` times
importing them in a fresh interpreter with this one's path, cached by module set: the workloads of
one family share it.  Measured only where a run predicts (``--predict-cores``, ``--predict-only``),
before its first workload, as many sets at once as the run has cores (:meth:`WorkerImports.measure_all`):
the quick profile's 29 workloads need 15 sets whose imports took 8.1 s together here: two tries each,
one after another, made a quick ``--predict-only`` run 75 s instead of about a third of quick's time.
"""
from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any, Sequence

__all__ = ["modules", "family", "import_seconds", "WorkerImports", "TRIES"]

TRIES = 1
TIMEOUT_S = 60.0
_ROOT = Path(__file__).resolve().parents[1]
_SKIP = {"builtins", "__main__", "copyreg", "_codecs"}  # an interpreter has them before it runs anything


class _Recording(pickle.Unpickler):
    """An unpickler that notes the module of every global it resolves."""

    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data))
        self.seen: set[str] = set()

    def find_class(self, module: str, name: str) -> Any:
        self.seen.add(module)
        return super().find_class(module, name)


def modules(objs: Sequence[Any]) -> list[str] | None:
    """The modules a worker imports to unpickle the optimised graph of *objs* (sorted); None where Dask or
    the pickle cannot say.

    >>> import dask, operator
    >>> modules([dask.delayed(operator.add)(1, 2)])
    ['_operator', 'dask._task_spec']
    """
    try:
        import cloudpickle
        from dask._expr import FinalizeCompute
        from dask.base import collections_to_expr

        graph = dict(FinalizeCompute(collections_to_expr(list(objs), True)).optimize().__dask_graph__())
        u = _Recording(cloudpickle.dumps(graph))
        u.load()
    except Exception:
        return None
    return sorted(m for m in u.seen if m not in _SKIP)


_CHILD = ("import importlib, sys, time\n"
          "t = time.perf_counter()\n"
          "for m in sys.argv[1:]:\n"
          "    importlib.import_module(m)\n"
          "print(time.perf_counter() - t)\n")


def import_seconds(mods: Sequence[str], tries: int = TRIES) -> float | None:
    """Seconds a fresh interpreter with this one's path takes to import *mods*, the best of *tries* (a start
    is slowed, never sped, by what else runs); None where it fails (a module only this process can import:
    a user's file loaded by path).

    >>> import_seconds([]) == 0.0, import_seconds(["no_such_module_here"])
    (True, None)
    """
    if not mods:
        return 0.0
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    best = None
    for _ in range(max(1, tries)):
        try:
            out = subprocess.run([sys.executable, "-c", _CHILD, *mods], capture_output=True, text=True, env=env,
                                 cwd=_ROOT, timeout=TIMEOUT_S)
            took = float(out.stdout.strip()) if out.returncode == 0 else None
        except (OSError, subprocess.SubprocessError, ValueError):
            took = None
        if took is None:
            return None
        best = took if best is None else min(best, took)
    return best


OWN = ("workloads", "kernels")  # the project's own packages: each module imports what it needs at its top
DASK_PARTS = ("array", "bag", "dataframe", "bytes")  # Dask's subpackages that import more than Dask itself
WITH_DASK = {"dask", "toolz", "tlz", "cloudpickle"}  # imported by any task's ``dask._task_spec`` anyway


def family(mods: Sequence[str]) -> tuple[str, ...]:
    """What a module set costs to import, named: the Dask subpackages that bring more (``dask.array`` NumPy,
    ``dask.dataframe`` pandas), the third-party packages, the project's own modules whole (each imports what
    it needs at its top); the standard library's and Dask's internals left out.  Sets of one family cost the
    same within the noise, so one timing (of every module its workloads name) serves them: the quick
    profile's 15 sets are 9 families.

    >>> family(["numpy", "numpy.random._pcg64", "dask.array.core", "dask._task_spec", "functools", "workloads.arrays"])
    ('dask.array', 'numpy', 'workloads.arrays')
    """
    out = set()
    for m in mods:
        parts = m.split(".")
        if parts[0] in OWN:
            out.add(m)
        elif parts[0] == "dask":
            out.update([f"dask.{parts[1]}"] if len(parts) > 1 and parts[1] in DASK_PARTS else [])
        elif parts[0] not in WITH_DASK and parts[0].lstrip("_") not in sys.stdlib_module_names:
            out.add(parts[0])
    return tuple(sorted(out))


class WorkerImports:
    """Per workload, what its workers import and how long it takes (``extra`` of its ``sync`` rows), once."""

    def __init__(self) -> None:
        self.by_workload: dict[str, dict[str, Any]] = {}
        self._seconds: dict[tuple[str, ...], float | None] = {}  # by family

    def measure_all(self, work: Sequence[tuple[str, Sequence[Any]]], parallel: int = 1) -> int:
        """:meth:`measure` every ``(workload name, objs)`` of *work*, timing up to *parallel* families at once
        (each in its own interpreter: one core each, every module its workloads name); how many it timed."""
        from concurrent.futures import ThreadPoolExecutor

        mods = {name: m for name, objs in work if name not in self.by_workload and (m := modules(objs)) is not None}
        todo: dict[tuple[str, ...], set[str]] = {}
        for m in mods.values():
            if family(m) not in self._seconds:
                todo.setdefault(family(m), set()).update(m)
        with ThreadPoolExecutor(max(1, parallel)) as ex:  # each thread waits on its interpreter
            self._seconds.update(zip(todo, ex.map(import_seconds, [sorted(v) for v in todo.values()])))
        for name, _ in work:
            if name not in self.by_workload:
                self.by_workload[name] = self._figures(mods.get(name))
        return len(todo)

    def _figures(self, mods: Sequence[str] | None) -> dict[str, Any]:
        secs = self._seconds.get(family(mods)) if mods is not None else None
        return {} if secs is None else {"worker_imports_s": round(secs, 4), "worker_modules": len(mods or ())}

    def measure(self, name: str, objs: Sequence[Any]) -> dict[str, Any]:
        """``{"worker_imports_s": seconds, "worker_modules": count}`` for workload *name* (``{}`` where it cannot
        be told), measured on its first call."""
        self.measure_all([(name, objs)])
        return self.by_workload[name]
