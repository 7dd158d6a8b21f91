"""The sync kind (runners/schedulers/sync.py): the reference, measured here, with the bytes processes would move."""
from __future__ import annotations

import os

import dask
import dask.array as da
import pytest

from runners.measure import Instruments, stop_knocker
from runners.records.kinds import parse
from runners.schedulers.sync import Sync


@pytest.fixture(autouse=True)
def _no_knocker_left():
    yield
    stop_knocker()


def test_sync_computes_here_with_nothing_to_start():
    with Sync(parse("sync")) as s:
        assert s.compute([dask.delayed(sum)([1, 2]), 4]) == (3, 4)
        assert s.pids() == [os.getpid()]


def test_sync_estimates_the_bytes_processes_would_pickle_and_moves_none():
    x = da.random.default_rng(0).random((200, 200), chunks=100)  # four 80 kB blocks
    with Sync(parse("sync")) as s:
        m = s.measure([(x + x.T).sum()], Instruments(gil=False))
        bare = s.measure([(x + x.T).sum()], Instruments(gil=False, bytes=False))
    assert m.bytes_moved == 0 and m.extra["bytes_tasks"] >= 4 * 80_000  # each block goes to the tasks that read it
    assert bare.bytes_moved is None and "bytes_tasks" not in bare.extra
