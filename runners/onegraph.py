"""A user's many separate delayed objects, measured on one graph, with what that saves said.

``dask.compute(*work)`` on thousands of separate ``dask.delayed`` calls pays,
before any scheduler starts, for merging and culling one graph layer per call:
Dask's ``HighLevelGraph.cull`` walks every requested key once per layer, so
the cost grows with the square of the calls.  Measured here (Dask 2026.8,
5 000 calls of ``dask.delayed(f)(i)``, two computes each): 3.8–4.1 s a compute
under ``sync`` and 3.8 s under ``threads`` as given; 1.0–1.1 s and 1.3–1.4 s on
one graph.  Left in, a cost no scheduler choice changes hides the schedulers'
difference (0.96–1.0× instead of 1.3×).

:func:`prepared` therefore hands the runner (every workload's graph, in
:meth:`runners.repeats.Repeats.build`: ``compare()``'s work and a ``--workloads``
file's alike; the plain-Dask check's child likewise) the same tasks, with the
same keys, on a single-layer graph, and measures both preparations once, so the
answer says what the separate calls cost (:attr:`Preparation.note`, stored in
``rounds.jsonl`` and carried by the recommendation as ``note`` and
``graph_preparation``) instead of hiding it or spreading it over every
scheduler's time.

>>> import dask
>>> work = [dask.delayed(abs)(-i) for i in range(3)]
>>> prepared(work) == (work, None)  # a few objects: measured as given
True
>>> Preparation(calls=5000, layers=5000, separate_s=2.1, one_s=0.58).note[:90]
'your 5,000 separate delayed objects cost Dask 2.1 s at each compute before any scheduler s'
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Sequence

from reports import fmt
from runners.measure import graph_size

__all__ = ["Preparation", "prepared", "MIN_CALLS"]

# Below this many separate calls the preparation is a few milliseconds: the work is measured as given.
MIN_CALLS = 100


@dataclass(frozen=True)
class Preparation:
    """What preparing the graph costs before each compute: as given (*separate_s*) and as one graph (*one_s*)."""
    calls: int  # the separate delayed objects
    layers: int  # the graph layers Dask merges and culls at each compute
    separate_s: float
    one_s: float
    ntasks: int | None = None  # tasks of the one graph, optimised (counted while timing it: the runner needs no recount)

    @property
    def note(self) -> str:
        """One sentence for the answer: the cost as given, and that the schedulers were measured without it."""
        return (f"your {self.calls:,} separate delayed objects cost Dask {fmt.duration(self.separate_s)} at each compute "
                f"before any scheduler starts (merging and culling {self.layers:,} graph layers), under every "
                f"scheduler alike; the times here are of the same tasks on one graph ({fmt.duration(self.one_s)} to "
                f"prepare). Fewer, larger delayed calls, or a dask.bag, avoid that cost.")

    def as_dict(self) -> dict[str, Any]:
        return {"calls": self.calls, "layers": self.layers, "separate_s": self.separate_s, "one_s": self.one_s,
                "note": self.note}


def prepared(work: Any) -> tuple[Any, Preparation | None]:
    """*work* with its separate delayed objects on one single-layer graph, and what preparing each costs.

    Anything else (a collection, a few objects, objects Dask can already
    prepare cheaply) comes back as given, with None.
    """
    objs = list(work) if isinstance(work, (list, tuple)) else None
    if objs is None or len(objs) < MIN_CALLS or not all(_is_delayed(o) for o in objs):
        return work, None
    layers = len({name for o in objs for name in o.dask.layers})
    if layers < MIN_CALLS:
        return work, None
    one = _one_graph(objs)
    (separate_s, _), (one_s, ntasks) = _preparation_s(objs), _preparation_s(one)
    if separate_s is None or one_s is None or one_s >= separate_s:
        return work, None
    return (one if isinstance(work, list) else tuple(one)), Preparation(len(objs), layers, separate_s, one_s, ntasks)


def _is_delayed(obj: Any) -> bool:
    from dask.delayed import Delayed
    from dask.highlevelgraph import HighLevelGraph

    return isinstance(obj, Delayed) and isinstance(obj.dask, HighLevelGraph)


def _one_graph(objs: Sequence[Any]) -> list[Any]:
    """The tasks of *objs*, keys unchanged, on one single-layer graph; one Delayed per object on it."""
    from dask.delayed import Delayed
    from dask.highlevelgraph import HighLevelGraph

    tasks: dict[Any, Any] = {}
    for o in objs:
        tasks.update(dict(o.dask))
    name = f"one-graph-{len(tasks)}-{id(tasks):x}"
    graph = HighLevelGraph({name: tasks}, {name: set()})
    return [Delayed(o.key, graph, length=getattr(o, "_length", None), layer=name) for o in objs]


def _preparation_s(objs: Sequence[Any]) -> tuple[float | None, int | None]:
    """Seconds Dask takes to turn *objs* into the optimised graph a scheduler gets, and that graph's tasks
    (None, None if it cannot say)."""
    t0 = time.perf_counter()
    n = graph_size(objs)
    return (None, None) if n is None else (time.perf_counter() - t0, n)
