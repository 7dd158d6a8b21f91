"""The GIL workloads of workloads/gil.py and the convoy experiment of runners/experiments.py."""
from __future__ import annotations

import pickle
import sys
import threading

import dask
import numpy as np
import pytest
from dask.base import tokenize

from runners import experiments
from workloads import gil
from workloads.base import Workload

NAMES = (
    ["kernel-sleep-nogil", "kernel-sleep-gil", "kernel-compute-nogil", "kernel-compute-gil"]
    + [f"kernel-retake-k{k}" for k in (1, 32, 1024, 32768)]
    + [f"kernel-callback-k{k}" for k in (1, 32, 1024, 32768)]
    + ["kernel-prange-lib1", "kernel-prange-libcores", "array-matmul-blas1", "array-matmul-blascores"]
)
# Small sizes so each test computes in milliseconds.
SMALL = {"kernel-sleep": 4, "array-matmul-blas": 48}
SMALL_DEFAULT = 4_000


def _small(w: Workload) -> int:
    return SMALL.get(w.family, SMALL_DEFAULT)


def _perturb(result):
    if isinstance(result, np.ndarray):
        return result * (1 + 1e-6)
    return list(result)[::-1] + [-1]


def test_gil_workload_names_families_params():
    assert list(gil.WORKLOADS) == NAMES
    w = gil.WORKLOADS
    assert w["kernel-sleep-nogil"].params == {"gil": "released"}
    assert w["kernel-sleep-gil"].params == {"gil": "held"}
    assert w["kernel-compute-gil"].family == "kernel-compute"
    assert w["kernel-retake-k32"].params == {"k": 32} and w["kernel-retake-k32"].family == "kernel-retake"
    assert w["kernel-callback-k1"].params == {"k": 1} and w["kernel-callback-k1"].claims == ("C7",)
    assert w["kernel-prange-libcores"].params == {"library_threads": "cores"}
    assert w["array-matmul-blas1"].params == {"library_threads": 1}
    assert w["array-matmul-blas1"].family == "array-matmul-blas"
    assert w["kernel-sleep-gil"].collection == "delayed" and w["kernel-sleep-gil"].claims == ("C5", "C6")


def test_gil_module_exposes_workloads_as_tuples():
    listed = [w for name in dir(gil) for w in (getattr(gil, name),)
              if isinstance(w, tuple) and w and all(isinstance(v, Workload) for v in w)]
    assert sorted(v.name for group in listed for v in group) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_gil_workload_build_is_deterministic(name):
    w = gil.WORKLOADS[name]
    size = _small(w)
    assert tokenize(w.build(size, 0)) == tokenize(w.build(size, 0))
    assert w.description and w.nbytes(size) >= 0


@pytest.mark.parametrize("name", NAMES)
def test_gil_workload_quick_has_parallel_tasks(name):
    w = gil.WORKLOADS[name]
    built = w.build(w.size_for("quick"), 0)
    n = len(built) if isinstance(built, list) else built.npartitions
    assert n >= 4


@pytest.mark.parametrize("name", NAMES)
def test_gil_workload_sync_equals_threads(name):
    w = gil.WORKLOADS[name]
    size = _small(w)
    (sync,) = dask.compute(w.build(size, 0), scheduler="sync")
    (threads,) = dask.compute(w.build(size, 0), scheduler="threads", num_workers=2)
    assert w.check(threads, sync)
    assert w.check(sync, sync)
    assert not w.check(_perturb(sync), sync)


@pytest.mark.parametrize("name", ["kernel-compute-nogil", "kernel-compute-gil", "kernel-prange-lib1"])
def test_gil_kernel_workloads_agree_with_reference(name):
    w = gil.WORKLOADS[name]
    (got,) = dask.compute(w.build(800, 3), scheduler="sync")
    x = np.concatenate(dask.compute(*gil._random(800, 3).to_delayed().ravel().tolist(), scheduler="sync"))
    from kernels import reference

    assert got.sum() == pytest.approx(reference.trig_sum_numpy(x, gil.REPEAT), rel=1e-10)


def test_gil_seed_changes_array_data():
    w = gil.WORKLOADS["kernel-compute-nogil"]
    a, b = dask.compute(w.build(800, 0), w.build(800, 1), scheduler="sync")
    assert not w.check(a, b)


def test_gil_task_graphs_pickle():
    # processes/distributed pickle tasks: the task functions must be importable.
    for name in ("kernel-sleep-gil", "kernel-callback-k32", "array-matmul-blascores"):
        w = gil.WORKLOADS[name]
        built = w.build(_small(w), 0)
        graphs = [d.__dask_graph__() for d in built] if isinstance(built, list) else [built.__dask_graph__()]
        for g in graphs:
            pickle.dumps(dict(g))


def test_resolve_threads():
    assert gil.resolve_threads("cores") >= 1
    assert gil.resolve_threads(1) == 1
    with pytest.raises(ValueError):
        gil.resolve_threads(0)


def test_convoy_rows_well_formed():
    before = sys.getswitchinterval()
    threads_before = threading.active_count()
    assert experiments.EXPERIMENTS["convoy"].run is experiments.run_convoy
    rows = experiments.run_convoy("quick", 2, calls=5, buffer_size=2_000)
    assert len(rows) == 2 * 2 * 2
    keys = {"workload", "family", "scheduler", "repeat", "wall_s", "params", "claims", "collection"}
    for r in rows:
        assert set(r) == keys
        assert r["workload"] == "convoy" and r["family"] == "convoy" and r["collection"] == "experiment"
        assert r["claims"] == ["C13"]
        assert r["scheduler"] == ("threads-2" if r["params"]["spinner"] else "threads-1")
        assert r["params"]["switch_interval_ms"] in (5.0, 0.5)
        assert isinstance(r["wall_s"], float) and r["wall_s"] > 0
        assert r["repeat"] in (0, 1)
    assert {(r["params"]["spinner"], r["params"]["switch_interval_ms"]) for r in rows} == {
        (s, i) for s in (False, True) for i in (5.0, 0.5)}
    assert sys.getswitchinterval() == before
    assert threading.active_count() == threads_before


def test_convoy_restores_state_on_error(monkeypatch):
    before = sys.getswitchinterval()
    threads_before = threading.active_count()

    def boom(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(experiments, "_time_calls", boom)
    with pytest.raises(RuntimeError, match="boom"):
        experiments.run_convoy("quick", 1, calls=2, buffer_size=100)
    assert sys.getswitchinterval() == before
    assert threading.active_count() == threads_before


def test_convoy_rejects_bad_profile():
    with pytest.raises(ValueError, match="profile"):
        experiments.run_convoy("huge", 1)
    exp = experiments.EXPERIMENTS["convoy"]
    assert exp.claims == ("C13",) and exp.name == "convoy" and exp.description
