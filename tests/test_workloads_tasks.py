"""The dask.delayed workloads of workloads/tasks.py: per-task overhead (C9) and the Jacobi pair (C4).

The overhead workloads sum known values (a closed form to compare with); the Jacobi
workloads return one sum per problem, each what the kernel gives when called directly,
and the Python and NumPy kernels agree; the check rejects a changed total.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from dask.delayed import Delayed
from dask.utils import key_split

from _computing import assert_deterministic, assert_processes_agree, assert_threads_agree, compute
from workloads import tasks

WORKLOADS = (tasks.NULL, *tasks.BUSY, tasks.STENCIL_PYTHON, tasks.STENCIL_NUMPY)
IDS = [w.name for w in WORKLOADS]
TINY = {"delayed-null": 40, "delayed-busy-10": 8, "delayed-busy-100": 8, "delayed-busy-1000": 4,
        "delayed-busy-10000": 2, "stencil-python": 12, "stencil-numpy": 2}
BUSY = {w.params["task_us"]: w for w in tasks.BUSY}


@pytest.fixture(scope="module")
def references():
    """Sync results at the tiny size, seed 0, computed once per workload."""
    return {w.name: compute(w, TINY[w.name]) for w in WORKLOADS}


# -- what each workload computes -----------------------------------------------------------


@pytest.mark.parametrize(("size", "seed"), [(1, 0), (40, 0), (40, 7)])
def test_null_sums_its_task_indices(size, seed):
    got = compute(tasks.NULL, size, seed)
    assert got == size * seed + size * (size - 1) // 2
    assert tasks.NULL.check(got, got) and not tasks.NULL.check(got + 1, got)


def test_null_graph_is_one_task_per_size_and_one_sum():
    built = tasks.NULL.build(400, 0)
    assert isinstance(built, Delayed)
    graph = dict(built.__dask_graph__())
    assert len(graph) == 401
    assert len(built.__dask_layers__()) == 1  # one layer: no per-task layer culling


@pytest.mark.parametrize("us", sorted(BUSY))
def test_busy_sums_the_sine_of_each_task_index(us):
    workload = BUSY[us]
    size = TINY[workload.name]
    want = sum(math.sin((3 + i) * 1e-6) for i in range(size))
    assert workload.check(compute(workload, size, seed=3), want)


def test_busy_task_works_on_a_buffer_of_the_size_asked():
    assert tasks.busy_task(2, 5) == pytest.approx(math.sin(2e-6), rel=1e-15)
    assert tasks.BUSY[0].nbytes(3) == 8 * 10 * tasks._ELEMENTS_PER_US * 3  # three 10 us buffers of float64


def test_stencil_python_solves_sixteen_problems_as_the_kernel_does():
    n = TINY["stencil-python"]
    got = compute(tasks.STENCIL_PYTHON, n, seed=2)
    assert len(got) == 16
    assert got == [tasks.jacobi_python(2, p, n, 10) for p in range(16)]


def test_stencil_numpy_size_is_a_number_of_grids():
    built = tasks.STENCIL_NUMPY.build(3, 0)
    assert len(built) == 3
    got = compute(tasks.STENCIL_NUMPY, 2)
    assert got == [tasks.jacobi_numpy(0, p, 512, 10) for p in range(2)]


def test_jacobi_python_and_numpy_compute_the_same():
    # stencil-numpy's size is a number of cache-sized problems, stencil-python's a grid side: the
    # two workloads differ in size, so their kernels are compared directly.
    for p in range(3):
        assert np.isclose(tasks.jacobi_python(7, p, 12, 10), tasks.jacobi_numpy(7, p, 12, 10), rtol=1e-12)


@pytest.mark.parametrize("kernel", [tasks.jacobi_python, tasks.jacobi_numpy], ids=lambda k: k.__name__)
def test_jacobi_moves_the_centre_to_its_neighbours_mean_and_keeps_the_boundary(kernel):
    grid = np.random.default_rng([5, 0]).random((3, 3))  # the kernels' grid of (seed 5, problem 0)
    centre = 0.25 * (grid[0, 1] + grid[2, 1] + grid[1, 0] + grid[1, 2])
    assert kernel(5, 0, 3, 0) == pytest.approx(grid.sum(), rel=1e-15)
    assert kernel(5, 0, 3, 1) == pytest.approx(grid.sum() - grid[1, 1] + centre, rel=1e-14)
    assert kernel(5, 0, 3, 7) == pytest.approx(kernel(5, 0, 3, 1), rel=1e-14)  # only the centre moves


# -- the check, the seed, the schedulers ---------------------------------------------------


def _perturbed(result):
    if isinstance(result, list):
        return [result[0] + 1.0, *result[1:]]
    return result + 1


@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_check_rejects_a_changed_total(workload, references):
    reference = references[workload.name]
    assert workload.check(reference, reference)
    assert not workload.check(_perturbed(reference), reference)


def test_stencil_check_rejects_a_missing_problem(references):
    reference = references["stencil-python"]
    assert not tasks.STENCIL_PYTHON.check(reference[:-1], reference)


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


def test_busy_family_params_and_quick_profile():
    assert sorted(BUSY) == [10, 100, 1000, 10000]
    assert all(w.family == "delayed-busy" and w.params == {"task_us": us} for us, w in BUSY.items())
    # quick runs the one task length that C9 reads at quick, next to delayed-null
    assert [us for us, w in BUSY.items() if w.in_profile("quick")] == [1000]
    assert tasks.NULL.in_profile("quick")


def test_jacobi_pair_is_one_family_of_two_implementations():
    pair = (tasks.STENCIL_PYTHON, tasks.STENCIL_NUMPY)
    assert {w.family for w in pair} == {"jacobi"}
    assert [w.params["impl"] for w in pair] == ["python", "numpy"]
    assert all(w.sweep and w.in_profile("quick") for w in pair)


@pytest.mark.parametrize("workload", [w for w in WORKLOADS if w.in_profile("quick")], ids=lambda w: w.name)
def test_quick_size_builds_parallel_tasks(workload):
    built = workload.build(workload.size_for("quick"), 0)
    graph = dict(built.__dask_graph__()) if isinstance(built, Delayed) else {
        k: v for d in built for k, v in dict(d.__dask_graph__()).items()}
    kernels = [k for k in graph if not key_split(k).startswith("total")]
    assert len(kernels) >= 16


@pytest.mark.slow
@pytest.mark.parametrize("workload", [w for w in WORKLOADS if w.in_profile("quick")], ids=lambda w: w.name)
def test_quick_size_computes_under_sync(workload):
    got = compute(workload, workload.size_for("quick"))
    assert workload.check(got, got) and not workload.check(_perturbed(got), got)
