"""The compiled kernels (kernels._compute, _blocking, _parallel) and the package's openmp_available().

Their variants against each other, their argument checks and their GIL behaviour; their
parity with the pure-Python twins is in tests/test_kernels_reference.py.
"""
from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from kernels import _blocking, _compute, _parallel, openmp_available
from runners.meta import gil_enabled

# The GIL sampler is an extra ("gil"), absent on free-threaded builds; there, importing
# it would itself turn the GIL back on, so it is imported only where the GIL is on.
KnockKnock = None
if gil_enabled():
    try:
        from gilknocker import KnockKnock
    except ImportError:
        pass

# Contention tests need a GIL to contend for and the sampler to see it.
needs_gil_sampler = pytest.mark.skipif(KnockKnock is None,
                                       reason="needs gilknocker and a GIL (extra 'gil', not a free-threaded build)")

KS = [1, 3, 16, 256, 4096, 10**9]


@pytest.fixture(scope="module")
def x() -> np.ndarray:
    return np.random.default_rng(1).random(1_000) * 10.0


def _noop() -> None:
    pass


def test_trig_sum_variants_equal(x):
    want = _compute.trig_sum_nogil(x, 5)
    assert _compute.trig_sum_gil(x, 5) == want
    for k in KS:
        assert _compute.trig_sum_retake(x, 5, k) == want
        assert _compute.trig_sum_callback(x, _noop, 5, k) == want


def test_trig_sum_empty_and_zero_repeat(x):
    assert _compute.trig_sum_nogil(np.empty(0)) == 0.0
    assert _compute.trig_sum_gil(x, 0) == 0.0


@pytest.mark.parametrize("k", [1, 7, 5_000, 6_000])
def test_trig_sum_callback_calls_every_k(x, k):
    calls = []
    _compute.trig_sum_callback(x, lambda: calls.append(1), 5, k)
    assert len(calls) == (x.size * 5) // k


def test_trig_sum_callback_propagates_exceptions(x):
    def boom():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        _compute.trig_sum_callback(x, boom, 1, 10)
    with pytest.raises(TypeError):
        _compute.trig_sum_callback(x, 42, 1, 10)


@pytest.mark.parametrize("bad", [0, -1])
def test_trig_sum_rejects_bad_k(x, bad):
    with pytest.raises(ValueError, match="k must be"):
        _compute.trig_sum_retake(x, 1, bad)
    with pytest.raises(ValueError, match="k must be"):
        _compute.trig_sum_callback(x, _noop, 1, bad)


def test_prange_one_thread_equals_serial(x):
    assert _parallel.trig_sum_prange(x, 5, 1) == _compute.trig_sum_nogil(x, 5)


@pytest.mark.parametrize("threads", [2, 4])
def test_prange_many_threads_close_to_serial(x, threads):
    assert _parallel.trig_sum_prange(x, 5, threads) == pytest.approx(_compute.trig_sum_nogil(x, 5), rel=1e-12)


def test_prange_rejects_bad_threads(x):
    with pytest.raises(ValueError, match="num_threads"):
        _parallel.trig_sum_prange(x, 1, 0)


def test_openmp_available_says_what_the_build_does():
    """Checked against the compiled module itself: it links OpenMP's runtime and starts its threads."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    links_gomp = b"GOMP_parallel" in Path(_parallel.__file__).read_bytes()
    assert openmp_available() is links_gomp
    if not Path("/proc/self/task").is_dir():
        return
    # A fresh interpreter: the first parallel region with 2 threads adds OpenMP's worker thread.
    code = ("import os, numpy as np\nfrom kernels import _parallel\nn = len(os.listdir('/proc/self/task'))\n"
            "_parallel.trig_sum_prange(np.ones(1000), 1, 2)\nprint(len(os.listdir('/proc/self/task')) - n)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       cwd=Path(__file__).resolve().parents[1], env={**os.environ, "OMP_NUM_THREADS": "2"})
    assert r.returncode == 0, r.stderr
    assert openmp_available() is (int(r.stdout) > 0)


def test_sleep_kernels_reject_a_negative_time():
    # that they sleep and return the time asked, like their twin: tests/test_kernels_reference.py
    with pytest.raises(ValueError):
        _blocking.sleep_nogil(-1)


def _contention(target, *args, calls: int = 10) -> float:
    """GIL contention seen by gilknocker while two threads each call ``target(*args)`` *calls* times.

    Many short calls rather than one long one: the knocker records a wait only once it
    gets the GIL, so one call holding it throughout could end before any knock completes.
    """

    def work() -> None:
        for _ in range(calls):
            target(*args)

    threads = [threading.Thread(target=work) for _ in range(2)]
    # Sample continuously: by default it samples 10 ms then sleeps 100 ms, too coarse for 0.2 s.
    knocker = KnockKnock(polling_interval_micros=1000, sampling_interval_micros=10_000, sleeping_interval_micros=1_000)
    knocker.start()
    try:
        time.sleep(0.002)  # let the knocker start polling
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        time.sleep(0.003)  # let the last knock land
        return knocker.contention_metric
    finally:
        knocker.stop()


@needs_gil_sampler
def test_compute_gil_holding_contends_far_more():
    x = np.random.default_rng(0).random(20_000)
    held = _contention(_compute.trig_sum_gil, x, 20)  # ~10 ms per call, 10 calls per thread
    released = _contention(_compute.trig_sum_nogil, x, 20)
    print(f"contention: compute held={held:.3f} released={released:.3f}")
    assert held > 0.5
    assert released < held / 2


@needs_gil_sampler
def test_sleep_gil_holding_contends_far_more():
    held = _contention(_blocking.sleep_gil, 10_000)
    released = _contention(_blocking.sleep_nogil, 10_000)
    print(f"contention: sleep held={held:.3f} released={released:.3f}")
    assert held > 0.5
    assert released < held / 2
