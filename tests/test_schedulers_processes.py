"""The processes kind (runners/schedulers/processes.py): a kept spawn pool, measured from what its workers saw."""
from __future__ import annotations

import os
import sys

import dask
import dask.array as da
import numpy as np
import psutil
import pytest

from runners.measure import Instruments
from runners.records.kinds import parse
from runners.schedulers.processes import Processes, as_a_notebook_runs_it, per_process


def _pid(_):
    return os.getpid()


@pytest.fixture(scope="module")
def pool():
    with Processes(parse("processes-2"), dashboard=False) as p:
        yield p


def test_every_worker_is_spawned_at_start_and_runs_tasks(pool):
    pids = pool.pids()
    assert len(pids) == 2 and os.getpid() not in pids and pool.info["pids"] == pids
    (ran,) = pool.compute([[dask.delayed(_pid)(i) for i in range(8)]])
    assert set(ran) <= set(pids)


def test_processes_move_at_least_the_chunk_bytes(pool):
    data = np.random.default_rng(0).random((2_000, 2_000))  # 32 MB made in the parent
    x = da.from_array(data, chunks=(500, 2_000))  # four 8 MB chunks to ship
    m = pool.measure([(x + 1).sum()], Instruments())
    assert m.bytes_out >= data.nbytes
    assert m.bytes_in > 0 and m.bytes_moved == m.bytes_out + m.bytes_in
    assert m.cpu_s > 0 and m.peak_rss > data.nbytes / 4
    assert {t["worker"] for t in m.tasks} <= {str(p) for p in pool.pids()}
    assert {g["pid"] for g in m.gil} <= set(pool.pids())


def _touch(i):
    # 48 MiB made fresh in the worker: above the allocator's 32 MiB threshold (runners/allocator.py), a new
    # mapping every time, ~12 000 pages of 4 KiB
    return float(np.ones(48 * 2**20 // 8).sum())


def _allocator(_):
    from runners.allocator import state

    return state()


def test_a_repeat_counts_the_page_faults_of_its_workers_tasks(pool):
    """Each task's minor page faults in its worker, summed, as ``sync`` and ``threads`` rows count this process's:
    stencil-numpy's processes were 0.77x as fast as threads with the workers' allocator faulting its arrays in."""
    m = pool.measure([[dask.delayed(_touch)(i) for i in range(4)]], Instruments())
    assert m.extra["minor_faults"] >= 4 * 8  # at least 32 pages each, even with 2 MiB huge pages
    quiet = pool.measure([[dask.delayed(_pid)(i) for i in range(4)]], Instruments())
    assert 0 <= quiet.extra["minor_faults"] < m.extra["minor_faults"]


def test_the_workers_start_with_the_allocator_settled(pool):
    """Every worker of a kept pool starts with glibc's thresholds where the runner has them: the same
    compute faults alike in every process the suite times in, whatever ran there before."""
    states = pool.compute([[dask.delayed(_allocator)(i) for i in range(4)]])[0]
    if sys.platform.startswith("linux"):
        assert all(s == {"set": True, "mmap_threshold": 32 * 2**20, "trim_threshold": 64 * 2**20} for s in states)


def test_an_uninstrumented_pool_measures_the_wall_clock_only():
    with Processes(parse("processes-1"), instrumented=False) as bare:
        m = bare.measure([dask.delayed(sum)([1, 2])], Instruments())
    assert m.result == (3,) and m.wall_s > 0
    assert not m.tasks and not m.gil and m.bytes_moved is None and m.cpu_s is None
    assert bare.executor is None and bare.pids() == []


def test_per_process_sums_busy_gil_and_cpu_and_marks_unknown_gil():
    a, b = {"t": 0.0, "gil_s": None, "cpu_s": 0.0, "rss": None}, {"t": 1.0, "gil_s": None, "cpu_s": 0.5, "rss": 7}
    c, d = {"t": 1.0, "gil_s": 0.0, "cpu_s": 0.5, "rss": None}, {"t": 3.0, "gil_s": 1.0, "cpu_s": 2.5, "rss": 5}
    got = per_process([{"pid": 1, "start": a, "stop": b}, {"pid": 1, "start": c, "stop": d},
                       {"pid": 2, "start": c, "stop": d}])
    assert got[1] == {"busy": 3.0, "gil": 1.0, "cpu": 2.5, "rss": 7, "gil_known": 0, "faults": 0}
    e, f = dict(a, faults=10), dict(b, faults=250)  # workers count their page faults; older records do not
    assert per_process([{"pid": 3, "start": e, "stop": f}])[3]["faults"] == 240
    assert got[2]["gil_known"] == 1 and got[2]["gil"] == 1.0


def test_processes_as_shipped_start_dasks_own_pool_per_compute_and_leave_nothing_running():
    me = psutil.Process()
    before = {c.pid for c in me.children(recursive=True)}  # other tests' pools, multiprocessing's resource tracker
    with Processes(parse("processes-2-shipped")) as p:
        assert p.executor is None and p.pids() == [] and p.start_s < 0.5  # nothing kept: nothing to start
        m = p.measure([dask.delayed(sum)([1, 2])], Instruments())
        assert m.result == (3,) and m.wall_s > 0 and m.tasks == [] and m.bytes_moved is None
        assert not [c for c in me.children(recursive=True)
                if c.pid not in before and c.is_running() and c.status() != "zombie"
                and "resource_tracker" not in " ".join(c.cmdline())]  # multiprocessing's own, started once
        assert sys.modules["__main__"] is not None and p.compute([dask.delayed(abs)(-4)]) == (4,)


def test_as_a_notebook_runs_it_hides_the_main_module_and_puts_it_back():
    main = sys.modules["__main__"]
    with as_a_notebook_runs_it():
        assert sys.modules["__main__"] is not main and not hasattr(sys.modules["__main__"], "__file__")
    assert sys.modules["__main__"] is main
