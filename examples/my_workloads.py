"""An example plugin: your own workloads, declared as the suite's own are.

Run them with::

    python -m runners.all --workloads examples/my_workloads.py --schedulers sync,threads-2,processes-2

Every module-level ``Workload`` (or list of them) is measured: the same wall
times, GIL contention, bytes moved and task streams as the built-in ones, and a
recommended scheduler with its explanation.  Task functions must be defined at
module level so worker processes can receive them.
"""
from __future__ import annotations

import numpy as np
import dask
import dask.array as da

from workloads import Workload


def _rolling_energy(block: np.ndarray) -> np.ndarray:
    # NumPy releases the GIL in its inner loops: expect threads to do well here.
    return np.sqrt(np.cumsum(block * block, axis=1))


def build_energy(size: int, seed: int):
    x = da.random.default_rng(seed).standard_normal((size, 2_000), chunks=(max(size // 8, 1), 2_000))
    return x.map_blocks(_rolling_energy).mean(axis=0)


def _tokenise(seed: int, n: int) -> int:
    # Pure Python over strings: holds the GIL, so expect processes to do well.
    rng = np.random.default_rng(seed)
    words = ["alpha", "beta", "gamma", "delta", "epsilon"]
    text = " ".join(words[i] for i in rng.integers(0, len(words), n))
    return sum(len(w) for w in text.split() if w.startswith(("a", "e")))


def build_tokens(size: int, seed: int):
    return [dask.delayed(_tokenise)(seed + i, size) for i in range(8)]


energy = Workload(
    name="my-rolling-energy",
    collection="array",
    claims=(),
    sizes={"quick": 2_000, "default": 20_000, "full": 80_000},
    build=build_energy,
    check=lambda result, reference: bool(np.allclose(result, reference)),
    nbytes=lambda size: size * 2_000 * 8,
    description="Cumulative energy of float rows with NumPy (GIL released).",
)

tokens = Workload(
    name="my-tokenise",
    collection="delayed",
    claims=(),
    sizes={"quick": 20_000, "default": 200_000, "full": 800_000},
    build=build_tokens,
    check=lambda result, reference: list(result) == list(reference),
    nbytes=lambda size: 8 * size * 6,
    description="Split and filter generated text in pure Python (GIL held).",
)
