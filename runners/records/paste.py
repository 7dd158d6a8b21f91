"""The code a user pastes to get what a spec measured: every knob the measurement used.

A recommendation ends with :func:`code` of its spec; the harness check runs the
same text in a fresh interpreter (:mod:`runners.plaindask`), so the snippet is
what was timed, not a description of it.  Each snippet sets Dask's scheduler for
the rest of the program (``dask.config.set`` outside a ``with``, or a ``Client``
made the default) and leaves ``dask.compute(...)`` to the user; the one-off
reading of ``distributed`` (as shipped: the cluster started for the compute)
wraps the compute itself.

>>> from runners.records.kinds import parse
>>> print(code(parse("threads-2")))
import dask
dask.config.set(scheduler="threads", num_workers=2)
>>> print(code(parse("processes-2")))
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
import dask
pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))  # kept for every compute
dask.config.set(scheduler="processes", pool=pool, chunksize=1)  # with a pool, num_workers is ignored
>>> print(code(parse("processes-2-shipped")))
import dask
dask.config.set(scheduler="processes", num_workers=2)  # a new pool of 2 per compute, 6 tasks per batch
"""
from __future__ import annotations

from runners.records.kinds import SchedulerSpec, is_cluster, is_process_pool, is_serial, is_threads

__all__ = ["code", "one_line"]


def code(spec: SchedulerSpec) -> str:
    """The lines that configure Dask as *spec* was measured (``dask.compute(...)`` left to the user)."""
    if is_serial(spec.kind):
        return 'import dask\ndask.config.set(scheduler="sync")'
    if is_threads(spec.kind):
        return f'import dask\ndask.config.set(scheduler="threads", num_workers={spec.workers})'
    if is_process_pool(spec.kind):
        if spec.as_shipped:
            return (f'import dask\ndask.config.set(scheduler="processes", num_workers={spec.workers})'
                    f"  # a new pool of {spec.workers} per compute, 6 tasks per batch")
        return ("import multiprocessing\nfrom concurrent.futures import ProcessPoolExecutor\nimport dask\n"
                f'pool = ProcessPoolExecutor({spec.workers}, mp_context=multiprocessing.get_context("spawn"))'
                "  # kept for every compute\n"
                'dask.config.set(scheduler="processes", pool=pool, chunksize=1)  # with a pool, num_workers is ignored')
    if is_cluster(spec.kind):
        if spec.address:
            return f'from dask.distributed import Client\nclient = Client("{spec.address}")  # dask.compute now runs there'
        cluster = f"LocalCluster(n_workers={spec.workers}, threads_per_worker={spec.threads_per_worker})"
        if spec.as_shipped:
            return ("import dask\nfrom dask.distributed import Client, LocalCluster\n"
                    f"with {cluster} as cluster, Client(cluster):  # started for this one compute\n"
                    "    result = dask.compute(x)")
        return ("from dask.distributed import Client, LocalCluster\n"
                f"cluster = {cluster}  # kept for every compute\n"
                "client = Client(cluster)  # dask.compute now runs on it")
    raise ValueError(f"no code for {spec.label!r}")


def one_line(spec: SchedulerSpec) -> str:
    """The snippet's deciding line, for a table cell: ``dask.config.set(scheduler="threads", num_workers=2)``."""
    lines = [ln.split("  #")[0] for ln in code(spec).splitlines()
             if not ln.startswith(("import ", "from ")) and ln.strip()]
    return "; ".join(ln.strip() for ln in lines)
