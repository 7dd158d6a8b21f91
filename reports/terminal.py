"""The terminal summary of a run, with rich: tables that fit the terminal, colour only on a terminal.

Sections: header (run id, profile, cores, interpreter), wall-time/speedup matrix
(workloads x main schedulers), claim verdicts with their stability,
recommendations (a headline and the line to paste each, then the why and the
full code below the table), the controls (instrumentation overhead, A/A noise, the
harness against plain Dask), failures and skipped lines.  Cells wrap at word
boundaries; nothing is cut mid-word.  Piped, the same text comes out plain.

>>> import pandas as pd
>>> text = render({"run_id": "r1", "profile": "quick", "machine": {"cores": 2}}, pd.DataFrame(), width=80)
>>> text.splitlines()[0]
'run r1 · profile quick · 2 cores'
"""
from __future__ import annotations

import io
import sys
from typing import Any, TextIO

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from reports import fmt
from reports.table import flag
from runners.records.kinds import KINDS, is_serial, is_threads

__all__ = ["render", "show", "VERDICT_STYLE"]

VERDICT_STYLE = {"holds": "green", "does not hold": "red", "inconclusive": "yellow"}


def _cores(summary: dict[str, Any], table: pd.DataFrame) -> int:
    c = (summary.get("machine") or {}).get("cores")
    if isinstance(c, int):
        return c
    if not table.empty and "kind" in table:
        thr = table[table["kind"].map(is_threads)]["workers"]
        if len(thr):
            return int(thr.mode().iloc[0])
    return 1


def _matrix(table: pd.DataFrame, n: int, recs: dict[str, str]) -> Table:
    """Median wall time and speedup vs sync per workload under the main specs (from the rows' kind/workers).

    The main specs: every kind at *n* workers of one thread each (the serial kind at one).
    """
    main = [(k, 1 if is_serial(k) else n, 1) for k in KINDS]
    t = Table(title="median wall time, speedup vs sync  (* recommended, ~ unstable, FAIL no ok repeat)",
              title_justify="left", show_edge=False, pad_edge=False)
    t.add_column("workload", overflow="fold")
    cols = []  # labels: a kind's tuned reading, then its as-shipped one (never one column for both)
    for kind, w, tpw in main:
        sel = table[(table["kind"] == kind) & (table["workers"] == w) & (table["threads_per_worker"] == tpw)]
        shipped = sel["as_shipped"].map(flag) if "as_shipped" in sel else pd.Series(False, index=sel.index)
        for reading in (sel[~shipped], sel[shipped]):
            if not reading.empty:
                cols.append(reading["scheduler"].iloc[0])
                t.add_column(cols[-1], justify="right")
    for wl, g in table.groupby("workload", sort=False):
        if (g["collection"] == "experiment").all():
            continue
        cells = []
        for label in cols:
            r = g[g["scheduler"] == label]
            if r.empty:
                cells.append("-")
                continue
            r = r.iloc[0]
            if not r.get("n"):
                cells.append("FAIL")
                continue
            mark = ("*" if recs.get(wl) == r["scheduler"] else "") + ("~" if r.get("unstable") else "")
            sp = "" if is_serial(r["kind"]) or r.get("speedup") is None else f" {fmt.ratio(r['speedup'])}"
            cells.append(f"{fmt.duration(r['median_s'])}{sp}{mark}")
        t.add_row(wl, *cells)
    return t


def _claims(claims: list[dict[str, Any]]) -> Table:
    t = Table(title="claims  (rerun: the chance a rerun gives the same verdict, from 100–1000 reruns drawn by round; "
                    "calibrated by python -m runners.selfcheck)",
              title_justify="left", show_edge=False, pad_edge=False)
    t.add_column("id")
    t.add_column("verdict", no_wrap=True)
    t.add_column("rerun", justify="right")
    t.add_column("why", overflow="fold")
    for c in claims:
        v = c.get("verdict", "?")
        label = Text(v + (" (fragile)" if c.get("fragile") else ""), style=VERDICT_STYLE.get(v, ""))
        s = c.get("rerun_agreement", c.get("stability"))
        t.add_row(c.get("id", "?"), label, "–" if s is None else f"{s:.2f}", str(c.get("reason", "")))
    return t


def _lead(r: dict[str, Any], key: str) -> str:
    """*key* of a recommendation without the scheduler it starts with (the table names it)."""
    text = str(r.get(key) or "")
    return text[len(r["scheduler"]) + 2:] if r.get("scheduler") and text.startswith(f"{r['scheduler']}: ") else text


def _recommendations(recs: list[dict[str, Any]]) -> Table:
    """One row per workload: the pick, its rerun agreement, its headline and the line to paste (the why is below).

    A summary from before headlines shows its explanation in their place.
    """
    t = Table(title="recommendations  (! = not Dask's default, ? = undecided; why and full code below)",
              title_justify="left", show_edge=False, pad_edge=False)
    t.add_column("workload", overflow="fold")
    t.add_column("scheduler", no_wrap=True)
    t.add_column("rerun", justify="right")
    t.add_column("decided by · paste", overflow="fold")
    for r in recs:
        sched = str(r.get("scheduler") or "none") + (" !" if r.get("differs_from_default") else "")
        if "undecided" in str(r.get("status") or ""):
            sched += " ?"
        cell = _lead(r, "headline") or _lead(r, "explanation")
        if r.get("code_line"):
            cell += f"\npaste: {r['code_line']}"
        s = r.get("rerun_agreement", r.get("stability"))
        t.add_row(str(r.get("workload")), sched, "–" if s is None else f"{s:.2f}", Text(cell))
    return t


def _why(recs: list[dict[str, Any]]) -> list[str]:
    """The long explanation and the full code of every recommendation that has a headline (kept out of the table)."""
    out = []
    for r in recs:
        if not r.get("headline"):
            continue
        out.append(f"{r.get('workload')} · {r.get('scheduler') or 'none'}: {_lead(r, 'explanation')}")
        out += [f"    {line}" for line in str(r.get("code") or "").splitlines()]
    return ["why (recommendations)"] + out if out else []


def _layouts(items: list[dict[str, Any]]) -> list[str]:
    """The distributed layout to use per workload (workers x threads), with the comparison and the why.

    >>> _layouts([{"workload": "w", "layout": "distributed-2x1", "status": "fastest", "why": "GIL 0.9 under 1x2"}])
    ['', 'distributed layout (workers x threads per worker)', '  w: distributed-2x1 (fastest): GIL 0.9 under 1x2']
    """
    out = [f"  {d.get('workload')}: {d.get('layout')} ({d.get('status')}): {d.get('why') or ''}".rstrip(": ")
           for d in items if isinstance(d, dict)]
    return ["", "distributed layout (workers x threads per worker)"] + out if out else []


def _controls(summary: dict[str, Any]) -> list[str]:
    out = []
    ov = summary.get("instrumentation_overhead")
    if ov and ov.get("ratio") is not None:
        p = ov.get("pooled") or {}
        ci = f" [{p['lo']:.3g}–{p['hi']:.3g}]" if p.get("lo") is not None else " (no interval: too few rounds)"
        out.append(f"instrumentation overhead: instrumented/bare {ov['ratio']:.3f}{ci} ({p.get('method') or 'paired'}, "
                   f"{p.get('pairs') or 0} pairs over {len(ov.get('pairs') or [])} workloads; "
                   f"within ±5 %: {ov.get('within_5_percent') or 'undecided'})")
    else:
        out.append("instrumentation overhead: not measured")
    aa = summary.get("aa_control")
    if aa and aa.get("ratio") is not None:
        c = aa.get("comparison") or {}
        ci = f" [{c['lo']:.3g}–{c['hi']:.3g}]" if c.get("lo") is not None else " (no interval)"
        out.append(f"A/A noise: {aa.get('workload')} on {aa.get('scheduler')}, two interleaved blocks: B/A "
                   f"{aa['ratio']:.3f}{ci}, {aa.get('verdict')}" + (" - a FALSE difference" if aa.get("false_difference") else ""))
    else:
        out.append("A/A noise: not measured")
    hc = summary.get("harness_check")
    if hc:
        out.append(f"harness vs plain Dask in a fresh interpreter: median {fmt.number(hc.get('median_ratio'))} over "
                   f"{len(hc.get('pairs') or [])} pairs; {len(hc.get('warnings') or [])} disagree")
        out += [f"  WARNING {w}" for w in hc.get("warnings") or []]
    return out


def _write(console: Console, summary: dict[str, Any], table: pd.DataFrame) -> None:
    table = table if isinstance(table, pd.DataFrame) else pd.DataFrame()
    m = summary.get("machine") or {}
    n = _cores(summary, table)
    head = [f"run {summary.get('run_id', '?')}", f"profile {summary.get('profile') or '?'}", f"{n} cores"]
    if m.get("python"):
        head.append(fmt.interpreter(m))
    if summary.get("complete") is False and "complete" in summary:
        head.append("INCOMPLETE run")
    console.print(" · ".join(head), highlight=False)
    busy = (summary.get("interference") or {}).get("busy")
    if busy:
        console.print(f"machine while measuring: {busy}", highlight=False, markup=False)
    sampler = m.get("gil_sampler") or {}
    if sampler.get("available") is False:
        console.print(f"GIL figures not applicable: {sampler.get('reason') or 'no GIL sampler'}", highlight=False,
                      markup=False)  # the reason holds "[gil]", which rich would take for markup
    console.print()
    if table.empty:
        console.print("no results")
    else:
        recs = {r["workload"]: r.get("scheduler") for r in summary.get("recommendations") or []}
        console.print(_matrix(table, n, recs))
    if summary.get("claims"):
        console.print()
        console.print(_claims(summary["claims"]))
    if summary.get("recommendations"):
        console.print()
        console.print(_recommendations(summary["recommendations"]))
        for line in _why(summary["recommendations"]):
            console.print(line, highlight=False, markup=False)
    for line in _layouts(summary.get("layouts") or []):
        console.print(line, highlight=False, markup=False)
    console.print()
    for line in _controls(summary):
        console.print(line, highlight=False)
    fails = summary.get("failures") or []
    if fails:
        console.print(f"\nfailures ({len(fails)})", highlight=False)
        for f in fails[:10]:
            console.print(f"  {f.get('workload')} {f.get('scheduler')} #{f.get('repeat')} {f.get('status')}: "
                          f"{f.get('error_type', '')} {' '.join(str(f.get('error', '')).split())}", highlight=False)
        if len(fails) > 10:
            console.print(f"  … and {len(fails) - 10} more (summary.json)", highlight=False)
    for s in (summary.get("skipped") or [])[:10]:
        console.print(f"skipped: {' '.join(str(s).split())}", highlight=False)


def render(summary: dict[str, Any], table: pd.DataFrame, width: int = 100) -> str:
    """The terminal summary as plain text, no line wider than *width*."""
    buf = io.StringIO()
    _write(Console(file=buf, width=width, color_system=None, force_terminal=False, soft_wrap=False), summary, table)
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines())


def show(summary: dict[str, Any], table: pd.DataFrame, file: TextIO | None = None) -> None:
    """Print the summary: coloured and as wide as the terminal on a terminal, plain text when piped."""
    out = file or sys.stdout
    tty = out.isatty()
    _write(Console(file=out, width=None if tty else 100, color_system="auto" if tty else None), summary, table)
