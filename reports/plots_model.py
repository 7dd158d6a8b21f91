"""Bokeh figures of the cost model and the GIL calibration (built afresh for every page).

Both take the plain dicts that ``summary.json`` holds (:func:`reports.model.calibration`,
:func:`reports.model_check.model_summary`), so a page can be rebuilt from the file alone.

>>> cal = {"metric": "probe", "max_error": 0.02, "metrics": {"probe": {"max_error": 0.02, "points": [
...     {"designed_share": 0.5, "threads": 1, "measured": 0.52, "error": 0.02}]}}}
>>> calibration_plot(cal).title.text
'GIL calibration: probe reads the designed share within ±0.02 (sync)'
>>> prediction_plot({"predictions": []}) is None
True
>>> gil_timeline({"window_s": 0.005, "t": [0.0, 0.005], "held": [0.2, 0.9]}).yaxis.axis_label
'GIL held'
"""
from __future__ import annotations

from typing import Any

from bokeh.models import ColumnDataSource, Div
from bokeh.plotting import figure

from reports import fmt
from runners.records.kinds import RANK, kind_of

__all__ = ["calibration_plot", "prediction_plot", "gil_timeline", "model_findings", "cross_core_plots"]

_COLORS = {("probe", 1): "#1f77b4", ("probe", 2): "#aec7e8", ("gilknocker", 1): "#d62728",
           ("gilknocker", 2): "#ff9896"}
_KIND_COLORS = {"sync": "#7f7f7f", "threads": "#1f77b4", "processes": "#ff7f0e", "distributed": "#2ca02c"}


def calibration_plot(cal: dict[str, Any] | None, width: int = 360, height: int = 340) -> Any:
    """Designed vs measured GIL share per metric and thread count, with the y = x line; None without data."""
    if not isinstance(cal, dict) or not isinstance(cal.get("metrics"), dict):
        return None
    err = cal.get("max_error")
    title = (f"GIL calibration: {cal.get('metric')} reads the designed share within ±{err:.2g} (sync)"
             if isinstance(err, (int, float)) else "GIL calibration")
    f = figure(width=width, height=height, x_range=(-0.05, 1.05), y_range=(-0.05, 1.05), title=title,
               x_axis_label="designed GIL-held share", y_axis_label="measured",
               tools="hover,save", tooltips=[("", "@label: designed @x, measured @y{0.000}")])
    f.title.text_font_size = "12px"
    f.line([0, 1], [0, 1], color="#888888", line_dash="dashed", legend_label="y = x")
    f.varea(x=[0, 1], y1=[-0.05, 0.95], y2=[0.05, 1.05], color="#888888", alpha=0.12, legend_label="±0.05")
    for metric, c in sorted(cal["metrics"].items()):
        pts = [p for p in (c.get("points") or []) if isinstance(p, dict)]
        for t in sorted({int(p.get("threads") or 1) for p in pts}):
            sel = sorted((p for p in pts if int(p.get("threads") or 1) == t), key=lambda p: p["designed_share"])
            label = f"{metric}, {'sync' if t == 1 else f'threads-{t}'}"
            src = ColumnDataSource({"x": [p["designed_share"] for p in sel], "y": [p["measured"] for p in sel],
                                    "label": [label] * len(sel)})
            color = _COLORS.get((metric, min(t, 2)), "#7f7f7f")
            f.line("x", "y", source=src, color=color, line_dash="solid" if t == 1 else "dotted", legend_label=label)
            f.scatter("x", "y", source=src, color=color, size=7 if t == 1 else 5, legend_label=label)
    f.legend.location = "top_left"
    f.legend.label_text_font_size = "9px"
    return f


def prediction_plot(model: dict[str, Any] | None, width: int = 420, height: int = 380, title: str | None = None) -> Any:
    """Predicted vs measured wall time, log-log: a point per (workload, spec) coloured by kind, y = x and the 2× band,
    the misses (off by more than 2×) labelled; None without data.

    *model* is the model part of ``summary.json`` (the run scored on itself) or what
    :func:`reports.model_check.check` gives for a pair of runs (its ``pairs``).
    """
    model = model or {}
    got = model.get("predictions") if model.get("predictions") is not None else model.get("pairs")
    preds = [p for p in (got or [])
             if isinstance(p, dict) and not p.get("hypothetical") and not p.get("input")
             and p.get("measured_s") and p.get("predicted_s")]
    if not preds:
        return None
    lo = min(min(p["measured_s"], p["predicted_s"]) for p in preds) / 1.5
    hi = max(max(p["measured_s"], p["predicted_s"]) for p in preds) * 1.5
    err = model.get("median_abs_error")
    hit = model.get("predicted_best_hit_rate", model.get("hit_rate"))
    title = (title or "Predicted vs measured") + (f": median error {err:.0%}" if isinstance(err, (int, float)) else "") + (
        f", best spec predicted {hit:.0%}" if isinstance(hit, (int, float)) else "")
    f = figure(width=width, height=height, x_axis_type="log", y_axis_type="log", x_range=(lo, hi), y_range=(lo, hi),
               title=title, x_axis_label="measured (s)", y_axis_label="predicted (s)", tools="hover,save,box_zoom,reset",
               tooltips=[("", "@workload on @scheduler"), ("measured", "@m{0.000} s"), ("predicted", "@p{0.000} s"),
                         ("dominant", "@term")])
    f.title.text_font_size = "12px"
    f.line([lo, hi], [lo, hi], color="#888888", line_dash="dashed")
    f.varea(x=[lo, hi], y1=[lo / 2, hi / 2], y2=[lo * 2, hi * 2], color="#888888", alpha=0.1, legend_label="within 2×")
    kinds = [str(p.get("kind") or parse_kind(p.get("scheduler"))) for p in preds]
    for kind in dict.fromkeys(sorted(kinds, key=lambda k: RANK.get(k, len(RANK)))):
        sel = [p for p, k in zip(preds, kinds) if k == kind]
        f.scatter("m", "p", source=_points(sel), color=_KIND_COLORS.get(kind, "#7f7f7f"), size=7, alpha=0.8,
                  legend_label=kind)
    misses = [p for p in preds if not 0.5 <= p["predicted_s"] / p["measured_s"] <= 2]
    if misses:
        src = _points(misses)
        src.data["label"] = [f"{p['workload']} / {p['scheduler']}" for p in misses]
        f.text("m", "p", text="label", source=src, text_font_size="9px", x_offset=-6, y_offset=-3,
               text_align="right", text_color="#444444")  # to the left: a miss at the far right stays inside
    f.legend.location = "top_left"
    f.legend.label_text_font_size = "9px"
    return f


def _points(preds: list[dict[str, Any]]) -> Any:
    return ColumnDataSource({"m": [p["measured_s"] for p in preds], "p": [p["predicted_s"] for p in preds],
                             "workload": [p["workload"] for p in preds], "scheduler": [p["scheduler"] for p in preds],
                             "term": [p.get("dominant_term") or "" for p in preds]})


def parse_kind(label: Any) -> str:
    """The kind a scheduler label names ("other" when it names none)."""
    try:
        return kind_of(str(label))
    except ValueError:
        return "other"


def gil_timeline(windows: dict[str, Any] | None, x_range: Any = None, width: int = 1150, height: int = 130,
                 title: str = "GIL held (share of probe samples per window), this process") -> Any:
    """The GIL-held share over one repeat as steps, in ms like the task-stream page; None without windows.

    *windows* is a row's ``extra["gil_windows"]`` (:func:`runners.gilsamplers.gil_windows`); pass the
    lanes figure's ``x_range`` to pan and zoom the two together.  Two threads busy end to end with
    the GIL held near 100 % of the time are two threads taking turns.
    """
    if not isinstance(windows, dict) or not windows.get("t"):
        return None
    w = float(windows.get("window_s") or 0.005) * 1e3
    t = [float(x) * 1e3 for x in windows["t"]]
    held = [float(h) for h in windows["held"]]
    src = ColumnDataSource({"left": t, "right": [x + w for x in t], "held": held,
                            "pct": [f"{h:.0%}" for h in held]})
    kw = {"x_range": x_range} if x_range is not None else {}
    f = figure(width=width, height=height, y_range=(0, 1.05), title=title, x_axis_label="time since the repeat began (ms)",
               y_axis_label="GIL held", tools="hover,save", tooltips=[("", "@left{0.0}–@right{0.0} ms: @pct")], **kw)
    f.quad(left="left", right="right", bottom=0, top="held", source=src, color="#d62728", alpha=0.6, line_alpha=0)
    f.title.text_font_size = "12px"
    return f


def model_findings(model: dict[str, Any] | None, width: int = 420) -> Any:
    """The model's score and where it missed by more than 2×, with the term that dominated the prediction.

    A miss is a finding about Dask (a cost the reasoning leaves out), not a bug to hide.
    """
    if not model or not model.get("predictions"):
        return None
    err, hit = model.get("median_abs_error"), model.get("predicted_best_hit_rate")
    misses = model.get("misses_over_2x") or []
    rows = "".join(f"<tr><td>{fmt.escape(m.get('workload'))}</td><td>{fmt.escape(m.get('scheduler'))}</td>"
                   f"<td>{fmt.escape(m.get('term') or m.get('dominant_term') or '')}</td></tr>" for m in misses[:20])
    table = ("<table><tr><th>workload</th><th>scheduler</th><th>term that missed</th></tr>" + rows + "</table>"
             if misses else "<p>No prediction was off by more than 2×.</p>")
    html = (f"<h3>Cost model</h3><p>median error {fmt.percent(err) if err is not None else '–'}, predicted best = "
            f"measured best (or equivalent) on {fmt.percent(hit) if hit is not None else '–'} of the "
            f"{model.get('hit_decided_workloads', '?')} workloads whose best is decided.</p>"
            f"<p>Off by more than 2× ({len(misses)}):</p>{table}")
    return Div(text=html, width=width)


def cross_core_plots(checks: list[dict[str, Any]] | None, width: int = 420, height: int = 380) -> Any:
    """One predicted-vs-measured scatter per saved ``reports.model_check`` score of this run; None without one."""
    from bokeh.layouts import row

    figs = []
    for d in checks or []:
        if not isinstance(d, dict):
            continue
        f, m = d.get("fit") or {}, d.get("measured") or {}
        src = "--predict-only" if f.get("predict_only") else f"{f.get('cores', '?')} core(s)"
        fig = prediction_plot(d, width, height, title=f"Fitted on {f.get('run_id', '?')} ({src}) → measured "
                                                      f"at {m.get('cores', '?')} cores")
        if fig is not None:
            figs.append(fig)
    return row(*figs) if figs else None

