"""What a scheduler costs: GIL contention, per-task overhead, start-up, bytes serialised.

>>> startup_order([{"scheduler": "b", "kind": "processes"}, {"scheduler": "a", "kind": "sync"}], ["sync"])
['a', 'b']
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from bokeh.layouts import row
from bokeh.models import ColumnDataSource, FactorRange
from bokeh.plotting import figure
from bokeh.transform import dodge

from reports import fmt
from reports.dashboard.markup import WIDTH, div, note
from reports.dashboard.metrics import labelled
from reports.dashboard.view import KIND_COLOR, View, column, kind, value
from runners.records.kinds import RANK

__all__ = ["gil_section", "overhead_section", "bytes_section", "startup_order", "NULL_WORKLOAD"]

NULL_WORKLOAD = "delayed-null"


def _rows_with(df: pd.DataFrame, col: str, positive: bool = False) -> pd.DataFrame:
    """Rows of *df* whose *col* is a finite number (above 0 with *positive*), the number in ``_v``."""
    if df.empty:
        return df
    out = df.assign(_v=[value(x) for x in column(df, col)])
    ok = np.isfinite(out["_v"].astype(float)) & ((out["_v"].astype(float) > 0) if positive else True)
    return out[ok]


def _per_workload_figure(v: View, workloads: list[str], title: str, x_label: str, tooltips: list, **kw: Any) -> Any:
    f = figure(y_range=FactorRange(*[v.label(w) for w in reversed(workloads)]), width=WIDTH,
               height=110 + 28 * len(workloads), title=title, x_axis_label=x_label, tools="hover,save",
               tooltips=tooltips, **kw)
    f.axis.major_label_text_font_size = "12px"
    f.title.text_font_size = "14px"
    return f


def gil_section(v: View) -> list[Any]:
    """Per workload and main scheduler: min – median – max over processes of the time spent waiting for the GIL."""
    head = ("<h2>GIL contention</h2><p>Fraction of time a probe thread waited for the GIL, per process that ran "
            "tasks: the bar spans the minimum to the maximum process, the dot is the duration-weighted median.</p>")
    g = _rows_with(v.main_rows(), "gil_median")
    if g.empty:
        sampler = v.fact("gil_sampler") or {}
        why = fmt.escape(sampler["reason"]) if sampler.get("reason") else \
            "the <code>gil</code> instrument was off or every run failed"
        return [div(head + note(f"No GIL measurements ({why})."))]
    workloads = [w for w in v.workloads if w in set(g["workload"])]
    scheds = [s for s in v.main if s in set(g["scheduler"])]
    step = min(0.8 / max(len(scheds), 1), 0.16)
    f = _per_workload_figure(v, workloads, "GIL contention per workload and scheduler (min – median – max over "
                             "processes)", "fraction of time waiting for the GIL",
                             [("workload", "@workload"), ("scheduler", "@scheduler"), ("min/median/max", "@h_gil")],
                             x_range=(0, 1))
    for i, s in enumerate(scheds):
        k = g[g["scheduler"] == s]
        med = k["_v"].tolist()
        d = labelled(v, k)
        lo, hi = ([value(x) for x in column(k, c)] for c in ("gil_min", "gil_max"))
        d.update(med=med, lo=[m if math.isnan(x) else x for x, m in zip(lo, med)],
                 hi=[m if math.isnan(x) else x for x, m in zip(hi, med)])
        src = ColumnDataSource(d)
        y = dodge("wl_label", -(i - (len(scheds) - 1) / 2) * step, range=f.y_range)
        f.segment(x0="lo", x1="hi", y0=y, y1=y, source=src, color=v.colour(s), line_width=3, alpha=0.6)
        f.scatter(x="med", y=y, source=src, color=v.colour(s), size=7, legend_label=s)
    f.add_layout(f.legend[0], "right")
    f.legend.label_text_font_size = "12px"
    f.xaxis.formatter.use_scientific = False
    return [div(head), f]


def startup_order(records: list[dict[str, Any]], known: list[str]) -> list[str]:
    """Start-up records' schedulers: the table's order first, the rest by kind, then label."""
    rank = RANK
    labels = {str(r["scheduler"]): kind(r) for r in records}
    pos = {s: i for i, s in enumerate(known)}
    return sorted(labels, key=lambda s: (pos.get(s, len(pos)), rank.get(labels[s], len(rank)), s))


def _per_task(v: View) -> Any:
    null = _rows_with(v.df[v.df["workload"] == NULL_WORKLOAD] if not v.df.empty else v.df, "per_task_us")
    if null.empty:
        return div(note(f"No <code>{NULL_WORKLOAD}</code> result: per-task overhead not measured."), 560)
    null = null.set_index("scheduler").loc[[s for s in v.schedulers if s in set(null["scheduler"])]].reset_index()
    names = null["scheduler"].tolist()
    d = {"scheduler": names, "v": null["_v"].tolist(), "t": [fmt.duration(x * 1e-6) for x in null["_v"]],
         "color": [KIND_COLOR.get(kind(r), "#888") for _, r in null.iterrows()]}
    f = figure(x_range=names, width=560, height=340, title=f"Per-task overhead ({NULL_WORKLOAD})",
               y_axis_label="µs per task", tools="hover,save", tooltips=[("", "@scheduler: @t")])
    f.vbar(x="scheduler", top="v", width=0.7, color="color", source=ColumnDataSource(d))
    f.text(x="scheduler", y="v", text="t", source=ColumnDataSource(d), text_align="center", text_baseline="bottom",
           text_font_size="11px")
    f.y_range.start = 0
    f.xaxis.major_label_orientation = 0.6
    f.title.text_font_size = "14px"
    return f


def _startup(v: View) -> Any:
    recs = [r for r in v.summary.get("startup") or [] if isinstance(r, dict) and r.get("scheduler")]
    by = {str(r["scheduler"]): r for r in recs}
    vals = [(s, value(by[s].get("start_s")), value(by[s].get("stop_s"))) for s in startup_order(recs, v.schedulers)]
    vals = [x for x in vals if not (math.isnan(x[1]) and math.isnan(x[2]))]
    if not vals:
        return div(note("No start-up records."), 560)
    names = [x[0] for x in vals]
    s = ColumnDataSource({"scheduler": names, "start": [max(x[1], 1e-7) for x in vals],
                          "stop": [max(x[2], 1e-7) for x in vals], "ts": [fmt.duration(x[1]) for x in vals],
                          "tp": [fmt.duration(x[2]) for x in vals]})
    f = figure(x_range=names, width=600, height=340, y_axis_type="log", title="Start-up and teardown cost",
               y_axis_label="seconds", tools="hover,save",
               tooltips=[("scheduler", "@scheduler"), ("start", "@ts"), ("stop", "@tp")])
    f.vbar(x=dodge("scheduler", -0.18, range=f.x_range), top="start", bottom=1e-7, width=0.34, source=s,
           color="#1f77b4", legend_label="start")
    f.vbar(x=dodge("scheduler", 0.18, range=f.x_range), top="stop", bottom=1e-7, width=0.34, source=s,
           color="#aec7e8", legend_label="stop")
    f.legend.location = "top_left"
    f.xaxis.major_label_orientation = 0.6
    f.title.text_font_size = "14px"
    return f


def overhead_section(v: View) -> list[Any]:
    """Per-task overhead (``delayed-null``) beside the pools' start-up and teardown cost."""
    head = (f"<h2>Per-task overhead and start-up cost</h2><p>Left: wall time per task of <code>{NULL_WORKLOAD}"
            "</code> (null tasks: pure scheduling cost). Right: median time to start and stop each scheduler's pool "
            "or cluster (log scale).</p>")
    return [div(head), row(_per_task(v), _startup(v))]


def bytes_section(v: View) -> list[Any]:
    """Bytes pickled or sent between processes per run, per workload and main scheduler."""
    head = ("<h2>Bytes serialised</h2><p>Bytes pickled or sent between processes per run (median over repeats, log "
            "scale): what threads avoid and processes and distributed pay.</p>")
    b = _rows_with(v.main_rows(), "bytes_moved", positive=True)
    if b.empty:
        return [div(head + note("No bytes were serialised (or the <code>bytes</code> instrument was off)."))]
    workloads = [w for w in v.workloads if w in set(b["workload"])]
    scheds = [s for s in v.main if s in set(b["scheduler"])]
    step = min(0.8 / max(len(scheds), 1), 0.2)
    left = max(1.0, float(b["_v"].min()) / 4)
    f = _per_workload_figure(v, workloads, "Bytes serialised per run", "bytes",
                             [("workload", "@workload"), ("scheduler", "@scheduler"), ("bytes", "@t_bytes")],
                             x_axis_type="log")
    for i, s in enumerate(scheds):
        k = b[b["scheduler"] == s]
        d = labelled(v, k)
        d["b"] = k["_v"].tolist()
        y = dodge("wl_label", -(i - (len(scheds) - 1) / 2) * step, range=f.y_range)
        f.hbar(y=y, left=left, right="b", height=step * 0.85, source=ColumnDataSource(d), color=v.colour(s),
               legend_label=s)
    f.add_layout(f.legend[0], "right")
    f.legend.label_text_font_size = "12px"
    return [div(head), f]
