"""The claim registry: every claim the suite tests, found in the topic modules, in the order of its number.

A claim is a :class:`~reports.claims.record.Claim` at module level in one of
:data:`MODULES`; :data:`CLAIMS` finds them all (as the workload catalogue
finds workloads).  Adding a claim: one record in the module of its topic, and
its tests in ``tests/test_claims_<module>.py`` (a new topic module is also
named in :data:`MODULES`).  Workloads name the claims they serve by id; the
runner gets the kinds and questions from here through its composition root
(:mod:`runners.all`).

>>> IDS[:3], IDS == tuple(CLAIMS), CLAIMS["C5"].verdict.__name__, sorted(CLAIMS["C5"].kinds)
(('C1', 'C2', 'C3'), True, 'c5', ['sync', 'threads'])
>>> from types import SimpleNamespace
>>> [(q.claim, q.a, q.b, q.up) for q in questions_for(SimpleNamespace(name="w", claims=("C1", "C99")), 2)]
[('C1', 'threads-2', 'sync', 1.2)]
>>> [q.up for q in questions_for(SimpleNamespace(name="w", claims=("C1",)), 2, free=1.6)]
[1.12]
"""
from __future__ import annotations

from types import MappingProxyType, ModuleType
from typing import Any, Mapping

import reports.claims.arrays as arrays
import reports.claims.convoy as convoy
import reports.claims.defaults as defaults
import reports.claims.frames as frames
import reports.claims.kernels as kernels
import reports.claims.python as python
import reports.claims.tasks as tasks
from reports.claims.questions import Question, on_cores
from reports.claims.record import Claim

__all__ = ["CLAIMS", "IDS", "MODULES", "discover", "questions_for"]

MODULES: tuple[ModuleType, ...] = (arrays, python, kernels, tasks, frames, defaults, convoy)


def discover(*modules: ModuleType) -> Mapping[str, Claim]:
    """The claims at module level in *modules*, by id, in the order of their numbers (read-only); two
    records of one id are an error."""
    found: dict[str, Claim] = {}
    for mod in modules:
        for c in vars(mod).values():
            if isinstance(c, Claim):
                if found.get(c.id, c) is not c:
                    raise ValueError(f"claim {c.id} is declared twice (one of them in {mod.__name__})")
                found[c.id] = c
    return MappingProxyType(dict(sorted(found.items(), key=lambda kv: int(kv[0][1:]))))


CLAIMS: Mapping[str, Claim] = discover(*MODULES)
IDS: tuple[str, ...] = tuple(CLAIMS)


def questions_for(workload: Any, n: int, free: float | None = None) -> list[Question]:
    """What the claims of *workload* (its ``claims`` ids) ask of its measurements at *n* workers, in the
    order it names them, the parallel-speedup bars set for the *free* cores (:func:`on_cores`); an id no
    claim has asks nothing."""
    return [on_cores(q, n, free) for cid in getattr(workload, "claims", ()) or () if cid in CLAIMS
            for q in CLAIMS[cid].questions(workload, n)]
