"""Scheduler specs: one scheduler configuration under test, as a value with a stable label.

>>> parse("threads-2")
SchedulerSpec(kind='threads', workers=2, threads_per_worker=1, address=None)
>>> parse("distributed-2x1").label
'distributed-2x1'
>>> parse("distributed@tcp://127.0.0.1:8786").address
'tcp://127.0.0.1:8786'
>>> parse("sync").label
'sync'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["Kind", "KINDS", "SchedulerSpec", "parse", "parse_list", "DEFAULT_SCHEDULER"]

Kind = Literal["sync", "threads", "processes", "distributed"]
KINDS: tuple[Kind, ...] = ("sync", "threads", "processes", "distributed")

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
        if self.address is not None and self.kind != "distributed":
            raise ValueError("only a distributed spec can name a cluster address")
        if self.kind != "distributed" and self.threads_per_worker != 1:
            raise ValueError(f"{self.kind} specs have one thread per worker")

    @property
    def label(self) -> str:
        """Key used in results, the CLI and plots: 'sync', 'threads-2', 'distributed-2x1'."""
        if self.kind == "sync":
            return "sync"
        if self.kind == "distributed":
            if self.address:
                return f"distributed@{self.address}"
            return f"distributed-{self.workers}x{self.threads_per_worker}"
        return f"{self.kind}-{self.workers}"

    @property
    def nthreads(self) -> int:
        """Total threads that run tasks (1 for sync)."""
        return 1 if self.kind == "sync" else self.workers * self.threads_per_worker


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
