"""Workloads that misbehave on purpose: one raises, one hangs, one disagrees with itself."""
from __future__ import annotations

import os
import time

import dask
import numpy as np

from workloads import Workload

SIZES = {"quick": 1, "default": 1, "full": 1}


def _explode(x: int) -> int:
    raise RuntimeError(f"boom {x}")


def _hang(x: int) -> int:
    time.sleep(float(os.environ.get("FAULTY_HANG_S", "600")))
    return x


def _noise(x: int) -> float:
    return float(np.random.default_rng().random())  # unseeded: differs every time


def _fine(x: int) -> int:
    return x * 2


boom = Workload(name="faulty-boom", collection="delayed", claims=(), sizes=SIZES,
                build=lambda size, seed: [dask.delayed(_explode)(i) for i in range(2)],
                check=lambda a, b: a == b, description="Raises RuntimeError in a task.")
hang = Workload(name="faulty-hang", collection="delayed", claims=(), sizes=SIZES,
                build=lambda size, seed: [dask.delayed(_hang)(i) for i in range(2)],
                check=lambda a, b: a == b, description="Sleeps far past the repeat time limit.")
liar = Workload(name="faulty-liar", collection="delayed", claims=(), sizes=SIZES,
                build=lambda size, seed: [dask.delayed(_noise)(i) for i in range(2)],
                check=lambda a, b: a == b, description="Returns a different random number each time.")
fine = Workload(name="faulty-fine", collection="delayed", claims=(), sizes=SIZES,
                build=lambda size, seed: [dask.delayed(_fine)(i) for i in range(4)],
                check=lambda a, b: a == b, description="Behaves.")
