"""The one small plot that decided each claim, drawn from its ``numbers`` (and the statistics table).

A claim's record says how its plot is drawn (``Claim.plot``: a drawing, a
caption, an axis label); :data:`DRAW` holds the function of each drawing.  A
claim without a plot, or an id no record has (an older summary), gets the
default: every comparison in its numbers with its interval (:func:`forest`).
A claim with nothing to draw gets ``None``.

>>> [label for label, _ in comparisons({"bar": 1.3, "w": {"speedup": {"ratio": 1.4, "outcome": "faster"}}})]
['w']
>>> [label for label, _ in comparisons({"slowdown_0_5ms": {"ratio": 2.6, "outcome": "above"}})]
['slowdown 0.5ms']
"""
from __future__ import annotations

import math
import os
import re
from typing import Any, Callable

from bokeh.models import (BasicTickFormatter, BoxAnnotation, ColumnDataSource, FactorRange, FixedTicker, Span,
                          Whisker)
from bokeh.plotting import figure

from reports import fmt
from reports.claims import CLAIMS, Plot
from reports.dashboard.markup import comparison, is_comparison
from reports.dashboard.view import KIND_COLOR, PALETTE, View, kind, threads, value
from reports.evidence import is_number
from reports.stats import MARGIN

__all__ = ["DRAW", "DEFAULT", "plot", "comparisons", "forest", "curves", "by_k", "per_task", "defaults",
           "intervals", "log_ticks", "OUTCOME_COLOR", "VERDICT_COLOR", "PLOT_WIDTH"]

PLOT_WIDTH = 350
VERDICT_COLOR = {"holds": "#2e7d32", "does not hold": "#c62828", "inconclusive": "#9aa0a6"}
OUTCOME_COLOR = {"above": "#2e7d32", "below": "#c62828", "equivalent": "#6b7280", "not equivalent": "#c62828",
                 "undecided": "#e0a100"}


def _words(key: str) -> str:
    return re.sub(r"(\d)_(\d)", r"\1.\2", key).replace("_", " ")


def comparisons(numbers: Any) -> list[tuple[str, dict[str, Any]]]:
    """Every comparison in a claim's numbers, labelled by where it sits (its key dropped when alone)."""
    found: list[tuple[list[str], dict[str, Any], dict[str, Any]]] = []

    def walk(x: Any, path: list[str], parent: dict[str, Any]) -> None:
        if is_comparison(x):
            found.append((path, x, parent))
        elif isinstance(x, dict) and len(path) < 3:
            for k, v in x.items():
                walk(v, path + [str(k)], x)

    walk(numbers, [], {})
    out = []
    for path, c, parent in found:
        alone = len(path) > 1 and sum(is_comparison(v) for v in parent.values()) == 1
        parts = path[:-1] if alone else path
        group = parent.get("group")
        label = " ".join(_words(p) for p in parts) + (f" ({group})" if isinstance(group, str) else "")
        out.append((label, c))
    return out


def _bar(numbers: Any) -> float | None:
    """The claim's bar, when its numbers state one (``bar`` or ``*_bar``)."""
    if isinstance(numbers, dict):
        for k, v in numbers.items():
            if (k == "bar" or str(k).endswith("_bar")) and is_number(v):
                return float(v)
    return None


def _small(height: int, **kw: Any) -> Any:
    """A card-sized figure without a title (the card's caption names it) or toolbar."""
    f = figure(width=PLOT_WIDTH, height=height, toolbar_location=None, tools="hover", **kw)
    f.axis.major_label_text_font_size = "10px"
    f.axis.axis_label_text_font_size = "11px"
    f.axis.axis_label_text_font_style = "normal"
    f.min_border_left = f.min_border_right = 8
    return f


_TIERS = ([0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3], [0.25, 0.5, 1, 1.5, 2, 3, 4], [0.25, 0.5, 1, 2, 4, 8],
          [0.1, 0.25, 0.5, 1, 2, 5, 10, 20], [0.1, 0.3, 1, 3, 10, 30, 100])


def log_ticks(lo: float, hi: float) -> list[float]:
    """Round tick values for a log axis from *lo* to *hi*: three to eight, reaching near both ends.

    >>> log_ticks(0.8, 1.9), log_ticks(0.6, 14)
    ([1, 1.25, 1.5], [1, 2, 4, 8])
    """
    for tier in _TIERS:
        t = [x for x in tier if lo <= x <= hi]
        if 3 <= len(t) <= 8 and t[0] <= lo * 2 and t[-1] >= hi / 2:
            return t
    return [10.0 ** e for e in range(-4, 7) if lo <= 10.0 ** e <= hi] or [1]


def intervals(rows: list[tuple[str, dict[str, Any]]], axis: str, width: int = PLOT_WIDTH,
              bar: float | None = None) -> Any:
    """(label, comparison) rows as dots with their interval on a log axis, each label above its row.

    1× is dashed, the ±10 % equivalence band grey, *bar* (a claim's threshold) dotted blue; a dot is
    hollow when the comparison has no interval.
    """
    seen: dict[str, int] = {}
    labels = []
    for label, _ in rows:  # a categorical axis needs distinct labels
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    d = {"y": labels, "x": [float(c["ratio"]) for _, c in rows],
         "lo": [value(c.get("lo")) for _, c in rows], "hi": [value(c.get("hi")) for _, c in rows],
         "color": [OUTCOME_COLOR.get(str(c.get("outcome")), "#888") for _, c in rows],
         "fill": [OUTCOME_COLOR.get(str(c.get("outcome")), "#888") if is_number(c.get("lo")) else "white"
                  for _, c in rows],
         "t": [comparison(c) for _, c in rows], "why": [str(c.get("reason") or "") for _, c in rows]}
    xs = [x for x in d["x"] + d["lo"] + d["hi"] if x > 0] + [1 / MARGIN, MARGIN] + ([bar] if bar else [])
    lo, hi = min(xs) / 1.25, max(xs) * 1.25
    f = figure(width=width, height=52 + 34 * len(rows), toolbar_location=None, tools="hover",
               y_range=FactorRange(*reversed(labels), range_padding=0.3), x_axis_type="log", x_range=(lo, hi),
               x_axis_label=axis)
    f.hover.tooltips = [("", "@y: @t"), ("", "@why")]
    f.add_layout(BoxAnnotation(left=1 / MARGIN, right=MARGIN, fill_color="#999999", fill_alpha=0.15, line_alpha=0))
    f.add_layout(Span(location=1, dimension="height", line_color="#777", line_dash="dashed"))
    if bar:
        f.add_layout(Span(location=bar, dimension="height", line_color="#1f4e99", line_dash="dotted", line_width=2))
    src = ColumnDataSource(d)
    f.text(x=lo * 1.02, y="y", text="y", y_offset=-6, text_baseline="bottom", text_font_size="11px",
           text_color="#333333", source=src)
    f.segment(x0="lo", x1="hi", y0="y", y1="y", color="color", line_width=3, alpha=0.7, source=src)
    f.scatter(x="x", y="y", size=9, line_color="color", fill_color="fill", line_width=2, source=src)
    f.xaxis.ticker = FixedTicker(ticks=log_ticks(lo, hi), minor_ticks=[])
    f.xaxis.formatter = BasicTickFormatter(use_scientific=False)
    f.axis.major_label_text_font_size = "10px"
    f.axis.axis_label_text_font_size = "11px"
    f.axis.axis_label_text_font_style = "normal"
    f.yaxis.visible = False
    f.ygrid.grid_line_color = None
    return f


def forest(claim: dict[str, Any], v: View, axis: str) -> Any:
    """Every comparison in the claim's numbers with its interval (None when there is none)."""
    rows = [(label, c) for label, c in comparisons(claim.get("numbers")) if is_number(c.get("ratio"))]
    return intervals(rows, axis, bar=_bar(claim.get("numbers"))) if rows else None


def _legend_below(f: Any) -> None:
    f.add_layout(f.legend[0], "below")
    f.legend.ncols = 2
    f.legend.label_text_font_size = "10px"
    f.legend.spacing = 0
    f.legend.padding = 2
    f.legend.margin = 2
    f.legend.border_line_alpha = 0


def _row(v: View, workload: str, scheduler: str) -> Any:
    df = v.df
    g = df[(df["workload"] == workload) & (df["scheduler"] == scheduler)] if not df.empty else df
    return g.iloc[0] if len(g) else None


def curves(claim: dict[str, Any], v: View, axis: str) -> Any:
    """Speedup against threads per workload and kind (``numbers.curves``, kinds and threads from the table).

    The ideal line rises with the threads up to the machine's cores and stays level after.
    """
    data = (claim.get("numbers") or {}).get("curves")
    lines: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for w, by_label in (data.items() if isinstance(data, dict) else []):
        for label, sp in (by_label.items() if isinstance(by_label, dict) else []):
            r = _row(v, str(w), str(label))
            if r is not None and is_number(sp) and not math.isnan(threads(r)):
                lines.setdefault((str(w), kind(r)), []).append((threads(r), float(sp)))
    if not lines:
        return None
    f = _small(250, x_axis_label=axis, y_axis_label="speedup (× sync)")
    xmax = max(x for pts in lines.values() for x, _ in pts)
    cores = value(v.fact("cores"))
    top = min(xmax, cores) if not math.isnan(cores) else xmax
    f.line([1, top, xmax], [1, top, top], color="#999", line_dash="dashed", legend_label="ideal")
    f.add_layout(Span(location=1, dimension="width", line_color="#777", line_dash="dotted"))
    names = sorted({w for w, _ in lines})
    dashes = {w: ("solid", "dashed")[i % 2] for i, w in enumerate(names)}
    common = os.path.commonprefix(names) if len(names) > 1 else ""
    for (w, k), pts in sorted(lines.items()):
        pts.sort()
        src = ColumnDataSource({"x": [x for x, _ in pts], "y": [y for _, y in pts],
                                "t": [f"{w} on {k}, {x:g} threads: {fmt.ratio(y)}" for x, y in pts]})
        name = f"{w[len(common):] or w} · {k}"
        f.line("x", "y", source=src, color=KIND_COLOR.get(k, "#888"), line_dash=dashes[w], line_width=2,
               legend_label=name)
        f.scatter("x", "y", source=src, color=KIND_COLOR.get(k, "#888"), size=6, legend_label=name)
    f.hover.tooltips = [("", "@t")]
    f.xaxis.ticker = FixedTicker(ticks=sorted({x for pts in lines.values() for x, _ in pts}))
    _legend_below(f)
    return f


def by_k(claim: dict[str, Any], v: View, axis: str) -> Any:
    """Speedup with its interval against k, one line per kernel family (keys ``k1`` .. ``k32768``)."""
    fams = {}
    for fam, ks in (claim.get("numbers") or {}).items():
        if isinstance(ks, dict):
            pts = sorted((int(k[1:]), c) for k, c in ks.items()
                         if re.fullmatch(r"k\d+", str(k)) and is_comparison(c) and is_number(c.get("ratio")))
            if pts:
                fams[str(fam)] = pts
    if not fams:
        return None
    ys = [value(c.get(x)) for pts in fams.values() for _, c in pts for x in ("ratio", "lo", "hi")] + [1.0]
    ys = [y for y in ys if not math.isnan(y)]
    pad = (max(ys) - min(ys)) * 0.1 or 0.1
    f = _small(250, x_axis_type="log", x_axis_label=axis, y_axis_label="speedup on threads (× sync)",
               y_range=(min(ys) - pad, max(ys) + pad))
    f.add_layout(Span(location=1, dimension="width", line_color="#777", line_dash="dashed"))
    for i, (fam, pts) in enumerate(sorted(fams.items())):
        c = PALETTE[(i + 1) % len(PALETTE)]
        src = ColumnDataSource({"x": [k for k, _ in pts], "y": [float(x["ratio"]) for _, x in pts],
                                "lo": [value(x.get("lo")) for _, x in pts], "hi": [value(x.get("hi")) for _, x in pts],
                                "t": [f"{fam} k={k}: {comparison(x)}" for k, x in pts]})
        f.line("x", "y", source=src, color=c, line_width=2, legend_label=fam)
        f.scatter("x", "y", source=src, color=c, size=7, legend_label=fam)
        f.add_layout(Whisker(base="x", lower="lo", upper="hi", source=src, line_color=c))
    ks = sorted({k for pts in fams.values() for k, _ in pts})
    f.xaxis.ticker = FixedTicker(ticks=ks, minor_ticks=[])
    f.xaxis.formatter = BasicTickFormatter(use_scientific=False)
    f.x_range.range_padding = 0.3
    f.hover.tooltips = [("", "@t")]
    _legend_below(f)
    return f


def per_task(claim: dict[str, Any], v: View, axis: str) -> Any:
    """Wall time per null task per scheduler (``numbers.per_task_us``), log scale."""
    per = (claim.get("numbers") or {}).get("per_task_us")
    pts = [(str(s), float(x)) for s, x in per.items() if is_number(x) and float(x) > 0] \
        if isinstance(per, dict) else []
    if not pts:
        return None
    names = [s for s, _ in pts]
    src = ColumnDataSource({"s": names, "v": [x for _, x in pts], "t": [fmt.duration(x * 1e-6) for _, x in pts],
                            "c": [PALETTE[i % len(PALETTE)] for i in range(len(pts))]})
    bottom = min(x for _, x in pts) / 3
    f = _small(230, x_range=names, y_axis_type="log", y_axis_label=axis,
               y_range=(bottom, max(x for _, x in pts) * 4))
    f.vbar(x="s", top="v", bottom=bottom, width=0.7, color="c", source=src)
    f.text(x="s", y="v", text="t", source=src, text_align="center", text_baseline="bottom", text_font_size="10px")
    f.hover.tooltips = [("", "@s: @t per task")]
    f.xgrid.grid_line_color = None
    return f


def defaults(claim: dict[str, Any], v: View, axis: str) -> Any:
    """Per collection: on how many workloads Dask's default was best or equivalent."""
    rows = [(str(coll), d) for coll, d in (claim.get("numbers") or {}).items()
            if isinstance(d, dict) and is_number(d.get("workloads"))]
    if not rows:
        return None
    ys = [f"{coll} ({d.get('default', '?')})" for coll, d in rows]
    src = ColumnDataSource({"y": ys, "n": [float(d["workloads"]) for _, d in rows],
                            "k": [value(d.get("default_best_or_equivalent")) for _, d in rows],
                            "t": [f"{fmt.number(d.get('default_best_or_equivalent'))} of {d['workloads']}"
                                  for _, d in rows],
                            "c": [VERDICT_COLOR.get(str(d.get("verdict")), "#9aa0a6") for _, d in rows]})
    f = _small(56 + 30 * len(rows), y_range=list(reversed(ys)), x_axis_label=axis,
               x_range=(0, max(float(d["workloads"]) for _, d in rows) * 1.3))
    f.hbar(y="y", left=0, right="n", height=0.6, color="#e5e7eb", source=src)
    f.hbar(y="y", left=0, right="k", height=0.6, color="c", source=src)
    f.text(x="n", y="y", text="t", source=src, text_baseline="middle", text_font_size="10px", x_offset=4)
    f.hover.tooltips = [("", "@y: default best or equivalent on @t workloads")]
    f.ygrid.grid_line_color = None
    return f


Draw = Callable[[dict[str, Any], View, str], Any]

DRAW: dict[str, Draw] = {
    "comparisons": forest, "curves": curves, "by_k": by_k, "per_task": per_task, "defaults": defaults,
}
DEFAULT = Plot("comparisons", "The comparisons that decided it", "ratio (×)")


def plot(claim: dict[str, Any], v: View) -> tuple[str, Any]:
    """The caption and deciding plot of *claim* (a verdict of the summary): its record's plot, else its
    comparisons, else None."""
    record = CLAIMS.get(str(claim.get("id")))
    p = (record.plot if record is not None else None) or DEFAULT
    fig = DRAW[p.drawing](claim, v, p.axis)
    if fig is None and DRAW[p.drawing] is not forest:
        p = DEFAULT
        fig = forest(claim, v, p.axis)
    return p.caption, fig
