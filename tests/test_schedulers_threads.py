"""The threads kind (runners/schedulers/threads.py): a kept thread pool in this interpreter."""
from __future__ import annotations

import threading

import dask
import pytest

from runners.measure import Instruments, stop_knocker
from runners.records.kinds import parse
from runners.schedulers.threads import Threads


@pytest.fixture(autouse=True)
def _no_knocker_left():
    yield
    stop_knocker()


def _thread_name(_):
    return threading.current_thread().name


def test_tasks_run_on_the_pools_own_threads_as_many_as_workers():
    with Threads(parse("threads-3")) as t:
        assert t.executor._max_workers == 3
        (names,) = t.compute([[dask.delayed(_thread_name)(i) for i in range(12)]])
    assert names and all(n.startswith("suite-task") for n in names)
    assert t.executor is None  # closed on leaving


def test_a_threads_repeat_records_its_tasks_on_their_threads_and_no_bytes():
    with Threads(parse("threads-2")) as t:
        m = t.measure([dask.delayed(sum)([dask.delayed(abs)(-i) for i in range(8)])], Instruments())
    assert m.result == (28,) and m.bytes_moved == 0 and "bytes_tasks" not in m.extra  # only sync estimates them
    assert len({x["key"] for x in m.tasks}) == 9 and all(x["thread"] != str(threading.get_ident()) for x in m.tasks)
    assert [g["pid"] for g in m.gil] == [t.pids()[0]]
