"""Synthetic runs for the claims' tests: the rows under which each claim holds, and the helpers that decide them.

Each factory returns row groups (lists of raw rows, see :func:`_factories.timed`) that make its claim hold on
2 cores with the defaults; its arguments move one figure so that the claim fails or cannot decide.
"""
from __future__ import annotations

import pandas as pd

from _factories import timed
from reports import table as stattable
from reports.claims import CLAIMS, IDS, decide
from reports.evidence import context
from runners.records import RunRecord

__all__ = ["ctx_of", "decided", "verdict", "alone", "c1", "c2", "c4", "bags", "parsing", "kernels", "retake",
           "prange", "blas", "c9", "frames", "arrays12", "convoy", "SCALING", "everything", "IDS", "cmp", "summary_claim"]


def ctx_of(*groups, cores=2, gil_enabled=True, extra=(), free=None):
    """The claims' context of the given row groups on a machine with *cores* cores, *free* of them left by other
    users (None: not measured)."""
    rows = pd.DataFrame([r for g in groups for r in g] + list(extra))
    t = stattable.table(rows) if len(rows) else pd.DataFrame()
    meta = {"cores": cores, "gil_enabled": gil_enabled, "free_threaded_build": not gil_enabled}
    return context(t, meta, rows if len(rows) else None, free=free)


def decided(ctx, resamples=0):
    """Every claim's verdict on *ctx*, by id (no reruns drawn unless asked)."""
    return {v["id"]: v for v in decide(ctx, resamples=resamples)}


def verdict(cid, *groups, **kw):
    """Claim *cid*'s verdict, as :func:`reports.claims.decide` gives it, on the row groups."""
    return decided(ctx_of(*groups, **kw))[cid]


def alone(cid, *groups, **kw):
    """Claim *cid*'s own verdict function on the row groups (no core gate, no agreement)."""
    return CLAIMS[cid].verdict(ctx_of(*groups, **kw))


# --- C1, C2, C4 (arrays) -------------------------------------------------------------------------

def c1(np_threads=0.5, **kw):
    return (timed("array-transcendental", {"sync": 1.0, "threads-2": np_threads}, claims=["C1"],
                  gil={"threads-2": 0.05}, **kw),
            timed("array-object-math", {"sync": 1.0, "threads-2": 1.0}, claims=["C1"], gil={"threads-2": 0.9},
                  params={"dtype": "object"}))


def c2(threads, processes, **kw):
    return [timed(w, {"sync": 1.0, "threads-2": threads, "processes-2": processes, "distributed-2x1": 1.2},
                  claims=["C2"], bytes_moved={"processes-2": 5e7}, **kw)
            for w in ("array-transcendental", "array-matmul")]


def c4(numpy_2=0.5, numpy_4=None, processes=None, **kw):
    sweep = {"sync": 1.0, "threads-1": 1.0, "threads-2": 1.0, "threads-4": 1.0}
    return (timed("stencil-python", sweep, claims=["C4"], collection="delayed", family="jacobi"),
            timed("stencil-numpy", {"sync": 1.0, "threads-1": 1.0, "threads-2": numpy_2,
                                    "threads-4": numpy_2 if numpy_4 is None else numpy_4,
                                    "processes-2": numpy_2 * 1.1 if processes is None else processes},
                  claims=["C4"], collection="delayed", family="jacobi", **kw))


# --- C3, C11, C14 (pure Python) ------------------------------------------------------------------

def bags(threads, processes, **kw):
    return [timed(w, {"sync": 1.0, "threads-2": threads, "processes-2": processes}, claims=["C3", "C12"],
                  collection="bag", gil={"threads-2": 0.95}, **kw) for w in ("bag-json", "bag-wordcount", "stdlib-ast")]


def parsing(threads, processes, **kw):
    return [timed(w, {"sync": 1.0, "threads-2": threads, "processes-2": processes}, claims=["C11"],
                  collection="bag", **kw) for w in ("bag-logparse", "stdlib-re", "flights-read-csv-c")]


# --- C5 to C8 (kernels) --------------------------------------------------------------------------

def kernels(held_threads=1.0, held_sync=1.0, free_threads=0.5, **kw):
    out = []
    for fam in ("kernel-sleep", "kernel-compute"):
        out.append(timed(f"{fam}-nogil", {"sync": 1.0, "threads-2": free_threads}, claims=["C5", "C6"], family=fam,
                         params={"gil": "released"}, **kw))
        out.append(timed(f"{fam}-gil", {"sync": held_sync, "threads-2": held_threads}, claims=["C5", "C6"],
                         family=fam, params={"gil": "held"}))
    return out


def retake(k1_threads=1.0, kmax_threads=0.52, **kw):
    return [timed(f"kernel-retake-k{k}", {"sync": 1.0, "threads-2": t}, claims=["C7"], family="kernel-retake",
                  params={"k": k}, **(kw if k == 1 else {}))
            for k, t in ((1, k1_threads), (16, 0.7), (4096, kmax_threads))]


def prange(many, **kw):
    return (timed("kernel-prange-libcores", {"sync": 1.0, "threads-2": many}, claims=["C8"], family="kernel-prange",
                  **kw),
            timed("kernel-prange-lib1", {"sync": 1.0, "threads-2": 0.5}, claims=["C8"], family="kernel-prange"))


def blas(many):
    return (timed("array-matmul-blascores", {"sync": 1.0, "threads-2": many}, claims=["C8"],
                  family="array-matmul-blas"),
            timed("array-matmul-blas1", {"sync": 1.0, "threads-2": 0.5}, claims=["C8"], family="array-matmul-blas"))


# --- C9 (tasks), C10 (frames), C12 (defaults), C13 (convoy) ---------------------------------------

def c9(threads=0.05, **kw):
    null = timed("delayed-null", {"sync": 0.02, "threads-2": threads, "processes-2": 0.08, "distributed-2x1": 0.5},
                 claims=["C9"], collection="delayed", ntasks=1000, **kw)
    busy = [timed(f"delayed-busy-{us}", {"sync": 1.0, "threads-2": t, "processes-2": 1.3}, claims=["C9"],
                  collection="delayed", family="delayed-busy", params={"task_us": us})
            for us, t in ((10, 1.5), (1000, 0.6))]
    return [null, *busy]


def frames(numeric_threads=0.55, **kw):
    return (timed("df-groupby", {"sync": 1.0, "threads-2": numeric_threads}, claims=["C10", "C12"],
                  collection="dataframe", gil={"threads-2": 0.1}, **kw),
            timed("df-str-object", {"sync": 1.0, "threads-2": 1.0}, claims=["C10", "C12"],
                  collection="dataframe", gil={"threads-2": 0.9}))


def arrays12(**kw):
    return timed("array-transcendental", {"sync": 1.0, "threads-2": 0.5, "processes-2": 0.8}, claims=["C12"], **kw)


def convoy(spin5=0.1, spin05=0.055, n=6):
    out = []
    for ms, alone_s, spin in ((5.0, 0.05, spin5), (0.5, 0.05, spin05)):
        for i in range(n):
            f = 0.98 + 0.04 * i / max(n - 1, 1)
            for spinner, wall in ((False, alone_s), (True, spin)):
                out.append(RunRecord(run_id="t", workload="convoy", scheduler="threads-2" if spinner else "threads-1",
                                     repeat=i, wall_s=wall * f, collection="experiment", family="convoy",
                                     kind="threads", workers=2 if spinner else 1, claims=["C13"],
                                     params={"spinner": spinner, "switch_interval_ms": ms}).to_dict())
    return out


# --- all of them ---------------------------------------------------------------------------------

# Row groups under which each scaling claim holds on 2 cores (C14 needs a free-threaded build).
SCALING = {
    "C1": lambda: c1(),
    "C3": lambda: bags(1.0, 0.6),
    "C4": lambda: c4(),
    "C5": lambda: kernels(),
    "C7": lambda: retake(),
    "C8": lambda: prange(0.8),
    "C10": lambda: frames(),
    "C11": lambda: parsing(1.0, 0.6),
    "C13": lambda: [convoy()],
}


def everything(**kw):
    """Row groups under which every claim but C13 (see :func:`convoy`) and C14 holds."""
    return [*c1(**kw), *c2(0.5, 1.0, **kw), *bags(1.0, 0.6, **kw), *c4(**kw), *kernels(**kw), *retake(**kw),
            *prange(0.8, **kw), *c9(**kw), *frames(**kw), *parsing(1.0, 0.6, **kw), arrays12(**kw)]



# --- a claim as the summary holds it (what the dashboard draws) ---------------------------------------

def cmp(ratio, lo=None, hi=None, outcome="undecided", reason="why"):
    """A comparison as a verdict's numbers hold it."""
    return {"outcome": outcome, "ratio": ratio, "lo": lo, "hi": hi, "factor": 1.0, "n": [6, 6], "reason": reason}


def summary_claim(cid="C1", verdict="holds", stability=0.97, numbers=None, **kw):
    """One entry of ``summary["claims"]``."""
    return {"id": cid, "claim": f"text of {cid}", "verdict": verdict, "stability": stability,
            "fragile": stability is not None and stability < 0.9, "reason": f"reason of {cid}",
            "threshold": f"rule of {cid}", "numbers": numbers if numbers is not None else
            {"bar": 1.3, "array-x": {"speedup": cmp(1.9, 1.7, 2.1, "above"), "gil_median": 0.1}}, **kw}
