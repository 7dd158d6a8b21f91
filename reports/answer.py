"""What :func:`runners.api.compare` returns: the table and the recommendation, readable as they are.

An :class:`Answer` is the pair ``(table, recommendation)`` (so ``df, rec =
compare(...)`` and ``compare(...)[1]["scheduler"]`` work as before) that also
keeps the run's summary and folder, and shows itself: as text in a terminal
(its ``repr``) and as HTML with one inline Bokeh plot in Jupyter
(``_repr_html_``; BokehJS goes inline, so the page works offline).

>>> import pandas as pd
>>> table = pd.DataFrame({"workload": ["w", "w"], "scheduler": ["sync", "threads-2"],
...                       "kind": ["sync", "threads"], "workers": [1, 2], "threads_per_worker": [1, 1],
...                       "times": [[1.0, 1.2], [0.5, 0.6]], "n": [2, 2], "n_failed": [0, 0],
...                       "median_s": [1.1, 0.55], "q1_s": [1.05, 0.52], "q3_s": [1.15, 0.58],
...                       "speedup": [1.0, 2.0], "speedup_lo": [None, 1.8], "speedup_hi": [None, 2.2]})
>>> rec = {"workload": "w", "scheduler": "threads-2", "status": "fastest", "headline": "threads-2: 2× sync",
...        "code": 'import dask\\ndask.config.set(scheduler="threads", num_workers=2)'}
>>> answer = Answer(table, rec)
>>> df, r = answer
>>> r["scheduler"], answer.folder
('threads-2', None)
>>> print(repr(answer))
w: use threads-2 (fastest)
threads-2: 2× sync
<BLANKLINE>
  scheduler   median   middle half       vs sync            runs
  sync        1.1 s    1.05 s – 1.15 s   baseline           2
* threads-2   550 ms   520 ms – 580 ms   2× (1.8× – 2.2×)   2
<BLANKLINE>
paste:
    import dask
    dask.config.set(scheduler="threads", num_workers=2)
<BLANKLINE>
folder: not kept (pass out= to keep the results and their dashboard)
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from reports import fmt
from reports.dashboard.view import scheduler_order
from runners.records.kinds import is_serial

if TYPE_CHECKING:
    import pandas as pd
    from bokeh.plotting import figure as Figure

__all__ = ["Answer", "Line", "lines", "text", "html", "plot", "CHOSEN_COLOR", "OTHER_COLOR"]

CHOSEN_COLOR = "#2e7d32"  # the recommended scheduler, in the plot and the HTML table
OTHER_COLOR = "#6b7280"
_HEADLINE_CHARS = 200  # without a headline, the explanation is cut here in text (HTML shows it whole)


class Line(NamedTuple):
    """One scheduler's row of the answer, formatted: what both the text and the HTML show."""
    scheduler: str
    median: str
    middle: str  # the middle half of the repeats (quartiles)
    vs_sync: str  # speedup over sync with its interval
    runs: str
    chosen: bool


def lines(table: pd.DataFrame, recommendation: dict[str, Any]) -> list[Line]:
    """The formatted rows of *table* for the recommendation's workload, schedulers in the usual order.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"workload": ["w"], "scheduler": ["sync"], "kind": ["sync"], "median_s": [0.002],
    ...                   "q1_s": [0.001], "q3_s": [0.003], "speedup": [1.0], "n": [3], "n_failed": [1]})
    >>> lines(t, {"workload": "w", "scheduler": "sync"})
    [Line(scheduler='sync', median='2 ms', middle='1 ms – 3 ms', vs_sync='baseline', runs='3 (1 failed)', chosen=True)]
    """
    rows = _rows(table, recommendation)
    by_label = {str(r["scheduler"]): r for r in rows.to_dict("records")}
    return [_line(by_label[s], s == recommendation.get("scheduler")) for s in scheduler_order(rows)]


def _rows(table: pd.DataFrame, recommendation: dict[str, Any]) -> pd.DataFrame:
    """The rows of *table* on the recommendation's workload (all rows when it names none)."""
    workload = recommendation.get("workload")
    if table.empty or workload is None or "workload" not in table:
        return table
    return table[table["workload"] == workload]


def _line(row: dict[str, Any], chosen: bool) -> Line:
    lo, hi = row.get("speedup_lo"), row.get("speedup_hi")
    if is_serial(row.get("kind")):
        speedup = "baseline"
    elif fmt.is_number(lo) and fmt.is_number(hi):
        speedup = f"{fmt.ratio(row.get('speedup'))} ({fmt.ratio(lo)} – {fmt.ratio(hi)})"
    elif fmt.is_number(row.get("speedup")):  # an estimate is shown with its interval, or said to have none
        speedup = f"{fmt.ratio(row.get('speedup'))} (no interval yet)"
    else:
        speedup = "–"
    failed = int(row["n_failed"]) if fmt.is_number(row.get("n_failed")) else 0
    runs = str(int(row["n"])) if fmt.is_number(row.get("n")) else "0"
    return Line(scheduler=str(row["scheduler"]), median=fmt.duration(row.get("median_s")),
                middle=f"{fmt.duration(row.get('q1_s'))} – {fmt.duration(row.get('q3_s'))}", vs_sync=speedup,
                runs=runs + (f" ({failed} failed)" if failed else ""), chosen=chosen)


def _title(recommendation: dict[str, Any]) -> str:
    """'<workload>: use <scheduler> (<status>)', or what failed."""
    workload, scheduler = recommendation.get("workload", "?"), recommendation.get("scheduler")
    if not scheduler:
        return f"{workload}: no recommendation ({recommendation.get('status') or 'nothing measured'})"
    return f"{workload}: use {scheduler} ({recommendation.get('status') or '?'})"


def _headline(recommendation: dict[str, Any], limit: int | None = _HEADLINE_CHARS) -> str:
    """The recommendation's headline, else its explanation (cut at *limit* characters)."""
    said = str(recommendation.get("headline") or recommendation.get("explanation") or "")
    return said if limit is None or len(said) <= limit else said[:limit - 1].rstrip() + "…"


def _where(folder: Path | None) -> str:
    return f"folder: {folder}" if folder else "folder: not kept (pass out= to keep the results and their dashboard)"


_HEADER = Line("scheduler", "median", "middle half", "vs sync", "runs", chosen=False)


def text(answer: Answer) -> str:
    """The answer as plain text: recommendation, a table of the schedulers (``*`` the chosen), code, folder."""
    rows = [_HEADER, *lines(answer.table, answer.recommendation)]
    widths = [max(len(r[i]) for r in rows) + 3 for i in range(4)]
    table = ["".join(["* " if r.chosen else "  ", *(r[i].ljust(widths[i]) for i in range(4)), r.runs]).rstrip()
             for r in rows]
    note = answer.recommendation.get("note")
    out = [_title(answer.recommendation), _headline(answer.recommendation), *([f"note: {note}"] if note else []),
           "", *table]
    if answer.code:
        out += ["", "paste:", *("    " + ln for ln in answer.code.splitlines())]
    return "\n".join([*out, "", _where(answer.folder)])


def html(answer: Answer) -> str:
    """The answer as an HTML fragment: the same as :func:`text`, with the per-repeat plot inline."""
    rec, e = answer.recommendation, fmt.escape
    head = "".join(f"<th style='text-align:left;padding-right:1em'>{e(h)}</th>" for h in _HEADER[:5])
    body = "".join(
        f"<tr style='{'font-weight:bold;color:' + CHOSEN_COLOR if r.chosen else ''}'>"
        + "".join(f"<td style='text-align:left;padding-right:1em'>{e(c)}</td>" for c in r[:5]) + "</tr>"
        for r in lines(answer.table, rec))
    parts = [f"<div><h4 style='margin:0.3em 0'>{e(_title(rec))}</h4>", _said(rec),
             f"<p><small>note: {e(rec['note'])}</small></p>" if rec.get("note") else "",
             f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>",
             f"<p>paste:</p><pre><code>{e(answer.code)}</code></pre>" if answer.code else "",
             _embed(plot(answer.table, rec)), f"<p><small>{e(_where(answer.folder))}</small></p></div>"]
    return "".join(parts)


def _said(recommendation: dict[str, Any]) -> str:
    """The headline with the whole explanation folded under it (or the explanation alone), as HTML."""
    e, headline, why = fmt.escape, recommendation.get("headline"), recommendation.get("explanation")
    if headline:
        return f"<p>{e(headline)}</p>" + (f"<details><summary>why</summary><p>{e(why)}</p></details>" if why else "")
    return f"<p>{e(why)}</p>" if why else ""


def plot(table: pd.DataFrame, recommendation: dict[str, Any]) -> Figure | None:
    """Wall time of every repeat per scheduler, the recommended one in :data:`CHOSEN_COLOR`; None without times."""
    from bokeh.models import ColumnDataSource
    from bokeh.plotting import figure

    rows = _rows(table, recommendation)
    order = scheduler_order(rows)
    data: dict[str, list[Any]] = {"scheduler": [], "wall_s": [], "repeat": [], "color": []}
    for r in rows.to_dict("records"):
        for i, t in enumerate(r.get("times") or []):
            if fmt.is_number(t):
                data["scheduler"].append(str(r["scheduler"]))
                data["wall_s"].append(float(t))
                data["repeat"].append(i)
                data["color"].append(CHOSEN_COLOR if r["scheduler"] == recommendation.get("scheduler")
                                     else OTHER_COLOR)
    if not data["wall_s"]:
        return None
    spread = max(data["wall_s"]) / max(min(data["wall_s"]), 1e-12)
    p = figure(x_range=order, height=260, width=max(360, 100 * len(order)), y_axis_label="wall time (s)",
               y_axis_type="log" if spread > 20 else "linear", toolbar_location=None,
               title="every repeat (recommended in green)",
               tooltips=[("scheduler", "@scheduler"), ("repeat", "@repeat"), ("wall", "@wall_s{0.000000} s")])
    p.scatter("scheduler", "wall_s", source=ColumnDataSource(data), color="color", size=8, alpha=0.7)
    return p


def _embed(fig: Figure | None) -> str:
    """*fig* as HTML with BokehJS inline (no CDN: it works offline); '' for no figure."""
    if fig is None:
        return ""
    from bokeh.embed import components
    from bokeh.resources import Resources

    script, div = components(fig)
    return Resources(mode="inline", components=["bokeh"]).render_js() + script + div


class Answer(tuple):
    """``(table, recommendation)`` with the run's ``summary`` and ``folder`` (None when not kept).

    A tuple, so it unpacks as ``df, rec``; immutable by convention.  ``code`` is
    the configuration to paste ('' when the recommendation has none).
    """

    def __new__(cls, table: pd.DataFrame, recommendation: dict[str, Any], summary: dict[str, Any] | None = None,
                folder: str | Path | None = None) -> Answer:
        self = super().__new__(cls, (table, recommendation))
        self.summary = summary or {}
        self.folder = Path(folder) if folder else None
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:  # pickle: rebuild through __new__ (a tuple's would pass one item)
        return (self.table, self.recommendation, self.summary, self.folder)

    @property
    def table(self) -> pd.DataFrame:
        """The statistics table: one row per workload and scheduler (``times`` holds every repeat)."""
        return self[0]

    @property
    def recommendation(self) -> dict[str, Any]:
        """The recommendation dict (:mod:`reports.recommend`); ``{}`` when nothing was measured."""
        return self[1]

    @property
    def code(self) -> str:
        """The exact configuration to paste before ``dask.compute`` ('' when there is none)."""
        return str(self.recommendation.get("code") or "")

    def __repr__(self) -> str:
        return text(self)

    def _repr_html_(self) -> str:
        return html(self)
