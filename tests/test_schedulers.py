"""The registry of scheduler kinds (runners/schedulers/__init__.py): one class per kind, found by kind."""
from __future__ import annotations

import pytest

from runners.records.kinds import KINDS, in_process, is_cluster, parse
from runners.schedulers import SCHEDULERS, Scheduler, for_spec


def test_every_kind_of_the_vocabulary_has_its_class():
    assert sorted(SCHEDULERS) == sorted(KINDS)
    for kind, cls in SCHEDULERS.items():
        assert issubclass(cls, Scheduler) and cls.kind == kind


@pytest.mark.parametrize("label", ["sync", "threads-2", "processes-2", "distributed-2x1",
                                   "distributed@tcp://127.0.0.1:8786"])
def test_for_spec_gives_the_kinds_class_unstarted_with_its_settings(label):
    spec = parse(label)
    s = for_spec(spec, instrumented=False, dashboard=False, upload=["plugin.py"])
    assert type(s) is SCHEDULERS[spec.kind] and s.spec == spec and s.spec.label == label
    assert (s.instrumented, s.dashboard, s.upload, s.start_s) == (False, False, ["plugin.py"], None)


def test_what_each_kind_declares_follows_where_its_tasks_run():
    for kind, cls in SCHEDULERS.items():
        assert cls.plain_checked is not is_cluster(kind)  # a cluster is not compared with plain dask.compute
        assert cls.slow_start is not in_process(kind)  # worker processes take seconds to start


def test_every_kind_of_the_vocabulary_has_its_module_found():
    from runners.records.kinds import KINDS
    from runners.schedulers import discover

    found = discover()
    assert list(found) == list(KINDS)
    assert all(cls.kind == k and cls.__module__ == f"runners.schedulers.{k}" for k, cls in found.items())
