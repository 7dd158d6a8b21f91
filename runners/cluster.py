"""An existing Dask cluster given by address: reach it, and record what it runs.

Probed before anything is written (an unreachable address is a one-line
error), and described in ``meta.json``: workers, threads, memory limits and the
package versions of client, scheduler and workers, with Dask's own report of
mismatches.
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from runners.cli import UsageError
from runners.records.kinds import SchedulerSpec
from runners.schedulers.distributed import CONNECT_TIMEOUT_S, ClusterUnreachable, Distributed, takes_n_workers

if TYPE_CHECKING:
    from distributed.security import Security

__all__ = ["check_address", "cluster_versions", "mismatched"]


def check_address(address: str, security: Security | None = None) -> None:
    """Raise :class:`~runners.cli.UsageError` (one line) unless a Dask scheduler answers at *address*."""
    pool = Distributed(SchedulerSpec("distributed", address=address), dashboard=False, security=security)
    try:
        pool.start()
    except ClusterUnreachable as e:
        raise UsageError(str(e)) from None
    except Exception as e:
        msg = " ".join(str(e).split())  # one line
        raise UsageError(f"{address}: cannot connect within {CONNECT_TIMEOUT_S} s: {type(e).__name__}: {msg}") from None
    finally:
        pool.close()


def cluster_versions(address: str, security: Security | None = None) -> dict[str, Any]:
    """The cluster's workers, threads, memory limits and versions, and Dask's mismatch report."""
    from distributed import Client
    from distributed.versions import error_message

    def _suite_importable() -> bool:
        # Local, so cloudpickle sends it by value: it must run where runners.* may be missing.
        import importlib.util

        return all(importlib.util.find_spec(m) is not None for m in ("runners", "workloads"))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False, security=security) as c:
            versions = c.get_versions(check=False)
            info = c.scheduler_info(n_workers=-1) if takes_n_workers() else c.scheduler_info()
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
        "version_mismatch": mismatched(versions),
        "version_warnings": mismatch,
        "suite_missing_on": sorted(a for a, ok in importable.items() if ok is not True),
    }


def mismatched(versions: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Package -> {client, scheduler, workers} for every package whose versions differ.

    >>> v = {"client": {"packages": {"numpy": "2.4"}}, "scheduler": {"packages": {"numpy": "2.4"}},
    ...      "workers": {"w1": {"packages": {"numpy": "2.3"}}}}
    >>> mismatched(v)
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
