"""The dashboard's HTML pieces: style sheet, tables, badges, notes and the readable numbers table.

Every cell handed to :func:`table` is trusted HTML: escape run strings with
:func:`reports.fmt.escape` first.  :func:`numbers` turns a claim's nested
``numbers`` dict into nested tables, a comparison into one line.

>>> comparison({"outcome": "above", "ratio": 1.39, "lo": 1.04, "hi": 1.64, "n": [9, 9]})
'1.39× [1.04–1.64] above'
>>> verdict_text({"verdict": "holds", "fragile": True})
'holds (fragile)'
"""
from __future__ import annotations

from typing import Any, Sequence

from bokeh.models import Div, InlineStyleSheet

from reports import fmt
from reports.fmt import is_number

__all__ = ["WIDTH", "CSS", "stylesheet", "VERDICT_CLASS", "OUTCOME_CLASS", "div", "note", "table", "badge",
           "comparison", "is_comparison", "numbers", "verdict_text", "verdict_badge", "stability_text"]

WIDTH = 1180

CSS = """
:host { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, sans-serif; font-size: 14px;
        color: #1d1d1f; line-height: 1.45; }
h1 { font-size: 24px; margin: 8px 0 4px 0; }
h2 { font-size: 19px; margin: 26px 0 4px 0; padding-bottom: 3px; border-bottom: 2px solid #dde3ea; }
p { margin: 4px 0 6px 0; }
.sub { color: #555; }
table { border-collapse: collapse; margin: 6px 0; font-size: 13px; width: 100%; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f4f6f8; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.nested { font-size: 12px; margin: 2px 0; }
table.nested td { padding: 1px 6px; border-bottom: 1px solid #f0f0f0; }
table.nested td.key { color: #555; white-space: nowrap; width: 1%; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 9px; font-size: 12px; font-weight: 600;
         color: #fff; background: #888; white-space: nowrap; }
.ok { background: #2e7d32; } .bad { background: #c62828; } .meh { background: #8a8f98; }
.fragile { background: #e0a100; color: #1d1d1f; } .undecided { background: #b26a00; }
.real { display: inline-block; padding: 0 6px; border-radius: 4px; background: #fde7c4; color: #7a4a00;
        font-size: 12px; font-weight: 600; }
.note { background: #f7f9fc; border-left: 4px solid #9db7d5; padding: 6px 10px; margin: 6px 0; }
.note ul, .warn ul { margin: 4px 0; }
.warn { background: #fff4f4; border-left: 4px solid #d9534f; padding: 6px 10px; margin: 6px 0; }
code { background: #f2f2f2; padding: 0 3px; border-radius: 3px; font-size: 12px; }
a { color: #0b5cad; text-decoration: none; } a:hover { text-decoration: underline; }
.links a { margin-right: 8px; white-space: nowrap; }
details summary { cursor: pointer; color: #0b5cad; }
.small { font-size: 12px; color: #444; } .small code { font-size: 11px; } .nw { white-space: nowrap; }
.tally { font-size: 15px; margin: 6px 0 10px 0; } .tally .badge { font-size: 13px; }
.card-head { display: flex; align-items: center; gap: 8px; }
.card-head .id { font-size: 18px; font-weight: 700; }
.stab { font-size: 12px; color: #444; white-space: nowrap; }
.claim { font-weight: 600; font-size: 13px; margin: 4px 0 2px 0; }
.reason { font-size: 12.5px; color: #333; margin: 2px 0; }
.cap { font-size: 12px; color: #333; margin: 8px 0 0 0; text-align: center; font-weight: 600; }
.rule { font-size: 11.5px; color: #555; margin: 2px 0; }
.bang { color: #c62828; font-weight: 700; }
"""

_SHEET: list[InlineStyleSheet] = []


def stylesheet() -> InlineStyleSheet:
    """The style sheet of the page being built: one per page, as a Bokeh model belongs to one document."""
    if not _SHEET or _SHEET[0].document is not None:
        _SHEET[:] = [InlineStyleSheet(css=CSS)]
    return _SHEET[0]

# Colour of a verdict or a comparison's outcome, by CSS class.
VERDICT_CLASS = {"holds": "ok", "does not hold": "bad", "inconclusive": "meh"}
OUTCOME_CLASS = {"above": "ok", "fastest": "ok", "below": "bad", "equivalent": "meh", "not equivalent": "bad",
                 "undecided": "undecided"}


def div(text: str, width: int = WIDTH) -> Div:
    """A Bokeh ``Div`` of trusted HTML with the dashboard's style sheet."""
    return Div(text=text, width=width, stylesheets=[stylesheet()])


def note(text: str, warn: bool = False) -> str:
    """A boxed paragraph: what a section says when it has nothing to show (or a warning)."""
    return f"<div class='{'warn' if warn else 'note'}'>{text}</div>"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], num_cols: Sequence[int] = (),
          widths: Sequence[int] = ()) -> str:
    """An HTML table; cells are trusted HTML (escape first); *widths* in percent."""
    h = "".join(f"<th style='width:{widths[i]}%'>{c}</th>" if i < len(widths) else f"<th>{c}</th>"
                for i, c in enumerate(header))
    body = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' if i in num_cols else f"<td>{c}</td>"
                                    for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>"


def badge(text: Any, cls: str = "") -> str:
    """A coloured pill holding *text* (escaped)."""
    return f"<span class='badge {cls}'>{fmt.escape(text)}</span>"


def is_comparison(x: Any) -> bool:
    """Whether *x* is a comparison as the rules store it (``ratio`` and ``outcome`` keys)."""
    return isinstance(x, dict) and "ratio" in x and "outcome" in x


def comparison(c: dict[str, Any]) -> str:
    """One comparison as plain text: ratio, interval when there is one, outcome."""
    ci = f" [{fmt.number(c.get('lo'))}–{fmt.number(c.get('hi'))}]" if is_number(c.get("lo")) else ""
    return f"{fmt.ratio(c.get('ratio'))}{ci} {c.get('outcome') or ''}".strip()


def _cell(v: Any, depth: int) -> str:
    if is_comparison(v):
        n = v.get("n")
        reps = f" <span class='small'>n {'/'.join(map(str, n))}</span>" if isinstance(n, list) else ""
        return (f"<span title='{fmt.escape(v.get('reason') or '')}'>{fmt.escape(comparison(v))}</span>{reps}"
                + (f"<br><span class='small'>{fmt.escape(v['reason'])}</span>" if v.get("reason") else ""))
    if isinstance(v, dict):
        if not v:
            return "–"
        if depth >= 4:
            return fmt.escape(", ".join(map(str, v)))
        rows = "".join(f"<tr><td class='key'>{fmt.escape(k)}</td><td>{_cell(x, depth + 1)}</td></tr>"
                       for k, x in v.items())
        return f"<table class='nested'>{rows}</table>"
    if isinstance(v, (list, tuple)):
        return ", ".join(_cell(x, depth + 1) for x in v) if v else "–"
    if v is None or (isinstance(v, float) and not is_number(v)):
        return "–"
    if isinstance(v, bool) or not is_number(v):
        return fmt.escape(v)
    return fmt.number(v)


def numbers(x: Any) -> str:
    """A nested numbers dict as nested two-column tables (HTML, escaped).

    >>> numbers({"bar": 1.3, "w": {"gil": 0.1234}}).count("<table")
    2
    """
    return _cell(x, 0)


def verdict_text(c: dict[str, Any]) -> str:
    """The verdict as printed: never a plain 'holds' when the verdict is fragile."""
    v = str(c.get("verdict") or "–")
    return f"{v} (fragile)" if c.get("fragile") else v


def verdict_badge(c: dict[str, Any]) -> str:
    """The verdict pill: green holds, red does not hold, grey inconclusive, amber when fragile."""
    cls = "fragile" if c.get("fragile") else VERDICT_CLASS.get(str(c.get("verdict")), "meh")
    return badge(verdict_text(c), cls)


def stability_text(share: Any) -> str:
    """A rerun-agreement figure as shown: 'rerun agreement 92%', or '–' without one.

    >>> stability_text(0.92), stability_text(None)
    ('rerun agreement 92%', 'rerun agreement –')
    """
    return f"rerun agreement {fmt.percent(share)}"
