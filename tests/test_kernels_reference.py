"""The pure Python and NumPy twins of kernels/reference.py, against the compiled kernels.

The compiled modules (kernels/_compute.pyx, _parallel.pyx, _blocking.pyx, built in place)
must compute what their twins compute on small inputs: the same loop in the same order
(equal to the last bits but for a compiler's contraction), NumPy's sum to rounding.
"""
from __future__ import annotations

import math
import time

import numpy as np
import pytest

from kernels import _blocking, _compute, _parallel, reference

SIZES = [0, 1, 7, 1_000]
REPEATS = [0, 1, 5]


def _x(n: int) -> np.ndarray:
    return np.random.default_rng(n).random(n) * 10.0 - 5.0  # negative values too


# -- the twins agree with each other --------------------------------------------------------


def test_trig_sum_is_the_documented_formula():
    x = [0.25, 2.0]
    want = sum(math.sqrt(1.5 + math.sin(v + r) * math.cos(v - r)) for v in x for r in range(3))
    assert reference.trig_sum(x, 3) == pytest.approx(want, rel=1e-15)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("repeat", REPEATS)
def test_trig_sum_python_and_numpy_agree(n, repeat):
    x = _x(n)
    assert reference.trig_sum_numpy(x, repeat) == pytest.approx(reference.trig_sum(x, repeat), rel=1e-12, abs=0)


def test_trig_sum_empty_and_zero_repeat():
    assert reference.trig_sum([], 3) == 0.0 and reference.trig_sum_numpy(np.empty(0), 3) == 0.0
    assert reference.trig_sum([1.0, 2.0], 0) == 0.0 and reference.trig_sum_numpy(np.ones(2), 0) == 0.0


def test_trig_sum_takes_any_sequence_of_numbers():
    assert reference.trig_sum([1, 2.5], 2) == reference.trig_sum(np.array([1.0, 2.5]), 2)
    assert isinstance(reference.trig_sum_numpy([0.5, 1.5]), float)


# -- the compiled kernels agree with the twins -------------------------------------------


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("repeat", REPEATS)
def test_compiled_trig_sums_match_the_python_loop(n, repeat):
    x = _x(n)
    want = reference.trig_sum(x, repeat)
    # the same loop in the same order: equal but for a fused multiply-add the C compiler may choose
    assert _compute.trig_sum_nogil(x, repeat) == pytest.approx(want, rel=1e-14, abs=0)
    assert _compute.trig_sum_gil(x, repeat) == pytest.approx(want, rel=1e-14, abs=0)
    assert _compute.trig_sum_retake(x, repeat, 3) == pytest.approx(want, rel=1e-14, abs=0)
    assert _compute.trig_sum_callback(x, lambda: None, repeat, 3) == pytest.approx(want, rel=1e-14, abs=0)


@pytest.mark.parametrize("threads", [1, 2])
def test_prange_matches_the_numpy_sum(threads):
    x = _x(1_000)
    # threads add their partial sums in another order: equal to rounding, like NumPy's pairwise sum
    assert _parallel.trig_sum_prange(x, 5, threads) == pytest.approx(reference.trig_sum_numpy(x, 5), rel=1e-12)


@pytest.mark.parametrize("sleep", [reference.sleep, _blocking.sleep_nogil, _blocking.sleep_gil],
                         ids=["reference", "nogil", "gil"])
def test_sleeps_sleep_and_return_the_microseconds(sleep):
    t0 = time.perf_counter()
    assert sleep(3_000) == 3_000
    assert time.perf_counter() - t0 >= 0.0029
    assert sleep(0) == 0
