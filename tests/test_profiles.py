"""Profiles (runners/profiles.py): their specs and sweeps, and the kinds a lean profile runs for a claim."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from reports.claims import CLAIMS
from runners.profiles import ALL_KINDS, PROFILES, cores, needed_kinds, sweep_counts


def test_every_profile_runs_every_kind_at_n_workers():
    for p in PROFILES.values():
        assert [s.kind for s in p.specs(4)][:4] == ["sync", "threads", "processes", "distributed"]
    assert [s.label for s in PROFILES["full"].specs(2)][-1] == "distributed-1x2"  # one process, N threads
    assert [s.label for s in PROFILES["full"].specs(1)][-1] == "distributed-1x1"


def test_sweeps_full_or_only_past_the_cores():
    assert [s.label for s in PROFILES["quick"].sweep_specs(2)] == ["threads-4"]
    full = [s.label for s in PROFILES["default"].sweep_specs(2)]
    assert full[:4] == ["threads-1", "threads-2", "threads-3", "threads-4"] and "processes-4" in full


@pytest.mark.parametrize("n, full, expected", [(1, True, [1, 2]), (3, True, [1, 2, 3, 4, 5, 6]),
                                               (8, True, [1, 2, 4, 8, 16]), (8, False, [1, 8, 16])])
def test_sweep_counts(n, full, expected):
    assert sweep_counts(n, full) == expected


def test_needed_kinds_are_those_the_claims_read():
    assert needed_kinds(("C1",), CLAIMS) == {"sync", "threads"}
    assert needed_kinds(("C1", "C3"), CLAIMS) == {"sync", "threads", "processes"}
    assert needed_kinds(("C2",), CLAIMS) == ALL_KINDS


def test_needed_kinds_of_a_users_workload_or_an_unknown_claim_are_all():
    assert needed_kinds((), CLAIMS) == ALL_KINDS
    assert needed_kinds(("C1",), {}) == ALL_KINDS


def test_c12_everywhere_runs_the_defaults_claim_under_every_kind():
    only = {"C12": SimpleNamespace(kinds=frozenset({"sync", "threads"}), scaling=False)}
    assert needed_kinds(("C12",), only) == {"sync", "threads"}
    assert needed_kinds(("C12",), only, c12_everywhere=True) == ALL_KINDS


def test_cores_is_at_least_one():
    assert cores() >= 1
