"""The command line of ``python -m runners.all``: the parser, validation and ``--list``.

Everything a user can get wrong is checked here, before anything is written:
a bad value is a :class:`UsageError` (one ``ERROR:`` line, exit status 2).
The claims are not known here: :mod:`runners.all` hands in their ids and texts.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping, Sequence

from runners import records
from runners.measure import Instruments
from runners.plan import check_kinds
from runners.profiles import PROFILES, cores
from workloads import PluginError, catalogue, load_plugin

__all__ = ["check_numbers_and_claims", "resume_args", "UsageError", "Terminated", "build_parser",
           "parse_args", "select_workloads", "check_out", "security_from", "predict_cores", "predict_only", "list_all",
           "PREDICT_REPEATS"]


class UsageError(ValueError):
    """Bad command-line input: one line, exit status 2, nothing written."""


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP (the terminal closed), handled like Ctrl-C (exit status 128 + the signal)."""

    def __init__(self, signum: int = signal.SIGTERM):
        super().__init__(signum)
        self.signum = int(signum)


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


def _seconds(text: str) -> float:
    """A number of seconds >= 0 for argparse (``--time-budget 90``); 0 means no limit."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, a number such as 60; got {text!r}") from None
    if not v >= 0:
        raise argparse.ArgumentTypeError(f"seconds must be 0 or more; got {text!r}")
    return v


def build_parser() -> argparse.ArgumentParser:
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
    p.add_argument("--time-budget", type=_seconds, default=None, metavar="SECONDS",
                   help="seconds for the whole answer: no new repeat starts past it, and what was still open is "
                        "reported (default: 60 with only your own --workloads files or modules, else the "
                        "profile's budget; 0: none)")
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
    p.add_argument("--no-controls", action="store_true", help="skip the controls: instrumentation overhead, A/A, "
                   "and the harness check against plain Dask")
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
    return build_parser().parse_args(argv)


# -- validation: everything checked before anything is written ------------------


def select_workloads(arg: str | None, claims: set[str] | None, profile: str = "default",
                     known: Sequence[str] | None = None,
                     readers: Mapping[str, Sequence[str]] | None = None) -> tuple[dict[str, Any], list[str]]:
    """The workloads to run, by name, and the plugins they came from: the profile's own without *arg*, else
    the names, files and modules *arg* lists; with *claims*, only those serving one of them.

    *readers* maps a workload's name to the ids of claims that read it without being named by it
    (a claim's ``reads``): the workload serves those claims too.

    Every workload loaded is checked before any is filtered out: its scheduler kinds must be known
    (:func:`runners.plan.check_kinds`) and, given the *known* claim ids, so must its claims.
    """
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
            for w in found.values():
                _check(w, known, f"{item}: ")
            clash = [n for n in found if n in chosen]
            if clash:
                raise UsageError(f"{item}: workload names {clash} are taken; rename them")
            chosen.update(found)
            plugins.append(str(Path(item).resolve()) if item.endswith(".py") else item)
    for w in chosen.values():
        _check(w, known, "")
    for n, w in chosen.items():
        extra = [c for c in (readers or {}).get(n, ()) if c not in w.claims]
        if extra:
            chosen[n] = replace(w, claims=(*w.claims, *extra))
    if claims:
        chosen = {n: w for n, w in chosen.items() if set(w.claims) & claims or not w.claims}
    if not chosen and not claims:
        raise UsageError("no workloads selected")
    return chosen, plugins


def check_out(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-", delete=True)
        probe.close()
    except OSError as e:
        raise UsageError(f"--out {out}: not writable ({e.strerror or e})") from None


def security_from(args: argparse.Namespace) -> Any:
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


def predict_cores(arg: str | None) -> list[int]:
    """``--predict-cores 8,16,64`` as core counts (each >= 1).

    >>> predict_cores("8, 16,64"), predict_cores(None)
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


# --predict-only measures inputs, not comparisons: this many interleaved rounds of each, no more
# (the workloads' sync time, the per-task cost of null tasks), unless --repeats says otherwise.
PREDICT_REPEATS = 3


def predict_only(workloads: dict[str, Any], instruments: Any) -> tuple[dict[str, Any], list[str], Any]:
    """``--predict-only``: every workload under sync alone (instrumented), null tasks under every
    scheduler and the calibrations, which are what the cost model needs to predict the rest."""
    out = {name: replace(w, kinds=("sync",), sweep=False) for name, w in workloads.items() if name != "delayed-null"}
    # Per-task overhead of each scheduler; with no claim of its own here, a lean profile runs it under the
    # as-shipped readings too, from which the model reads what Dask's own pool adds to a compute.
    out["delayed-null"] = replace(catalogue()["delayed-null"], claims=())
    return out, ["gil-calibration", "pickle-throughput"], Instruments(tasks=instruments.tasks, gil=True, bytes=True,
                                                                       resources=instruments.resources)


def list_all(claims: Mapping[str, str]) -> int:
    """``--list``: the workloads, the *claims* (id -> text) and the scheduler labels of each profile."""
    print("workloads:")
    for name, w in catalogue().items():
        tag = " [real data]" if w.real_data else ""
        print(f"  {name:<28} {w.collection:<9} {','.join(w.claims):<14} {w.description[:60]}{tag}")
    print("claims:")
    for cid, text in claims.items():
        print(f"  {cid:<4} {text}")
    print("schedulers (labels):")
    for name, p in PROFILES.items():
        print(f"  {name:<8} " + ", ".join(s.label for s in p.specs(cores())))
    print("  forms: sync, threads-N, processes-N, distributed-WxT, distributed@tcp://HOST:PORT")
    return 0


def check_numbers_and_claims(args: argparse.Namespace, known: Sequence[str]) -> set[str] | None:
    """Validate --repeats, --timeout and --claims (against the *known* claim ids); the claim ids asked for
    (None: all).

    >>> sorted(check_numbers_and_claims(argparse.Namespace(repeats=None, timeout=None, claims="c1, C3"), ["C1", "C3"]))
    ['C1', 'C3']
    """
    if args.repeats is not None and args.repeats < 1:
        raise UsageError(f"--repeats must be >= 1; got {args.repeats}")
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError(f"--timeout must be > 0; got {args.timeout}")
    if not args.claims:
        return None
    claims = {c.strip().upper() for c in args.claims.split(",") if c.strip()}
    bad = sorted(claims - set(known))
    if bad:
        raise UsageError(f"unknown claim ids {', '.join(bad)}; valid: {', '.join(known)}")
    return claims


def _check(w: Any, known: Sequence[str] | None, where: str) -> None:
    """*w*'s scheduler kinds and (with *known*) its claim ids, or a :class:`UsageError` that starts with *where*."""
    try:
        check_kinds(w)
    except ValueError as e:
        raise UsageError(f"{where}{e}") from None
    bad = [c for c in w.claims if known is not None and c not in known]
    if bad:
        raise UsageError(f"{where}workload {w.name!r}: unknown claim ids {bad}; valid: {', '.join(known or ())}")


def resume_args(args: argparse.Namespace, out: Path) -> dict[str, Any]:
    """With --resume RUN_ID: the interrupted run's meta.json, its plan copied into *args*; else {}."""
    if not args.resume:
        return {}
    if "/" in args.resume or os.sep in args.resume or args.resume.startswith("."):
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
    return meta_prev
