"""The recommendations section: per workload, the scheduler to use, how sure, and why.

Each row leads with its headline (the scheduler, the comparison that decided
it with its interval, whether it is Dask's default) and the code to paste; the
long explanation and the numbers behind it are folded away.  ``!`` marks a
recommendation that is not Dask's default for the workload's collection.

>>> explanation({"scheduler": "threads-2", "explanation": "threads-2: 1.4× faster than sync"})
'1.4× faster than sync'
>>> headline({"scheduler": "threads-2", "headline": "threads-2: 1.4× [1.3–1.5] faster than sync; Dask's default"})
"1.4× [1.3–1.5] faster than sync; Dask's default"
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from reports import fmt
from reports.dashboard.markup import OUTCOME_CLASS, badge, div, note, numbers, table
from reports.dashboard.view import View

__all__ = ["section", "picks", "explanation", "headline", "STATUS_WORDS"]

STATUS_WORDS = {"fastest": "fastest", "equivalent": "equivalent to the fastest", "undecided": "undecided",
                "failed": "failed", "default (undecided)": "Dask's default (undecided)"}
STATUS_CLASS = {**OUTCOME_CLASS, "default (undecided)": "undecided"}


def _unled(r: dict[str, Any], key: str) -> str:
    """*key* of a recommendation without the scheduler it starts with (the table already names it)."""
    text = str(r.get(key) or "")
    lead = f"{r.get('scheduler')}: "
    return text[len(lead):] if r.get("scheduler") and text.startswith(lead) else text


def explanation(r: dict[str, Any]) -> str:
    """The explanation without the scheduler it starts with (the table already names it)."""
    return _unled(r, "explanation")


def headline(r: dict[str, Any]) -> str:
    """The headline without the scheduler it starts with; a summary from before headlines: its explanation."""
    return _unled(r, "headline") or explanation(r)


def picks(recs: list[dict[str, Any]]) -> str:
    """How often each scheduler was picked, and how many picks are not Dask's default (HTML).

    >>> picks([{"scheduler": "sync", "differs_from_default": True}, {"scheduler": "threads-2"}])
    "<b>sync</b> for 1, <b>threads-2</b> for 1 workloads; 1 not Dask's default <span class='bang'>!</span>"
    """
    count = Counter(str(r.get("scheduler") or "none") for r in recs)
    most = sorted(count.items(), key=lambda x: (-x[1], x[0]))
    text = ", ".join(f"<b>{fmt.escape(s)}</b> for {n}" for s, n in most) + " workloads"
    off = sum(bool(r.get("differs_from_default")) for r in recs)
    return text + (f"; {off} not Dask's default <span class='bang'>!</span>" if off else
                   "; every pick is Dask's default")


def _row(r: dict[str, Any], v: View) -> list[str]:
    wl = str(r.get("workload", ""))
    real = " <span class='real'>real data</span>" if v.real.get(wl) else ""
    sched = fmt.escape(r.get("scheduler") or "none")
    if r.get("differs_from_default"):
        sched += (f" <span class='bang' title=\"not Dask's default ({fmt.escape(r.get('default') or '?')})\">!</span>"
                  f"<br><span class='small'>default: {fmt.escape(r.get('default') or '?')}</span>")
    status = str(r.get("status") or "")
    stab = fmt.percent(r.get("rerun_agreement", r.get("stability"))) + (" " + badge("fragile", "fragile") if r.get("fragile") else "")
    code = f"<pre class='small'><code>{fmt.escape(r['code'])}</code></pre>" if r.get("code") else ""
    why = (f"<details><summary class='small'>why</summary><span class='small'>{fmt.escape(explanation(r))}</span>"
           "</details>") if r.get("headline") else ""
    return [f"<b>{fmt.escape(wl)}</b>{real}", f"<code class='nw'>{sched}</code>",
            badge(STATUS_WORDS.get(status, status or "–"), STATUS_CLASS.get(status, "bad")), stab,
            f"<span class='small'>{fmt.escape(headline(r))}</span>{code}",
            f"{why}<details><summary class='small'>numbers</summary>{numbers(r.get('evidence'))}</details>"]


def section(v: View) -> list[Any]:
    """The recommendation table, or a note when the summary has none."""
    recs = [r for r in v.summary.get("recommendations") or [] if isinstance(r, dict)]
    head = ("<h2>Recommendation per workload</h2><p>The scheduler to use for each workload, read as Dask ships "
            "it: the fastest, or the simplest one equivalent to it (within ±10 %); Dask's default when the comparison "
            "that would change it stays undecided (the candidate is named with its interval). Each row gives the "
            "comparison that decided it and the code to paste; <i>why</i> unfolds the rest. "
            "<span class='bang'>!</span> marks a pick that is not Dask's default. Rerun agreement: the chance that a "
            "rerun gives the same pick (reruns drawn by whole rounds).</p>")
    if not recs:
        return [div(head + note("No recommendations in this summary."))]
    rows = [_row(r, v) for r in recs]
    header = ["workload", "use", "status", "rerun agreement", "recommendation · code to paste", "why, evidence"]
    return [div(head + f"<p class='tally'>{picks(recs)}</p>" + table(header, rows, widths=[14, 11, 10, 7, 44, 14]))]


def layouts_section(v: View) -> list[Any]:
    """Which split of the cores into workers x threads to give a LocalCluster, per workload where several
    were measured (distributed#9076's question, answered by measurement)."""
    items = [d for d in v.summary.get("layouts") or [] if isinstance(d, dict)]
    if not items:
        return []
    head = ("<h2>Distributed layout</h2><p>Where several splits of the cores into worker processes × threads "
            "per worker were measured (N×1, 1×N and the split <code>LocalCluster</code> picks by itself): the one "
            "to use, by the comparison that decided it; Dask's own pick where nothing was shown faster. Pass it as "
            "<code>LocalCluster(n_workers=W, threads_per_worker=T)</code>.</p>")
    rows = [[fmt.escape(d.get("workload")), fmt.escape(d.get("layout")), badge(d.get("status")),
             fmt.escape(d.get("why") or ""),
             ", ".join(f"{fmt.escape(k)} {fmt.duration(t) if isinstance(t, (int, float)) else 'not measured'}"
                       for k, t in (d.get("rows") or {}).items())]
            for d in items]
    return [div(head + table(["workload", "use", "status", "why", "median per layout"], rows,
                             widths=[14, 14, 12, 40, 20]))]
