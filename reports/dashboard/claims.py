"""The claims section: a tally, then one card per claim.

A card shows the claim's verdict (``fragile`` when under 90 % of bootstrap
resamples agree), its stability, the one-sentence reason, the plot that
decided it (:mod:`reports.dashboard.claimplots`), the rule in words and, folded
away, every number the rule read as a nested table.

>>> tally([{"verdict": "holds"}, {"verdict": "holds", "fragile": True}, {"verdict": "inconclusive"}])
{'holds': 2, 'does not hold': 0, 'inconclusive': 1, 'fragile': 1}
"""
from __future__ import annotations

from typing import Any

from bokeh.layouts import column, row

from reports import fmt
from reports.dashboard import claimplots
from reports.dashboard.markup import (VERDICT_CLASS, badge, div, note, numbers, stability_text, verdict_badge,
                                      verdict_text)
from reports.dashboard.view import View

__all__ = ["section", "card", "tally", "CARD_WIDTH", "PER_ROW"]

CARD_WIDTH = 384
PER_ROW = 3
_STABILITY = ("rerun agreement: the chance that a rerun gives this same verdict, from reruns drawn by whole "
              "rounds and calibrated by simulating the loop (python -m runners.selfcheck)")


def tally(claims: list[dict[str, Any]]) -> dict[str, int]:
    """How many claims hold, do not hold, are inconclusive; how many of them are fragile."""
    out = {v: sum(c.get("verdict") == v for c in claims) for v in VERDICT_CLASS}
    out["fragile"] = sum(bool(c.get("fragile")) for c in claims)
    return out


def _intro(claims: list[dict[str, Any]]) -> str:
    t = tally(claims)
    counts = " ".join(badge(f"{t[v]} {v}", cls) for v, cls in VERDICT_CLASS.items())
    fragile = f" · {badge(str(t['fragile']) + ' fragile', 'fragile')}" if t["fragile"] else ""
    return (f"<h2>Claims: what this run says</h2><p class='tally'>{len(claims)} claims: {counts}{fragile}</p>"
            "<p class='small'>Each card: the verdict and its <b>rerun agreement</b> (" + _STABILITY + "; under 90 % the "
            "verdict is marked <i>fragile</i>), why, and the plot that decided it. In the plots a dot is an estimate, "
            "its bar the interval at the level of its look, 95 % or stricter (hollow: no interval, the rows were too noisy or too few); colour: "
            "<b style='color:#2e7d32'>above 1×</b>, <b style='color:#c62828'>below 1×</b>, "
            "<b style='color:#6b7280'>equivalent within ±10 %</b> (grey band), <b style='color:#b26a00'>undecided</b>; "
            "dashed: 1×, dotted blue: the claim's bar.</p>")


def card(c: dict[str, Any], v: View) -> Any:
    """One claim's card (a Bokeh column)."""
    inner = claimplots.PLOT_WIDTH
    head = (f"<div class='card-head'><span class='id'>{fmt.escape(c.get('id', '?'))}</span>{verdict_badge(c)}"
            f"<span class='stab' title='{_STABILITY}'>{stability_text(c.get('rerun_agreement', c.get('stability')))}</span></div>"
            f"<p class='claim'>{fmt.escape(c.get('claim', ''))}</p>"
            f"<p class='reason'>{fmt.escape(c.get('reason', ''))}</p>")
    caption, fig = claimplots.plot(c, v)
    head += f"<p class='cap'>{fmt.escape(caption)}</p>" if fig is not None else ""
    if fig is None:
        fig = div(note("No plot: the rule had no measurement to compare (see above)."), inner)
    foot = (f"<p class='rule'><b>Rule:</b> {fmt.escape(c.get('threshold') or '–')}</p>"
            f"<details><summary class='small'>numbers behind “{fmt.escape(verdict_text(c))}”</summary>"
            f"{numbers(c.get('numbers'))}</details>")
    edge = claimplots.VERDICT_COLOR.get(str(c.get("verdict")), "#9aa0a6")
    return column(div(head, inner), fig, div(foot, inner), width=CARD_WIDTH,
                  styles={"border": "1px solid #dde3ea", "border-left": f"5px solid {edge}", "border-radius": "6px",
                          "padding": "6px 8px", "background": "#ffffff"})


def section(v: View) -> list[Any]:
    """The tally and the cards, :data:`PER_ROW` to a row; a note when the summary has no verdicts."""
    claims = [c for c in v.summary.get("claims") or [] if isinstance(c, dict)]
    if not claims:
        return [div("<h2>Claims: what this run says</h2>" + note("No claim verdicts in this summary."))]
    cards = [card(c, v) for c in claims]
    return [div(_intro(claims))] + [row(*cards[i:i + PER_ROW], spacing=10) for i in range(0, len(cards), PER_ROW)]
