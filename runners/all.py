"""Run the whole suite: ``python -m runners.all`` (see ``--help``).

The composition root: the one place that runs workloads *and* renders reports.
It validates every argument before anything is written, measures into
``<out>/<run-id>/`` (rows appended as measured), and at the end, on error and
on Ctrl-C alike, renders the reports from whatever was measured.

From Python or Jupyter, :func:`compare` measures one collection of your own
under a list of schedulers and returns a DataFrame plus a recommendation.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Sequence

from workloads.claims import CLAIMS

__all__ = ["main", "parse_args", "compare", "UsageError"]



class UsageError(ValueError):
    """Bad command-line input: one line, exit status 2, nothing written."""


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (the terminal closed), handled like Ctrl-C (exit status 128 + the signal)."""

    def __init__(self, signum: int = signal.SIGTERM):
        super().__init__(signum)
        self.signum = int(signum)


# Results-folder locks this process holds (runners.records.RunLock); main() releases them last.
_HELD: list[Any] = []


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not the whole usage
        print(f"ERROR: {message} (see --help)", file=sys.stderr)
        sys.exit(2)


class _Once(argparse.Action):
    """Store an option's value, refusing a second, different one (`--out a --out b`).

    A benchmark that silently takes the last of two output folders or profiles
    measures something the user did not ask for.
    """

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        seen = getattr(namespace, "_given", set())
        if self.dest in seen and getattr(namespace, self.dest) != values:
            parser.error(f"{option_string} given twice ({getattr(namespace, self.dest)!r} and {values!r})")
        seen.add(self.dest)
        namespace._given = seen
        setattr(namespace, self.dest, values)


def _parser() -> argparse.ArgumentParser:
    from runners.profiles import PROFILES

    p = _Parser(
        prog="python -m runners.all",
        description=(
            "Measure which Dask scheduler each workload should run on, and why: wall time, "
            "speedup vs sync, GIL contention, bytes serialised, per-task overhead, CPU and memory, "
            "under sync, threads, processes and distributed. Prints a verdict per claim and a "
            "recommended scheduler per workload, and writes <out>/<run-id>/dashboard.html."
        ),
        epilog=(
            "Scheduler labels: sync, threads-N, processes-N, distributed-WxT (a LocalCluster of W "
            "worker processes x T threads), distributed@tcp://HOST:PORT (an existing cluster). "
            "Examples: python -m runners.all --profile quick; "
            "python -m runners.all --workloads examples/my_workloads.py --schedulers sync,threads-4,processes-4; "
            "python -m runners.all --address tcp://scheduler:8786"
        ),
    )
    p.add_argument("--profile", action=_Once, default="default", choices=list(PROFILES),
                   help="sizes, repeats and sweeps: quick (<= 3 min on 2 cores), default (<= 15 min), full")
    p.add_argument("--schedulers", action=_Once, metavar="LABELS",
                   help="comma-separated scheduler labels to run instead of the profile's (no sweeps then)")
    p.add_argument("--workloads", action=_Once, metavar="NAMES|FILE|MODULE",
                   help="comma-separated workload names, and/or .py files or module names declaring your own")
    p.add_argument("--claims", action=_Once, metavar="IDS", help="only the workloads and experiments of these claims, e.g. C1,C3")
    p.add_argument("--address", action=_Once, metavar="tcp://HOST:PORT",
                   help="run the distributed leg on this existing Dask cluster instead of a LocalCluster")
    p.add_argument("--tls-ca-file", metavar="PEM",
                   help="CA certificate for a tls:// cluster (default: Dask config distributed.comm.tls.ca-file)")
    p.add_argument("--tls-cert", metavar="PEM", help="client certificate for a tls:// cluster (may hold the key too)")
    p.add_argument("--tls-key", metavar="PEM", help="client private key, unless it is in --tls-cert")
    p.add_argument("--repeats", action=_Once, type=int,
                   help="exactly this many interleaved rounds per workload, no adaptive ones (default: the profile's "
                        "minimum of 5, then more while a comparison is undecided); fewer than 5 decide nothing")
    p.add_argument("--timeout", action=_Once, type=float, metavar="SECONDS", help="limit for one repeat (default: from the profile)")
    p.add_argument("--out", action=_Once, default="results", metavar="DIR", help="folder that holds the <run-id>/ folders (default: results/)")
    p.add_argument("--resume", action=_Once, metavar="RUN_ID", help="finish an interrupted run in <out>/RUN_ID, skipping what it holds")
    p.add_argument("--seed", action=_Once, type=int, default=42, help="seed for generated data (default 42)")
    p.add_argument("--no-controls", action="store_true", help="skip the instrumentation-overhead and A/A controls")
    p.add_argument("--no-experiments", action="store_true", help="skip the raw-thread experiments (C13)")
    for inst, what in (("tasks", "task streams"), ("gil", "GIL contention sampling"),
                       ("bytes", "counting bytes serialised"), ("resources", "CPU and memory sampling")):
        p.add_argument(f"--no-{inst}", action="store_true", help=f"switch off {what}")
    p.add_argument("--no-dashboard-link", action="store_true",
                   help="do not start Dask's live dashboard for LocalClusters (no link printed)")
    p.add_argument("--list", action="store_true", help="list workloads, claims and scheduler labels, then exit")
    p.add_argument("--predict-cores", action=_Once, metavar="N,N,...",
                   help="also predict threads-N, processes-N and distributed-Nx1 at these core counts (e.g. 8,16,64) "
                        "from this machine's measured constants: predictions, not measurements")
    p.add_argument("--predict-only", action="store_true",
                   help="run every workload under sync only (plus null tasks under each scheduler and the "
                        "calibrations, for the model's constants) and print the model's predicted recommendation")
    return p


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    return _parser().parse_args(argv)


# -- validation: everything checked before anything is written ------------------
def _select_workloads(arg: str | None, claims: set[str] | None, profile: str = "default"
                      ) -> tuple[dict[str, Any], list[str]]:
    from workloads import PluginError, catalogue, load_plugin

    cat = catalogue()
    plugins: list[str] = []
    if not arg:  # the profile's own selection; a workload named explicitly always runs
        chosen = {n: w for n, w in cat.items() if w.in_profile(profile)}
    else:
        chosen = {}
        for item in [x.strip() for x in arg.split(",") if x.strip()]:
            if item in cat:
                chosen[item] = cat[item]
                continue
            looks_like_plugin = item.endswith(".py") or "/" in item or os.sep in item or "." in item
            if not looks_like_plugin:
                raise UsageError(f"unknown workload {item!r}; valid: {', '.join(cat)} (or a .py file / module)")
            try:
                found = load_plugin(item)
            except PluginError as e:
                raise UsageError(str(e)) from None
            clash = [n for n in found if n in chosen]
            if clash:
                raise UsageError(f"{item}: workload names {clash} are taken; rename them")
            chosen.update(found)
            plugins.append(str(Path(item).resolve()) if item.endswith(".py") else item)
    if claims:
        chosen = {n: w for n, w in chosen.items() if set(w.claims) & claims or not w.claims}
    if not chosen and not claims:
        raise UsageError("no workloads selected")
    return chosen, plugins


def _check_out(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-", delete=True)
        probe.close()
    except OSError as e:
        raise UsageError(f"--out {out}: not writable ({e.strerror or e})") from None


def _security(args: argparse.Namespace) -> Any:
    """A ``distributed.security.Security`` from the --tls-* flags; None without them (Dask config applies)."""
    flags = {"--tls-ca-file": args.tls_ca_file, "--tls-cert": args.tls_cert, "--tls-key": args.tls_key}
    if not any(flags.values()):
        return None
    for flag, path in flags.items():
        if path and not Path(path).is_file():
            raise UsageError(f"{flag} {path}: no such file")
    if not (args.tls_ca_file and args.tls_cert):
        raise UsageError("TLS needs --tls-ca-file and --tls-cert (plus --tls-key unless the key is in the cert file)")
    from distributed.security import Security

    return Security(tls_ca_file=args.tls_ca_file, tls_client_cert=args.tls_cert,
                    tls_client_key=args.tls_key, require_encryption=True)


def _check_address(address: str, security: Any = None) -> None:
    from runners.pools import CONNECT_TIMEOUT_S, ClusterUnreachable, Pool
    from runners.spec import SchedulerSpec

    pool = Pool(SchedulerSpec("distributed", address=address), dashboard=False, security=security)
    try:
        pool.start()
    except ClusterUnreachable as e:
        raise UsageError(str(e)) from None
    except Exception as e:
        msg = " ".join(str(e).split())  # one line
        raise UsageError(f"{address}: cannot connect within {CONNECT_TIMEOUT_S} s: {type(e).__name__}: {msg}") from None
    finally:
        pool.close()


def _cluster_versions(address: str, security: Any = None) -> dict[str, Any]:
    """The cluster's workers, threads, memory limits and versions, and Dask's mismatch report."""
    import warnings

    from distributed import Client
    from distributed.versions import error_message

    from runners.pools import CONNECT_TIMEOUT_S, _takes_n_workers

    def _suite_importable() -> bool:
        # Local, so cloudpickle sends it by value: it must run where runners.* may be missing.
        import importlib.util

        return all(importlib.util.find_spec(m) is not None for m in ("runners", "workloads"))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False, security=security) as c:
            versions = c.get_versions(check=False)
            info = c.scheduler_info(n_workers=-1) if _takes_n_workers() else c.scheduler_info()
            importable = c.run(_suite_importable, on_error="return")
    workers = info.get("workers", {})
    report = error_message(versions.get("scheduler"), versions.get("workers") or {}, versions.get("client"))
    mismatch = [report["warning"]] if report.get("warning") else []
    mismatch += [str(w.message).strip() for w in caught
                 if "version" in str(w.message).lower() and str(w.message).strip() not in mismatch]
    return {
        "address": address,
        "workers": len(workers),
        "threads": {a: w.get("nthreads") for a, w in workers.items()},
        "memory_limit": {a: w.get("memory_limit") for a, w in workers.items()},
        "scheduler_packages": (versions.get("scheduler") or {}).get("packages"),
        "worker_packages": {a: (v or {}).get("packages") for a, v in (versions.get("workers") or {}).items()},
        "client_packages": (versions.get("client") or {}).get("packages"),
        "version_mismatch": _mismatched(versions),
        "version_warnings": mismatch,
        "suite_missing_on": sorted(a for a, ok in importable.items() if ok is not True),
    }


def _mismatched(versions: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Package -> {client, scheduler, workers} for every package whose versions differ.

    >>> v = {"client": {"packages": {"numpy": "2.4"}}, "scheduler": {"packages": {"numpy": "2.4"}},
    ...      "workers": {"w1": {"packages": {"numpy": "2.3"}}}}
    >>> _mismatched(v)
    {'numpy': {'client': '2.4', 'scheduler': '2.4', 'workers': ['2.3']}}
    """
    client = (versions.get("client") or {}).get("packages") or {}
    sched = (versions.get("scheduler") or {}).get("packages") or {}
    workers = [(w or {}).get("packages") or {} for w in (versions.get("workers") or {}).values()]
    out = {}
    for pkg in sorted(set(client) | set(sched) | {p for w in workers for p in w}):
        wv = sorted({str(w.get(pkg)) for w in workers})
        seen = {str(client.get(pkg)), str(sched.get(pkg)), *wv}
        if len(seen) > 1:
            out[pkg] = {"client": client.get(pkg), "scheduler": sched.get(pkg), "workers": wv}
    return out


def _decider() -> Any:
    """The comparisons the runner keeps measuring for (the composition root wires reports in)."""
    from reports.stats import open_questions

    return open_questions


def _progress(line: str) -> None:
    try:
        print(line, file=sys.stderr, flush=True)
    except OSError:  # stderr gone (the terminal closed): the run still stops cleanly
        pass


def _kill_children(keep_tracker: bool = False) -> None:
    """Last line of defence: no process this run started outlives it.

    *keep_tracker* spares multiprocessing's resource tracker while more
    processes are to come (the report build renders pages in a process pool).
    """
    try:
        import psutil
    except ImportError:
        return
    kids = [k for k in psutil.Process().children(recursive=True) if _is_ours(k)]
    if keep_tracker:
        kids = [k for k in kids if "resource_tracker" not in " ".join(_cmdline(k))]
    # multiprocessing's resource tracker lives as long as this process by design;
    # stop it and reap it here so it does not linger as a zombie after exit.
    leftover = [k for k in kids if "resource_tracker" not in " ".join(_cmdline(k))]
    if leftover:
        names = ", ".join(sorted({" ".join(_cmdline(k))[:60] for k in leftover}))
        _progress(f"WARNING: stopping {len(leftover)} leftover process(es): {names}")
    for k in kids:
        try:
            k.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(kids, timeout=5)
    for k in alive:
        try:
            k.kill()
        except psutil.Error:
            pass
    _reap()


def _reap(grace_s: float = 1.0) -> None:
    """Wait for orphans adopted as subreaper (e.g. a dead worker's own resource tracker).

    They exit as soon as their parent has gone; reaping them here keeps them from
    lingering as zombies in this run's process group after it exits.
    """
    deadline = time.monotonic() + grace_s
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return  # no child left at all
        if pid == 0:  # children remain, none has exited yet
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)


def _cmdline(proc: Any) -> list[str]:
    try:
        return proc.cmdline()
    except Exception:
        return []


def _is_ours(proc: Any) -> bool:
    """Children that a run starts: pool workers, nannies, the resource tracker."""
    try:
        return proc.is_running() and proc.status() != "zombie"
    except Exception:
        return False


def _on_term(signum: int, frame: Any) -> None:
    raise Terminated(signum)


def _become_subreaper() -> None:
    """Adopt orphaned grandchildren (e.g. a worker whose nanny already exited).

    Without it they are reparented to PID 1 and linger as zombies until it reaps
    them; as subreaper this process waits for them itself before exiting.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except Exception:
        pass


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _on_term)
    if hasattr(signal, "SIGHUP"):  # closing the terminal: stop as cleanly as on SIGTERM
        signal.signal(signal.SIGHUP, _on_term)
    # A shell starts background jobs with SIGINT ignored, and Python keeps an
    # inherited SIG_IGN: Ctrl-C (or kill -INT) must still stop the run cleanly.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    _become_subreaper()
    try:
        code = _main(args)
    except UsageError as e:
        print(f"ERROR: {e}", file=sys.stderr)
        code = 2
    except Exception as e:
        from runners.records import WriteError

        if not isinstance(e, WriteError):
            raise
        _progress(f"ERROR: {e}")  # before anything was measured (meta.json)
        code = 1
    finally:
        _kill_children()
        while _HELD:  # the folder is free once no process of this run is left
            _HELD.pop().release()
    from runners.measure import ABANDONED

    if any(t.is_alive() for t in ABANDONED):
        # A thread stuck in a timed-out task would block interpreter exit
        # (concurrent.futures joins its workers at exit): leave at once instead.
        _exit_now(code)
    sys.exit(code)


def _exit_now(code: int) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _main(args: argparse.Namespace) -> int:
    import json

    from runners import records
    from runners.measure import Instruments
    from runners.profiles import PROFILES, cores
    from runners.plan import Plan, new_run_id, plan_specs, workload_info, write_meta
    from runners.run import execute
    from runners.spec import parse_list

    if args.list:
        return _list()
    out = Path(args.out)
    if args.repeats is not None and args.repeats < 1:
        raise UsageError(f"--repeats must be >= 1; got {args.repeats}")
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError(f"--timeout must be > 0; got {args.timeout}")
    claims = None
    if args.claims:
        claims = {c.strip().upper() for c in args.claims.split(",") if c.strip()}
        bad = sorted(claims - set(CLAIMS))
        if bad:
            raise UsageError(f"unknown claim ids {', '.join(bad)}; valid: C1..C14")
    meta_prev: dict[str, Any] = {}
    if args.resume:
        if not args.resume or "/" in args.resume or os.sep in args.resume or args.resume.startswith("."):
            raise UsageError(f"--resume takes a run id (the name of a folder in {out}/, e.g. 20261123-021530-1a2b), "
                             f"not a path; got {args.resume!r}")
        mp = out / args.resume / records.META
        if not mp.is_file():
            raise UsageError(f"--resume {args.resume}: no run of that id in {out}/ (no {mp})")
        try:
            meta_prev = json.loads(mp.read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise UsageError(f"--resume {args.resume}: unreadable meta.json ({e})") from None
        if meta_prev.get("v") != records.SCHEMA_VERSION:
            raise UsageError(f"--resume {args.resume}: results schema version {meta_prev.get('v')!r}, "
                             f"this suite writes {records.SCHEMA_VERSION}; start a new run")
        # Redo exactly the interrupted run's plan.
        args.profile = meta_prev.get("profile", args.profile)
        args.schedulers = args.schedulers or meta_prev.get("schedulers_arg")
        args.workloads = args.workloads or meta_prev.get("workloads_arg")
        args.claims = args.claims or meta_prev.get("claims_arg")
        args.address = args.address or meta_prev.get("address")
        args.repeats = args.repeats or meta_prev.get("repeats_arg")
        args.seed = meta_prev.get("seed", args.seed)
        args.predict_only = args.predict_only or bool(meta_prev.get("predict_only"))
        args.predict_cores = args.predict_cores or ",".join(str(c) for c in meta_prev.get("predict_cores") or ()) or None
        if args.claims and claims is None:
            claims = {c.strip().upper() for c in args.claims.split(",")}
    profile = PROFILES[args.profile]
    try:
        specs = parse_list(args.schedulers) if args.schedulers else None
    except ValueError as e:
        raise UsageError(str(e)) from None
    workloads, plugins = _select_workloads(args.workloads, claims, profile.name)
    n = cores()
    if specs is None:
        base, sweep = plan_specs(profile, n, args.address)
    else:
        base, sweep = specs, []
        if args.address:
            from runners.spec import SchedulerSpec

            base = [s for s in base if not (s.kind == "distributed" and not s.address)]
            if SchedulerSpec("distributed", address=args.address) not in base:
                base.append(SchedulerSpec("distributed", address=args.address))
    # Clusters first: an unreachable address is a one-line error with nothing written.
    security = _security(args)
    addresses = list(dict.fromkeys(s.address for s in base if s.address))
    if security is not None and not addresses:
        raise UsageError("--tls-* flags need a cluster: --address tls://HOST:PORT or distributed@tls://HOST:PORT")
    clusters = []
    for address in addresses:
        _check_address(address, security)
        clusters.append(_cluster_versions(address, security))
    for c in clusters:
        for pkg, v in c["version_mismatch"].items():
            print(f"WARNING: {c['address']}: Dask reports mismatched {pkg} versions: client {v['client']}, "
                  f"scheduler {v['scheduler']}, workers {', '.join(v['workers'])}", file=sys.stderr)
        if c["suite_missing_on"]:
            print(f"WARNING: {c['address']}: {len(c['suite_missing_on'])} worker(s) cannot import this suite "
                  f"(runners, workloads); install it there, in the same environment as the client", file=sys.stderr)
    cluster = clusters[0] if clusters else None
    if addresses and not args.address:
        args.address = addresses[0]  # recorded in meta.json, as with --address
    _check_out(out)
    experiments: list[str] = []
    if not args.no_experiments:
        try:
            from runners.experiments import EXPERIMENTS
        except ImportError:
            EXPERIMENTS = {}
        experiments = [k for k, e in EXPERIMENTS.items() if claims is None or set(e.claims) & claims]
    if args.workloads and not args.claims:
        experiments = []  # a user's own selection: measure just that
    instruments = Instruments(tasks=not args.no_tasks, gil=not args.no_gil, bytes=not args.no_bytes,
                              resources=not args.no_resources)
    predict_cores = _predict_cores(args.predict_cores)
    if args.predict_only:
        workloads, experiments, instruments = _predict_only(workloads, instruments)
    plan = Plan(
        profile=profile, workloads=workloads, specs=base, sweep_specs=[] if args.predict_only else sweep,
        repeats=args.repeats, fixed=args.repeats is not None, decide=_decider(),
        instruments=instruments, experiments=experiments,
        controls=not args.no_controls and not args.workloads and not args.predict_only,
        timeout_s=args.timeout or profile.timeout_s,
        dashboard=not args.no_dashboard_link, seed=args.seed,
        plugin_files=[p for p in plugins if p.endswith(".py")],
        lean=None if specs is None else False,  # named schedulers run every selected workload
        security=security, check_plain=not args.predict_only,
    )
    run_id = args.resume or new_run_id()
    run_dir = out / run_id
    try:  # one run at a time in a folder: a second one (fresh or --resume) would measure the same pairs
        _HELD.append(records.lock(run_dir))
    except (records.Locked, records.UnsafePath) as e:
        raise UsageError(str(e)) from None
    from runners.meta import collect

    meta = meta_prev or collect(
        run_id=run_id, profile=profile.name, command=[sys.executable, "-m", "runners.all", *sys.argv[1:]],
        cwd=os.getcwd(), schedulers_arg=args.schedulers, workloads_arg=args.workloads, claims_arg=args.claims,
        address=args.address, cluster=cluster, **({"clusters": clusters} if len(clusters) > 1 else {}), repeats=plan.min_repeats, repeats_arg=args.repeats,
        max_repeats=plan.max_repeats, budget_s=plan.budget_s, seed=plan.seed, plugins=plugins,
        specs=[s.label for s in base], sweep_specs=[s.label for s in sweep], experiments=experiments,
        instruments=vars(instruments) if hasattr(instruments, "__dict__") else instruments.__dict__,
        timeout_s=plan.timeout_s, chunksize_processes=1,
        workloads=[workload_info(w, profile.name) for w in workloads.values()], complete=False,
        predict_cores=predict_cores, predict_only=bool(args.predict_only),
    )
    if meta_prev:
        meta.setdefault("resumed", []).append(time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    write_meta(run_dir, meta)
    if meta.get("openmp_kernels") is False:
        _progress("WARNING: the kernels were built without OpenMP: kernel-prange-* run serially, "
                  "so C8 is decided on BLAS alone")
    _progress(f"run {run_id}: profile {profile.name}, {len(workloads)} workloads, "
              f"{len(base)} schedulers + {len(sweep)} sweep specs, "
              + (f"{plan.min_repeats} repeats" if plan.fixed else
                 f"{plan.min_repeats}..{plan.max_repeats} interleaved rounds (<= {plan.budget_s:g} s a workload)")
              + f" -> {run_dir}")
    code = 0
    t0 = time.perf_counter()
    try:
        from runners.progress import Display

        with Display() as display:
            execute(run_dir, run_id, plan, display)
        meta["complete"] = True
        meta["duration_s"] = time.perf_counter() - t0 + float(meta.get("duration_s") or 0)
        write_meta(run_dir, meta)
    except KeyboardInterrupt as e:
        code = 128 + e.signum if isinstance(e, Terminated) else 130
        _progress(f"\ninterrupted: finished rows are kept in {run_dir}")
    except records.WriteError as e:  # disk full, read-only: reports could not be written either
        first, seen = e, e.__context__
        while seen is not None:  # the first write that failed says most (clean-ups then failed too)
            first = seen if isinstance(seen, records.WriteError) else first
            seen = seen.__context__ if seen.__context__ is not seen else None
        e = first
        _progress(f"ERROR: the run stopped: {e}; every row written before is kept in {run_dir}")
        _progress(f"resume with: python -m runners.all --out {out} --resume {run_id}")
        return 1
    except Exception as e:
        code = 1
        _progress(f"ERROR: the run stopped: {type(e).__name__}: {e}; finished rows are kept in {run_dir}")
        _progress(f"resume with: python -m runners.all --out {out} --resume {run_id}")
    _kill_children(keep_tracker=True)
    try:
        from reports.build import build

        _progress("rendering reports ...")
        summary = build(run_dir)
        if args.predict_only or predict_cores:
            from reports.model import predicted_lines

            for line in predicted_lines(summary.get("model") or {}):
                print(line)
    except KeyboardInterrupt:
        code = code or 130
    except Exception as e:
        _progress(f"ERROR: reports could not be built: {type(e).__name__}: {e} "
                  f"(the results are safe; retry with python -m reports.build {run_dir})")
        code = code or 1
    if code in (129, 130, 143):
        _progress(f"resume with: python -m runners.all --out {out} --resume {run_id}")
    return code


def _predict_cores(arg: str | None) -> list[int]:
    """``--predict-cores 8,16,64`` as core counts (each >= 1).

    >>> _predict_cores("8, 16,64"), _predict_cores(None)
    ([8, 16, 64], [])
    """
    if not arg:
        return []
    try:
        counts = [int(x) for x in arg.split(",") if x.strip()]
    except ValueError:
        raise UsageError(f"--predict-cores takes core counts like 8,16,64; got {arg!r}") from None
    if not counts or min(counts) < 1:
        raise UsageError(f"--predict-cores takes core counts >= 1; got {arg!r}")
    return sorted(set(counts))


def _predict_only(workloads: dict[str, Any], instruments: Any) -> tuple[dict[str, Any], list[str], Any]:
    """``--predict-only``: every workload under sync alone (instrumented), null tasks under every
    scheduler and the calibrations, which are what the cost model needs to predict the rest."""
    from dataclasses import replace

    from runners.measure import Instruments
    from workloads import catalogue

    out = {name: replace(w, kinds=("sync",), sweep=False) for name, w in workloads.items() if name != "delayed-null"}
    out["delayed-null"] = catalogue()["delayed-null"]  # per-task overhead of each scheduler
    return out, ["gil-calibration", "pickle-throughput"], Instruments(tasks=instruments.tasks, gil=True, bytes=True,
                                                                       resources=instruments.resources)


def _list() -> int:
    from runners.profiles import PROFILES, cores
    from workloads import catalogue

    print("workloads:")
    for name, w in catalogue().items():
        tag = " [real data]" if w.real_data else ""
        print(f"  {name:<28} {w.collection:<9} {','.join(w.claims):<14} {w.description[:60]}{tag}")
    print("claims:")
    for cid, c in CLAIMS.items():
        print(f"  {cid:<4} {c.text}")
    print("schedulers (labels):")
    for name, p in PROFILES.items():
        print(f"  {name:<8} " + ", ".join(s.label for s in p.specs(cores())))
    print("  forms: sync, threads-N, processes-N, distributed-WxT, distributed@tcp://HOST:PORT")
    return 0


def compare(
    work: Any | Callable[[], Any],
    schedulers: Sequence[str] = ("sync", "threads-2", "processes-2"),
    repeats: int | None = None,
    name: str = "my-workload",
    collection: str = "delayed",
    out: str | Path | None = None,
    check: Callable[[Any, Any], bool] | None = None,
) -> tuple[Any, dict[str, Any]]:
    """Measure your own dask collection under *schedulers*; return (DataFrame, recommendation).

    Parameters
    ----------
    work
        A dask collection, a list of delayed objects, or a function returning one.
    schedulers
        Scheduler labels, e.g. ``["sync", "threads-4", "processes-4", "distributed-2x2"]``.
    repeats
        Exactly this many interleaved rounds; by default at least 5, then more
        while the comparison between the schedulers is undecided.
    name, collection
        How the work is called in results, and its collection (for Dask's default).
    out
        Results folder to keep; without it a temporary one is used and removed before returning.
    check
        ``check(result, reference)``; by default results must be equal (allclose for numbers).

    Examples
    --------
    >>> import dask.array as da                                      # doctest: +SKIP
    >>> df, rec = compare(da.random.random((4000, 4000)).sum(), ["sync", "threads-2"])  # doctest: +SKIP
    >>> rec["scheduler"], rec["explanation"]                          # doctest: +SKIP
    """
    from reports.build import summarise
    from reports.load import load
    from runners.measure import Instruments
    from runners.profiles import PROFILES
    from runners.plan import Plan, new_run_id, workload_info, write_meta
    from runners.run import execute
    from runners.spec import parse_list
    from workloads.base import Workload

    def build(size: int, seed: int) -> Any:
        return work() if callable(work) and not hasattr(work, "__dask_graph__") else work

    w = Workload(name=name, collection=collection, claims=(), sizes={"quick": 1, "default": 1, "full": 1},
                 build=build, check=check or _default_check, description="user collection")
    specs = parse_list(",".join(schedulers))
    if not any(s.kind == "sync" for s in specs):
        from runners.spec import SchedulerSpec

        specs.insert(0, SchedulerSpec("sync"))
    root = Path(out) if out else Path(tempfile.mkdtemp(prefix="dask-suite-"))
    run_id = new_run_id()
    plan = Plan(profile=PROFILES["default"], workloads={name: w}, specs=specs, repeats=repeats,
                fixed=repeats is not None, decide=_decider(),
                instruments=Instruments(), controls=False, check_plain=False)
    from runners.meta import collect

    try:
        write_meta(root / run_id, collect(run_id=run_id, profile="default", workloads=[workload_info(w, "default")],
                                          specs=[s.label for s in specs], repeats=repeats))
        execute(root / run_id, run_id, plan)  # every pool closes itself, also on error
        summary, table = summarise(load(root / run_id))
    finally:
        if not out:  # the table is in memory: the temporary folder goes
            import shutil

            shutil.rmtree(root, ignore_errors=True)
    rec = next((r for r in summary["recommendations"] if r["workload"] == name), {})
    return table, rec


def _default_check(result: Any, reference: Any) -> bool:
    import numpy as np

    try:
        import pandas as pd

        if isinstance(result, (pd.DataFrame, pd.Series)):
            return bool(result.sort_index().equals(reference.sort_index()))
        return bool(np.allclose(np.asarray(result, dtype=float), np.asarray(reference, dtype=float), equal_nan=True))
    except Exception:
        return bool(result == reference)


if __name__ == "__main__":
    # As a program, leave without interpreter finalisation once main() is done
    # (everything written and reaped): gilknocker 0.4's thread aborts it now and
    # then with "FATAL: exception not rethrown", which would turn a finished run
    # into exit status 134.
    try:
        main()
    except SystemExit as e:
        _exit_now(e.code if isinstance(e.code, int) else 1)
