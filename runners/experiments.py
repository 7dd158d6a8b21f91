"""Experiments that are not dask graphs: raw threads, timed directly.

The convoy experiment (C13): one thread calls a short GIL-releasing kernel
(:func:`kernels._compute.trig_sum_nogil`, about 0.5 ms a call) a fixed number of
times, alone and beside a thread spinning in pure Python, at switch intervals of
5 ms and 0.5 ms.  After each call the kernel thread must win the GIL back; a busy
Python thread gives it up only when the switch interval expires, so beside the
spinner every call can cost up to one interval more.

Rows are plain dicts::

    {"workload": "convoy", "family": "convoy", "scheduler": "threads-1" | "threads-2",
     "repeat": 0, "wall_s": 0.05, "params": {"spinner": False, "switch_interval_ms": 5.0},
     "claims": ["C13"], "collection": "experiment"}

``wall_s`` is the kernel thread's time for all its calls; ``threads-2`` means the
spinner ran beside it.

The calibrations (:mod:`runners.calibration`) are registered here too, with no
claims: ``gil-calibration`` (the GIL metric against kernels of known GIL share)
and ``pickle-throughput`` (the serialisation speed the cost model charges).
:func:`run_experiments` runs those a plan names, after its workloads.

>>> sorted(EXPERIMENTS)
['convoy', 'gil-calibration', 'pickle-throughput']
"""
from __future__ import annotations

import sys
import threading
import time
import traceback as tb
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from kernels._compute import trig_sum_nogil
from runners import calibration
from runners.plan import Plan
from runners.progress import Steps
from runners.rows import Rows

__all__ = ["Experiment", "EXPERIMENTS", "CONVOY_CALLS", "CONVOY_BUFFER", "SWITCH_INTERVALS_MS", "run_convoy",
           "run_experiments"]

# Calls of the kernel per measurement, per profile.
CONVOY_CALLS = {"quick": 100, "default": 400, "full": 1500}
# Elements per call: about 0.5 ms of trig_sum_nogil at ~29 ns an element.
CONVOY_BUFFER = 16_000
SWITCH_INTERVALS_MS = (5.0, 0.5)


@dataclass(frozen=True)
class Experiment:
    """A measurement run outside the dask harness.

    Parameters
    ----------
    name
        Short kebab-case name, used as the rows' ``workload``.
    claims
        Ids of the claims of docs/CLAIMS.md it serves.
    description
        One sentence: what it does and what it shows.
    run
        ``run(profile, repeats)`` -> list of row dicts (see the module docstring).
    """

    name: str
    claims: tuple[str, ...]
    description: str
    run: Callable[[str, int], list[dict[str, Any]]]


def _spin(stop: threading.Event, running: threading.Event) -> None:
    """Pure-Python busy loop: holds the GIL except when the interpreter forces a switch."""
    running.set()
    n = 0
    while not stop.is_set():
        n += 1


def _time_calls(kernel: Callable[[np.ndarray], float], x: np.ndarray, calls: int) -> float:
    t0 = time.perf_counter()
    for _ in range(calls):
        kernel(x)
    return time.perf_counter() - t0


def _measure(kernel: Callable[[np.ndarray], float], x: np.ndarray, calls: int,
             spinner: bool, interval_s: float) -> float:
    """Seconds for *calls* kernel calls at *interval_s*, with or without a spinner."""
    old = sys.getswitchinterval()
    stop, running = threading.Event(), threading.Event()
    thread = None
    try:
        sys.setswitchinterval(interval_s)
        if spinner:
            thread = threading.Thread(target=_spin, args=(stop, running), name="convoy-spinner", daemon=True)
            thread.start()
            running.wait()
        return _time_calls(kernel, x, calls)
    finally:
        stop.set()
        if thread is not None:
            thread.join()
        sys.setswitchinterval(old)


def run_convoy(profile: str = "quick", repeats: int = 3, *, calls: int | None = None,
               buffer_size: int | None = None) -> list[dict[str, Any]]:
    """Run the convoy experiment; one row per (repeat, switch interval, spinner).

    Parameters
    ----------
    profile
        ``"quick"``, ``"default"`` or ``"full"``: sets the number of calls.
    repeats
        Repeats of every condition (interleaved, so drift hits all alike).
    calls, buffer_size
        Override the calls per measurement and the elements per call (tests use small ones).
    """
    if profile not in CONVOY_CALLS:
        raise ValueError(f"unknown profile {profile!r}; expected one of {', '.join(CONVOY_CALLS)}")
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1; got {repeats}")
    n_calls = CONVOY_CALLS[profile] if calls is None else int(calls)
    n = CONVOY_BUFFER if buffer_size is None else int(buffer_size)
    if n_calls < 1 or n < 1:
        raise ValueError(f"calls and buffer_size must be >= 1; got {n_calls}, {n}")
    x = np.random.default_rng(0).random(n)
    kernel = trig_sum_nogil
    kernel(x)  # warm up
    rows = []
    for repeat in range(repeats):
        for interval_ms in SWITCH_INTERVALS_MS:
            for spinner in (False, True):
                wall = _measure(kernel, x, n_calls, spinner, interval_ms / 1000.0)
                rows.append({
                    "workload": "convoy",
                    "family": "convoy",
                    "scheduler": "threads-2" if spinner else "threads-1",
                    "repeat": repeat,
                    "wall_s": wall,
                    "params": {"spinner": spinner, "switch_interval_ms": interval_ms},
                    "claims": ["C13"],
                    "collection": "experiment",
                })
    return rows


EXPERIMENTS: dict[str, Experiment] = {
    "convoy": Experiment(
        name="convoy",
        claims=("C13",),
        description=(
            "Short GIL-releasing kernel calls in one thread, alone and beside a pure-Python "
            "spinning thread, at switch intervals of 5 ms and 0.5 ms: the spinner delays "
            "every return from the kernel by up to one interval."
        ),
        run=run_convoy,
    ),
    "gil-calibration": Experiment(
        name="gil-calibration",
        claims=(),
        description=(
            "A Cython kernel holding the GIL for a designed share (0, 25, 50, 75, 100 %) of every "
            "iteration, under sync and threads-2, read by each GIL metric and bare: the metric's "
            "error and its own overhead."
        ),
        run=calibration.run_gil_calibration,
    ),
    "pickle-throughput": Experiment(
        name="pickle-throughput",
        claims=(),
        description="cloudpickle dumps/loads of a ~10 MB array and of a list of dicts: bytes per second.",
        run=calibration.run_pickle_throughput,
    ),
}


def run_experiments(plan: Plan, rows: Rows, done: Mapping[tuple, int], steps: Steps) -> None:
    """Run the experiments *plan* names (steps after its workloads), storing their rows through *rows*.

    An experiment with rows in the folder (*done*, a resumed run) is not run again; one that
    raises leaves an error row, and the run goes on.
    """
    first = len(plan.schedule())
    for i, name in enumerate(plan.experiments):
        exp = EXPERIMENTS[name]
        if any(k[0] == name or k[0].startswith(name) for k in done):
            continue
        steps(first + i + 1, f"experiment {name}")
        try:
            got = exp.run(plan.profile.name, max(plan.min_repeats, plan.profile.repeats))
        except Exception as e:
            got = [{"workload": name, "scheduler": "threads-1", "repeat": 0, "status": "error",
                    "error_type": type(e).__name__, "error": str(e), "traceback": tb.format_exc(limit=20),
                    "claims": list(exp.claims), "collection": "experiment"}]
        rows.extra(got)
