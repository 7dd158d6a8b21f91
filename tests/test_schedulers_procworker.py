"""What runs inside the processes scheduler's workers (runners/schedulers/_procworker.py)."""
from __future__ import annotations

import cloudpickle
import pytest

from runners.schedulers import _procworker


@pytest.fixture
def collector():
    _procworker.COLLECTOR.reset()
    yield _procworker.COLLECTOR
    _procworker.COLLECTOR.reset()


def test_in_the_parent_every_byte_each_way_is_counted(collector):
    data = _procworker.dumps(("task", [1, 2, 3]))
    assert collector.bytes_out == len(data)
    assert _procworker.loads(data) == ("task", [1, 2, 3])
    assert collector.bytes_in == len(data) and collector.tasks == []


def test_a_workers_result_comes_back_unwrapped_with_its_record(collector, monkeypatch):
    monkeypatch.setattr(_procworker, "_IN_WORKER", True)
    monkeypatch.setattr(_procworker, "_CURRENT", {})
    task = _procworker.loads(cloudpickle.dumps((type("T", (), {"key": "sum-1"})(), "args")))  # a task arrives
    assert task[1] == "args"
    wrapped = _procworker.dumps(42)  # its result leaves
    monkeypatch.setattr(_procworker, "_IN_WORKER", False)
    assert _procworker.loads(wrapped) == 42
    (rec,) = collector.tasks
    assert rec["key"] == "sum-1" and rec["stop"]["t"] >= rec["start"]["t"]
    assert rec["stop"]["cpu_s"] >= rec["start"]["cpu_s"] and rec["start"]["rss"] is None


def test_a_worker_with_no_knocker_reports_no_gil_seconds(monkeypatch):
    monkeypatch.setattr(_procworker, "_KNOCKER", None)
    assert _procworker._gil_seconds() is None


def test_peak_rss_is_each_tasks_own():
    peak = _procworker._PeakRss()
    peak.reset()
    base = peak.peak(1.0)
    block = b"\x01" * (200 * 2**20)  # written: resident
    assert peak.peak(1.0) > base + 150 * 2**20
    del block
    peak.reset()
    assert peak.peak(1.0) < base + 50 * 2**20
    assert peak.peak(0.0) > 0  # a short task reads the RSS at its end
