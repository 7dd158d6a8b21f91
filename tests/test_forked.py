"""The forked copy that shares the rerun draws (reports/forked.py)."""
from __future__ import annotations

from reports import forked


def test_a_fork_that_fails_leaves_the_draws_to_this_process():
    assert forked.in_fork(lambda: 1 / 0) is None
    assert forked.in_fork(lambda: {"x": ["a", None]}) == {"x": ["a", None]}
    assert forked.in_fork(lambda: __import__("time").sleep(5), timeout_s=0.5) is None


def test_it_counts_the_cores_this_process_may_use():
    assert 1 <= forked.cores() <= (__import__("os").cpu_count() or 1)
