"""GIL workloads: the compiled kernels of :mod:`kernels` run as dask graphs (C5-C8).

Each variant differs from its sibling in one thing only (the GIL released or held, how
often it is re-taken, how many threads the library starts), so comparing a family's
variants under one scheduler isolates that thing.

Sizes
-----
``kernel-sleep-*``
    ``size`` is the number of delayed tasks; each sleeps :data:`SLEEP_US` microseconds.
``kernel-compute-*``, ``kernel-retake-*``, ``kernel-callback-*``, ``kernel-prange-*``
    ``size`` is the length of a seeded random float64 array in :data:`NCHUNKS` chunks;
    every element is visited :data:`REPEAT` times.
``array-matmul-blas*``
    ``size`` is the edge ``m`` of the :data:`NCHUNKS` square blocks of a ``(NCHUNKS*m, m)``
    array; each block does :data:`MATMUL_REPEAT` chained ``m x m`` products.

"quick" sizes take about 0.1 s under ``sync``, "default" about 0.7 s, "full" about 3 s;
``kernel-retake-*``/``kernel-callback-*`` run at 60 % of the compute size, so k=1 (2-4x
dearer per element) stays near budget and k >= 16 takes about 0.05 s at quick.

>>> w = WORKLOADS["kernel-compute-nogil"]
>>> w.family, dict(w.params), w.collection
('kernel-compute', {'gil': 'released'}, 'array')
"""
from __future__ import annotations

import os
from typing import Any

import dask
import dask.array as da
import numpy as np

from workloads.base import Workload

__all__ = [
    "SLEEP_US",
    "REPEAT",
    "NCHUNKS",
    "MATMUL_REPEAT",
    "RETAKE_KS",
    "SLEEP",
    "COMPUTE",
    "RETAKE",
    "CALLBACK",
    "PRANGE",
    "MATMUL",
    "WORKLOADS",
    "resolve_threads",
]

SLEEP_US = 10_000  # one sleep task: 10 ms
REPEAT = 64  # passes of the compute kernels over each element
NCHUNKS = 8  # chunks/blocks per array workload: enough for 2..8 threads
MATMUL_REPEAT = 4  # chained products per matmul block
RETAKE_KS = (1, 32, 1024, 32768)  # the largest: one callback per 32768 iterations costs ~nothing

# About 29 ns per element pass on the reference 2-core machine.
_COMPUTE_SIZES = {"quick": 60_000, "default": 320_000, "full": 1_600_000}
# kernel-retake/-callback: k=1 costs 2-4x more per element, so the whole family (one size
# for every k, to keep the variants comparable) runs smaller.
_RETAKE_SIZES = {"quick": 12_000, "default": 200_000, "full": 1_000_000}


def _retake_sizes(k: int) -> dict[str, int | None]:
    """Quick runs the ends of the k range only (what C7 reads), the largest k at a size
    whose tasks are long enough for two threads to show their speedup."""
    if k == RETAKE_KS[0]:
        return _RETAKE_SIZES
    if k == RETAKE_KS[-1]:
        return {**_RETAKE_SIZES, "quick": 50_000}
    return {**_RETAKE_SIZES, "quick": None}
_SLEEP_SIZES = {"quick": 10, "default": 70, "full": 300}
_MATMUL_SIZES = {"quick": 400, "default": 768, "full": 1152}
_RTOL = 1e-9


# --- task functions: module level, so processes/distributed can pickle them ---------

def resolve_threads(library_threads: int | str) -> int:
    """Library thread count of a variant: an int, or ``"cores"`` for ``os.cpu_count()``.

    Resolved inside the task, so under ``processes``/``distributed`` it is the worker's view.

    >>> resolve_threads(1)
    1
    """
    if library_threads == "cores":
        return os.cpu_count() or 1
    n = int(library_threads)
    if n < 1:
        raise ValueError(f"library_threads must be >= 1 or 'cores'; got {library_threads!r}")
    return n


def _sleep_task(i: int, us: int, gil: str) -> int:
    """Sleep ``us`` µs in C, releasing or holding the GIL; returns the task index."""
    from kernels import _blocking

    if gil == "released":
        _blocking.sleep_nogil(us)
    else:
        _blocking.sleep_gil(us)
    return i


def _noop() -> None:
    """The Python callback of ``kernel-callback-*``: the cost is the call and the GIL."""


def _trig_block(block: np.ndarray, variant: str, k: int = 1, library_threads: int | str = 1) -> np.ndarray:
    """One chunk's ``trig_sum`` with the kernel variant named, as a 1-element array."""
    from kernels import _compute, _parallel

    x = np.ascontiguousarray(block, dtype=np.float64)
    if variant == "nogil":
        total = _compute.trig_sum_nogil(x, REPEAT)
    elif variant == "gil":
        total = _compute.trig_sum_gil(x, REPEAT)
    elif variant == "retake":
        total = _compute.trig_sum_retake(x, REPEAT, k)
    elif variant == "callback":
        total = _compute.trig_sum_callback(x, _noop, REPEAT, k)
    elif variant == "prange":
        total = _parallel.trig_sum_prange(x, REPEAT, resolve_threads(library_threads))
    else:
        raise ValueError(f"variant must be one of nogil, gil, retake, callback, prange; got {variant!r}")
    return np.array([total])


_CONTROLLER = None


def _matmul_block(block: np.ndarray, library_threads: int | str) -> np.ndarray:
    """Chained products ``out = b @ out * 2/m`` with BLAS limited to ``library_threads``."""
    global _CONTROLLER
    if _CONTROLLER is None:  # scanning the loaded libraries costs; once per process
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    b = np.ascontiguousarray(block)
    scale = 2.0 / b.shape[0]  # b's dominant eigenvalue is about m/2: keep values O(1)
    with _CONTROLLER.limit(limits=resolve_threads(library_threads), user_api="blas"):
        out = b
        for _ in range(MATMUL_REPEAT):
            out = (b @ out) * scale
    return np.array([[out.sum()]])


# --- build / check / nbytes ------------------------------------------------------------

def _random(size: int, seed: int) -> da.Array:
    chunk = -(-size // NCHUNKS)
    return da.random.default_rng(seed).random(size, chunks=chunk)


def _build_trig(name: str, variant: str, **kwargs: Any):
    def build(size: int, seed: int) -> da.Array:
        x = _random(size, seed)
        return x.map_blocks(_trig_block, variant, dtype=np.float64, chunks=(1,), token=name, **kwargs)

    return build


def _build_sleep(name: str, gil: str):
    def build(size: int, seed: int) -> list:
        task = dask.delayed(_sleep_task, pure=True)
        return [task(i, SLEEP_US, gil, dask_key_name=f"{name}-{i}") for i in range(size)]

    return build


def _build_matmul(name: str, library_threads: int | str):
    def build(size: int, seed: int) -> da.Array:
        x = da.random.default_rng(seed).random((NCHUNKS * size, size), chunks=(size, size))
        return x.map_blocks(_matmul_block, library_threads, dtype=np.float64, chunks=(1, 1), token=name)

    return build


def _flat(result: Any) -> list:
    """A computed list of delayed results, however ``dask.compute`` nested it."""
    if isinstance(result, (list, tuple)) and len(result) == 1 and isinstance(result[0], (list, tuple)):
        result = result[0]
    return list(result)


def _check_list(result: Any, reference: Any) -> bool:
    try:
        return _flat(result) == _flat(reference)
    except TypeError:
        return False


def _check_close(result: Any, reference: Any) -> bool:
    a, b = np.asarray(result, dtype=np.float64), np.asarray(reference, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=_RTOL, atol=0.0))


def _nbytes_vector(size: int) -> int:
    return 8 * size


def _nbytes_matmul(size: int) -> int:
    return 8 * NCHUNKS * size * size


def _nbytes_none(size: int) -> int:
    return 0


# --- declarations ----------------------------------------------------------------------

_GIL = {"nogil": "released", "gil": "held"}

SLEEP: tuple[Workload, ...] = tuple(
    Workload(
        name=f"kernel-sleep-{v}",
        collection="delayed",
        claims=("C5", "C6"),
        sizes=_SLEEP_SIZES,
        build=_build_sleep(f"kernel-sleep-{v}", gil),
        check=_check_list,
        nbytes=_nbytes_none,
        description=(
            f"Delayed tasks that each sleep {SLEEP_US // 1000} ms in C with the GIL {gil}: "
            + ("threads overlap them even without spare cores." if v == "nogil"
               else "threads serialise them, only processes overlap them.")
        ),
        family="kernel-sleep",
        interleave="kernel-sleep",  # its two variants are compared with each other (C5/C6/C8)
        params={"gil": gil},
    )
    for v, gil in _GIL.items()
)

COMPUTE: tuple[Workload, ...] = tuple(
    Workload(
        name=f"kernel-compute-{v}",
        collection="array",
        claims=("C5", "C6"),
        sizes=_COMPUTE_SIZES,
        build=_build_trig(f"kernel-compute-{v}", v),
        check=_check_close,
        nbytes=_nbytes_vector,
        description=(
            f"A compiled transcendental map-and-sum over array chunks with the GIL {gil}: "
            + ("threads run chunks in parallel." if v == "nogil" else "threads run chunks one at a time.")
        ),
        family="kernel-compute",
        interleave="kernel-compute",  # its two variants are compared with each other (C5/C6/C8)
        params={"gil": gil},
    )
    for v, gil in _GIL.items()
)

RETAKE: tuple[Workload, ...] = tuple(
    Workload(
        name=f"kernel-retake-k{k}",
        collection="array",
        claims=("C7",),
        sizes=_retake_sizes(k),
        build=_build_trig(f"kernel-retake-k{k}", "retake", k=k),
        check=_check_close,
        nbytes=_nbytes_vector,
        description=f"The GIL-releasing compute kernel re-taking the GIL (`with gil:`) every {k} iterations.",
        family="kernel-retake",
        params={"k": k},
    )
    for k in RETAKE_KS
)

CALLBACK: tuple[Workload, ...] = tuple(
    Workload(
        name=f"kernel-callback-k{k}",
        collection="array",
        claims=("C7",),
        sizes=_retake_sizes(k),
        build=_build_trig(f"kernel-callback-k{k}", "callback", k=k),
        check=_check_close,
        nbytes=_nbytes_vector,
        description=f"The GIL-releasing compute kernel calling a no-op Python function every {k} iterations.",
        family="kernel-callback",
        params={"k": k},
    )
    for k in RETAKE_KS
)

_LIB = {"1": 1, "cores": "cores"}

PRANGE: tuple[Workload, ...] = tuple(
    Workload(
        name=f"kernel-prange-lib{label}",
        collection="array",
        claims=("C8",),
        sizes=_COMPUTE_SIZES,
        build=_build_trig(f"kernel-prange-lib{label}", "prange", library_threads=lib),
        check=_check_close,
        nbytes=_nbytes_vector,
        description=(
            "The compute kernel as an OpenMP prange over each chunk with "
            + ("1 library thread per task." if lib == 1 else "one library thread per core in every task (oversubscribes).")
        ),
        family="kernel-prange",
        interleave="kernel-prange",  # its two variants are compared with each other (C5/C6/C8)
        params={"library_threads": lib},
    )
    for label, lib in _LIB.items()
)

MATMUL: tuple[Workload, ...] = tuple(
    Workload(
        name=f"array-matmul-blas{label}",
        collection="array",
        claims=("C8",),
        sizes=_MATMUL_SIZES,
        build=_build_matmul(f"array-matmul-blas{label}", lib),
        check=_check_close,
        nbytes=_nbytes_matmul,
        description=(
            "Chained square matrix products per block with BLAS limited to "
            + ("1 thread per task." if lib == 1 else "one thread per core in every task (oversubscribes).")
        ),
        family="array-matmul-blas",
        interleave="array-matmul-blas",  # its two variants are compared with each other (C5/C6/C8)
        params={"library_threads": lib},
    )
    for label, lib in _LIB.items()
)

WORKLOADS: dict[str, Workload] = {w.name: w for group in (SLEEP, COMPUTE, RETAKE, CALLBACK, PRANGE, MATMUL) for w in group}
