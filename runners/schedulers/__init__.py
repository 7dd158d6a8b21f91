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
:mod:`runners.records.kinds`.  Adding a kind is one module here (its
:class:`Scheduler` subclass is found by :func:`discover`), its label and meaning
in the vocabulary, and its tests.

>>> from runners.records.kinds import KINDS, parse
>>> sorted(SCHEDULERS) == sorted(KINDS)
True
>>> with for_spec(parse("threads-2")) as s:
...     type(s).__name__, s.compute([1])
('Threads', (1,))
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Sequence

from runners.records.kinds import KINDS, SchedulerSpec
from runners.schedulers.base import Scheduler, SchedulerUnavailable
from runners.schedulers.distributed import ClusterUnreachable

if TYPE_CHECKING:
    from distributed.security import Security

__all__ = ["SCHEDULERS", "for_spec", "discover", "Scheduler", "SchedulerUnavailable", "ClusterUnreachable"]


def discover() -> dict[str, type[Scheduler]]:
    """Every kind's :class:`Scheduler`, from the modules of this package, in the vocabulary's order.

    Modules whose name starts with ``_`` run inside workers and are not imported here.  A kind
    with no class, or two classes of one kind, is an error: the vocabulary and the behaviour must
    name the same kinds.
    """
    found: dict[str, type[Scheduler]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        for cls in vars(mod).values():
            if (isinstance(cls, type) and issubclass(cls, Scheduler) and cls.__module__ == mod.__name__
                    and getattr(cls, "kind", None) in KINDS):
                if cls.kind in found and found[cls.kind] is not cls:
                    raise RuntimeError(f"two schedulers of kind {cls.kind!r}: {found[cls.kind]} and {cls}")
                found[cls.kind] = cls
    missing = [k for k in KINDS if k not in found]
    if missing:
        raise RuntimeError(f"no scheduler module for kind(s) {', '.join(missing)} in {__name__}")
    return {k: found[k] for k in KINDS}


SCHEDULERS: dict[str, type[Scheduler]] = discover()


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
