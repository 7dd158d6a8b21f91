"""What the distributed scheduler runs inside its workers (runners/schedulers/_clusterworker.py)."""
from __future__ import annotations

import os
from types import SimpleNamespace

from runners import gilsamplers
from runners.schedulers import _clusterworker


def _worker(gil_monitored, cumulative=2.5):
    updated = []
    mon = SimpleNamespace(monitor_gil_contention=gil_monitored, cumulative_gil_contention=cumulative,
                          quantities={"time": [1.0, 2.0], "memory": [10, 20]}, update=lambda: updated.append(1))
    return SimpleNamespace(monitor=mon, transfer_outgoing_bytes_total=99), updated


def test_a_full_snapshot_has_clock_pid_cpu_memory_and_bytes_sent():
    w, _ = _worker(False)
    s = _clusterworker.snapshot(w)
    assert s["pid"] == os.getpid() and s["cpu_s"] > 0 and s["rss"] > 0 and s["transfer_out"] == 99
    assert s["mem_samples"] == [(1.0, 10), (2.0, 20)] and s["gil_s"] is None  # no monitor: not 0


def test_the_gil_is_read_from_the_workers_monitor_where_it_samples(monkeypatch):
    monkeypatch.setattr(gilsamplers, "_SAMPLER", [True])
    w, updated = _worker(True)
    assert _clusterworker.snapshot(w)["gil_s"] == 2.5 and updated == [1]


def test_an_identity_snapshot_and_the_pid_are_this_process():
    assert set(_clusterworker.snapshot(None, full=False)) == {"t", "pid"}
    assert _clusterworker.pid() == os.getpid()
