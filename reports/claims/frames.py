"""The dataframe claim C10: numeric pandas releases the GIL, object columns and apply hold it.

>>> C10.id, sorted(C10.kinds)
('C10', ['sync', 'threads'])
"""
from __future__ import annotations

from typing import Any

import numpy as np

from reports.claims.questions import Question, ask, gain
from reports.claims.record import Claim, Plot
from reports.evidence import (Context, all_of, below, figure, flat_bar, gains, majority, missing, rounded, speedup,
                              verdict)
from runners.records.kinds import label_at

__all__ = ["C10", "c10", "group"]


def group(w: str) -> str | None:
    """``numeric`` or ``object`` work by the workload's name (None: neither).

    >>> group("df-str-object"), group("flights-groupby"), group("df-apply")
    ('object', 'numeric', 'object')
    """
    if "str-object" in w or w.endswith("apply"):
        return "object"
    if any(s in w for s in ("groupby", "join", "str-arrow")):
        return "numeric"
    return None


def c10(ctx: Context) -> dict[str, Any]:
    """pandas numeric ops release the GIL (threads pay off); object-dtype/apply hold it."""
    n = ctx.n
    th = (f"under threads-{n}: more than half of the numeric dataframe workloads (groupby, join, str-arrow) faster "
          f"than sync (interval above 1; below 1 counts against), more than half of the object ones (str-object, apply) less than "
          f"{flat_bar(n)}× faster (interval); "
          f"where sampled, the numeric median GIL contention below the object one")
    numbers: dict[str, Any] = {}
    groups: dict[str, list[bool | None]] = {"numeric": [], "object": []}
    gil: dict[str, list[float]] = {"numeric": [], "object": []}
    for w in ctx.workloads("C10"):
        g = group(w)
        c = speedup(ctx, w, "threads")
        if g is None or c is None:
            continue
        groups[g].append(gains(ctx.row(w, "threads"), ctx.row(w)) if g == "numeric"
                         else below(speedup(ctx, w, "threads", factor=flat_bar(n))))
        gm = ctx.row(w, "threads").get("gil_median")
        if rounded(gm) is not None:
            gil[g].append(gm)
        numbers[w] = {"group": g, "speedup": figure(c), "gil_median": rounded(gm)}
    if not groups["numeric"] or not groups["object"]:
        return missing(th, [f"{g} dataframe workloads under sync and threads-{n}" for g, v in groups.items() if not v],
                       numbers)
    gn = rounded(np.median(gil["numeric"])) if gil["numeric"] else None
    go = rounded(np.median(gil["object"])) if gil["object"] else None
    as_test = {"holds": True, "does not hold": False}
    tests = [as_test.get(majority(groups["numeric"])), as_test.get(majority(groups["object"]))]
    if gn is not None and go is not None:
        tests.append(gn < go)
    yes_n = sum(t is True for t in groups["numeric"])
    yes_o = sum(t is True for t in groups["object"])
    numbers.update({"numeric_faster": f"{yes_n}/{len(groups['numeric'])}", "object_not_faster":
                    f"{yes_o}/{len(groups['object'])}", "numeric_median_gil": gn, "object_median_gil": go})
    reason = (f"On threads-{n}: {yes_n} of {len(groups['numeric'])} numeric workloads faster than sync (GIL {gn}); "
              f"{yes_o} of {len(groups['object'])} object workloads not faster (GIL {go}).")
    return verdict(all_of(tests), numbers, th, reason)


def c10_questions(w: Any, n: int) -> list[Question]:
    g, t = group(w.name), label_at("threads", n)
    if g == "numeric":
        return [gain("C10", t, "sync")]
    return [ask("C10", t, "sync", flat_bar(n))] if g == "object" else []


C10 = Claim("C10", "pandas numeric ops release the GIL (threads pay off); object columns and apply hold it.",
            frozenset({"sync", "threads"}), True, verdict=c10, questions=c10_questions,
            plot=Plot("comparisons", "pandas on threads vs sync", "speedup on threads (× sync)"))
