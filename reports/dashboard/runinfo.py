"""About the run: the header, the workloads with their task-stream and performance pages, failures, the machine.

>>> perf_stem("array-x", "distributed-2x1")
'array-x__distributed-2x1'
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from reports import fmt
from reports.dashboard.markup import badge, div, note, table
from reports.dashboard.view import View, value
from runners import records

__all__ = ["header", "workloads_section", "failures_section", "machine_section", "perf_stem", "MAX_FAILURES"]

MAX_FAILURES = 500


def header(v: View) -> list[Any]:
    """Title, machine line, profile and counts, the interpreter line (and whether GIL figures apply)."""
    mem = value(v.fact("memory_bytes"))
    complete = v.summary.get("complete", v.meta.get("complete"))
    sampler = v.fact("gil_sampler") or {}
    n_w = v.df["workload"].nunique() if not v.df.empty else 0
    machine = {**v.meta, **{k: x for k, x in v.machine.items() if x is not None}}
    no_gil = "" if sampler.get("available") is not False else \
        " · GIL figures not applicable: " + fmt.escape(sampler.get("reason") or "no GIL sampler")
    text = (f"<h1>Dask scheduler suite — run {fmt.escape(v.run_id)} on {fmt.escape(v.host)}</h1>"
            f"<p class='sub'>{fmt.escape(v.fact('cpu_model') or '?')}, {fmt.escape(v.fact('cores') or '?')} cores"
            f"{'' if math.isnan(mem) else ', ' + fmt.size(mem)} · profile "
            f"<b>{fmt.escape(v.summary.get('profile') or v.meta.get('profile') or '?')}</b> · {n_w} workloads × "
            f"{len(v.schedulers)} scheduler configurations · created {fmt.escape(v.meta.get('created') or '?')}"
            f"{'' if complete in (None, True) else ' · <b>run incomplete</b>'} · "
            f"<a href='summary.json'>summary.json</a></p>"
            f"<p class='sub'><b>{fmt.escape(fmt.interpreter(machine))}</b>{no_gil}</p>"
            f"{_busy(v)}"
            "<p>Speedup is the sync median over the scheduler's median, same workload; every verdict and pick below "
            "rests on a comparison of the repeats, paired by round, with its interval (at the level the run's "
            "sequential design sets: looking after every round keeps the error at 5 %). The figure beside each "
            "verdict is its rerun agreement: the chance that a rerun gives the same answer. Hover any chart for "
            "medians, spread and flags.</p>")
    return [div(text)]


def _busy(v: View) -> str:
    """How busy the machine was while measuring (summary ``interference``), as the header's first warning.

    Worded from the summary's one reading (``state``), as the terminal's first lines are: a run whose
    probes saw no competitor is not called busy, however much its repeats varied.
    """
    it = v.summary.get("interference") if isinstance(v.summary.get("interference"), dict) else {}
    busy = it.get("busy")
    if not busy:
        return ""
    state = it.get("state") or ("quiet" if str(busy).startswith("quiet") else "busy")
    note = {"busy": " — figures from a busy machine",
            "noisy": " — nothing else was seen using the CPU, yet the repeats varied more than on a quiet machine"}
    return (f"<p class='{'warn' if state in note else 'sub'}'><b>Machine while measuring</b>: "
            f"{fmt.escape(busy)}{note.get(state, '')}</p>")  # the sentence already counts the rounds re-run


def perf_stem(workload: str, scheduler: str) -> str:
    """The file stem the runner gives a performance report (``perf/<stem>.html``)."""
    return f"{records.slug(workload)}__{records.slug(scheduler)}"


def _links(v: View, w: str, by_wl: dict[str, list[dict]], perf: dict[str, str], used: set[str]) -> tuple[str, str]:
    """A workload's task-stream links and performance-report links (HTML)."""
    order = {s: i for i, s in enumerate(v.schedulers)}
    streams = [f"<a href='{fmt.escape(p['path'])}'>{fmt.escape(p.get('scheduler'))}</a>"
               + (" (sampled)" if p.get("sampled") else "")
               for p in sorted(by_wl.get(w, []), key=lambda p: (order.get(str(p.get("scheduler")), len(order)),
                                                                   str(p.get("scheduler"))))]
    reports = []
    for s in [s for s in v.schedulers if s in set(v.df.loc[v.df["workload"] == w, "scheduler"])]:
        stem = perf_stem(w, s)
        if stem in perf:
            used.add(stem)
            reports.append(f"<a href='{fmt.escape(perf[stem])}'>{fmt.escape(s)}</a>")
    return " ".join(streams), " ".join(reports)


def workloads_section(v: View) -> list[Any]:
    """Every workload: collection, claims, description, and links to its task-stream and performance pages."""
    info = v.res.workload_info() if hasattr(v.res, "workload_info") else {}
    by_wl: dict[str, list[dict]] = {}
    for p in v.pages:
        if p.get("path"):
            by_wl.setdefault(str(p.get("workload", "")), []).append(p)
    perf_dir = Path(v.res.path) / "perf"
    perf = {f.stem: f"perf/{f.name}" for f in sorted(perf_dir.glob("*.html"))} if perf_dir.is_dir() else {}
    used: set[str] = set()
    rows = []
    for w in dict.fromkeys(v.workloads + sorted(info)):
        i = info.get(w, {})
        first = v.df[v.df["workload"] == w].iloc[0] if w in set(v.df["workload"]) else {}
        desc = i.get("description") or first.get("description") or ""
        claims = i.get("claims") or first.get("claims") or []
        streams, reports = _links(v, w, by_wl, perf, used)
        real = v.real.get(w, bool(i.get("real_data")))
        rows.append([f"<b>{fmt.escape(w)}</b>" + (" <span class='real'>real data</span>" if real else ""),
                     fmt.escape(i.get("collection") or first.get("collection") or ""),
                     fmt.escape(", ".join(map(str, claims)) if isinstance(claims, (list, tuple)) else claims),
                     fmt.escape(desc), f"<span class='links'>{streams}</span>",
                     f"<span class='links'>{reports}</span>"])
    text = "<h2>Workloads, task streams and performance reports</h2>"
    text += table(["workload", "collection", "claims", "description", "task streams", "performance reports"],
                  rows) if rows else note("No workloads.")
    sp = v.summary.get("stream_pages") or {}
    if sp.get("not_drawn"):
        text += (f"<p>Task-stream pages drawn for each workload's fastest scheduler and Dask's default "
                 f"({sp.get('drawn', 0)}); {sp['not_drawn']} more streams are stored. Draw them with "
                 f"<code>{fmt.escape(sp.get('draw_all') or '')}</code>.</p>")
    orphans = [s for s in perf if s not in used]
    if orphans:
        text += ("<p>Other performance reports: <span class='links'>"
                 + " ".join(f"<a href='{fmt.escape(perf[s])}'>{fmt.escape(s)}</a>" for s in orphans) + "</span></p>")
    return [div(text)]


def failures_section(v: View) -> list[Any]:
    """Failed or mismatched repeats (the first :data:`MAX_FAILURES`), then skipped or damaged input."""
    fails = [f for f in v.summary.get("failures") or [] if isinstance(f, dict)]
    text = f"<h2>Failures ({len(fails)})</h2>"
    if fails:
        text += table(["workload", "scheduler", "repeat", "status", "error"],
                      [[fmt.escape(f.get("workload")), fmt.escape(f.get("scheduler")), fmt.escape(f.get("repeat")),
                        badge(f.get("status"), "bad"),
                        f"<code>{fmt.escape(f.get('error_type') or '')}</code> {fmt.escape(f.get('error') or '')}"]
                       for f in fails[:MAX_FAILURES]])
        if len(fails) > MAX_FAILURES:
            text += f"<p>… and {len(fails) - MAX_FAILURES} more (see summary.json).</p>"
    else:
        text += "<p>None: every repeat finished and matched the sync result.</p>"
    given = list(v.summary.get("skipped") or [])
    skipped = given + [s for s in (v.res.skipped or []) if s not in given]
    if skipped:
        text += (f"<details><summary>Skipped or damaged input ({len(skipped)})</summary><ul>"
                 + "".join(f"<li>{fmt.escape(s)}</li>" for s in skipped[:300]) + "</ul></details>")
    return [div(text)]


def machine_section(v: View) -> list[Any]:
    """Host, CPU, memory, interpreter, versions, BLAS and the command line."""
    rows = []
    for k in ("host", "cpu_model", "cores", "cpu_count", "memory_bytes", "python", "gil_enabled",
              "switch_interval_s", "platform"):
        x = v.fact(k)
        if x is not None:
            size = k == "memory_bytes" and not math.isnan(value(x))
            rows.append([fmt.escape(k), fmt.size(x) if size else fmt.escape(x)])
    versions = v.fact("versions") or {}
    if isinstance(versions, dict) and versions:
        rows.append(["versions", fmt.escape(", ".join(f"{k} {x}" for k, x in sorted(versions.items())))])
    blas = v.fact("blas")
    if blas:
        rows.append(["blas", fmt.escape(json.dumps(blas, default=str)[:600])])
    for k in ("command", "schedulers_arg", "workloads_arg", "plugins"):
        x = v.meta.get(k)
        if x:
            shown = " ".join(map(str, x)) if isinstance(x, list) else x
            rows.append([fmt.escape(k), f"<code>{fmt.escape(shown)}</code>"])
    text = "<h2>Machine and versions</h2>"
    text += table(["", ""], rows) if rows else note("No machine information (meta.json missing).")
    return [div(text)]
