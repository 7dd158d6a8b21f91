"""Profiles (runners/profiles.py): their specs and sweeps, and the kinds a lean profile runs for a claim."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from distributed.deploy.utils import nprocesses_nthreads

from reports.claims import CLAIMS
from runners.profiles import (ALL_KINDS, LAYOUT_SAMPLE, PROFILES, Profile, cores, dask_layout, layouts, needed_kinds,
                              sweep_counts)


def test_every_profile_runs_every_kind_at_n_workers_then_its_as_shipped_readings():
    for p in PROFILES.values():
        assert [s.label for s in p.specs(4)][:4] == ["sync", "threads-4", "processes-4", "distributed-4x1"]
    assert [s.label for s in PROFILES["full"].specs(4)][4:] == ["processes-4-shipped", "distributed-4x1-shipped"]
    assert [s.label for s in PROFILES["quick"].specs(4)][4:] == ["processes-4-shipped"]
    assert [s.label for s in PROFILES["full"].specs(1)][3] == "distributed-1x1"


@pytest.mark.parametrize("n, expected", [(1, [(1, 1)]), (2, [(2, 1), (1, 2)]), (4, [(4, 1), (1, 4)]),
                                         (6, [(6, 1), (1, 6), (3, 2)]), (16, [(16, 1), (1, 16), (4, 4)])])
def test_layouts_are_nx1_1xn_and_local_clusters_own_split(n, expected):
    got = layouts(n)
    assert got == expected
    assert dask_layout(n) == nprocesses_nthreads(n) and nprocesses_nthreads(n) in got
    assert len(set(got)) == len(got) and all(w * t == n for w, t in got)


def test_layouts_need_a_core():
    with pytest.raises(ValueError, match="core count must be >= 1"):
        layouts(0)


def test_profiles_sweep_layouts_where_their_budget_allows():
    assert PROFILES["full"].layout_workloads == PROFILES["default"].layout_workloads == "all"
    assert PROFILES["quick"].layout_workloads == LAYOUT_SAMPLE and len(LAYOUT_SAMPLE) == 3
    assert PROFILES["default"].sweeps_layouts("a-users-own")
    assert PROFILES["quick"].sweeps_layouts("delayed-null") and not PROFILES["quick"].sweeps_layouts("bag-json")


@pytest.mark.parametrize("n", [1, 2, 16])
def test_layout_specs_are_tuned_clusters_beyond_the_base(n):
    specs = PROFILES["default"].layout_specs(n)
    assert [(s.workers, s.threads_per_worker) for s in specs] == layouts(n)[1:]
    assert all(s.kind == "distributed" and not s.as_shipped and s.address is None for s in specs)
    assert all(not s.as_shipped for p in PROFILES.values() for s in p.layout_specs(n))


def test_layout_workloads_is_all_or_names():
    with pytest.raises(ValueError, match="layout_workloads must be 'all' or a tuple"):
        Profile("x", repeats=5, timeout_s=1, full_sweep=False, layout_workloads="some", overhead_repeats=1)
    assert not Profile("x", 5, 1, False, (), 1).sweeps_layouts("delayed-null")


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
