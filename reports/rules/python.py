"""Rules of the pure-Python claims: C3 (bags hold the GIL), C11 (text parsing), C14 (free-threaded)."""
from __future__ import annotations

from typing import Any

from reports.evidence import (UNSURE, Context, figure, majority, missing, outcome_is, shown, speedup, verdict,
                              versus)

__all__ = ["c3", "c11", "c14"]


def _bag_tests(ctx: Context, threads_scale: bool) -> tuple[list[bool | None], dict[str, Any]]:
    """Per C3 workload: does it behave as the claim says (threads flat, processes faster; or threads faster)?"""
    tests, numbers = [], {}
    for w in ctx.workloads("C3"):
        if ctx.row(w) is None or ctx.row(w, "threads") is None:
            continue
        c_t, c_p = speedup(ctx, w, "threads"), speedup(ctx, w, "processes")
        if threads_scale:
            ok = outcome_is(c_t, "faster")
        else:
            if c_p is None:
                continue
            t_ok, p_ok = outcome_is(c_t, "slower", "equivalent"), outcome_is(c_p, "faster")
            ok = False if False in (t_ok, p_ok) else (None if None in (t_ok, p_ok) else True)
        tests.append(ok)
        numbers[w] = {"threads_speedup": figure(c_t), "processes_speedup": figure(c_p),
                      "threads_gil": ctx.row(w, "threads").get("gil_median"), "agrees": ok}
    return tests, numbers


def c3(ctx: Context) -> dict[str, Any]:
    """Pure-Python bag work: threads give no speedup, processes do."""
    n = ctx.n
    th = (f"on more than half of the C3 workloads: threads-{n} not faster than sync (slower, or equivalent "
          f"within ±10 %) and processes-{n} faster than sync (interval above 1)")
    tests, numbers = _bag_tests(ctx, threads_scale=False)
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
        tests.append(outcome_is(c, "faster"))
        numbers[w] = {"processes_vs_threads": figure(c), "gil_threads": tr.get("gil_median"),
                      "bytes_moved_processes_mb": (pr.get("bytes_moved") or 0) / 1e6}
    if not tests:
        return missing(th, [f"C11 text-parsing workloads under threads-{n} and processes-{n}"])
    wins = sum(t is True for t in tests)
    return verdict(majority(tests), numbers, th, f"Processes beat threads on {wins} of {len(tests)} text-parsing workloads.")


def c14(ctx: Context) -> dict[str, Any]:
    """Without the GIL, pure-Python work scales on threads (C3's workloads)."""
    n = ctx.n
    th = (f"only on a free-threaded interpreter with the GIL off: threads-{n} faster than sync (interval above 1) "
          f"on more than half of the C3 workloads")
    state = {"gil_enabled": ctx.gil_enabled, "free_threaded_build": ctx.free_threaded}
    if ctx.gil_enabled is None:
        return verdict(UNSURE, state, th, "The run did not record whether the GIL was enabled.")
    if ctx.gil_enabled:
        why = "a free-threaded build with the GIL re-enabled" if ctx.free_threaded else "a GIL (not a free-threaded build)"
        return verdict(UNSURE, state, th, f"This interpreter has {why}; C14 needs python3.13t/3.14t with the GIL off.")
    if ctx.cores is None or ctx.cores < 2:
        return verdict(UNSURE, {**state, "cores": ctx.cores}, th, "Threads cannot scale on fewer than 2 cores.")
    tests, numbers = _bag_tests(ctx, threads_scale=True)
    if not tests:
        return missing(th, ["C3 workloads under sync and threads"], state)
    numbers.update(state)
    agree = sum(t is True for t in tests)
    return verdict(majority(tests), numbers, th, f"With the GIL off, threads sped up {agree} of {len(tests)} "
                   f"pure-Python workloads ({', '.join(shown(v['threads_speedup']) for v in numbers.values() if isinstance(v, dict) and 'threads_speedup' in v)}).")
