"""The pure-Python claims: C3 (bags hold the GIL), C11 (text parsing), C14 (free-threaded).

>>> [c.id for c in (C3, C11, C14)], C14.free_threaded_only
(['C3', 'C11', 'C14'], True)
"""
from __future__ import annotations

import sys
from typing import Any

from reports.claims.arrays import c1_bar
from reports.claims.questions import Question, ask, ask_parallel, gain
from reports.claims.record import Claim, Plot
from reports.evidence import (UNSURE, Context, above, below, figure, flat_bar, gains, majority, missing, outcome_is,
                              rounded, speedup, verdict, versus)
from runners.records.kinds import label_at

__all__ = ["C3", "C11", "C14", "c3", "c11", "c14"]


def shipped_beside(ctx: Context, w: str, base: dict[str, Any] | None) -> dict[str, Any]:
    """The as-shipped processes figure beside the tuned one a GIL claim decides on: its time over *base*'s.

    C3 and C11 ask what processes can do about the GIL, so they read the kept pool; what
    ``scheduler="processes"`` as shipped gives (a pool started per compute) is shown, not decided on.
    """
    sh = ctx.row(w, "processes", shipped=True)
    if sh is None or base is None:
        return {}
    return {"processes_shipped_vs_" + ("sync" if base.get("kind") == "sync" else "threads"):
            figure(versus(sh, base)), "processes_shipped_median_s": rounded(sh.get("median_s"), 4)}


def _bag_tests(ctx: Context) -> tuple[list[bool | None], dict[str, Any]]:
    """Per C3 workload: threads flat (slower or equivalent) and processes faster than sync?"""
    tests, numbers = [], {}
    for w in ctx.workloads("C3"):
        if ctx.row(w) is None or ctx.row(w, "threads") is None:
            continue
        c_t, c_p = speedup(ctx, w, "threads"), speedup(ctx, w, "processes")
        if c_p is None:
            continue
        t_ok, p_ok = below(speedup(ctx, w, "threads", factor=flat_bar(ctx.n))), gains(ctx.row(w, "processes"), ctx.row(w))
        ok = False if False in (t_ok, p_ok) else (None if None in (t_ok, p_ok) else True)
        tests.append(ok)
        numbers[w] = {"threads_speedup": figure(c_t), "processes_speedup": figure(c_p),
                      "threads_gil": ctx.row(w, "threads").get("gil_median"), "agrees": ok,
                      **shipped_beside(ctx, w, ctx.row(w))}
    return tests, numbers


def c3(ctx: Context) -> dict[str, Any]:
    """Pure-Python bag work: threads give no speedup, processes do."""
    n = ctx.n
    th = (f"on more than half of the C3 workloads: threads-{n} less than {flat_bar(n)}× faster than sync (interval "
          f"below {flat_bar(n)}: no parallel speedup) and processes-{n} faster than sync (interval above 1)")
    tests, numbers = _bag_tests(ctx)
    if not tests:
        return missing(th, [f"C3 bag workloads under sync, threads-{n} and processes-{n}"])
    agree = sum(t is True for t in tests)
    return verdict(majority(tests), numbers, th,
                   f"{agree} of {len(tests)} pure-Python workloads: no thread speedup and a process speedup.")


def c11(ctx: Context) -> dict[str, Any]:
    """Parsing text is GIL-bound and belongs on processes."""
    n = ctx.n
    th = (f"processes-{n} faster than threads-{n} (interval above 1) on more than half of the C11 "
          f"text-parsing workloads; does not hold when at least half are not")
    tests, numbers = [], {}
    for w in ctx.workloads("C11"):
        tr, pr = ctx.row(w, "threads"), ctx.row(w, "processes")
        if tr is None or pr is None:
            continue
        c = versus(pr, tr)
        tests.append(gains(pr, tr))
        numbers[w] = {"processes_vs_threads": figure(c), "gil_threads": tr.get("gil_median"),
                      "bytes_moved_processes_mb": (pr.get("bytes_moved") or 0) / 1e6, **shipped_beside(ctx, w, tr)}
    if not tests:
        return missing(th, [f"C11 text-parsing workloads under threads-{n} and processes-{n}"])
    wins = sum(t is True for t in tests)
    return verdict(majority(tests), numbers, th, f"Processes beat threads on {wins} of {len(tests)} text-parsing workloads.")


def c14(ctx: Context) -> dict[str, Any]:
    """Without the GIL, pure-Python work scales on threads (C3's workloads).

    Decided only on a free-threaded build with the GIL off at run time.  Per C3
    workload: threads-N faster than sync by C1's bar (1 + 0.2 per extra core) and
    not slower than processes-N.  Holds on more than half; does not hold when
    at least half are decided the other way.  The single-thread cost of the
    free-threaded build (its sync time against a GIL build's) needs a second
    run: ``python -m reports.compare GIL_RUN FREE_THREADED_RUN`` reports it.
    """
    n = ctx.n
    bar = ctx.parallel(c1_bar(n))  # what parallel work must reach here, on the cores other users left
    th = (f"only on a free-threaded build with the GIL off: on more than half of the C3 workloads threads-{n} faster "
          f"than sync by more than {bar}× and less than {flat_bar(n)}× slower than processes-{n} (each by its interval; "
          f"a failed or missing processes row leaves the workload undecided)")
    state = {"gil_enabled": ctx.gil_enabled, "free_threaded_build": ctx.free_threaded,
             "gil_reenabled_by": ctx.meta.get("gil_reenabled_by") or []}
    if ctx.gil_enabled is None:
        return verdict(UNSURE, state, th, "The run did not record whether the GIL was enabled.")
    if ctx.gil_enabled:
        if not ctx.free_threaded:
            why = "a GIL (not a free-threaded build); C14 needs python3.13t/3.14t with the GIL off"
        elif state["gil_reenabled_by"]:
            why = (f"a free-threaded build whose GIL was re-enabled by {', '.join(state['gil_reenabled_by'])} "
                   f"(PYTHON_GIL=0 overrides, at your own risk)")
        else:
            why = "a free-threaded build with the GIL forced on (PYTHON_GIL=1 or -X gil=1)"
        return verdict(UNSURE, state, th, f"This interpreter has {why}.")
    if ctx.cores is None or ctx.cores < 2:
        return verdict(UNSURE, {**state, "cores": ctx.cores}, th, "Threads cannot scale on fewer than 2 cores.")
    tests, numbers = [], {}
    for w in ctx.workloads("C3"):
        t, p, s = ctx.row(w, "threads"), ctx.row(w, "processes"), ctx.row(w)
        if t is None or s is None:
            continue
        if p is None:
            return missing(th, [f"{w}@processes-{n} (skipped or not measured)"], state)
        up = outcome_is(versus(t, s, bar), "above")
        # Keeps up with processes when shown less than 1.25x slower than them (interval above 1/1.25);
        # shown slower: fails; undecided (a failed processes repeat, too few pairs): an undecided test.
        not_slower = above(versus(t, p, 1 / flat_bar(n)))
        tests.append(False if False in (up, not_slower) else (None if None in (up, not_slower) else True))
        numbers[w] = {"threads_speedup": figure(versus(t, s)), "threads_vs_processes": figure(versus(t, p)),
                      "agrees": tests[-1]}
    if len(tests) < 2:
        return missing(th, [f"at least two C3 workloads under sync, threads-{n} and processes-{n}"], state)
    numbers.update(state)
    agree = sum(t is True for t in tests)
    return verdict(majority(tests), numbers, th, f"With the GIL off, threads beat sync by {bar}× and kept up with "
                   f"processes on {agree} of {len(tests)} pure-Python workloads.")


def c3_questions(w: Any, n: int) -> list[Question]:
    return [ask("C3", label_at("threads", n), "sync", flat_bar(n)), gain("C3", label_at("processes", n), "sync")]


def c11_questions(w: Any, n: int) -> list[Question]:
    return [gain("C11", label_at("processes", n), label_at("threads", n))]


def c14_questions(w: Any, n: int) -> list[Question]:
    if getattr(sys, "_is_gil_enabled", lambda: True)():
        return []  # decided only with the GIL off: more rounds would not change "inconclusive"
    t = label_at("threads", n)
    return [ask_parallel("C14", t, "sync", c1_bar(n)), ask("C14", t, label_at("processes", n), 1 / flat_bar(n))]


_BAGS = frozenset({"sync", "threads", "processes"})

C3 = Claim("C3", "Pure-Python work holds the GIL: threads give no speedup, processes do (bag default).",
           _BAGS, True, verdict=c3, questions=c3_questions,
           plot=Plot("comparisons", "Threads and processes vs sync, pure Python", "speedup (× sync)"))
C11 = Claim("C11", "Parsing text is GIL-bound and belongs on processes.", _BAGS, True, verdict=c11,
            questions=c11_questions, plot=Plot("comparisons", "Processes vs threads, text parsing",
                                               "processes faster by (×)"))
C14 = Claim("C14", "Without the GIL (free-threaded CPython) pure-Python work scales on threads.", _BAGS, True,
            verdict=c14, questions=c14_questions, free_threaded_only=True,
            plot=Plot("comparisons", "Threads vs sync and processes with the GIL off", "speedup (×)"))
