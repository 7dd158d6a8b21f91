"""One repeat (runners/repeats.py): measured, checked against sync, stored; a timeout or fault recorded."""
from __future__ import annotations

import threading

import dask
import pytest

from runners import records
from runners.measure import stop_knocker
from runners.openpools import OpenPools
from runners.plan import Plan
from runners.profiles import PROFILES
from runners.records.kinds import parse
from runners.repeats import Built, Failure, Repeats, difference
from runners.rows import Rows
from workloads import Workload

SIZES = {"quick": 1, "default": 1, "full": 1}
GATE = threading.Event()  # what a hanging task waits for; set at the end so no thread is left behind


def _double(x):
    return 2 * x


def _boom(x):
    raise RuntimeError(f"boom {x}")


def _wait(x):
    GATE.wait(10)
    return x


def _workload(name, task, check=lambda a, b: a == b):
    return Workload(name=name, collection="delayed", claims=(), sizes=SIZES, check=check,
                    build=lambda size, seed: [dask.delayed(task)(i) for i in range(3)], description=name)


@pytest.fixture
def rep(tmp_path):
    GATE.clear()
    plan = Plan(profile=PROFILES["quick"], workloads={}, specs=[], timeout_s=1.0, dashboard=False)
    pools = OpenPools(tmp_path, "r", lambda s: None, dashboard=False)
    said: list[str] = []
    r = Repeats(plan, Rows(tmp_path, "r", 0, "quick"), pools, said.append)
    r.said = said
    yield r
    pools.close()
    stop_knocker()
    GATE.set()


def _rows(tmp_path):
    return list(records.read(tmp_path / records.ROWS))


def test_the_graph_is_built_once_and_unpacked_as_built(rep):
    w = _workload("double", _double)
    b = rep.build(w)
    assert rep.build(w) is b and b.is_list and len(b.objs) == 3 and b.ntasks == 3
    assert b.result((0, 2, 4)) == [0, 2, 4] and Built([1], False, 1).result((7,)) == 7


def test_an_ok_repeat_is_checked_against_the_sync_warm_up_and_stored(rep, tmp_path):
    w = _workload("double", _double)
    sync, threads = rep.pools.get_or_start(parse("sync")), rep.pools.get_or_start(parse("threads-2"))
    assert rep.warm(sync, w) is None and rep.references["double"] == [0, 2, 4]
    assert rep.timed(threads, w, repeat=0, rnd=0)[0] == "ok"
    assert rep.timed(threads, w, repeat=0, rnd=0, mode="bare", control="overhead")[0] == "ok"
    ok, bare = _rows(tmp_path)
    assert (ok["status"], ok["check_ok"], ok["ntasks_graph"], ok["ntasks_captured"]) == ("ok", True, 3, 3)
    assert (bare["mode"], bare["control"], bare["check_ok"], bare["gil"]) == ("bare", "overhead", None, [])
    assert records.tasks_path(tmp_path, "double", "threads-2").exists()


def test_a_result_that_disagrees_is_a_mismatch_and_without_a_warm_up_sync_is_computed_once(rep, tmp_path):
    w = _workload("never", _double, check=lambda a, b: False)
    status, wall = rep.timed(rep.pools.get_or_start(parse("threads-1")), w, 0, 0)
    assert status == "mismatch" and wall > 0
    (row,) = _rows(tmp_path)
    assert row["check_ok"] is False and row["check_detail"] == "max |result - reference| = 0"


def test_a_failing_task_is_an_error_row_with_its_traceback(rep, tmp_path):
    assert rep.timed(rep.pools.get_or_start(parse("threads-1")), _workload("boom", _boom), 0, 0) == ("error", None)
    (row,) = _rows(tmp_path)
    assert row["error_type"] == "RuntimeError" and "boom" in row["traceback"]
    assert rep.warm(rep.pools.get("threads-1"), _workload("boom", _boom)).error_type == "RuntimeError"


def test_a_repeat_past_its_limit_is_a_timeout_and_its_scheduler_is_started_afresh(rep, tmp_path):
    old = rep.pools.get_or_start(parse("threads-1"))
    assert rep.timed(old, _workload("hang", _wait), 0, 0) == ("timeout", None)
    assert rep.pools.get("threads-1") is not old and old.executor is None
    (row,) = _rows(tmp_path)
    assert row["status"] == "timeout" and "fresh threads pool" in rep.said[-1]
    failed = rep.warm(rep.pools.get("threads-1"), _workload("hang-2", _wait))
    assert failed == Failure("RepeatTimeout", "warm-up: repeat did not finish within 1 s", "")


def test_no_reference_when_sync_itself_fails(rep):
    ok, why = rep.check(_workload("boom", _boom), [0])
    assert not ok and why.startswith("no sync reference: RuntimeError: boom")


def test_difference_names_what_differs():
    assert difference("a", 1) == "result str differs from reference int"


def test_hundreds_of_separate_delayed_calls_are_measured_on_one_graph_and_said(rep, monkeypatch):
    from runners import onegraph  # preparation timed as its layers (what it grows with): no clock in the test

    monkeypatch.setattr(onegraph, "_preparation_s",
                        lambda objs: (len({n for o in objs for n in o.dask.layers}) / 1e3, None))
    w = Workload(name="many", collection="delayed", claims=(), sizes=SIZES, check=lambda a, b: a == b,
                 build=lambda size, seed: [dask.delayed(_double)(i) for i in range(onegraph.MIN_CALLS)],
                 description="a user's list")
    b = rep.build(w)
    assert b.is_list and len(b.objs) == onegraph.MIN_CALLS and {len(o.dask.layers) for o in b.objs} == {1}
    assert b.result(dask.compute(*b.objs, scheduler="sync")) == [2 * i for i in range(onegraph.MIN_CALLS)]
    assert any("separate delayed objects" in line for line in rep.said)
