"""The suite without gilknocker (as on a free-threaded interpreter) and with a scheduler that cannot start.

Nothing here runs on a free-threaded CPython (this machine has none): gilknocker is
made unimportable, as it is where it has no wheel, and the free-threaded build is
patched in where only the branch taken depends on it.
"""
from __future__ import annotations

import json
import os
import sys
from types import SimpleNamespace

import dask
import pytest

from runners import gilsamplers, measure
from runners.measure import Instruments
from runners.records.kinds import parse
from runners.schedulers import SchedulerUnavailable, for_spec
from runners.schedulers import _clusterworker, _procworker, base, distributed
from runners.schedulers.distributed import Distributed

from _cli import run_cli

BLOCK = "raise ImportError('gilknocker blocked by the test: stands in for an interpreter with no wheel for it')\n"


@pytest.fixture
def no_gilknocker(monkeypatch, tmp_path):
    """gilknocker unimportable in this process and in any child started from it."""
    (tmp_path / "gilknocker.py").write_text(BLOCK)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])))
    monkeypatch.delitem(sys.modules, "gilknocker", raising=False)
    monkeypatch.setattr(gilsamplers, "_SAMPLER", [])
    measure.stop_knocker()
    yield tmp_path
    measure.stop_knocker()


@pytest.mark.parametrize("label", ["sync", "threads-2"])
def test_local_gil_figures_none_without_gilknocker(no_gilknocker, label):
    with for_spec(parse(label)) as pool:
        m = measure.measure(pool, [dask.delayed(sum)([1, 2, 3])], Instruments())
    assert m.result == (6,)
    assert [g["contention"] for g in m.gil] == [None]  # not applicable, not 0
    assert m.gil_summary() == (None, None, None)
    assert not gilsamplers._KNOCKER


def test_worker_gil_seconds_none_without_gilknocker(no_gilknocker):
    assert gilsamplers.can_sample_gil() is False
    assert _procworker._KNOCKER is None and _procworker._gil_seconds() is None


def test_distributed_worker_snapshot_gil_none_without_monitor():
    # What distributed's SystemMonitor looks like when gilknocker did not import.
    mon = SimpleNamespace(monitor_gil_contention=False, quantities={})
    snap = _clusterworker.snapshot(SimpleNamespace(monitor=mon, transfer_outgoing_bytes_total=0))
    assert snap["gil_s"] is None


def test_no_gil_sampling_with_the_gil_off(monkeypatch):
    import runners.meta

    monkeypatch.setattr(runners.meta, "gil_enabled", lambda: False)
    assert gilsamplers.can_sample_gil() is False


def test_pool_start_unavailable_when_distributed_cannot_import(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    pool = Distributed(parse("distributed-2x1"))
    with pytest.raises(SchedulerUnavailable, match="distributed cannot be imported on .*Python") as e:
        pool.start()
    assert "ModuleNotFoundError" in e.value.reason
    assert pool.cluster is None and pool.client is None
    pool.close()


def _failing_cluster(self):
    raise RuntimeError("worker failed to start")


@pytest.mark.parametrize("free_threaded", [True, False])
def test_local_cluster_failure_is_unavailable_only_on_free_threaded(monkeypatch, free_threaded):
    for module in (distributed, base):  # where a start is judged, and where the interpreter is named
        monkeypatch.setattr(module, "free_threaded_build", lambda: free_threaded)
    monkeypatch.setattr(Distributed, "_start_local", _failing_cluster)
    pool = Distributed(parse("distributed-2x1"))
    if free_threaded:  # distributed not there yet: skipped, with its error
        with pytest.raises(SchedulerUnavailable, match=r"free-threaded Python .*worker failed to start"):
            pool.start()
    else:  # a GIL build has no such excuse: a failure
        with pytest.raises(RuntimeError, match="worker failed to start") as e:
            pool.start()
        assert not isinstance(e.value, SchedulerUnavailable)
    pool.close()


@pytest.mark.parametrize("machine, head", [
    ({"python": "3.11.7", "free_threaded_build": False, "gil_enabled": True,
      "gil_sampler": {"available": False, "reason": "gilknocker is not installed (pip install -e '.[gil]')"}},
     "Python 3.11.7 with the GIL"),
    ({"python": "3.14.0", "free_threaded_build": True, "gil_enabled": True, "gil_reenabled_by": ["x._ext"],
      "gil_sampler": {"available": False, "reason": "gilknocker is not installed (pip install -e '.[gil]')"}},
     "Python 3.14.0, free-threaded build, GIL re-enabled by x._ext"),
])
def test_terminal_says_interpreter_and_why_no_gil_figures(machine, head):
    import pandas as pd

    from reports import terminal

    text = terminal.render({"run_id": "r", "machine": machine}, pd.DataFrame(), width=200)
    first, second = text.splitlines()[:2]
    assert head in first
    assert second == "GIL figures not applicable: gilknocker is not installed (pip install -e '.[gil]')"


@pytest.mark.slow
def test_run_without_gilknocker_records_gil_not_applicable(no_gilknocker, tmp_path):
    out = tmp_path / "out"
    r = run_cli("--profile", "quick", "--workloads", "bag-json,array-transcendental",
                "--schedulers", "sync,threads-2,processes-2-tuned", "--no-controls", "--no-dashboard-link",
                "--out", str(out), env=dict(os.environ))
    assert r.returncode == 0, r.stderr[-2000:]
    (run_dir,) = [p for p in out.iterdir() if p.is_dir()]
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["gil_sampler"]["available"] is False
    assert "gilknocker cannot be imported" in meta["gil_sampler"]["reason"]
    table = json.loads((run_dir / "summary.json").read_text())["table"]
    assert {row["scheduler"] for row in table} == {"sync", "threads-2", "processes-2"}
    for row in table:
        assert (row["gil_min"], row["gil_median"], row["gil_max"]) == (None, None, None), row
    rows = [json.loads(line) for line in (run_dir / "rows.jsonl").read_text().splitlines()]
    ok = [x for x in rows if x.get("status") == "ok"]
    assert ok and all(x["gil_median"] is None for x in ok)
    assert all(g["contention"] is None for x in ok for g in x["gil"])  # per process too
    assert "GIL figures not applicable: gilknocker cannot be imported" in r.stdout
