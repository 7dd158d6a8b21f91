"""The metrics one select box switches in every metric-driven chart, and the columns they draw from.

>>> [m.key for m in METRICS][:3]
['speedup', 'wall', 'gil']
>>> show(METRICS[0], 2.0), show(METRICS[1], 0.0123), show(METRICS[2], None)
('2×', '12.3 ms', '–')
"""
from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np
import pandas as pd
from bokeh.models import CustomJS, Select

from reports import fmt
from reports.dashboard.view import View, column, flag, value

__all__ = ["Metric", "METRICS", "NAN_COLOR", "show", "colours", "columns", "labelled", "Switch"]

NAN_COLOR = "#eeeeee"


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
    text: Callable[[Any], str]


METRICS = [
    Metric("speedup", "speedup", "Speedup vs sync", "×", 1.0, "diverging", fmt.ratio),
    Metric("wall", "median_s", "Wall time (median)", "s", 1.0, "log", fmt.duration),
    Metric("gil", "gil_median", "GIL contention (median over processes)", "% of time waiting", 100.0, "linear",
           fmt.percent),
    Metric("bytes", "bytes_moved", "Bytes serialised", "MB", 1e-6, "log", fmt.size),
    Metric("cores", "cores_used", "CPU cores used (CPU time / wall time)", "cores", 1.0, "linear",
           lambda v: fmt.number(v, 3)),
    Metric("memory", "peak_rss", "Peak memory (RSS)", "MB", 1e-6, "log", fmt.size),
]


def show(metric: Metric, x: Any) -> str:
    """Display text of one raw value of *metric* ('–' when missing)."""
    v = value(x)
    return "–" if math.isnan(v) else metric.text(v)


def _hex(rgb: Sequence[float]) -> str:
    return "#" + "".join(f"{int(round(max(0, min(1, c)) * 255)):02x}" for c in rgb)


def _lerp(stops: list[tuple[float, tuple[float, float, float]]], x: float) -> tuple[float, ...]:
    for (x0, c0), (x1, c1) in zip(stops, stops[1:]):
        if x <= x1:
            f = 0.0 if x1 == x0 else (x - x0) / (x1 - x0)
            return tuple(a + (b - a) * f for a, b in zip(c0, c1))
    return stops[-1][1]


_DIVERGING = [(0.0, (0.79, 0.09, 0.11)), (0.5, (0.97, 0.97, 0.97)), (1.0, (0.13, 0.40, 0.67))]
_SEQUENTIAL = [(0.0, (0.97, 0.98, 1.0)), (0.5, (0.55, 0.72, 0.85)), (1.0, (0.03, 0.22, 0.45))]


def _positions(metric: Metric, v: np.ndarray) -> np.ndarray:
    """Where each value sits on the colour scale, 0..1 (NaN: no colour)."""
    if metric.colour == "diverging":  # speedup: 1/4x red .. 1x white .. 4x blue
        return np.clip(np.log2(np.where(v > 0, v, np.nan)) / 4 + 0.5, 0, 1)
    w = np.log10(np.where(v > 0, v, np.nan)) if metric.colour == "log" else v
    finite = w[np.isfinite(w)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if metric.key == "gil":
        lo, hi = 0.0, max(hi, 0.5)
    return np.clip((w - lo) / (hi - lo), 0, 1) if hi > lo else np.where(np.isfinite(w), 0.5, np.nan)


def colours(metric: Metric, values: Sequence[Any]) -> tuple[list[str], list[str]]:
    """Fill and text colour of each cell for *metric*.

    >>> colours(METRICS[0], [1.0, None])
    (['#f7f7f7', '#eeeeee'], ['#111111', '#777777'])
    """
    pos = _positions(metric, np.array([value(x) for x in values], dtype=float))
    stops = _DIVERGING if metric.colour == "diverging" else _SEQUENTIAL
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


def _hover(df: pd.DataFrame) -> dict[str, list[str]]:
    """The hover strings of each row: median, spread, speedup with its interval, GIL, stability."""
    out: dict[str, list[str]] = {k: [] for k in ("h_median", "h_iqr", "h_range", "h_speedup", "h_gil")}
    cols = ("median_s", "q1_s", "q3_s", "min_s", "max_s", "n", "speedup", "speedup_lo", "speedup_hi", "vs_sync",
            "gil_min", "gil_median", "gil_max")
    for med, q1, q3, lo, hi, n, sp, splo, sphi, vs, g0, g1, g2 in zip(*(column(df, c) for c in cols)):
        out["h_median"].append(f"{fmt.duration(med)} (n = {int(value(n)) if not math.isnan(value(n)) else 0})")
        out["h_iqr"].append(f"{fmt.duration(q1)} – {fmt.duration(q3)}")
        out["h_range"].append(f"{fmt.duration(lo)} – {fmt.duration(hi)}")
        out["h_speedup"].append("– (no sync reference)" if math.isnan(value(sp)) else
                                f"{fmt.ratio(sp)} ({fmt.ratio(splo)} – {fmt.ratio(sphi)}); "
                                f"{vs if isinstance(vs, str) else '–'}")
        out["h_gil"].append(" / ".join(fmt.percent(g) for g in (g0, g1, g2)))
    return out


def columns(df: pd.DataFrame, metrics: Sequence[Metric] = METRICS) -> dict[str, list]:
    """Statistics-table rows -> columns for a ``ColumnDataSource``.

    Per metric ``m``: ``v_m`` (value in the metric's unit), ``t_m`` (text, ``*``
    on an unstable row), ``c_m`` / ``tc_m`` (fill / text colour); ``value``,
    ``text``, ``color``, ``text_color`` hold the first metric's and are what
    glyphs draw.  Also the hover strings ``h_*``.
    """
    data: dict[str, list] = {"workload": [str(x) for x in column(df, "workload", "")],
                             "scheduler": [str(x) for x in column(df, "scheduler", "")]}
    unstable = [x if isinstance(x, str) else "" for x in column(df, "unstable_reason", "")]
    for m in metrics:
        raw = [value(x) for x in column(df, m.field)]
        data[f"v_{m.key}"] = [x * m.scale for x in raw]
        data[f"t_{m.key}"] = [t + ("*" if u and t != "–" else "") for t, u in zip((show(m, x) for x in raw), unstable)]
        data[f"c_{m.key}"], data[f"tc_{m.key}"] = colours(m, raw)
    first = metrics[0].key
    for name, prefix in (("value", "v_"), ("text", "t_"), ("color", "c_"), ("text_color", "tc_")):
        data[name] = list(data[prefix + first])
    data.update(_hover(df))
    data["h_flag"] = [u or "stable" for u in unstable]
    data["h_real"] = ["yes" if flag(x) else "no" for x in column(df, "real_data", False)]
    return data


def labelled(v: View, df: pd.DataFrame) -> dict[str, list]:
    """:func:`columns` plus ``wl_label``, the workload's axis label (marked when it reads real data)."""
    d = columns(df)
    d["wl_label"] = [v.label(w) for w in d["workload"]]
    return d


_SWITCH_JS = """
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
"""


class Switch:
    """The metric select box and everything it re-targets, collected while sections are built.

    Sections add their sources (made by :func:`columns`), y axes, titles and
    the renderers that only mean something for speedup (the ideal line, the
    1× rule); :meth:`link` wires the select box to all of them at the end.
    """

    def __init__(self) -> None:
        self.select = Select(title="Metric shown in the matrix, scaling and family charts", value=METRICS[0].key,
                             options=[(m.key, m.title) for m in METRICS], width=420)
        self.sources: list[Any] = []
        self.axes: list[Any] = []
        self.titles: list[Any] = []
        self.speedup_only: list[Any] = []

    def link(self) -> None:
        """Attach the switching script; label every switched axis with the first metric."""
        labels = {m.key: f"{m.title.split(' (')[0]} ({m.unit})" for m in METRICS}
        names = {m.key: m.title for m in METRICS}
        self.select.js_on_change("value", CustomJS(
            args=dict(sources=self.sources, axes=self.axes, labels=labels, titles=self.titles, names=names,
                      speedup_only=self.speedup_only), code=_SWITCH_JS))
        for a in self.axes:
            a.axis_label = labels[METRICS[0].key]
