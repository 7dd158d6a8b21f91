"""The scheduler-kind vocabulary: the kinds, their labels, and what each kind means for a measurement.

Part of the results package (:mod:`runners.records`): reports read rows by
kind through these names and predicates, never by comparing kind strings, so a
kind's meaning lives here and its behaviour in :mod:`runners.schedulers`.

>>> parse("threads-2")
SchedulerSpec(kind='threads', workers=2, threads_per_worker=1, address=None, as_shipped=False)
>>> parse("distributed-2x1").label
'distributed-2x1'
>>> parse("distributed@tcp://127.0.0.1:8786").address
'tcp://127.0.0.1:8786'
>>> parse("sync").label
'sync'
>>> parse("processes-2-shipped").as_shipped, parse("processes-2-tuned").label
(True, 'processes-2')
>>> [s.label for s in parse_list("sync,processes-2")]
['sync', 'processes-2', 'processes-2-shipped']
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
           "is_one_by_n", "SHIPPED", "TUNED", "has_readings", "is_shipped", "dask_layout", "layouts", "TWIN",
           "twin_label"]

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

# The two readings of a multi-process kind: as Dask ships it (``scheduler="processes"`` with no
# pool: a new pool of spawned workers per compute, chunksize 6; ``distributed``: the
# LocalCluster and Client started for the one compute) and tuned (the suite's kept pool with
# chunksize=1, the kept cluster: what ``processes-N`` always meant).  A label without a suffix
# is the tuned reading; ``-shipped`` and ``-tuned`` name one reading.
SHIPPED = "-shipped"
TUNED = "-tuned"

# A spec of another workload of the same interleaved group (twins that share their rounds: C5, C6, C8
# compare a kernel with its twin), as the rounds' decider names it beside the workload's own labels.
TWIN = "|"


def twin_label(workload: str, label: str) -> str:
    """The name of *workload*'s spec *label* among its twin's samples.

    >>> twin_label("kernel-sleep-gil", "threads-2")
    'kernel-sleep-gil|threads-2'
    """
    return f"{workload}{TWIN}{label}"

_LABEL = re.compile(
    r"^(?:(?P<sync>sync)"
    r"|(?P<local>threads|processes)-(?P<n>\d+)"
    r"|distributed-(?P<w>\d+)x(?P<t>\d+)"
    r"|distributed@(?P<addr>[a-z]+://[^\s]+?)(?:-(?P<aw>\d+)x(?P<at>\d+))?)"
    r"(?P<reading>-shipped|-tuned)?$"
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
    as_shipped: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"scheduler kind must be one of {', '.join(KINDS)}; got {self.kind!r}")
        if self.workers < 1 or self.threads_per_worker < 1:
            raise ValueError(f"workers and threads per worker must be >= 1; got {self.workers}x{self.threads_per_worker}")
        if self.address is not None and not is_cluster(self.kind):
            raise ValueError("only a distributed spec can name a cluster address")
        if not is_cluster(self.kind) and self.threads_per_worker != 1:
            raise ValueError(f"{self.kind} specs have one thread per worker")
        if self.as_shipped and not has_readings(self.kind):
            raise ValueError(f"{self.kind} has one reading only: as Dask ships it is how the suite runs it")
        if self.as_shipped and self.address is not None:
            raise ValueError("a cluster at an address is already started: it has no as-shipped reading")

    @property
    def label(self) -> str:
        """Key used in results, the CLI and plots: 'sync', 'threads-2', 'distributed-2x1', 'processes-2-shipped'."""
        if is_serial(self.kind):
            return "sync"
        if is_cluster(self.kind):
            if self.address:
                return f"distributed@{self.address}"
            base = f"distributed-{self.workers}x{self.threads_per_worker}"
        else:
            base = f"{self.kind}-{self.workers}"
        return base + (SHIPPED if self.as_shipped else "")

    @property
    def tuned(self) -> SchedulerSpec:
        """The tuned reading of this spec (itself when it is one)."""
        return SchedulerSpec(self.kind, self.workers, self.threads_per_worker, self.address)

    @property
    def shipped(self) -> SchedulerSpec:
        """The as-shipped reading of this spec."""
        return SchedulerSpec(self.kind, self.workers, self.threads_per_worker, self.address, as_shipped=True)

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


def has_readings(kind: str | None) -> bool:
    """Measured two ways, as Dask ships it and tuned (``processes``, ``distributed``): pools started per compute."""
    return pickles(kind)


def is_shipped(label: str) -> bool:
    """Whether *label* names the as-shipped reading: ``is_shipped("processes-2-shipped")``."""
    return label.endswith(SHIPPED)


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
            "distributed-WxT, distributed@tcp://HOST:PORT (N, W, T >= 1); processes-N and distributed-WxT "
            "may end in -shipped (as Dask ships it) or -tuned"
        )
    shipped = m["reading"] == SHIPPED
    try:
        if m["reading"] and not (m["local"] == "processes" or m["w"]):
            raise ValueError("only processes-N and distributed-WxT have an as-shipped and a tuned reading")
        if m["sync"]:
            return SchedulerSpec("sync")
        if m["local"]:
            return SchedulerSpec(m["local"], workers=int(m["n"]), as_shipped=shipped)  # type: ignore[arg-type]
        if m["addr"]:
            return SchedulerSpec("distributed", address=m["addr"])
        return SchedulerSpec("distributed", workers=int(m["w"]), threads_per_worker=int(m["t"]), as_shipped=shipped)
    except ValueError as e:
        raise ValueError(f"bad scheduler label {label!r}: {e}") from None


def parse_list(text: str, both: bool = True) -> list[SchedulerSpec]:
    """Parse a comma-separated list of labels, keeping order and dropping repeats.

    With *both*, a label with two readings and no suffix (``processes-2``, ``distributed-2x1``)
    stands for both: the tuned spec, then the as-shipped one; ``-tuned``/``-shipped`` select one.
    """
    specs: list[SchedulerSpec] = []
    for part in text.split(","):
        if part.strip():
            spec = parse(part)
            plain = not part.strip().endswith((SHIPPED, TUNED))
            for s in ([spec, spec.shipped] if both and plain and has_readings(spec.kind) and not spec.address
                      else [spec]):
                if s not in specs:
                    specs.append(s)
    if not specs:
        raise ValueError("no scheduler labels given")
    return specs


def dask_layout(n: int) -> tuple[int, int]:
    """(worker processes, threads per worker) Dask's ``LocalCluster`` picks by itself for *n* cores.

    >>> dask_layout(2), dask_layout(4), dask_layout(16), dask_layout(32)
    ((2, 1), (4, 1), (4, 4), (8, 4))
    """
    if n < 1:
        raise ValueError(f"the core count must be >= 1; got {n}")
    from distributed.deploy.utils import nprocesses_nthreads  # distributed is slow to import: only when asked

    processes, threads = nprocesses_nthreads(n)
    return int(processes), int(threads)


def layouts(n: int) -> list[tuple[int, int]]:
    """The splits of *n* cores into (worker processes, threads per worker) the layout sweep measures.

    N×1 (the suite's base ``distributed-Nx1``), 1×N (one process, N threads) and the split
    Dask's ``LocalCluster`` picks by itself (``distributed.deploy.utils.nprocesses_nthreads``:
    N×1 up to four cores, above that the smallest factor >= √N processes), without repeats.

    >>> layouts(1), layouts(4), layouts(6), layouts(7)
    ([(1, 1)], [(4, 1), (1, 4)], [(6, 1), (1, 6), (3, 2)], [(7, 1), (1, 7)])
    """
    return list(dict.fromkeys([(n, 1), (1, n), dask_layout(n)]))
