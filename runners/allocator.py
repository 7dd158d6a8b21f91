"""One allocator state for every process the suite times in: glibc's large-block thresholds, fixed at start.

glibc serves a block above its *mmap threshold* with a fresh ``mmap`` and
gives the heap's free top back to the system once it exceeds the *trim
threshold*; both start low (128 KiB) and rise as the process frees large
blocks, up to 32 MiB and twice that.  So the same compute costs a different
number of page faults depending on what the process ran before: measured
here, df-groupby under ``sync`` took 0.23-0.30 s with 28 500 minor faults a
compute in a ``--predict-only`` run (a short process) and 0.14 s with 11-14
in a quick run's long one, and a fresh interpreter faults ~19 000 times a
compute however many it has run.  That is the measuring process's state
tilting the times (between runs, and between a run and the model fitted on
another), which the suite must not allow.

:func:`settle` sets both thresholds to where glibc's own rule ends up once a
process has freed a 32 MiB block (mmap 32 MiB, trim 64 MiB), as any session
that has handled arrays of real size has: every process the suite times in
starts in that state — the runner, the workers of the pools and clusters it
keeps (:mod:`runners.schedulers._procworker`,
:mod:`runners.schedulers._clusterworker`) and the plain-Dask interpreter of
the harness check (:mod:`runners.plaindask`, as it takes the harness's
``gc.freeze``) — and ``meta.json`` records it under ``allocator``.  Pools that
Dask or a pasted snippet start (the as-shipped specs, the harness check's
plain pools) keep their own state: those are measured as a user gets them.
Setting the thresholds turns glibc's adjustment off; elsewhere than glibc it
does nothing and says why.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import sys
from typing import Any

__all__ = ["MMAP_THRESHOLD", "TRIM_THRESHOLD", "settle", "state"]

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (glibc's malloc.h)
MMAP_THRESHOLD = 32 * 2**20  # glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit: the highest its own rule sets
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # what that rule sets beside it

_DONE: list[dict[str, Any]] = []


def settle() -> dict[str, Any]:
    """Fix glibc's thresholds in this process (once); what ``meta.json`` records of it.

    ``{"set": True, "mmap_threshold": 33554432, "trim_threshold": 67108864}``, or
    ``{"set": False, "why": "..."}`` where there is no glibc ``mallopt`` to call.
    """
    if _DONE:
        return dict(_DONE[0])
    out: dict[str, Any] = {"set": False}
    if not sys.platform.startswith("linux"):
        out["why"] = f"not glibc ({sys.platform}): the allocator is left as it is"
    else:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            mallopt = libc.mallopt
        except (OSError, AttributeError) as e:
            out["why"] = f"no mallopt in the C library ({e}): the allocator is left as it is"
        else:
            mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
            if mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1:
                out = {"set": True, "mmap_threshold": MMAP_THRESHOLD, "trim_threshold": TRIM_THRESHOLD}
            else:
                out["why"] = "mallopt refused the thresholds: the allocator is left as it is"
    _DONE.append(out)
    return dict(out)


def state() -> dict[str, Any] | None:
    """What :func:`settle` did in this process, None where it has not been called."""
    return dict(_DONE[0]) if _DONE else None
