"""The schedulers a run holds open: started on first use (timed), restarted after a fault, always closed.

Every start and stop is a :class:`~runners.records.StartupRecord` in
``startup.jsonl`` (start-up cost is a result, not noise).  A spec that cannot
start is remembered and not retried; one this interpreter cannot run at all
(:class:`~runners.schedulers.SchedulerUnavailable`) is *skipped* with its reason.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from runners import records
from runners.records import StartupRecord
from runners.records.kinds import SchedulerSpec
from runners.schedulers import Scheduler, SchedulerUnavailable, for_spec

if TYPE_CHECKING:
    from distributed.security import Security

__all__ = ["OpenPools"]


class OpenPools:
    """Label -> open :class:`~runners.schedulers.Scheduler` (or None when it could not start) for one run.

    *dashboard*, *upload* and *security* are handed to every scheduler started
    (see :func:`runners.schedulers.for_spec`); *say* reports starts and failures.
    """

    def __init__(self, run_dir: Path, run_id: str, say: Callable[[str], None], *, dashboard: bool = True,
                 upload: Sequence[str] = (), security: Security | None = None):
        self.dir, self.run_id, self.say = run_dir, run_id, say
        self.dashboard, self.upload, self.security = dashboard, list(upload), security
        self.pools: dict[str, Scheduler | None] = {}
        self.unavailable: dict[str, str] = {}  # label -> why this interpreter cannot run it

    def get(self, label: str) -> Scheduler | None:
        return self.pools.get(label)

    def __iter__(self) -> Iterator[str]:
        return iter(self.pools)

    def get_or_start(self, spec: SchedulerSpec) -> Scheduler | None:
        """The open scheduler of *spec*, started (and timed) on first use; None if it cannot start."""
        if spec.label in self.pools:
            return self.pools[spec.label]
        pool = for_spec(spec, dashboard=self.dashboard, upload=self.upload, security=self.security)
        if pool.slow_start:
            self.say(f"starting {spec.label} ...")  # seconds: worker processes import numpy, pandas, dask
        try:
            pool.start()
        except SchedulerUnavailable as e:  # this interpreter cannot run it: skipped, not failed
            pool.close()
            self._record(pool, status="unavailable", error=e.reason)
            self.say(f"  {spec.label} skipped: {e.reason}")
            self.pools[spec.label] = None
            self.unavailable[spec.label] = e.reason
            return None
        except Exception as e:
            pool.close()
            self._record(pool, status="error", error=f"{type(e).__name__}: {e}")
            self.say(f"  {spec.label} failed to start: {type(e).__name__}: {e}")
            self.pools[spec.label] = None
            return None
        except BaseException:
            pool.close()
            raise
        link = pool.info.get("dashboard_link")
        self.say(f"{spec.label} up in {pool.start_s:.2f} s" + (f"; Dask dashboard: {link}" if link else ""))
        self.pools[spec.label] = pool
        return pool

    def focus(self, pool: Scheduler | None) -> None:
        """*pool* about to compute: it runs, every other open scheduler is paused (None: all paused).

        An idle kept cluster costs CPU (and this process's GIL) that a user who computes on another
        scheduler does not pay: see :mod:`runners.schedulers.distributed`."""
        for other in self.pools.values():
            if other is not None and other is not pool:
                other.pause()
        if pool is not None:
            pool.resume()

    def close(self, keep: set[str] = frozenset(), status: str = "ok", error: str = "") -> None:
        """Close every scheduler not in *keep*, recording its stop."""
        for label in [k for k in self.pools if k not in keep]:
            pool = self.pools.pop(label)
            if pool is not None:
                pool.close()  # resumed first, if paused
                self._record(pool, status=status, error=error)

    def restart(self, pool: Scheduler, why: str = "a timeout or lost worker") -> Scheduler | None:
        """Close *pool* (after *why*) and start a fresh one of its spec."""
        pool.close()
        self._record(pool, note=f"closed after {why}")
        self.pools.pop(pool.spec.label, None)
        return self.get_or_start(pool.spec)

    def _record(self, pool: Scheduler, status: str = "ok", error: str = "", note: str = "") -> None:
        info = {k: v for k, v in pool.info.items() if k != "dashboard_link"}
        if note:
            info["note"] = note
        records.append(self.dir / records.STARTUP, [StartupRecord(
            run_id=self.run_id, scheduler=pool.label, kind=pool.spec.kind, start_s=pool.start_s,
            stop_s=pool.stop_s, status=status, error=error, address=str(pool.info.get("address", "")),
            dashboard_link=str(pool.info.get("dashboard_link", "")), info=info)])
