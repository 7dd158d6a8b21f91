"""The recommendations section: per workload, the scheduler to use, how sure, and why.

``!`` marks a recommendation that is not Dask's default for the workload's
collection; the numbers behind it are folded away.

>>> explanation({"scheduler": "threads-2", "explanation": "threads-2: 1.4× faster than sync"})
'1.4× faster than sync'
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from reports import fmt
from reports.dashboard.markup import OUTCOME_CLASS, badge, div, note, numbers, table
from reports.dashboard.view import View

__all__ = ["section", "picks", "explanation", "STATUS_WORDS"]

STATUS_WORDS = {"fastest": "fastest", "equivalent": "equivalent to the fastest", "undecided": "undecided",
                "failed": "failed"}


def explanation(r: dict[str, Any]) -> str:
    """The explanation without the scheduler it starts with (the table already names it)."""
    text = str(r.get("explanation") or "")
    lead = f"{r.get('scheduler')}: "
    return text[len(lead):] if r.get("scheduler") and text.startswith(lead) else text


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
    return [f"<b>{fmt.escape(wl)}</b>{real}", f"<code class='nw'>{sched}</code>",
            badge(STATUS_WORDS.get(status, status or "–"), OUTCOME_CLASS.get(status, "bad")), stab,
            f"<span class='small'>{fmt.escape(explanation(r))}</span>",
            f"<details><summary class='small'>numbers</summary>{numbers(r.get('evidence'))}</details>"]


def section(v: View) -> list[Any]:
    """The recommendation table, or a note when the summary has none."""
    recs = [r for r in v.summary.get("recommendations") or [] if isinstance(r, dict)]
    head = ("<h2>Recommendation per workload</h2><p>The scheduler to use for each workload: the fastest, or the "
            "simplest one equivalent to it (within ±10 %); <i>undecided</i> when the repeats could not separate the "
            "candidates. <span class='bang'>!</span> marks a pick that is not Dask's default. Rerun agreement: the "
            "chance that a rerun gives the same pick (reruns drawn by whole rounds).</p>")
    if not recs:
        return [div(head + note("No recommendations in this summary."))]
    rows = [_row(r, v) for r in recs]
    header = ["workload", "use", "status", "rerun agreement", "why", "evidence"]
    return [div(head + f"<p class='tally'>{picks(recs)}</p>" + table(header, rows, widths=[15, 11, 10, 8, 44, 12]))]
