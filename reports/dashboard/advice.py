"""The recommendations section: per workload, the scheduler to use, how sure, and why.

``!`` marks a recommendation that is not Dask's default for the workload's
collection; the numbers behind it are folded away.

>>> explanation({"scheduler": "threads-2", "explanation": "threads-2: 1.4× faster than sync"})
'1.4× faster than sync'
"""
from __future__ import annotations

from typing import Any

from reports import fmt
from reports.dashboard.markup import OUTCOME_CLASS, badge, div, note, numbers, table
from reports.dashboard.view import View

__all__ = ["section", "explanation", "STATUS_WORDS"]

STATUS_WORDS = {"fastest": "fastest", "equivalent": "equivalent to the fastest", "undecided": "undecided",
                "failed": "failed"}


def explanation(r: dict[str, Any]) -> str:
    """The explanation without the scheduler it starts with (the table already names it)."""
    text = str(r.get("explanation") or "")
    lead = f"{r.get('scheduler')}: "
    return text[len(lead):] if r.get("scheduler") and text.startswith(lead) else text


def _row(r: dict[str, Any], v: View) -> list[str]:
    wl = str(r.get("workload", ""))
    real = " <span class='real'>real data</span>" if v.real.get(wl) else ""
    sched = fmt.escape(r.get("scheduler") or "none")
    if r.get("differs_from_default"):
        sched += (f" <span class='bang' title=\"not Dask's default ({fmt.escape(r.get('default') or '?')})\">!</span>"
                  f"<br><span class='small'>default: {fmt.escape(r.get('default') or '?')}</span>")
    status = str(r.get("status") or "")
    stab = fmt.percent(r.get("stability")) + (" " + badge("fragile", "fragile") if r.get("fragile") else "")
    return [f"<b>{fmt.escape(wl)}</b>{real}", f"<code class='nw'>{sched}</code>",
            badge(STATUS_WORDS.get(status, status or "–"), OUTCOME_CLASS.get(status, "bad")), stab,
            fmt.escape(explanation(r)),
            f"<details><summary class='small'>numbers</summary>{numbers(r.get('evidence'))}</details>"]


def section(v: View) -> list[Any]:
    """The recommendation table, or a note when the summary has none."""
    recs = [r for r in v.summary.get("recommendations") or [] if isinstance(r, dict)]
    head = ("<h2>Recommendation per workload</h2><p>The scheduler to use for each workload: the fastest, or the "
            "simplest one equivalent to it (within ±10 %); <i>undecided</i> when the repeats could not separate the "
            "candidates. <span class='bang'>!</span> marks a pick that is not Dask's default. Stability: share of "
            "bootstrap resamples giving the same pick.</p>")
    if not recs:
        return [div(head + note("No recommendations in this summary."))]
    rows = [_row(r, v) for r in recs]
    return [div(head + table(["workload", "use", "status", "stability", "why", "evidence"], rows,
                             widths=[15, 11, 10, 8, 44, 12]))]
