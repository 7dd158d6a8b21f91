"""The matrix section: every workload on every main scheduler, one cell each, under the metric select."""
from __future__ import annotations

from typing import Any

from bokeh.models import ColumnDataSource, FactorRange, HoverTool
from bokeh.plotting import figure

from reports.dashboard.markup import WIDTH, div, note
from reports.dashboard.metrics import METRICS, labelled
from reports.dashboard.view import View
from reports.stats import MIN_TIME_S, UNSTABLE_SPREAD

__all__ = ["section", "HOVER"]

HOVER = [("workload", "@workload"), ("scheduler", "@scheduler"), ("median", "@h_median"),
         ("IQR (q1 – q3)", "@h_iqr"), ("min – max", "@h_range"), ("speedup", "@h_speedup"),
         ("GIL min/med/max", "@h_gil"), ("stability", "@h_flag"), ("real data", "@h_real"), ("shown", "@text")]

_HEAD = ("<h2>Speedup matrix (workload × scheduler)</h2><p>Each cell: one workload on one scheduler. Colour: red "
         "slower than sync, blue faster (log scale, 4× saturates); for other metrics darker is more. Grey: no value "
         "(failed, or no sync reference for speedup). <b>*</b> marks an unstable row (spread over "
         f"{UNSTABLE_SPREAD:.0%} of the median, under {MIN_TIME_S * 1e3:g} ms, or too few repeats). Workloads "
         "with <span class='real'>real data</span> are marked "
         "“◆ real data”. The select box switches this chart and the scaling and family charts below.</p>")


def section(v: View) -> list[Any]:
    """The metric select and the matrix, or a warning when the table is empty."""
    m = v.main_rows()
    if m.empty:
        return [div(_HEAD + note("No results: the table is empty (nothing ran, or every row was damaged).",
                                 warn=True))]
    workloads = [w for w in v.workloads if w in set(m["workload"])]
    src = ColumnDataSource(labelled(v, m))
    v.switch.sources.append(src)
    f = figure(x_range=FactorRange(*v.main), y_range=FactorRange(*[v.label(w) for w in reversed(workloads)]),
               width=min(WIDTH, 300 + 110 * len(v.main)), height=90 + 24 * len(workloads), toolbar_location=None,
               x_axis_location="above", title=METRICS[0].title, tools="")
    f.rect(x="scheduler", y="wl_label", width=0.96, height=0.92, fill_color="color", line_color=None, source=src)
    f.text(x="scheduler", y="wl_label", text="text", text_color="text_color", text_align="center",
           text_baseline="middle", text_font_size="12px", source=src)
    f.add_tools(HoverTool(tooltips=HOVER))
    f.axis.major_label_text_font_size = "12px"
    f.xaxis.major_label_orientation = 0.5 if len(v.main) > 6 else 0
    f.grid.grid_line_color = None
    f.axis.axis_line_color = None
    f.title.text_font_size = "15px"
    v.switch.titles.append(f.title)
    return [div(_HEAD), v.switch.select, f]
