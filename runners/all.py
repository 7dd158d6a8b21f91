"""Run the whole suite: ``python -m runners.all`` (see ``--help``).

The composition root: the one place that runs workloads *and* renders reports
(:mod:`runners.cli` parses and validates, :mod:`runners.plan` plans,
:mod:`runners.run` measures, :mod:`reports.build` renders;
:mod:`runners.procs` makes sure nothing started outlives the run).  It
validates every argument before anything is written, measures into
``<out>/<run-id>/`` (rows appended as measured), and at the end, on error and
on Ctrl-C alike, renders the reports from whatever was measured.

It is also where the claims (:mod:`reports.claims`) meet the runner: their
ids validate ``--claims`` and the workloads' own, their kinds and scaling
go into the :class:`~runners.plan.Plan`, and their questions make its stop rule.

From Python or Jupyter, :func:`runners.api.compare` (also importable from
here) measures one collection of your own under a list of schedulers.

Reports (and :mod:`runners.api`, which imports them) are imported inside the
functions that use them: the spawned workers of a processes pool run this
module again as ``__mp_main__`` (``python -m runners.all``) and need none of them.
"""
from __future__ import annotations

import argparse
import os
import zlib
import signal
import sys
import time
from pathlib import Path
from typing import Any, Sequence

if __name__ == "__main__":
    # Before anything is imported or started: run again with the GIL hand-over counter
    # preloaded (runners/gilcount.py; once, same PID), and keep it out of every child's environment.
    from runners import gilcount

    gilcount.reexec_counted()
    gilcount.restore_env()

from runners import records  # noqa: E402  (after the restart above)
from runners.cli import (PREDICT_REPEATS, Terminated, UsageError, check_numbers_and_claims, check_out, list_all, parse_args,
                         predict_cores, predict_only, resume_args, security_from, select_workloads)
from runners.allocator import settle
from runners.cluster import check_address, cluster_versions
from runners.interference import Load
from runners.procs import (become_subreaper, exit_now, forget_signals, kill_children, on_term, progress, stop_code,
                           stop_if_signalled)
from runners.measure import Instruments
from runners.plan import Plan, new_run_id, plan_specs, spec_details, workload_info, write_meta
from runners.profiles import PROFILES, cores
from runners.records.kinds import SchedulerSpec, is_cluster, parse_list

__all__ = ["main", "parse_args", "compare", "UsageError"]

# Results-folder locks this process holds (released once no process of the run is left).
_HELD: list[Any] = []


def __getattr__(name: str) -> Any:
    """``runners.all.compare`` is :func:`runners.api.compare`, imported on first use (see the module docstring)."""
    if name == "compare":
        from runners.api import compare

        return compare
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _claims() -> Any:
    """The claim registry (:data:`reports.claims.CLAIMS`): id -> record."""
    from reports.claims import CLAIMS

    return CLAIMS


def _decider(load: Any) -> Any:
    """The comparisons the runner keeps measuring for (the composition root wires reports in): what the
    claims of a workload ask at N = this machine's cores, their parallel-speedup bars set for the cores
    other users leave free as the rounds measure it (*load*: :class:`runners.interference.Load`), then what
    its recommendation needs."""
    from reports.claims import questions_for, still_open
    from reports.interference import free_cores

    n = cores()
    return lambda w, samples: still_open(samples, questions_for(w, n, free_cores(n, load.cores)))


def _dropper() -> Any:
    """The early stop for a spec far slower than the best (reports.stopping.far_slower), wired in here."""
    from reports.stopping import far_slower

    return far_slower


def _time_budget(args: argparse.Namespace, plugins: list[str]) -> float | None:
    """The whole answer's budget: ``--time-budget``, else 60 s (as ``compare()``) when the workloads are only
    the user's own (files or modules), else None (the profile's run budget plans the run)."""
    if args.time_budget is not None:
        return args.time_budget or None
    from runners.api import TIME_BUDGET_S

    own = bool(args.workloads) and bool(plugins) and all(
        part.strip() in plugins or part.strip().endswith(".py") for part in args.workloads.split(",") if part.strip())
    return TIME_BUDGET_S if own and args.repeats is None else None


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    forget_signals()  # a stop recorded by an earlier run in this process (tests run the CLI in-process) is not ours
    signal.signal(signal.SIGTERM, on_term)
    if hasattr(signal, "SIGHUP"):  # closing the terminal: stop as cleanly as on SIGTERM
        signal.signal(signal.SIGHUP, on_term)
    # A shell starts background jobs with SIGINT ignored, and Python keeps an
    # inherited SIG_IGN: Ctrl-C (or kill -INT) must still stop the run cleanly.
    signal.signal(signal.SIGINT, on_term)
    become_subreaper()
    settle()  # the allocator's state fixed before anything is timed in this process (runners/allocator.py)
    try:
        code = _main(args)
    except UsageError as e:
        print(f"ERROR: {e}", file=sys.stderr)
        code = 2
    except records.WriteError as e:
        progress(f"ERROR: {e}")  # before anything was measured (meta.json)
        code = 1
    finally:
        kill_children()
        while _HELD:  # the folder is free once no process of this run is left
            _HELD.pop().release()
    code = code or stop_code()  # stopped, even where the stop's exception was lost on the way
    from runners.measure import ABANDONED

    if any(t.is_alive() for t in ABANDONED):
        # A thread stuck in a timed-out task would block interpreter exit
        # (concurrent.futures joins its workers at exit): leave at once instead.
        exit_now(code)
    sys.exit(code)


def _main(args: argparse.Namespace) -> int:
    registry = _claims()
    if args.list:
        return list_all({cid: c.text for cid, c in registry.items()})
    out = Path(args.out)
    claims = check_numbers_and_claims(args, list(registry))
    meta_prev = resume_args(args, out)
    if args.claims and claims is None:
        claims = {c.strip().upper() for c in args.claims.split(",")}
    plan, plugins, clusters, extra_cores = _plan(args, out, claims, registry)
    run_id = args.resume or new_run_id()
    run_dir = out / run_id
    # The order within rounds is seeded by the run id (not --seed, which seeds the data): an order effect
    # does not repeat across runs, and meta.json keeps the seed so a run can be replayed.
    plan.round_seed = int((meta_prev or {}).get("round_seed") or zlib.crc32(run_id.encode()))
    try:  # one run at a time in a folder: a second one (fresh or --resume) would measure the same pairs
        _HELD.append(records.lock(run_dir))
    except (records.Locked, records.UnsafePath) as e:
        raise UsageError(str(e)) from None
    meta = meta_prev or _meta(args, plan, run_id, plugins, clusters, extra_cores)
    if meta_prev:
        meta.setdefault("resumed", []).append(time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    write_meta(run_dir, meta)
    if meta.get("openmp_kernels") is False:
        progress("WARNING: the kernels were built without OpenMP: kernel-prange-* run serially, "
                 "so C8 is decided on BLAS alone")
    progress(f"run {run_id}: profile {plan.profile.name}, {len(plan.workloads)} workloads, "
             f"{len(plan.specs)} schedulers + {len(plan.sweep_specs)} sweep specs, "
             + (f"{plan.min_repeats} repeats" if plan.fixed else
                f"{plan.min_repeats}..{plan.max_repeats} interleaved rounds (<= {plan.budget_s:g} s a workload)")
             + f" -> {run_dir}")
    code = _measure(plan, run_dir, run_id, meta, out)
    if code == WRITE_FAILED:
        return 1
    kill_children(keep_tracker=True)
    code = _render(run_dir, code, bool(args.predict_only or extra_cores))
    if code in (129, 130, 143):
        progress(f"resume with: python -m runners.all --out {out} --resume {run_id}")
    return code


WRITE_FAILED = -1  # the disk refused a write: no report can be written either


def _specs(args: argparse.Namespace, profile: Any) -> tuple[list[Any], list[Any], bool]:
    """(base specs, sweep specs, named by the user) with an ``--address`` cluster in place of a LocalCluster."""
    try:
        specs = parse_list(args.schedulers) if args.schedulers else None
    except ValueError as e:
        raise UsageError(str(e)) from None
    if specs is None:
        base, sweep = plan_specs(profile, cores(), args.address)
        return base, sweep, False
    base = specs
    if args.address:
        base = [s for s in base if not (is_cluster(s.kind) and not s.address)]
        if SchedulerSpec("distributed", address=args.address) not in base:
            base.append(SchedulerSpec("distributed", address=args.address))
    return base, [], True


def _clusters(args: argparse.Namespace, base: list[Any], security: Any) -> list[dict[str, Any]]:
    """Probe every cluster address (an unreachable one is a one-line error, nothing written)."""
    addresses = list(dict.fromkeys(s.address for s in base if s.address))
    if security is not None and not addresses:
        raise UsageError("--tls-* flags need a cluster: --address tls://HOST:PORT or distributed@tls://HOST:PORT")
    clusters = []
    for address in addresses:
        check_address(address, security)
        clusters.append(cluster_versions(address, security))
    for c in clusters:
        for pkg, v in c["version_mismatch"].items():
            print(f"WARNING: {c['address']}: Dask reports mismatched {pkg} versions: client {v['client']}, "
                  f"scheduler {v['scheduler']}, workers {', '.join(v['workers'])}", file=sys.stderr)
        if c["suite_missing_on"]:
            print(f"WARNING: {c['address']}: {len(c['suite_missing_on'])} worker(s) cannot import this suite "
                  f"(runners, workloads); install it there, in the same environment as the client", file=sys.stderr)
    if addresses and not args.address:
        args.address = addresses[0]  # recorded in meta.json, as with --address
    return clusters


def _plan(args: argparse.Namespace, out: Path, claims: set[str] | None, registry: Any
          ) -> tuple[Any, list[str], list[Any], list[int]]:
    """The run's Plan from the validated arguments and the claim *registry*: (plan, plugins, clusters,
    predicted core counts)."""
    profile = PROFILES[args.profile]
    base, sweep, named = _specs(args, profile)
    readers: dict[str, list[str]] = {}
    for c in registry.values():
        for name in c.reads:
            readers.setdefault(name, []).append(c.id)
    workloads, plugins = select_workloads(args.workloads, claims, profile.name, known=list(registry), readers=readers)
    security = security_from(args)
    clusters = _clusters(args, base, security)
    check_out(out)
    experiments: list[str] = []
    if not args.no_experiments and not (args.workloads and not args.claims):  # a user's own selection: just that
        from runners.experiments import EXPERIMENTS

        experiments = [k for k, e in EXPERIMENTS.items() if claims is None or set(e.claims) & claims]
    instruments = Instruments(tasks=not args.no_tasks, gil=not args.no_gil, bytes=not args.no_bytes,
                              resources=not args.no_resources)
    extra_cores = predict_cores(args.predict_cores)
    repeats = args.repeats
    if args.predict_only:
        workloads, experiments, instruments = predict_only(workloads, instruments)
        repeats = PREDICT_REPEATS if repeats is None else repeats
    load = Load()
    plan = Plan(
        profile=profile, workloads=workloads, specs=base, sweep_specs=[] if args.predict_only else sweep,
        repeats=repeats, fixed=repeats is not None, decide=_decider(load), load=load, claims=registry,
        drop=_dropper(),
        time_budget_s=_time_budget(args, plugins),
        instruments=instruments, experiments=experiments,
        controls=not args.no_controls and not args.workloads and not args.predict_only,
        timeout_s=args.timeout or profile.timeout_s,
        dashboard=not args.no_dashboard_link, seed=args.seed,
        plugin_files=[p for p in plugins if p.endswith(".py")],
        lean=False if named else None,  # named schedulers run every selected workload
        layouts=not named and not args.predict_only,  # the profile's layouts; named schedulers are just those
        security=security, check_plain=not (args.predict_only or args.no_controls),
        worker_imports=bool(args.predict_only or extra_cores),  # the model's as-shipped start, per workload
    )
    return plan, plugins, clusters, extra_cores


def _meta(args: argparse.Namespace, plan: Any, run_id: str, plugins: list[str], clusters: list[dict[str, Any]],
          extra_cores: list[int]) -> dict[str, Any]:
    """meta.json of a new run: the machine (runners.meta) and everything --resume needs to redo the plan."""
    from runners.meta import collect

    return collect(
        run_id=run_id, profile=plan.profile.name, command=[sys.executable, "-m", "runners.all", *sys.argv[1:]],
        cwd=os.getcwd(), schedulers_arg=args.schedulers, workloads_arg=args.workloads, claims_arg=args.claims,
        address=args.address, cluster=clusters[0] if clusters else None,
        **({"clusters": clusters} if len(clusters) > 1 else {}), repeats=plan.min_repeats, repeats_arg=args.repeats,
        max_repeats=plan.max_repeats, budget_s=plan.budget_s, seed=plan.seed, round_seed=plan.round_seed,
        looks=plan.looks, plugins=plugins,
        specs=[s.label for s in plan.specs], sweep_specs=[s.label for s in plan.sweep_specs],
        spec_details=spec_details(plan.specs),
        experiments=plan.experiments, instruments=dict(vars(plan.instruments)),
        timeout_s=plan.timeout_s, chunksize_processes=1,
        workloads=[workload_info(w, plan.profile.name) for w in plan.workloads.values()], complete=False,
        predict_cores=extra_cores, predict_only=bool(args.predict_only),
        stream_pages=plan.profile.stream_pages, allocator=settle(),
    )


def _measure(plan: Any, run_dir: Path, run_id: str, meta: dict[str, Any], out: Path) -> int:
    """Measure the plan with a progress display; the exit status so far (WRITE_FAILED: nothing more to write)."""
    from runners.progress import Display
    from runners.run import execute

    t0 = time.perf_counter()
    try:
        with Display() as display:
            execute(run_dir, run_id, plan, display)
            stop_if_signalled()  # a stop lost in a finaliser after the last repeat: not a complete run
        meta["complete"] = True
        meta["duration_s"] = time.perf_counter() - t0 + float(meta.get("duration_s") or 0)
        write_meta(run_dir, meta)
        return 0
    except KeyboardInterrupt as e:
        progress(f"\ninterrupted: finished rows are kept in {run_dir}")
        return 128 + e.signum if isinstance(e, Terminated) else 130
    except records.WriteError as e:  # disk full, read-only: reports could not be written either
        first, seen = e, e.__context__
        while seen is not None:  # the first write that failed says most (clean-ups then failed too)
            first = seen if isinstance(seen, records.WriteError) else first
            seen = seen.__context__ if seen.__context__ is not seen else None
        progress(f"ERROR: the run stopped: {first}; every row written before is kept in {run_dir}")
        progress(f"resume with: python -m runners.all --out {out} --resume {run_id}")
        return WRITE_FAILED
    except Exception as e:
        progress(f"ERROR: the run stopped: {type(e).__name__}: {e}; finished rows are kept in {run_dir}")
        progress(f"resume with: python -m runners.all --out {out} --resume {run_id}")
        return 1


def _render(run_dir: Path, code: int, predicted: bool) -> int:
    """Every report of the run, from whatever was measured; the exit status."""
    try:
        from reports.build import build

        progress("rendering reports ...")
        summary = build(run_dir)
        stop_if_signalled()  # a Ctrl-C lost in a finaliser while the reports were built (see runners.procs)
        if predicted:
            from reports.model_advice import predicted_lines

            for line in predicted_lines(summary.get("model") or {}):
                print(line)
    except KeyboardInterrupt:
        return code or stop_code() or 130
    except Exception as e:
        progress(f"ERROR: reports could not be built: {type(e).__name__}: {e} "
                 f"(the results are safe; retry with python -m reports.build {run_dir})")
        return code or 1
    return code


if __name__ == "__main__":
    # As a program, leave without interpreter finalisation once main() is done
    # (everything written and reaped): gilknocker 0.4's thread aborts it now and
    # then with "FATAL: exception not rethrown", which would turn a finished run
    # into exit status 134.
    try:
        main()
    except SystemExit as e:
        exit_now(e.code if isinstance(e.code, int) else 1)
    except KeyboardInterrupt:  # a stop during main()'s own clean-up: finish it, then leave with the stop's status
        kill_children()
        exit_now(stop_code() or 130)

