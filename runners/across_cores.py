"""The cost model checked on more cores than it was fitted on, in one command.

    python -m runners.across_cores [--fit-cores 2] [--workers 2,4,8,16] [--workloads NAMES] [--out DIR]

What a user asks of the model is *what happens on the bigger machine?*  This
command answers it where one is at hand (a machine with more cores than the
fit; on the 2-core VM the same command runs as ``--fit-cores 1 --workers 2``):

1. **Is ``taskset`` honoured here?**  A child started under ``taskset -c``
   on the fit's cores must see that many cores (``os.sched_getaffinity``,
   where the suite reads its N), and twice as many busy processes as that
   must keep no more cores busy than it was given (CPU seconds over wall).  If not, nothing
   else runs: a fit that was not limited would predict nothing.
2. **The fit**: ``runners.all`` on a few workloads under ``taskset`` on the
   first ``--fit-cores`` cores, with ``--predict-cores`` at every worker
   count beyond them.
3. **The measurement**: the same workloads on every core, under ``sync``,
   ``threads-W`` and ``processes-W`` for each ``W`` of ``--workers``.
4. **The score**: :func:`reports.model_check.check` of the fit against the
   measurement, written as ``check.json`` and as a Markdown table
   (``table.md``, headed by the machine it came from) in ``--out``, and
   printed.

Nothing in the suite depends on it; CI never runs it (a few minutes of a
machine's cores).  The two runs are ordinary results folders under
``--out`` (``fit/`` and ``measured/``), each with its dashboard.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Sequence

from reports import fmt
from reports.model_check import check

__all__ = ["taskset_honoured", "fit_cpus", "schedulers", "table", "main"]

# delayed-null first: its null tasks are the per-task overhead the model charges every other workload
WORKLOADS = "delayed-null,kernel-compute-nogil,kernel-compute-gil,array-transcendental,bag-json,delayed-busy-1000"
WORKERS = (2, 4, 8, 16)

# Run under taskset: report the cores this process may use, and how many cores 2 x that many busy processes
# really kept busy (their CPU seconds over the wall time): about that many where the limit holds, more where not.
_PROBE = r"""
import json, os, resource, time, multiprocessing as mp
def spin(seconds):
    end, x = time.process_time() + seconds, 0
    while time.process_time() < end:
        x += 1
cores = len(os.sched_getaffinity(0))
ps = [mp.get_context("fork").Process(target=spin, args=(0.3,)) for _ in range(2 * cores)]
r0, t = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
for p in ps: p.start()
for p in ps: p.join()
wall, r1 = time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
print(json.dumps({"affinity": cores, "processes": 2 * cores, "cpu_s": cpu, "wall_s": wall, "cores_busy": cpu / wall}))
"""


def fit_cpus(k: int, allowed: Sequence[int] | None = None) -> list[int]:
    """The first *k* of the cores this process may use: where the fit runs.

    >>> fit_cpus(2, [5, 0, 3, 7])
    [0, 3]
    """
    cpus = sorted(allowed if allowed is not None else os.sched_getaffinity(0))
    if not 1 <= k < len(cpus):
        raise ValueError(f"--fit-cores {k}: this process may use {len(cpus)} cores; the fit needs at least 1 and "
                         "fewer than that, so that there is a bigger machine to predict")
    return cpus[:k]


def taskset_honoured(cpus: Sequence[int]) -> dict[str, Any]:
    """Whether a child under ``taskset -c CPUS`` is limited to them (see the module docstring, step 1).

    ``{affinity, processes, cpu_s, wall_s, cores_busy, honoured, why}``: *honoured* when the child sees
    ``len(cpus)`` cores and its ``2 × len(cpus)`` busy processes, 0.3 CPU-seconds each, kept no more than
    ``len(cpus)`` + 0.25 cores busy (their CPU seconds over the wall time).
    """
    if shutil.which("taskset") is None:
        return {"honoured": False, "why": "taskset is not installed (util-linux)"}
    cmd = ["taskset", "-c", ",".join(map(str, cpus)), sys.executable, "-c", _PROBE]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True).stdout
        d = json.loads(out.strip().splitlines()[-1])
    except (subprocess.SubprocessError, OSError, ValueError, IndexError) as e:
        return {"honoured": False, "why": f"the probe under taskset failed: {e}"}
    seen, held = d["affinity"] == len(cpus), d["cores_busy"] <= len(cpus) + 0.25
    d["honoured"] = seen and held
    d["why"] = (f"a child under taskset -c {','.join(map(str, cpus))} saw {d['affinity']} cores (asked "
                f"{len(cpus)}), and its {d['processes']} busy processes kept {d['cores_busy']:.2f} cores busy "
                f"({'limited' if held else 'more than asked: the limit is not enforced'})")
    return d


def schedulers(workers: Sequence[int], cores: int) -> list[str]:
    """The measured specs: ``sync``, then ``threads-W`` and ``processes-W`` for each *W* up to *cores*.

    >>> schedulers([2, 4, 8, 16], 4)
    ['sync', 'threads-2', 'processes-2', 'threads-4', 'processes-4']
    """
    return ["sync"] + [f"{k}-{w}" for w in sorted(set(workers)) if 2 <= w <= cores for k in ("threads", "processes")]


def _end_with_me() -> None:
    """In a child before it runs: SIGTERM it when this process ends, however it ends (Linux ``PR_SET_PDEATHSIG``,
    kept across the ``exec`` of taskset and of Python), so that a run never outlives the command that started
    it; ``runners.all`` stops its pools and clusters on SIGTERM."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM), 0, 0, 0)
        except Exception:  # noqa: BLE001 - no prctl: the handlers of _stop_on_signals still stop it
            pass


def _stop_on_signals() -> None:
    """SIGTERM and SIGHUP end this command as Ctrl-C does: through :func:`_run`'s ``finally``, which stops its run."""
    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)


def _run(cmd: list[str], out: Path, log: Path) -> Path:
    """Run ``runners.all`` (*cmd*) into *out*; the run folder it made.  Its output goes to *log*.

    However this command ends (Ctrl-C, SIGTERM, SIGHUP, an error), the run is sent SIGTERM and waited for
    (it stops its own pools and clusters), then killed after a minute; if this process is killed outright,
    the kernel sends the SIGTERM (:func:`_end_with_me`).
    """
    out.mkdir(parents=True, exist_ok=True)
    before = {p.name for p in out.iterdir()}
    print("$", " ".join(cmd), flush=True)
    with open(log, "w") as f:
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, preexec_fn=_end_with_me)
        try:
            rc = proc.wait()
        finally:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
    made = sorted(p for p in out.iterdir() if p.is_dir() and p.name not in before)
    if rc != 0 or not made:
        tail = log.read_text(errors="replace").strip().splitlines()[-5:]
        raise RuntimeError(f"{' '.join(cmd[2:5])}… exited {rc}; the end of {log}:\n  " + "\n  ".join(tail))
    return made[-1]


def machine() -> str:
    """The machine in words: processor model, cores this process may use, Python."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model}, {len(os.sched_getaffinity(0))} cores usable, Python {platform.python_version()}"


def table(d: dict[str, Any], header: str) -> str:
    """The score of :func:`reports.model_check.check` as Markdown: a row per (workload, spec), then the figures.

    >>> d = {"pairs": [{"workload": "w", "scheduler": "threads-4", "predicted_s": 0.25, "measured_s": 0.2,
    ...                 "error": 0.25, "dominant_term": "compute"}], "workloads": [{"workload": "w",
    ...      "predicted_best": "threads-4", "measured_best": "threads-4", "hit": True}], "hit_rate": 1.0,
    ...      "decided": 1, "median_abs_error": 0.25, "misses_over_2x": []}
    >>> print(table(d, "fit 2 cores, measured 4"))  # doctest: +NORMALIZE_WHITESPACE
    fit 2 cores, measured 4
    <BLANKLINE>
    | workload | spec | predicted | measured | error | term |
    |---|---|---|---|---|---|
    | w | threads-4 | 250 ms | 200 ms | 25 % | compute |
    <BLANKLINE>
    | workload | predicted best | measured best | |
    |---|---|---|---|
    | w | threads-4 | threads-4 | ok |
    <BLANKLINE>
    Predicted best = measured best (or equivalent) on 1 of 1 decided workloads; median |error| 25 % (sync, the input, left out); 0 misses over 2x.
    """
    out = [header, "", "| workload | spec | predicted | measured | error | term |", "|---|---|---|---|---|---|"]
    for p in d["pairs"]:
        err = "-" if p["error"] is None else f"{100 * p['error']:.0f} %"
        meas = fmt.duration(p["measured_s"]) if p["measured_s"] else "-"
        out.append(f"| {p['workload']} | {p['scheduler']} | {fmt.duration(p['predicted_s'])} | {meas} | {err} | "
                   f"{p['dominant_term']} |")
    out += ["", "| workload | predicted best | measured best | |", "|---|---|---|---|"]
    for w in d["workloads"]:
        mark = "" if w["hit"] is None else ("ok" if w["hit"] else "MISS")
        out.append(f"| {w['workload']} | {w['predicted_best']} | {w['measured_best'] or 'undecided'} | {mark} |")
    hits = sum(1 for w in d["workloads"] if w["hit"])
    err = d["median_abs_error"]
    out += ["", f"Predicted best = measured best (or equivalent) on {hits} of {d['decided']} decided workloads; "
                f"median |error| {'-' if err is None else f'{100 * err:.0f} %'} (sync, the input, left out); "
                f"{len(d['misses_over_2x'])} misses over 2x."]
    for m in d["misses_over_2x"]:
        out.append(f"- miss: {m['workload']} on {m['scheduler']}: predicted {m['predicted_over_measured']}x the "
                   f"measured time, dominated by {m['term']}")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m runners.across_cores",
        description="Fit the cost model on a few cores (taskset) and check it against the same workloads measured "
                    "on every core of this machine, at several worker counts. First checks that taskset is "
                    "honoured. Writes fit/ and measured/ results folders, check.json and table.md under --out. "
                    "A few minutes; for a machine with more cores than --fit-cores (on 2 cores: --fit-cores 1 "
                    "--workers 2).")
    p.add_argument("--fit-cores", type=int, default=2, metavar="K", help="cores the fit may use (default 2)")
    p.add_argument("--workers", default=",".join(map(str, WORKERS)), metavar="W,W,...",
                   help="worker counts measured under threads and processes, up to this machine's cores "
                        "(default 2,4,8,16)")
    p.add_argument("--workloads", default=WORKLOADS, metavar="NAMES",
                   help=f"workloads of both runs (default: {WORKLOADS})")
    p.add_argument("--profile", default="quick", choices=("quick", "default", "full"),
                   help="the profile of both runs (default quick)")
    p.add_argument("--out", default="results/across-cores", metavar="DIR",
                   help="where the two runs, check.json and table.md go (default results/across-cores)")
    a = p.parse_args(argv)
    try:
        workers = [int(x) for x in a.workers.split(",") if x.strip()]
        cpus = fit_cpus(a.fit_cores)
    except ValueError as e:
        print(f"ERROR: {e}", file=sys.stderr)
        return 2
    cores = len(os.sched_getaffinity(0))
    specs = schedulers(workers, cores)
    if len(specs) < 2:
        print(f"ERROR: --workers {a.workers}: none between 2 and this machine's {cores} cores", file=sys.stderr)
        return 2
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    ts = taskset_honoured(cpus)
    print(f"taskset: {ts['why']}", flush=True)
    if not ts["honoured"]:
        print("ERROR: taskset does not limit a process here, so a fit on fewer cores cannot be made; nothing run",
              file=sys.stderr)
        return 1
    predict = sorted({w for w in workers if w > a.fit_cores and w <= cores} | {cores})
    base = [sys.executable, "-m", "runners.all", "--profile", a.profile, "--workloads", a.workloads,
            "--no-controls", "--no-experiments"]
    try:
        fit = _run(["taskset", "-c", ",".join(map(str, cpus)), *base, "--predict-cores", ",".join(map(str, predict)),
                    "--out", str(out / "fit")], out / "fit", out / "fit.log")
        measured = _run([*base, "--schedulers", ",".join(specs), "--out", str(out / "measured")], out / "measured",
                        out / "measured.log")
    except RuntimeError as e:
        print(f"ERROR: {e}", file=sys.stderr)
        return 1
    d = check(fit, measured)
    d["taskset"] = ts
    d["machine"] = machine()
    (out / "check.json").write_text(json.dumps(d, indent=1, default=str))
    header = (f"Fitted on {a.fit_cores} of {cores} cores (taskset -c {','.join(map(str, cpus))}), measured on all "
              f"{cores}; {a.profile} profile; {d['machine']}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
              f"{time.perf_counter() - t0:.0f} s in all.")
    md = table(d, header)
    (out / "table.md").write_text(md + "\n")
    print(md)
    print(f"\nwritten: {out / 'check.json'}, {out / 'table.md'}")
    return 0


if __name__ == "__main__":
    _stop_on_signals()
    sys.exit(main())
