"""``distributed``: a Dask cluster, a ``LocalCluster`` the suite starts or an existing one by address.

Start: a ``LocalCluster`` of ``spec.workers`` processes with
``spec.threads_per_worker`` threads each, or a ``Client`` connected to
``spec.address`` (TLS by Dask's config or the CLI's certificates); plugin
workload files are uploaded to the workers.  Where ``distributed`` cannot run on
this interpreter the spec is :class:`~runners.schedulers.base.SchedulerUnavailable`:
skipped, with the reason.

Two readings (:data:`runners.records.kinds.SHIPPED`): *tuned*
(``distributed-2x1``) is the cluster kept for the run, its start timed once;
*as shipped* for a one-off compute (``distributed-2x1-shipped``) starts a
``LocalCluster`` with Dask's defaults and a ``Client`` inside every repeat and
closes them after it, all of it timed (nothing inside the workers is measured),
with spawned processes importing no main module, as in a notebook.

Idle, a kept LocalCluster is not free: its scheduler's event loop (in this
process) and its workers' ticks, heartbeats and profilers took 14 % of a core
here (5.6 % the loop, 4 % each worker), and two idle clusters made
array-transcendental under threads-2 1.20 s against 1.05 s with them paused
(8 interleaved rounds, default size): a tilt against every kind that uses all
the cores, which a user who computes on threads has no cluster beside to pay.
So while other specs are timed, a kept local cluster is paused
(:meth:`Distributed.pause`: its event loop parked on a gate, its worker
processes stopped with ``SIGSTOP``) and resumed before its own computes; its
workers are asked to die with this process (``PR_SET_PDEATHSIG``), so a killed
runner leaves no stopped worker behind.

Measure: the scheduler's task stream, and a snapshot of every worker taken
with ``Client.run`` before and after the compute
(:func:`runners.schedulers._clusterworker.snapshot`) for its GIL contention,
CPU time, peak RSS and bytes sent; comparing the two also tells which workers
left or joined during the repeat.
"""
from __future__ import annotations

import gc
import inspect
import logging
import os
import signal
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Sequence

import dask

from runners.measure import Instruments, Measurement, run_with_timeout, stop_knocker
from runners.meta import free_threaded_build
from runners.records import die_with_parent
from runners.schedulers._clusterworker import freeze_gc, pid, snapshot
from runners.schedulers.base import Scheduler, SchedulerUnavailable, as_a_notebook_runs_it, interpreter
from runners.schedulers.cluster_figures import roster_change, task_stream, worker_figures

__all__ = ["Distributed", "ClusterUnreachable", "CONNECT_TIMEOUT_S", "takes_n_workers"]

# How long to wait for an existing cluster at --address before giving up.
CONNECT_TIMEOUT_S = 10
# The longest a paused cluster stays parked (a repeat's time limit is shorter: runners.profiles)
PAUSE_MAX_S = 3600


class ClusterUnreachable(RuntimeError):
    """Nothing answered at the cluster address within CONNECT_TIMEOUT_S."""


def _is_distributed(callback: Any) -> bool:
    return str(getattr(callback, "__module__", "")).startswith("distributed.")


def _wait_stopped(pids: Sequence[int], timeout: float = 1.0) -> None:
    """Until every process of *pids* has stopped (a signal to a running process takes effect a little later)."""
    import psutil

    deadline = time.monotonic() + timeout
    for p in pids:
        try:
            proc = psutil.Process(p)
            while proc.status() not in (psutil.STATUS_STOPPED, psutil.STATUS_ZOMBIE) and time.monotonic() < deadline:
                time.sleep(0.001)
        except psutil.Error:
            pass


def _one_line(e: BaseException, limit: int | None = None) -> str:
    return f"{type(e).__name__}: {' '.join(str(e).split())[:limit]}"


class Distributed(Scheduler):
    """A ``distributed.Client`` on a LocalCluster it started, or on the cluster at ``spec.address``."""

    kind = "distributed"
    slow_start = True
    # distributed.LocalCluster and distributed.Client once started (an optional dependency, not imported to type them)
    cluster: Any = None
    client: Any = None

    # -- life cycle -------------------------------------------------------
    def _start(self) -> None:
        try:
            import distributed  # noqa: F401
        except Exception as e:  # ImportError, or whatever its import raises on this build
            raise SchedulerUnavailable(f"distributed cannot be imported on {interpreter()} ({_one_line(e)})") from e
        if self.spec.as_shipped:  # started in every compute
            self.info.update(workers=self.spec.workers, one_off=True)
            return
        try:
            self._connect() if self.spec.address else self._start_local()
        except (ClusterUnreachable, SchedulerUnavailable):
            raise
        except Exception as e:
            # On a GIL build a failed start is a failure; on a free-threaded one it is
            # most likely distributed not running there yet: skipped, with the error.
            if self.spec.address or not free_threaded_build():
                raise
            raise SchedulerUnavailable(
                f"distributed could not start a local cluster on {interpreter()} ({_one_line(e, 300)})") from e
        for path in self.upload:
            # Plugin workload files: workers import them by the same module name.
            self.client.upload_file(path, load=True)
        info = self.client.scheduler_info(n_workers=-1) if takes_n_workers() else self.client.scheduler_info()
        workers = info.get("workers", {})
        self.info.update(
            address=self.client.scheduler.address,
            dashboard_link=self.client.dashboard_link if self.dashboard else "",
            workers=len(workers),
            threads={a: w.get("nthreads") for a, w in workers.items()},
            memory_limit={a: w.get("memory_limit") for a, w in workers.items()},
        )

    def _start_local(self) -> None:
        from distributed import Client, LocalCluster

        logging.getLogger("distributed").setLevel(logging.ERROR)
        with warnings.catch_warnings(), as_a_notebook_runs_it():  # workers import no main module, as one-offs
            warnings.simplefilter("ignore")
            self.cluster = LocalCluster(
                n_workers=self.spec.workers,
                threads_per_worker=self.spec.threads_per_worker,
                processes=True,
                dashboard_address=":0" if self.dashboard else None,
                host="127.0.0.1",
                silence_logs=logging.CRITICAL,
            )
        self.client = Client(self.cluster, set_as_default=False)
        self.client.wait_for_workers(self.spec.workers, timeout=120)
        self.client.run(freeze_gc)
        # The workers are this process's children (their nannies live here): stopped ones must still die with it
        self.client.run(die_with_parent, os.getpid())
        self._worker_pids = tuple(sorted(self.client.run(pid).values()))

    def _connect(self) -> None:
        from distributed import Client
        from distributed.security import Security

        logging.getLogger("distributed").setLevel(logging.ERROR)
        address = self.spec.address
        if (address.startswith("tls://") and self.security is None
                and not dask.config.get("distributed.client.security-loader", None)
                and Security().get_connection_args("client").get("ssl_context") is None):
            # Without certificates Client fails on tls:// with a TypeError and then hangs
            # 20 s in __del__ at exit: say what is missing before trying.
            raise ClusterUnreachable(
                f"{address} needs TLS certificates: give --tls-ca-file and --tls-cert "
                "(and --tls-key), or set Dask's distributed.comm.tls.ca-file, .client.cert and .client.key")
        try:
            self.client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False, security=self.security)
        except Exception as e:
            # Distributed retries a refused connection until the timeout, so this
            # takes CONNECT_TIMEOUT_S; the reason (refused, TLS handshake, ...) is in e.
            why = (f"no Dask scheduler answered at {address} within {CONNECT_TIMEOUT_S} s"
                   if isinstance(e, (OSError, TimeoutError)) else f"cannot connect to {address}")
            failed = f"{why} ({_one_line(e)})"
        else:
            return
        # Outside the except block, so the half-built Client is collected now, while
        # its event loop still runs: at interpreter exit its __del__ hangs 20 s.
        gc.collect()
        raise ClusterUnreachable(failed)

    def _close(self) -> None:
        self.resume()
        client, self.client = self.client, None
        cluster, self.cluster = self.cluster, None
        for thing, timeout in ((client, 10), (cluster, 20)):
            if thing is not None:
                try:
                    thing.close(timeout=timeout)
                except Exception:
                    pass

    # -- use --------------------------------------------------------------
    @property
    def label(self) -> str:
        if self.spec.address:
            n = self.info.get("workers", 0)
            threads = set((self.info.get("threads") or {}).values()) or {1}
            return f"distributed@{self.spec.address}-{n}x{max(threads)}"
        return self.spec.label

    def compute(self, objs: Sequence[Any]) -> tuple[Any, ...]:
        if self.spec.as_shipped:
            return self._one_off(objs)
        return dask.compute(*objs, scheduler=self.client)

    def _one_off(self, objs: Sequence[Any]) -> tuple[Any, ...]:
        """A LocalCluster and Client with Dask's defaults, started for this compute and closed after it."""
        from distributed import Client, LocalCluster

        logging.getLogger("distributed").setLevel(logging.ERROR)
        with warnings.catch_warnings(), as_a_notebook_runs_it():
            warnings.simplefilter("ignore")  # "port 8787 is already in use": Dask picks another, as it says
            with LocalCluster(n_workers=self.spec.workers, threads_per_worker=self.spec.threads_per_worker,
                              silence_logs=logging.CRITICAL) as cluster, Client(cluster, set_as_default=False) as client:
                return dask.compute(*objs, scheduler=client)

    def pids(self) -> list[int]:
        return sorted(self.client.run(pid).values()) if self.client is not None else []

    _worker_pids: tuple[int, ...] = ()  # a kept local cluster's worker processes (set at start)
    _gate: threading.Event | None = None
    _hooks: tuple[Any, ...] = ()  # distributed's garbage-collector callbacks, taken out while paused

    def pause(self) -> None:
        """Park a kept LocalCluster while other specs are timed (see the module docstring); idempotent.

        Its event loop (the scheduler's, the nannies' and the client's, in this process) runs a
        callback that waits on a gate, without the GIL; its worker processes get ``SIGSTOP``; and
        the scheduler's hook into this process's garbage collector (``distributed.gc``'s
        diagnosis, Python run at every collection, in whichever thread collects) is taken out
        until :meth:`resume`.  That hook ran inside other specs' tasks: each collection a point
        where the GIL could pass to another thread in the middle of a C call, which on CPython
        3.11 made two threads' ``ast.parse`` fail with "AST constructor recursion depth mismatch"
        in every threaded compute of stdlib-ast here (and never without a cluster).
        A cluster at an address, or one started per compute, is not this run's to stop."""
        if self._gate is not None or self.cluster is None or self.spec.as_shipped:
            return
        gate, entered = threading.Event(), threading.Event()

        def park() -> None:
            entered.set()
            gate.wait(PAUSE_MAX_S)  # never for ever: a run that forgot to resume gets its cluster back

        try:
            self.cluster.loop.add_callback(park)
        except Exception:  # a closed loop: nothing to park
            return
        self._gate = gate
        entered.wait(5)
        self._hooks = tuple(cb for cb in gc.callbacks if _is_distributed(cb))
        gc.callbacks[:] = [cb for cb in gc.callbacks if not _is_distributed(cb)]
        for p in self._worker_pids:
            try:
                os.kill(p, signal.SIGSTOP)
            except OSError:
                pass
        _wait_stopped(self._worker_pids)

    def resume(self) -> None:
        gate, self._gate = self._gate, None
        if gate is None:
            return
        hooks, self._hooks = self._hooks, ()
        gc.callbacks.extend(cb for cb in hooks if cb not in gc.callbacks)
        for p in self._worker_pids:
            try:
                os.kill(p, signal.SIGCONT)
            except OSError:
                pass
        gate.set()

    def alive(self) -> bool:
        if self.spec.as_shipped:
            return True
        try:
            return bool(self.client and self.client.scheduler_info().get("workers"))
        except Exception:
            return False

    def performance_report(self, objs: Sequence[Any]) -> str | None:
        if self.client is None or self.spec.as_shipped:
            return None
        from distributed import performance_report

        # Dask writes the page wherever it is told, following links: it writes in a private folder.
        with tempfile.TemporaryDirectory(prefix="dask-suite-perf-") as tmp:
            page = Path(tmp) / "report.html"
            with self.client.as_current(), performance_report(filename=str(page), mode="inline"):
                self.compute(objs)
            return page.read_text(encoding="utf-8")

    def measure(self, objs: Sequence[Any], ins: Instruments, timeout: float | None = None) -> Measurement:
        from distributed import get_task_stream
        from distributed.sizeof import sizeof

        # this process's samplers read nothing of the workers: they would only cost (a bare repeat waits for it)
        stop_knocker(wait=not ins.gil)
        if self.spec.as_shipped:
            return self.wall_only(objs, timeout)
        # Always take a (cheap, identity-only when no instrument needs more) snapshot, so a
        # worker that dies or joins during the repeat is noticed and recorded.
        full = ins.gil or ins.resources or ins.bytes
        before = self._snapshots(full)
        ts = get_task_stream(self.client) if ins.tasks else None
        if ts is not None:
            ts.__enter__()
        try:
            started_at = time.time()
            t0 = time.perf_counter()
            result = run_with_timeout(lambda: self.compute(objs), timeout)
            wall = time.perf_counter() - t0
        except Exception as e:
            # E.g. KilledWorker after workers died running a task: say which ones went.
            change = roster_change(before, self._snapshots(False))
            if change:
                e.add_note(f"workers lost during the repeat: {change['workers_lost']}; "
                           f"joined: {change['workers_joined']}")
            raise
        finally:
            if ts is not None:
                try:
                    ts.__exit__(None, None, None)
                except Exception:  # the scheduler went away: the exception above says why
                    pass
        m = Measurement(wall_s=wall, result=result, started_at=started_at)
        after = self._snapshots(full)
        m.extra.update(roster_change(before, after))
        if ts is not None:
            m.tasks = task_stream(ts.data, started_at)
        if not full:
            return m
        gil, cpu, rss, moved = worker_figures(before, after)
        if ins.gil:
            m.gil = gil
        if ins.resources and before:
            m.cpu_s, m.peak_rss = cpu, rss
        if ins.bytes:
            # Worker-to-worker transfers plus the results sent back to this client.
            back = sum(sizeof(r) for r in result)
            m.bytes_out, m.bytes_in, m.bytes_moved = moved, back, moved + back
        return m

    def _snapshots(self, full: bool) -> dict[str, dict[str, Any]]:
        """One snapshot per worker the scheduler knows; a worker that cannot answer (dying) is left out."""
        try:
            got = self.client.run(snapshot, full=full, on_error="return")
        except Exception:  # the scheduler itself is unreachable: nothing to compare
            return {}
        return {addr: s for addr, s in got.items() if isinstance(s, dict)}


def takes_n_workers() -> bool:
    """Whether this distributed's ``Client.scheduler_info`` takes ``n_workers`` (newer ones list only some)."""
    from distributed import Client

    return "n_workers" in inspect.signature(Client.scheduler_info).parameters
