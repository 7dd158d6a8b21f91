"""The dataframe claim C10 (reports/claims/frames.py): numeric pandas scales on threads, object columns do not."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from _claimdata import frames, verdict
from reports.claims.frames import C10, group
from reports.evidence import FAILS, HOLDS, UNSURE, flat_bar


def test_c10_holds_numeric_faster_and_lower_gil():
    v = verdict("C10", *frames())
    assert v["verdict"] == HOLDS and v["numbers"]["numeric_faster"] == "1/1"


def test_c10_does_not_hold_when_numeric_slower():
    assert verdict("C10", *frames(numeric_threads=1.1))["verdict"] == FAILS


def test_c10_reads_a_small_gain_one_way_only():
    # 1.05x, known tightly, and no gain at all: one bar (1x) reads each one way.  The old rule passed a
    # small gain ("interval above 1") or failed it ("below 1.1"), whichever its interval cleared first,
    # and failed a flat one; a flat one is now as undecided as it is.
    v = verdict("C10", *frames(numeric_threads=1 / 1.05))
    assert v["verdict"] == HOLDS and v["numbers"]["numeric_faster"] == "1/1"
    assert verdict("C10", *frames(numeric_threads=1.0))["verdict"] == UNSURE


@pytest.mark.parametrize("kw", [{"n": 4}, {"failures": {"threads-2": ["mismatch"]}}, {"spread": 0.25}])
def test_c10_inconclusive_when_the_data_cannot_decide(kw):
    assert verdict("C10", *frames(numeric_threads=0.9 if "spread" in kw else 0.55, **kw))["verdict"] == UNSURE


def test_c10_inconclusive_without_one_of_the_groups():
    v = verdict("C10", frames()[0])
    assert v["verdict"] == UNSURE and v["numbers"]["missing"] == ["object dataframe workloads under sync and threads-2"]


@pytest.mark.parametrize("name, expected", [("df-groupby", "numeric"), ("df-join", "numeric"),
                                            ("df-str-arrow", "numeric"), ("df-str-object", "object"),
                                            ("df-apply", "object"), ("df-read", None)])
def test_group_by_name(name, expected):
    assert group(name) == expected


def test_c10_asks_a_gain_of_numeric_work_and_a_flat_bar_of_object_work():
    w = lambda name: SimpleNamespace(name=name, collection="dataframe", params={}, claims=("C10",))  # noqa: E731
    assert [(q.a, q.b, q.up, q.down) for q in C10.questions(w("df-groupby"), 2)] == [("threads-2", "sync", 1.0, 1.0)]
    assert [(q.a, q.b, q.up) for q in C10.questions(w("df-apply"), 2)] == [("threads-2", "sync", flat_bar(2))]
    assert C10.questions(w("df-read"), 2) == []
