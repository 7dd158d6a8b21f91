"""The instruments measure: GIL contention, bytes moved, task counts, CPU and memory."""
from __future__ import annotations

import dask.array as da
import numpy as np
import pytest

from runners.measure import Instruments, graph_size, measure, stop_knocker, weighted_median
from runners.pools import open_pool
from runners.records.kinds import parse
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
    with open_pool(parse(label), dashboard=False) as pool:
        held = _median_gil(pool, "kernel-compute-gil")
        released = _median_gil(pool, "kernel-compute-nogil")
    assert held > 0.4, (held, released)
    assert held > 3 * released, (held, released)


def test_processes_move_at_least_the_chunk_bytes():
    data = np.random.default_rng(0).random((2_000, 2_000))  # 32 MB made in the parent
    x = da.from_array(data, chunks=(500, 2_000))  # four 8 MB chunks to ship
    with open_pool(parse("processes-2"), dashboard=False) as pool:
        m = measure(pool, [(x + 1).sum()], Instruments())
    assert m.bytes_out >= data.nbytes
    assert m.bytes_in > 0 and m.bytes_moved == m.bytes_out + m.bytes_in
    assert m.cpu_s > 0 and m.peak_rss > data.nbytes / 4


@pytest.mark.parametrize("label", ["sync", "threads-2", "processes-2"])
def test_task_stream_captures_every_task_of_the_graph(label):
    x = da.random.default_rng(1).random((400, 400), chunks=100)
    objs = [(x * 2).sum()]
    with open_pool(parse(label), dashboard=False) as pool:
        m = measure(pool, objs, Instruments())
    keys = {t["key"] for t in m.tasks}
    assert all(t["stop"] >= t["start"] for t in m.tasks)
    # processes fuses linear chains once more inside dask.multiprocessing.get
    assert 0 < len(keys) <= graph_size(objs)
    if label != "processes-2":
        assert len(keys) == graph_size(objs)


def test_sync_and_threads_move_no_bytes_and_bare_measures_only_time():
    with open_pool(parse("threads-2"), dashboard=False) as pool:
        m = measure(pool, [da.ones(1000, chunks=100).sum()], Instruments())
        bare = measure(pool, [da.ones(1000, chunks=100).sum()], Instruments.none())
    assert m.bytes_moved == 0 and m.gil and m.tasks
    assert bare.wall_s > 0 and not bare.gil and not bare.tasks and bare.bytes_moved is None


def test_weighted_median_weights_by_duration():
    assert weighted_median([(0.9, 10.0), (0.1, 1.0), (0.2, 1.0)]) == 0.9
    assert weighted_median([(0.3, 0.0), (0.5, 0.0), (0.7, 0.0)]) == 0.5
