"""Claim verdicts: one rule per claim of CLAIMS.md, decided from the statistics table.

Every rule is a function ``claim_cN(t, ctx) -> dict`` of the table of
:func:`reports.stats.table` and a :class:`Context` (cores, worker count, GIL
state, raw rows); :data:`CLAIMS` registers them with the claim's text and
whether it is a *scaling* claim (``inconclusive`` on one core).  A verdict is
``holds``, ``does not hold`` or ``inconclusive``, with the figures that decided
it (``numbers``), the rule in words with its numbers (``threshold``) and one
sentence (``reason``).

How spread enters (one rule for every threshold, :func:`judge`): a ratio with
its interval (ratio of quartiles, as ``speedup_lo``/``speedup_hi``) *clears* a
threshold when the whole interval is on the claim's side, or when its median is
and the one-sided Mann-Whitney test of :func:`reports.stats.faster` at that
factor agrees (p <= 0.05); it *misses* when the whole interval is on the wrong
side; otherwise the figure is undecided and so is the claim.  "Threads give no
speedup" means ``vs_sync`` is not ``faster`` (no speedup of at least 1.1x
confirmed by Mann-Whitney), "processes speed it up" means ``vs_sync == "faster"``.

>>> [c.id for c in CLAIMS][:3], len(CLAIMS)
(['C1', 'C2', 'C3'], 14)
>>> judge(Ratio(1.8, 1.6, 2.0, (), ()), 1.3), judge(Ratio(1.0, 0.9, 1.1, (), ()), 1.3)
(True, False)
"""
from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, Sequence

import numpy as np
import pandas as pd

from reports.stats import FACTOR, faster, summarise
from runners.spec import DEFAULT_SCHEDULER

if TYPE_CHECKING:
    from reports.load import Results

__all__ = [
    "HOLDS",
    "FAILS",
    "UNSURE",
    "Context",
    "Ratio",
    "Claim",
    "CLAIMS",
    "context",
    "decide",
    "ratio",
    "judge",
    "main_labels",
] + [f"claim_c{i}" for i in range(1, 15)]

HOLDS, FAILS, UNSURE = "holds", "does not hold", "inconclusive"


class Context(NamedTuple):
    """What a rule needs besides the table."""

    cores: int | None  # cores the run could use (meta), None when not recorded
    n: int  # worker count N of the main specs (threads-N, processes-N, distributed-Nx1)
    gil_enabled: bool | None
    free_threaded: bool | None
    rows: pd.DataFrame  # raw per-repeat rows (experiments read these)
    index: dict[tuple[str, str], pd.Series]  # (workload, scheduler) -> table row with a median
    openmp: bool | None = None  # were the prange kernels compiled with OpenMP (meta)


class Ratio(NamedTuple):
    """``num / den`` of two timed rows: median ratio, quartile interval, the raw times."""

    value: float
    lo: float
    hi: float
    num: Sequence[float]
    den: Sequence[float]


class Claim(NamedTuple):
    """One claim: its id, text, rule and whether it needs two cores to mean anything."""

    id: str
    text: str
    rule: Callable[[pd.DataFrame, Context], dict[str, Any]]
    scaling: bool


# --- helpers --------------------------------------------------------------------------

def main_labels(n: int) -> dict[str, str]:
    """Labels of the base specs at *n* workers.

    >>> main_labels(2)["distributed"]
    'distributed-2x1'
    """
    return {"sync": "sync", "threads": f"threads-{n}", "processes": f"processes-{n}",
            "distributed": f"distributed-{n}x1", "distributed-1xn": f"distributed-1x{n}"}


def _finite(x: Any) -> bool:
    try:
        return x is not None and math.isfinite(float(x))
    except (TypeError, ValueError):
        return False


def _r(x: Any, nd: int = 3) -> float | None:
    """Round for the numbers dict (None stays None)."""
    return round(float(x), nd) if _finite(x) else None


def context(table: pd.DataFrame, res: "Results | None") -> Context:
    """Collect cores, N, the GIL state and a row index for the rules."""
    meta = dict(getattr(res, "meta", None) or {})
    rows = getattr(res, "rows", None)
    rows = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame()
    cores = meta.get("cores") or meta.get("cpu_count")
    cores = int(cores) if _finite(cores) else None
    index: dict[tuple[str, str], pd.Series] = {}
    if not table.empty:
        for _, r in table.iterrows():
            if _finite(r.get("median_s")) and r.get("median_s") > 0 and r.get("n", 0):
                index[(r["workload"], r["scheduler"])] = r
    n = cores
    if n is None:  # not recorded: take the most common worker count of the threads specs
        thr = table[table["kind"] == "threads"]["nthreads"] if not table.empty and "kind" in table else []
        n = int(pd.Series(thr).mode().iloc[0]) if len(thr) else 1
    gil = meta.get("gil_enabled")
    ft = meta.get("free_threaded_build")
    return Context(cores=cores, n=max(int(n), 1), gil_enabled=None if gil is None else bool(gil),
                   free_threaded=None if ft is None else bool(ft), rows=rows, index=index,
                   openmp=meta.get("openmp_kernels"))


def _row(ctx: Context, workload: str, label: str) -> pd.Series | None:
    return ctx.index.get((workload, label))


def _times_row(times: Sequence[float]) -> pd.Series:
    """A stand-in table row for raw times (the experiments)."""
    return pd.Series({**summarise(times), "times": list(times)})


def ratio(num: pd.Series, den: pd.Series) -> Ratio:
    """``num / den`` of two rows' wall times, with the quartile interval.

    >>> a, b = _times_row([2.0, 2.1, 2.2]), _times_row([1.0, 1.0, 1.1])
    >>> round(ratio(a, b).value, 2)
    2.1
    """
    value = num["median_s"] / den["median_s"]
    lo = num["q1_s"] / den["q3_s"] if den["q3_s"] else value
    hi = num["q3_s"] / den["q1_s"] if den["q1_s"] else value
    return Ratio(float(value), float(lo), float(hi), list(num["times"]), list(den["times"]))


def judge(r: Ratio, threshold: float, above: bool = True) -> bool | None:
    """Does ratio *r* clear *threshold* (``>=`` when *above*, else ``<=``)?

    True: the interval is on the claim's side, or the median is and Mann-Whitney
    agrees at that factor; False: the interval is on the wrong side (or, for
    ``<=``, the median is above and Mann-Whitney confirms it); None: undecided.
    """
    if above:
        if r.lo >= threshold:
            return True
        if r.value >= threshold and faster(r.den, r.num, factor=threshold)[0] == "faster":
            return True
        return False if r.hi < threshold else None
    if r.hi <= threshold:
        return True
    if r.lo > threshold:
        return False
    if r.value > threshold and faster(r.den, r.num, factor=threshold)[0] == "faster":
        return False
    return None


def _rn(r: Ratio) -> dict[str, float | None]:
    return {"value": _r(r.value), "lo": _r(r.lo), "hi": _r(r.hi)}


def _sp(ctx: Context, wl: str, label: str) -> Ratio | None:
    """Speedup of *wl* under *label* vs sync (None when either is missing)."""
    s, x = _row(ctx, wl, "sync"), _row(ctx, wl, label)
    return ratio(s, x) if s is not None and x is not None else None


def _tri(oks: Sequence[bool | None]) -> str:
    """All True -> holds; any False -> does not hold; otherwise inconclusive."""
    if not oks:
        return UNSURE
    if any(o is False for o in oks):
        return FAILS
    return HOLDS if all(o is True for o in oks) else UNSURE


def _majority(agree: int, n: int) -> str:
    """More than half -> holds, fewer than half -> does not hold, exactly half -> inconclusive."""
    if n == 0 or 2 * agree == n:
        return UNSURE
    return HOLDS if 2 * agree > n else FAILS


def _out(verdict: str, numbers: dict[str, Any], threshold: str, reason: str) -> dict[str, Any]:
    return {"verdict": verdict, "numbers": numbers or {"missing": ["no figures"]},
            "threshold": threshold, "reason": reason}


def _missing(threshold: str, what: Sequence[str], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    what = list(dict.fromkeys(what))
    shown = ", ".join(what[:6]) + (f" and {len(what) - 6} more" if len(what) > 6 else "")
    return _out(UNSURE, {"missing": what, **(extra or {})}, threshold, f"Not measured: {shown}.")


def _members(t: pd.DataFrame, claim: str) -> list[str]:
    """Workloads of the table tagged with *claim*, in table order."""
    if t.empty or "claims" not in t:
        return []
    out = []
    for wl, cl in zip(t["workload"], t["claims"]):
        if isinstance(cl, (list, tuple, np.ndarray)) and claim in list(cl) and wl not in out:
            out.append(wl)
    return out


def _param(t: pd.DataFrame, wl: str, key: str) -> Any:
    m = t[t["workload"] == wl]
    if m.empty:
        return None
    p = m.iloc[0].get("params")
    return p.get(key) if isinstance(p, dict) else None


def _family(t: pd.DataFrame, family: str) -> list[str]:
    if t.empty or "family" not in t:
        return []
    return list(dict.fromkeys(t[t["family"] == family]["workload"]))


def _gil(row: pd.Series | None) -> float | None:
    return _r(row.get("gil_median")) if row is not None else None


def _mb(x: Any) -> float | None:
    return _r(float(x) / 1e6, 2) if _finite(x) else None


def _vs(row: pd.Series | None) -> str | None:
    return row.get("vs_sync") if row is not None else None


# --- the rules ------------------------------------------------------------------------

def claim_c1(t: pd.DataFrame, ctx: Context) -> dict[str, Any]:
    """NumPy kernels release the GIL: dask.array speeds up on threads; object dtype does not."""
    n = ctx.n
    thr = round(1 + 0.3 * (min(n, 4) - 1), 2)
    lab = main_labels(n)["threads"]
    th = (f"every NumPy C1 workload: speedup({lab} vs sync) >= {thr} (1 + 0.3 per extra core up to 4) "
          f"with its interval; NumPy speedup_lo above the object-dtype speedup_hi; "
          f"NumPy GIL median below the object-dtype one")
    wls = _members(t, "C1") or [w for w in ("array-transcendental", "array-stencil", "array-object-math")
                                if not t.empty and w in set(t["workload"])]
    obj = [w for w in wls if "object" in w]
    num = [w for w in wls if "object" not in w]
    miss = [f"{w}@{x}" for w in num + obj for x in ("sync", lab) if _row(ctx, w, x) is None]
    if not num:
        miss.insert(0, "array-transcendental (a NumPy C1 workload)")
    if not obj:
        miss.append("array-object-math (the object-dtype contrast)")
    if miss:
        return _missing(th, miss)
    numbers: dict[str, Any] = {"threshold": thr}
    oks: list[bool | None] = []
    o = obj[0]
    ro = _sp(ctx, o, lab)
    go = _gil(_row(ctx, o, lab))
    numbers[o] = {"speedup": _rn(ro), "gil_median": go}
    for w in num:
        r = _sp(ctx, w, lab)
        g = _gil(_row(ctx, w, lab))
        numbers[w] = {"speedup": _rn(r), "gil_median": g}
        oks.append(judge(r, thr))
        oks.append(True if r.lo > ro.hi else (False if r.value <= ro.value else None))
        oks.append(None if g is None or go is None else g < go)
    v = _tri(oks)
    sps = ", ".join(f"{w} {numbers[w]['speedup']['value']}x (GIL {numbers[w]['gil_median']})" for w in num)
    reason = (f"On {lab}: {sps} vs object dtype {_r(ro.value)}x (GIL {go}); "
              f"needed >= {thr}x and clearly above the contrast.")
    return _out(v, numbers, th, reason)


def claim_c2(t: pd.DataFrame, ctx: Context) -> dict[str, Any]:
    """For arrays, threads beat processes (and distributed), which must pickle chunks."""
    L = main_labels(ctx.n)
    th = (f"{L['threads']} significantly faster (>= {FACTOR}x, Mann-Whitney p <= 0.05) than "
          f"{L['processes']} and {L['distributed']} (where measured) on more than half of the C2 "
          f"array workloads; does not hold if processes/distributed is significantly faster on half or more")
    wls = _members(t, "C2") or [w for w in ("array-transcendental", "array-stencil", "array-matmul",
                                            "array-reduction") if not t.empty and w in set(t["workload"])]
    miss = [f"{w}@{x}" for w in wls for x in (L["threads"], L["processes"]) if _row(ctx, w, x) is None]
    if not wls:
        return _missing(th, ["C2 array workloads (array-transcendental, array-matmul, ...)"])
    numbers: dict[str, Any] = {}
    wins = losses = total = 0
    for w in wls:
        tr, pr = _row(ctx, w, L["threads"]), _row(ctx, w, L["processes"])
        if tr is None or pr is None:
            continue
        total += 1
        others = [("processes", pr)] + [("distributed", d) for d in [_row(ctx, w, L["distributed"])] if d is not None]
        beats = [faster(tr["times"], x["times"])[0] for _, x in others]
        wins += all(b == "faster" for b in beats)
        losses += any(b == "slower" for b in beats)
        d = _row(ctx, w, L["distributed"])
        numbers[w] = {"threads_s": _r(tr["median_s"]), "processes_s": _r(pr["median_s"]),
                      "distributed_s": _r(d["median_s"]) if d is not None else None,
                      "processes_over_threads": _r(pr["median_s"] / tr["median_s"]),
                      "bytes_moved_processes_mb": _mb(pr.get("bytes_moved")),
                      "bytes_moved_distributed_mb": _mb(d.get("bytes_moved")) if d is not None else None,
                      "threads_beat_all": all(b == "faster" for b in beats)}
    if total == 0:
        return _missing(th, miss)
    numbers.update({"workloads": total, "threads_win": wins, "threads_lose": losses})
    if miss:
        numbers["missing"] = miss
    if wins * 2 > total:
        v = HOLDS
    elif losses * 2 >= total:
        v = FAILS
    else:
        v = UNSURE
    reason = (f"Threads were significantly faster than every multi-process spec on {wins} of {total} "
              f"array workloads and beaten on {losses}.")
    return _out(v, numbers, th, reason)


def _c3_like(t: pd.DataFrame, ctx: Context, claim: str, expect_threads: bool) -> tuple[str, dict[str, Any], int, int, list[str]]:
    """Shared by C3 and C14: per bag workload, threads' and processes' vs_sync."""
    L = main_labels(ctx.n)
    wls = _members(t, "C3") or [w for w in ("bag-logparse", "bag-json", "bag-wordcount", "stdlib-re", "stdlib-ast")
                                if not t.empty and w in set(t["workload"])]
    miss = [f"{w}@{x}" for w in wls for x in ("sync", L["threads"], L["processes"]) if _row(ctx, w, x) is None]
    numbers: dict[str, Any] = {}
    agree = total = 0
    for w in wls:
        tr, pr = _row(ctx, w, L["threads"]), _row(ctx, w, L["processes"])
        if _row(ctx, w, "sync") is None or tr is None or (pr is None and not expect_threads):
            continue
        total += 1
        t_ok = (_vs(tr) == "faster") if expect_threads else (_vs(tr) != "faster")
        p_ok = True if expect_threads else _vs(pr) == "faster"
        agree += bool(t_ok and p_ok)
        numbers[w] = {"threads_speedup": _rn(_sp(ctx, w, L["threads"])), "threads_vs_sync": _vs(tr),
                      "threads_gil": _gil(tr),
                      "processes_speedup": _rn(_sp(ctx, w, L["processes"])) if pr is not None else None,
                      "processes_vs_sync": _vs(pr), "agrees": bool(t_ok and p_ok)}
    if miss:
        numbers["missing"] = miss
    return _majority(agree, total), numbers, agree, total, wls


def claim_c3(t: pd.DataFrame, ctx: Context) -> dict[str, Any]:
    """Pure-Python bag work: threads give no speedup, processes do."""
    L = main_labels(ctx.n)
    th = (f"on more than half of the C3 bag workloads: {L['threads']} not significantly faster than sync "
          f"(vs_sync != 'faster', i.e. no confirmed speedup >= {FACTOR}x) and {L['processes']} significantly "
          f"faster (vs_sync == 'faster': >= {FACTOR}x and Mann-Whitney p <= 0.05)")
    v, numbers, agree, total, wls = _c3_like(t, ctx, "C3", expect_threads=False)
    if total == 0:
        return _missing(th, numbers.get("missing") or ["C3 bag workloads (bag-logparse, bag-json, ...)"])
    return _out(v, numbers, th, f"{agree} of {total} bag workloads had no thread speedup and a confirmed "
                f"process speedup.")


def claim_c4(t: pd.DataFrame, ctx: Context) -> dict[str, Any]:
    """Jacobi stencil: Python flat on threads; NumPy scales to the cores, levels off; processes ~ threads."""
    n = ctx.n
    eff = 0.7
    thr = round(eff * n, 2)
    L = main_labels(n)
    top = f"threads-{2 * n}"
    th = (f"stencil-python: {L['threads']} not significantly faster than sync (vs_sync != 'faster'); "
          f"stencil-numpy: speedup({L['threads']}) >= {thr} (70 % efficiency) with its interval, "
          f"speedup({top}) <= 1.25 x speedup({L['threads']}) (levels off), "
          f"{L['processes']}/{L['threads']} within 0.8..1.25")
    py, nu = "stencil-python", "stencil-numpy"
    need = [(py, "sync"), (py, L["threads"]), (nu, "sync"), (nu, L["threads"]), (nu, top), (nu, L["processes"])]
    miss = [f"{w}@{x}" for w, x in need if _row(ctx, w, x) is None]
    if miss:
        return _missing(th, miss)
    rpy = _sp(ctx, py, L["threads"])
    rn, r2n = _sp(ctx, nu, L["threads"]), _sp(ctx, nu, top)
    pt = ratio(_row(ctx, nu, L["processes"]), _row(ctx, nu, L["threads"]))
    curve = {}
    for w in (py, nu):
        pts = {}
        for k in range(1, 2 * n + 1):
            for kind in ("threads", "processes"):
                r = _sp(ctx, w, f"{kind}-{k}")
                if r is not None:
                    pts[f"{kind}-{k}"] = _r(r.value)
        curve[w] = pts
    level = r2n.value / rn.value
    oks = [
        _vs(_row(ctx, py, L["threads"])) != "faster",
        judge(rn, thr),
        level <= 1.25,
        0.8 <= pt.value <= 1.25,
    ]
    numbers = {"python_speedup": _rn(rpy), "numpy_speedup": _rn(rn), "numpy_speedup_2n": _rn(r2n),
               "numpy_level_off": _r(level), "numpy_processes_over_threads": _rn(pt),
               "efficiency_threshold": thr, "curves": curve}
    reason = (f"Python {_r(rpy.value)}x on {L['threads']}; NumPy {_r(rn.value)}x on {L['threads']}, "
              f"{_r(r2n.value)}x on {top}; NumPy processes/threads {_r(pt.value)}.")
    return _out(_tri(oks), numbers, th, reason)


def _pair_ratio(ctx: Context, num: str, den: str, label: str) -> Ratio | None:
    a, b = _row(ctx, num, label), _row(ctx, den, label)
    return ratio(a, b) if a is not None and b is not None else None


def claim_c5(t: pd.DataFrame, ctx: Context) -> dict[str, Any]:
    """A nogil kernel runs in parallel on threads; the GIL-holding twin serialises."""
    n = ctx.n
    thr = round(1 + 0.6 * (min(n, 4) - 1), 2)
    lab = main_labels(n)["threads"]
    th = (f"wall(gil)/wall(nogil) under {lab} >= {thr} (1 + 0.6 per extra core up to 4; ideal {min(n, 4)}) "
          f"with its interval, for both kernel-sleep and kernel-compute")
    pairs = [("kernel-sleep-gil", "kernel-sleep-nogil"), ("kernel-compute-gil", "kernel-compute-nogil")]
    miss = [f"{w}@{lab}" for p in pairs for w in p if _row(ctx, w, lab) is None]
    if miss:
        return _missing(th, miss)
    numbers: dict[str, Any] = {"threshold": thr}
    oks = []
    for g, ng in pairs:
        r = _pair_ratio(ctx, g, ng, lab)
        numbers[g.rsplit("-", 1)[0]] = {"gil_over_nogil": _rn(r), "gil_median_held": _gil(_row(ctx, g, lab)),
                                        "gil_median_released": _gil(_row(ctx, ng, lab))}
        oks.append(judge(r, thr))
    reason = (f"Under {lab} the GIL-holding kernel took {numbers['kernel-sleep']['gil_over_nogil']['value']}x "
              f"(sleep) and {numbers['kernel-compute']['gil_over_nogil']['value']}x (compute) the time of "
              f"the releasing one.")
    return _out(_tri(oks), numbers, th, reason)


def claim_c6(t: pd.DataFrame, ctx: Context) -> dict[str, Any]:
    """Releasing the GIL does not make one thread faster."""
    th = "wall(gil)/wall(nogil) under sync within 0.9..1.1, or its quartile interval covers 1, for sleep and compute"
    pairs = [("kernel-sleep-gil", "kernel-sleep-nogil"), ("kernel-compute-gil", "kernel-compute-nogil")]
    miss = [f"{w}@sync" for p in pairs for w in p if _row(ctx, w, "sync") is None]
    if miss:
        return _missing(th, miss)
    numbers: dict[str, Any] = {}
    oks = []
    for g, ng in pairs:
        r = _pair_ratio(ctx, g, ng, "sync")
        numbers[g.rsplit("-", 1)[0]] = {"gil_over_nogil": _rn(r)}
        oks.append(0.9 <= r.value <= 1.1 or r.lo <= 1.0 <= r.hi)
    reason = (f"On one thread the GIL-holding kernel took {numbers['kernel-sleep']['gil_over_nogil']['value']}x "
              f"(sleep) and {numbers['kernel-compute']['gil_over_nogil']['value']}x (compute) the releasing one's time.")
    return _out(_tri(oks), numbers, th, reason)


def _k(t: pd.DataFrame, wl: str) -> int | None:
    k = _param(t, wl, "k")
    if _finite(k):
        return int(k)
    m = re.search(r"-k(\d+)$", wl)
    return int(m.group(1)) if m else None


def claim_c7(t: pd.DataFrame, ctx: Context) -> dict[str, Any]:
    """Re-taking the GIL in the hot loop loses the parallel speedup."""
    lab = main_labels(ctx.n)["threads"]
    lo_thr, hi_thr = 1.2, 1.3
    th = (f"per family (kernel-retake, kernel-callback): speedup({lab} vs sync) <= {lo_thr} at the smallest k "
          f"and >= {hi_thr} at the largest k, each with its interval")
    numbers: dict[str, Any] = {}
    oks: list[bool | None] = []
    miss = []
    for fam in ("kernel-retake", "kernel-callback"):
        wls = _family(t, fam)
        ks = sorted((k, w) for w in wls if (k := _k(t, w)) is not None)
        sp = {k: _sp(ctx, w, lab) for k, w in ks}
        have = [(k, r) for k, r in sp.items() if r is not None]
        if len(have) < 2:
            miss.append(f"{fam} at two k or more under sync and {lab}")
            continue
        (k0, r0), (k1, r1) = have[0], have[-1]
        numbers[fam] = {f"k{k}": _rn(r) for k, r in have}
        oks += [judge(r0, lo_thr, above=False), judge(r1, hi_thr)]
    if not numbers:
        return _missing(th, miss)
    if miss:
        numbers["missing"] = miss
    parts = "; ".join(f"{f}: " + ", ".join(f"{k} {v['value']}x" for k, v in d.items())
                      for f, d in numbers.items() if f != "missing")
    return _out(_tri(oks), numbers, th, f"Speedup on {lab} by k: {parts}.")


def claim_c8(t: pd.DataFrame, ctx: Context) -> dict[str, Any]:
    """Library threads (prange/BLAS) oversubscribe the scheduler's threads."""
    lab = main_labels(ctx.n)["threads"]
    thr = 1.1
    th = f"time(library threads = cores)/time(library threads = 1) under {lab} >= {thr} with its interval, for each family"
    fams = [("kernel-prange", "kernel-prange-libcores", "kernel-prange-lib1"),
            ("array-matmul-blas", "array-matmul-blascores", "array-matmul-blas1")]
    numbers: dict[str, Any] = {}
    oks = []
    miss = []
    for fam, many, one in fams:
        if fam == "kernel-prange" and ctx.openmp is False:
            # Built without OpenMP, prange runs serially: nothing to oversubscribe.
            numbers[fam] = {"skipped": "kernels built without OpenMP; prange ran serially"}
            continue
        r = _pair_ratio(ctx, many, one, lab)
        if r is None:
            miss += [f"{w}@{lab}" for w in (many, one) if _row(ctx, w, lab) is None]
            continue
        numbers[fam] = {"libcores_over_lib1": _rn(r), "libcores_s": _r(_row(ctx, many, lab)["median_s"]),
                        "lib1_s": _r(_row(ctx, one, lab)["median_s"]),
                        "cores_used_libcores": _r(_row(ctx, many, lab).get("cores_used"))}
        oks.append(judge(r, thr))
    if not oks:
        return _missing(th, miss)
    if miss:
        numbers["missing"] = miss
    parts = ", ".join(f"{f} {d['libcores_over_lib1']['value']}x" for f, d in numbers.items()
                      if f != "missing" and "libcores_over_lib1" in d)
    return _out(_tri(oks), numbers, th, f"Library threads = cores vs 1 under {lab}: {parts}.")


def _per_task(row: pd.Series) -> float | None:
    for col in ("ntasks", "ntasks_graph", "size"):
        k = row.get(col)
        if _finite(k) and float(k) > 0:
            return float(row["median_s"]) / float(k) * 1e6
    return None


def claim_c9(t: pd.DataFrame, ctx: Context) -> dict[str, Any]:
    """Per-task overhead: sync < threads < processes < distributed; break-even task size."""
    L = main_labels(ctx.n)
    order = [L["sync"], L["threads"], L["processes"], L["distributed"]]
    th = (f"delayed-null per-task time ordered {' <= '.join(order)} (no neighbour significantly faster than "
          f"the one before it: ties within noise allowed) and {L['distributed']} significantly slower than sync; "
          f"break-even = smallest delayed-busy task_us where the spec's vs_sync is 'faster' (reported)")
    rows = {lab: _row(ctx, "delayed-null", lab) for lab in order}
    miss = [f"delayed-null@{lab}" for lab, r in rows.items() if r is None]
    if miss:
        return _missing(th, miss)
    per = {lab: _r(r["per_task_us"] if _finite(r.get("per_task_us")) else _per_task(r), 1) for lab, r in rows.items()}
    inversions = [f"{b} < {a}" for a, b in zip(order, order[1:])
                  if faster(rows[b]["times"], rows[a]["times"])[0] == "faster"]
    ends = faster(rows[order[0]]["times"], rows[order[-1]]["times"])[0] == "faster"
    busy = sorted((int(us), w) for w in _family(t, "delayed-busy")
                  if _finite(us := (_param(t, w, "task_us") or (re.findall(r"\d+$", w) or [None])[0])))
    breakeven: dict[str, Any] = {}
    for lab in order[1:] + [L["distributed-1xn"]]:
        pays = [us for us, w in busy if _vs(_row(ctx, w, lab)) == "faster"]
        tried = [us for us, w in busy if _row(ctx, w, lab) is not None]
        breakeven[lab] = min(pays) if pays else (f"> {max(tried)}" if tried else None)
    numbers = {"per_task_us": per, "inversions": inversions, "distributed_slower_than_sync": ends,
               "break_even_task_us": breakeven}
    if not busy:
        numbers["missing"] = ["delayed-busy-* (break-even not measured)"]
    v = FAILS if inversions or not ends else HOLDS
    reason = ("Per-task µs " + ", ".join(f"{k} {x}" for k, x in per.items())
              + (f"; significant inversions: {', '.join(inversions)}" if inversions else "; no significant inversion")
              + ".")
    return _out(v, numbers, th, reason)


def _df_group(wl: str) -> str | None:
    if "str-object" in wl or wl.endswith("apply"):
        return "object"
    if any(s in wl for s in ("groupby", "join", "str-arrow")):
        return "numeric"
    return None


def claim_c10(t: pd.DataFrame, ctx: Context) -> dict[str, Any]:
    """pandas numeric ops release the GIL (threads pay off); object-dtype/apply hold it."""
    lab = main_labels(ctx.n)["threads"]
    th = (f"under {lab}: more than half of the numeric dataframe workloads (groupby, join, str-arrow) "
          f"significantly faster than sync (vs_sync == 'faster'); their median speedup above the object "
          f"ones' (str-object, apply); their median GIL contention below the object ones'")
    wls = _members(t, "C10")
    groups: dict[str, list[str]] = {"numeric": [], "object": []}
    numbers: dict[str, Any] = {}
    for w in wls:
        g = _df_group(w)
        r = _sp(ctx, w, lab)
        if r is None:
            continue
        numbers[w] = {"group": g or "other", "speedup": _rn(r), "vs_sync": _vs(_row(ctx, w, lab)),
                      "gil_median": _gil(_row(ctx, w, lab))}
        if g:
            groups[g].append(w)
    if not groups["numeric"] or not groups["object"]:
        return _missing(th, [f"{g} dataframe workloads under sync and {lab}" for g, v in groups.items() if not v],
                        numbers)

    def med(ws: list[str], key: str) -> float | None:
        xs = [numbers[w][key]["value"] if key == "speedup" else numbers[w][key] for w in ws]
        xs = [x for x in xs if x is not None]
        return _r(float(np.median(xs))) if xs else None

    n_fast = sum(numbers[w]["vs_sync"] == "faster" for w in groups["numeric"])
    sn, so = med(groups["numeric"], "speedup"), med(groups["object"], "speedup")
    gn, go = med(groups["numeric"], "gil_median"), med(groups["object"], "gil_median")
    numbers.update({"numeric_faster": f"{n_fast}/{len(groups['numeric'])}", "numeric_median_speedup": sn,
                    "object_median_speedup": so, "numeric_median_gil": gn, "object_median_gil": go})
    oks = [2 * n_fast > len(groups["numeric"]), sn > so, None if gn is None or go is None else gn < go]
    reason = (f"Numeric median speedup {sn}x (GIL {gn}, {n_fast}/{len(groups['numeric'])} significant) "
              f"vs object {so}x (GIL {go}) on {lab}.")
    return _out(_tri(oks), numbers, th, reason)


def claim_c11(t: pd.DataFrame, ctx: Context) -> dict[str, Any]:
    """Parsing text is GIL-bound and belongs on processes."""
    L = main_labels(ctx.n)
    th = (f"{L['processes']} significantly faster than {L['threads']} (>= {FACTOR}x, Mann-Whitney p <= 0.05) "
          f"on more than half of the C11 text-parsing workloads; fewer than half -> does not hold")
    wls = _members(t, "C11") or [w for w in ("bag-logparse", "stdlib-re", "flights-read-csv-c",
                                             "flights-read-csv-arrow") if not t.empty and w in set(t["workload"])]
    numbers: dict[str, Any] = {}
    wins = total = 0
    miss = []
    for w in wls:
        tr, pr = _row(ctx, w, L["threads"]), _row(ctx, w, L["processes"])
        if tr is None or pr is None:
            miss += [f"{w}@{x}" for x, r in ((L["threads"], tr), (L["processes"], pr)) if r is None]
            continue
        total += 1
        v, p = faster(pr["times"], tr["times"])
        wins += v == "faster"
        numbers[w] = {"threads_over_processes": _rn(ratio(tr, pr)), "verdict": v, "p": _r(p),
                      "gil_threads": _gil(tr), "bytes_moved_processes_mb": _mb(pr.get("bytes_moved"))}
    if total == 0:
        return _missing(th, miss or ["C11 text-parsing workloads (bag-logparse, stdlib-re, flights-read-csv-*)"])
    if miss:
        numbers["missing"] = miss
    return _out(_majority(wins, total), numbers, th,
                f"Processes beat threads significantly on {wins} of {total} text-parsing workloads.")


def _why(default: pd.Series, best: pd.Series) -> str:
    """Why the default lost to *best*, in a few words."""
    bits = []
    g = default.get("gil_median")
    if default.get("kind") == "threads" and _finite(g) and g >= 0.5:
        bits.append(f"GIL contention {g:.2f} under {default['scheduler']}")
    b = default.get("bytes_moved")
    if default.get("kind") in ("processes", "distributed") and _finite(b) and b > 0:
        bits.append(f"{default['scheduler']} moved {b / 1e6:.1f} MB")
    if best.get("kind") == "sync":
        bits.append("parallelism did not pay for its overhead")
    return "; ".join(bits) or "scheduler overhead"


def claim_c12(t: pd.DataFrame, ctx: Context) -> dict[str, Any]:
    """Dask's default scheduler per collection is the best or within noise of it."""
    L = main_labels(ctx.n)
    base = list(dict.fromkeys(L.values()))
    th = (f"per collection, summing the C12 workloads' repeat times: the best base spec ({', '.join(base)}) "
          f"is not significantly faster than the default (faster(): >= {FACTOR}x and Mann-Whitney p <= 0.05); "
          f"holds when that is so for every measured collection")
    wls = _members(t, "C12")
    numbers: dict[str, Any] = {}
    oks = []
    miss = []
    for coll, kind in DEFAULT_SCHEDULER.items():
        dlab = f"{kind}-{ctx.n}"
        cw = [w for w in wls if t[t["workload"] == w].iloc[0]["collection"] == coll]
        cw = [w for w in cw if _row(ctx, w, dlab) is not None]
        if not cw:
            miss.append(f"{coll}: no C12 workload measured under {dlab}")
            continue
        totals = {}
        for lab in base:
            rs = [_row(ctx, w, lab) for w in cw]
            if any(r is None for r in rs):
                continue
            m = min(len(r["times"]) for r in rs)
            if m:
                totals[lab] = [sum(r["times"][i] for r in rs) for i in range(m)]
        best = min(totals, key=lambda k: float(np.median(totals[k])))
        loses = best != dlab and faster(totals[best], totals[dlab])[0] == "faster"
        losers = []
        for w in cw:
            d = _row(ctx, w, dlab)
            cands = [(lab, r) for lab in base if (r := _row(ctx, w, lab)) is not None]
            blab, br = min(cands, key=lambda x: x[1]["median_s"])
            if blab != dlab and faster(br["times"], d["times"])[0] == "faster":
                losers.append({"workload": w, "best": blab, "default_over_best": _r(d["median_s"] / br["median_s"]),
                               "why": _why(d, br)})
        numbers[coll] = {"default": dlab, "best": best,
                         "default_over_best": _r(np.median(totals[dlab]) / np.median(totals[best])),
                         "workloads": len(cw), "default_loses": loses, "losing_workloads": losers}
        oks.append(not loses)
    if not oks:
        return _missing(th, miss)
    if miss:
        numbers["missing"] = miss
    lost = [c for c, d in numbers.items() if c != "missing" and d["default_loses"]]
    reason = ("The default was best or within noise for every measured collection." if not lost else
              "The default lost significantly on " + ", ".join(
                  f"{c} ({numbers[c]['default']} {numbers[c]['default_over_best']}x of {numbers[c]['best']})"
                  for c in lost) + ".")
    return _out(HOLDS if all(oks) else FAILS, numbers, th, reason)


def claim_c13(t: pd.DataFrame, ctx: Context) -> dict[str, Any]:
    """A GIL-holding thread delays GIL-releasing ones; a shorter switch interval helps."""
    thr = 1.2
    th = (f"convoy slowdown = wall(beside spinner)/wall(alone) at 5 ms >= {thr} with its interval, "
          f"and above the slowdown at 0.5 ms (intervals apart; median not above -> does not hold)")
    rows = ctx.rows
    if rows.empty or "workload" not in rows:
        return _missing(th, ["convoy experiment rows (run without --no-experiments)"])
    g = rows[(rows["workload"] == "convoy") & (rows["status"].fillna("ok") == "ok")]
    cells: dict[tuple[bool, float], list[float]] = {}
    for r in g.itertuples():
        p = r.params if isinstance(r.params, dict) else {}
        if _finite(r.wall_s) and "spinner" in p and _finite(p.get("switch_interval_ms")):
            cells.setdefault((bool(p["spinner"]), float(p["switch_interval_ms"])), []).append(float(r.wall_s))
    need = [(s, ms) for ms in (5.0, 0.5) for s in (False, True)]
    miss = [f"convoy spinner={s} switch_interval={ms} ms" for s, ms in need if not cells.get((s, ms))]
    if miss:
        return _missing(th, miss)
    s5 = ratio(_times_row(cells[(True, 5.0)]), _times_row(cells[(False, 5.0)]))
    s05 = ratio(_times_row(cells[(True, 0.5)]), _times_row(cells[(False, 0.5)]))
    larger = True if s5.lo > s05.hi else (False if s5.value <= s05.value else None)
    numbers = {"slowdown_5ms": _rn(s5), "slowdown_0_5ms": _rn(s05),
               "alone_5ms_s": _r(np.median(cells[(False, 5.0)]), 4), "spinner_5ms_s": _r(np.median(cells[(True, 5.0)]), 4)}
    reason = (f"Beside a spinning Python thread the GIL-releasing calls took {_r(s5.value)}x as long at a 5 ms "
              f"switch interval and {_r(s05.value)}x at 0.5 ms.")
    return _out(_tri([judge(s5, thr), larger]), numbers, th, reason)


def claim_c14(t: pd.DataFrame, ctx: Context) -> dict[str, Any]:
    """Without the GIL, pure-Python bag work scales on threads."""
    lab = main_labels(ctx.n)["threads"]
    th = (f"only on a free-threaded interpreter with the GIL off: {lab} significantly faster than sync "
          f"(vs_sync == 'faster') on more than half of the C3 bag workloads")
    state = {"gil_enabled": ctx.gil_enabled, "free_threaded_build": ctx.free_threaded}
    if ctx.gil_enabled is None:
        return _out(UNSURE, state, th, "The run did not record whether the GIL was enabled.")
    if ctx.gil_enabled:
        why = "a free-threaded build with the GIL re-enabled" if ctx.free_threaded else "a GIL (not a free-threaded build)"
        return _out(UNSURE, state, th, f"This interpreter has {why}; C14 needs python3.13t/3.14t with the GIL off.")
    if ctx.cores is None or ctx.cores < 2:
        return _out(UNSURE, {**state, "cores": ctx.cores}, th, "Threads cannot scale on fewer than 2 cores.")
    v, numbers, agree, total, _ = _c3_like(t, ctx, "C3", expect_threads=True)
    if total == 0:
        return _missing(th, numbers.get("missing") or ["C3 bag workloads"], state)
    numbers.update(state)
    return _out(v, numbers, th, f"With the GIL off, threads sped up {agree} of {total} bag workloads significantly.")


CLAIMS: list[Claim] = [
    Claim("C1", "NumPy kernels release the GIL, so dask.array speeds up under the threaded scheduler.", claim_c1, True),
    Claim("C2", "For array work threads beat processes, which must pickle chunks between workers.", claim_c2, False),
    Claim("C3", "Pure-Python work holds the GIL: threads give no speedup, processes do (bag default).", claim_c3, True),
    Claim("C4", "Jacobi stencil: pure Python flat on threads, NumPy scales to the cores then levels off, "
                "processes about as fast as threads.", claim_c4, True),
    Claim("C5", "A compiled kernel that releases the GIL runs in parallel on threads; holding it serialises.",
          claim_c5, True),
    Claim("C6", "Releasing the GIL does not make single-threaded code faster.", claim_c6, False),
    Claim("C7", "A kernel that re-takes the GIL in its hot loop loses the parallel speedup.", claim_c7, True),
    Claim("C8", "Library threads (prange/OpenMP, BLAS) oversubscribe the scheduler's threads.", claim_c8, True),
    Claim("C9", "Per-task overhead: sync < threads < processes < distributed; tiny tasks do not pay.", claim_c9, False),
    Claim("C10", "pandas numeric ops release the GIL (threads pay off); object columns and apply hold it.",
          claim_c10, True),
    Claim("C11", "Parsing text is GIL-bound and belongs on processes.", claim_c11, True),
    Claim("C12", "Dask's default scheduler per collection is the best or within noise of the best.", claim_c12, False),
    Claim("C13", "A GIL-holding Python thread delays GIL-releasing threads (switch interval convoy).", claim_c13, True),
    Claim("C14", "Without the GIL (free-threaded CPython) pure-Python work scales on threads.", claim_c14, True),
]


def decide(table: pd.DataFrame, res: "Results | None") -> list[dict[str, Any]]:
    """A verdict for every claim C1..C14, in order, from *table* and the run *res*.

    Parameters
    ----------
    table
        The statistics table of :func:`reports.stats.table` (may be empty).
    res
        The loaded run (``meta`` for cores and the GIL state, ``rows`` for the
        experiments); ``None`` reads as an empty run.

    Returns
    -------
    list of dict
        ``{id, claim, verdict, numbers, threshold, reason}`` per claim.
    """
    table = table if isinstance(table, pd.DataFrame) else pd.DataFrame()
    ctx = context(table, res)
    out = []
    for c in CLAIMS:
        if c.scaling and (ctx.cores is None or ctx.cores < 2) and c.id != "C14":
            why = "cores not recorded" if ctx.cores is None else f"{ctx.cores} core"
            v = _out(UNSURE, {"cores": ctx.cores}, "needs at least 2 cores",
                     f"A scaling claim cannot be tested with {why}: parallel workers have no core to run on.")
            # Still state the rule that would apply.
            try:
                v["threshold"] = c.rule(table, ctx)["threshold"]
            except Exception:
                pass
        else:
            try:
                v = c.rule(table, ctx)
            except Exception as e:  # a rule must never take the whole report down
                v = _out(UNSURE, {"error": f"{type(e).__name__}: {e}"}, "", f"The rule failed: {type(e).__name__}: {e}.")
        out.append({"id": c.id, "claim": c.text, **v})
    return out
