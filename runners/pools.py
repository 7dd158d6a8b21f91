"""Start, use and always stop the pool or cluster behind one scheduler spec.

A :class:`Pool` is started once per spec (its start-up time is a result, not
noise) and reused for every workload and repeat of that spec.  It is a context
manager: leaving it, normally, on error or on Ctrl-C, stops every thread,
process and cluster it started.

>>> from runners.records.kinds import parse
>>> with open_pool(parse("threads-2")) as pool:
...     pool.compute([1])
(1,)
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from typing import Any, Sequence

import dask

from runners import _procworker
from runners.meta import free_threaded_build
from runners.records.kinds import SchedulerSpec

__all__ = ["Pool", "open_pool", "ClusterUnreachable", "SchedulerUnavailable", "CONNECT_TIMEOUT_S"]

# How long to wait for an existing cluster at --address before giving up.
CONNECT_TIMEOUT_S = 10


class ClusterUnreachable(RuntimeError):
    """Nothing answered at the cluster address within CONNECT_TIMEOUT_S."""


class SchedulerUnavailable(RuntimeError):
    """This interpreter cannot run the scheduler at all: a result to report as skipped, not a failure.

    Raised by :meth:`Pool.start` when ``distributed`` cannot be imported, or when a local
    cluster fails to start on a free-threaded build (distributed is still working towards
    free-threaded support).  ``reason`` says why, in words fit for a report.

    >>> SchedulerUnavailable("distributed is not installed").reason
    'distributed is not installed'
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _interpreter() -> str:
    import sys

    return f"{'free-threaded ' if free_threaded_build() else ''}Python {sys.version.split()[0]}"


def _distributed_importable() -> None:
    """Raise SchedulerUnavailable unless ``distributed`` imports on this interpreter."""
    try:
        import distributed  # noqa: F401
    except Exception as e:  # ImportError, or whatever its import raises on this build
        raise SchedulerUnavailable(
            f"distributed cannot be imported on {_interpreter()} ({type(e).__name__}: {' '.join(str(e).split())})"
        ) from e


def _pid() -> int:
    return os.getpid()


def _freeze_gc() -> None:
    import gc

    gc.freeze()


class Pool:
    """The live resources of one spec, with ``compute`` and ``close``.

    Attributes
    ----------
    spec
        The scheduler spec.
    start_s, stop_s
        Seconds taken to start (until every worker answered) and to stop.
    instrumented
        False for the overhead control: no GIL knocker in workers.
    security
        A ``distributed.security.Security`` for connecting to ``spec.address``
        (TLS); ``None`` takes Dask's config (``distributed.comm.tls.*``).
    """

    def __init__(self, spec: SchedulerSpec, instrumented: bool = True, dashboard: bool = True,
                 upload: Sequence[str] = (), security: Any = None):
        self.spec = spec
        self.security = security
        self.upload = list(upload)
        self.instrumented = instrumented
        self.dashboard = dashboard
        self.start_s: float | None = None
        self.stop_s: float | None = None
        self.executor: Any = None
        self.cluster: Any = None
        self.client: Any = None
        self.info: dict[str, Any] = {}

    # -- life cycle -------------------------------------------------------
    def start(self) -> "Pool":
        t0 = time.perf_counter()
        kind = self.spec.kind
        if kind == "threads":
            self.executor = ThreadPoolExecutor(self.spec.workers, thread_name_prefix="suite-task")
        elif kind == "processes":
            init = (
                partial(_procworker.init, True) if self.instrumented else _procworker.bare_init
            )
            self.executor = ProcessPoolExecutor(
                self.spec.workers, mp_context=multiprocessing.get_context("spawn"), initializer=init
            )
            self._spawn_all()
        elif kind == "distributed":
            _distributed_importable()
            try:
                self._start_cluster()
            except (ClusterUnreachable, SchedulerUnavailable):
                raise
            except Exception as e:
                # On a GIL build a failed start is a failure; on a free-threaded one it is
                # most likely distributed not running there yet: skipped, with the error.
                if self.spec.address or not free_threaded_build():
                    raise
                raise SchedulerUnavailable(
                    f"distributed could not start a local cluster on {_interpreter()} "
                    f"({type(e).__name__}: {' '.join(str(e).split())[:300]})"
                ) from e
        self.start_s = time.perf_counter() - t0
        return self

    def _spawn_all(self) -> None:
        # ProcessPoolExecutor spawns lazily: make every worker exist (and import
        # numpy/pandas/dask in its initializer) now, so start-up is timed here.
        pids: set[int] = set()
        deadline = time.monotonic() + 120
        while len(pids) < self.spec.workers and time.monotonic() < deadline:
            futs = [self.executor.submit(time.sleep, 0.05) for _ in range(self.spec.workers)]
            for f in futs:
                f.result()
            pids = {p.pid for p in self.executor._processes.values()}
        self.info["pids"] = sorted(pids)

    def _start_cluster(self) -> None:
        from distributed import Client, LocalCluster

        logging.getLogger("distributed").setLevel(logging.ERROR)
        if self.spec.address:
            if self.spec.address.startswith("tls://") and self.security is None and not dask.config.get(
                "distributed.client.security-loader", None
            ):
                # Without certificates Client fails on tls:// with a TypeError and then hangs
                # 20 s in __del__ at exit: say what is missing before trying.
                from distributed.security import Security

                if Security().get_connection_args("client").get("ssl_context") is None:
                    raise ClusterUnreachable(
                        f"{self.spec.address} needs TLS certificates: give --tls-ca-file and --tls-cert "
                        "(and --tls-key), or set Dask's distributed.comm.tls.ca-file, .client.cert and .client.key"
                    )
            try:
                self.client = Client(self.spec.address, timeout=CONNECT_TIMEOUT_S, set_as_default=False,
                                     security=self.security)
            except Exception as e:
                # Distributed retries a refused connection until the timeout, so this
                # takes CONNECT_TIMEOUT_S; the reason (refused, TLS handshake, ...) is in e.
                why = (f"no Dask scheduler answered at {self.spec.address} within {CONNECT_TIMEOUT_S} s"
                       if isinstance(e, (OSError, TimeoutError)) else f"cannot connect to {self.spec.address}")
                failed = f"{why} ({type(e).__name__}: {' '.join(str(e).split())})"
            else:
                failed = ""
            if failed:
                # Outside the except block, so the half-built Client is collected now, while
                # its event loop still runs: at interpreter exit its __del__ hangs 20 s.
                import gc

                gc.collect()
                raise ClusterUnreachable(failed)
        else:
            with warnings.catch_warnings():
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
            # As in every process the suite times in: start-up state out of the collector's reach.
            self.client.run(_freeze_gc)
        for path in self.upload:
            # Plugin workload files: workers import them by the same module name.
            self.client.upload_file(path, load=True)
        info = self.client.scheduler_info(n_workers=-1) if _takes_n_workers() else self.client.scheduler_info()
        workers = info.get("workers", {})
        self.info.update(
            address=self.client.scheduler.address,
            dashboard_link=self.client.dashboard_link if self.dashboard else "",
            workers=len(workers),
            threads={a: w.get("nthreads") for a, w in workers.items()},
            memory_limit={a: w.get("memory_limit") for a, w in workers.items()},
        )

    def close(self) -> None:
        """Stop everything this pool started; safe to call twice, never raises."""
        t0 = time.perf_counter()
        try:
            if self.executor is not None:
                ex, self.executor = self.executor, None
                procs = list(getattr(ex, "_processes", {}).values())
                # Never wait: a thread stuck in a timed-out task would block forever.
                ex.shutdown(wait=False, cancel_futures=True)
                for p in procs:
                    p.join(timeout=5)
                    if p.is_alive():
                        p.terminate()
                        p.join(timeout=5)
                    if p.is_alive():
                        p.kill()
            if self.client is not None:
                client, self.client = self.client, None
                try:
                    client.close(timeout=10)
                except Exception:
                    pass
            if self.cluster is not None:
                cluster, self.cluster = self.cluster, None
                try:
                    cluster.close(timeout=20)
                except Exception:
                    pass
        finally:
            if self.stop_s is None:
                self.stop_s = time.perf_counter() - t0

    def __enter__(self) -> "Pool":
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- use --------------------------------------------------------------
    @property
    def label(self) -> str:
        if self.spec.address:
            n = self.info.get("workers", 0)
            threads = set((self.info.get("threads") or {}).values()) or {1}
            return f"distributed@{self.spec.address}-{n}x{max(threads)}"
        return self.spec.label

    def compute(self, objs: Sequence[Any]) -> tuple[Any, ...]:
        """Compute *objs* (collections or delayed) on this pool, as ``dask.compute`` does."""
        kind = self.spec.kind
        if kind == "sync":
            return dask.compute(*objs, scheduler="sync")
        if kind == "threads":
            return dask.compute(*objs, scheduler="threads", pool=self.executor)
        if kind == "processes":
            extra = (
                dict(func_dumps=_procworker.dumps, func_loads=_procworker.loads)
                if self.instrumented
                else {}
            )
            # chunksize=1: one task per submission, so per-task times are per task
            # (Dask's default of 6 batches tasks; docs/FACTS.md measured 1.39 s vs 1.94 s).
            return dask.compute(*objs, scheduler="processes", pool=self.executor, chunksize=1, **extra)
        return dask.compute(*objs, scheduler=self.client)

    def pids(self) -> list[int]:
        """Pids of the processes that run tasks (the parent for sync/threads)."""
        if self.spec.kind in ("sync", "threads"):
            return [os.getpid()]
        if self.spec.kind == "processes" and self.executor is not None:
            return sorted(p.pid for p in self.executor._processes.values())
        if self.client is not None:
            return sorted(self.client.run(_pid).values())
        return []


def _takes_n_workers() -> bool:
    import inspect

    from distributed import Client

    return "n_workers" in inspect.signature(Client.scheduler_info).parameters


def open_pool(spec: SchedulerSpec, instrumented: bool = True, dashboard: bool = True,
              upload: Sequence[str] = (), security: Any = None) -> Pool:
    """A :class:`Pool` for *spec*, to use as a context manager.

    *upload* lists ``.py`` files (plugin workloads) that distributed workers must import.
    *security* (a ``distributed.security.Security``) is used to connect to ``spec.address``.
    """
    return Pool(spec, instrumented=instrumented, dashboard=dashboard, upload=upload, security=security)
