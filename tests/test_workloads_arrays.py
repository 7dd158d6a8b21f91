"""The dask.array workloads of workloads/arrays.py.

Each workload is computed at a tiny size under sync and compared with the same math done
by NumPy on the same generated numbers; its check rejects a perturbed result; the quick
size builds the graph its claims need (enough chunks for the workers) without computing.
"""
from __future__ import annotations

from collections import Counter

import dask
import dask.array as da
import numpy as np
import pytest
from dask.utils import key_split

from _computing import assert_deterministic, assert_processes_agree, assert_threads_agree, compute
from workloads import arrays

WORKLOADS = (arrays.TRANSCENDENTAL, arrays.OBJECT_MATH, arrays.STENCIL, arrays.MATMUL, arrays.REDUCTION)
IDS = [w.name for w in WORKLOADS]
# Sizes small enough for a compute in milliseconds.
TINY = {"array-transcendental": 64, "array-object-math": 24, "array-stencil": 64, "array-matmul": 48,
        "array-reduction": 64}


@pytest.fixture(scope="module")
def references():
    """Sync results at the tiny size, seed 0, computed once per workload."""
    return {w.name: compute(w, TINY[w.name]) for w in WORKLOADS}


def _tasks(collection) -> Counter:
    """Tasks of a collection's graph, counted by key prefix (``transcendental_block``, ``random``...)."""
    return Counter(key_split(k) for k in dict(collection.__dask_graph__()))


def _zero_padded_jacobi(u: np.ndarray) -> np.ndarray:
    """One five-point sweep of every cell, with zeros outside the grid (what map_overlap's boundary=0 makes)."""
    p = np.pad(u, 1)
    return 0.25 * (p[:-2, 1:-1] + p[2:, 1:-1] + p[1:-1, :-2] + p[1:-1, 2:])


# -- each workload computes what NumPy computes on the same numbers -----------------------


@pytest.mark.parametrize("seed", [0, 3])
def test_transcendental_is_the_formula_summed_by_row(seed):
    n = TINY["array-transcendental"]
    x = da.random.default_rng(seed).random((n, n), chunks=(arrays._CACHE_SIDE,) * 2).compute(scheduler="sync")
    want = x
    for _ in range(arrays.ROUNDS):
        want = np.sin(want) ** 2 + np.exp(-want) * np.log1p(want)
    got = compute(arrays.TRANSCENDENTAL, n, seed)
    assert got.shape == (n,)
    assert arrays.TRANSCENDENTAL.check(got, want.sum(axis=1))


def test_object_math_computes_the_transcendental_numbers_in_python_objects():
    n = TINY["array-object-math"]
    built = arrays.OBJECT_MATH.build(n, 0)
    assert built.dtype == object
    got = compute(arrays.OBJECT_MATH, n)
    assert isinstance(got[0], float)  # Python floats: one math call per element
    assert arrays.OBJECT_MATH.check(got, compute(arrays.TRANSCENDENTAL, n))


def test_transcendental_block_on_floats_and_objects_agree():
    x = np.random.default_rng(0).random((3, 4))
    floats = arrays.transcendental_block(x)
    objects = arrays.transcendental_block(x.astype(object))
    assert floats.dtype == np.float64 and objects.dtype == object
    assert np.allclose(objects.astype(float), floats, rtol=1e-12, atol=0.0)


def test_stencil_is_four_zero_boundary_sweeps_summed_by_column():
    n = TINY["array-stencil"]
    u = arrays._uniform(n, 0).compute(scheduler="sync")
    for _ in range(arrays._STENCIL_ITERATIONS):
        u = _zero_padded_jacobi(u)
    assert arrays.STENCIL.check(compute(arrays.STENCIL, n), u.sum(axis=0))


def test_stencil_block_updates_the_inside_and_keeps_the_halo():
    u = np.arange(16.0).reshape(4, 4)
    out = arrays.stencil_block(u)
    assert out[1, 1] == 0.25 * (u[0, 1] + u[2, 1] + u[1, 0] + u[1, 2])
    assert np.array_equal(out[0], u[0]) and np.array_equal(out[:, -1], u[:, -1])
    assert u[1, 1] == 5.0  # the input is left alone


def test_matmul_is_the_product_summed_by_column():
    n = TINY["array-matmul"]
    rng = da.random.default_rng(0)
    chunks = (-(-n // 2),) * 2
    a, b = dask.compute(rng.standard_normal((n, n), chunks=chunks), rng.standard_normal((n, n), chunks=chunks),
                        scheduler="sync")
    assert arrays.MATMUL.check(compute(arrays.MATMUL, n), (a @ b).sum(axis=0))


def test_reduction_is_mean_std_sum_and_max_over_both_axes():
    n = TINY["array-reduction"]
    x = da.random.default_rng(0).standard_normal((n, n), chunks=arrays._chunks(n)).compute(scheduler="sync")
    want = np.concatenate([x.mean(axis=0), x.std(axis=1), x.sum(axis=0), x.max(axis=1)])
    got = compute(arrays.REDUCTION, n)
    assert got.shape == (4 * n,)
    assert arrays.REDUCTION.check(got, want)


# -- the check, the seed, the schedulers ---------------------------------------------------


@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_check_rejects_a_perturbed_result(workload, references):
    reference = references[workload.name]
    assert workload.check(reference, reference)
    assert not workload.check(np.asarray(reference, dtype=float) * 1.001 + 1e-3, reference)
    assert not workload.check(reference[:-1], reference)  # another shape


def test_check_close_tolerates_rounding_only():
    x = np.array([1.0, -2.0, 3.0])
    assert arrays.check_close(x * (1 + 1e-9), x)
    assert not arrays.check_close(x * (1 + 1e-6), x)
    assert arrays.check_close(np.float64(2.0), 2.0)


@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_build_is_deterministic(workload, references):
    assert_deterministic(workload, TINY[workload.name], references[workload.name])


@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_threads_agree_with_sync(workload, references):
    assert_threads_agree(workload, TINY[workload.name], references[workload.name])


@pytest.mark.slow
@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_processes_agree_with_sync(workload, references):
    assert_processes_agree(workload, TINY[workload.name], references[workload.name])


# -- what each profile asks ----------------------------------------------------------------


def test_quick_runs_every_array_workload_but_the_stencil():
    assert [w.name for w in WORKLOADS if w.in_profile("quick")] == [
        "array-transcendental", "array-object-math", "array-matmul", "array-reduction"]
    assert arrays.STENCIL.size_for("quick") == arrays.STENCIL.sizes["default"]
    assert arrays.TRANSCENDENTAL.sweep and arrays.OBJECT_MATH.sweep  # C1 reads their scaling
    assert all(w.collection == "array" and w.family == w.name and not w.real_data for w in WORKLOADS)


@pytest.mark.parametrize(("workload", "kernel", "tasks"), [
    (arrays.TRANSCENDENTAL, "transcendental_block", 4),  # 1200 / 600: 2 x 2 cache-sized 600 x 600 chunks
    (arrays.OBJECT_MATH, "transcendental_block", 8),  # 4 x 2 chunks
    (arrays.MATMUL, "matmul", 8),
    (arrays.REDUCTION, "mean_chunk", 8),
], ids=lambda v: v.name if hasattr(v, "name") else str(v))
def test_quick_size_builds_parallel_chunks(workload, kernel, tasks):
    size = workload.size_for("quick")
    built = workload.build(size, 0)  # a graph only: nothing is computed
    assert isinstance(built, da.Array)
    assert _tasks(built)[kernel] == tasks


def test_nbytes_states_the_input_arrays():
    assert arrays.TRANSCENDENTAL.nbytes(100) == 8 * 100 * 100
    assert arrays.MATMUL.nbytes(100) == 2 * 8 * 100 * 100  # two operands


@pytest.mark.slow
@pytest.mark.parametrize("workload", [w for w in WORKLOADS if w.in_profile("quick")], ids=lambda w: w.name)
def test_quick_size_computes_under_sync(workload):
    size = workload.size_for("quick")
    got = compute(workload, size)
    assert np.isfinite(np.asarray(got, dtype=float)).all()
    assert workload.check(got, got)
    assert not workload.check(np.asarray(got, dtype=float) * 1.001 + 1e-3, got)
