"""runners/onegraph.py: a user's separate delayed objects measured on one graph, with what that saves said."""
from __future__ import annotations

import dask
import pytest

from runners import onegraph
from runners.onegraph import MIN_CALLS, Preparation, prepared


def _work(n: int, shared: bool = False) -> list:
    base = dask.delayed(int)(3)
    return [dask.delayed(pow)(base if shared else i, 2) for i in range(n)]


def _layers_as_seconds(monkeypatch):
    """Preparation timed as the number of layers (what it grows with): the tests do not hang on a clock."""
    monkeypatch.setattr(onegraph, "_preparation_s",
                        lambda objs: (float(len({n for o in objs for n in o.dask.layers})), None))


def test_separate_delayed_objects_become_one_layer_with_the_same_keys_and_results():
    work = _work(10 * MIN_CALLS)  # 1 000 calls: culling them takes several times one graph's preparation
    objs, prep = prepared(work)
    assert isinstance(prep, Preparation) and prep.calls == len(work) and prep.layers >= len(work)
    assert [o.key for o in objs] == [w.key for w in work]
    assert {len(o.dask.layers) for o in objs} == {1} and len({id(o.dask) for o in objs}) == 1
    assert dask.compute(*objs, scheduler="sync") == dask.compute(*work, scheduler="sync")
    assert 0 < prep.one_s < prep.separate_s  # measured, not assumed: else the work is left as given


def test_shared_dependencies_are_kept_once(monkeypatch):
    _layers_as_seconds(monkeypatch)
    work = _work(MIN_CALLS, shared=True)
    objs, prep = prepared(work)
    assert prep is not None and dask.compute(*objs, scheduler="sync") == (9,) * MIN_CALLS


def test_a_tuple_stays_a_tuple(monkeypatch):
    _layers_as_seconds(monkeypatch)
    objs, prep = prepared(tuple(_work(MIN_CALLS)))
    assert isinstance(objs, tuple) and prep is not None


@pytest.mark.parametrize("work", [
    _work(MIN_CALLS - 1),  # a few objects: a few milliseconds to prepare
    dask.delayed(sum)(_work(MIN_CALLS)),  # one object (its graph is Dask's to prepare)
    [*_work(MIN_CALLS), 1],  # not all delayed
])
def test_anything_else_is_measured_as_given(work):
    objs, prep = prepared(work)
    assert objs is work and prep is None


def test_no_gain_leaves_the_work_as_given(monkeypatch):
    monkeypatch.setattr(onegraph, "_preparation_s", lambda objs: (1.0, None))  # as fast one way as the other
    work = _work(MIN_CALLS)
    assert prepared(work) == (work, None)


def test_the_note_says_the_cost_and_what_was_measured():
    note = Preparation(calls=5000, layers=5000, separate_s=2.1, one_s=0.58).note
    assert "5,000 separate delayed objects" in note and "2.1 s" in note and "580 ms" in note
    assert "every scheduler" in note


def test_the_one_graph_comes_with_its_task_count_so_the_runner_need_not_count_again():
    from runners.measure import graph_size

    work = _work(MIN_CALLS)
    one, prep = prepared(work)
    if prep is None:  # one graph no cheaper on this machine: nothing to carry
        pytest.skip("one graph was not cheaper here")
    assert prep.ntasks == graph_size(one) == graph_size(work)
