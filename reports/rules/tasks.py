"""Rule of the per-task overhead claim C9."""
from __future__ import annotations

from typing import Any

from reports.evidence import PlotSpec, Context, above, all_of, below, figure, missing, outcome_is, rounded, verdict, versus

from reports.rules.questions import Question, ask, label

__all__ = ["c9"]


def _per_task_us(row: dict[str, Any]) -> float | None:
    for col in ("ntasks", "ntasks_graph", "size"):
        k = row.get(col)
        if k and row.get("median_s"):
            return float(row["median_s"]) / float(k) * 1e6
    return None


def c9(ctx: Context) -> dict[str, Any]:
    """Per-task overhead: sync < threads < processes < distributed; break-even task size."""
    n = ctx.n
    order = [("sync", 1), ("threads", n), ("processes", n), ("distributed", n)]
    names = [k if k == "sync" else f"{k}-{n}x1" if k == "distributed" else f"{k}-{n}" for k, _ in order]
    th = (f"delayed-null per task: no scheduler in {' <= '.join(names)} faster than the one before it "
          f"(ties within ±10 % allowed), and distributed slower than sync (interval); break-even = the smallest "
          f"delayed-busy task size at which a spec is faster than sync (reported)")
    rows = [ctx.row("delayed-null", k, m) for k, m in order]
    miss = [f"delayed-null@{x}" for x, r in zip(names, rows) if r is None]
    if miss:
        return missing(th, miss)
    per = {x: rounded(_per_task_us(r), 1) for x, r in zip(names, rows)}
    steps = [versus(b, a) for a, b in zip(rows, rows[1:])]
    tests = [below(versus(b, a, 1.1)) for a, b in zip(rows, rows[1:])]  # not more than 10 % faster
    ends = versus(rows[0], rows[-1])
    tests.append(above(ends))
    busy = sorted((int(ctx.param(w, "task_us")), w) for w in ctx.workloads(family="delayed-busy")
                  if ctx.param(w, "task_us") is not None)
    breakeven: dict[str, Any] = {}
    for (kind, m), x in zip(order[1:], names[1:]):
        pays = [us for us, w in busy if outcome_is(versus(ctx.row(w, kind, m), ctx.row(w)), "above")]
        tried = [us for us, w in busy if ctx.row(w, kind, m) is not None]
        breakeven[x] = min(pays) if pays else (f"> {max(tried)}" if tried else None)
    numbers = {"per_task_us": per, "steps": {f"{b} vs {a}": figure(c) for a, b, c in zip(names, names[1:], steps)},
               "sync_vs_distributed": figure(ends), "break_even_task_us": breakeven}
    inversions = [f"{b} faster than {a}" for a, b, c in zip(names, names[1:], steps) if c and c.outcome == "above"]
    reason = ("Per-task µs " + ", ".join(f"{k} {x}" for k, x in per.items())
              + (f"; inversions: {', '.join(inversions)}" if inversions else "; no inversion") + ".")
    return verdict(all_of(tests), numbers, th, reason)


c9.plot = PlotSpec("per_task", "Wall time per null task", "µs per task (log scale)")  # type: ignore[attr-defined]


def _c9_questions(w: Any, n: int) -> list[Question]:
    if w.name != "delayed-null":
        return []  # the break-even sizes are reported, not part of the verdict
    names = ["sync"] + [label(k, n) for k in ("threads", "processes", "distributed")]
    return [ask("C9", b, a, 1.1) for a, b in zip(names, names[1:])] + [ask("C9", "sync", names[-1], 1.0)]


c9.questions = _c9_questions  # type: ignore[attr-defined]
