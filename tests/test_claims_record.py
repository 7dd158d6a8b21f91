"""The claim record (reports/claims/record.py): validated once, immutable, the plot a value."""
from __future__ import annotations

import dataclasses

import pytest

from reports.claims.record import DRAWINGS, Claim, Plot, no_questions, speedup_bar


def _verdict(ctx):
    return {"verdict": "inconclusive"}


def make(**kw):
    return Claim(**{"id": "C99", "text": "A claim.", "kinds": frozenset({"sync"}), "scaling": False,
                    "verdict": _verdict, **kw})


def test_defaults_ask_nothing_and_draw_the_comparisons():
    c = make()
    assert c.questions is no_questions and c.questions(None, 2) == []
    assert c.plot is None and not c.free_threaded_only


@pytest.mark.parametrize("kw, words", [
    ({"id": "X1"}, "C followed by a number"),
    ({"text": ""}, "must say what is claimed"),
    ({"kinds": frozenset({"gpu"})}, "kinds must be among"),
    ({"kinds": frozenset()}, "kinds must be among"),
    ({"plot": Plot("pie", "caption", "axis")}, "plot drawing must be one of"),
])
def test_a_bad_record_names_the_rule_it_broke(kw, words):
    with pytest.raises(ValueError, match=words):
        make(**kw)


def test_kinds_become_a_frozenset_and_the_record_is_frozen():
    c = make(kinds=["sync", "threads"])
    assert c.kinds == frozenset({"sync", "threads"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.text = "other"  # type: ignore[misc]


def test_drawings_are_the_plot_kinds():
    assert DRAWINGS == ("comparisons", "curves", "by_k", "per_task", "defaults")


@pytest.mark.parametrize("n, per_core, cap, bar", [(1, 0.2, 4, 1.0), (2, 0.2, 4, 1.2), (8, 0.2, 4, 1.6),
                                                   (8, 0.2, None, 2.4), (3, 0.4, 4, 1.8)])
def test_speedup_bar(n, per_core, cap, bar):
    assert speedup_bar(n, per_core, cap) == bar


def test_reads_is_a_tuple_of_workload_names():
    c = Claim("C0", "text", frozenset({"sync"}), False, verdict=lambda ctx: {}, reads=["delayed-null"])
    assert c.reads == ("delayed-null",)
    with pytest.raises(ValueError, match="reads is a tuple"):
        Claim("C0", "text", frozenset({"sync"}), False, verdict=lambda ctx: {}, reads="delayed-null")
