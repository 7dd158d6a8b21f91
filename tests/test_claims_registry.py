"""The claim registry (reports/claims/registry.py): every claim once, in order, and what a workload's claims ask."""
from __future__ import annotations

from dataclasses import replace
from types import ModuleType

import pytest

from reports.claims import CLAIMS, IDS, questions_for
from reports.claims import registry
from reports.claims.record import DRAWINGS
from workloads import catalogue

CAT = catalogue()


def test_claims_numbered_from_c1_in_order_each_under_its_own_id():
    assert len(IDS) >= 14 and IDS == tuple(f"C{i}" for i in range(1, len(IDS) + 1))  # C1..Cn, no gap, none lost
    assert all(CLAIMS[cid].id == cid for cid in IDS)
    with pytest.raises(TypeError):
        CLAIMS["C99"] = CLAIMS["C1"]  # type: ignore[index]  (read-only)


def test_claims_are_found_in_the_topic_modules_in_the_order_of_their_numbers():
    late, early = ModuleType("late"), ModuleType("early")
    late.C10, late.helper = CLAIMS["C10"], len
    early.C2, early.C9 = CLAIMS["C2"], CLAIMS["C9"]
    assert list(registry.discover(late, early)) == ["C2", "C9", "C10"]
    early.again = CLAIMS["C2"]  # the same record seen twice is one claim
    assert list(registry.discover(early)) == ["C2", "C9"]
    assert {c for m in registry.MODULES for c in registry.discover(m)} == set(IDS)


def test_an_id_declared_twice_is_refused():
    a, b = ModuleType("a"), ModuleType("b")
    a.C1, b.C1 = CLAIMS["C1"], replace(CLAIMS["C1"], text="another C1")
    with pytest.raises(ValueError, match="claim C1 is declared twice"):
        registry.discover(a, b)


def test_every_built_in_workload_names_registered_claims():
    named = {c for w in CAT.values() for c in w.claims}
    assert named <= set(IDS)
    # a claim is served by workloads naming it or by those its record reads
    served = named | {c.id for c in CLAIMS.values() if set(c.reads) & set(CAT)}
    assert all(set(c.reads) <= set(CAT) for c in CLAIMS.values())  # reads name built-in workloads
    # C13 is read from the raw-thread experiment, C14 from the C3 workloads on a free-threaded build
    assert set(IDS) - served <= {"C13", "C14"}


def test_every_plot_is_one_the_dashboard_draws():
    assert all(c.plot is None or c.plot.drawing in DRAWINGS for c in CLAIMS.values())


@pytest.mark.parametrize(("name", "expected"), [
    ("array-transcendental", {("C1", "threads-2", "sync", 1.2), ("C2", "threads-2", "processes-2", 1.0),
                              ("C2", "threads-2", "distributed-2x1", 1.0), ("C12", "others", "threads-2", 1.2)}),
    ("bag-json", {("C3", "threads-2", "sync", 1.25), ("C3", "processes-2", "sync", 1.0),
                  ("C12", "others", "processes-2", 1.2)}),
    ("kernel-retake-k1", {("C7", "threads-2", "sync", 1.2)}),
    ("kernel-retake-k32768", {("C7", "threads-2", "sync", 1.3)}),
    ("kernel-retake-k32", set()),  # the middle of the k range is reported, not decided on
    ("stencil-numpy", {("C4", "threads-2", "sync", 1.2), ("C4", "threads-4", "threads-2", 1.25),
                       ("C4", "processes-2", "threads-2", 1.0)}),
    ("kernel-compute-gil", {("C5", "kernel-compute-nogil|threads-2", "threads-2", 1.4),
                            ("C6", "kernel-compute-nogil|sync", "sync", 1.0)}),
])
def test_a_workloads_claims_ask_at_their_own_bars(name, expected):
    assert {(q.claim, q.a, q.b, q.up) for q in questions_for(CAT[name], 2)} == expected


def test_bars_follow_the_number_of_cores():
    (q,) = [q for q in questions_for(CAT["array-transcendental"], 4) if q.claim == "C1"]
    assert (q.a, q.up) == ("threads-4", 1.6)


def test_questions_in_the_order_the_workload_names_its_claims():
    assert [q.claim for q in questions_for(CAT["bag-json"], 2)] == ["C3", "C3", "C12"]
