"""What every scheduler kind's measurement shares: the record of a repeat, the switches, the time limit."""
from __future__ import annotations

import signal
import threading
import time

import dask
import dask.array as da
import numpy as np
import pytest

from runners import measure as measure_module
from runners.measure import (Instruments, Measurement, RepeatTimeout, graph_size, measure, run_with_timeout,
                             stop_knocker, weighted_median)
from runners.records.kinds import parse
from runners.schedulers import for_spec
from workloads.gil import WORKLOADS


@pytest.fixture(autouse=True)
def _no_knocker_left():
    yield
    stop_knocker()


def _median_gil(pool, name, repeats=3):
    w = WORKLOADS[name]
    objs = [w.build(w.size_for("quick"), 0)]
    measure(pool, objs, Instruments())  # warm-up
    return float(np.median([measure(pool, objs, Instruments()).gil_summary()[1] for _ in range(repeats)]))


@pytest.mark.parametrize("label", ["threads-2", "processes-2"])
def test_gil_holding_kernel_shows_far_more_contention(label):
    with for_spec(parse(label), dashboard=False) as pool:
        held = _median_gil(pool, "kernel-compute-gil")
        released = _median_gil(pool, "kernel-compute-nogil")
    assert held > 0.4, (held, released)
    assert held > 3 * released, (held, released)


@pytest.mark.parametrize("label", ["sync", "threads-2", "processes-2"])
def test_task_stream_captures_every_task_of_the_graph(label):
    x = da.random.default_rng(1).random((400, 400), chunks=100)
    objs = [(x * 2).sum()]
    with for_spec(parse(label), dashboard=False) as pool:
        m = measure(pool, objs, Instruments())
    keys = {t["key"] for t in m.tasks}
    assert all(t["stop"] >= t["start"] for t in m.tasks)
    # processes fuses linear chains once more inside dask.multiprocessing.get
    assert 0 < len(keys) <= graph_size(objs)
    if label != "processes-2":
        assert len(keys) == graph_size(objs)


def test_graph_size_counts_the_optimised_graph_and_is_none_when_dask_cannot_say():
    x = da.ones(100, chunks=25)
    assert graph_size([x.sum()]) > graph_size([x]) >= 4
    assert graph_size([object()]) is None


def test_run_with_timeout_returns_raises_and_abandons_a_stuck_compute():
    assert run_with_timeout(lambda: 42, 1.0) == 42
    with pytest.raises(ZeroDivisionError):
        run_with_timeout(lambda: 1 / 0, 1.0)
    gate = threading.Event()
    before = len(measure_module.ABANDONED)
    t0 = time.perf_counter()
    with pytest.raises(RepeatTimeout, match="within 0.2 s"):
        run_with_timeout(gate.wait, 0.2)
    assert time.perf_counter() - t0 < 1.0
    assert len(measure_module.ABANDONED) == before + 1 and measure_module.ABANDONED[-1].daemon
    gate.set()


def test_sync_computes_in_the_main_thread_as_a_user_does_and_its_time_limit_interrupts_a_stuck_wait():
    # A compute in a fresh thread got a thread malloc arena: 9 % faster than a user's main thread (default size)
    seen = []
    sync = for_spec(parse("sync"))
    m = sync.measure([dask.delayed(lambda: seen.append(threading.current_thread()) or 1)()], Instruments.none(), 5.0)
    assert m.result == (1,) and seen == [threading.main_thread()]
    assert run_with_timeout(threading.current_thread, 1.0, here=True) is threading.main_thread()
    assert run_with_timeout(lambda: 42, None, here=True) == 42
    with pytest.raises(ZeroDivisionError):
        run_with_timeout(lambda: 1 / 0, 1.0, here=True)
    gate = threading.Event()
    before = len(measure_module.ABANDONED)
    t0 = time.perf_counter()
    with pytest.raises(RepeatTimeout, match="within 0.2 s"):
        run_with_timeout(gate.wait, 0.2, here=True)
    assert time.perf_counter() - t0 < 1.0 and len(measure_module.ABANDONED) == before  # interrupted, not abandoned
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0  # no alarm left behind


def test_threads_compute_off_the_main_thread_whose_signals_stay_out_of_the_pools_locks():
    seen = []
    with for_spec(parse("threads-2")) as threads:
        threads.measure([dask.delayed(lambda: seen.append(threading.current_thread()) or 1)()], Instruments.none(), 5.0)
    assert seen and seen[0] is not threading.main_thread()
    assert run_with_timeout(threading.current_thread, 1.0) is not threading.main_thread()


def test_the_main_thread_time_limit_keeps_the_callers_own_alarm():
    fired = []
    old = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.5)
        assert run_with_timeout(lambda: time.sleep(0.1) or 7, 5.0, here=True) == 7
        left = signal.getitimer(signal.ITIMER_REAL)[0]
        assert 0 < left < 0.45  # the caller's alarm goes on, less the time spent
        time.sleep(left + 0.2)
        assert fired == [1]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_instruments_switch_one_by_one():
    assert Instruments().any and not Instruments.none().any
    assert Instruments(tasks=False, gil=False, bytes=False, resources=True).any


def test_gil_summary_is_min_weighted_median_max_and_none_without_figures():
    m = Measurement(wall_s=1.0, result=None, started_at=0.0, gil=[
        {"pid": 1, "contention": 0.9, "seconds": 3.0}, {"pid": 2, "contention": 0.1, "seconds": 1.0},
        {"pid": 3, "contention": None, "seconds": 5.0}])
    assert m.gil_summary() == (0.1, 0.9, 0.9)
    assert Measurement(wall_s=1.0, result=None, started_at=0.0).gil_summary() == (None, None, None)


def test_measure_is_the_schedulers_own():
    with for_spec(parse("sync")) as pool:
        m = measure(pool, [dask.delayed(sum)([1, 2])], Instruments.none())
    assert m.result == (3,) and m.wall_s > 0 and not m.tasks


def test_weighted_median_weights_by_duration():
    assert weighted_median([(0.9, 10.0), (0.1, 1.0), (0.2, 1.0)]) == 0.9
    assert weighted_median([(0.3, 0.0), (0.5, 0.0), (0.7, 0.0)]) == 0.5


@pytest.mark.parametrize("cores", [1, 2])
def test_no_gil_release_rate_is_recorded_where_the_probe_cannot_count_one(monkeypatch, cores):
    # On one core the probe's bursts never overlap the work: they read 0 flips however often the GIL changes hands
    from runners.gilsamplers import can_sample_gil
    from runners.schedulers import inprocess

    if not can_sample_gil() or not inprocess.flips(inprocess.local_probe(True)):
        pytest.skip("no GIL probe that counts flips here")
    monkeypatch.setattr(inprocess, "cores", lambda: cores)
    w = WORKLOADS["kernel-retake-k1"]
    with for_spec(parse("sync"), dashboard=False) as pool:
        m = measure(pool, [w.build(w.size_for("quick"), 0)], Instruments())
    assert "gil_held" in m.extra and ("gil_release_rate" in m.extra) is (cores == 2)
