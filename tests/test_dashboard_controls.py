"""The controls and adaptive rounds sections (reports/dashboard/controls.py)."""
from __future__ import annotations

from _dashboard import make_view, plots, shown
from reports.dashboard import controls

OVERHEAD = {"ratio": 1.087, "outcome": "undecided", "method": "instrumented / bare, interleaved repeats",
            "pooled": {"outcome": "undecided", "ratio": 1.0631, "lo": 0.9979, "hi": 1.1264, "n": [21, 21]},
            "pairs": [{"workload": "array-x", "scheduler": "threads-2", "ratio": 1.08, "lo": 0.91, "hi": 1.25,
                       "outcome": "undecided", "n": 7}]}
AA = {"workload": "array-x", "scheduler": "threads-2", "median_a_s": 0.036, "median_b_s": 0.033, "ratio": 0.926,
      "noise": 0.074, "verdict": "undecided", "false_difference": False,
      "comparison": {"outcome": "undecided", "ratio": 1.02, "lo": 0.93, "hi": 1.13}}
HARNESS = {"median_ratio": 0.8, "method": "plain dask.compute in a fresh interpreter",
           "pairs": [{"workload": "array-x", "scheduler": "sync", "harness_s": 0.084, "plain_s": 0.117,
                      "harness_over_plain": 0.719, "lo": 0.296, "hi": 0.872, "warning": True},
                     {"workload": "array-x", "scheduler": "threads-2", "harness_over_plain": 0.77, "warning": False},
                     {"workload": "df-x", "scheduler": "threads-2", "harness_over_plain": 0.68, "lo": 0.67,
                      "hi": 0.82, "warning": True}]}


def test_controls_with_data(tmp_path):
    items = controls.controls_section(make_view({"instrumentation_overhead": OVERHEAD, "aa_control": AA,
                                                 "harness_check": HARNESS}, tmp=tmp_path))
    text = shown(items)
    titles = [p.title.text for p in plots(items)]
    assert "Instrumentation overhead: pooled 1.06× [0.998–1.13] undecided" in titles
    overhead = [p for p in plots(items) if p.title.text.startswith("Instrumentation")][0]
    assert list(overhead.y_range.factors) == ["all pairs pooled", "array-x on threads-2"]
    assert "B/A = 0.926" in text and "1.02× [0.93–1.13] undecided" in text and "the test held" in text
    assert "Harness disagrees with plain Dask" in text and "2 disagree" in text
    assert "<b>array-x</b> sync: harness 0.719× plain Dask [0.296–0.872]" in text


def test_a_false_aa_difference_warns(tmp_path):
    text = shown(controls.controls_section(make_view({"aa_control": {**AA, "false_difference": True}}, tmp=tmp_path)))
    assert "called two identical runs different" in text


def test_controls_without_data_say_so(tmp_path):
    text = shown(controls.controls_section(make_view({}, tmp=tmp_path)))
    for n in ("No instrumentation-overhead control", "No A/A control", "No harness check"):
        assert n in text


def test_harness_warnings_per_workload():
    assert controls.harness_warnings(HARNESS) == {
        "array-x": ["sync: harness 0.719× plain Dask [0.296–0.872]"],
        "df-x": ["threads-2: harness 0.68× plain Dask [0.67–0.82]"]}
    assert controls.harness_warnings(None) == {}


def test_rounds_list_why_they_stopped_and_what_stayed_undecided(tmp_path):
    rounds = [{"workload": "a", "session": 0, "rounds": 9, "stopped": "time cap", "undecided": ["processes-2 vs sync"]},
              {"workload": "b", "session": 0, "rounds": 5, "stopped": "decided", "undecided": []},
              {"workload": "c", "session": 0, "rounds": 10, "stopped": "time cap", "undecided": ["x", "y"]}]
    text = shown(controls.rounds_section(make_view({"rounds": rounds}, tmp=tmp_path)))
    assert "3 workloads stopped: 2 time cap, 1 decided" in text
    assert "processes-2 vs sync" in text and "x, y" in text and "nothing" in text and "session" not in text
    assert "No record of adaptive rounds" in shown(controls.rounds_section(make_view({}, tmp=tmp_path)))
