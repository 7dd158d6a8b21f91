"""The scheduler-kind vocabulary: the kinds, their labels, and what each kind means for a measurement.

Part of the results package (:mod:`runners.records`): reports read rows by
kind through these names and predicates, never by comparing kind strings, so a
kind's meaning lives here and its behaviour in :mod:`runners.schedulers`.

>>> parse("threads-2")
SchedulerSpec(kind='threads', workers=2, threads_per_worker=1, address=None)
>>> parse("distributed-2x1").label
'distributed-2x1'
>>> parse("distributed@tcp://127.0.0.1:8786").address
'tcp://127.0.0.1:8786'
>>> parse("sync").label
'sync'
>>> is_serial("sync"), in_process("threads"), pickles("processes"), is_cluster("distributed")
(True, True, True, True)
>>> label_at("distributed", 4), label_at("sync", 4), [k for k in KINDS if RANK[k] < RANK["processes"]]
('distributed-4x1', 'sync', ['sync', 'threads'])
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["Kind", "KINDS", "POOLS", "RANK", "SchedulerSpec", "parse", "parse_list", "DEFAULT_SCHEDULER", "is_serial",
           "is_threads", "is_process_pool", "is_cluster", "in_process", "pickles", "label_at", "kind_of",
           "is_one_by_n"]

Kind = Literal["sync", "threads", "processes", "distributed"]
KINDS: tuple[Kind, ...] = ("sync", "threads", "processes", "distributed")
# The kinds that are a pool of N workers in one machine (what the scaling sweeps vary).
POOLS: tuple[Kind, ...] = ("threads", "processes")
# The order of their cost per task (claim C9's expectation, and the order plots and tables use).
RANK: dict[str, int] = {k: i for i, k in enumerate(KINDS)}

# Dask's own default scheduler per collection (dask/base.py get_scheduler and the
# collections' __dask_scheduler__): what claim C12 puts to the test.
DEFAULT_SCHEDULER: dict[str, str] = {
    "array": "threads",
    "dataframe": "threads",
    "delayed": "threads",
    "bag": "processes",
}

_LABEL = re.compile(
    r"^(?:(?P<sync>sync)"
    r"|(?P<local>threads|processes)-(?P<n>\d+)"
    r"|distributed-(?P<w>\d+)x(?P<t>\d+)"
    r"|distributed@(?P<addr>[a-z]+://[^\s]+?)(?:-(?P<aw>\d+)x(?P<at>\d+))?)$"
)


@dataclass(frozen=True, slots=True)
class SchedulerSpec:
    """One scheduler configuration under test.

    ``workers`` and ``threads_per_worker`` describe a LocalCluster for
    ``distributed``; for ``threads``/``processes`` ``workers`` is the pool size.
    ``address`` names an existing cluster (``tcp://host:8786``) instead of a
    LocalCluster; its size is then whatever that cluster has.
    """

    kind: Kind
    workers: int = 1
    threads_per_worker: int = 1
    address: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"scheduler kind must be one of {', '.join(KINDS)}; got {self.kind!r}")
        if self.workers < 1 or self.threads_per_worker < 1:
            raise ValueError(f"workers and threads per worker must be >= 1; got {self.workers}x{self.threads_per_worker}")
        if self.address is not None and not is_cluster(self.kind):
            raise ValueError("only a distributed spec can name a cluster address")
        if not is_cluster(self.kind) and self.threads_per_worker != 1:
            raise ValueError(f"{self.kind} specs have one thread per worker")

    @property
    def label(self) -> str:
        """Key used in results, the CLI and plots: 'sync', 'threads-2', 'distributed-2x1'."""
        if is_serial(self.kind):
            return "sync"
        if is_cluster(self.kind):
            if self.address:
                return f"distributed@{self.address}"
            return f"distributed-{self.workers}x{self.threads_per_worker}"
        return f"{self.kind}-{self.workers}"

    @property
    def nthreads(self) -> int:
        """Total threads that run tasks (1 for sync)."""
        return 1 if is_serial(self.kind) else self.workers * self.threads_per_worker


def is_serial(kind: str | None) -> bool:
    """One task at a time, in this interpreter (``sync``): the baseline every speedup is over."""
    return kind == "sync"


def is_threads(kind: str | None) -> bool:
    """A pool of threads in this interpreter (``threads``): parallel only where tasks release the GIL."""
    return kind == "threads"


def is_process_pool(kind: str | None) -> bool:
    """A pool of worker processes (``processes``): tasks and results pickled to and fro."""
    return kind == "processes"


def is_cluster(kind: str | None) -> bool:
    """A Dask cluster (``distributed``): a scheduler and worker processes, local or at an address."""
    return kind == "distributed"


def in_process(kind: str | None) -> bool:
    """Tasks run in the measuring interpreter (``sync``, ``threads``): they share its GIL, nothing is pickled."""
    return is_serial(kind) or is_threads(kind)


def pickles(kind: str | None) -> bool:
    """Tasks run in other processes (``processes``, ``distributed``): inputs and results are serialised."""
    return is_process_pool(kind) or is_cluster(kind)


def kind_of(label: str) -> str:
    """The kind of a scheduler label: ``kind_of("threads-4") == "threads"``."""
    return parse(label).kind


def label_at(kind: str, n: int) -> str:
    """The label of *kind* at *n* workers as the profiles run it (``distributed`` one thread per worker)."""
    if is_serial(kind):
        return "sync"
    return f"distributed-{n}x1" if is_cluster(kind) else f"{kind}-{n}"


def is_one_by_n(spec: SchedulerSpec) -> bool:
    """One worker process with several threads (``distributed-1xN``): a threads-in-a-process layout."""
    return is_cluster(spec.kind) and spec.workers == 1 and spec.threads_per_worker > 1


def parse(label: str) -> SchedulerSpec:
    """Parse a label such as ``threads-4`` or ``distributed-2x2`` into a spec.

    Raises ``ValueError`` naming the valid forms when the label is not one of them.
    """
    m = _LABEL.match(label.strip())
    if not m:
        raise ValueError(
            f"bad scheduler label {label!r}; expected one of: sync, threads-N, processes-N, "
            "distributed-WxT, distributed@tcp://HOST:PORT (N, W, T >= 1)"
        )
    try:
        if m["sync"]:
            return SchedulerSpec("sync")
        if m["local"]:
            return SchedulerSpec(m["local"], workers=int(m["n"]))  # type: ignore[arg-type]
        if m["addr"]:
            return SchedulerSpec("distributed", address=m["addr"])
        return SchedulerSpec("distributed", workers=int(m["w"]), threads_per_worker=int(m["t"]))
    except ValueError as e:
        raise ValueError(f"bad scheduler label {label!r}: {e}") from None


def parse_list(text: str) -> list[SchedulerSpec]:
    """Parse a comma-separated list of labels, keeping order and dropping repeats."""
    specs: list[SchedulerSpec] = []
    for part in text.split(","):
        if part.strip():
            spec = parse(part)
            if spec not in specs:
                specs.append(spec)
    if not specs:
        raise ValueError("no scheduler labels given")
    return specs
