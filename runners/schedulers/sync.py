"""``sync``: one task at a time in this interpreter, the baseline every speedup is over.

Its result is the reference every other scheduler's is checked against; its
repeats also estimate the bytes the ``processes`` scheduler would pickle
(:class:`runners.schedulers.inprocess.TaskBytes`).

>>> import dask, os
>>> from runners.records.kinds import parse
>>> with Sync(parse("sync")) as s:
...     s.compute([dask.delayed(sum)([1, 2])]), s.pids() == [os.getpid()]
((3,), True)
"""
from __future__ import annotations

from typing import Any, Sequence

import dask

from runners.measure import Instruments, Measurement
from runners.schedulers.base import Scheduler
from runners.schedulers.inprocess import measure_in_process

__all__ = ["Sync"]


class Sync(Scheduler):
    """Dask's single-threaded scheduler: nothing to start or stop."""

    kind = "sync"
    plain_checked = True

    def compute(self, objs: Sequence[Any]) -> tuple[Any, ...]:
        return dask.compute(*objs, scheduler="sync")

    def measure(self, objs: Sequence[Any], ins: Instruments, timeout: float | None = None) -> Measurement:
        # In the main thread, as a user's sync compute runs (its malloc arena: runners.measure.run_with_timeout)
        return measure_in_process(lambda: self.compute(objs), ins, timeout, count_bytes=True, here=True)
