"""The figures of a repeat on a cluster (runners/schedulers/cluster_figures.py)."""
from __future__ import annotations

from runners.schedulers.cluster_figures import roster_change, task_stream, worker_figures


def test_roster_change_tells_who_left_and_joined():
    assert roster_change({"a": {"pid": 1}}, {"a": {"pid": 2}}) == {"workers_lost": ["a"], "workers_joined": ["a"]}
    assert roster_change({}, {}) == {}


def test_worker_figures_leave_out_a_worker_that_restarted():
    snap = {"t": 0.0, "pid": 1, "gil_s": None, "cpu_s": 0.0, "rss": 5, "mem_samples": [], "transfer_out": 0}
    gil, cpu, rss, moved = worker_figures({"a": snap}, {"a": {**snap, "pid": 2, "t": 1.0, "cpu_s": 3.0}})
    assert (gil, cpu, rss, moved) == ([], 0.0, 0, 0)
    (g,), *_ = worker_figures({"a": snap}, {"a": {**snap, "t": 1.0}})
    assert g["contention"] is None  # no GIL figure: not 0


def test_task_stream_times_are_seconds_since_the_repeat_began():
    (t,) = task_stream([{"key": "k", "worker": "w", "thread": 7, "nbytes": 8,
                          "startstops": [{"start": 101.0, "stop": 101.5, "action": "transfer"}]}], 100.0)
    assert t == {"key": "k", "worker": "w", "thread": "w/7", "start": 1.0, "stop": 1.5, "action": "transfer",
                 "nbytes": 8}
