"""The claim registry: every claim the suite tests, in one place.

A claim has an id, its text, the scheduler kinds its rule reads (a lean
profile runs a workload only under the kinds its claims need), whether it is
about scaling (``inconclusive`` on one core), and the name of its rule
(``module:function`` under :mod:`reports.rules`).  Workloads name the claims
they serve by id; runners read the kinds; reports find the rule by name.
Adding a claim: one entry here, one rule function in a module of
``reports/rules/``.  The claims themselves, with their experiments, are in
``docs/CLAIMS.md``.

>>> CLAIMS["C5"].rule, sorted(CLAIMS["C5"].kinds)
('kernels:c5', ['sync', 'threads'])
>>> CLAIM_IDS[:3], len(CLAIM_IDS)
(('C1', 'C2', 'C3'), 14)
"""
from __future__ import annotations

from typing import NamedTuple

__all__ = ["Claim", "CLAIMS", "CLAIM_IDS", "SCHEDULER_KINDS", "DEFAULT_KIND"]

SCHEDULER_KINDS: tuple[str, ...] = ("sync", "threads", "processes", "distributed")
# Dask's default scheduler kind per collection (what users get without asking).
DEFAULT_KIND: dict[str, str] = {"array": "threads", "dataframe": "threads", "delayed": "threads", "bag": "processes"}

_ALL = frozenset(SCHEDULER_KINDS)
_LOCAL = frozenset({"sync", "threads"})


class Claim(NamedTuple):
    """One claim of the suite (see the module docstring)."""

    id: str
    text: str
    kinds: frozenset[str]
    scaling: bool
    rule: str


_REGISTRY = (
    Claim("C1", "NumPy kernels release the GIL, so dask.array speeds up under the threaded scheduler.",
          _LOCAL, True, "arrays:c1"),
    Claim("C2", "For array work threads beat processes, which must pickle chunks between workers.",
          _ALL, False, "arrays:c2"),
    Claim("C3", "Pure-Python work holds the GIL: threads give no speedup, processes do (bag default).",
          frozenset({"sync", "threads", "processes"}), True, "python:c3"),
    Claim("C4", "Jacobi stencil: pure Python flat on threads, NumPy scales to the cores then levels off, "
                "processes about as fast as threads.", frozenset({"sync", "threads", "processes"}), True, "arrays:c4"),
    Claim("C5", "A compiled kernel that releases the GIL runs in parallel on threads; holding it serialises.",
          _LOCAL, True, "kernels:c5"),
    Claim("C6", "Releasing the GIL does not make single-threaded code faster.", _LOCAL, False, "kernels:c6"),
    Claim("C7", "A kernel that re-takes the GIL in its hot loop loses the parallel speedup.", _LOCAL, True, "kernels:c7"),
    Claim("C8", "Library threads (prange/OpenMP, BLAS) oversubscribe the scheduler's threads.", _LOCAL, True,
          "kernels:c8"),
    Claim("C9", "Per-task overhead: sync < threads < processes < distributed; tiny tasks do not pay.", _ALL, False,
          "tasks:c9"),
    Claim("C10", "pandas numeric ops release the GIL (threads pay off); object columns and apply hold it.",
          _LOCAL, True, "frames:c10"),
    Claim("C11", "Parsing text is GIL-bound and belongs on processes.", frozenset({"sync", "threads", "processes"}),
          True, "python:c11"),
    Claim("C12", "Dask's default scheduler per collection is the best or within noise of the best.", _LOCAL, False,
          "defaults:c12"),
    Claim("C13", "A GIL-holding Python thread delays GIL-releasing threads (switch interval convoy).", _LOCAL, True,
          "convoy:c13"),
    Claim("C14", "Without the GIL (free-threaded CPython) pure-Python work scales on threads.",
          frozenset({"sync", "threads", "processes"}), True, "python:c14"),
)

CLAIMS: dict[str, Claim] = {c.id: c for c in _REGISTRY}
CLAIM_IDS: tuple[str, ...] = tuple(CLAIMS)
