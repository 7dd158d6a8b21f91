"""Calibration experiments: the GIL metric against kernels of known GIL share, and pickling speed.

``gil-calibration``
    :func:`kernels._calib.gil_share` holds the GIL for a designed share *s* of
    every ~100 µs iteration and releases it for the rest.  It runs at
    s = 0, 0.25, 0.5, 0.75, 1 in one thread (``sync``) and in two threads
    (``threads-2``), read by each GIL metric exactly as :mod:`runners.schedulers.inprocess`
    reads it for sync/threads:

    ``gilknocker``
        the suite's knocker (:data:`runners.gilsamplers.KNOCKER_KW`): contention
        seconds during the run over the wall time;
    ``probe``
        :class:`kernels._gilprobe.GilProbe`: the share of random instants at
        which some thread held the GIL;

    and bare (no metric running), the three modes in blocks whose order is
    shuffled every round (plus a hand-off cell: the kernel at ~100 ns
    iterations, share 0.5, one thread and two, for the cost of a contended GIL
    take), so the metrics' own cost is measured seconds apart
    from the bare runs.  One thread holding the GIL for a share *s* of its time
    should read *s*; two threads of the same kernel hold it for about
    ``min(1, 2 s)`` of the wall time (each thread's held part waits for the
    other's), so there the metric reads higher than *s*, as it should.

``pickle-throughput``
    ``cloudpickle`` dumps and loads (what the processes scheduler does to every
    task and result) of a ~10 MB float64 array and of a list of small dicts, and
    the pickled bytes through a pipe: bytes per second, the constant the cost
    model charges for moving data.

Rows are plain dicts, kept out of the main table by ``control``::

    {"workload": "gil-calibration", "scheduler": "sync" | "threads-2", "mode": "instrumented" | "bare",
     "control": "calibration", "wall_s": 0.08,
     "params": {"designed_share": 0.25, "threads": 1, "instrumented": True, "metric": "probe"},
     "extra": {"measured": 0.26, ...}, "collection": "experiment", ...}
    {"workload": "pickle-throughput", "scheduler": "sync", "control": "calibration", "wall_s": 0.01,
     "params": {"payload": "ndarray", "op": "dumps", "bytes": 10_000_000},
     "extra": {"bytes_per_s": 1e9}, ...}
"""
from __future__ import annotations

import threading
import time
from multiprocessing import Pipe
from typing import Any, Callable

import cloudpickle
import numpy as np

from kernels._calib import ITERATION_US, chain_rate, gil_share
from runners import gilsamplers

__all__ = ["SHARES", "FINE_UNITS", "FINE_SHARE", "METRICS", "RUN_S", "MAX_ROUNDS", "PICKLE_REPEATS", "run_gil_calibration", "run_pickle_throughput"]

SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)
# The hand-off cell: the same kernel at ~100 ns iterations (a GIL take every ~100 ns, as a
# kernel re-taking the GIL in its hot loop does), share 0.5, in one thread and two.  Two
# threads then pay for every contended take; the model charges that per GIL release.
FINE_UNITS = 60
FINE_SHARE = 0.5
METRICS = ("gilknocker", "probe")
# Wall time of one sync run of the calibration kernel, per profile (two threads take up to twice).
RUN_S = {"quick": 0.06, "default": 0.1, "full": 0.3}
# Rounds at most, per profile (the run's repeats otherwise): the quick profile's budget is minutes.
MAX_ROUNDS = {"quick": 2, "default": 4, "full": 11}
PICKLE_REPEATS = {"quick": 5, "default": 7, "full": 9}


class _Meter:
    """One GIL metric, read over a run exactly as :func:`runners.schedulers.inprocess.measure_in_process` reads it."""

    def __init__(self, metric: str | None, knocker_kw: dict[str, int] | None = None):
        self.metric = metric
        self._own = None  # a knocker at other settings than the suite's, stopped at close()
        gilsamplers.local_knocker(False)
        gilsamplers.local_probe(False)
        self.knocker = self.probe = None
        if metric == "gilknocker":
            if knocker_kw:
                self._own = self.knocker = gilsamplers.Knocker(knocker_kw)
            else:
                self.knocker = gilsamplers.local_knocker(True)
            time.sleep(0.05)  # let its first sampling windows complete, as a warm-up repeat would
        elif metric == "probe":
            self.probe = gilsamplers.local_probe(True)
        elif metric is not None:
            raise ValueError(f"metric must be one of {', '.join(METRICS)} or None; got {metric!r}")
        if metric is not None and self.knocker is None and self.probe is None:
            raise RuntimeError(f"GIL metric {metric!r} cannot run here (no GIL, or its sampler is missing)")

    def begin(self) -> Any:
        if self.knocker is not None:
            return self.knocker.seconds()
        if self.probe is not None:
            return self.probe.counts()
        return None

    def end(self, start: Any, wall: float) -> tuple[float | None, int | None]:
        """(the reading over the run, samples it rests on where it counts them)."""
        if self.knocker is not None:
            return (min(1.0, max(0.0, (self.knocker.seconds() - start) / wall)) if wall > 0 else None), None
        if self.probe is not None:
            after = self.probe.counts()
            return gilsamplers.held_share(start, after), after[1] - start[1]
        return None, None

    def close(self) -> None:
        if self._own is not None:
            self._own.stop()
        gilsamplers.local_knocker(False)
        gilsamplers.local_probe(False)


def _run_kernel(share: float, threads: int, iterations: int, units: int) -> float:
    """Wall seconds for *threads* threads each running the calibration kernel once."""
    if threads == 1:
        t0 = time.perf_counter()
        gil_share(share, iterations, units)
        return time.perf_counter() - t0
    ts = [threading.Thread(target=gil_share, args=(share, iterations, units), name=f"calib-{i}")
          for i in range(threads)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return time.perf_counter() - t0


def run_gil_calibration(profile: str = "quick", repeats: int = 5, *, run_s: float | None = None,
                        shares: tuple[float, ...] = SHARES, threads: tuple[int, ...] = (1, 2),
                        metrics: tuple[str, ...] = METRICS, knocker_kw: dict[str, int] | None = None,
                        seed: int = 42) -> list[dict[str, Any]]:
    """Run the GIL calibration; one row per (round, metric or bare, threads, share).

    Parameters
    ----------
    profile
        ``"quick"``, ``"default"`` or ``"full"``: sets the length of a run (:data:`RUN_S`).
    repeats
        Rounds (at most :data:`MAX_ROUNDS` of the profile); each runs every cell bare and under
        every metric, in blocks of shuffled order.
    run_s
        Override the wall time of one single-thread run (tests use short ones).
    knocker_kw
        gilknocker settings to calibrate instead of the suite's (rows then carry them in ``params``).
    """
    if profile not in RUN_S:
        raise ValueError(f"unknown profile {profile!r}; expected one of {', '.join(RUN_S)}")
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1; got {repeats}")
    bad = [m for m in metrics if m not in METRICS]
    if bad:
        raise ValueError(f"unknown metrics {bad}; expected some of {', '.join(METRICS)}")
    target = RUN_S[profile] if run_s is None else float(run_s)
    repeats = min(repeats, MAX_ROUNDS[profile])
    units = max(1, int(chain_rate() * ITERATION_US * 1e-6))
    iterations = max(1, int(target / (ITERATION_US * 1e-6)))
    kw = dict(knocker_kw or gilsamplers.KNOCKER_KW)
    cells = [(t, s, units, iterations) for t in threads for s in shares]
    fine_iterations = max(1, int(iterations * units / FINE_UNITS))
    cells += [(t, FINE_SHARE, FINE_UNITS, fine_iterations) for t in threads]
    modes: list[str | None] = [None, *metrics]
    rng = np.random.default_rng([seed, 1611])
    _run_kernel(0.5, max(threads), max(1, iterations // 4), units)  # warm-up: threads, caches, clocks
    rows = []
    for r in range(repeats):
        for i in rng.permutation(len(modes)):
            mode = modes[i]
            meter = _Meter(mode, knocker_kw)
            try:
                for j in rng.permutation(len(cells)):
                    t, s, u, its = cells[j]
                    start = meter.begin()
                    wall = _run_kernel(s, t, its, u)
                    measured, samples = meter.end(start, wall)
                    params = {"designed_share": s, "threads": t, "instrumented": mode is not None, "metric": mode,
                              "iterations": its, "units": u,
                              "iteration_us": ITERATION_US if u == units else ITERATION_US * u / units}
                    if u != units:
                        params["grain"] = "fine"
                    if mode == "gilknocker":
                        params["knocker"] = kw
                    rows.append({
                        "workload": "gil-calibration", "family": "gil-calibration",
                        "scheduler": "sync" if t == 1 else f"threads-{t}", "kind": "sync" if t == 1 else "threads",
                        "workers": t, "repeat": r, "round": r, "wall_s": wall,
                        "mode": "bare" if mode is None else "instrumented", "control": "calibration",
                        "params": params, "gil_median": measured if mode == "gilknocker" else None,
                        "extra": {"measured": measured, "samples": samples},
                        "claims": [], "collection": "experiment",
                    })
            finally:
                meter.close()
    return rows


def _payloads() -> dict[str, Any]:
    """~10 MB of float64, and a list of small dicts (what a bag's partition holds)."""
    rng = np.random.default_rng(0)
    return {
        "ndarray": rng.random(1_250_000),
        "dicts": [{"id": i, "name": f"user-{i}", "score": float(i) * 0.5, "tags": ["a", "b"]} for i in range(20_000)],
    }


def _time(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _through_pipe(data: bytes) -> float:
    """Seconds to send *data* through a multiprocessing pipe to a reader thread (the transport's copy)."""
    rx, tx = Pipe(duplex=False)
    box: list[int] = []
    reader = threading.Thread(target=lambda: box.append(len(rx.recv_bytes())), name="pickle-pipe")
    reader.start()
    t0 = time.perf_counter()
    tx.send_bytes(data)
    reader.join()
    dt = time.perf_counter() - t0
    rx.close()
    tx.close()
    return dt


def run_pickle_throughput(profile: str = "quick", repeats: int | None = None) -> list[dict[str, Any]]:
    """Bytes per second of each payload: cloudpickle dumps, loads, and a pipe between them.

    One row per (repeat, payload, op); ``op`` is ``dumps``, ``loads`` or ``pipe``
    (the pickled bytes through a ``multiprocessing`` pipe, which is how the
    processes scheduler's pool carries them).
    """
    if profile not in PICKLE_REPEATS:
        raise ValueError(f"unknown profile {profile!r}; expected one of {', '.join(PICKLE_REPEATS)}")
    n = PICKLE_REPEATS[profile] if repeats is None else max(1, int(repeats))
    payloads = _payloads()
    rows = []
    for r in range(n):
        for name, obj in payloads.items():
            dt, data = _time(lambda: cloudpickle.dumps(obj))
            lt, _ = _time(lambda: cloudpickle.loads(data))
            pt = _through_pipe(data)
            for op, t in (("dumps", dt), ("loads", lt), ("pipe", pt)):
                rows.append({
                    "workload": "pickle-throughput", "family": "pickle-throughput", "scheduler": "sync",
                    "kind": "sync", "repeat": r, "wall_s": t, "control": "calibration",
                    "params": {"payload": name, "op": op, "bytes": len(data)},
                    "extra": {"bytes_per_s": len(data) / t if t > 0 else None},
                    "claims": [], "collection": "experiment",
                })
    return rows
