"""From Python or Jupyter: measure your own collection, get a table and a recommendation.

The composition root of the Python API, as :mod:`runners.all` is of the
command line: it measures with the runner and summarises with the reports
(:func:`reports.build.summarise`).

>>> from runners.api import compare                                 # doctest: +SKIP
"""
from __future__ import annotations

import shutil
import tempfile
import zlib
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from reports.build import summarise
from reports.load import load
from reports.stats import pending  # the runner measures until these comparisons decide
from runners.measure import Instruments
from runners.meta import collect
from runners.plan import Plan, new_run_id, workload_info, write_meta
from runners.profiles import PROFILES
from runners.records.kinds import SchedulerSpec, is_serial, parse_list
from runners.run import execute
from workloads.base import Workload

__all__ = ["compare"]


def compare(
    work: Any | Callable[[], Any],
    schedulers: Sequence[str] = ("sync", "threads-2", "processes-2"),
    repeats: int | None = None,
    name: str = "my-workload",
    collection: str = "delayed",
    out: str | Path | None = None,
    check: Callable[[Any, Any], bool] | None = None,
) -> tuple[Any, dict[str, Any]]:
    """Measure your own dask collection under *schedulers*; return (DataFrame, recommendation).

    Parameters
    ----------
    work
        A dask collection, a list of delayed objects, or a function returning one.
    schedulers
        Scheduler labels, e.g. ``["sync", "threads-4", "processes-4", "distributed-2x2"]``.
    repeats
        Exactly this many interleaved rounds; by default at least 5, then more
        while the comparison between the schedulers is undecided.
    name, collection
        How the work is called in results, and its collection (for Dask's default).
    out
        Results folder to keep; without it a temporary one is used and removed before returning.
    check
        ``check(result, reference)``; by default results must be equal (allclose for numbers).

    Examples
    --------
    >>> import dask.array as da                                      # doctest: +SKIP
    >>> df, rec = compare(da.random.random((4000, 4000)).sum(), ["sync", "threads-2"])  # doctest: +SKIP
    >>> rec["scheduler"], rec["explanation"]                          # doctest: +SKIP
    """
    def build(size: int, seed: int) -> Any:
        return work() if callable(work) and not hasattr(work, "__dask_graph__") else work

    w = Workload(name=name, collection=collection, claims=(), sizes={"quick": 1, "default": 1, "full": 1},
                 build=build, check=check or _default_check, description="user collection")
    specs = parse_list(",".join(schedulers))
    if not any(is_serial(s.kind) for s in specs):
        specs.insert(0, SchedulerSpec("sync"))
    root = Path(out) if out else Path(tempfile.mkdtemp(prefix="dask-suite-"))
    run_id = new_run_id()
    plan = Plan(profile=PROFILES["default"], workloads={name: w}, specs=specs, repeats=repeats,
                fixed=repeats is not None, decide=lambda w, samples: pending(samples),
                instruments=Instruments(), controls=False, check_plain=False)
    plan.round_seed = zlib.crc32(run_id.encode())  # the order within rounds: from the run id, as the CLI does
    try:
        write_meta(root / run_id, collect(run_id=run_id, profile="default", workloads=[workload_info(w, "default")],
                                          specs=[s.label for s in specs], repeats=repeats, looks=plan.looks,
                                          round_seed=plan.round_seed, seed=plan.seed))
        execute(root / run_id, run_id, plan)  # every pool closes itself, also on error
        summary, table = summarise(load(root / run_id))
    finally:
        if not out:  # the table is in memory: the temporary folder goes
            shutil.rmtree(root, ignore_errors=True)
    rec = next((r for r in summary["recommendations"] if r["workload"] == name), {})
    return table, rec


def _default_check(result: Any, reference: Any) -> bool:
    """Results agree: frames and series equal (in index order), numbers close (NaN equal to NaN), else ``==``.

    >>> _default_check(pd.Series([2, 1], index=[1, 0]), pd.Series([1, 2])), _default_check([1.0, np.nan], [1.0, np.nan])
    (True, True)
    >>> _default_check("a", "b")
    False
    """
    try:
        if isinstance(result, (pd.DataFrame, pd.Series)):
            return bool(result.sort_index().equals(reference.sort_index()))
        return bool(np.allclose(np.asarray(result, dtype=float), np.asarray(reference, dtype=float), equal_nan=True))
    except Exception:
        return bool(result == reference)
