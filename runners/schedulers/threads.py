"""``threads``: a pool of threads in this interpreter, parallel only where tasks release the GIL.

The pool is a ``ThreadPoolExecutor`` kept for the run and handed to
``dask.compute(scheduler="threads", pool=...)``; tasks share this process's
GIL, so its samplers (:mod:`runners.gilsamplers`) read what they wait for.

>>> import dask
>>> from runners.records.kinds import parse
>>> with Threads(parse("threads-2")) as t:
...     t.compute([dask.delayed(sum)([1, 2])]), t.executor is not None
((3,), True)
>>> t.executor is None
True
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Sequence

import dask

from runners.measure import Instruments, Measurement
from runners.schedulers.base import PoolScheduler
from runners.schedulers.inprocess import measure_in_process

__all__ = ["Threads"]


class Threads(PoolScheduler):
    """Dask's threaded scheduler on a pool of ``spec.workers`` threads."""

    kind = "threads"
    plain_checked = True

    def _start(self) -> None:
        self.executor = ThreadPoolExecutor(self.spec.workers, thread_name_prefix="suite-task")

    def compute(self, objs: Sequence[Any]) -> tuple[Any, ...]:
        return dask.compute(*objs, scheduler="threads", pool=self.executor)

    def measure(self, objs: Sequence[Any], ins: Instruments, timeout: float | None = None) -> Measurement:
        return measure_in_process(lambda: self.compute(objs), ins, timeout)
