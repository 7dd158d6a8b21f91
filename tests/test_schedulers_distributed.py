"""The distributed kind (runners/schedulers/distributed.py): a LocalCluster or a cluster by address."""
from __future__ import annotations

import sys

import dask
import psutil
import pytest

from runners.measure import Instruments
from runners.records.kinds import parse
from runners.schedulers.distributed import ClusterUnreachable, Distributed


def _inc(x):
    return x + 1


@pytest.fixture(scope="module")
def cluster():
    with Distributed(parse("distributed-1x1"), dashboard=False) as c:
        yield c


def test_a_local_cluster_starts_with_its_workers_and_says_so(cluster):
    assert cluster.info["workers"] == 1 and list(cluster.info["threads"].values()) == [1]
    assert cluster.info["address"].startswith("tcp://127.0.0.1") and cluster.info["dashboard_link"] == ""
    assert cluster.label == "distributed-1x1" and cluster.alive() and len(cluster.pids()) == 1


def test_the_suites_own_workers_start_with_the_allocator_settled(cluster):
    """As the runner and a kept pool's workers (runners/allocator.py): one allocator state wherever the suite times."""
    from runners.allocator import state

    (st,) = cluster.client.run(state).values()
    if sys.platform.startswith("linux"):
        assert st == {"set": True, "mmap_threshold": 32 * 2**20, "trim_threshold": 64 * 2**20}


def test_a_cluster_repeat_records_tasks_per_worker_figures_and_bytes(cluster):
    m = cluster.measure([dask.delayed(sum)([dask.delayed(_inc)(i) for i in range(6)])], Instruments(), 30)
    assert m.result == (21,)
    assert len({t["key"] for t in m.tasks}) == 7 and all(t["action"] == "compute" for t in m.tasks if "inc" in t["key"])
    (g,) = m.gil
    assert g["pid"] == cluster.pids()[0] and g["seconds"] > 0
    assert m.cpu_s is not None and m.peak_rss > 0 and m.bytes_in > 0 and m.bytes_moved >= m.bytes_in
    assert "workers_lost" not in m.extra  # nobody left or joined


def test_dasks_performance_report_is_one_page_of_html(cluster):
    page = cluster.performance_report([dask.delayed(_inc)(1)])
    assert page.lstrip().lower().startswith("<!doctype html") or "<html" in page.lower()


def test_a_paused_cluster_spends_nothing_and_computes_again_once_resumed(cluster):
    import os
    import threading
    import time

    (worker,) = [psutil.Process(p) for p in cluster.pids()]
    assert worker.ppid() == os.getpid()  # its nanny lives here: it dies with this process (PR_SET_PDEATHSIG)
    cluster.pause()
    cluster.pause()  # idempotent
    try:
        assert worker.status() == psutil.STATUS_STOPPED
        cpu0 = sum(worker.cpu_times()[:2])
        loop_ran = threading.Event()
        cluster.cluster.loop.add_callback(loop_ran.set)
        time.sleep(0.3)
        assert not loop_ran.is_set()  # the event loop is parked: its ticks and heartbeats wait
        assert sum(worker.cpu_times()[:2]) == cpu0
    finally:
        cluster.resume()
    assert loop_ran.wait(5) and worker.status() != psutil.STATUS_STOPPED
    assert cluster.compute([dask.delayed(_inc)(1)]) == (2,)
    cluster.resume()  # nothing to undo


def test_a_paused_cluster_closes():
    c = Distributed(parse("distributed-1x1"), dashboard=False).start()
    (worker,) = [psutil.Process(p) for p in c.pids()]
    c.pause()
    c.close()
    assert not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE


def test_a_closed_cluster_is_not_alive_and_has_no_report():
    c = Distributed(parse("distributed-1x1"))
    assert not c.alive() and c.performance_report([1]) is None and c.pids() == []


def test_tls_without_certificates_says_what_is_missing_before_trying():
    with pytest.raises(ClusterUnreachable, match="needs TLS certificates"):
        Distributed(parse("distributed@tls://127.0.0.1:1")).start()


def test_an_existing_clusters_label_names_its_size():
    c = Distributed(parse("distributed@tcp://10.0.0.1:8786"))
    c.info.update(workers=3, threads={"a": 2, "b": 2, "c": 1})
    assert c.label == "distributed@tcp://10.0.0.1:8786-3x2"


@pytest.mark.slow
def test_a_one_off_cluster_is_started_and_closed_inside_every_repeat():
    me = psutil.Process()
    before = {c.pid for c in me.children(recursive=True)}  # other tests' pools, multiprocessing's resource tracker
    with Distributed(parse("distributed-1x1-shipped")) as d:
        assert d.cluster is None and d.client is None and d.info["one_off"]  # nothing kept
        m = d.measure([dask.delayed(sum)([1, 2])], Instruments())
        assert m.result == (3,) and m.wall_s > 0 and m.tasks == [] and d.performance_report([1]) is None
    assert not [c for c in me.children(recursive=True)
                if c.pid not in before and c.is_running() and c.status() != "zombie"
                and "resource_tracker" not in " ".join(c.cmdline())]  # multiprocessing's own, started once


def _parse_in_threads(sources):
    import ast

    return sum(len(ast.parse(s).body) for s in sources)


def test_a_paused_cluster_leaves_no_garbage_collector_hook_in_this_process(cluster):
    """Its in-process scheduler hooks Python code (distributed.gc's diagnosis) into every collection; while
    paused, that hook would run inside other specs' tasks: each collection a chance to hand the GIL over
    mid-C-call.  On CPython 3.11 it made ``ast.parse`` in two threads fail ("AST constructor recursion
    depth mismatch") in every threaded compute of stdlib-ast (10 of 10 here; 0 of 10 without a cluster)."""
    import gc
    import sys

    def hooks():
        return [cb for cb in gc.callbacks if str(getattr(cb, "__module__", "")).startswith("distributed")]

    assert hooks()  # the kept cluster's scheduler is here
    cluster.pause()
    try:
        assert hooks() == []
        if sys.version_info[:2] == (3, 11):  # the race itself, where it exists
            source = "\n".join(f"def f{i}(a, b):\n    return [a + b * {i} for _ in range(3)]" for i in range(400))
            work = [dask.delayed(_parse_in_threads)([source] * 4) for _ in range(16)]
            gc.freeze()  # as the harness does around each compute: earlier tests' garbage is not this one's
            try:
                assert dask.compute(*work, scheduler="threads", num_workers=2) == (1600,) * 16
            finally:
                gc.unfreeze()
    finally:
        cluster.resume()
    assert hooks()  # back for the cluster's own computes
