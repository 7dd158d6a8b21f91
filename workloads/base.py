"""The workload declaration: what to build, at what size, and how to compare results.

A workload knows nothing of schedulers.  ``build(size, seed)`` returns a dask
collection (or a list of ``dask.delayed`` objects) *without computing it*;
``check(result, reference)`` says whether two computed results agree.  It
names the claims it serves and the scheduler kinds it is meant for as plain
strings: the runner checks them against the claim registry and the kinds it
knows (:mod:`runners.all`, :class:`runners.plan.Plan`).

>>> import dask.array as da
>>> w = Workload(
...     name="ones-sum", collection="array", claims=("C1",),
...     sizes={"quick": 1_000, "default": 10_000, "full": 100_000},
...     build=lambda size, seed: da.ones(size, chunks=size // 4).sum(),
...     check=lambda result, reference: result == reference,
...     nbytes=lambda size: 8 * size,
... )
>>> w.size_for("quick"), w.nbytes(1_000)
(1000, 8000)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Callable, Literal, Mapping

__all__ = [
    "COLLECTIONS",
    "Collection",
    "Workload",
    "PROFILES",
]

Collection = Literal["array", "dataframe", "bag", "delayed"]
COLLECTIONS: tuple[Collection, ...] = ("array", "dataframe", "bag", "delayed")
PROFILES: tuple[str, ...] = ("quick", "default", "full")


@dataclass(frozen=True)
class Workload:
    """One unit of work the suite measures under every scheduler.

    Parameters
    ----------
    name
        Short, unique, kebab-case (``"array-transcendental"``); used in results and plots.
    collection
        The dask collection it is written with: one of :data:`COLLECTIONS`.
        Decides the default scheduler it is compared with (claim C12).
    claims
        Ids of the claims of docs/CLAIMS.md it serves (``("C1", "C2")``); the runner refuses an id
        no claim has.
    sizes
        Profile name -> size argument of ``build``.  Every profile of
        :data:`PROFILES` must be present; ``None`` leaves the workload out of
        that profile (``quick`` runs only what its claims need, at sizes that
        can decide them).
    build
        ``build(size, seed)`` -> dask collection, ``dask.delayed`` object or list of them.
        Pure: no compute, deterministic for a given ``(size, seed)``.
    check
        ``check(result, reference)`` -> ``True`` when the two computed results agree.
    nbytes
        ``nbytes(size)`` -> the input data's size in bytes (stated, for reports).
    description
        One sentence: what the work is and what it shows.
    family
        Groups variants of one experiment (``"kernel-retake"`` for every ``k``).
        Defaults to the name.
    params
        The variant's parameters (``{"k": 100}``), copied into every result row.
    sweep
        When true the runner also runs it at worker counts 1..2*cores (scaling claims).
    kinds
        Scheduler kinds it is meaningful under (``("sync", "threads")``); ``None`` means all.
        Names only: the runner checks them against the kinds it knows.
    real_data
        True when the data is real (shipped in a package), not generated.
    interleave
        Workloads with the same non-empty key are measured in the same rounds:
        the two sides of a ratio across workloads (a kernel with and without
        the GIL) are then timed seconds apart, as within one workload.
    """

    name: str
    collection: Collection
    claims: tuple[str, ...]
    sizes: Mapping[str, int]
    build: Callable[[int, int], Any]
    check: Callable[[Any, Any], bool]
    nbytes: Callable[[int], int] = lambda size: 0
    description: str = ""
    family: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    sweep: bool = False
    kinds: tuple[str, ...] | None = None
    real_data: bool = False
    interleave: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or any(c.isspace() for c in self.name):
            raise ValueError(f"workload name must be a non-empty string without spaces; got {self.name!r}")
        if self.collection not in COLLECTIONS:
            raise ValueError(
                f"workload {self.name!r}: collection must be one of "
                f"{', '.join(COLLECTIONS)}; got {self.collection!r}"
            )
        if isinstance(self.claims, str) or not all(isinstance(c, str) and c for c in self.claims):
            raise ValueError(f"workload {self.name!r}: claims must be a tuple of claim ids; got {self.claims!r}")
        missing = [p for p in PROFILES if p not in self.sizes]
        if missing:
            raise ValueError(f"workload {self.name!r}: sizes lacks profiles {missing}")
        for attr in ("build", "check", "nbytes"):
            if not callable(getattr(self, attr)):
                raise ValueError(f"workload {self.name!r}: {attr} must be callable")
        if self.kinds is not None and (isinstance(self.kinds, str) or not all(isinstance(k, str) for k in self.kinds)):
            raise ValueError(f"workload {self.name!r}: kinds must be a tuple of scheduler kinds; got {self.kinds!r}")
        object.__setattr__(self, "claims", tuple(self.claims))
        if self.kinds is not None:
            object.__setattr__(self, "kinds", tuple(self.kinds))
        object.__setattr__(self, "sizes", MappingProxyType(dict(self.sizes)))
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))
        if not self.family:
            object.__setattr__(self, "family", self.name)

    def size_for(self, profile: str) -> int:
        """The ``build`` size for *profile* (``"quick"``, ``"default"``, ``"full"``).

        A workload left out of a profile (size ``None``) that is asked for by
        name runs at the next larger profile's size.
        """
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}")
        for p in PROFILES[PROFILES.index(profile):]:
            if self.sizes.get(p) is not None:
                return self.sizes[p]
        raise ValueError(f"workload {self.name!r} has no size for {profile!r} or larger")

    def in_profile(self, profile: str) -> bool:
        """Does *profile* run this workload when no workload is named?  (size not ``None``)"""
        return self.sizes.get(profile) is not None
