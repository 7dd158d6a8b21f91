"""The per-task overhead claim C9: sync < threads < processes < distributed.

>>> C9.id, _order(2)
('C9', [('sync', 1), ('threads', 2), ('processes', 2), ('distributed', 2)])
"""
from __future__ import annotations

from typing import Any

from reports.claims.questions import Question, ask
from reports.claims.record import Claim, Plot
from reports.evidence import Context, above, all_of, below, figure, missing, outcome_is, rounded, verdict, versus
from runners.records.kinds import KINDS, RANK, is_serial, label_at

__all__ = ["C9", "c9", "TIE", "NULL"]

TIE = 1.1  # a scheduler no more than 10 % faster than the one before it in the order: a tie, not an inversion
NULL = "delayed-null"  # the workload of empty tasks the order is read from


def _order(n: int) -> list[tuple[str, int]]:
    """(kind, workers) in the order of their cost per task: sync alone, every other kind at *n* workers."""
    return [(k, 1 if is_serial(k) else n) for k in sorted(KINDS, key=RANK.__getitem__)]


def _per_task_us(row: dict[str, Any]) -> float | None:
    for col in ("ntasks", "ntasks_graph", "size"):
        k = row.get(col)
        if k and row.get("median_s"):
            return float(row["median_s"]) / float(k) * 1e6
    return None


def c9(ctx: Context) -> dict[str, Any]:
    """Per-task overhead: sync < threads < processes < distributed; break-even task size."""
    n = ctx.n
    order = _order(n)
    names = [label_at(k, m) for k, m in order]
    th = (f"{NULL} per task: no scheduler in {' <= '.join(names)} faster than the one before it "
          f"(ties within ±{(TIE - 1) * 100:.0f} % allowed), and {order[-1][0]} slower than sync (interval); "
          f"break-even = the smallest "
          f"delayed-busy task size at which a spec is faster than sync (reported)")
    rows = [ctx.row(NULL, k, m) for k, m in order]
    miss = [f"{NULL}@{x}" for x, r in zip(names, rows) if r is None]
    if miss:
        return missing(th, miss)
    per = {x: rounded(_per_task_us(r), 1) for x, r in zip(names, rows)}
    steps = [versus(b, a) for a, b in zip(rows, rows[1:])]
    tests = [below(versus(b, a, TIE)) for a, b in zip(rows, rows[1:])]  # not more than TIE faster
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


def c9_questions(w: Any, n: int) -> list[Question]:
    if w.name != NULL:
        return []  # the break-even sizes are reported, not part of the verdict
    names = [label_at(k, m) for k, m in _order(n)]
    return [ask("C9", b, a, TIE) for a, b in zip(names, names[1:])] + [ask("C9", "sync", names[-1], 1.0)]


C9 = Claim("C9", "Per-task overhead: sync < threads < processes < distributed; tiny tasks do not pay.",
           frozenset(KINDS), False, verdict=c9, questions=c9_questions,
           plot=Plot("per_task", "Wall time per null task", "µs per task (log scale)"))
