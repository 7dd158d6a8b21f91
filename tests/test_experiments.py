"""Experiments outside the dask harness (runners/experiments.py): the registry, the convoy, running them."""
from __future__ import annotations

import pytest

from runners import experiments, records
from runners.experiments import EXPERIMENTS, Experiment, run_convoy, run_experiments
from runners.plan import Plan
from runners.profiles import PROFILES
from runners.progress import Steps
from runners.records.kinds import parse
from runners.rows import Rows
from workloads import catalogue


def test_convoy_rows_cover_every_interval_with_and_without_the_spinner():
    rows = run_convoy("quick", 2, calls=3, buffer_size=200)
    cells = {(r["repeat"], r["params"]["switch_interval_ms"], r["params"]["spinner"]) for r in rows}
    assert cells == {(i, ms, s) for i in (0, 1) for ms in experiments.SWITCH_INTERVALS_MS for s in (False, True)}
    assert all(r["wall_s"] > 0 and r["claims"] == ["C13"] for r in rows)
    assert {r["scheduler"] for r in rows if r["params"]["spinner"]} == {"threads-2"}


@pytest.mark.parametrize("kw, match", [({"profile": "huge"}, "unknown profile"), ({"repeats": 0}, "repeats"),
                                       ({"calls": 0}, "calls and buffer_size")])
def test_convoy_states_the_rule_that_failed(kw, match):
    with pytest.raises(ValueError, match=match):
        run_convoy(**{"profile": "quick", **kw})


def _plan(names):
    w = catalogue()["delayed-null"]
    return Plan(profile=PROFILES["quick"], workloads={w.name: w}, specs=[parse("sync")], experiments=list(names),
                repeats=2)


def test_run_experiments_stores_rows_numbers_steps_and_keeps_going_after_a_failure(tmp_path, monkeypatch):
    def fine(profile, repeats):
        return [{"workload": "fine", "scheduler": "sync", "repeat": i, "wall_s": 0.1} for i in range(repeats)]

    def broken(profile, repeats):
        raise RuntimeError("no kernel")

    monkeypatch.setitem(EXPERIMENTS, "broken", Experiment("broken", ("C13",), "fails", broken))
    monkeypatch.setitem(EXPERIMENTS, "fine", Experiment("fine", (), "works", fine))
    said: list[str] = []
    plan = _plan(["broken", "fine", "convoy"])
    run_experiments(plan, Rows(tmp_path, "r", 3, "quick"), {("convoy", "threads-1", "instrumented", ""): 1},
                    Steps(said.append, 5))
    rows = list(records.read(tmp_path / records.ROWS))
    assert [(r["workload"], r["status"]) for r in rows] == [("broken", "error")] + [("fine", "ok")] * 5
    assert rows[0]["error"] == "no kernel" and rows[0]["claims"] == ["C13"] and "RuntimeError" in rows[0]["traceback"]
    assert all(r["session"] == 3 for r in rows)
    assert [s.split()[0] for s in said] == ["[2/5]", "[3/5]"]  # after the plan's one workload; convoy was done


def test_every_experiment_says_what_it_shows():
    assert sorted(EXPERIMENTS) == ["convoy", "gil-calibration", "pickle-throughput"]
    assert all(e.name == k and e.description for k, e in EXPERIMENTS.items())
