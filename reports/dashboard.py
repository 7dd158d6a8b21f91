"""The run's dashboard: one standalone Bokeh page (resources inlined, works offline).

Sections: the speedup matrix (workload x scheduler), claims and
recommendations, scaling curves (with the Jacobi stencil figure), family
sweeps (with the break-even task duration), GIL contention, per-task overhead
and start-up cost, bytes serialised, the instrumentation-overhead and A/A
controls, the workloads with links to their task-stream and performance
pages, failures, and the machine.

One select box switches the metric of every metric-driven chart (matrix,
scaling, stencil, family sweeps) at once; the metrics are :data:`METRICS`.
Every string that came from a run (workload names, descriptions, errors) is
HTML-escaped before it reaches a ``Div``.

>>> [m.key for m in METRICS][:3]
['speedup', 'wall', 'gil']
>>> fmt(METRICS[0], 2.0), fmt(METRICS[1], 0.0123), fmt(METRICS[2], None)
('2.00×', '12.3 ms', '–')
"""
from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np
import pandas as pd

from reports.load import Results
from reports.fmt import interpreter  # not `fmt`: this module has its own fmt()
from runners import records

__all__ = ["Metric", "METRICS", "fmt", "num", "columns", "scheduler_order", "sweep_workloads",
           "family_sweeps", "render", "page"]

WIDTH = 1180
KIND_ORDER = {"sync": 0, "threads": 1, "processes": 2, "distributed": 3}
KIND_COLOR = {"sync": "#555555", "threads": "#1f77b4", "processes": "#ff7f0e", "distributed": "#2ca02c"}
SCHED_PALETTE = ["#555555", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#d62728", "#8c564b", "#e377c2",
                 "#17becf", "#bcbd22"]
NAN_COLOR = "#eeeeee"


def num(x: Any) -> float:
    """*x* as a float; NaN for None, strings, NaN or infinities."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v if math.isfinite(v) else math.nan


def _si(v: float, unit: str) -> str:
    for f, p in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(v) >= f:
            return f"{v / f:.3g} {p}{unit}"
    return f"{v:.3g} {unit}"


def _seconds(v: float) -> str:
    if v >= 1:
        return f"{v:.3g} s"
    if v >= 1e-3:
        return f"{v * 1e3:.3g} ms"
    return f"{v * 1e6:.3g} µs"


class Metric(NamedTuple):
    """One metric the dashboard can show.

    ``field`` is the statistics-table column; ``scale`` turns it into ``unit``;
    ``colour`` is how cells are coloured (``diverging`` around 1 on a log
    scale, ``log`` or ``linear`` sequential); ``text`` formats one raw value.
    """

    key: str
    field: str
    title: str
    unit: str
    scale: float
    colour: str
    text: Callable[[float], str]


METRICS = [
    Metric("speedup", "speedup", "Speedup vs sync", "×", 1.0, "diverging",
           lambda v: f"{v:.2f}×"),
    Metric("wall", "median_s", "Wall time (median)", "s", 1.0, "log", _seconds),
    Metric("gil", "gil_median", "GIL contention (median over processes)", "% of time waiting", 100.0, "linear",
           lambda v: f"{v * 100:.0f}%"),
    Metric("bytes", "bytes_moved", "Bytes serialised", "MB", 1e-6, "log", lambda v: _si(v, "B")),
    Metric("cores", "cores_used", "CPU cores used (CPU time / wall time)", "cores", 1.0, "linear",
           lambda v: f"{v:.2f}"),
    Metric("memory", "peak_rss", "Peak memory (RSS)", "MB", 1e-6, "log", lambda v: _si(v, "B")),
]


def fmt(metric: Metric, value: Any) -> str:
    """Display text of one raw value of *metric* ('–' when missing)."""
    v = num(value)
    return "–" if math.isnan(v) else metric.text(v)


def _hex(rgb: Sequence[float]) -> str:
    return "#" + "".join(f"{int(round(max(0, min(1, c)) * 255)):02x}" for c in rgb)


def _lerp(stops: list[tuple[float, tuple[float, float, float]]], x: float) -> tuple[float, float, float]:
    for (x0, c0), (x1, c1) in zip(stops, stops[1:]):
        if x <= x1:
            f = 0.0 if x1 == x0 else (x - x0) / (x1 - x0)
            return tuple(a + (b - a) * f for a, b in zip(c0, c1))  # type: ignore[return-value]
    return stops[-1][1]


_DIVERGING = [(0.0, (0.79, 0.09, 0.11)), (0.5, (0.97, 0.97, 0.97)), (1.0, (0.13, 0.40, 0.67))]
_SEQUENTIAL = [(0.0, (0.97, 0.98, 1.0)), (0.5, (0.55, 0.72, 0.85)), (1.0, (0.03, 0.22, 0.45))]


def _colours(metric: Metric, values: Sequence[float]) -> tuple[list[str], list[str]]:
    """Fill and text colour of each cell for *metric*."""
    v = np.array([num(x) for x in values], dtype=float)
    if metric.colour == "diverging":  # speedup: 1/4x red .. 1x white .. 4x blue
        pos = np.clip(np.log2(np.where(v > 0, v, np.nan)) / 4 + 0.5, 0, 1)
        stops = _DIVERGING
    else:
        w = np.log10(np.where(v > 0, v, np.nan)) if metric.colour == "log" else v
        finite = w[np.isfinite(w)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        if metric.key == "gil":
            lo, hi = 0.0, max(hi, 0.5)
        pos = np.clip((w - lo) / (hi - lo), 0, 1) if hi > lo else np.where(np.isfinite(w), 0.5, np.nan)
        stops = _SEQUENTIAL
    fill, text = [], []
    for p in pos:
        if not np.isfinite(p):
            fill.append(NAN_COLOR)
            text.append("#777777")
            continue
        c = _lerp(stops, float(p))
        fill.append(_hex(c))
        text.append("#ffffff" if 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] < 0.55 else "#111111")
    return fill, text


def _col(df: pd.DataFrame, name: str, default: Any = None) -> pd.Series:
    return df[name] if name in df.columns else pd.Series([default] * len(df), index=df.index, dtype=object)


def columns(df: pd.DataFrame, metrics: Sequence[Metric] = METRICS) -> dict[str, list]:
    """Statistics-table rows -> columns for a ``ColumnDataSource``.

    Per metric ``m``: ``v_m`` (value in the metric's unit), ``t_m`` (text),
    ``c_m`` / ``tc_m`` (fill / text colour); ``value``, ``text``, ``color``,
    ``text_color`` hold the first metric's and are what glyphs draw.  Also the
    hover strings ``h_*``.
    """
    data: dict[str, list] = {"workload": [str(x) for x in _col(df, "workload", "")],
                             "scheduler": [str(x) for x in _col(df, "scheduler", "")]}
    for m in metrics:
        raw = [num(x) for x in _col(df, m.field)]
        data[f"v_{m.key}"] = [x * m.scale for x in raw]
        data[f"t_{m.key}"] = [fmt(m, x) for x in raw]
        data[f"c_{m.key}"], data[f"tc_{m.key}"] = _colours(m, raw)
    first = metrics[0].key
    data["value"], data["text"] = list(data[f"v_{first}"]), list(data[f"t_{first}"])
    data["color"], data["text_color"] = list(data[f"c_{first}"]), list(data[f"tc_{first}"])
    unstable = [str(x) if isinstance(x, str) else "" for x in _col(df, "unstable_reason", "")]
    data["text"] = [t + ("*" if u and t != "–" else "") for t, u in zip(data["text"], unstable)]
    for m in metrics:
        data[f"t_{m.key}"] = [t + ("*" if u and t != "–" else "") for t, u in zip(data[f"t_{m.key}"], unstable)]
    sec = lambda x: "–" if math.isnan(num(x)) else _seconds(num(x))  # noqa: E731
    h_median, h_iqr, h_range, h_speed, h_gil = [], [], [], [], []
    for r in zip(_col(df, "median_s"), _col(df, "q1_s"), _col(df, "q3_s"), _col(df, "min_s"), _col(df, "max_s"),
                 _col(df, "n"), _col(df, "speedup"), _col(df, "speedup_lo"), _col(df, "speedup_hi"),
                 _col(df, "vs_sync"), _col(df, "p_vs_sync"), _col(df, "gil_min"), _col(df, "gil_median"),
                 _col(df, "gil_max")):
        med, q1, q3, lo, hi, n, sp, splo, sphi, vs, p, g0, g1, g2 = r
        h_median.append(f"{sec(med)} (n = {int(num(n)) if not math.isnan(num(n)) else 0})")
        h_iqr.append(f"{sec(q1)} – {sec(q3)}")
        h_range.append(f"{sec(lo)} – {sec(hi)}")
        if math.isnan(num(sp)):
            h_speed.append("– (no sync reference)")
        else:
            pv = "" if math.isnan(num(p)) else f", p = {num(p):.3f}"
            h_speed.append(f"{num(sp):.2f}× ({fmt(METRICS[0], splo)} – {fmt(METRICS[0], sphi)}); "
                           f"{vs if isinstance(vs, str) else '–'}{pv}")
        h_gil.append(" / ".join(fmt(METRICS[2], g) for g in (g0, g1, g2)))
    data.update(h_median=h_median, h_iqr=h_iqr, h_range=h_range, h_speedup=h_speed, h_gil=h_gil,
                h_flag=[u or "stable" for u in unstable],
                h_real=["yes" if bool(x) and x is not pd.NA and not (isinstance(x, float) and math.isnan(x)) else "no"
                        for x in _col(df, "real_data", False)])
    return data


# --------------------------------------------------------------------------------------------- ordering


def _parse_label(label: str) -> tuple[str, int, int]:
    m = re.match(r"^(sync|threads|processes|distributed)(?:-(\d+)(?:x(\d+))?)?$", label)
    if not m:
        return "", 0, 0
    kind, a, b = m.group(1), int(m.group(2) or 1), int(m.group(3) or 1)
    return kind, a, b


def scheduler_order(labels: Sequence[str]) -> list[str]:
    """Scheduler labels sorted: sync, threads, processes, distributed, others; then by threads.

    >>> scheduler_order(["distributed-2x1", "threads-4", "sync", "threads-2", "x"])
    ['sync', 'threads-2', 'threads-4', 'distributed-2x1', 'x']
    """
    def key(s: str) -> tuple:
        kind, a, b = _parse_label(s)
        return (KIND_ORDER.get(kind, 9), a * b, -b, s)
    return sorted(dict.fromkeys(labels), key=key)


def _kind(row: pd.Series | dict) -> str:
    k = row.get("kind") if hasattr(row, "get") else None
    if isinstance(k, str) and k:
        return k
    return _parse_label(str(row.get("scheduler", "")))[0] or "other"


def _nthreads(row: pd.Series | dict) -> float:
    v = num(row.get("nthreads"))
    if not math.isnan(v):
        return v
    kind, a, b = _parse_label(str(row.get("scheduler", "")))
    return float(a * b) if kind else math.nan


def _workload_order(df: pd.DataFrame) -> list[str]:
    if df.empty or "workload" not in df:
        return []
    first = df.drop_duplicates("workload")
    key = {}
    for _, r in first.iterrows():
        params = r.get("params") if isinstance(r.get("params"), dict) else {}
        pv = [num(v) for v in params.values()]
        key[str(r["workload"])] = (str(r.get("collection") or "~"), str(r.get("family") or r["workload"]),
                                   [x if not math.isnan(x) else 0 for x in pv], str(r["workload"]))
    return sorted(key, key=lambda w: key[w])


def sweep_workloads(df: pd.DataFrame) -> list[str]:
    """Workloads run at several worker counts of threads or processes."""
    out = []
    for w in _workload_order(df):
        g = df[df["workload"] == w]
        counts: dict[str, set] = {}
        for _, r in g.iterrows():
            k = _kind(r)
            if k in ("threads", "processes"):
                counts.setdefault(k, set()).add(_nthreads(r))
        if any(len(c) >= 2 for c in counts.values()):
            out.append(w)
    return out


def family_sweeps(df: pd.DataFrame) -> list[tuple[str, str, list[tuple[float, str]]]]:
    """(family, parameter, [(value, workload), ...]) for families whose workloads vary one numeric param."""
    out = []
    if df.empty or "family" not in df:
        return out
    first = df.drop_duplicates("workload")
    for fam, g in first.groupby(first["family"].astype(str), sort=True):
        if len(g) < 2:
            continue
        params = [p if isinstance(p, dict) else {} for p in g.get("params", [None] * len(g))]
        names = sorted({k for p in params for k in p})
        for k in names:
            vals = [num(p.get(k)) for p in params]
            if all(not math.isnan(v) for v in vals) and len(set(vals)) >= 2:
                pts = sorted(zip(vals, g["workload"].astype(str)))
                out.append((str(fam), k, pts))
                break
    return out


# --------------------------------------------------------------------------------------------- html bits


def _esc(x: Any) -> str:
    return html.escape("" if x is None else str(x), quote=True)


CSS = """
:host { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, sans-serif; font-size: 14px;
        color: #1d1d1f; line-height: 1.45; }
h1 { font-size: 24px; margin: 8px 0 4px 0; }
h2 { font-size: 19px; margin: 26px 0 4px 0; padding-bottom: 3px; border-bottom: 2px solid #dde3ea; }
p { margin: 4px 0 6px 0; }
.sub { color: #555; }
table { border-collapse: collapse; margin: 6px 0; font-size: 13px; width: 100%; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f4f6f8; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.badge { display: inline-block; padding: 1px 7px; border-radius: 9px; font-size: 12px; font-weight: 600;
         color: #fff; background: #888; white-space: nowrap; }
.ok { background: #2e7d32; } .bad { background: #c62828; } .meh { background: #b26a00; }
.real { display: inline-block; padding: 0 6px; border-radius: 4px; background: #fde7c4; color: #7a4a00;
        font-size: 12px; font-weight: 600; }
.note { background: #f7f9fc; border-left: 4px solid #9db7d5; padding: 6px 10px; margin: 6px 0; }
.warn { background: #fff4f4; border-left: 4px solid #d9534f; padding: 6px 10px; margin: 6px 0; }
code { background: #f2f2f2; padding: 0 3px; border-radius: 3px; font-size: 12px; }
a { color: #0b5cad; text-decoration: none; } a:hover { text-decoration: underline; }
.links a { margin-right: 8px; white-space: nowrap; }
details summary { cursor: pointer; color: #0b5cad; }
.small { font-size: 12px; color: #444; } .small code { font-size: 11px; } .nw { white-space: nowrap; }
"""


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], num_cols: Sequence[int] = (),
           widths: Sequence[int] = ()) -> str:
    """An HTML table; cells are trusted HTML (escape before); *widths* in percent."""
    h = "".join(f"<th style='width:{widths[i]}%'>{c}</th>" if i < len(widths) else f"<th>{c}</th>"
                for i, c in enumerate(header))
    body = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' if i in num_cols else f"<td>{c}</td>"
                                    for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"


def _compact(v: Any, depth: int = 0) -> str:
    """Plain text of a nested number structure: floats to 3 digits, {value, lo, hi} as 'v [lo–hi]'."""
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, float):
        return "–" if not math.isfinite(v) else f"{v:.3g}"
    if isinstance(v, dict):
        if "value" in v and ("lo" in v or "hi" in v):
            rest = {k: x for k, x in v.items() if k not in ("value", "lo", "hi")}
            head = f"{_compact(v.get('value'))} [{_compact(v.get('lo'))}–{_compact(v.get('hi'))}]"
            return head + (f" ({_compact(rest, depth + 1)})" if rest else "")
        return ", ".join(f"{k}: {_compact(x, depth + 1)}" for k, x in v.items()) if depth < 4 else "…"
    if isinstance(v, (list, tuple)):
        return ", ".join(_compact(x, depth + 1) for x in v) if depth < 4 else "…"
    return str(v)


def _numbers(x: Any, sep: str = "<br>") -> str:
    """Escaped compact text of a claim's deciding numbers (dict, list or scalar)."""
    def one(v: Any) -> str:
        t = _compact(v)
        return t if len(t) <= 400 else t[:400] + "…"
    if isinstance(x, dict):
        return sep.join(f"<code>{_esc(k)}</code> {_esc(one(v))}" for k, v in x.items())
    if isinstance(x, (list, tuple)):
        return sep.join(_esc(one(v)) for v in x)
    return _esc(one(x)) if x is not None else "–"


def _verdict(v: Any) -> str:
    s = str(v or "–")
    low = s.lower()
    cls = ("ok" if low in ("confirmed", "true", "holds", "supported", "yes", "pass", "confirmed (noisy)")
           else "bad" if low in ("refuted", "false", "rejected", "no", "fail", "contradicted")
           else "meh")
    return f'<span class="badge {cls}">{_esc(s)}</span>'


# --------------------------------------------------------------------------------------------- page


def page(res: Results, table: pd.DataFrame, summary: dict, pages: list[dict]) -> str:
    """The dashboard's HTML (see :func:`render`)."""
    from bokeh.embed import file_html
    from bokeh.layouts import column, gridplot, row
    from bokeh.models import (ColumnDataSource, CustomJS, Div, FactorRange, HoverTool, InlineStyleSheet, Select,
                              Span)
    from bokeh.plotting import figure
    from bokeh.resources import INLINE
    from bokeh.transform import dodge

    css = InlineStyleSheet(css=CSS)
    items: list[Any] = []

    def div(text: str, width: int = WIDTH) -> None:
        items.append(Div(text=text, width=width, stylesheets=[css]))

    df = table.copy() if isinstance(table, pd.DataFrame) else pd.DataFrame()
    if not df.empty and {"workload", "scheduler"} <= set(df.columns):
        df = df[df["workload"].notna() & df["scheduler"].notna()].copy()
        df["workload"] = df["workload"].astype(str)
        df["scheduler"] = df["scheduler"].astype(str)
    else:
        df = pd.DataFrame(columns=["workload", "scheduler"])
    meta = res.meta or {}
    machine = summary.get("machine") or {}
    run_id = str(summary.get("run_id") or res.run_id)

    # metric-switched sources, axes and titles
    switch_sources: list[Any] = []
    switch_axes: list[Any] = []
    switch_titles: list[tuple[Any, str]] = []
    speedup_only: list[Any] = []

    # ---------------------------------------------------------------- header
    host = machine.get("host") or meta.get("host") or "?"
    cpu = machine.get("cpu_model") or meta.get("cpu_model") or "?"
    cores = machine.get("cores") or meta.get("cores") or "?"
    mem = num(machine.get("memory_bytes") or meta.get("memory_bytes"))
    n_w = df["workload"].nunique() if not df.empty else 0
    n_s = df["scheduler"].nunique() if not df.empty else 0
    complete = summary.get("complete", meta.get("complete"))
    sampler = machine.get("gil_sampler") or meta.get("gil_sampler") or {}
    div(f"<h1>Dask scheduler suite — run {_esc(run_id)} on {_esc(host)}</h1>"
        f"<p class='sub'>{_esc(cpu)}, {_esc(cores)} cores{'' if math.isnan(mem) else ', ' + _esc(_si(mem, 'B'))} · "
        f"profile <b>{_esc(summary.get('profile') or meta.get('profile') or '?')}</b> · {n_w} workloads × "
        f"{n_s} scheduler configurations · created {_esc(meta.get('created') or '?')}"
        f"{'' if complete in (None, True) else ' · <b>run incomplete</b>'} · "
        f"<a href='summary.json'>summary.json</a></p>"
        f"<p class='sub'><b>{_esc(interpreter({**meta, **{k: v for k, v in machine.items() if v is not None}}))}</b>"
        f"{'' if sampler.get('available') is not False else ' · GIL figures not applicable: ' + _esc(sampler.get('reason') or 'no GIL sampler')}</p>"
        "<p>Speedups are sync median / scheduler median over the timed repeats of the same workload; "
        "<b>*</b> marks an unstable row (spread &gt; 10% of the median, under 1 ms, or fewer than 3 repeats). "
        "Hover any chart for medians, spread and flags.</p>")

    # ---------------------------------------------------------------- metric select + matrix
    base = set(meta.get("specs") or [])
    sweep_specs = set(meta.get("sweep_specs") or [])
    all_scheds = scheduler_order(df["scheduler"].tolist())
    matrix_scheds = [s for s in all_scheds if s in base or s not in sweep_specs]
    wl_order = _workload_order(df)
    select = Select(title="Metric shown in the matrix, scaling, stencil and family charts",
                    value=METRICS[0].key, options=[(m.key, m.title) for m in METRICS], width=420)
    items.append(select)
    div("<h2>Speedup matrix (workload × scheduler)</h2><p>Each cell: one workload on one scheduler. Colour: red slower than sync, "
        "blue faster (log scale, 4× saturates); for other metrics darker is more. Grey: no value (failed, or no "
        "sync reference for speedup). Workloads with <span class='real'>real data</span> are marked "
        "“◆ real data” on the axes.</p>")
    mdf = df[df["scheduler"].isin(matrix_scheds)] if not df.empty else df
    real = {}
    if not df.empty:
        for w, g in df.groupby("workload"):
            rd = g["real_data"].iloc[0] if "real_data" in g else False
            real[str(w)] = bool(rd) if rd is not None and not (isinstance(rd, float) and math.isnan(rd)) else False
    label_of = {w: (f"{w}  ◆ real data" if real.get(w) else w) for w in wl_order}

    def cols(k: pd.DataFrame) -> dict[str, list]:
        d = columns(k)
        d["wl_label"] = [label_of.get(w, w) for w in d["workload"]]
        return d

    sched_color = {s: SCHED_PALETTE[i % len(SCHED_PALETTE)] for i, s in enumerate(matrix_scheds)}
    if mdf.empty:
        div("<p class='warn'>No results: the table is empty (nothing ran, or every row was damaged).</p>")
    else:
        mwl = [w for w in wl_order if w in set(mdf["workload"])]
        src = ColumnDataSource(cols(mdf))
        switch_sources.append(src)
        h = 90 + 26 * len(mwl)
        fig = figure(x_range=FactorRange(*matrix_scheds), y_range=FactorRange(*[label_of[w] for w in reversed(mwl)]),
                     width=min(WIDTH, 300 + 110 * len(matrix_scheds)), height=h, toolbar_location=None,
                     x_axis_location="above", title="Speedup vs sync", tools="")
        fig.rect(x="scheduler", y="wl_label", width=0.96, height=0.92, fill_color="color", line_color=None, source=src)
        fig.text(x="scheduler", y="wl_label", text="text", text_color="text_color", text_align="center",
                 text_baseline="middle", text_font_size="12px", source=src)
        fig.add_tools(HoverTool(tooltips=[("workload", "@workload"), ("scheduler", "@scheduler"),
                                          ("median", "@h_median"), ("IQR (q1 – q3)", "@h_iqr"),
                                          ("min – max", "@h_range"), ("speedup", "@h_speedup"),
                                          ("GIL min/med/max", "@h_gil"), ("stability", "@h_flag"),
                                          ("real data", "@h_real"), ("shown", "@text")]))
        fig.axis.major_label_text_font_size = "12px"
        fig.xaxis.major_label_orientation = 0.5 if len(matrix_scheds) > 6 else 0
        fig.grid.grid_line_color = None
        fig.axis.axis_line_color = None
        fig.title.text_font_size = "15px"
        switch_titles.append((fig.title, ""))
        items.append(fig)

    # ---------------------------------------------------------------- claims + recommendations
    claims = summary.get("claims") or []
    div("<h2>Claims</h2>")
    if claims:
        rows_ = [[f"<b>{_esc(c.get('id', ''))}</b>", _esc(c.get("claim", "")), _verdict(c.get("verdict")),
                  f"<span class='small'>{_numbers(c.get('numbers'))}</span>", _numbers(c.get("threshold")),
                  _esc(c.get("reason", ""))]
                 for c in claims if isinstance(c, dict)]
        div(_table(["", "claim", "verdict", "deciding numbers", "threshold", "why"], rows_, widths=[4, 16, 8, 32, 20, 20]))
    else:
        div("<p class='note'>No claim verdicts in this summary.</p>")
    recs = summary.get("recommendations") or []
    div("<h2>Recommendation per workload</h2>")
    if recs:
        rows_ = []
        for r in recs:
            if not isinstance(r, dict):
                continue
            wl = str(r.get("workload", ""))
            mark = " <span class='real'>real data</span>" if real.get(wl) else ""
            rows_.append([f"<b>{_esc(wl)}</b>{mark}", f"<code class='nw'>{_esc(r.get('scheduler', ''))}</code>",
                          _esc(r.get("explanation", "")), f"<details><summary class='small'>numbers</summary><span class='small'>"
                          f"{_numbers(r.get('evidence'), sep='; ')}</span></details>"])
        div(_table(["workload", "use", "why", "evidence"], rows_, widths=[16, 10, 56, 18]))
    else:
        div("<p class='note'>No recommendations in this summary.</p>")

    # ---------------------------------------------------------------- scaling curves
    def metric_figure(title: str, x_label: str, width: int, height: int, log_x: bool = False) -> Any:
        f = figure(title=title, width=width, height=height, x_axis_label=x_label,
                   y_axis_label=METRICS[0].title, x_axis_type="log" if log_x else "linear",
                   tools="pan,box_zoom,wheel_zoom,reset,save", toolbar_location="right")
        f.title.text_font_size = "14px"
        f.axis.axis_label_text_font_size = "12px"
        f.axis.axis_label_text_font_style = "normal"
        switch_axes.append(f.yaxis[0])
        return f

    hover_pts = [("workload", "@workload"), ("scheduler", "@scheduler"), ("shown", "@text"),
                 ("median", "@h_median"), ("IQR", "@h_iqr"), ("speedup", "@h_speedup"), ("stability", "@h_flag")]

    def scaling_lines(f: Any, g: pd.DataFrame, suffix: str = "", dash: str = "solid", colors: dict | None = None,
                      with_sync: bool = True) -> None:
        colors = colors or KIND_COLOR
        g = g.assign(_kind=[_kind(r) for _, r in g.iterrows()], _x=[_nthreads(r) for _, r in g.iterrows()])
        for kind in ("threads", "processes", "distributed", "sync")[: 4 if with_sync else 3]:
            k = g[g["_kind"] == kind].sort_values("_x")
            if k.empty:
                continue
            d = columns(k)
            d["x"] = k["_x"].tolist()
            s = ColumnDataSource(d)
            switch_sources.append(s)
            lab = f"{kind}{suffix}" if kind != "sync" else "sync"
            if kind in ("threads", "processes"):
                f.line("x", "value", source=s, color=colors[kind], line_width=2.5, line_dash=dash, legend_label=lab)
                f.scatter("x", "value", source=s, color=colors[kind], size=8, legend_label=lab)
            else:
                f.scatter("x", "value", source=s, color=colors[kind], size=11,
                          marker="diamond" if kind == "distributed" else "square", legend_label=lab)
        f.legend.location = "top_left"
        f.legend.label_text_font_size = "11px"
        f.legend.background_fill_alpha = 0.7

    def ideal(f: Any, xmax: float) -> None:
        xs = list(range(1, int(max(2, xmax)) + 1))
        r = f.line(xs, xs, color="#999999", line_dash="dashed", legend_label="ideal (speedup = workers)")
        speedup_only.append(r)

    sweeps = sweep_workloads(df) if not df.empty else []
    stencil = [w for w in ("stencil-python", "stencil-numpy") if w in set(df["workload"])]
    div("<h2>Scaling curves</h2><p>Metric against the number of threads (workers × threads per worker) for "
        "workloads swept over worker counts: threads, processes and distributed (diamonds) with the ideal "
        "line for speedup.</p>")
    if stencil:
        f = metric_figure("Jacobi stencil: pure Python (dashed) vs NumPy (solid)", "threads / workers", 760, 380)
        py_colors = {"threads": "#9467bd", "processes": "#8c564b", "distributed": "#e377c2", "sync": "#555555"}
        for w, dash, c in (("stencil-numpy", "solid", None), ("stencil-python", "dashed", py_colors)):
            if w in stencil:
                scaling_lines(f, df[df["workload"] == w], suffix=f" · {w.split('-')[1]}", dash=dash, colors=c,
                              with_sync=w == stencil[0])
        ideal(f, max([_nthreads(r) for _, r in df[df["workload"].isin(stencil)].iterrows()] + [2]))
        f.add_tools(HoverTool(tooltips=hover_pts))
        f.add_layout(f.legend[0], "right")
        items.append(f)
    grid = []
    for w in sweeps:
        if w in stencil:
            continue
        g = df[df["workload"] == w]
        f = metric_figure(w, "threads / workers", 380, 300)
        scaling_lines(f, g)
        ideal(f, max([_nthreads(r) for _, r in g.iterrows()] + [2]))
        f.add_tools(HoverTool(tooltips=hover_pts))
        grid.append(f)
    for f in grid[1:]:
        f.legend.visible = False  # one legend for the grid: the first figure's
    if grid:
        items.append(gridplot(grid, ncols=3, toolbar_location=None))
    if not sweeps and not stencil:
        div("<p class='note'>No workload was run at several worker counts in this run (sweeps come with the "
            "profiles' sweep specs; <code>--schedulers</code> turns them off).</p>")

    # ---------------------------------------------------------------- family sweeps / break-even
    fams = family_sweeps(df)
    div("<h2>Family sweeps and break-even task duration</h2><p>Workloads of one family that differ in one "
        "parameter. For <code>delayed-busy</code> the parameter is the task duration (<code>task_us</code>): "
        "where a scheduler's speedup crosses 1 is the task size it breaks even at.</p>")
    fam_figs = []
    for fam, param, pts in sorted(fams, key=lambda x: (x[0] != "delayed-busy", x[0])):
        wls = [w for _, w in pts]
        xval = {w: v for v, w in pts}
        g = df[df["workload"].isin(wls) & df["scheduler"].isin(matrix_scheds)]
        if g.empty:
            continue
        xs = [v for v, _ in pts]
        log_x = min(xs) > 0 and max(xs) / min(xs) >= 20
        busy = fam == "delayed-busy"
        f = metric_figure(f"Break-even: {fam} — speedup vs task duration" if busy else f"{fam}: by {param}",
                          f"{param}" + (" (µs per task)" if busy else ""), 580 if busy else 380, 360 if busy else 300,
                          log_x=log_x)
        scheds = scheduler_order(g["scheduler"].tolist())
        notes = []
        for i, s in enumerate(scheds):
            k = g[g["scheduler"] == s].copy()
            k["_x"] = [xval[w] for w in k["workload"]]
            k = k.sort_values("_x")
            d = columns(k)
            d["x"] = k["_x"].tolist()
            src = ColumnDataSource(d)
            switch_sources.append(src)
            c = sched_color.get(s, SCHED_PALETTE[i % len(SCHED_PALETTE)])
            f.line("x", "value", source=src, color=c, line_width=2, legend_label=s)
            f.scatter("x", "value", source=src, color=c, size=7, legend_label=s)
            if busy and s != "sync":
                # "faster" as the statistics decide it (factor and Mann-Whitney), not any ratio above 1
                vs = list(_col(k, "vs_sync"))
                above = [x for x, v, sp in zip(d["x"], vs, d["v_speedup"])
                         if v == "faster" or (not isinstance(v, str) and num(sp) >= 1.1)]
                notes.append(f"{s}: " + (f"faster than sync from {above[0]:g} µs per task" if above
                                         else "never significantly faster than sync here"))
        span = Span(location=1, dimension="width", line_color="#999", line_dash="dashed")
        f.add_layout(span)
        speedup_only.append(span)
        f.legend.location = "top_left"
        f.legend.label_text_font_size = "11px"
        f.legend.background_fill_alpha = 0.7
        f.add_tools(HoverTool(tooltips=hover_pts))
        if busy:
            items.append(row(f, Div(text="<p><b>Break-even</b> (smallest task duration where the scheduler is significantly faster than sync: "
                                    "≥ 1.1× and Mann-Whitney p ≤ 0.05)</p>" +
                                    "".join(f"<p>{_esc(n)}</p>" for n in notes), width=420, stylesheets=[css])))
        else:
            fam_figs.append(f)
    for f in fam_figs[1:]:
        f.legend.visible = False
    if fam_figs:
        items.append(gridplot(fam_figs, ncols=3, toolbar_location=None))
    if not fams:
        div("<p class='note'>No workload family with a numeric parameter sweep in this run.</p>")

    # ---------------------------------------------------------------- GIL contention
    div("<h2>GIL contention</h2><p>Fraction of time a probe thread waited for the GIL, per process that ran "
        "tasks: the bar spans the minimum to the maximum process, the dot is the duration-weighted median.</p>")
    gdf = mdf.copy() if not mdf.empty else mdf
    if not gdf.empty:
        for c in ("gil_min", "gil_median", "gil_max"):
            gdf[c] = [num(x) for x in _col(gdf, c)]
        gdf = gdf[np.isfinite(gdf["gil_median"].astype(float))]
    if gdf.empty:
        div("<p class='note'>No GIL measurements (" + (_esc(sampler["reason"]) if sampler.get("reason") else
            "the <code>gil</code> instrument was off or every run failed") + ").</p>")
    else:
        gwl = [w for w in wl_order if w in set(gdf["workload"])]
        gs = [s for s in matrix_scheds if s in set(gdf["scheduler"])]
        step = min(0.8 / max(len(gs), 1), 0.16)
        f = figure(y_range=FactorRange(*[label_of[w] for w in reversed(gwl)]), x_range=(0, 1), width=WIDTH, height=110 + 30 * len(gwl),
                   title="GIL contention per workload and scheduler (min – median – max over processes)",
                   x_axis_label="fraction of time waiting for the GIL", tools="hover,save", toolbar_location="right",
                   tooltips=[("workload", "@workload"), ("scheduler", "@scheduler"), ("min/median/max", "@h_gil")])
        for i, s in enumerate(gs):
            k = gdf[gdf["scheduler"] == s]
            d = cols(k)
            d.update(lo=k["gil_min"].fillna(k["gil_median"]).tolist(), hi=k["gil_max"].fillna(k["gil_median"]).tolist(),
                     med=k["gil_median"].tolist())
            src = ColumnDataSource(d)
            off = (i - (len(gs) - 1) / 2) * step
            y = dodge("wl_label", -off, range=f.y_range)
            c = sched_color[s]
            f.segment(x0="lo", x1="hi", y0=y, y1=y, source=src, color=c, line_width=3, alpha=0.6)
            f.scatter(x="med", y=y, source=src, color=c, size=7, legend_label=s)
        f.add_layout(f.legend[0], "right")
        f.legend.label_text_font_size = "12px"
        f.axis.major_label_text_font_size = "12px"
        f.title.text_font_size = "14px"
        f.xaxis.formatter.use_scientific = False
        items.append(f)

    # ---------------------------------------------------------------- per-task overhead + start-up
    div("<h2>Per-task overhead and start-up cost</h2><p>Left: wall time per task of <code>delayed-null</code> "
        "(null tasks: pure scheduling cost). Right: median time to start and stop each scheduler's pool or "
        "cluster (log scale).</p>")
    pair = []
    null = df[df["workload"] == "delayed-null"] if not df.empty else df
    if not null.empty:
        k = null.assign(_v=[num(x) for x in _col(null, "per_task_us")])
        k = k[np.isfinite(k["_v"].astype(float))]
        ks = scheduler_order(k["scheduler"].tolist())
        if ks:
            k = k.set_index("scheduler").loc[ks].reset_index()
            d = {"scheduler": ks, "v": k["_v"].tolist(), "t": [f"{v:.3g} µs" for v in k["_v"]],
                 "color": [KIND_COLOR.get(_parse_label(s)[0], "#888") for s in ks]}
            f = figure(x_range=ks, width=560, height=340, title="Per-task overhead (delayed-null)",
                       y_axis_label="µs per task", tools="hover,save", tooltips=[("", "@scheduler: @t")])
            f.vbar(x="scheduler", top="v", width=0.7, color="color", source=ColumnDataSource(d))
            f.text(x="scheduler", y="v", text="t", source=ColumnDataSource(d), text_align="center",
                   text_baseline="bottom", text_font_size="11px", y_offset=-2)
            f.y_range.start = 0
            f.xaxis.major_label_orientation = 0.6
            f.title.text_font_size = "14px"
            pair.append(f)
    if not pair:
        pair.append(Div(text="<p class='note'>No <code>delayed-null</code> result: per-task overhead not measured.</p>",
                        width=560, stylesheets=[css]))
    st = [s for s in (summary.get("startup") or []) if isinstance(s, dict) and s.get("scheduler")]
    sts = scheduler_order([str(s["scheduler"]) for s in st])
    stmap = {str(s["scheduler"]): s for s in st}
    vals = [(s, num(stmap[s].get("start_s")), num(stmap[s].get("stop_s"))) for s in sts]
    vals = [v for v in vals if not (math.isnan(v[1]) and math.isnan(v[2]))]
    if vals:
        names = [v[0] for v in vals]
        d = {"scheduler": names, "start": [max(v[1], 1e-7) if not math.isnan(v[1]) else math.nan for v in vals],
             "stop": [max(v[2], 1e-7) if not math.isnan(v[2]) else math.nan for v in vals],
             "ts": [_seconds(v[1]) if not math.isnan(v[1]) else "–" for v in vals],
             "tp": [_seconds(v[2]) if not math.isnan(v[2]) else "–" for v in vals]}
        s = ColumnDataSource(d)
        f = figure(x_range=names, width=600, height=340, y_axis_type="log", title="Start-up and teardown cost",
                   y_axis_label="seconds", tools="hover,save", tooltips=[("scheduler", "@scheduler"),
                                                                        ("start", "@ts"), ("stop", "@tp")])
        f.vbar(x=dodge("scheduler", -0.18, range=f.x_range), top="start", bottom=1e-7, width=0.34, source=s,
               color="#1f77b4", legend_label="start")
        f.vbar(x=dodge("scheduler", 0.18, range=f.x_range), top="stop", bottom=1e-7, width=0.34, source=s,
               color="#aec7e8", legend_label="stop")
        f.legend.location = "top_left"
        f.xaxis.major_label_orientation = 0.6
        f.title.text_font_size = "14px"
        pair.append(f)
    else:
        pair.append(Div(text="<p class='note'>No start-up records.</p>", width=560, stylesheets=[css]))
    items.append(row(*pair))

    # ---------------------------------------------------------------- bytes
    div("<h2>Bytes serialised</h2><p>Bytes pickled or sent between processes per run (median over repeats, log "
        "scale): what threads avoid and processes and distributed pay.</p>")
    bdf = mdf.assign(_b=[num(x) for x in _col(mdf, "bytes_moved")]) if not mdf.empty else mdf
    if not bdf.empty:
        bdf = bdf[np.isfinite(bdf["_b"].astype(float)) & (bdf["_b"].astype(float) > 0)]
    if bdf.empty:
        div("<p class='note'>No bytes were serialised (or the <code>bytes</code> instrument was off).</p>")
    else:
        bwl = [w for w in wl_order if w in set(bdf["workload"])]
        bs = [s for s in matrix_scheds if s in set(bdf["scheduler"])]
        step = min(0.8 / max(len(bs), 1), 0.2)
        left = max(1.0, float(bdf["_b"].astype(float).min()) / 4)
        f = figure(y_range=FactorRange(*[label_of[w] for w in reversed(bwl)]), x_axis_type="log", width=WIDTH, height=110 + 28 * len(bwl),
                   title="Bytes serialised per run", x_axis_label="bytes", tools="hover,save",
                   tooltips=[("workload", "@workload"), ("scheduler", "@scheduler"), ("bytes", "@t_bytes")])
        for i, s in enumerate(bs):
            k = bdf[bdf["scheduler"] == s]
            d = cols(k)
            d["b"] = k["_b"].tolist()
            off = (i - (len(bs) - 1) / 2) * step
            c = sched_color[s]
            y = dodge("wl_label", -off, range=f.y_range)
            f.hbar(y=y, left=left, right="b", height=step * 0.85, source=ColumnDataSource(d), color=c, legend_label=s)
        f.add_layout(f.legend[0], "right")
        f.legend.label_text_font_size = "12px"
        f.axis.major_label_text_font_size = "12px"
        f.title.text_font_size = "14px"
        items.append(f)

    # ---------------------------------------------------------------- controls
    div("<h2>Controls: instrumentation overhead and A/A noise</h2>")
    ov = summary.get("instrumentation_overhead") or {}
    ctl = []
    pairs_ = [p for p in (ov.get("pairs") or []) if isinstance(p, dict)] if isinstance(ov, dict) else []
    if pairs_:
        lab = [f"{p.get('workload')} / {p.get('scheduler')}" for p in pairs_]
        lab = list(dict.fromkeys(lab))
        d = {"pair": lab[:len(pairs_)], "ratio": [num(p.get("ratio")) for p in pairs_][:len(lab)],
             "t": [f"{num(p.get('ratio')):.3f}× ({_seconds(num(p.get('instrumented_s')))} vs "
                   f"{_seconds(num(p.get('bare_s')))}, n = {p.get('n')})" for p in pairs_][:len(lab)]}
        f = figure(y_range=list(reversed(lab)), width=640, height=max(220, 90 + 28 * len(lab)),
                   title=f"Instrumentation overhead: median {num(ov.get('ratio')):.3f}× (instrumented / bare)",
                   x_axis_label="instrumented / bare wall time", tools="hover,save", tooltips=[("", "@pair: @t")])
        f.scatter(x="ratio", y="pair", source=ColumnDataSource(d), size=10, color="#9467bd")
        f.add_layout(Span(location=1, dimension="height", line_color="#999", line_dash="dashed"))
        f.title.text_font_size = "14px"
        ctl.append(f)
    else:
        ctl.append(Div(text="<p class='note'>No instrumentation-overhead control in this run.</p>", width=560,
                       stylesheets=[css]))
    aa = summary.get("aa_control")
    if isinstance(aa, dict) and aa:
        a, b = num(aa.get("median_a_s")), num(aa.get("median_b_s"))
        d = {"run": ["A", "B"], "v": [a, b], "color": ["#8c564b", "#c49c94"], "t": [_seconds(a) if not math.isnan(a) else "–",
                                                   _seconds(b) if not math.isnan(b) else "–"]}
        f = figure(x_range=["A", "B"], width=300, height=300, y_axis_label="median wall time (s)",
                   title="A/A control", tools="hover,save", tooltips=[("", "@run: @t")])
        f.vbar(x="run", top="v", width=0.6, source=ColumnDataSource(d), color="color")
        f.y_range.start = 0
        f.title.text_font_size = "14px"
        false_diff = bool(aa.get("false_difference"))
        txt = (f"<p><b>A/A control</b>: {_esc(aa.get('workload'))} on {_esc(aa.get('scheduler'))} run twice. "
               f"B/A = {num(aa.get('ratio')):.3f} (noise {num(aa.get('noise')) * 100:.1f}%), verdict "
               f"<b>{_esc(aa.get('verdict'))}</b>"
               + (f", p = {num(aa.get('p')):.3f}" if not math.isnan(num(aa.get("p"))) else "") + ".</p>"
               + ("<p class='warn'>The test called two identical runs different: treat close calls with care.</p>"
                  if false_diff else "<p>Identical runs are not called different: the test held on this machine.</p>"))
        ctl += [f, Div(text=txt, width=260, stylesheets=[css])]
    else:
        ctl.append(Div(text="<p class='note'>No A/A control in this run.</p>", width=300, stylesheets=[css]))
    items.append(row(*ctl))

    # ---------------------------------------------------------------- workloads + links
    div("<h2>Workloads, task streams and performance reports</h2>")
    info = res.workload_info() if hasattr(res, "workload_info") else {}
    by_wl: dict[str, list[dict]] = {}
    for p in pages or []:
        if isinstance(p, dict) and p.get("path"):
            by_wl.setdefault(str(p.get("workload", "")), []).append(p)
    perf_dir = Path(res.path) / "perf"
    perf_files = sorted(perf_dir.glob("*.html")) if perf_dir.is_dir() else []
    perf_by = {}
    for pf in perf_files:
        perf_by[pf.stem] = f"perf/{pf.name}"
    used_perf = set()
    wrows = []
    for w in list(dict.fromkeys(wl_order + sorted(info))):
        i = info.get(w, {})
        g = df[df["workload"] == w] if not df.empty else df
        first = g.iloc[0] if len(g) else {}
        desc = i.get("description") or (first.get("description") if len(g) else "") or ""
        coll = i.get("collection") or (first.get("collection") if len(g) else "") or ""
        cl = i.get("claims") or (first.get("claims") if len(g) else []) or []
        rd = real.get(w, bool(i.get("real_data")))
        stream_links = []
        for p in sorted(by_wl.get(w, []), key=lambda p: scheduler_order([str(x.get("scheduler")) for x in
                                                                           by_wl.get(w, [])]).index(str(p.get("scheduler")))):
            extra = " (sampled)" if p.get("sampled") else ""
            stream_links.append(f"<a href='{_esc(p['path'])}'>{_esc(p.get('scheduler'))}</a>{extra}")
        perf_links = []
        for s in scheduler_order(g["scheduler"].tolist()) if len(g) else []:
            stem = f"{records.slug(w)}__{records.slug(s)}"
            if stem in perf_by:
                used_perf.add(stem)
                perf_links.append(f"<a href='{_esc(perf_by[stem])}'>{_esc(s)}</a>")
        wrows.append([f"<b>{_esc(w)}</b>" + (" <span class='real'>real data</span>" if rd else ""),
                      _esc(coll), _esc(", ".join(map(str, cl)) if isinstance(cl, (list, tuple)) else cl),
                      _esc(desc), "<span class='links'>" + " ".join(stream_links) + "</span>",
                      "<span class='links'>" + " ".join(perf_links) + "</span>"])
    if wrows:
        div(_table(["workload", "collection", "claims", "description", "task streams", "performance reports"], wrows))
    else:
        div("<p class='note'>No workloads.</p>")
    orphans = [s for s in perf_by if s not in used_perf]
    if orphans:
        div("<p>Other performance reports: <span class='links'>" +
            " ".join(f"<a href='{_esc(perf_by[s])}'>{_esc(s)}</a>" for s in orphans) + "</span></p>")

    # ---------------------------------------------------------------- failures, skipped
    fails = [f for f in (summary.get("failures") or []) if isinstance(f, dict)]
    div(f"<h2>Failures ({len(fails)})</h2>")
    if fails:
        div(_table(["workload", "scheduler", "repeat", "status", "error"],
                   [[_esc(f.get("workload")), _esc(f.get("scheduler")), _esc(f.get("repeat")),
                     f"<span class='badge bad'>{_esc(f.get('status'))}</span>",
                     f"<code>{_esc(f.get('error_type'))}</code> {_esc(f.get('error'))}"] for f in fails[:500]]))
        if len(fails) > 500:
            div(f"<p>… and {len(fails) - 500} more (see summary.json).</p>")
    else:
        div("<p>None: every repeat finished and matched the sync result.</p>")
    skipped = list(summary.get("skipped") or []) + [s for s in (res.skipped or []) if s not in (summary.get("skipped") or [])]
    if skipped:
        div("<details><summary>Skipped or damaged input (" + str(len(skipped)) + ")</summary><ul>" +
            "".join(f"<li>{_esc(s)}</li>" for s in skipped[:300]) + "</ul></details>")

    # ---------------------------------------------------------------- machine
    div("<h2>Machine and versions</h2>")
    mrows = []
    for k in ("host", "cpu_model", "cores", "cpu_count", "memory_bytes", "python", "gil_enabled",
              "switch_interval_s", "platform"):
        v = machine.get(k, meta.get(k))
        if v is not None:
            mrows.append([_esc(k), _esc(_si(num(v), "B") if k == "memory_bytes" and not math.isnan(num(v)) else v)])
    versions = machine.get("versions") or meta.get("versions") or {}
    if isinstance(versions, dict) and versions:
        mrows.append(["versions", _esc(", ".join(f"{k} {v}" for k, v in sorted(versions.items())))])
    blas = machine.get("blas") or meta.get("blas")
    if blas:
        mrows.append(["blas", _esc(json.dumps(blas, default=str)[:600])])
    for k in ("command", "schedulers_arg", "workloads_arg", "plugins"):
        if meta.get(k):
            v = meta[k]
            mrows.append([_esc(k), f"<code>{_esc(' '.join(map(str, v)) if isinstance(v, list) else v)}</code>"])
    div(_table(["", ""], mrows) if mrows else "<p class='note'>No machine information (meta.json missing).</p>")

    # ---------------------------------------------------------------- the one control
    labels = {m.key: f"{m.title.split(' (')[0]} ({m.unit})" for m in METRICS}
    titles = {m.key: m.title for m in METRICS}
    select.js_on_change("value", CustomJS(args=dict(sources=switch_sources, axes=switch_axes, labels=labels,
                                                    titles=[t for t, _ in switch_titles], names=titles,
                                                    speedup_only=speedup_only), code="""
const m = this.value;
for (const s of sources) {
  const d = Object.assign({}, s.data);
  if (('v_' + m) in d) {
    d.value = d['v_' + m]; d.text = d['t_' + m]; d.color = d['c_' + m]; d.text_color = d['tc_' + m];
  }
  s.data = d;
}
for (const a of axes) a.axis_label = labels[m];
for (const t of titles) t.text = names[m];
for (const r of speedup_only) r.visible = (m === 'speedup');
"""))
    for a in switch_axes:
        a.axis_label = labels[METRICS[0].key]

    doc = column(*items, spacing=4)
    return file_html(doc, INLINE, title=f"Dask scheduler suite — {run_id} on {host}")


def render(res: Results, table: pd.DataFrame, summary: dict, pages: list[dict], path: Path) -> None:
    """Write the dashboard of one run to *path* (one standalone HTML file).

    Parameters
    ----------
    res
        The loaded results folder (meta, rows, start-up, skipped lines).
    table
        The statistics table of :func:`reports.stats.table` (may be empty or lack columns).
    summary
        The run summary of :func:`reports.build.summarise`.
    pages
        The task-stream pages written by :func:`reports.taskstream.render_all`.
    path
        Where to write ``dashboard.html``; links are relative to its folder.
    """
    text = page(res, table, summary or {}, pages or [])
    path = Path(path)
    records.write_file_safely(path.parent, path.name, text)  # no link at its place is followed
