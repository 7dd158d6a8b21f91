"""Plain Dask in a fresh interpreter: the check that the harness does not change the answer.

The runner starts ``python -m runners.plain PROFILE SEED [PLUGIN ...]`` once per
run and sends it one JSON line per request on stdin::

    {"workload": "bag-json", "kind": "threads", "workers": 2}

It builds the workload's graph (once), warms it up once per scheduler, runs ``dask.compute(*objs,
scheduler=...)`` as a user would — no profiler, no GIL sampler, no counting of
bytes, no pools or cluster of other specs beside it; like every process the
suite times in, with the state it has before the compute frozen out of the
garbage collector (``gc.freeze``) — and answers with one line
``{"wall_s": 0.42}`` (or ``{"error": "..."}``).  ``processes`` uses one spawn
pool kept for the run with ``chunksize=1``, the harness's own settings, so the
check compares the process the harness measures in, not two configurations.

The child asks the kernel to end it with its parent (``PR_SET_PDEATHSIG``), so a
killed runner leaves nothing behind.
"""
from __future__ import annotations

import gc
import json
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

__all__ = ["main", "PlainChild"]


def _workloads(plugins: list[str]) -> dict[str, Any]:
    from workloads import catalogue, load_plugin

    found = dict(catalogue())
    for p in plugins:
        found.update(load_plugin(p))
    return found


class PlainChild:
    """``python -m runners.plain`` in a fresh interpreter, one request at a time."""

    def __init__(self, profile: str, seed: int, plugins: list[str]):
        import subprocess

        cmd = [sys.executable, "-m", "runners.plain", profile, str(seed), *plugins]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)

    def time(self, w: Any, spec: Any) -> dict[str, Any]:
        try:
            self.proc.stdin.write(json.dumps({"workload": w.name, "kind": spec.kind, "workers": spec.workers}) + "\n")
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
    from runners.records import die_with_parent

    die_with_parent(os.getppid())
    import dask

    cat = _workloads(plugins)
    built: dict[str, list[Any]] = {}
    pools: dict[int, ProcessPoolExecutor] = {}
    warm: set[tuple[str, str, int]] = set()
    try:
        for line in sys.stdin:
            req = json.loads(line)
            try:
                w = cat[req["workload"]]
                if w.name not in built:
                    b = w.build(w.size_for(profile), seed)
                    built[w.name] = list(b) if isinstance(b, (list, tuple)) else [b]
                objs = built[w.name]
                kind, n = req["kind"], int(req.get("workers") or 1)
                kw: dict[str, Any] = {}
                if kind == "threads":
                    kw = {"num_workers": n}
                elif kind == "processes":
                    if n not in pools:
                        pools[n] = ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn"),
                                                       initializer=die_with_parent)
                        list(pools[n].map(abs, range(4 * n)))  # spawn every worker before timing
                    kw = {"pool": pools[n], "chunksize": 1}
                if (w.name, kind, n) not in warm:  # as the harness does: one untimed warm-up first
                    dask.compute(*objs, scheduler=kind, **kw)
                    warm.add((w.name, kind, n))
                gc.freeze()  # as the harness does before every timed compute (and its workers at start)
                try:
                    t0 = time.perf_counter()
                    dask.compute(*objs, scheduler=kind, **kw)
                    answer = {"wall_s": time.perf_counter() - t0}
                finally:
                    gc.unfreeze()
            except Exception as e:
                answer = {"error": f"{type(e).__name__}: {e}"[:500]}
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
    finally:
        for p in pools.values():
            p.shutdown(wait=True, cancel_futures=True)


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)
