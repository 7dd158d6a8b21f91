"""From Python or Jupyter: measure your own collection, get a table and a recommendation.

The composition root of the Python API, as :mod:`runners.all` is of the
command line: it measures with the runner (showing progress with
:mod:`runners.progress`), summarises with the reports
(:func:`reports.build.summarise`, and :func:`reports.build.build` for a kept
folder) and answers with a :class:`reports.answer.Answer`.

>>> from runners.api import compare                                 # doctest: +SKIP
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
import warnings
import zlib
from contextlib import nullcontext
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from reports import fmt
from reports.answer import Answer
from reports.build import build as write_reports, summarise
from reports.load import load
from reports.stopping import far_slower, pending  # the runner measures until these comparisons decide
from runners.cli import PREDICT_REPEATS, predict_only as predict_only_plan
from runners.measure import Instruments
from runners.meta import collect
from runners.plan import Plan, new_run_id, spec_details, workload_info, write_meta
from runners.profiles import PROFILES
from runners.progress import Display, notebook
from runners.records import paste
from runners.records.kinds import SchedulerSpec, is_serial, parse, parse_list
from runners.run import execute
from workloads.base import Workload

__all__ = ["compare", "TIME_BUDGET_S"]

# The whole answer's default budget, in seconds (2 cores): what a notebook user waits for.
TIME_BUDGET_S = 60.0


def compare(
    work: Any | Callable[[], Any],
    schedulers: Sequence[str] = ("sync", "threads-2", "processes-2"),
    repeats: int | None = None,
    name: str = "my-workload",
    collection: str = "delayed",
    out: str | Path | None = None,
    check: Callable[[Any, Any], bool] | None = None,
    progress: bool = True,
    time_budget_s: float | None = TIME_BUDGET_S,
    predict_only: bool = False,
) -> Answer:
    """Measure your own dask collection under *schedulers*; return the table and the recommendation.

    Parameters
    ----------
    work
        A dask collection, a list of delayed objects, or a function returning one.  A list of
        hundreds of separate delayed objects is measured on one graph with the same tasks and keys
        (:mod:`runners.onegraph`): Dask's preparation of separate ones costs the same under every
        scheduler and grows with the square of their number; the recommendation's ``note`` and
        ``graph_preparation`` say what it costs as given.
    schedulers
        Scheduler labels, e.g. ``["sync", "threads-4", "processes-4", "distributed-2x2"]``.
    repeats
        Exactly this many interleaved rounds; by default at least 5, then more
        while the comparison between the schedulers is undecided.
    name, collection
        How the work is called in results, and its collection (for Dask's default).
    out
        Results folder to keep: the run goes to ``out/<run-id>/`` with its ``summary.json`` and
        ``dashboard.html``, as from ``python -m runners.all --out``.  Without it a temporary
        folder is used and removed before returning.
    check
        ``check(result, reference)``; by default results must be equal (allclose for numbers).
    progress
        Show progress on stderr while measuring: a live bar in a terminal and in Jupyter
        (where rich needs ``ipywidgets``), one plain line a step elsewhere; False: quiet.
    time_budget_s
        Seconds for the whole answer (default 60): no new repeat starts past it, and what was
        still open then is reported; a spec shown more than 2× slower than the best after two
        rounds stops being measured before that.  None: no limit (the caps still hold).  With
        *repeats*, exactly that many rounds whatever the time.
    predict_only
        Do not run *work* under the other schedulers: time it under ``sync`` alone (with its
        GIL share and bytes per task), null tasks under each of *schedulers* and the GIL and
        pickling calibrations, and let the cost model (:mod:`reports.model`) predict the rest.
        The recommendation is then a prediction (``status`` and ``basis`` say so, with the
        model's reasons and every spec's predicted time); seconds instead of a minute, right
        as often as ``python -m reports.model_check`` says on this machine.

    Returns
    -------
    Answer
        The pair ``(table, recommendation)`` (``df, rec = compare(...)`` unpacks it), with
        ``summary``, ``folder`` and ``code`` (the configuration to paste); it shows itself as
        text, and in Jupyter as HTML with the plot of every repeat (:mod:`reports.answer`).

    Examples
    --------
    >>> import dask.array as da                                      # doctest: +SKIP
    >>> answer = compare(da.random.random((4000, 4000)).sum(), ["sync", "threads-2"])  # doctest: +SKIP
    >>> answer.recommendation["scheduler"], answer.code                # doctest: +SKIP
    >>> df, rec = answer                                               # doctest: +SKIP
    """
    def build(size: int, seed: int) -> Any:
        return work() if callable(work) and not hasattr(work, "__dask_graph__") else work

    w = Workload(name=name, collection=collection, claims=(), sizes={"quick": 1, "default": 1, "full": 1},
                 build=build, check=check or _default_check, description="user collection")
    specs = parse_list(",".join(schedulers))
    if not any(is_serial(s.kind) for s in specs):
        specs.insert(0, SchedulerSpec("sync"))
    root = Path(out) if out else Path(tempfile.mkdtemp(prefix="dask-suite-"))
    run_id = new_run_id()
    workloads, experiments, instruments = {name: w}, [], Instruments()
    if predict_only:
        workloads, experiments, instruments = predict_only_plan(workloads, Instruments(gil=True, bytes=True))
        repeats = PREDICT_REPEATS if repeats is None else repeats
    plan = Plan(profile=PROFILES["default"], workloads=workloads, specs=specs, repeats=repeats,
                fixed=repeats is not None, decide=lambda w, samples: pending(samples), drop=far_slower,
                time_budget_s=None if repeats is not None else time_budget_s, experiments=experiments,
                instruments=instruments, controls=False, check_plain=False, worker_imports=predict_only)
    plan.round_seed = zlib.crc32(run_id.encode())  # the order within rounds: from the run id, as the CLI does
    try:
        meta = collect(run_id=run_id, profile="default", workloads=[workload_info(x, "default") for x in workloads.values()],
                       specs=[s.label for s in specs], repeats=repeats, looks=plan.looks,
                       spec_details=spec_details(specs),
                       experiments=experiments, predict_only=predict_only,
                       round_seed=plan.round_seed, seed=plan.seed, complete=False)
        _measure(root / run_id, run_id, plan, meta, progress)
        summary, table = _report(root / run_id, keep=bool(out))
    finally:
        if not out:  # the table is in memory: the temporary folder goes
            shutil.rmtree(root, ignore_errors=True)
    if predict_only:
        rec = predicted(summary, name)
    else:
        rec = next((r for r in summary["recommendations"] if r["workload"] == name), {})
    return Answer(table, rec, summary, root / run_id if out else None)


def predicted(summary: dict[str, Any], name: str) -> dict[str, Any]:
    """The model's recommendation for workload *name* of a predict-only run, marked as a prediction.

    ``{"workload", "scheduler", "status": "predicted", "basis": "predicted", "headline", "why",
    "predicted": {label: seconds}, "code", "code_line"}``; without a prediction, the measured one
    with a note saying why.
    """
    model = summary.get("model") or {}
    rec = next((r for r in model.get("predicted_recommendations") or [] if r["workload"] == name), None)
    got = next((r for r in summary.get("recommendations") or [] if r["workload"] == name), {})
    said = {k: got[k] for k in ("graph_preparation", "note") if k in got}  # what its graph costs, as measured
    if rec is None:
        why = "the model could not predict this workload (see summary['model']); measured under sync only"
        return {**got, "note": " ".join(filter(None, [why, got.get("note")]))}
    times = {p["scheduler"]: p["predicted_s"] for p in model.get("predictions") or []
             if p["workload"] == name and not p.get("hypothetical")}
    spec = parse(rec["scheduler"])
    return {"workload": name, "scheduler": rec["scheduler"], "status": "predicted", "basis": "predicted",
            "headline": f"PREDICTED, not measured: {rec['scheduler']} in about {fmt.duration(rec['predicted_s'])} "
                        f"(measured: sync alone, {fmt.duration(times.get('sync'))})",
            "why": rec["explanation"], "predicted": times, "dominant_term": rec["dominant_term"],
            "code": paste.code(spec), "code_line": paste.one_line(spec), **said}


def _measure(run_dir: Path, run_id: str, plan: Plan, meta: dict[str, Any], progress: bool) -> None:
    """Measure *plan* into *run_dir* showing progress (or not); meta.json says complete once done, as the CLI's."""
    t0 = time.perf_counter()
    write_meta(run_dir, meta)
    live = sys.stderr.isatty() or notebook()
    with Display(live=live) if progress else nullcontext(_quiet) as say:
        execute(run_dir, run_id, plan, say)  # every pool closes itself, also on error
    write_meta(run_dir, {**meta, "complete": True, "duration_s": time.perf_counter() - t0})


def _quiet(line: str) -> None:
    """Where progress goes with ``progress=False``."""


def _report(run_dir: Path, keep: bool) -> tuple[dict[str, Any], pd.DataFrame]:
    """(summary, table) of the run; a kept folder also gets every report the CLI writes (summary.json, dashboard).

    The summary is then the one written to summary.json; the table comes from
    :func:`reports.build.summarise`, as :func:`reports.build.build` keeps it to itself.
    """
    if keep:
        try:
            summary = write_reports(run_dir, quiet=True)
            return summary, summarise(load(run_dir))[1]
        except Exception as e:  # the results are safe: answer from them, and say how to retry the reports
            warnings.warn(f"reports could not be built: {type(e).__name__}: {e} "
                          f"(the results are safe; retry with python -m reports.build {run_dir})", stacklevel=3)
    return summarise(load(run_dir))


def _default_check(result: Any, reference: Any) -> bool:
    """Results agree: frames and series equal (in index order), numbers close (NaN equal to NaN), else ``==``.

    >>> _default_check(pd.Series([2, 1], index=[1, 0]), pd.Series([1, 2])), _default_check([1.0, np.nan], [1.0, np.nan])
    (True, True)
    >>> _default_check("a", "b")
    False
    """
    try:
        if isinstance(result, (pd.DataFrame, pd.Series)):
            return bool(result.sort_index().equals(reference.sort_index()))
        return bool(np.allclose(np.asarray(result, dtype=float), np.asarray(reference, dtype=float), equal_nan=True))
    except Exception:
        return bool(result == reference)
