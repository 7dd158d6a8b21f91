"""The array claims: C1 (NumPy releases the GIL), C2 (threads beat processes), C4 (stencils).

>>> [c.id for c in (C1, C2, C4)], c1_bar(2), c4_bar(8)
(['C1', 'C2', 'C4'], 1.2, 2.4)
"""
from __future__ import annotations

from typing import Any

from reports.claims.questions import Question, ask, ask_parallel, gain, same
from reports.claims.record import Claim, Plot, speedup_bar
from reports.evidence import (Context, above, all_of, below, figure, flat_bar, gains, majority, missing, outcome_is,
                              rounded, shown, speedup, verdict, versus)
from runners.records.kinds import KINDS, POOLS, label_at, pickles

__all__ = ["C1", "C2", "C4", "c1", "c2", "c4", "c1_bar", "c4_bar", "LEVEL", "SAME"]

LEVEL = flat_bar(2)  # C4's "levels off": threads-2N less than this much faster than threads-N
SAME = 1.25  # C4: NumPy on processes-N equivalent to threads-N within ±25 %
_STENCILS = ("stencil-python", "stencil-numpy")


def c1_bar(n: int) -> float:
    """C1's bar on threads-*n*: 1 + 0.2 per extra core, up to 4 (also C14's)."""
    return speedup_bar(n, 0.2)


def c4_bar(n: int) -> float:
    """C4's bar for NumPy on threads-*n*: 1 + 0.2 per extra core, every core."""
    return speedup_bar(n, 0.2, cap=None)


def _is_object(ctx: Context, w: str) -> bool:
    return ctx.param(w, "dtype") == "object" or "object" in w


def c1(ctx: Context) -> dict[str, Any]:
    """NumPy kernels release the GIL: dask.array speeds up on threads; object dtype does not."""
    n = ctx.n
    bar = ctx.parallel(c1_bar(n))
    th = (f"every NumPy C1 workload: threads-{n} faster than sync by more than {bar}× (1 + 0.2 per extra core "
          f"up to 4{ctx.free_note()}; the interval of the scaled samples above 1); the object-dtype contrast "
          f"below {bar}×; where sampled, the NumPy GIL contention below the object-dtype one")
    wls = [w for w in ctx.workloads("C1") if ctx.row(w) is not None and ctx.row(w, "threads") is not None]
    obj = [w for w in wls if _is_object(ctx, w)]
    num = [w for w in wls if not _is_object(ctx, w)]
    if not num or not obj:
        return missing(th, (["a NumPy C1 workload under sync and threads"] if not num else [])
                       + (["the object-dtype contrast under sync and threads"] if not obj else []))
    numbers: dict[str, Any] = {"bar": bar}
    tests: list[bool | None] = []
    go = ctx.row(obj[0], "threads").get("gil_median")
    numbers[obj[0]] = {"speedup": figure(speedup(ctx, obj[0], "threads")), "gil_median": rounded(go)}
    tests.append(outcome_is(speedup(ctx, obj[0], "threads", factor=bar), "below"))
    for w in num:
        g = ctx.row(w, "threads").get("gil_median")
        numbers[w] = {"speedup": figure(speedup(ctx, w, "threads")), "gil_median": rounded(g)}
        tests.append(outcome_is(speedup(ctx, w, "threads", factor=bar), "above"))
        if rounded(g) is not None and rounded(go) is not None:
            tests.append(g < go)
    gil = lambda g: "n/a" if g is None else g  # noqa: E731  (no GIL sampler: not applicable)
    sps = ", ".join(f"{w} {shown(numbers[w]['speedup'])} (GIL {gil(numbers[w]['gil_median'])})" for w in num)
    reason = (f"On threads-{n}: {sps} vs object dtype {shown(numbers[obj[0]]['speedup'])} (GIL {gil(rounded(go))}); "
              f"the bar is {bar}×.")
    return verdict(all_of(tests), numbers, th, reason)


def c1_questions(w: Any, n: int) -> list[Question]:
    return [ask_parallel("C1", label_at("threads", n), "sync", c1_bar(n))]


def c2(ctx: Context) -> dict[str, Any]:
    """For arrays, threads beat processes (and distributed), which must pickle chunks."""
    n = ctx.n
    th = (f"threads-{n} faster than processes-{n} and distributed-{n}x1 (where measured) on more than half of "
          f"the C2 array workloads (each interval above 1); does not hold when at least half are not")
    tests, numbers = [], {}
    for w in ctx.workloads("C2"):
        tr, pr = ctx.row(w, "threads"), ctx.row(w, "processes")
        if tr is None or pr is None:
            continue
        others = [pr] + [d for d in [ctx.row(w, "distributed")] if d is not None]
        cs = [versus(tr, o) for o in others]
        oks = [gains(tr, o) for o in others]
        tests.append(False if False in oks else (True if all(oks) else None))
        numbers[w] = {"threads_vs_processes": figure(cs[0]),
                      "threads_vs_distributed": figure(cs[1]) if len(cs) > 1 else None,
                      "bytes_moved_processes_mb": rounded((pr.get("bytes_moved") or 0) / 1e6, 2)}
    if not tests:
        return missing(th, [f"C2 array workloads under threads-{n} and processes-{n}"])
    wins = sum(t is True for t in tests)
    reason = f"Threads were faster than every multi-process spec on {wins} of {len(tests)} array workloads."
    return verdict(majority(tests), numbers, th, reason)


def c2_questions(w: Any, n: int) -> list[Question]:
    return [gain("C2", label_at("threads", n), label_at(k, n)) for k in KINDS if pickles(k)]


def c4(ctx: Context) -> dict[str, Any]:
    """Jacobi stencil: Python flat on threads; NumPy scales to the cores, levels off; processes ~ threads."""
    n = ctx.n
    bar = ctx.parallel(c4_bar(n))
    th = (f"stencil-python: threads-{n} less than {flat_bar(n)}× faster than sync (interval: flat); "
          f"stencil-numpy: threads-{n} faster than sync by more than {bar}×{ctx.free_note()}, threads-{2 * n} "
          f"less than {LEVEL}× faster than threads-{n} (levels off: doubling the threads past the cores gains less than the "
          f"suite's 'no speedup' bar for two workers), processes-{n} equivalent to threads-{n} within "
          f"±{SAME - 1:.0%}")
    py, nu = _STENCILS
    need = {(py, "sync", 1), (py, "threads", n), (nu, "sync", 1), (nu, "threads", n), (nu, "threads", 2 * n),
            (nu, "processes", n)}
    miss = [f"{w}@{label_at(k, m)}" for w, k, m in sorted(need) if ctx.row(w, k, m) is None]
    if miss:
        return missing(th, miss)
    c_py = speedup(ctx, py, "threads")
    c_level = versus(ctx.row(nu, "threads", 2 * n), ctx.row(nu, "threads"))
    c_pt = versus(ctx.row(nu, "processes"), ctx.row(nu, "threads"), margin=SAME)
    tests = [below(speedup(ctx, py, "threads", factor=flat_bar(n))), above(speedup(ctx, nu, "threads", factor=bar)),
             below(versus(ctx.row(nu, "threads", 2 * n), ctx.row(nu, "threads"), LEVEL)),
             outcome_is(c_pt, "equivalent")]
    # The speedup curves the dashboard draws: every pool size measured, over the workload's sync time.
    curves = {w: {r["scheduler"]: rounded(ctx.row(w)["median_s"] / r["median_s"])
                  for (x, _), r in ctx.rows.items() if x == w and r["kind"] in POOLS
                  and not r.get("as_shipped") and r.get("median_s") and ctx.ok(w)}
              for w in _STENCILS}
    numbers = {"python_speedup": figure(c_py), "numpy_speedup": figure(speedup(ctx, nu, "threads")),
               "numpy_bar": bar, "numpy_2n_vs_n": figure(c_level), "numpy_processes_vs_threads": figure(c_pt),
               "curves": curves}
    for key, tested_at in (("python_speedup", flat_bar(n)), ("numpy_speedup", bar), ("numpy_2n_vs_n", LEVEL)):
        if numbers[key] is not None:  # each figure beside the bar it was tested at (an undecided one is told by it)
            numbers[key]["bar"] = tested_at
    reason = (f"Python {shown(figure(c_py))} on threads-{n}; NumPy {shown(numbers['numpy_speedup'])} on threads-{n} "
              f"(bar {bar}×), threads-{2 * n} vs threads-{n} {shown(figure(c_level))}; NumPy processes vs threads "
              f"{shown(figure(c_pt))}.")
    return verdict(all_of(tests), numbers, th, reason)


def c4_questions(w: Any, n: int) -> list[Question]:
    t, s = label_at("threads", n), "sync"
    py, nu = _STENCILS
    if w.name == py:
        return [ask("C4", t, s, flat_bar(n))]
    if w.name == nu:
        return [ask_parallel("C4", t, s, c4_bar(n)), ask("C4", label_at("threads", 2 * n), t, LEVEL),
                same("C4", label_at("processes", n), t, SAME)]
    return []


C1 = Claim("C1", "NumPy kernels release the GIL, so dask.array speeds up under the threaded scheduler.",
           frozenset({"sync", "threads"}), True, verdict=c1, questions=c1_questions,
           plot=Plot("comparisons", "Threads vs sync, per array workload", "speedup on threads (× sync)"))
C2 = Claim("C2", "For array work threads beat processes, which must pickle chunks between workers.",
           frozenset(KINDS), False, verdict=c2, questions=c2_questions,
           plot=Plot("comparisons", "Threads vs processes and distributed", "threads faster by (×)"))
C4 = Claim("C4", "Jacobi stencil: pure Python flat on threads, NumPy scales to the cores then levels off, "
                 "processes about as fast as threads.", frozenset({"sync", "threads", "processes"}), True,
           verdict=c4, questions=c4_questions,
           plot=Plot("curves", "Stencil speedup by threads", "threads / workers"))
