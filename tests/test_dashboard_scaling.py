"""Scaling curves and family sweeps (reports/dashboard/scaling.py)."""
from __future__ import annotations

import pandas as pd

from _dashboard import make_view, plots, shown
from reports.dashboard import scaling


def sweep(workload="array-x", family=None, params=None, speedups=(1.0, 1.8, 1.9), vs=(None, "above", "above")):
    return pd.DataFrame({"workload": [workload] * 3, "scheduler": ["sync", "t@2", "t@4"],
                         "kind": ["sync", "threads", "threads"], "workers": [1, 2, 4], "threads_per_worker": [1] * 3,
                         "family": [family or workload] * 3, "params": [params or {}] * 3, "speedup": list(speedups),
                         "vs_sync": list(vs)})


def test_sweep_workloads_from_the_rows_thread_counts(tmp_path):
    v = make_view({}, pd.concat([sweep(), sweep("one")[:2]]), tmp=tmp_path)
    assert scaling.sweep_workloads(v) == ["array-x"]
    items = scaling.scaling_section(v)
    assert [p.title.text for p in plots(items)] == ["array-x"]
    line = [r for r in plots(items)[0].renderers if "x" in r.data_source.data][0]
    assert line.data_source.data["x"] == [2.0, 4.0]


def test_scaling_without_sweeps_says_so(tmp_path):
    assert "No workload was run at several worker counts" in shown(scaling.scaling_section(make_view(tmp=tmp_path)))


def test_family_sweeps_and_break_even(tmp_path):
    df = pd.concat([sweep("delayed-busy-10", "delayed-busy", {"task_us": 10}, vs=(None, "below", "below")),
                    sweep("delayed-busy-100", "delayed-busy", {"task_us": 100}),
                    sweep("delayed-busy-1000", "delayed-busy", {"task_us": 1000})])
    assert scaling.family_sweeps(df) == [("delayed-busy", "task_us", [(10.0, "delayed-busy-10"),
                                                                      (100.0, "delayed-busy-100"),
                                                                      (1000.0, "delayed-busy-1000")])]
    text = shown(scaling.families_section(make_view({}, df, tmp=tmp_path)))
    assert "t@2: faster than sync from 100 µs per task" in text
    assert "No workload family" in shown(scaling.families_section(make_view(tmp=tmp_path)))
