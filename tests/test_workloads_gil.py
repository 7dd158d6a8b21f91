"""The GIL workloads of workloads/gil.py: the compiled kernels of :mod:`kernels` as dask graphs.

Every variant builds deterministically, computes the same under sync and threads, and its
check rejects a perturbed result; the compute variants sum what the reference kernel sums
over the same numbers; each family's variants differ in one parameter only; the quick size
builds enough tasks for the workers.
"""
from __future__ import annotations

import os
import pickle

import dask
import numpy as np
import pytest
from dask.base import tokenize

from _computing import assert_processes_agree, compute
from kernels import reference
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


def _tasks(built) -> int:
    return len(built) if isinstance(built, list) else built.npartitions


# -- declarations --------------------------------------------------------------------------


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


@pytest.mark.parametrize("family", ["kernel-sleep", "kernel-compute", "kernel-retake", "kernel-callback",
                                    "kernel-prange", "array-matmul-blas"])
def test_a_family_s_variants_differ_in_their_params_only(family):
    variants = [w for w in gil.WORKLOADS.values() if w.family == family]
    assert len(variants) >= 2
    assert len({tuple(sorted(w.params.items())) for w in variants}) == len(variants)
    # one size for every variant, so their times compare (quick may leave some out: see below)
    assert len({(w.collection, w.claims, w.interleave, w.sizes["default"], w.sizes["full"]) for w in variants}) == 1


def test_quick_runs_the_ends_of_the_k_range_only():
    for family in ("kernel-retake", "kernel-callback"):
        ks = [w.params["k"] for w in gil.WORKLOADS.values() if w.family == family and w.in_profile("quick")]
        assert ks == [gil.RETAKE_KS[0], gil.RETAKE_KS[-1]]
    # a variant left out of quick is run, when named, at the default size of its family
    assert gil.WORKLOADS["kernel-retake-k32"].size_for("quick") == gil.WORKLOADS["kernel-retake-k1"].sizes["default"]


def test_nbytes_states_the_input():
    assert gil.WORKLOADS["kernel-compute-nogil"].nbytes(1_000) == 8_000
    assert gil.WORKLOADS["array-matmul-blas1"].nbytes(10) == 8 * gil.NCHUNKS * 100
    assert gil.WORKLOADS["kernel-sleep-gil"].nbytes(10) == 0  # sleeps read no data


# -- builds and computes -------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_gil_workload_build_is_deterministic(name):
    w = gil.WORKLOADS[name]
    size = _small(w)
    assert tokenize(w.build(size, 0)) == tokenize(w.build(size, 0))
    assert w.description and w.nbytes(size) >= 0


@pytest.mark.parametrize("name", NAMES)
def test_gil_workload_quick_has_parallel_tasks(name):
    w = gil.WORKLOADS[name]
    assert _tasks(w.build(w.size_for("quick"), 0)) >= 4


@pytest.mark.parametrize("name", NAMES)
def test_gil_workload_sync_equals_threads(name):
    w = gil.WORKLOADS[name]
    size = _small(w)
    (sync,) = dask.compute(w.build(size, 0), scheduler="sync")
    (threads,) = dask.compute(w.build(size, 0), scheduler="threads", num_workers=2)
    assert w.check(threads, sync)
    assert w.check(sync, sync)
    assert not w.check(_perturb(sync), sync)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["kernel-sleep-gil", "kernel-callback-k32", "kernel-prange-libcores",
                                  "array-matmul-blascores"])
def test_gil_workload_processes_equal_sync(name):
    w = gil.WORKLOADS[name]
    assert_processes_agree(w, _small(w), compute(w, _small(w)))


@pytest.mark.parametrize("name", ["kernel-compute-nogil", "kernel-compute-gil", "kernel-prange-lib1",
                                  "kernel-retake-k32", "kernel-callback-k1"])
def test_gil_kernel_workloads_agree_with_reference(name):
    w = gil.WORKLOADS[name]
    (got,) = dask.compute(w.build(800, 3), scheduler="sync")
    x = np.concatenate(dask.compute(*gil._random(800, 3).to_delayed().ravel().tolist(), scheduler="sync"))
    assert got.shape == (gil.NCHUNKS,)
    assert got.sum() == pytest.approx(reference.trig_sum_numpy(x, gil.REPEAT), rel=1e-10)


def test_sleep_tasks_return_their_index():
    w = gil.WORKLOADS["kernel-sleep-nogil"]
    assert compute(w, 3) == [0, 1, 2]


def test_matmul_block_is_the_scaled_chained_product():
    b = np.random.default_rng(0).random((6, 6))
    want = b
    for _ in range(gil.MATMUL_REPEAT):
        want = (b @ want) * (2.0 / 6)
    assert gil._matmul_block(b, 1) == pytest.approx(np.array([[want.sum()]]), rel=1e-12)


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


def test_trig_block_rejects_an_unknown_variant():
    with pytest.raises(ValueError, match="variant must be one of"):
        gil._trig_block(np.ones(4), "fast")


def test_resolve_threads():
    assert gil.resolve_threads("cores") == (os.cpu_count() or 1)
    assert gil.resolve_threads(1) == 1 and gil.resolve_threads("3") == 3
    with pytest.raises(ValueError, match="library_threads"):
        gil.resolve_threads(0)


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in NAMES if gil.WORKLOADS[n].in_profile("quick")])
def test_quick_size_computes_under_sync(name):
    w = gil.WORKLOADS[name]
    got = compute(w, w.size_for("quick"))
    assert w.check(got, got) and not w.check(_perturb(got), got)
