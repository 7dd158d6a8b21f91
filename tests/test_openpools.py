"""Schedulers held open by a run: started on first use and timed, skipped with a reason, always closed."""
from __future__ import annotations

from runners import records
from runners.openpools import OpenPools
from runners.records.kinds import parse
from runners.schedulers import SchedulerUnavailable
from runners.schedulers.distributed import Distributed


def _pools(tmp_path, said):
    return OpenPools(tmp_path, "r", said.append, dashboard=False)


def test_started_once_reused_and_closed_with_records(tmp_path):
    said: list[str] = []
    pools = _pools(tmp_path, said)
    a = pools.get_or_start(parse("threads-2"))
    assert a is pools.get_or_start(parse("threads-2"))  # once per spec
    assert a.compute([1]) == (1,)
    pools.close()
    assert a.executor is None and list(pools) == []
    rows = list(records.read(tmp_path / records.STARTUP))
    assert [(r["scheduler"], r["kind"], r["status"]) for r in rows] == [("threads-2", "threads", "ok")]
    assert rows[0]["start_s"] is not None and rows[0]["stop_s"] is not None
    assert said == [f"threads-2 up in {a.start_s:.2f} s"]  # a thread pool starts at once: no "starting ..." first


def test_a_scheduler_the_interpreter_cannot_run_is_skipped_with_its_reason(tmp_path, monkeypatch):
    def refuse(self):
        raise SchedulerUnavailable("distributed is not installed")

    monkeypatch.setattr(Distributed, "_start", refuse)
    said: list[str] = []
    pools = _pools(tmp_path, said)
    assert pools.get_or_start(parse("distributed-2x1")) is None
    assert pools.get_or_start(parse("distributed-2x1")) is None  # remembered, not retried
    assert pools.unavailable == {"distributed-2x1": "distributed is not installed"}
    rows = list(records.read(tmp_path / records.STARTUP))
    assert [(r["status"], r["error"]) for r in rows] == [("unavailable", "distributed is not installed")]
    assert said[0] == "starting distributed-2x1 ..."  # a slow start is announced first
    assert any("skipped: distributed is not installed" in s for s in said)


def test_a_scheduler_that_fails_to_start_is_recorded_as_an_error(tmp_path, monkeypatch):
    def broken(self):
        raise OSError("no more processes")

    monkeypatch.setattr(Distributed, "_start", broken)
    pools = _pools(tmp_path, [])
    assert pools.get_or_start(parse("distributed-1x1")) is None
    assert "distributed-1x1" not in pools.unavailable
    (row,) = records.read(tmp_path / records.STARTUP)
    assert row["status"] == "error" and row["error"] == "OSError: no more processes"


def test_restart_closes_records_and_starts_a_fresh_one(tmp_path):
    pools = _pools(tmp_path, [])
    old = pools.get_or_start(parse("threads-1"))
    new = pools.restart(old)
    assert new is not old and new is pools.get("threads-1") and old.executor is None
    pools.close()
    notes = [r["info"].get("note") for r in records.read(tmp_path / records.STARTUP)]
    assert notes == ["closed after a timeout or lost worker", None]


def test_keep_closes_only_what_no_later_workload_needs(tmp_path):
    pools = _pools(tmp_path, [])
    pools.get_or_start(parse("threads-1"))
    pools.get_or_start(parse("threads-2"))
    pools.close(keep={"threads-2"})
    assert list(pools) == ["threads-2"]
    pools.close()


def test_focus_runs_one_and_pauses_every_other(tmp_path):
    class Pausable:
        def __init__(self):
            self.paused = 0

        def pause(self):
            self.paused = 1

        def resume(self):
            self.paused = 0

    pools = _pools(tmp_path, [])
    a, b = Pausable(), Pausable()
    pools.pools.update(a=a, b=b, gone=None)
    pools.focus(a)
    assert (a.paused, b.paused) == (0, 1)
    pools.focus(b)
    assert (a.paused, b.paused) == (1, 0)
    pools.focus(None)  # plain Dask timed in another interpreter: all paused
    assert (a.paused, b.paused) == (1, 1)
