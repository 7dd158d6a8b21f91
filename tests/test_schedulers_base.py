"""What every scheduler kind shares (runners/schedulers/base.py): the timed life cycle, the defaults, pools."""
from __future__ import annotations

import os
import time

import dask
import psutil
import pytest

from runners.records.kinds import parse
from runners.schedulers.base import Plain, PoolScheduler, Scheduler, SchedulerUnavailable, interpreter, spawn_pool


class _Counting(Scheduler):
    kind = "sync"

    def __init__(self, *a, fail=False, close_fails=False, **kw):
        super().__init__(*a, **kw)
        self.fail, self.close_fails, self.closed = fail, close_fails, 0

    def _start(self):
        if self.fail:
            raise RuntimeError("no start")

    def _close(self):
        self.closed += 1
        if self.close_fails:
            raise OSError("closing went wrong")


def test_start_and_close_are_timed_and_close_is_safe_twice():
    s = _Counting(parse("sync"))
    assert s.start() is s and s.start_s >= 0
    s.close()
    first = s.stop_s
    assert first is not None
    s.close()
    assert s.stop_s == first and s.closed == 2  # the first stop is the one recorded


def test_the_stop_is_timed_even_when_a_kind_fails_to_close():
    s = _Counting(parse("sync"), close_fails=True)
    with pytest.raises(OSError):
        s.close()
    assert s.stop_s is not None


def test_a_failed_start_in_a_with_block_closes_what_was_started():
    s = _Counting(parse("sync"), fail=True)
    with pytest.raises(RuntimeError, match="no start"):
        with s:
            pass
    assert s.closed == 1 and s.start_s is None


def test_a_scheduler_runs_only_its_own_kind():
    with pytest.raises(ValueError, match="runs 'sync' specs; got 'threads-2'"):
        _Counting(parse("threads-2"))


def test_defaults_run_here_stay_alive_and_have_no_report_or_plain_form():
    s = _Counting(parse("sync"))
    assert s.pids() == [os.getpid()] and s.alive() and s.performance_report([1]) is None
    assert s.label == "sync"
    with pytest.raises(NotImplementedError):
        Scheduler.compute(s, [1])


def test_unavailable_carries_its_reason_and_interpreter_names_this_one():
    assert SchedulerUnavailable("why").reason == "why"
    assert interpreter().endswith(os.sys.version.split()[0]) and "Python" in interpreter()


def test_plain_closes_what_it_holds():
    closed = []
    p = Plain({"scheduler": "threads", "num_workers": 1}, close=lambda: closed.append(True))
    assert p.compute([1, 2]) == (1, 2)
    p.close()
    assert closed == [True]


@pytest.mark.parametrize("label, config", [
    ("sync", {"scheduler": "sync"}),
    ("threads-3", {"scheduler": "threads", "num_workers": 3}),
    ("processes-2-shipped", {"scheduler": "processes", "num_workers": 2}),
])
def test_plain_runs_the_pasted_snippet_and_keeps_its_settings_to_itself(label, config):
    before = dict(dask.config.config)
    p = Plain.of(parse(label))
    try:
        assert p.config == config
        assert {k: dask.config.config.get(k) for k in config} == {k: before.get(k) for k in config}  # undone
    finally:
        p.close()


def test_plain_of_the_tuned_processes_keeps_the_snippets_spawned_pool_with_one_task_per_submission():
    p = Plain.of(parse("processes-1"))
    try:
        assert p.config["scheduler"] == "processes" and p.config["chunksize"] == 1
        assert p.config["pool"]._mp_context.get_start_method() == "spawn"
        assert p.compute([dask.delayed(sum)([1, 2])]) == (3,)
    finally:
        p.close()
    with pytest.raises(RuntimeError):  # closed: the pool takes no more work
        p.config["pool"].submit(abs, 1)


def test_spawn_pool_starts_every_worker_before_returning_and_pool_close_stops_them():
    pool = spawn_pool(2, os.getpid)
    procs = list(pool._processes.values())
    assert len(procs) == 2 and all(p.is_alive() for p in procs)

    class _Held(PoolScheduler):
        kind = "processes"

    held = _Held(parse("processes-2"))
    held.executor = pool
    held.close()
    assert held.executor is None
    # Asked of the OS: the executor's own thread may reap a worker first, and Process.is_alive() then errs.
    deadline = time.monotonic() + 5
    while any(psutil.pid_exists(p.pid) for p in procs) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(psutil.pid_exists(p.pid) for p in procs)
