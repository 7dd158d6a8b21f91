"""The claim C12: Dask's default scheduler per collection is the best, or equivalent to it.

>>> why_default_lost({"kind": "processes", "scheduler": "processes-2", "bytes_moved": 4e6}, {"kind": "sync"})
'processes-2 moved 4.0 MB; parallelism did not pay for its overhead'
"""
from __future__ import annotations

from typing import Any

from reports.claims.questions import Question
from reports.claims.record import Claim, Plot
from reports.evidence import Context, above, all_of, figure, majority, missing, rounded, verdict, versus
from runners.records.kinds import DEFAULT_SCHEDULER, SHIPPED, is_serial, is_threads, label_at, pickles

__all__ = ["C12", "c12", "why_default_lost", "LOSS"]

LOSS = 1.2  # the default loses when another spec is more than 20 % faster ("within noise" here)


def why_default_lost(default: dict[str, Any], best: dict[str, Any]) -> str:
    """Why the default lost to *best*, in a few words, from the two rows' figures."""
    bits = []
    g = default.get("gil_median")
    if is_threads(default.get("kind")) and rounded(g) is not None and g >= 0.5:
        bits.append(f"GIL contention {g:.2f} under {default['scheduler']}")
    b = default.get("bytes_moved")
    if pickles(default.get("kind")) and rounded(b) is not None and b > 0:
        bits.append(f"{default['scheduler']} moved {b / 1e6:.1f} MB")
    if is_serial(best.get("kind")):
        bits.append("parallelism did not pay for its overhead")
    return "; ".join(bits) or "scheduler overhead"


def c12(ctx: Context) -> dict[str, Any]:
    """Dask's default scheduler per collection is the best or within noise of it."""
    n = ctx.n
    th = (f"per collection, on more than half of its C12 workloads the default as Dask ships it (threads-{n} for "
          f"array and dataframe, processes-{n}-shipped for bag: a new pool per compute; the kept pool, processes-{n}, "
          f"where the as-shipped reading was not measured) is the fastest measured spec or within {LOSS - 1:.0%} of it: the fastest other spec "
          f"less than {LOSS}× faster by its interval (each other spec tested at 5 % / k, k the number of "
          f"candidates: choosing the best is corrected for); holds when that is so for every collection measured")
    numbers: dict[str, Any] = {}
    verdicts = []
    for coll, kind in DEFAULT_SCHEDULER.items():
        tests, losers = [], []
        for w in ctx.workloads("C12"):
            d = ctx.as_users_get(w, kind)  # what Dask's default gives: the as-shipped reading where measured
            if d is None or d.get("collection") != coll:
                continue
            # Every other spec against the default, each at alpha / k (Bonferroni over the k candidates): the
            # default loses when any one is shown more than LOSS times faster, which is a union of k tests;
            # it holds its own when all are shown less (an intersection: no correction needed).
            others = [r for (x, _), r in ctx.rows.items() if x == w and r is not d]
            if not others:
                continue
            cs = [versus(o, d, LOSS, family=len(others)) for o in others]
            ups = [above(c) for c in cs]
            lost = True in ups
            held = all(above(versus(o, d, LOSS)) is False for o in others)
            tests.append(False if lost else (True if held else None))
            if lost:
                i = ups.index(True)
                losers.append({"workload": w, "best": others[i]["scheduler"], "best_vs_default": figure(cs[i]),
                               "why": why_default_lost(d, others[i])})
        if not tests:
            continue
        v = majority(tests)
        verdicts.append({"holds": True, "does not hold": False}.get(v))
        shipped = [w for w in ctx.workloads("C12") if (r := ctx.row(w, kind, shipped=True)) is not None
                   and r.get("collection") == coll]
        numbers[coll] = {"default": label_at(kind, n) + (SHIPPED if shipped else ""), "as_shipped_on": shipped, "workloads": len(tests), "default_best_or_equivalent":
                         sum(t is True for t in tests), "default_lost": losers, "verdict": v}
    if not verdicts:
        return missing(th, ["C12 workloads under their collection's default scheduler"])
    lost = [c for c, d in numbers.items() if d["verdict"] == "does not hold"]
    reason = ("The default was best or equivalent on most workloads of every measured collection."
              if not lost else "The default lost on most workloads of " + ", ".join(lost) + ".")
    return verdict(all_of(verdicts), numbers, th, reason)


def c12_questions(w: Any, n: int) -> list[Question]:
    kind = DEFAULT_SCHEDULER.get(w.collection)
    # ("others", default): the loop reads the default's as-shipped reading where it was measured.
    return [] if kind is None else [Question("others", label_at(kind, n), LOSS, LOSS, None, "C12")]


C12 = Claim("C12", "Dask's default scheduler per collection is the best or within noise of the best.",
            frozenset({"sync", "threads"}), False, verdict=c12, questions=c12_questions,
            plot=Plot("defaults", "Dask's default: best or equivalent, per collection", "workloads"))
