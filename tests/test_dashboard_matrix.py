"""The speedup matrix (reports/dashboard/matrix.py): one cell per main (workload, scheduler), switched by metric."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from bokeh.models import HoverTool, Select

from _dashboard import make_view, models, plots, shown
from _factories import timed
from reports.dashboard import matrix
from reports.load import Results
from reports.table import table


def run_table():
    return table(pd.DataFrame(timed("b-work", {"sync": 1.0, "threads-2": 0.5, "threads-4": 0.4})
                              + timed("a-work", {"sync": 2.0, "threads-2": 2.2}, params={"k": 1})))


def test_matrix_has_a_cell_per_main_workload_and_scheduler(tmp_path):
    t = run_table()
    res = Results(path=tmp_path, meta={"specs": ["sync", "threads-2"], "sweep_specs": ["threads-4"]},
                  rows=pd.DataFrame(), startup=pd.DataFrame())
    v = make_view({}, t, res=res)
    items = matrix.section(v)
    assert "Speedup matrix" in shown(items) and models(items, Select) == [v.switch.select]
    (f,) = plots(items)
    assert list(f.x_range.factors) == ["sync", "threads-2"]  # the sweep-only spec is left to the scaling charts
    assert list(f.y_range.factors) == ["b-work", "a-work"]  # first workload at the top
    (src,) = [s for s in v.switch.sources]
    cells = dict(zip(zip(src.data["workload"], src.data["scheduler"]), src.data["text"]))
    assert set(cells) == {("a-work", "sync"), ("a-work", "threads-2"), ("b-work", "sync"), ("b-work", "threads-2")}
    assert cells[("b-work", "threads-2")].startswith("2") and cells[("a-work", "threads-2")].startswith("0.9")
    assert [h for t in models(items, HoverTool) for h in t.tooltips] == matrix.HOVER
    assert v.switch.titles == [f.title]


def test_real_data_workloads_are_marked_on_the_axis(tmp_path):
    t = run_table()
    t["real_data"] = t["workload"] == "a-work"
    (f,) = plots(matrix.section(make_view({}, t, tmp=tmp_path)))
    assert "a-work  ◆ real data" in list(f.y_range.factors) and "b-work" in list(f.y_range.factors)


def test_an_empty_table_says_so(tmp_path):
    items = matrix.section(make_view({}, pd.DataFrame(), tmp=tmp_path))
    assert plots(items) == [] and "No results: the table is empty" in shown(items)


def test_the_matrix_grows_with_the_schedulers_and_workloads(tmp_path):
    small = plots(matrix.section(make_view({}, run_table(), tmp=Path(tmp_path))))[0]
    many = pd.concat([run_table()] + [run_table().assign(workload=f"w{i}") for i in range(5)])
    (big,) = plots(matrix.section(make_view({}, many, tmp=tmp_path)))
    assert big.height > small.height and big.height == 90 + 24 * 7
    assert big.width == small.width == 300 + 110 * 3
