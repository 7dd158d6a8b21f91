"""The composition root (runners/all.py): the claims wired into the plan, and a module level light enough for
the spawned workers that run it again."""
from __future__ import annotations

import subprocess
import sys

import pytest

from _cli import ROOT
from reports.claims import CLAIMS
from runners import all as root
from runners.api import compare
from runners.cli import UsageError, parse_args
from workloads import catalogue


def test_the_plan_gets_the_claims_and_their_stop_rule(tmp_path):
    args = parse_args(["--profile", "quick", "--claims", "C1", "--out", str(tmp_path)])
    plan, plugins, clusters, extra = root._plan(args, tmp_path, {"C1"}, CLAIMS)
    assert plan.claims is CLAIMS and plugins == [] and clusters == [] and extra == []
    assert all("C1" in w.claims or not w.claims for w in plan.workloads.values())
    w = catalogue()["array-transcendental"]
    opened = plan.decide(w, {"sync": [1.0] * 3, "threads-2": [0.5] * 3})
    assert any(o.claim and o.text.startswith("C1: ") for o in opened)  # the claim's question, not answered yet


def test_the_stop_rule_sets_the_parallel_bars_for_the_cores_the_watch_saw_free(tmp_path, monkeypatch):
    """What the runner's watch counts as taken by other users (plan.load) moves the bar the loop asks at."""
    monkeypatch.setattr(root, "cores", lambda: 2)
    args = parse_args(["--profile", "quick", "--claims", "C1", "--out", str(tmp_path)])
    plan, *_ = root._plan(args, tmp_path, {"C1"}, CLAIMS)
    w, samples = catalogue()["array-transcendental"], {"sync": [1.0] * 5, "threads-2": [0.85, 0.9, 0.8, 0.85, 0.95]}
    texts = lambda: [o.text for o in plan.decide(w, samples) if o.claim]  # noqa: E731
    assert texts() == ["C1: threads-2 vs sync at 1.2×"]
    plan.load.add({"seconds": 2.0, "steal_cores": 0.02, "other_cores": 0.38})  # what Watch.end adds
    assert texts() == ["C1: threads-2 vs sync at 1.12×"]


def test_a_plugins_unknown_claim_id_is_a_usage_error(tmp_path):
    plugin = tmp_path / "mine.py"
    plugin.write_text("from workloads import Workload\n"
                      "w = Workload(name='w', collection='array', claims=('C0',), sizes={'quick': 1, 'default': 1, "
                      "'full': 1}, build=lambda size, seed: None, check=lambda a, b: True)\n")
    args = parse_args(["--workloads", str(plugin), "--out", str(tmp_path)])
    with pytest.raises(UsageError, match=r"mine.py: workload 'w': unknown claim ids \['C0'\]; valid: C1, C2"):
        root._plan(args, tmp_path, None, CLAIMS)


def test_every_built_in_workload_names_registered_claims():
    assert {c for w in catalogue().values() for c in w.claims} <= set(CLAIMS)


def test_compare_is_handed_out_on_first_use():
    assert root.compare is compare
    with pytest.raises(AttributeError):
        root.no_such_name  # noqa: B018


def test_importing_it_imports_no_report():
    """Spawned pool workers run this module again as __mp_main__: reports, the API and Bokeh stay out."""
    code = ("import sys, runners.all; "
            "print(sorted(m for m in ('reports', 'runners.api', 'bokeh') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_predict_only_measures_its_inputs_in_a_fixed_few_rounds(tmp_path):
    from runners.cli import PREDICT_REPEATS

    args = root.parse_args(["--predict-only", "--workloads", "bag-json", "--out", str(tmp_path)])
    plan, *_ = root._plan(args, tmp_path, None, root._claims())
    assert (plan.min_repeats, plan.fixed) == (PREDICT_REPEATS, True)
    assert set(plan.workloads) == {"bag-json", "delayed-null"} and not plan.sweep_specs
    args = root.parse_args(["--predict-only", "--repeats", "6", "--workloads", "bag-json", "--out", str(tmp_path)])
    assert root._plan(args, tmp_path, None, root._claims())[0].min_repeats == 6  # --repeats wins
    assert plan.worker_imports  # the model's as-shipped start, per workload: what its fresh workers import


def test_only_a_predicting_run_times_what_fresh_workers_import(tmp_path):
    for argv, want in ((["--predict-cores", "4"], True), ([], False)):
        args = root.parse_args([*argv, "--workloads", "bag-json", "--out", str(tmp_path)])
        assert root._plan(args, tmp_path, None, root._claims())[0].worker_imports is want


def test_predict_only_times_null_tasks_as_dask_ships_them_too(tmp_path):
    # The model reads what Dask's own pool adds to a compute off delayed-null measured both ways.
    args = root.parse_args(["--predict-only", "--profile", "quick", "--out", str(tmp_path)])
    plan, *_ = root._plan(args, tmp_path, None, root._claims())
    specs = {w.name: [s.label for s in ss] for w, ss in plan.schedule()}
    shipped = [s.label for s in plan.specs if s.as_shipped]
    assert shipped and set(shipped) <= set(specs["delayed-null"])
    assert specs["bag-json"] == ["sync"]
