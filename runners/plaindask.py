"""Plain Dask in a fresh interpreter: the other side of the harness check (:mod:`runners.harness_check`).

The runner starts ``python -m runners.plaindask PROFILE SEED [PLUGIN ...]``
once per run (:class:`PlainChild`) and sends it one JSON line per request on
stdin::

    {"workload": "bag-json", "scheduler": "threads-2"}

It builds the workload's graph (once), warms it up once per scheduler, runs
``dask.compute`` as a user would, under the settings of the very code a
recommendation tells users to paste (:func:`runners.records.paste.code`, run by
:meth:`runners.schedulers.base.Plain.of`) — no profiler, no GIL sampler, no counting of
bytes, no pools or cluster of other specs beside it; like every process the
suite times in, with the state it has before the compute frozen out of the
garbage collector (``gc.freeze``) and the allocator's thresholds fixed at
start (:func:`runners.allocator.settle`; the pools a snippet starts keep
their own) — and answers with one line ``{"wall_s": 0.42}`` (or
``{"error": "..."}``).  ``processes-2`` (tuned) is the
snippet's kept spawn pool with ``chunksize=1``, ``processes-2-shipped`` Dask's
own pool per compute, as a notebook starts it (no main module re-imported),
as the harness measures both.

The child asks the kernel to end it with its parent (``PR_SET_PDEATHSIG``), so a
killed runner leaves nothing behind.
"""
from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
from typing import Any, Sequence

from runners.allocator import settle
from runners.onegraph import prepared
from runners.records import die_with_parent
from runners.records.kinds import SchedulerSpec, parse
from runners.schedulers import SCHEDULERS
from runners.schedulers.base import Plain, as_a_notebook_runs_it
from workloads import catalogue, load_plugin
from workloads.base import Workload

__all__ = ["main", "PlainChild"]


class PlainChild:
    """``python -m runners.plaindask`` in a fresh interpreter, one request at a time."""

    def __init__(self, profile: str, seed: int, plugins: Sequence[str]):
        cmd = [sys.executable, "-m", "runners.plaindask", profile, str(seed), *plugins]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def time(self, w: Workload, spec: SchedulerSpec) -> dict[str, Any]:
        """``{"wall_s": ...}`` of one plain compute of *w* under *spec*, or ``{"error": ...}``."""
        try:
            self.proc.stdin.write(json.dumps({"workload": w.name, "scheduler": spec.label}) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
            return json.loads(line) if line else {"error": "the plain-Dask interpreter exited"}
        except (OSError, ValueError) as e:
            return {"error": f"plain-Dask interpreter: {e}"}

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=20)
        except Exception:
            self.proc.kill()
            self.proc.wait()


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    profile, seed, plugins = argv[0], int(argv[1]), argv[2:]
    die_with_parent(os.getppid())
    settle()  # as the runner does before it times anything
    cat = dict(catalogue())
    for p in plugins:
        cat.update(load_plugin(p))
    built: dict[str, list[Any]] = {}
    plain: dict[str, Plain] = {}  # label -> how a user computes on it, kept for the run
    warm: set[tuple[str, str]] = set()
    try:
        for line in sys.stdin:
            req = json.loads(line)
            try:
                w = cat[req["workload"]]
                if w.name not in built:
                    b, _ = prepared(w.build(w.size_for(profile), seed))  # the graph the harness measures
                    built[w.name] = list(b) if isinstance(b, (list, tuple)) else [b]
                objs = built[w.name]
                key = req["scheduler"]
                if key not in plain:
                    spec = parse(key)
                    if not SCHEDULERS[spec.kind].plain_checked:
                        raise ValueError(f"{spec.kind} is not timed against plain Dask")
                    plain[key] = Plain.of(spec)
                if (w.name, key) not in warm:  # as the harness does: one untimed warm-up first
                    with as_a_notebook_runs_it():
                        plain[key].compute(objs)
                    warm.add((w.name, key))
                gc.freeze()  # as the harness does before every timed compute (and its workers at start)
                try:
                    t0 = time.perf_counter()
                    with as_a_notebook_runs_it():
                        plain[key].compute(objs)
                    answer = {"wall_s": time.perf_counter() - t0}
                finally:
                    gc.unfreeze()
            except Exception as e:
                answer = {"error": f"{type(e).__name__}: {e}"[:500]}
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
    finally:
        for p in plain.values():
            p.close()


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)
