"""Compare two runs: ``python -m reports.compare RUN_A RUN_B``.

What a user runs before and after an upgrade, or on two machines: per claim
and per recommendation, both answers and whether they agree; for every
(workload, scheduler) measured in both, the ratio of run B's time to run A's
(Hodges–Lehmann, with its 95 % interval, :func:`reports.stats.compare`).
Reads the two results folders only (their stored rows; nothing is run or
written).  Exit status 0; 2 with one ``ERROR:`` line when a folder is not a run.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from reports.build import summarise
from reports.claims import CLAIMS
from reports.load import load
from reports.stats import compare as compare_times
from runners.records.kinds import in_process, is_process_pool, is_serial

__all__ = ["compare_runs", "main"]


def _summary(path: Path) -> tuple[dict[str, Any], Any]:
    return summarise(load(path))


def _decidable(ids: list[str]) -> list[str]:
    """The claims two runs can agree on: not those that only a free-threaded build decides.

    >>> _decidable(["C1", "C14", "C99"])
    ['C1', 'C99']
    """
    return [i for i in ids if not (i in CLAIMS and CLAIMS[i].free_threaded_only)]


def compare_runs(a: Path, b: Path) -> dict[str, Any]:
    """The comparison of runs *a* and *b* as a dict (claims, recommendations, timings, agreement counts)."""
    (sa, ta), (sb, tb) = _summary(a), _summary(b)
    ca = {c["id"]: c for c in sa.get("claims", [])}
    cb = {c["id"]: c for c in sb.get("claims", [])}
    claims = []
    for cid in dict.fromkeys(list(ca) + list(cb)):
        x, y = ca.get(cid, {}), cb.get(cid, {})
        claims.append({"id": cid, "a": x.get("verdict"), "b": y.get("verdict"), "a_stability": x.get("stability"),
                       "b_stability": y.get("stability"), "agree": x.get("verdict") == y.get("verdict"),
                       "swap": {x.get("verdict"), y.get("verdict")} == {"holds", "does not hold"}})
    ra = {r["workload"]: r for r in sa.get("recommendations", [])}
    rb = {r["workload"]: r for r in sb.get("recommendations", [])}
    recs = [{"workload": w, "a": ra[w].get("scheduler"), "b": rb[w].get("scheduler"),
             "a_status": ra[w].get("status"), "b_status": rb[w].get("status"),
             "agree": ra[w].get("scheduler") == rb[w].get("scheduler")} for w in ra if w in rb]
    timings = []
    if not ta.empty and not tb.empty:
        ib = {(r["workload"], r["scheduler"]): r for r in tb.to_dict("records")}
        for r in ta.to_dict("records"):
            other = ib.get((r["workload"], r["scheduler"]))
            if other is None or not r.get("times") or not other.get("times"):
                continue
            c = compare_times(r["times"], other["times"], names=("A", "B"))
            timings.append({"workload": r["workload"], "scheduler": r["scheduler"], "a_s": r.get("median_s"),
                            "b_s": other.get("median_s"), "b_over_a": c.ratio, "lo": c.lo, "hi": c.hi,
                            "outcome": {"above": "B slower", "below": "B faster"}.get(c.outcome, c.outcome)})
    decidable = [c for c in claims if c["id"] in _decidable([c["id"] for c in claims])]
    ft = _free_threaded_cost(sa, ta, sb, tb)
    ia, ib_ = sa.get("interference") or {}, sb.get("interference") or {}
    pa, pb = ia.get("pace_us_median"), ib_.get("pace_us_median")
    machine = {"a": ia.get("busy"), "b": ib_.get("busy"),
               # how much slower B's core ran a fixed loop than A's (median over each run's rounds): the part of
               # B/A that is the machine's speed, not Dask's; None where a run is older than the loop
               "pace_b_over_a": round(pb / pa, 3) if pa and pb else None}
    return {"a": str(a), "b": str(b), "machine": machine, "claims": claims, "recommendations": recs, "timings": timings,
            "claims_agree": sum(c["agree"] for c in decidable), "claims_total": len(decidable),
            "swaps": [c["id"] for c in claims if c["swap"]],
            "recommendations_agree": sum(r["agree"] for r in recs), "recommendations_total": len(recs),
            **({"free_threaded_cost": ft} if ft else {})}


def _free_threaded_cost(sa: dict[str, Any], ta: Any, sb: dict[str, Any], tb: Any) -> dict[str, Any] | None:
    """With one free-threaded and one GIL run: the single-thread cost of the free-threaded build (C14).

    Per C3 workload in both: sync time on the free-threaded build / sync time with the GIL, and
    threads-N free-threaded against processes-N with the GIL (what a user would switch between).
    None unless exactly one of the runs is a free-threaded build; "not comparable" when the
    CPU model, core count or profile differ.
    """
    ma, mb = sa.get("machine") or {}, sb.get("machine") or {}
    if bool(ma.get("free_threaded_build")) == bool(mb.get("free_threaded_build")):
        return None
    (sg, tg), (sf, tf) = ((sa, ta), (sb, tb)) if not ma.get("free_threaded_build") else ((sb, tb), (sa, ta))
    mg, mf = sg.get("machine") or {}, sf.get("machine") or {}
    same = all(mg.get(k) == mf.get(k) for k in ("cpu_model", "cores")) and sg.get("profile") == sf.get("profile")
    out: dict[str, Any] = {"comparable": same, "workloads": {}}
    if tg.empty or tf.empty:
        return out
    # What a user with the GIL runs instead: one task at a time stays serial; threads become a process pool.
    g = {(r["workload"], is_serial(r["kind"]), r["workers"]): r for r in tg.to_dict("records")
         if is_serial(r["kind"]) or is_process_pool(r["kind"])}
    for r in tf.to_dict("records"):
        if "C3" not in (r.get("claims") or []) or not in_process(r["kind"]):
            continue
        serial = is_serial(r["kind"])
        base = g.get((r["workload"], serial, r["workers"]))
        if base is None or not base.get("times") or not r.get("times"):
            continue
        c = compare_times(r["times"], base["times"], names=(r["scheduler"], base["scheduler"]))
        key = "sync_gil_over_free_threaded" if serial else "gil_processes_over_free_threaded_threads"
        out["workloads"].setdefault(r["workload"], {})[key] = c.as_dict()
    return out


def _print(d: dict[str, Any], console: Console) -> None:
    m = d.get("machine") or {}
    console.print(f"A: {d['a']}\n   machine: {m.get('a') or 'not measured'}\nB: {d['b']}\n   machine: "
                  f"{m.get('b') or 'not measured'}", highlight=False)
    if m.get("pace_b_over_a"):
        console.print(f"B's core ran a fixed loop in {m['pace_b_over_a']:.3g}× A's time (median round): a B/A "
                      "near that is the machine's speed as much as Dask's", highlight=False)
    console.print("")
    t = Table(title="claims", title_justify="left", show_edge=False)
    for col in ("id", "A", "stab. A", "B", "stab. B", "agree"):
        t.add_column(col)
    s = lambda x: "–" if x is None else f"{x:.2f}"  # noqa: E731
    for c in d["claims"]:
        t.add_row(c["id"], str(c["a"]), s(c["a_stability"]), str(c["b"]), s(c["b_stability"]),
                  "yes" if c["agree"] else ("SWAP" if c["swap"] else "no"))
    console.print(t)
    t = Table(title="recommendations", title_justify="left", show_edge=False)
    for col in ("workload", "A", "B", "agree"):
        t.add_column(col, overflow="fold")
    for r in d["recommendations"]:
        t.add_row(r["workload"], f"{r['a']} ({r['a_status']})", f"{r['b']} ({r['b_status']})", "yes" if r["agree"] else "no")
    console.print(t)
    t = Table(title="time B / time A per (workload, scheduler), Hodges–Lehmann with 95 % interval",
              title_justify="left", show_edge=False)
    for col in ("workload", "scheduler", "B/A", "interval", "outcome"):
        t.add_column(col, overflow="fold")
    for x in d["timings"]:
        iv = "–" if x["lo"] is None else f"{x['lo']:.3g}–{x['hi']:.3g}"
        t.add_row(x["workload"], x["scheduler"], "–" if x["b_over_a"] is None else f"{x['b_over_a']:.3g}", iv, x["outcome"])
    console.print(t)
    ids = _decidable([c["id"] for c in d["claims"]])
    span = f" ({ids[0]}–{ids[-1]})" if ids else ""
    console.print(f"claims agreeing: {d['claims_agree']}/{d['claims_total']}{span}; holds ↔ does not hold swaps: "
                  f"{', '.join(d['swaps']) or 'none'}; recommendations agreeing: "
                  f"{d['recommendations_agree']}/{d['recommendations_total']}", highlight=False)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m reports.compare",
                                description="Compare the verdicts, recommendations and timings of two runs.")
    p.add_argument("run_a", help="a results folder, e.g. results/20261201-101500-1a2b")
    p.add_argument("run_b", help="another results folder")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON instead of tables")
    a = p.parse_args(argv)
    for x in (a.run_a, a.run_b):
        if not (Path(x) / "rows.jsonl").is_file():
            print(f"ERROR: {x}: not a results folder (no rows.jsonl); give two folders under results/", file=sys.stderr)
            sys.exit(2)
    d = compare_runs(Path(a.run_a), Path(a.run_b))
    if a.json:
        print(json.dumps(d, indent=1, default=str))
    else:
        _print(d, Console(width=None if sys.stdout.isatty() else 110))


if __name__ == "__main__":
    main()
