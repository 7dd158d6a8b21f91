"""The scheduler kinds' behaviour, one module per kind, found by kind in :data:`SCHEDULERS`.

:mod:`runners.schedulers.base`
    what every kind does: start (timed), compute, measure a repeat, stop (always)
:mod:`~runners.schedulers.sync`, :mod:`~runners.schedulers.threads`, :mod:`~runners.schedulers.processes`,
:mod:`~runners.schedulers.distributed`
    one kind each: its resources, its compute, how a repeat is measured under it,
    how a user would call it plainly (the harness check)
:mod:`runners.schedulers.inprocess`
    the measurement of kinds whose tasks run in this process (``sync``, ``threads``)
``_procworker``, ``_clusterworker``
    what runs inside the worker processes of ``processes`` and ``distributed``

What a kind *means* (its labels, :class:`~runners.records.kinds.SchedulerSpec`,
predicates such as ``in_process``) is the results package's vocabulary,
:mod:`runners.records.kinds`.  Adding a kind is one module here, one entry in
:data:`SCHEDULERS`, and its tests.

>>> from runners.records.kinds import KINDS, parse
>>> sorted(SCHEDULERS) == sorted(KINDS)
True
>>> with for_spec(parse("threads-2")) as s:
...     type(s).__name__, s.compute([1])
('Threads', (1,))
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from runners.records.kinds import SchedulerSpec
from runners.schedulers.base import Scheduler, SchedulerUnavailable
from runners.schedulers.distributed import ClusterUnreachable, Distributed
from runners.schedulers.processes import Processes
from runners.schedulers.sync import Sync
from runners.schedulers.threads import Threads

if TYPE_CHECKING:
    from distributed.security import Security

__all__ = ["SCHEDULERS", "for_spec", "Scheduler", "SchedulerUnavailable", "ClusterUnreachable"]

SCHEDULERS: dict[str, type[Scheduler]] = {cls.kind: cls for cls in (Sync, Threads, Processes, Distributed)}


def for_spec(spec: SchedulerSpec, instrumented: bool = True, dashboard: bool = True, upload: Sequence[str] = (),
             security: Security | None = None) -> Scheduler:
    """The scheduler of *spec*'s kind, not yet started: use it as a context manager, or ``start()`` and ``close()``.

    *instrumented* False starts workers with no instruments (the overhead control);
    *upload* lists ``.py`` files (plugin workloads) that workers in other processes
    must import; *security* (a ``distributed.security.Security``) connects to
    ``spec.address``.
    """
    return SCHEDULERS[spec.kind](spec, instrumented=instrumented, dashboard=dashboard, upload=upload,
                                 security=security)
