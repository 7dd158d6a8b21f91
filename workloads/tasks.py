"""dask.delayed workloads: per-task overhead (C9) and the Jacobi stencil experiment (C4).

``delayed-null`` and ``delayed-busy-{us}`` measure what one task costs each
scheduler, and from what task duration parallelism starts to pay.  The busy
tasks do GIL-releasing NumPy work (``np.sin`` over a buffer sized to take about
``task_us`` microseconds on a current x86 core), not ``time.sleep``: they use a
core while they run, as real work does, yet two threads can run them at once.

``stencil-python`` and ``stencil-numpy`` run the same 2-D Jacobi update over
independent small problems, one task per problem: nested Python loops over
lists (GIL held) vs NumPy slicing (GIL released).

>>> r = NULL.build(10, 0).compute(scheduler="sync")
>>> r, NULL.check(r, 45), NULL.check(r, 46)
(45, True, False)
"""
from __future__ import annotations

import dask
import numpy as np
from dask.delayed import Delayed

from workloads.base import Workload

__all__ = [
    "BUSY",
    "NULL",
    "STENCIL_NUMPY",
    "STENCIL_PYTHON",
    "busy_task",
    "jacobi_numpy",
    "jacobi_python",
    "null_task",
]

# Elements of np.sin per microsecond: ~3 ns per float64 element on the 2-core reference machine.
_ELEMENTS_PER_US = 120
_JACOBI_PROBLEMS = 16
_JACOBI_SWEEPS = 10
# stencil-numpy: grids of 512 x 512 (2 MiB), and its size is the number of problems.  Measured here,
# interleaved (threads-2 vs sync, 10 rounds): 192-side grids 1.15x (each NumPy call's GIL-held dispatch
# weighs on small arrays), 256 1.35x, 512 1.69x; 1000-side grids (8 MB) fell back to 1.28x (memory-bound).
_NUMPY_SIDE = 512


def null_task(i: int) -> int:
    """Return *i*: a task that does nothing, so its time is all scheduler overhead."""
    return i


def _total(values: list) -> float:
    return sum(values)


def _fan_in(name: str, func, args: list[tuple]) -> Delayed:
    """One task per argument tuple, summed by a final task, as a single-layer graph.

    Thousands of separate ``dask.delayed`` calls make a graph of thousands of layers,
    whose culling is quadratic (1.5 s at 6000 tasks): a plain dict avoids that.
    """
    keys = [(name, i) for i in range(len(args))]
    dsk: dict = {key: (func, *a) for key, a in zip(keys, args)}
    dsk["total-" + name] = (_total, keys)
    return Delayed("total-" + name, dsk)


def _build_null(size: int, seed: int) -> Delayed:
    # The seed shifts the values so a different seed gives a different sum.
    return _fan_in(f"null-{size}-{seed}", null_task, [(seed + i,) for i in range(size)])


def busy_task(i: int, n_elements: int) -> float:
    """Spend about ``n_elements / 120`` microseconds in ``np.sin`` (GIL released); return a float.

    >>> round(busy_task(0, 4), 6)
    0.0
    """
    x = np.full(n_elements, i * 1e-6)
    np.sin(x, out=x)
    return float(x[0])


def _build_busy(task_us: int):
    n_elements = task_us * _ELEMENTS_PER_US

    def build(size: int, seed: int) -> Delayed:
        args = [(seed + i, n_elements) for i in range(size)]
        return _fan_in(f"busy-{task_us}-{size}-{seed}", busy_task, args)

    return build


def _check_total(result: float, reference: float) -> bool:
    return bool(np.isclose(result, reference, rtol=1e-12, atol=0.0))


NULL = Workload(
    name="delayed-null",
    collection="delayed",
    claims=("C9",),
    sizes={"quick": 200, "default": 1_500, "full": 30_000},
    build=_build_null,
    check=_check_total,
    nbytes=lambda size: 28 * size,
    description="size null tasks returning a small int, then one sum: pure scheduler overhead per task.",
)

# Tasks per profile: about 0.1 s / 1 s / 4 s of work under sync, but capped so the
# tiny-task variants do not take minutes under distributed (~1.6 ms per task there).
_BUSY_SIZES = {
    10: {"quick": None, "default": 1_500, "full": 30_000},
    100: {"quick": None, "default": 1_000, "full": 25_000},
    1000: {"quick": 60, "default": 600, "full": 4_000},
    10000: {"quick": None, "default": 80, "full": 400},
}

BUSY = tuple(
    Workload(
        name=f"delayed-busy-{us}",
        collection="delayed",
        claims=("C9",),
        sizes=sizes,
        build=_build_busy(us),
        check=_check_total,
        nbytes=lambda size, us=us: 8 * us * _ELEMENTS_PER_US * size,
        description=f"size tasks of about {us} us of GIL-releasing NumPy work each, then one sum.",
        family="delayed-busy",
        params={"task_us": us},
    )
    for us, sizes in _BUSY_SIZES.items()
)


def _initial_grid(seed: int, problem: int, n: int) -> np.ndarray:
    return np.random.default_rng([seed, problem]).random((n, n))


def jacobi_python(seed: int, problem: int, n: int, sweeps: int) -> float:
    """*sweeps* five-point Jacobi updates of an n x n grid with Python loops over lists.

    The boundary stays fixed.  Returns the sum of the final grid.

    >>> bool(np.isclose(jacobi_python(0, 1, 8, 3), jacobi_numpy(0, 1, 8, 3)))
    True
    """
    u = _initial_grid(seed, problem, n).tolist()
    for _ in range(sweeps):
        new = [row[:] for row in u]
        for i in range(1, n - 1):
            up, row, down, out = u[i - 1], u[i], u[i + 1], new[i]
            for j in range(1, n - 1):
                out[j] = 0.25 * (up[j] + down[j] + row[j - 1] + row[j + 1])
        u = new
    return float(sum(sum(row) for row in u))


def jacobi_numpy(seed: int, problem: int, n: int, sweeps: int) -> float:
    """The same update as :func:`jacobi_python`, with NumPy slicing (GIL released)."""
    u = _initial_grid(seed, problem, n)
    new = u.copy()
    buf = np.empty((n - 2, n - 2))
    for _ in range(sweeps):  # ((up + down) + left) + right, then * 0.25: the Python loop's order, in place
        np.add(u[:-2, 1:-1], u[2:, 1:-1], out=buf)
        buf += u[1:-1, :-2]
        buf += u[1:-1, 2:]
        np.multiply(buf, 0.25, out=new[1:-1, 1:-1])
        u, new = new, u
    return float(u.sum())


def _build_jacobi(kernel, side: int | None = None):
    """*size* is the grid side of _JACOBI_PROBLEMS problems; with *side*, the number of side x side problems."""
    def build(size: int, seed: int) -> list:
        n, problems = (size, _JACOBI_PROBLEMS) if side is None else (side, size)
        return [dask.delayed(kernel)(seed, p, n, _JACOBI_SWEEPS) for p in range(problems)]

    return build


def _check_list(result: object, reference: object) -> bool:
    a, b = np.asarray(result, dtype=float), np.asarray(reference, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=0.0))


def _jacobi_bytes(size: int) -> int:
    return 8 * size * size * _JACOBI_PROBLEMS


STENCIL_PYTHON = Workload(
    name="stencil-python",
    collection="delayed",
    claims=("C4",),
    sizes={"quick": 64, "default": 160, "full": 440},
    build=_build_jacobi(jacobi_python),
    check=_check_list,
    nbytes=_jacobi_bytes,
    description=f"{_JACOBI_PROBLEMS} independent size x size Jacobi problems, {_JACOBI_SWEEPS} sweeps each, "
    "in pure-Python loops over lists.",
    family="jacobi",
    params={"impl": "python"},
    sweep=True,
)

STENCIL_NUMPY = Workload(
    name="stencil-numpy",
    collection="delayed",
    claims=("C4",),
    sizes={"quick": 16, "default": 64, "full": 256},
    build=_build_jacobi(jacobi_numpy, side=_NUMPY_SIDE),
    check=_check_list,
    nbytes=lambda size: 8 * _NUMPY_SIDE * _NUMPY_SIDE * size,
    description=f"size independent {_NUMPY_SIDE} x {_NUMPY_SIDE} Jacobi problems, {_JACOBI_SWEEPS} sweeps each, "
    "with NumPy slicing.",
    family="jacobi",
    params={"impl": "numpy"},
    sweep=True,
)
