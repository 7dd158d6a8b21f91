"""GIL, per-task overhead, start-up and bytes sections (reports/dashboard/costs.py)."""
from __future__ import annotations

import pandas as pd

from _dashboard import make_view, plots, shown
from reports.dashboard import costs
from reports.dashboard.view import KIND_COLOR


def table(**cols):
    base = {"workload": ["delayed-null"] * 3, "scheduler": ["sync", "odd-label", "processes-2"],
            "kind": ["sync", "threads", "processes"], "workers": [1, 2, 2], "threads_per_worker": [1, 1, 1]}
    return pd.DataFrame({**base, **cols})


def test_per_task_overhead_coloured_by_the_rows_kind(tmp_path):
    items = costs.overhead_section(make_view({}, table(per_task_us=[59.0, 93.7, None]), tmp=tmp_path))
    f = [p for p in plots(items) if p.title.text.startswith("Per-task")][0]
    d = f.renderers[0].data_source.data
    assert d["scheduler"] == ["sync", "odd-label"] and d["t"] == ["59 µs", "93.7 µs"]
    assert d["color"] == [KIND_COLOR["sync"], KIND_COLOR["threads"]]
    assert "No start-up records" in shown(items)


def test_start_up_in_the_tables_order_then_by_kind(tmp_path):
    recs = [{"scheduler": "distributed-2x1", "kind": "distributed", "start_s": 1.27, "stop_s": 0.8},
            {"scheduler": "processes-2", "kind": "processes", "start_s": 0.69, "stop_s": 0.02},
            {"scheduler": "sync", "kind": "sync", "start_s": 1.5e-6, "stop_s": None}, {"scheduler": None}]
    assert costs.startup_order(recs[:3], ["sync", "processes-2"]) == ["sync", "processes-2", "distributed-2x1"]
    items = costs.overhead_section(make_view({"startup": recs}, table(), tmp=tmp_path))
    f = [p for p in plots(items) if p.title.text.startswith("Start-up")][0]
    assert list(f.x_range.factors) == ["sync", "processes-2", "distributed-2x1"]
    assert "No <code>delayed-null</code> result" in shown(items)


def test_gil_section_with_and_without_samples(tmp_path):
    items = costs.gil_section(make_view({}, table(gil_median=[0.1, 0.8, None], gil_min=[0.05, None, None],
                                                  gil_max=[0.2, 0.9, None]), tmp=tmp_path))
    f = plots(items)[0]
    lo = sorted(x for r in f.renderers for x in r.data_source.data.get("lo", []))
    assert lo == [0.05, 0.05, 0.8, 0.8]  # a missing minimum falls back to the median
    v = make_view({"machine": {"gil_sampler": {"available": False, "reason": "free-threaded build"}}}, table(),
                  tmp=tmp_path)
    assert "No GIL measurements (free-threaded build)" in shown(costs.gil_section(v))


def test_bytes_section(tmp_path):
    items = costs.bytes_section(make_view({}, table(bytes_moved=[0, 0, 2e6]), tmp=tmp_path))
    assert plots(items)[0].title.text == "Bytes serialised per run"
    assert "No bytes were serialised" in shown(costs.bytes_section(make_view({}, table(bytes_moved=[0, 0, 0]),
                                                                           tmp=tmp_path)))
