"""Computing workloads in tests: one scheduler at a time, and the pooled schedulers against sync.

Shared by the ``tests/test_workloads_*.py`` modules.  The processes scheduler runs on one
spawned pool per test session (:func:`process_pool`), so each module does not pay for
starting its own.
"""
from __future__ import annotations

import functools
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import dask
import pandas as pd

from workloads.base import Workload

__all__ = ["compute", "process_pool", "assert_threads_agree", "assert_processes_agree", "assert_deterministic",
           "perturbed_frame"]


def compute(workload: Workload, size: int, seed: int = 0, scheduler: str = "sync", **kwargs: Any) -> Any:
    """``workload.build(size, seed)`` computed under *scheduler* (``dask.compute`` keywords in *kwargs*)."""
    return dask.compute(workload.build(size, seed), scheduler=scheduler, **kwargs)[0]


@functools.cache
def process_pool() -> ProcessPoolExecutor:
    """Two spawned workers for ``scheduler="processes"``, started once and shut down at exit.

    Spawned, not forked: the test process runs dask's thread pool, and a fork would copy its locks.
    """
    return ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))


def assert_threads_agree(workload: Workload, size: int, reference: Any) -> None:
    """Two threads compute what sync computed (*reference*), by the workload's own check."""
    assert workload.check(compute(workload, size, scheduler="threads", num_workers=2), reference)


def assert_processes_agree(workload: Workload, size: int, reference: Any) -> None:
    """Two processes compute what sync computed (*reference*): the graph pickles and runs elsewhere.

    The first call of a session starts the pool (seconds): tests calling this are marked slow.
    """
    assert workload.check(compute(workload, size, scheduler="processes", pool=process_pool()), reference)


def assert_deterministic(workload: Workload, size: int, reference: Any) -> None:
    """Seed 0 gives *reference* again (computed under sync), and seed 1 other data."""
    assert workload.check(compute(workload, size), reference)
    assert not workload.check(compute(workload, size, seed=1), reference)


def perturbed_frame(result: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """A copy of a pandas result whose numbers are all a little off (x 1.001 + 1), its index kept."""
    if isinstance(result, pd.Series):
        return result * 1.001 + 1
    out = result.copy()
    numeric = out.select_dtypes("number").columns
    out[numeric] = out[numeric] * 1.001 + 1
    return out
