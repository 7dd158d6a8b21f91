"""What a fresh worker imports for a workload, and how long that takes (runners/worker_imports.py)."""
from __future__ import annotations

import json

import dask
import dask.array as da
import dask.bag as db

from runners import worker_imports
from runners.worker_imports import WorkerImports, import_seconds, modules


def test_the_modules_are_those_the_graph_names():
    arr = modules([(da.ones((40, 40), chunks=10) * 2).sum()])
    assert "numpy" in arr and any(m.startswith("dask.array") for m in arr)
    bag = modules([db.from_sequence(['{"a": 1}'] * 4, npartitions=2).map(json.loads).count()])
    assert "json" in bag and any(m.startswith("dask.bag") for m in bag) and "numpy" not in bag


def test_importing_them_is_timed_in_a_fresh_interpreter():
    t = import_seconds(["json", "dask.bag.core"])
    assert t is not None and t > 0  # dask.bag is not imported in a fresh interpreter: it costs something
    assert import_seconds(["workloads.tasks"]) is not None  # the project's own modules: this one's path
    assert import_seconds(["surely_not_a_module_name"]) is None


def test_workloads_with_the_same_modules_share_one_timing(monkeypatch):
    calls = []
    monkeypatch.setattr(worker_imports, "import_seconds", lambda mods: calls.append(mods) or 0.25)
    w = WorkerImports()
    one = w.measure("a", [dask.delayed(abs)(-1)])
    assert one == {"worker_imports_s": 0.25, "worker_modules": len(calls[0])}
    assert w.measure("b", [dask.delayed(abs)(-2)]) == one and w.measure("a", []) == one and len(calls) == 1
    monkeypatch.setattr(worker_imports, "import_seconds", lambda mods: None)
    assert WorkerImports().measure("c", [dask.delayed(abs)(-3)]) == {}  # cannot be told: nothing, not 0


def test_every_workload_is_measured_up_front_each_module_set_once(monkeypatch):
    calls = []
    monkeypatch.setattr(worker_imports, "import_seconds", lambda mods: calls.append(mods) or 0.5)
    w = WorkerImports()
    work = [("a", [dask.delayed(abs)(-1)]), ("b", [dask.delayed(abs)(-2)]),
            ("c", [(da.ones((8, 8), chunks=4) + 1).sum()])]
    assert w.measure_all(work, parallel=2) == 2 and len(calls) == 2
    assert w.by_workload["a"] == w.by_workload["b"] and w.by_workload["c"]["worker_modules"] > 1
    assert w.measure("c", []) == w.by_workload["c"] and len(calls) == 2  # measured already: not again
