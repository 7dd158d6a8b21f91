"""Predict, then measure: a cost model of each scheduler's wall time, and the GIL figure it rests on.

The model reads one workload's ``sync`` row — its median wall time ``T1``,
its task count ``n``, the share ``g`` of its time that holds the GIL, the bytes
its tasks would move between processes — and constants measured in the same
run on this machine, and predicts every other spec's wall time:

* per-task overhead ``oh[spec]``: the wall time per task of ``delayed-null``
  (null tasks) under that spec (:func:`reports.model_inputs.constants`);
* serialisation throughput ``θ``: bytes per second of a ``cloudpickle`` dump
  plus load of a calibration payload (``pickle-throughput``), an array for
  array and dataframe work, a list of dicts for bags and delayed work;
* start-up, from the run's start-up rows: reported, never added to a kept
  pool's or cluster's time, since the suite starts them before it times
  anything; an as-shipped reading (Dask's own pool, started in every compute)
  is charged what that start added to the run's computes measured both ways
  (:func:`reports.model_inputs.shipped_start`), else the kept one's start-up;
* core availability: how much of N cores N threads of a GIL-free kernel got
  (the calibration's bare ``share 0`` runs, one thread vs two): on a machine
  shared with other work, fewer than ``cores`` are there to be had.  Reported
  to explain misses, not used: it is one moment's load.

The formulas (:func:`predict_spec`), with ``p`` the cores the spec can use
(``min(workers, cores)``)::

    W   = max(T1 - n * oh[sync], 0)                  # the tasks' own work under sync
    g_W = clip((g * T1 - n * oh[sync]) / W, 0, 1)    # its GIL-held share (scheduling holds it all)
    sync             T1
    threads-N        W * (g_W + (1 - g_W) / s(p)) + H + K + n * oh[threads-N]        (Amdahl, GIL serial)
    processes-N      W / s(p) + n * oh[processes-N] + B / θp                         (one thread per process)
    distributed-WxT  W * (g_W / w + (1 - g_W) / s(w t)) + H / w + n * oh[distributed] + B_d / θ
                                                          (w = min(W, cores), t = min(T, cores / w))
    s(p) = min(p * u1, cores) / u1                   # what is left to gain: sync already kept u1 cores
                                                     # busy through library threads (its cores_used, >= 1)
    H = r * T1 * c                                   # contended GIL hand-offs (0 on one thread)
    K = W * g_W * g_W * k                             # threads that all want the GIL (0 on one thread)

where ``θp`` is what a kept pool really moved per second on the run's other workloads
(:func:`pool_throughputs`; ``θ`` where none moved enough to tell), ``B`` the bytes pickled between processes (as measured under
``processes``, else estimated under ``sync``: every task result, once back and
once to each dependent) and ``B_d`` the bytes moved by ``distributed`` (as
measured, else what may cross between workers, counted under ``sync``: the inputs of
tasks with several less the largest of each, times ``1 - 1/W``, plus the results; see
:func:`_moved`), ``r`` the GIL releases per second under
``sync`` (the probe's flag bursts) and ``c`` the extra cost of a contended GIL
take (the calibration's ~100 ns-iteration cell,
:func:`reports.model_inputs._handoff_cost`): a kernel that re-takes the GIL in
its hot loop is slower on two threads than Amdahl says, by a hand-off per take.
``k`` is what threads that all hold the GIL lose to each other beyond taking
turns (the calibration's share-1 cell: two threads doing twice one thread's
work took 2.08-2.18x its time here, ``k`` 4-9 %; CPython hands the GIL over
every 5 ms between threads that all want it): pure-Python work on
``threads-2`` is that much slower than ``sync``, not as fast.  One core cannot
measure it (two threads there never wait for each other: 0.4-2 %), so a fit on
one core stands in :data:`reports.model_inputs.ASSUMED_CONTENTION`, said as
assumed.
Each prediction names its *dominant term*: ``gil`` (the serial GIL-held work),
``compute`` (the parallel part), ``handoff`` (``H``), ``contention`` (``K``), ``overhead``
(``n * oh``) or ``bytes`` (``B / θ``).  :mod:`reports.model_check` checks the
predictions against the measurements.

``g`` is the calibrated GIL-held share (:func:`calibration` says which metric
reads a designed share within how much): the GIL probe's figure where the run
has it, else gilknocker's contention, named in each prediction's ``g_source``.
"""
from __future__ import annotations

import math
from typing import Any, Sequence, cast

import numpy as np
import pandas as pd

from reports.gilcalibration import calibration
from reports.model_chunks import chunking
from reports.model_inputs import cluster_overhead, constants, num, overhead, shipped_start, throughput, workload_inputs
from runners.records.kinds import KINDS, Kind, SchedulerSpec, in_process, is_cluster, is_process_pool, is_serial, pickles

__all__ = ["calibration", "predict_spec", "fitted", "predict", "pool_throughputs", "with_pool_throughput", "amdahl", "TERMS"]

TERMS = ("gil", "compute", "handoff", "contention", "overhead", "bytes")  # what a prediction's time is made of


def amdahl(t1: float, g: float, p: float) -> float:
    """Amdahl's law with the GIL-held share serial: ``t1 * (g + (1 - g) / p)``.

    >>> amdahl(1.0, 1.0, 4), amdahl(1.0, 0.0, 4), amdahl(1.0, 0.5, 2)
    (1.0, 0.25, 0.75)
    """
    return t1 * (g + (1.0 - g) / max(p, 1.0))


def _handoff(inp: dict[str, Any], c: dict[str, Any], threads: float, processes: float) -> float:
    """Contended GIL hand-offs: ``r * T1 / processes * c`` on two threads or more (0 on one).

    Charged on every release, as in the calibration's two looping threads: work
    that releases the GIL often enough for this term to matter (a take every
    few µs) is a tight loop, and two threads in such loops contend on nearly
    every take; work that releases it rarely pays next to nothing either way.
    """
    rate, cost = inp.get("release_rate"), c.get("handoff_s")
    if not rate or not cost or threads < 2:
        return 0.0
    return rate * float(inp["T1"]) / processes * cost


def _contention(held: float, gw: float, c: dict[str, Any], threads: float) -> float:
    """What threads that all want the GIL lose to each other: ``k * gw`` of the GIL-held time *held* (0 on one thread).

    ``k`` is the calibration's (:func:`reports.model_inputs._contention`), measured with every thread
    holding the GIL throughout; a thread holding it for a share ``gw`` of its time meets another
    waiting for it about that share of the time.

    >>> _contention(1.0, 1.0, {"contention": 0.08}, 2), _contention(1.0, 0.5, {"contention": 0.08}, 2)
    (0.08, 0.04)
    >>> _contention(1.0, 1.0, {"contention": 0.08}, 1), _contention(1.0, 1.0, {}, 2)
    (0.0, 0.0)
    """
    k = c.get("contention")
    if not k or threads < 2:
        return 0.0
    return held * gw * float(k)


def _layout(spec: SchedulerSpec, cores: float) -> tuple[float, float]:
    """``(w, t)``: the processes a spec's tasks run in and the threads each, capped by the *cores*.

    Tasks that run in this interpreter share one process; any other kind spreads them over its workers.

    >>> _layout(SchedulerSpec("threads", 4), 2), _layout(SchedulerSpec("processes", 4), 2)
    ((1.0, 2.0), (2.0, 1.0))
    >>> _layout(SchedulerSpec("distributed", 2, 2), 8)
    (2.0, 2.0)
    """
    procs = 1 if in_process(spec.kind) else spec.workers
    w = float(max(1, min(procs, cores)))
    return w, float(max(1, min(spec.nthreads / procs, cores / w)))


def predict_spec(inp: dict[str, Any], kind: str, workers: int, threads_per_worker: int, cores: float,
                 c: dict[str, Any], label: str | None = None, shipped: bool = False) -> dict[str, Any]:
    """Predicted wall time of one spec, with its terms (see the module docstring for the formulas).

    The terms follow from what the kind means, not from its name: the serial kind is the model's input
    (predicted exactly); threads of one process take turns on its GIL (``gil``, ``handoff``); a kind whose
    tasks run in other processes pickles what they exchange (``bytes``).  *shipped*: the as-shipped
    reading, which starts its pool or cluster in every compute (``startup``: what that start added to the
    run's computes measured both ways, else the kept one's measured start; ``startup_source`` says which).

    >>> c = {"overhead_s": {"sync": 0.0, "threads-2": 0.0}, "throughput_Bps": {}, "startup_s": {}}
    >>> inp = {"T1": 1.0, "n": 10, "g": 1.0, "bytes": 0, "bytes_d": {}, "collection": "bag"}
    >>> predict_spec(inp, "threads", 2, 1, 2, c)["predicted_s"]
    1.0
    >>> predict_spec({**inp, "g": 0.0}, "threads", 2, 1, 2, c)["predicted_s"]
    0.5
    """
    spec = SchedulerSpec(cast(Kind, kind), workers, threads_per_worker)
    tuned = spec.label  # the kept pool's label: its start-up and per-task figures stand for both readings
    label = label or (spec.shipped.label if shipped else spec.label)
    t1, n = float(inp["T1"]), float(inp["n"])
    g = inp.get("g")
    g = 1.0 if g is None and is_serial(kind) else g
    oh_sync = overhead(c, "sync", "sync", 1) or 0.0
    work = max(t1 - n * oh_sync, 0.0)
    gw = 0.0 if g is None or work <= 0 else min(1.0, max(0.0, (g * t1 - n * oh_sync) / work))
    missing = []
    if is_serial(kind):  # no parallelism: T1 itself, split into its terms
        terms = {"gil": work * gw, "compute": work * (1 - gw), "overhead": t1 - work}
        w = t = 1.0
    else:
        w, t = _layout(spec, cores)
        # What sync left to gain: its own library threads (BLAS, OpenMP) already kept u1 cores busy.
        u1 = min(max(1.0, num(inp.get("u1")) or 1.0), float(cores))
        if in_process(kind) or spec.threads_per_worker > 1:  # threads of one interpreter share its GIL
            if g is None:
                missing.append("GIL share")
            terms = {"gil": work / w * gw, "compute": work * (1 - gw) / (min(w * t * u1, cores) / u1),
                     "handoff": _handoff(inp, c, t, w), "contention": _contention(work / w * gw, gw, c, t)}
            if t >= 2 and gw > 0 and c.get("contention") is None:
                missing.append("GIL contention")  # no GIL calibration in the run: none charged
            if t >= 2 and gw > 0 and inp.get("release_rate") is None:
                missing.append("GIL release rate")  # neither counted nor read by the probe: no hand-off charged
            elif t >= 2 and inp.get("release_rate") and c.get("handoff_s") is None:
                missing.append("GIL hand-off cost")  # no GIL calibration in the run: no hand-off charged
        else:  # one thread per process: each has a GIL of its own
            terms = {"compute": work / (min(w * u1, cores) / u1)}
        if pickles(kind):
            pool = c.get("pool_Bps") if is_process_pool(kind) else None
            terms["bytes"] = _moved(inp, spec, label, missing) / (pool or throughput(c, inp.get("collection") or ""))
        oh = (cluster_overhead(c, tuned if shipped else label, workers, cores) if is_cluster(kind) else None) \
            or overhead(c, kind, tuned if shipped else label, workers)
        if oh is None:
            missing.append(f"per-task overhead of {kind}")
        terms["overhead"] = n * (oh or 0.0)
        if shipped and is_process_pool(kind) and "compute" in terms:  # Dask's own pool sends tasks in chunks
            terms["compute"] *= chunking(n, w)
        if shipped:
            start, start_source = shipped_start(c, kind, tuned, workers, inp.get("imports_s"))
            if start is None:
                missing.append(f"start-up of {tuned}")
            terms["startup"] = start or 0.0
    predicted = sum(terms.values())
    dominant = max(terms, key=terms.get) if terms else None
    return {"scheduler": label, "kind": kind, "cores_used": round(w * t, 3), "predicted_s": predicted,
            "dominant_term": dominant, "terms": {k: round(v, 6) for k, v in terms.items()}, "missing": missing,
            "g": inp.get("g"), "g_source": inp.get("g_source"), "n": n, "release_rate": inp.get("release_rate"),
            "bytes_per_task": (inp["bytes"] / n) if inp.get("bytes") is not None and n else None,
            "startup_s": c.get("startup_s", {}).get(label),
            **({"startup_source": start_source} if shipped else {})}


def _moved(inp: dict[str, Any], spec: SchedulerSpec, label: str, missing: list[str]) -> float:
    """Bytes pickled between processes under *spec*: as measured on it, else estimated from ``B``.

    A pool sends every result back to this process (``B``).  A cluster's workers keep what they compute
    and the scheduler runs a task where most of its input already is: what may move is the inputs of
    the tasks with several, less the largest of each (``spread``, counted under ``sync``), each on
    another worker with chance ``1 - 1/W``, plus the results sent back to the client.  Where ``sync``
    did not count those (runs before 2026-12-07), ``B * (1 - 1/W)``, which overstates a reduction
    (array-reduction on ``distributed-2x1``: 80 MB charged, 0.26 MB moved).
    """
    moved = (inp.get("bytes_d") or {}).get(label)
    share = 1 - 1 / max(spec.workers, 1)
    if moved is None and is_cluster(spec.kind) and inp.get("bytes_spread") is not None:
        moved = inp["bytes_spread"] * share + (inp.get("bytes_results") or 0.0)
    if moved is None and inp.get("bytes") is not None:
        moved = inp["bytes"] * share if is_cluster(spec.kind) else inp["bytes"]
    if moved is None:
        missing.append("bytes moved")
    return moved or 0.0


POOL_MIN_BYTES = 1e6  # a compute moving less says little of the pool's throughput (its overhead dominates)


def pool_throughputs(table: pd.DataFrame, rows: Any, c: dict[str, Any], cores: float) -> dict[str, tuple[str, float]]:
    """What a kept process pool really moves per second, per workload it ran: ``{workload: (payload, bytes/s)}``.

    The pickle calibration times ``cloudpickle`` and a pipe one after another in one process
    (~1.3 GB/s for a 10 MB array here); a pool's tasks and results also pass its call queue's
    feeder thread and its result thread, which take turns on this process's GIL with each other
    and with the scheduler, and the measured computes moved their bytes 2.5-4x slower than that.
    For each workload measured on a kept ``processes`` pool that moved at least
    :data:`POOL_MIN_BYTES`: its bytes over what its time exceeds the model's prediction without
    them.  :func:`with_pool_throughput` hands a workload the median of the *other* workloads'
    figures, so no prediction is fitted to its own measurement.
    """
    free = {**c, "pool_Bps": None, "throughput_Bps": {"ndarray": math.inf, "dicts": math.inf}}
    out: dict[str, tuple[str, float]] = {}
    for wl in dict.fromkeys(table["workload"]):
        inp = workload_inputs(table, rows, wl)
        if inp is None:
            continue
        for r in table[table["workload"] == wl].to_dict("records"):
            spec = _spec_of(r)
            meas = num(r.get("median_s"))
            if spec is None or not is_process_pool(spec.kind) or spec.as_shipped or not meas:
                continue
            moved = _moved(inp, spec, str(r["scheduler"]), [])
            pr = predict_spec(inp, spec.kind, spec.workers, spec.threads_per_worker, cores, free, str(r["scheduler"]))
            if moved >= POOL_MIN_BYTES and meas > pr["predicted_s"]:
                out[wl] = (_payload(inp.get("collection") or ""), moved / (meas - pr["predicted_s"]))
    return out


def with_pool_throughput(c: dict[str, Any], workload: str, collection: str,
                         pools: dict[str, tuple[str, float]]) -> dict[str, Any]:
    """*c* with ``pool_Bps``: the median pool throughput of the other workloads of *workload*'s payload, if any.

    >>> pools = {"a": ("ndarray", 4e8), "b": ("ndarray", 6e8), "c": ("dicts", 1e7)}
    >>> with_pool_throughput({}, "a", "array", pools)["pool_Bps"], with_pool_throughput({}, "c", "bag", pools)
    (600000000.0, {'pool_Bps': None})
    """
    want = _payload(collection)
    others = [bps for wl, (payload, bps) in pools.items() if wl != workload and payload == want]
    return {**c, "pool_Bps": float(np.median(others)) if others else None}


def _payload(collection: str) -> str:
    return "dicts" if collection in ("bag", "delayed") else "ndarray"


def fitted(table: pd.DataFrame, meta: dict[str, Any] | None, rows: Any = None,
           startup: Any = None) -> tuple[dict[str, Any], dict[str, tuple[str, float]]]:
    """What :func:`predict` reads of the whole run: its constants (with ``fit_cores``) and its pools' throughputs."""
    cores = int(num((meta or {}).get("cores")) or num((meta or {}).get("cpu_count")) or 1)
    c0 = {**constants(table, rows, startup), "fit_cores": cores}
    t = table[table["collection"].fillna("") != "experiment"] if "collection" in table else table
    return c0, (pool_throughputs(t, rows, c0, cores) if not t.empty else {})


def predict(table: pd.DataFrame, meta: dict[str, Any] | None, rows: Any = None, startup: Any = None,
            predict_cores: Sequence[int] = (),
            fit: tuple[dict[str, Any], dict[str, tuple[str, float]]] | None = None) -> list[dict[str, Any]]:
    """Predicted vs measured time for every (workload, scheduler) of *table* (experiments left out).

    Each item: ``{workload, scheduler, predicted_s, measured_s, error, dominant_term, terms, ...}`` with
    ``error = |predicted - measured| / measured``.  With *predict_cores*, also ``threads-P``,
    ``processes-P`` and ``distributed-Px1`` at each core count P this machine may not have, with
    ``hypothetical: True`` and no measurement: predictions from this machine's constants.
    *fit*: :func:`fitted` of the same run, where the caller already has it.
    """
    if not isinstance(table, pd.DataFrame) or table.empty:
        return []
    meta = meta or {}
    # The machine's cores, not cores x availability: the calibration's availability is one
    # moment's load, and tasks that wait (sleep, I/O) overlap beyond the free cores anyway.
    cores = int(num(meta.get("cores")) or num(meta.get("cpu_count")) or 1)
    c0, pools = fit or fitted(table, meta, rows, startup)
    t = table[table["collection"].fillna("") != "experiment"]
    out = []
    for wl in dict.fromkeys(t["workload"]):
        inp = workload_inputs(t, rows, wl)
        if inp is None:
            continue
        c = with_pool_throughput(c0, wl, inp.get("collection") or "", pools)
        for r in t[t["workload"] == wl].to_dict("records"):
            spec = _spec_of(r)
            if spec is None:  # a damaged row that does not say what it ran on: nothing to predict
                continue
            pr = predict_spec(inp, spec.kind, spec.workers, spec.threads_per_worker, cores, c, r["scheduler"],
                              shipped=spec.as_shipped)
            meas = num(r.get("median_s"))
            pr.update(workload=wl, measured_s=meas, hypothetical=False, collection=inp["collection"],
                      error=abs(pr["predicted_s"] - meas) / meas if meas else None,
                      input=is_serial(r["kind"]))
            out.append(pr)
        measured = set(t[t["workload"] == wl]["scheduler"])
        for spec in _planned_specs(meta, measured):  # planned here but not run (--predict-only)
            pr = predict_spec(inp, spec["kind"], int(spec["workers"]), int(spec["threads_per_worker"]), cores, c,
                              spec["label"], shipped=spec.get("as_shipped") is True)
            pr.update(workload=wl, measured_s=None, error=None, hypothetical=False, input=False,
                      collection=inp["collection"], note="predicted for this machine; not measured")
            out.append(pr)
        for p in predict_cores:
            for kind in [k for k in KINDS if not is_serial(k)]:
                pr = predict_spec(inp, kind, int(p), 1, int(p), c)
                pr.update(workload=wl, measured_s=None, error=None, hypothetical=True, input=False,
                          collection=inp["collection"],
                          note=f"predicted for {p} cores from this machine's constants ({cores} cores); not measured")
                out.append(pr)
    return out


def _spec_of(row: dict[str, Any]) -> SchedulerSpec | None:
    """The spec a table row says it ran on (kind, workers, threads per worker); None when that is no valid spec.

    >>> _spec_of({"kind": "threads", "workers": 2}).label, _spec_of({"kind": "", "workers": 2})
    ('threads-2', None)
    """
    try:
        return SchedulerSpec(row.get("kind"), int(row.get("workers") or 1), int(row.get("threads_per_worker") or 1),
                             as_shipped=row.get("as_shipped") is True)
    except (TypeError, ValueError):
        return None


def _planned_specs(meta: dict[str, Any], measured: set[str]) -> list[dict[str, Any]]:
    """The run's base specs (meta.json ``spec_details``: label, kind, workers, threads) not measured."""
    if not meta.get("predict_only"):
        return []
    return [s for s in meta.get("spec_details") or []
            if s.get("label") not in measured and s.get("kind") and not s.get("address")]
