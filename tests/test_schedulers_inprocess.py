"""Measuring a repeat whose tasks run in this process (runners/schedulers/inprocess.py)."""
from __future__ import annotations

import time

import dask
import dask.array as da
import pytest

from runners.measure import Instruments, RepeatTimeout, stop_knocker
from runners.schedulers.inprocess import TaskBytes, measure_in_process


@pytest.fixture(autouse=True)
def _no_knocker_left():
    yield
    stop_knocker()


def _compute(*objs, scheduler="threads"):
    return lambda: dask.compute(*objs, scheduler=scheduler)


def test_every_instrument_on_records_tasks_cpu_memory_and_no_bytes():
    x = da.ones(1000, chunks=100).sum()
    m = measure_in_process(_compute(x), Instruments(), None)
    assert m.result == (1000.0,) and m.wall_s > 0 and m.started_at <= time.time()
    assert m.bytes_out == m.bytes_in == m.bytes_moved == 0  # shared memory: nothing serialised
    assert m.tasks and all(0 <= t["start"] <= t["stop"] for t in m.tasks)
    assert m.cpu_s is not None and m.peak_rss > 0 and len(m.gil) == 1


def test_a_repeat_counts_the_page_faults_its_allocations_cost():
    import numpy as np

    touch = lambda: np.ones(64 * 2**20 // 8).sum()  # noqa: E731 - 64 MiB fresh: ~16 000 pages (4 KiB)
    m = measure_in_process(touch, Instruments(), None)
    assert m.extra["minor_faults"] >= 30  # ~16 000 of 4 KiB, or 32 of 2 MiB where NumPy gets huge pages
    quiet = measure_in_process(lambda: 1, Instruments(), None)
    assert 0 <= quiet.extra["minor_faults"] < 30
    assert "minor_faults" not in measure_in_process(touch, Instruments.none(), None).extra


def test_bare_measures_only_time():
    m = measure_in_process(_compute(da.ones(1000, chunks=100).sum()), Instruments.none(), None)
    assert m.wall_s > 0 and not m.gil and not m.tasks and m.bytes_moved is None and m.cpu_s is None


def test_bytes_are_estimated_only_when_asked():
    x = dask.delayed(list)(range(10_000))
    counted = measure_in_process(_compute(dask.delayed(len)(x), scheduler="sync"), Instruments(), None,
                                 count_bytes=True)
    assert counted.extra["bytes_tasks"] > 10_000
    assert "bytes_tasks" not in measure_in_process(_compute(dask.delayed(len)(x)), Instruments(), None).extra


def test_task_bytes_count_a_result_once_per_dependent_plus_its_way_back():
    x = dask.delayed(list)(range(1000), dask_key_name="x")
    one = TaskBytes()
    with one:
        dask.compute(dask.delayed(len)(x), scheduler="sync")
    two = TaskBytes()
    with two:
        dask.compute(dask.delayed(len)(x), dask.delayed(sum)(x), scheduler="sync")
    assert two.total > one.total * 1.4  # x now goes out to two tasks


def test_task_bytes_count_what_a_cluster_may_move_the_smaller_inputs_of_tasks_with_several():
    from dask.sizeof import sizeof

    big = dask.delayed(list)(range(10_000), dask_key_name="big")
    small = dask.delayed(list)(range(100), dask_key_name="small")
    pair = dask.delayed(lambda a, b: len(a) + len(b))(big, small, dask_key_name="pair")
    alone = dask.delayed(len)(big, dask_key_name="alone")
    counted = TaskBytes()
    with counted:
        dask.compute(pair, alone, scheduler="sync")
    assert counted.spread == sizeof(list(range(100)))  # pair runs where big is: only small may move; alone moves nothing
    assert counted.results == 2 * sizeof(10_100)  # the two results go back to the client
    m = measure_in_process(_compute(pair, scheduler="sync"), Instruments(), None, count_bytes=True)
    assert m.extra["bytes_spread"] == counted.spread and m.extra["bytes_results"] == sizeof(10_100)

def test_a_compute_past_its_time_limit_raises():
    with pytest.raises(RepeatTimeout):
        measure_in_process(lambda: time.sleep(1.0), Instruments.none(), 0.1)
