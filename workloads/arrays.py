"""dask.array workloads: NumPy kernels that release the GIL, and one that does not.

Every array is generated inside its chunk tasks from the seed
(``da.random.default_rng(seed)``), so a compute measures the math, not the
pickling of a parent-side array.  Results are small (a scalar or a vector), so
that returning them is cheap under every scheduler.

>>> r = TRANSCENDENTAL.build(64, 0).compute(scheduler="sync")
>>> TRANSCENDENTAL.check(r, r), TRANSCENDENTAL.check(r, r * 1.001)
(True, False)
"""
from __future__ import annotations

import math

import dask.array as da
import numpy as np

from workloads.base import Workload

__all__ = [
    "MATMUL",
    "OBJECT_MATH",
    "REDUCTION",
    "STENCIL",
    "TRANSCENDENTAL",
    "transcendental_block",
    "stencil_block",
]

# Chunks per side: 4 x 2 = 8 chunks, enough for 2..4 workers to stay busy.
_ROW_SPLITS = 4
_COL_SPLITS = 2
_STENCIL_ITERATIONS = 4
# array-transcendental's chunks: 600 x 600 float64 (2.9 MB), so that a chunk and its temporaries (~15 MB)
# for each of two threads fit the shared 32 MB L3 here. Chunks of 6-25 MB made the math memory-bound: threads-2 gained
# 1.15x at 5000 x 5000 in 8 chunks; 0.5-3 MB blocks gained 1.6-2.1x (measured, see README).
_CACHE_SIDE = 600
ROUNDS = 3  # rounds of the transcendental formula per element

_OBJ_SIN = np.frompyfunc(math.sin, 1, 1)
_OBJ_EXP = np.frompyfunc(math.exp, 1, 1)
_OBJ_LOG1P = np.frompyfunc(math.log1p, 1, 1)


def _chunks(n: int) -> tuple[int, int]:
    return (max(1, -(-n // _ROW_SPLITS)), max(1, -(-n // _COL_SPLITS)))


def _uniform(n: int, seed: int) -> da.Array:
    return da.random.default_rng(seed).random((n, n), chunks=_chunks(n))


def transcendental_block(x: np.ndarray) -> np.ndarray:
    """``y = sin(y)**2 + exp(-y) * log1p(y)`` element-wise, :data:`ROUNDS` times from ``y = x``,
    for float or object arrays.

    Three rounds of math per element keep the chunk's tasks mostly ufunc work
    (the inputs' generation and the row sums around them do not scale on threads).

    On ``float64`` this runs NumPy ufuncs (GIL released in the inner loops); on
    ``object`` dtype the same formula calls :mod:`math` once per element through
    ``np.frompyfunc``, holding the GIL throughout.

    >>> float(transcendental_block(np.array([0.0]))[0])
    0.0
    >>> transcendental_block(np.array([0.5], dtype=object)).dtype
    dtype('O')
    """
    for _ in range(ROUNDS):
        if x.dtype == object:
            x = _OBJ_SIN(x) ** 2 + _OBJ_EXP(-x) * _OBJ_LOG1P(x)
        else:
            x = np.sin(x) ** 2 + np.exp(-x) * np.log1p(x)
    return x


def _to_object(x: np.ndarray) -> np.ndarray:
    return x.astype(object)


def _build_transcendental(size: int, seed: int) -> da.Array:
    x = da.random.default_rng(seed).random((size, size), chunks=(_CACHE_SIDE, _CACHE_SIDE))
    return x.map_blocks(transcendental_block, dtype=float).sum(axis=1)


def _build_object_math(size: int, seed: int) -> da.Array:
    # The same numbers as array-transcendental (generated in its chunks), in 8 chunks of object dtype.
    x = da.random.default_rng(seed).random((size, size), chunks=(_CACHE_SIDE, _CACHE_SIDE))
    x = x.rechunk(_chunks(size)).map_blocks(_to_object, dtype=object)
    y = x.map_blocks(transcendental_block, dtype=object)
    # The row sums over object elements are Python float additions too.
    return y.sum(axis=1, dtype=object)


def stencil_block(u: np.ndarray) -> np.ndarray:
    """One five-point Jacobi sweep of a block that carries a 1-cell halo.

    The halo cells are left as they are (``map_overlap`` trims them).

    >>> stencil_block(np.ones((4, 4))).sum()
    np.float64(16.0)
    """
    out = u.copy()
    out[1:-1, 1:-1] = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])
    return out


def _build_stencil(size: int, seed: int) -> da.Array:
    u = _uniform(size, seed)
    for _ in range(_STENCIL_ITERATIONS):
        u = u.map_overlap(stencil_block, depth=1, boundary=0.0, dtype=float)
    return u.sum(axis=0)


def _build_matmul(size: int, seed: int) -> da.Array:
    rng = da.random.default_rng(seed)
    chunks = (max(1, -(-size // 2)),) * 2
    a = rng.standard_normal((size, size), chunks=chunks)
    b = rng.standard_normal((size, size), chunks=chunks)
    return (a @ b).sum(axis=0)


def _build_reduction(size: int, seed: int) -> da.Array:
    x = da.random.default_rng(seed).standard_normal((size, size), chunks=_chunks(size))
    return da.concatenate([x.mean(axis=0), x.std(axis=1), x.sum(axis=0), x.max(axis=1)])


def check_close(result: object, reference: object) -> bool:
    """True when two numeric results (scalars or arrays) agree to ``rtol=1e-7``.

    >>> check_close(np.array([1.0, 2.0]), np.array([1.0, 2.0 + 1e-12]))
    True
    >>> check_close(np.array([1.0, 2.0]), np.array([1.0, 2.1]))
    False
    """
    a = np.asarray(result, dtype=float)
    b = np.asarray(reference, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-7, atol=1e-9))


def _square_bytes(size: int) -> int:
    return 8 * size * size


TRANSCENDENTAL = Workload(
    name="array-transcendental",
    collection="array",
    claims=("C1", "C2", "C12"),
    sizes={"quick": 1_200, "default": 3_600, "full": 9_000},
    build=_build_transcendental,
    check=check_close,
    nbytes=_square_bytes,
    description="Element-wise sin/exp/log1p over a size x size float64 array, reduced to row sums.",
    sweep=True,
)

OBJECT_MATH = Workload(
    name="array-object-math",
    collection="array",
    claims=("C1", "C12"),
    sizes={"quick": 300, "default": 900, "full": 2_000},
    build=_build_object_math,
    check=check_close,
    nbytes=_square_bytes,
    description="The transcendental formula on an object-dtype array: one Python call per element, GIL held.",
    sweep=True,
)

STENCIL = Workload(
    name="array-stencil",
    collection="array",
    # Not a C1 workload: four flops per five loads, and map_overlap's halo tasks outnumber the sweeps;
    # it measures memory traffic and graph overhead, not whether NumPy releases the GIL.
    claims=("C2", "C12"),
    sizes={"quick": None, "default": 1_800, "full": 10_000},
    build=_build_stencil,
    check=check_close,
    nbytes=_square_bytes,
    description=f"{_STENCIL_ITERATIONS} five-point Jacobi sweeps with map_overlap on a size x size grid.",
)

MATMUL = Workload(
    name="array-matmul",
    collection="array",
    claims=("C2", "C12"),
    sizes={"quick": 1_100, "default": 2_000, "full": 5_000},
    build=_build_matmul,
    check=check_close,
    nbytes=lambda size: 2 * _square_bytes(size),
    description="BLAS matrix product of two chunked size x size normal arrays, reduced to column sums.",
)

REDUCTION = Workload(
    name="array-reduction",
    collection="array",
    claims=("C2", "C12"),
    sizes={"quick": 2_000, "default": 4_000, "full": 15_000},
    build=_build_reduction,
    check=check_close,
    nbytes=_square_bytes,
    description="Mean, std, sum and max over both axes of a size x size normal array.",
)
