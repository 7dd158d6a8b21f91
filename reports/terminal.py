"""The terminal summary of a run: plain text, no line wider than *width*.

Sections: header (run id, cores, profile), wall-time/speedup matrix (workloads x
main schedulers), claim verdicts, recommendations, instrumentation overhead and
A/A noise, failures, skipped lines.

>>> import pandas as pd
>>> print(render({"run_id": "r1", "profile": "quick", "machine": {"cores": 2}}, pd.DataFrame()))
run r1 · profile quick · 2 cores
<BLANKLINE>
no results
<BLANKLINE>
instrumentation overhead: not measured
A/A noise: not measured
"""
from __future__ import annotations

import math
import textwrap
from typing import Any, Iterable

import pandas as pd

__all__ = ["render", "matrix", "verdict_lines", "recommendation_lines", "flatten"]

ELL = "…"


def _ok(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _fit(line: str, width: int) -> str:
    return line if len(line) <= width else line[: max(width - 1, 0)] + ELL


def _secs(s: float) -> str:
    if s >= 100:
        return f"{s:.0f}"
    if s >= 10:
        return f"{s:.1f}"
    if s >= 0.01:
        return f"{s:.3f}"
    return f"{s:.4f}"


def _short(label: str) -> str:
    return (label.replace("threads-", "thr-").replace("processes-", "proc-")
            .replace("distributed-", "dist-"))


def _cores(summary: dict[str, Any], table: pd.DataFrame) -> int:
    c = (summary.get("machine") or {}).get("cores")
    if _ok(c):
        return int(c)
    if not table.empty and "kind" in table:
        thr = table[table["kind"] == "threads"]["nthreads"]
        if len(thr):
            return int(thr.mode().iloc[0])
    return 1


def matrix(table: pd.DataFrame, n: int, recs: dict[str, str], width: int = 100) -> list[str]:
    """Median seconds and speedup vs sync per workload under the main schedulers.

    ``*`` marks the recommended spec, ``~`` an unstable row, ``FAIL`` a spec with no
    successful repeat, ``-`` one not run.
    """
    main = ["sync", f"threads-{n}", f"processes-{n}", f"distributed-{n}x1", f"distributed-1x{n}"]
    present = set(table["scheduler"])
    cols = [c for c in main if c in present]
    if not cols:
        cols = list(dict.fromkeys(table["scheduler"]))[:5]
    cw = 13
    name_w = max(12, min(30, width - cw * len(cols) - 1))
    idx = {(r.workload, r.scheduler): r for r in table.itertuples()}
    lines = ["wall time (median s) and speedup vs sync; * recommended, ~ unstable",
             f"{'workload':<{name_w}}" + "".join(f"{_short(c):>{cw}}" for c in cols)]
    wls = [w for w, g in table.groupby("workload", sort=False) if (g["collection"] != "experiment").all()]
    for wl in wls:
        cells = []
        for c in cols:
            r = idx.get((wl, c))
            if r is None:
                cell = "-"
            elif not _ok(r.median_s):
                cell = "FAIL"
            else:
                cell = _secs(r.median_s)
                if c != "sync" and _ok(r.speedup):
                    sp = r.speedup
                    cell += f" {sp:.1f}x" if sp < 10 else (f" {sp:.0f}x" if sp < 1000 else " >999x")
                cell += ("~" if r.unstable else "") + ("*" if recs.get(wl) == c else "")
            cells.append(f"{_fit(cell, cw - 1):>{cw}}")
        lines.append(f"{_fit(wl, name_w):<{name_w}}" + "".join(cells))
    return lines


def _fmt(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, float):
        return f"{v:.3g}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_fmt(x) for x in v[:4]) + (", …" if len(v) > 4 else "") + "]"
    return str(v)


def flatten(numbers: Any, prefix: str = "") -> list[str]:
    """``key=value`` pieces of a nested numbers dict; ``{value, lo, hi}`` reads ``1.8 [1.6-2]``.

    >>> flatten({"a": {"speedup": {"value": 1.8, "lo": 1.6, "hi": 2.0}}, "n": 3})
    ['a.speedup=1.8 [1.6-2]', 'n=3']
    """
    if not isinstance(numbers, dict):
        return [f"{prefix}={_fmt(numbers)}"] if prefix else [_fmt(numbers)]
    if set(numbers) == {"value", "lo", "hi"}:
        return [f"{prefix}={_fmt(numbers['value'])} [{_fmt(numbers['lo'])}-{_fmt(numbers['hi'])}]"]
    out = []
    for k, v in numbers.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        out += flatten(v, key) if isinstance(v, dict) else [f"{key}={_fmt(v)}"]
    return out


def _wrap(text: str, width: int, indent: int, max_lines: int) -> list[str]:
    body = textwrap.wrap(text, width=max(width - indent, 10)) or [""]
    if len(body) > max_lines:
        body = body[:max_lines]
        body[-1] = _fit(body[-1] + " " + ELL, width - indent)
    return [" " * indent + b for b in body]


def verdict_lines(claims: Iterable[dict[str, Any]], width: int = 100) -> list[str]:
    """Claim, verdict, the reason (wrapped) and its numbers (one truncated line)."""
    lines = [f"{'claim':<6}{'verdict':<15}reason / deciding numbers"]
    for c in claims:
        head = f"{c.get('id', '?'):<6}{c.get('verdict', '?'):<15}"
        body = _wrap(str(c.get("reason", "")), width, len(head), 3)
        lines.append(head + body[0].lstrip())
        lines += body[1:]
        numbers = c.get("numbers") or {}
        nums = "; ".join(flatten(numbers))
        if nums and set(numbers) != {"missing"}:  # a bare "missing" list repeats the reason
            lines.append(_fit(" " * len(head) + nums, width))
    return lines


def recommendation_lines(recs: Iterable[dict[str, Any]], width: int = 100) -> list[str]:
    """Workload, recommended scheduler (``!`` differs from Dask's default), explanation wrapped."""
    name_w, sched_w = 24, 18
    lines = [f"{'workload':<{name_w}}{'scheduler':<{sched_w}}why (! = not Dask's default)"]
    for r in recs:
        sched = str(r.get("scheduler") or "none") + (" !" if r.get("differs_from_default") else "")
        text = str(r.get("explanation", ""))
        if r.get("scheduler") and text.startswith(f"{r['scheduler']}: "):
            text = text[len(r["scheduler"]) + 2:]
        head = f"{_fit(str(r.get('workload')), name_w - 1):<{name_w}}{_fit(sched, sched_w - 1):<{sched_w}}"
        body = _wrap(text, width, len(head), 5)
        lines.append(head + body[0].lstrip())
        lines += body[1:]
    return lines


def _controls(summary: dict[str, Any]) -> list[str]:
    out = []
    ov = summary.get("instrumentation_overhead")
    if ov and _ok(ov.get("ratio")):
        out.append(f"instrumentation overhead: {ov['ratio']:.3f}x wall time, instrumented/bare "
                   f"(median of {len(ov.get('pairs') or [])} workload/scheduler pairs)")
    else:
        out.append("instrumentation overhead: not measured")
    aa = summary.get("aa_control")
    if aa and _ok(aa.get("ratio")):
        out.append(f"A/A noise: {aa.get('workload')} on {aa.get('scheduler')} twice: B/A {aa['ratio']:.3f} "
                   f"(noise {aa.get('noise', 0):.1%}), faster() says {aa.get('verdict')}"
                   + (" - a FALSE difference" if aa.get("false_difference") else ""))
    else:
        out.append("A/A noise: not measured")
    return out


def render(summary: dict[str, Any], table: pd.DataFrame, width: int = 100) -> str:
    """The terminal summary of a run.

    Parameters
    ----------
    summary
        What :func:`reports.build.summarise` returns (run id, machine, claims,
        recommendations, controls, failures, skipped).
    table
        The statistics table of :func:`reports.stats.table`.
    width
        Widest line allowed; longer ones are wrapped or cut with an ellipsis.
    """
    table = table if isinstance(table, pd.DataFrame) else pd.DataFrame()
    m = summary.get("machine") or {}
    n = _cores(summary, table)
    head = [f"run {summary.get('run_id', '?')}", f"profile {summary.get('profile') or '?'}", f"{n} cores"]
    if m.get("python"):
        head.append("Python " + str(m["python"]).split()[0])
    if m.get("gil_enabled") is not None:
        head.append("GIL on" if m["gil_enabled"] else "GIL off")
    if summary.get("complete") is False and "complete" in summary:
        head.append("INCOMPLETE run")
    lines = [" · ".join(head), ""]
    if table.empty:
        lines.append("no results")
    else:
        recs = {r["workload"]: r.get("scheduler") for r in summary.get("recommendations") or []}
        lines += matrix(table, n, recs, width)
    claims = summary.get("claims") or []
    if claims:
        lines += ["", "claims"] + verdict_lines(claims, width)
    recs_list = summary.get("recommendations") or []
    if recs_list:
        lines += ["", "recommendations"] + recommendation_lines(recs_list, width)
    lines += [""] + _controls(summary)
    fails = summary.get("failures") or []
    if fails:
        lines += ["", f"failures ({len(fails)})"]
        for f in fails[:10]:
            lines.append(f"  {f.get('workload')} {f.get('scheduler')} #{f.get('repeat')} {f.get('status')}: "
                         f"{f.get('error_type', '')} {' '.join(str(f.get('error', '')).split())}")
        if len(fails) > 10:
            lines.append(f"  … and {len(fails) - 10} more (summary.json)")
    for s in (summary.get("skipped") or [])[:10]:
        lines.append(f"skipped: {' '.join(str(s).split())}")
    return "\n".join(_fit(line.rstrip(), width) for line in lines)
