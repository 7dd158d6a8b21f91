"""Task-stream pages: one standalone Gantt chart per (workload, scheduler).

Each page shows one lane per worker process and thread, one bar per task
(coloured by task prefix; transfers and other non-compute parts of a
distributed task in their own colours, drawn thinner), and a hover with the
key and the duration.  Repeats can be switched with a select box; the median
repeat (by wall time) is shown first.

Large graphs stay usable: past :data:`MAX_BARS` bars a page draws the longest
tasks plus a seeded random sample of the rest, and an occupancy chart computed
from *every* task shows what was left out.  The page says so.
:mod:`reports.streampages` writes a run's pages.

>>> lanes(pd.DataFrame({"worker": ["7", "7"], "thread": ["1", "2"]}))
['pid 7 · t0', 'pid 7 · t1']
"""
from __future__ import annotations

import html
from typing import Any

import numpy as np
import pandas as pd
from bokeh.embed import file_html
from bokeh.layouts import column
from bokeh.models import ColumnDataSource, CustomJS, Div, HoverTool, InlineStyleSheet, Range1d, Select
from bokeh.plotting import figure
from bokeh.resources import INLINE

from reports.plots_model import gil_timeline

__all__ = ["MAX_BARS", "MAX_ALL_REPEATS", "lanes", "median_repeat", "sample", "columns", "occupancy", "page"]

MAX_BARS = 20_000  # bars drawn for the shown repeat; beyond it the page samples
MAX_ALL_REPEATS = 30_000  # all repeats are embedded (selectable) only while their total stays under this
OCCUPANCY_BINS = 600
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
           "#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#c49c94", "#f7b6d2", "#9edae5", "#dbdb8d"]
ACTION_COLORS = {"transfer": "#d62728", "deserialize": "#7f7f7f", "disk-read": "#000000", "disk-write": "#444444"}
OTHER_COLOR = "#cccccc"
CSS = """
:host { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; font-size: 14px; color: #222; }
h1 { font-size: 20px; margin: 4px 0 6px 0; } p { margin: 4px 0; line-height: 1.4; }
.note { background: #fff7e0; border-left: 4px solid #f0b400; padding: 6px 10px; }
code { background: #f2f2f2; padding: 0 3px; border-radius: 3px; }
a { color: #1060c0; }
"""

_TASK_DEFAULTS: dict[str, Any] = {"repeat": 0, "key": "", "prefix": "", "worker": "", "thread": "",
                                  "start": np.nan, "stop": np.nan, "action": "compute", "nbytes": np.nan}


def _clean(df: pd.DataFrame) -> pd.DataFrame:
    """Fill missing columns, drop tasks without a finite start/stop."""
    df = df.copy()
    for c, d in _TASK_DEFAULTS.items():
        if c not in df.columns:
            df[c] = d
    df["start"] = pd.to_numeric(df["start"], errors="coerce")
    df["stop"] = pd.to_numeric(df["stop"], errors="coerce")
    df = df[np.isfinite(df["start"]) & np.isfinite(df["stop"])]
    df = df.assign(stop=np.maximum(df["stop"], df["start"]))
    df["repeat"] = pd.to_numeric(df["repeat"], errors="coerce").fillna(0).astype(int)
    for c in ("key", "prefix", "worker", "thread", "action"):
        df[c] = df[c].fillna("").astype(str)
    df.loc[df["action"] == "", "action"] = "compute"
    df["nbytes"] = pd.to_numeric(df["nbytes"], errors="coerce")
    return df.reset_index(drop=True)


def _worker_label(w: str) -> str:
    if w.isdigit():
        return f"pid {w}"
    return w.removeprefix("tcp://").removeprefix("tls://").removeprefix("inproc://") or "?"


def lanes(df: pd.DataFrame) -> list[str]:
    """One lane name per row: worker, then the thread's index within it (in order of first appearance)."""
    if df.empty:
        return []
    w = df["worker"].astype(str).to_numpy(dtype=object)
    t = df["thread"].astype(str).to_numpy(dtype=object)
    # Vectorised (100 000 rows): codes per (worker, thread) pair, names built once per pair.
    pair_codes, uniq = pd.factorize(pd.Series(w + "\x1f" + t))
    first = pd.DataFrame({"w": [u.split("\x1f", 1)[0] for u in uniq]})
    first["i"] = first.groupby("w").cumcount()
    names = np.array([f"{_worker_label(x)} · t{i}" for x, i in zip(first["w"], first["i"])], dtype=object)
    return names[pair_codes].tolist()


def median_repeat(tasks: pd.DataFrame, rows: pd.DataFrame | None = None) -> int:
    """The repeat to show first: the one with the median wall time (else the median task span)."""
    reps = sorted(set(int(r) for r in tasks["repeat"])) if not tasks.empty else [0]
    if rows is not None and not rows.empty and "wall_s" in rows:
        r = rows[rows["repeat"].isin(reps)].copy()
        r["wall_s"] = pd.to_numeric(r["wall_s"], errors="coerce")
        r = r.dropna(subset=["wall_s"]).sort_values("wall_s")
        if len(r):
            return int(r.iloc[(len(r) - 1) // 2]["repeat"])
    spans = tasks.groupby("repeat")["stop"].max().sort_values() if not tasks.empty else pd.Series(dtype=float)
    return int(spans.index[(len(spans) - 1) // 2]) if len(spans) else reps[0]


def sample(df: pd.DataFrame, limit: int = MAX_BARS, seed: int = 0) -> tuple[pd.DataFrame, str]:
    """At most *limit* bars: the longest half kept, the rest a seeded random sample.

    Returns the bars and a sentence saying what was done ("" when nothing was left out).
    """
    n = len(df)
    if n <= limit:
        return df, ""
    dur = (df["stop"] - df["start"]).to_numpy()
    n_long = limit // 2
    longest = np.argpartition(-dur, n_long)[:n_long]
    rest = np.setdiff1d(np.arange(n), longest, assume_unique=False)
    rng = np.random.default_rng(seed)
    picked = rng.choice(rest, size=limit - n_long, replace=False)
    keep = np.sort(np.concatenate([longest, picked]))
    return df.iloc[keep], (f"Sampled: {limit:,} of {n:,} task bars drawn — the {n_long:,} longest plus "
                           f"{limit - n_long:,} picked at random (seed {seed}). The occupancy chart counts all {n:,}.")


def _colors(df: pd.DataFrame) -> dict[str, str]:
    """Prefix -> colour, the prefixes with most total time first; the tail shares grey."""
    comp = df[df["action"] == "compute"]
    tot = (comp["stop"] - comp["start"]).groupby(comp["prefix"]).sum().sort_values(ascending=False)
    return {p: PALETTE[i] if i < len(PALETTE) else OTHER_COLOR for i, p in enumerate(tot.index)}


def columns(df: pd.DataFrame, colors: dict[str, str], lane: list[str]) -> dict[str, list | np.ndarray]:
    """Rows of tasks -> columns for a ``ColumnDataSource`` (times in ms)."""
    compute = (df["action"] == "compute").to_numpy()
    prefix, action = df["prefix"].to_numpy(dtype=object), df["action"].to_numpy(dtype=object)
    label = np.where(compute, prefix, action)
    color = [colors.get(p, OTHER_COLOR) if c else ACTION_COLORS.get(a, "#d62728")
             for p, a, c in zip(prefix, action, compute)]
    legend = [lab if (not c or colors.get(lab, OTHER_COLOR) != OTHER_COLOR) else "other prefixes"
              for lab, c in zip(label, compute)]
    nb = df["nbytes"].to_numpy(dtype=float)
    return {
        "lane": list(lane),
        "start": df["start"].to_numpy(dtype=float) * 1e3,
        "stop": df["stop"].to_numpy(dtype=float) * 1e3,
        "duration": (df["stop"] - df["start"]).to_numpy(dtype=float) * 1e3,
        "height": np.where(compute, 0.8, 0.35),
        "key": [k[:200] for k in df["key"].to_numpy(dtype=object)],
        "label": list(label),
        "legend": legend,
        "action": action.tolist(),
        "color": color,
        "nbytes": nb,
    }


def occupancy(df: pd.DataFrame, bins: int = OCCUPANCY_BINS) -> dict[str, np.ndarray]:
    """Tasks running at each of *bins* instants, from every compute task (not only the drawn ones)."""
    comp = df[df["action"] == "compute"]
    if comp.empty:
        return {"t": np.array([]), "running": np.array([])}
    t0, t1 = float(comp["start"].min()), float(comp["stop"].max())
    t = np.linspace(t0, t1 if t1 > t0 else t0 + 1e-6, bins)
    starts = np.sort(comp["start"].to_numpy())
    stops = np.sort(comp["stop"].to_numpy())
    running = np.searchsorted(starts, t, side="right") - np.searchsorted(stops, t, side="right")
    return {"t": t * 1e3, "running": running.astype(float)}


def _esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _lane_order(all_lanes: list[str]) -> list[str]:
    """The lanes top to bottom: by worker, then by thread index within it."""
    return sorted(set(all_lanes), key=lambda s: (s.split(" · t")[0], int(s.rsplit("t", 1)[-1]) if s.rsplit("t", 1)[-1].isdigit() else 0))


def _sources(tasks: pd.DataFrame, reps: list[int], colors: dict[str, str]) -> tuple[dict[int, Any], list[str], bool]:
    """Columns of each repeat in *reps* (sampled past :data:`MAX_BARS`), the notes on sampling, whether any was."""
    notes = []
    sources = {}
    sampled_any = False
    for r in reps:
        d = tasks[tasks["repeat"] == r]
        d, msg = sample(d)
        if msg:
            sampled_any = True
            notes.append(f"Repeat {r}: {msg}")
        sources[r] = columns(d, colors, d["lane"].tolist())
    return sources, notes, sampled_any


def _gantt(src: Any, lane_order: list[str], span: float, workload: str, scheduler: str, shown: int) -> Any:
    """The task bars, one lane per worker process and thread, with a hover and a legend by prefix."""
    height = max(260, min(900, 40 + 26 * len(lane_order)))
    fig = figure(y_range=list(reversed(lane_order)) or ["(no tasks)"], x_range=Range1d(0, span * 1.02 or 1),
                 height=height, width=1150, title=f"Task stream: {workload} on {scheduler} (repeat {shown})",
                 x_axis_label="time since the repeat began (ms)", tools="xpan,xwheel_zoom,box_zoom,reset,save",
                 active_scroll="xwheel_zoom", output_backend="webgl")
    fig.hbar(y="lane", left="start", right="stop", height="height", color="color", line_color=None,
             legend_field="legend", source=src)
    fig.add_tools(HoverTool(tooltips=[("key", "@key"), ("prefix/action", "@label"), ("duration", "@duration{0.000} ms"),
                                      ("start", "@start{0.000} ms"), ("lane", "@lane"), ("bytes", "@nbytes{0,0}")]))
    fig.legend.location = "top_right"
    fig.legend.click_policy = "hide"
    fig.legend.label_text_font_size = "11px"
    fig.add_layout(fig.legend[0], "right")
    fig.title.text_font_size = "15px"
    fig.yaxis.major_label_text_font_size = "12px"
    return fig


def _occupancy_figure(shown_df: pd.DataFrame, x_range: Any, span: float, shown: int, has_lanes: bool) -> Any:
    """Tasks running over time, from every compute task of the shown repeat, against the number of lanes."""
    occ = occupancy(shown_df)
    ofig = figure(height=200, width=1150, x_range=x_range, title=f"Tasks running (every compute task of repeat {shown})",
                  x_axis_label="ms", y_axis_label="running", tools="reset,save")
    ofig.varea(x=occ["t"], y1=0, y2=occ["running"], fill_color="#1f77b4", fill_alpha=0.5)
    ofig.line(x=occ["t"], y=occ["running"], color="#1f77b4")
    if has_lanes:
        ofig.line(x=[0, span * 1.02], y=[len(set(shown_df["lane"])) or 1] * 2, color="#888", line_dash="dashed",
                  legend_label="lanes")
        ofig.legend.location = "top_right"
    return ofig


def _head(workload: str, scheduler: str, shown: int, embed_all: bool, shown_df: pd.DataFrame, n_shown: int,
          perf_link: str | None, notes: list[str]) -> str:
    """The page's heading and explanation (escaped), the perf-report link and the notes."""
    n_parts = shown_df["action"].value_counts().to_dict()
    parts = ", ".join(f"{v:,} {_esc(k)}" for k, v in sorted(n_parts.items()))
    head = (f"<h1>Task stream — {_esc(workload)} on {_esc(scheduler)}</h1>"
            f"<p>Shown first: repeat <b>{shown}</b>, the median repeat by wall time"
            f"{' (the select box switches repeats; the occupancy chart stays on repeat ' + str(shown) + ')' if embed_all else ''}. {n_shown:,} tasks ({parts}) on "
            f"{len(set(shown_df['lane']))} lanes (one per worker process × thread). Colours are task prefixes; "
            f"thin bars are non-compute parts of a task (red: transfer, grey: deserialize). "
            f"Drag to pan, wheel to zoom time, click a legend entry to hide it.</p>")
    if perf_link:
        head += f'<p>Dask performance report: <a href="{_esc(perf_link)}">{_esc(perf_link)}</a></p>'
    head += "".join(f'<p class="note">{_esc(n)}</p>' for n in notes)
    return head


def _repeat_select(src: Any, sources: dict[int, Any], reps: list[int], shown: int, title: Any,
                   workload: str, scheduler: str) -> Any:
    """A select box that swaps the bars (and the title) to another embedded repeat."""
    store = {str(r): ColumnDataSource(data=d) for r, d in sources.items()}
    sel = Select(title="Repeat", value=str(shown), options=[str(r) for r in reps], width=160)
    sel.js_on_change("value", CustomJS(args=dict(src=src, store=store, title=title,
                                                 base=f"Task stream: {workload} on {scheduler}"), code="""
const s = store[this.value];
src.data = Object.assign({}, s.data);
title.text = base + " (repeat " + this.value + ")";
"""))
    return sel


def page(tasks: pd.DataFrame, workload: str, scheduler: str, rows: pd.DataFrame | None = None,
         perf_link: str | None = None, resources: Any = None) -> tuple[str, dict[str, Any]]:
    """The HTML of one task-stream page and facts about it (tasks, sampled, repeat).

    With *resources* None, BokehJS is inlined (a standalone page, ~1.9 MB);
    :func:`reports.streampages.render_all` passes
    :func:`reports.streampages.local_resources` instead, so a run's hundreds of
    pages share one local copy of BokehJS in ``streams/static/`` (still offline).
    """
    tasks = _clean(tasks)
    css = InlineStyleSheet(css=CSS)
    reps = sorted(tasks["repeat"].unique().tolist()) or [0]
    shown = median_repeat(tasks, rows)
    embed_all = len(tasks) <= MAX_ALL_REPEATS and len(reps) > 1
    colors = _colors(tasks)
    all_lanes = lanes(tasks)
    tasks = tasks.assign(lane=all_lanes)
    lane_order = _lane_order(all_lanes)

    sources, notes, sampled_any = _sources(tasks, reps if embed_all else [shown], colors)
    if not embed_all and len(reps) > 1:
        notes.append(f"Only the median repeat ({shown}) is embedded: the {len(reps)} repeats hold "
                     f"{len(tasks):,} task parts, more than the {MAX_ALL_REPEATS:,} a page keeps.")
    shown_df = tasks[tasks["repeat"] == shown]
    n_shown = int((shown_df["action"] == "compute").sum())

    src = ColumnDataSource(data=dict(sources[shown]))
    span = float(np.nanmax(src.data["stop"])) if len(src.data["stop"]) else 1.0
    fig = _gantt(src, lane_order, span, workload, scheduler, shown)
    ofig = _occupancy_figure(shown_df, fig.x_range, span, shown, bool(lane_order))
    head = _head(workload, scheduler, shown, embed_all, shown_df, n_shown, perf_link, notes)
    items: list[Any] = [Div(text=head, width=1150, stylesheets=[css])]
    if embed_all:
        items.append(_repeat_select(src, sources, reps, shown, fig.title, workload, scheduler))
    items += [fig, ofig]
    gil = _gil_figure(rows, shown, fig.x_range)
    if gil is not None:
        items.append(gil)
    doc = column(*items)
    out = file_html(doc, resources or INLINE, title=f"Task stream: {workload} on {scheduler}")
    return out, {"tasks": n_shown, "sampled": sampled_any, "repeat": shown}


def _gil_figure(rows: pd.DataFrame | None, repeat: int, x_range: Any) -> Any:
    """The GIL held over the shown repeat, under the lanes (sync/threads: the probe's windows)."""
    if rows is None or rows.empty or "extra" not in rows:
        return None
    mine = [e for r, e in zip(rows["repeat"], rows["extra"]) if int(r) == int(repeat) and isinstance(e, dict)]
    if not mine or not isinstance(mine[-1].get("gil_windows"), dict):
        return None
    return gil_timeline(mine[-1]["gil_windows"], x_range=x_range,
                        title=f"GIL held in this process (share of probe samples, repeat {repeat}): "
                              "lanes busy while it stays near 100 % are threads taking turns")

