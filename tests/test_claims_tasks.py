"""The per-task overhead claim C9 (reports/claims/tasks.py): the order of the kinds by their cost per task."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from _claimdata import c9, verdict
from reports.claims.tasks import C9, NULL, TIE
from reports.evidence import FAILS, HOLDS, UNSURE


def test_c9_holds_with_ordered_overhead_and_reports_break_even():
    v = verdict("C9", *c9())
    assert v["verdict"] == HOLDS
    assert v["numbers"]["per_task_us"]["sync"] == pytest.approx(20.0)
    assert v["numbers"]["break_even_task_us"]["threads-2"] == 1000
    assert v["numbers"]["break_even_task_us"]["processes-2"] == "> 1000"


def test_c9_does_not_hold_on_an_inversion():
    v = verdict("C9", *c9(threads=0.01))
    assert v["verdict"] == FAILS and "threads-2 faster than sync" in v["reason"]


@pytest.mark.parametrize("kw", [{"failures": {"distributed-2x1": ["error"]}}, {"n": 4}])
def test_c9_inconclusive_when_the_data_cannot_decide(kw):
    assert verdict("C9", *c9(**kw))["verdict"] == UNSURE


def test_c9_inconclusive_without_distributed():
    null = [r for r in c9()[0] if r["scheduler"] != "distributed-2x1"]
    v = verdict("C9", null)
    assert v["verdict"] == UNSURE and v["numbers"]["missing"] == ["delayed-null@distributed-2x1"]


def test_c9_names_real_scheduler_labels():
    v = verdict("C9", *c9())
    assert list(v["numbers"]["per_task_us"]) == ["sync", "threads-2", "processes-2", "distributed-2x1"]
    assert "distributed-2x1" in v["threshold"] and "distributed-2 " not in v["threshold"]
    assert "ties within ±10 % allowed" in v["threshold"]


def test_c9_asks_each_step_of_the_order_at_its_tie_and_only_of_the_null_tasks():
    null = SimpleNamespace(name=NULL, collection="delayed", params={}, claims=("C9",))
    assert [(q.a, q.b, q.up) for q in C9.questions(null, 2)] == [
        ("threads-2", "sync", TIE), ("processes-2", "threads-2", TIE), ("distributed-2x1", "processes-2", TIE),
        ("sync", "distributed-2x1", 1.0)]
    busy = SimpleNamespace(name="delayed-busy-10", collection="delayed", params={"task_us": 10}, claims=("C9",))
    assert C9.questions(busy, 2) == []


def test_the_task_record():
    assert not C9.scaling and C9.plot.drawing == "per_task"
    assert C9.kinds == {"sync", "threads", "processes", "distributed"}
