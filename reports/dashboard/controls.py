"""The controls (instrumentation overhead, A/A noise, harness vs plain Dask) and the adaptive rounds.

>>> harness_warnings({"pairs": [{"workload": "w", "scheduler": "sync", "harness_over_plain": 0.7, "lo": 0.6,
...                              "hi": 0.8, "warning": True}, {"workload": "w", "scheduler": "threads-2"}]})
{'w': ['sync: harness 0.7× plain Dask [0.6–0.8]']}
"""
from __future__ import annotations

from typing import Any

from bokeh.layouts import row
from bokeh.models import ColumnDataSource
from bokeh.plotting import figure

from reports import fmt
from reports.dashboard.claimplots import intervals
from reports.dashboard.markup import comparison, div, note, table
from reports.dashboard.view import View, value
from reports.fmt import is_number

__all__ = ["controls_section", "rounds_section", "harness_warnings"]


def _overhead(v: View) -> Any:
    ov = v.summary.get("instrumentation_overhead")
    pairs = [p for p in (ov.get("pairs") or []) if isinstance(p, dict)] if isinstance(ov, dict) else []
    if not pairs:
        return div(note("No instrumentation-overhead control in this run."), 560)
    rows = [(f"{p.get('workload')} on {p.get('scheduler')}", p) for p in pairs if is_number(p.get("ratio"))]
    pooled = ov.get("pooled") if isinstance(ov.get("pooled"), dict) else {}
    if is_number(pooled.get("ratio")):
        rows.append(("all pairs pooled", pooled))
    if not rows:
        return div(note("The instrumentation-overhead control has no ratio to show."), 560)
    f = intervals(rows, "instrumented / bare wall time", width=600)
    head = f"pooled {comparison(pooled)}" if pooled else f"median {fmt.ratio(ov.get('ratio'))}"
    f.title.text = f"Instrumentation overhead: {head}"
    f.title.text_font_size = "14px"
    return f


def _aa(v: View) -> Any:
    aa = v.summary.get("aa_control")
    if not isinstance(aa, dict) or not aa:
        return div(note("No A/A control in this run."), 480)
    a, b = value(aa.get("median_a_s")), value(aa.get("median_b_s"))
    src = ColumnDataSource({"run": ["A", "B"], "v": [a, b], "color": ["#8c564b", "#c49c94"],
                            "t": [fmt.duration(a), fmt.duration(b)]})
    f = figure(x_range=["A", "B"], width=240, height=260, y_axis_label="median wall time (s)", title="A/A control",
               tools="hover,save", tooltips=[("", "@run: @t")])
    f.vbar(x="run", top="v", width=0.6, source=src, color="color")
    f.y_range.start = 0
    f.title.text_font_size = "14px"
    c = aa.get("comparison") if isinstance(aa.get("comparison"), dict) else {}
    text = (f"<p><b>A/A control</b>: {fmt.escape(aa.get('workload'))} on {fmt.escape(aa.get('scheduler'))}, the same "
            f"configuration in two interleaved blocks. B/A = {fmt.number(aa.get('ratio'))} (noise "
            f"{fmt.percent(aa.get('noise'))}), comparison {fmt.escape(comparison(c) if c else '–')}, verdict "
            f"<b>{fmt.escape(aa.get('verdict'))}</b>.</p>"
            + (note("The test called two identical runs different: treat close calls with care.", warn=True)
               if aa.get("false_difference") else
               "<p>Identical runs are not called different: the test held on this machine.</p>"))
    return row(f, div(text, 240))


def harness_warnings(hc: Any) -> dict[str, list[str]]:
    """Per workload, the schedulers whose harness time disagreed with plain Dask, in words."""
    out: dict[str, list[str]] = {}
    for p in (hc.get("pairs") or []) if isinstance(hc, dict) else []:
        if isinstance(p, dict) and p.get("warning"):
            ci = f" [{fmt.number(p.get('lo'))}–{fmt.number(p.get('hi'))}]" if is_number(p.get("lo")) else ""
            out.setdefault(str(p.get("workload")), []).append(
                f"{p.get('scheduler')}: harness {fmt.ratio(p.get('harness_over_plain'))} plain Dask{ci}")
    return out


def _harness(v: View) -> str:
    hc = v.summary.get("harness_check")
    if not isinstance(hc, dict) or not hc.get("pairs"):
        return "<h3>Harness vs plain Dask</h3>" + note("No harness check in this run.")
    pairs = [p for p in hc["pairs"] if isinstance(p, dict)]
    warns = harness_warnings(hc)
    if not warns and hc.get("warnings"):  # pairs without flags: the summary's own sentences
        warns = {"": [str(w) for w in hc["warnings"]]}
    listed = "".join(f"<li><b>{fmt.escape(w)}</b> {fmt.escape('; '.join(ws))}</li>" if w else
                     "".join(f"<li>{fmt.escape(x)}</li>" for x in ws) for w, ws in warns.items())
    rows = [[fmt.escape(p.get("workload")), fmt.escape(p.get("scheduler")), fmt.duration(p.get("harness_s")),
             fmt.duration(p.get("plain_s")), fmt.escape(comparison({"ratio": p.get("harness_over_plain"),
                                                                    "lo": p.get("lo"), "hi": p.get("hi"),
                                                                    "outcome": ""})),
             "⚠" if p.get("warning") else ""] for p in pairs]
    return ("<h3>Harness vs plain Dask</h3>"
            f"<p>{fmt.escape(hc.get('method') or '')}: median harness / plain {fmt.ratio(hc.get('median_ratio'))} over "
            f"{len(pairs)} pairs; {sum(len(w) for w in warns.values())} disagree.</p>"
            + (note("<b>Harness disagrees with plain Dask</b><ul>" + listed + "</ul>", warn=True) if warns else "")
            + "<details><summary class='small'>every pair</summary>"
            + table(["workload", "scheduler", "harness", "plain", "harness / plain", ""], rows, num_cols=(2, 3))
            + "</details>")


def controls_section(v: View) -> list[Any]:
    """Instrumentation overhead and A/A side by side, then the harness check."""
    ov = v.summary.get("instrumentation_overhead")
    method = fmt.escape(ov.get("method")) if isinstance(ov, dict) and ov.get("method") else ""
    head = ("<h2>Controls: instrumentation overhead, A/A noise, harness</h2><p>Does measuring change what is "
            "measured (instrumented / bare, near 1× is good), would the test call two identical runs different "
            "(A/A), and does the harness time what plain <code>dask.compute</code> takes?</p>"
            + (f"<p class='small'>Overhead: {method}.</p>" if method else ""))
    return [div(head), row(_overhead(v), _aa(v)), div(_harness(v))]


def rounds_section(v: View) -> list[Any]:
    """Per workload: rounds run, why they stopped, what stayed undecided."""
    head = ("<h2>Adaptive rounds</h2><p>Each workload ran in interleaved rounds until every comparison was decided "
            "or a cap was reached; what stayed undecided is listed.</p>")
    rounds = [r for r in v.summary.get("rounds") or [] if isinstance(r, dict)]
    if not rounds:
        return [div(head + note("No record of adaptive rounds (fixed repeats, or an older run)."))]
    why: dict[str, int] = {}
    for r in rounds:
        if not r.get("revisit"):  # a revisit's record is the same workload's second
            why[str(r.get("stopped") or "?")] = why.get(str(r.get("stopped") or "?"), 0) + 1
    sessions = len({r.get("session") for r in rounds}) > 1
    revisited = sum(1 for r in rounds if r.get("revisit"))

    def stopped(r: dict[str, Any]) -> str:
        return (f"{r.get('stopped') or '?'}, after the run's leftover budget" if r.get("revisit")
                else str(r.get("stopped") or "?"))

    rows = [[f"<b>{fmt.escape(r.get('workload'))}</b>"] + ([fmt.escape(r.get("session"))] if sessions else [])
            + [fmt.escape(r.get("rounds")), f"<span class='nw'>{fmt.escape(stopped(r))}</span>",
               fmt.escape(", ".join(map(str, r.get("undecided") or []))) or "nothing"] for r in rounds]
    tallied = ", ".join(f"{n} {fmt.escape(k)}" for k, n in sorted(why.items(), key=lambda x: -x[1]))
    more = (f" {revisited} of them went on with the budget the run had left, for a claim's open question."
            if revisited else "")
    return [div(head + f"<p>{len(rounds) - revisited} workloads stopped: {tallied}.{more}</p>"
                + table(["workload"] + (["session"] if sessions else []) + ["rounds", "stopped", "still undecided"],
                        rows, num_cols=(2 if sessions else 1,)))]

