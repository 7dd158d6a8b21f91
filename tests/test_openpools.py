"""Pools held open by a run: started on first use and timed, skipped with a reason, always closed."""
from __future__ import annotations

from types import SimpleNamespace

from runners import records
from runners.openpools import OpenPools
from runners.pools import Pool, SchedulerUnavailable
from runners.records.kinds import parse


def _pools(tmp_path, said):
    plan = SimpleNamespace(dashboard=False, plugin_files=[], security=None)
    return OpenPools(tmp_path, "r", plan, said.append)


def test_started_once_reused_and_closed_with_records(tmp_path):
    said: list[str] = []
    pools = _pools(tmp_path, said)
    a = pools.get_or_start(parse("threads-2"))
    assert a is pools.get_or_start(parse("threads-2"))  # once per spec
    assert a.compute([1]) == (1,)
    pools.close()
    assert a.executor is None and list(pools) == []
    rows = list(records.read(tmp_path / records.STARTUP))
    assert [(r["scheduler"], r["status"]) for r in rows] == [("threads-2", "ok")]
    assert rows[0]["start_s"] is not None and rows[0]["stop_s"] is not None


def test_a_scheduler_the_interpreter_cannot_run_is_skipped_with_its_reason(tmp_path, monkeypatch):
    def refuse(self):
        raise SchedulerUnavailable("distributed is not installed")

    monkeypatch.setattr(Pool, "start", refuse)
    said: list[str] = []
    pools = _pools(tmp_path, said)
    assert pools.get_or_start(parse("distributed-2x1")) is None
    assert pools.get_or_start(parse("distributed-2x1")) is None  # remembered, not retried
    assert pools.unavailable == {"distributed-2x1": "distributed is not installed"}
    rows = list(records.read(tmp_path / records.STARTUP))
    assert [(r["status"], r["error"]) for r in rows] == [("unavailable", "distributed is not installed")]
    assert any("skipped: distributed is not installed" in s for s in said)


def test_keep_closes_only_what_no_later_workload_needs(tmp_path):
    pools = _pools(tmp_path, [])
    pools.get_or_start(parse("threads-1"))
    pools.get_or_start(parse("threads-2"))
    pools.close(keep={"threads-2"})
    assert list(pools) == ["threads-2"]
    pools.close()
