"""Tests of the workloads of arrays, frames, bags, tasks, flights and stdlib.

Every workload at a tiny size: its build is deterministic, its check accepts the
reference and rejects a perturbed result, and threads and processes agree with sync.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import dask
import numpy as np
import pandas as pd
import pytest

from workloads import arrays, bags, flights, frames, stdlib, tasks
from workloads.base import Workload

MODULES = (arrays, frames, bags, tasks, flights, stdlib)


def _declared(module) -> list[Workload]:
    found = []
    for value in vars(module).values():
        if isinstance(value, Workload):
            found.append(value)
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, Workload) for v in value):
            found.extend(value)
    return found


WORKLOADS = [w for m in MODULES for w in _declared(m)]
BY_NAME = {w.name: w for w in WORKLOADS}

# Sizes small enough for the whole file to run in well under a minute on 2 cores.
TINY = {
    "array-transcendental": 64, "array-object-math": 24, "array-stencil": 64, "array-matmul": 48,
    "array-reduction": 64,
    "stencil-python": 12, "stencil-numpy": 12,
    "delayed-null": 40, "delayed-busy-10": 8, "delayed-busy-100": 8, "delayed-busy-1000": 4,
    "delayed-busy-10000": 2,
    "df-groupby": 4_000, "df-join": 4_000, "df-str-arrow": 2_000, "df-str-object": 2_000, "df-apply": 400,
    "bag-logparse": 400, "bag-json": 400, "bag-wordcount": 400,
    "flights-read-csv-c": 3_000, "flights-read-csv-arrow": 3_000, "flights-groupby": 3_000,
    "flights-join": 3_000, "flights-str-arrow": 3_000, "flights-str-object": 3_000, "flights-apply": 500,
    "stdlib-re": 16, "stdlib-ast": 4,
}

EXPECTED = {
    "array-transcendental", "array-object-math", "array-stencil", "array-matmul", "array-reduction",
    "stencil-python", "stencil-numpy", "delayed-null",
    "delayed-busy-10", "delayed-busy-100", "delayed-busy-1000", "delayed-busy-10000",
    "df-groupby", "df-join", "df-str-arrow", "df-str-object", "df-apply",
    "bag-logparse", "bag-json", "bag-wordcount",
    "flights-read-csv-c", "flights-read-csv-arrow", "flights-groupby", "flights-join",
    "flights-str-arrow", "flights-str-object", "flights-apply", "stdlib-re", "stdlib-ast",
}


def _compute(workload: Workload, size: int, seed: int = 0, **kwargs):
    return dask.compute(workload.build(size, seed), **kwargs)[0]


def _perturb(result):
    """A result that differs a little from *result*, of the same type."""
    if isinstance(result, (pd.DataFrame, pd.Series)):
        out = result.copy()
        numeric = out.select_dtypes("number") if isinstance(out, pd.DataFrame) else out
        if isinstance(out, pd.DataFrame):
            out[numeric.columns] = numeric * 1.001 + 1
        else:
            out = out * 1.001 + 1
        return out
    if isinstance(result, dict):
        key = sorted(result)[0]
        return {**result, key: result[key] + 1}
    if isinstance(result, list) and result and isinstance(result[0], tuple):
        return result[1:]
    if isinstance(result, list):
        return [result[0] + 1.0, *result[1:]]
    return np.asarray(result, dtype=float) * 1.001 + 1e-3


@pytest.fixture(scope="module")
def pool():
    executor = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
    yield executor
    executor.shutdown()


@pytest.fixture(scope="module")
def references():
    """Sync results at the tiny size, seed 0, computed once per workload."""
    return {w.name: _compute(w, TINY[w.name], scheduler="sync") for w in WORKLOADS}


def test_workloads_names_match_the_brief():
    assert set(BY_NAME) == EXPECTED
    assert len(WORKLOADS) == len(BY_NAME)  # no workload declared twice
    assert set(TINY) == EXPECTED


def test_workloads_families_and_params():
    busy = [w for w in WORKLOADS if w.family == "delayed-busy"]
    assert sorted(w.params["task_us"] for w in busy) == [10, 100, 1000, 10000]
    assert BY_NAME["stencil-python"].params == {"impl": "python"}
    assert BY_NAME["stencil-numpy"].params == {"impl": "numpy"}
    assert BY_NAME["stencil-python"].family == BY_NAME["stencil-numpy"].family == "jacobi"
    assert all(w.sweep for w in (BY_NAME["array-transcendental"], BY_NAME["array-object-math"],
                                 BY_NAME["bag-logparse"], BY_NAME["stencil-numpy"]))
    assert all(w.real_data == (w.name.startswith(("flights-", "stdlib-"))) for w in WORKLOADS)


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: w.name)
def test_workload_declaration(workload):
    assert workload.description and workload.description.endswith(".")
    # quick may leave a workload out (None: not what its claims need there), never default or full
    assert workload.sizes["default"] is not None and workload.sizes["full"] is not None
    if workload.sizes["quick"] is not None:
        assert workload.sizes["quick"] <= workload.sizes["default"]
    assert workload.sizes["default"] < workload.sizes["full"]
    assert all(workload.nbytes(workload.size_for(p)) > 0 for p in ("quick", "default", "full"))


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: w.name)
def test_workload_build_is_deterministic(workload, references):
    size = TINY[workload.name]
    reference = references[workload.name]
    assert workload.check(_compute(workload, size, scheduler="sync"), reference)
    assert not workload.check(_compute(workload, size, seed=1, scheduler="sync"), reference)


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: w.name)
def test_workload_check_rejects_perturbed(workload, references):
    reference = references[workload.name]
    assert workload.check(reference, reference)
    assert not workload.check(_perturb(reference), reference)


@pytest.mark.parametrize("workload", WORKLOADS, ids=lambda w: w.name)
def test_workload_schedulers_agree(workload, references, pool):
    size = TINY[workload.name]
    reference = references[workload.name]
    assert workload.check(_compute(workload, size, scheduler="threads", num_workers=2), reference)
    assert workload.check(_compute(workload, size, scheduler="processes", pool=pool), reference)


def test_jacobi_python_and_numpy_compute_the_same():
    # stencil-numpy's size is a number of cache-sized problems, stencil-python's a grid side: the
    # two workloads differ in size, so their kernels are compared directly.
    from workloads.tasks import jacobi_numpy, jacobi_python

    for p in range(3):
        assert np.isclose(jacobi_python(7, p, 12, 10), jacobi_numpy(7, p, 12, 10), rtol=1e-12)


@pytest.mark.parametrize(("a", "b", "size"), [
    ("df-str-arrow", "df-str-object", 2_000),
    ("flights-str-arrow", "flights-str-object", 3_000),
    ("array-transcendental", "array-object-math", 24),
    ("flights-read-csv-c", "flights-read-csv-arrow", 3_000),
])
def test_workload_variants_compute_the_same(a, b, size):
    ra = _compute(BY_NAME[a], size, scheduler="sync")
    rb = _compute(BY_NAME[b], size, scheduler="sync")
    assert BY_NAME[a].check(rb, ra)


def test_stdlib_files_sorted_without_site_packages():
    files = stdlib.stdlib_files()
    assert list(files) == sorted(files)
    assert len(files) > 500
    assert not any("site-packages" in f for f in files)


def test_flights_scaled_rows_repeat_with_jitter():
    paths = flights.flights_parts(flights.FLIGHTS_ROWS + 100, 0, "parquet")
    assert len(paths) == 8
    rows = sum(len(pd.read_parquet(p, columns=["month"])) for p in paths)
    assert rows == flights.FLIGHTS_ROWS + 100
