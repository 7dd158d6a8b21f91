"""Dask's own process pool sends tasks in chunks: what that costs a compute of few tasks.

``dask.multiprocessing.get`` as shipped batches the ready tasks ``chunksize`` (6) at a time per free
worker (:func:`dask.local.get_async`); the suite's kept pool sends them one at a time (``chunksize=1``).
On many tasks the chunks even out (and save round trips); on few, one worker runs a chunk of six while
another idles.  The cost model (:mod:`reports.model`) charges an as-shipped ``processes-N`` the
difference in its compute term, and :mod:`reports.model_inputs` takes it out of the start it reads
off workloads measured both ways.
"""
from __future__ import annotations

__all__ = ["chunking", "DASK_CHUNKSIZE"]

DASK_CHUNKSIZE = 6  # dask.multiprocessing.get's default ``chunksize`` (Dask 2026.8): tasks a worker gets at once


def chunking(n: float, workers: float, chunksize: int = DASK_CHUNKSIZE) -> float:
    """How much longer *n* equal, independent tasks take on *workers* processes when sent in chunks of
    *chunksize*, as Dask's own pool sends them (:func:`dask.local.get_async`: the ready tasks, up to
    ``chunksize`` per free worker), than one at a time (the suite's kept pool, ``chunksize=1``).

    8 tasks on 2 workers go as a chunk of 6 and one of 2: one worker runs 6 while the other idles after 2,
    1.5× the balanced 4 (a 8-task GIL-bound plugin here: as-shipped ``processes-2`` 1.06 s against the
    kept pool's 380 ms, of which the start explained 0.3–0.5 s).  Many tasks: about 1.

    >>> chunking(8, 2), chunking(20, 2), chunking(1, 2), chunking(10_000, 2)
    (1.5, 1.2, 1.0, 1.0)
    """
    n, w = int(round(n)), max(1, int(round(workers)))
    if n <= 1 or chunksize <= 1 or n > 50 * w * chunksize:
        return 1.0

    def makespan(c: int) -> int:
        free, ready, busy = list(range(w)), n, []  # busy: (time free again, worker)
        t = 0
        while ready or busy:
            take = min(ready, c * len(free))
            ready -= take
            while take > 0 and free:
                size = min(c, take)
                take -= size
                busy.append((t + size, free.pop()))
            busy.sort()
            t, worker = busy.pop(0)
            free.append(worker)
        return t

    return makespan(chunksize) / makespan(1)
