"""Rebuild every report of a run from its results folder alone.

    python -m reports.build results/<run-id>

Reads only the stored JSON (never runs a workload, never unpickles), then
writes ``summary.json``, ``dashboard.html``, the task-stream pages under
``streams/`` and prints the terminal summary.  Each file is created afresh
inside the folder: a link found at its place (say, in a folder unpacked from
someone else's archive) is replaced, never followed, and named on stderr.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from reports import claims as rules, control_figures as controls, dashboard, layout, model, model_advice, model_check, \
    recommend, streampages, terminal
from reports.evidence import context
from reports.interference import repeat_spread_pct, summarize as busy
from reports.load import Results, load
from reports.table import table as stats_table
from runners import records

__all__ = ["summarise", "build", "main", "SUMMARY_VERSION"]

SUMMARY_VERSION = 1


def _jsonable(x: Any) -> Any:
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (np.floating, float)):
        return None if not math.isfinite(float(x)) else float(x)
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, np.ndarray):
        return _jsonable(x.tolist())
    if x is pd.NA or x is pd.NaT:
        return None
    return x


def summarise(res: Results) -> tuple[dict[str, Any], pd.DataFrame]:
    """The run's summary (what summary.json holds) and the statistics table."""
    table = stats_table(res.rows, res.workload_info(), res.bursts, res.looks, res.own_looks)
    rows = res.rows
    failures = []
    if not rows.empty:
        for r in rows[~rows["status"].fillna("ok").isin(["ok", "skipped"])].itertuples():
            failures.append({"workload": r.workload, "scheduler": r.scheduler, "repeat": r.repeat,
                             "status": r.status, "error_type": r.error_type or "",
                             "error": str(r.error or r.check_detail or "")[:500]})
    cores = res.meta.get("cores") or res.meta.get("cpu_count")
    interference = busy(res.interference, cores if isinstance(cores, int) else None,
                        repeat_spread_pct(list(table["times"])) if "times" in table else None)
    ctx = context(table, res.meta, rows, res.rounds, free=interference.get("cores_free"))
    claims = rules.decide(ctx)
    by_wl: dict[str, list[str]] = {}
    for f in failures:
        by_wl.setdefault(f["workload"], []).append(f"{f['scheduler']}: {f['status']} {f['error_type']}".strip())
    recs = recommend.recommend(ctx, failures=by_wl, startup=res.startup)
    model_summary = model_check.model_summary(table, res.meta, rows, res.startup,
                                              predict_cores=res.meta.get("predict_cores") or ())
    recommend.add_model_terms(recs, (model_summary or {}).get("predictions") or [], model_advice.explain_terms)
    recommend.add_preparation(recs, res.rounds)
    harness = controls.harness_check(rows)
    keep = [c for c in table.columns if c not in ("times",)] if not table.empty else []
    summary = {
        "v": SUMMARY_VERSION,
        "run_id": res.run_id,
        "profile": res.meta.get("profile"),
        "machine": {k: res.meta.get(k) for k in ("host", "cpu_model", "cores", "cpu_count", "memory_bytes",
                                                  "python", "gil_enabled", "free_threaded_build", "gil_reenabled_by",
                                                  "gil_sampler", "switch_interval_s", "versions", "blas")},
        "duration_s": res.meta.get("duration_s"),
        "interference": interference,
        "design": {"looks": res.looks, "own_last_look": {w: lk["last"] for w, lk in res.own_looks.items()},
                   "round_seed": res.meta.get("round_seed"), "seed": res.meta.get("seed"),
                   "comparison": "paired by round where both sides ran in the same round (10 %-trimmed mean of the "
                                 "per-round log ratios, Yuen–Student interval); else unpaired (Hodges–Lehmann, "
                                 "Mann–Whitney interval); the level of each interval set by the sequential looks",
                   "agreement": "rerun_agreement: the share of reruns drawn by whole rounds (reports.resample) "
                                "giving the same answer; 100 for each, up to 1000 near the 0.9 cut"},
        "transients": [{"workload": r["workload"], "scheduler": r["scheduler"], "first_round": r["first_round"]}
                       for r in (table.to_dict("records") if not table.empty and "transient" in table else [])
                       if r.get("transient")],
        "claims": claims,
        "recommendations": recs,
        "layouts": layout.advise(ctx),
        "instrumentation_overhead": controls.overhead(rows),
        "aa_control": controls.aa_control(rows),
        "harness_check": harness,
        "rounds": res.rounds,
        "startup": controls.startup(res.startup).to_dict("records"),
        "gil_calibration": model.calibration(rows),
        "model": model_summary,
        "model_checks": res.model_checks,
        "table": table[keep].to_dict("records") if keep else [],
        "failures": failures,
        "skipped": res.skipped + sorted({f"{r['scheduler']}: could not start on this interpreter: {r.get('error')}"
                                         for r in (res.startup.to_dict("records") if not res.startup.empty else [])
                                         if r.get("status") == "unavailable"}),
        "complete": bool(res.meta.get("complete", False)),
    }
    return _jsonable(summary), table


def build(run_dir: str | Path, quiet: bool = False, streams: str | None = None) -> dict[str, Any]:
    """Write every report of *run_dir*; returns the summary.

    *streams*: which task-stream pages to draw, ``"all"`` or ``"chosen"`` (see
    :data:`reports.streampages.WHICH`); by default what the run's profile asked for.
    """
    run_dir = Path(run_dir)
    res = load(run_dir)
    job = streampages.PageJob(res, run_dir / "streams", which=streams)  # drawn in workers while the verdicts are found
    try:
        summary, table = summarise(res)
        pages = job.result()
    finally:
        job.close()
    summary["stream_pages"] = {"which": job.which, "drawn": len(pages), "not_drawn": job.undrawn,
                               "draw_all": streampages.DRAW_ALL.format(run=run_dir) if job.undrawn else None}
    dash = run_dir / "dashboard.html"
    dashboard.render(res, table, summary, pages, dash)
    # Created afresh: a link planted in the folder is replaced, never written through (said on stderr).
    records.write_file_safely(run_dir, "summary.json", json.dumps(summary, indent=1, sort_keys=False, default=str))
    if not quiet:
        terminal.show(summary, table)
        for s in res.skipped:
            print(f"skipped: {s}", file=sys.stderr)
        print(f"\ndashboard: {dash.resolve()}")
    return summary


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        prog="python -m reports.build",
        description="Rebuild summary.json, dashboard.html and the task-stream pages of a run "
        "from its results folder alone (no workload is run, nothing is unpickled).",
    )
    p.add_argument("run_dir", help="a results folder, e.g. results/20261123-021530-1a2b")
    p.add_argument("-q", "--quiet", action="store_true", help="do not print the terminal summary")
    p.add_argument("--streams", choices=streampages.WHICH, default=None,
                   help="task-stream pages to draw: every stored stream ('all'), or each workload's fastest "
                        "spec and Dask's default ('chosen'); default: what the run's profile chose "
                        "(quick: chosen, the others: all)")
    a = p.parse_args(argv)
    if not Path(a.run_dir).is_dir():
        print(f"ERROR: {a.run_dir}: no such results folder", file=sys.stderr)
        sys.exit(2)
    build(a.run_dir, quiet=a.quiet, streams=a.streams)


if __name__ == "__main__":
    main()
