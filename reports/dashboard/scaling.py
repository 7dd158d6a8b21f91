"""The scaling sections: metric against thread count for swept workloads, and family sweeps with break-even.

Both follow the metric select (:class:`reports.dashboard.metrics.Switch`).

>>> import pandas as pd
>>> df = pd.DataFrame({"workload": ["b-10", "b-100", "b-10", "b-100"], "family": ["b"] * 4,
...                    "params": [{"us": 10}, {"us": 100}] * 2, "scheduler": ["sync"] * 2 + ["threads-2"] * 2})
>>> family_sweeps(df)
[('b', 'us', [(10.0, 'b-10'), (100.0, 'b-100')])]
"""
from __future__ import annotations

import math
from typing import Any

import pandas as pd
from bokeh.layouts import gridplot, row
from bokeh.models import ColumnDataSource, HoverTool, Span
from bokeh.plotting import figure

from reports import fmt
from reports.dashboard.markup import div, note
from reports.dashboard.metrics import METRICS, columns
from reports.dashboard.view import KIND_COLOR, View, column, kind, threads, value
from runners.records.kinds import KINDS, POOLS, is_cluster, is_serial

__all__ = ["sweep_workloads", "family_sweeps", "scaling_section", "families_section", "STENCIL"]

STENCIL = ("stencil-numpy", "stencil-python")
HOVER = [("workload", "@workload"), ("scheduler", "@scheduler"), ("shown", "@text"), ("median", "@h_median"),
         ("IQR", "@h_iqr"), ("speedup", "@h_speedup"), ("stability", "@h_flag")]
_PY_COLORS = {"threads": "#9467bd", "processes": "#8c564b", "distributed": "#e377c2", "sync": "#555555"}


def sweep_workloads(v: View) -> list[str]:
    """Workloads run at two or more thread counts of threads or of processes."""
    out = []
    for w in v.workloads:
        counts: dict[str, set[float]] = {}
        for _, r in v.df[v.df["workload"] == w].iterrows():
            if kind(r) in POOLS and not math.isnan(threads(r)):
                counts.setdefault(kind(r), set()).add(threads(r))
        if any(len(c) >= 2 for c in counts.values()):
            out.append(w)
    return out


def family_sweeps(df: pd.DataFrame) -> list[tuple[str, str, list[tuple[float, str]]]]:
    """(family, parameter, [(value, workload), ...]) for families whose workloads vary one numeric parameter."""
    if df.empty or "family" not in df:
        return []
    out = []
    first = df.drop_duplicates("workload")
    for fam, g in first.groupby(first["family"].astype(str), sort=True):
        params = [p if isinstance(p, dict) else {} for p in column(g, "params")]
        for k in sorted({k for p in params for k in p}):
            vals = [value(p.get(k)) for p in params]
            if len(g) >= 2 and not any(math.isnan(x) for x in vals) and len(set(vals)) >= 2:
                out.append((str(fam), k, sorted(zip(vals, g["workload"].astype(str)))))
                break
    return out


def _figure(v: View, title: str, x_label: str, width: int, height: int, log_x: bool = False) -> Any:
    f = figure(title=title, width=width, height=height, x_axis_label=x_label, y_axis_label=METRICS[0].title,
               x_axis_type="log" if log_x else "linear", tools="pan,box_zoom,wheel_zoom,reset,save",
               toolbar_location="right")
    f.title.text_font_size = "14px"
    f.axis.axis_label_text_font_size = "12px"
    f.axis.axis_label_text_font_style = "normal"
    f.add_tools(HoverTool(tooltips=HOVER))
    v.switch.axes.append(f.yaxis[0])
    return f


def _legend(f: Any, where: str = "top_left") -> None:
    if not f.legend:  # nothing drawn (rows that do not say their kind)
        return
    f.legend.location = where
    f.legend.label_text_font_size = "11px"
    f.legend.background_fill_alpha = 0.7


def _lines(v: View, f: Any, g: pd.DataFrame, suffix: str = "", dash: str = "solid",
           colors: dict[str, str] | None = None, with_sync: bool = True) -> None:
    """Metric against threads: a line per pool kind, the other kinds (the serial one last) as single markers."""
    colors = colors or KIND_COLOR
    g = g.assign(_kind=[kind(r) for _, r in g.iterrows()], _x=[threads(r) for _, r in g.iterrows()])
    order = [*POOLS, *(k for k in KINDS if k not in POOLS and not is_serial(k))]
    for k in order + ([k for k in KINDS if is_serial(k)] if with_sync else []):
        part = g[g["_kind"] == k].sort_values("_x")
        if part.empty:
            continue
        d = columns(part)
        d["x"] = part["_x"].tolist()
        s = ColumnDataSource(d)
        v.switch.sources.append(s)
        name = k if is_serial(k) else f"{k}{suffix}"
        color = colors.get(k, "#888888")
        if k in POOLS:
            f.line("x", "value", source=s, color=color, line_width=2.5, line_dash=dash, legend_label=name)
            f.scatter("x", "value", source=s, color=color, size=8, legend_label=name)
        else:
            f.scatter("x", "value", source=s, color=color, size=11,
                      marker="diamond" if is_cluster(k) else "square", legend_label=name)
    _legend(f)


def _ideal(v: View, f: Any, g: pd.DataFrame) -> None:
    """Speedup = threads up to the machine's cores, level after (more threads than cores cannot help)."""
    xmax = max([x for x in (threads(r) for _, r in g.iterrows()) if not math.isnan(x)] + [2])
    cores = value(v.fact("cores"))
    top = xmax if math.isnan(cores) else min(xmax, max(cores, 1))
    v.switch.speedup_only.append(f.line([1, top, xmax], [1, top, top], color="#999999", line_dash="dashed",
                                        legend_label="ideal (threads, up to the cores)"))


def scaling_section(v: View) -> list[Any]:
    """The Jacobi stencil figure and one small chart per other swept workload."""
    items = [div("<h2>Scaling curves</h2><p>Metric against the number of threads (workers × threads per worker) "
                 "for workloads swept over worker counts: threads, processes and distributed (diamonds), with the "
                 "ideal line for speedup.</p>")]
    sweeps = sweep_workloads(v) if not v.df.empty else []
    stencil = [w for w in STENCIL if w in set(v.df["workload"])]
    if stencil:
        f = _figure(v, "Jacobi stencil: NumPy (solid) vs pure Python (dashed)", "threads / workers", 760, 380)
        for w in stencil:
            python = w.endswith("python")
            _lines(v, f, v.df[v.df["workload"] == w], suffix=f" · {w.split('-')[-1]}",
                   dash="dashed" if python else "solid", colors=_PY_COLORS if python else None,
                   with_sync=w == stencil[0])
        _ideal(v, f, v.df[v.df["workload"].isin(stencil)])
        f.add_layout(f.legend[0], "right")
        items.append(f)
    grid = []
    for w in sweeps:
        if w not in stencil:
            f = _figure(v, w, "threads / workers", 380, 300)
            g = v.df[v.df["workload"] == w]
            _lines(v, f, g)
            _ideal(v, f, g)
            f.legend.visible = not grid  # one legend for the grid: the first figure's
            grid.append(f)
    if grid:
        items.append(gridplot(grid, ncols=3, toolbar_location=None))
    if not sweeps and not stencil:
        items.append(div(note("No workload was run at several worker counts in this run (sweeps come with the "
                              "profiles' sweep specs; <code>--schedulers</code> turns them off).")))
    return items


def _break_even(k: pd.DataFrame, d: dict[str, list], s: str) -> str:
    """Where *s* first beats sync on the statistics' terms (its ``vs_sync`` outcome), in words."""
    above = [x for x, vs in zip(d["x"], column(k, "vs_sync")) if vs == "above"]
    return f"{s}: " + (f"faster than sync from {above[0]:g} µs per task" if above
                       else "never significantly faster than sync here")


def _family(v: View, fam: str, param: str, pts: list[tuple[float, str]]) -> tuple[Any, list[str]] | None:
    """One family's chart (a line per main scheduler) and, for ``delayed-busy``, its break-even notes."""
    where = {w: x for x, w in pts}
    g = v.df[v.df["workload"].isin(list(where)) & v.df["scheduler"].isin(v.main)]
    if g.empty:
        return None
    xs = [x for x, _ in pts]
    busy = fam == "delayed-busy"
    f = _figure(v, f"Break-even: {fam} — metric vs task duration" if busy else f"{fam}: by {param}",
                param + (" (µs per task)" if busy else ""), 580 if busy else 380, 360 if busy else 300,
                log_x=min(xs) > 0 and max(xs) / min(xs) >= 20)
    notes = []
    for s in [s for s in v.main if s in set(g["scheduler"])]:
        k = g[g["scheduler"] == s].assign(_x=lambda t: [where[w] for w in t["workload"]]).sort_values("_x")
        d = columns(k)
        d["x"] = k["_x"].tolist()
        src = ColumnDataSource(d)
        v.switch.sources.append(src)
        f.line("x", "value", source=src, color=v.colour(s), line_width=2, legend_label=s)
        f.scatter("x", "value", source=src, color=v.colour(s), size=7, legend_label=s)
        if busy and not is_serial(kind(k.iloc[0])):
            notes.append(_break_even(k, d, s))
    span = Span(location=1, dimension="width", line_color="#999", line_dash="dashed")
    f.add_layout(span)
    v.switch.speedup_only.append(span)
    _legend(f)
    return f, notes


def families_section(v: View) -> list[Any]:
    """One chart per family sweep; ``delayed-busy`` first, with its break-even task duration."""
    items = [div("<h2>Family sweeps and break-even task duration</h2><p>Workloads of one family that differ in one "
                 "parameter. For <code>delayed-busy</code> the parameter is the task duration (<code>task_us</code>): "
                 "where a scheduler's speedup crosses 1 is the task size it breaks even at.</p>")]
    fams = family_sweeps(v.df)
    small = []
    for fam, param, pts in sorted(fams, key=lambda x: (x[0] != "delayed-busy", x[0])):
        made = _family(v, fam, param, pts)
        if made is None:
            continue
        f, notes = made
        if fam == "delayed-busy":
            text = ("<p><b>Break-even</b> (smallest task duration at which the scheduler is faster than sync by its "
                    "interval)</p>" + "".join(f"<p>{fmt.escape(n)}</p>" for n in notes))
            items.append(row(f, div(text, 420)))
        else:
            f.legend.visible = not small
            small.append(f)
    if small:
        items.append(gridplot(small, ncols=3, toolbar_location=None))
    if not fams:
        items.append(div(note("No workload family with a numeric parameter sweep in this run.")))
    return items
