"""The plan: its schedule, the seeded order of rounds, and what --resume continues from."""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import pytest

from reports.claims import CLAIMS
from runners import records
from runners.plan import Plan, PLAIN_SAMPLE, check_kinds, plan_specs, prior_work, scaling_kinds, seeded_shuffle
from runners.profiles import LAYOUT_SAMPLE, PROFILES
from runners.records.kinds import parse, parse_list
from workloads import catalogue


def _plan(profile: str, names: list[str], **kw) -> Plan:
    """A plan of the named built-in workloads on 2 cores, told the claims as runners.all tells it."""
    cat = catalogue()
    base, sweep = plan_specs(PROFILES[profile], 2)
    return Plan(profile=PROFILES[profile], workloads={n: cat[n] for n in names}, specs=base, sweep_specs=sweep,
                **{"claims": CLAIMS, **kw})


def test_sweeps_come_last_and_only_where_a_claim_reads_them():
    plan = _plan("quick", ["stencil-numpy", "bag-json", "array-transcendental"])
    order = [(w.name, [s.label for s in specs]) for w, specs in plan.schedule()]
    assert order[-1][0] == "stencil-numpy" and "threads-4" in order[-1][1]  # C4 reads 2N threads
    assert "threads-4" not in dict(order)["array-transcendental"]  # quick sweeps only C4's workloads
    # C3/C12 read no cluster in quick; C12's workloads also run processes as Dask ships it
    assert dict(order)["bag-json"] == ["sync", "threads-2", "processes-2", "processes-2-shipped"]


def test_as_shipped_readings_go_where_the_profile_asks_and_everywhere_for_a_users_workload():
    names = ["bag-json", "stdlib-re", "delayed-busy-1000", "array-transcendental"]
    quick = dict((w.name, [s.label for s in specs]) for w, specs in _plan("quick", names).schedule())
    assert "processes-2-shipped" in quick["bag-json"]  # processes is the bag's default: C12 reads it as shipped
    assert "processes-2-shipped" in quick["stdlib-re"]  # a bag too
    # a C12 workload whose default is threads: the kept pool answers "could processes beat it?"
    assert "processes-2-shipped" not in quick["array-transcendental"] and "processes-2" in quick["array-transcendental"]
    assert not any(label.endswith("-shipped") for label in quick["delayed-busy-1000"])  # not a C12 workload
    assert not any(label.startswith("distributed") and label.endswith("-shipped") for v in quick.values() for label in v)
    default = dict((w.name, [s.label for s in specs]) for w, specs in _plan("default", names).schedule())
    assert "processes-2-shipped" in default["bag-json"]
    assert not any(label.endswith("-shipped") for label in default["array-transcendental"])
    full = dict((w.name, [s.label for s in specs]) for w, specs in _plan("full", names).schedule())
    assert {"processes-2-shipped", "distributed-2x1-shipped"} <= set(full["array-transcendental"])
    assert PROFILES["default"].ships(()) and PROFILES["quick"].ships(())  # a user's own workload: both readings


def test_a_lean_plan_not_told_the_claims_runs_every_kind():
    plan = _plan("quick", ["bag-json"], claims={})
    assert [s.label for s in plan.schedule()[0][1]] == ["sync", "threads-2", "processes-2", "distributed-2x1",
                                                        "processes-2-shipped"]


def test_the_claims_handed_in_decide_the_kinds():
    only_threads = {"C3": SimpleNamespace(kinds=frozenset({"sync", "threads"}), scaling=True),
                    "C12": SimpleNamespace(kinds=frozenset({"sync"}), scaling=False)}
    plan = _plan("quick", ["bag-json"], claims=only_threads)
    assert [s.label for s in plan.schedule()[0][1]] == ["sync", "threads-2"]


def test_sweeps_run_the_kinds_of_the_scaling_claims():
    w = catalogue()["array-transcendental"]  # C1 (scaling: sync, threads), C2 and C12 (compare, every kind)
    assert scaling_kinds(w, CLAIMS) == CLAIMS["C1"].kinds
    assert scaling_kinds(replace(w, claims=("C2",)), CLAIMS) == CLAIMS["C2"].kinds  # no scaling claim: its kinds


def test_a_workloads_kinds_must_be_known():
    w = replace(catalogue()["bag-json"], kinds=("sync", "gpu"))
    with pytest.raises(ValueError, match=r"unknown scheduler kinds \['gpu'\]; valid: sync, threads"):
        check_kinds(w)
    with pytest.raises(ValueError, match="gpu"):
        Plan(profile=PROFILES["quick"], workloads={"bag-json": w}, specs=parse_list("sync"))
    check_kinds(replace(w, kinds=None))


def test_named_schedulers_run_every_workload_under_each():
    cat = catalogue()
    named = parse_list("sync,distributed-2x1")  # and the as-shipped reading of distributed-2x1
    plan = Plan(profile=PROFILES["quick"], workloads={"bag-json": cat["bag-json"]}, specs=named, lean=False)
    assert plan.schedule()[0][1] == named  # every one, and no layout the user did not name


def test_repeats_fixed_or_adaptive():
    assert _plan("quick", ["bag-json"]).min_repeats == 5 and _plan("quick", ["bag-json"]).max_repeats == 10
    fixed = _plan("quick", ["bag-json"], repeats=2, fixed=True)
    assert (fixed.min_repeats, fixed.fixed) == (2, True)


def test_plain_check_sample_by_profile():
    plan = _plan("quick", list(PLAIN_SAMPLE) + ["array-reduction"])
    assert [plan.plain_check(w) for w in plan.workloads.values()] == [True] * len(PLAIN_SAMPLE) + [False]
    assert not _plan("quick", ["bag-json"], check_plain=False).plain_check(catalogue()["bag-json"])
    cat = catalogue()
    checked = lambda plan, name, label: plan.plain_checked(cat[name], parse(label))
    assert [checked(plan, "bag-json", s) for s in ("sync", "processes-2", "processes-2-shipped")] == [False, True, False]
    assert [checked(plan, "df-groupby", s) for s in ("sync", "threads-2", "processes-2")] == [True, True, False]
    assert checked(_plan("default", ["bag-json"]), "bag-json", "processes-2-shipped")  # default: every spec it ran under


def test_seeded_shuffle_is_reproducible_and_varies_by_round():
    orders = []
    for rnd in range(6):
        x = ["a", "b", "c", "d"]
        seeded_shuffle(x, 42, "w", 0, rnd)
        orders.append(tuple(x))
    again = ["a", "b", "c", "d"]
    seeded_shuffle(again, 42, "w", 0, 0)
    assert tuple(again) == orders[0]
    assert len(set(orders)) > 1  # ABCD, CADB, ...


def test_prior_work_counts_ok_rows_and_finished_workloads(tmp_path):
    rows = [records.RunRecord(run_id="r", workload="w", scheduler="sync", repeat=i, wall_s=1.0, status=s)
            for i, s in enumerate(["ok", "ok", "error"])]
    records.append(tmp_path / records.ROWS, rows)
    records.append(tmp_path / records.ROUNDS, [{"workload": "done", "stopped": "decided"},
                                               {"workload": "w", "stopped": "no spec left"}])
    p = prior_work(tmp_path)
    assert p.session == 1  # the next session of this folder
    assert p.times[("w", "sync")] == [1.0, 1.0]  # the error row is retried, not counted
    assert p.finished == {"done": True}  # a workload whose specs all failed is measured again


def _layouts_in(plan: Plan) -> dict[str, list[str]]:
    """workload -> the distributed labels its schedule runs."""
    return {w.name: [s.label for s in specs if s.kind == "distributed"] for w, specs in plan.schedule()}


def test_quick_sweeps_the_layouts_of_its_sample_only():
    names = list(LAYOUT_SAMPLE) + ["array-reduction", "bag-json"]
    got = _layouts_in(_plan("quick", names, layouts=True))
    assert all(got[n] == ["distributed-2x1", "distributed-1x2"] for n in LAYOUT_SAMPLE)  # each runs distributed
    assert got["array-reduction"] == ["distributed-2x1"]  # runs distributed, not in the sample
    assert got["bag-json"] == []  # no cluster: no layouts either


def test_default_sweeps_the_layouts_of_every_workload_that_runs_distributed():
    got = _layouts_in(_plan("default", ["array-reduction", "delayed-busy-10", "bag-json", "stencil-numpy"],
                            layouts=True))
    assert got == {"array-reduction": ["distributed-2x1", "distributed-1x2"],  # no collection's default: not shipped
                   "delayed-busy-10": ["distributed-2x1", "distributed-1x2"], "bag-json": [], "stencil-numpy": []}


def test_layouts_on_sixteen_cores_and_never_a_shipped_reading():
    cat = catalogue()
    base, _ = plan_specs(PROFILES["default"], 16)
    plan = Plan(profile=PROFILES["default"], workloads={"delayed-null": cat["delayed-null"]},
                specs=base, claims=CLAIMS, layouts=True, lean=False)
    labels = [s.label for s in plan.schedule()[0][1]]
    assert labels[-3:] == ["distributed-16x1-shipped", "distributed-1x16", "distributed-4x4"]
    assert sum(s.as_shipped for s in plan.schedule()[0][1]) == 2  # only the base's own, none added


def test_no_layouts_unless_asked_nor_beside_a_cluster_at_an_address():
    assert _layouts_in(_plan("default", ["delayed-null"]))["delayed-null"] == ["distributed-2x1"]  # layouts=False
    cat = catalogue()
    base, _ = plan_specs(PROFILES["default"], 2, address="tcp://127.0.0.1:8786")
    plan = Plan(profile=PROFILES["default"], workloads={"delayed-null": cat["delayed-null"]}, specs=base,
                claims=CLAIMS, layouts=True)
    assert _layouts_in(plan)["delayed-null"] == ["distributed@tcp://127.0.0.1:8786"]


def test_the_command_line_sweeps_layouts_only_where_the_profile_chose_the_schedulers(tmp_path):
    from runners import all as root
    from runners.cli import parse_args

    chosen, *_ = root._plan(parse_args(["--profile", "quick", "--out", str(tmp_path)]), tmp_path, None, CLAIMS)
    named, *_ = root._plan(parse_args(["--profile", "quick", "--schedulers", "sync,distributed-2x1",
                                       "--out", str(tmp_path)]), tmp_path, None, CLAIMS)
    assert chosen.layouts and not named.layouts
    got = _layouts_in(chosen)
    assert {w for w, labels in got.items() if "distributed-1x2" in labels} == set(LAYOUT_SAMPLE)
