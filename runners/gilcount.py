"""Exact counts of GIL hand-overs in this process, on any number of cores.

The cost model charges contended GIL hand-offs per GIL release (``reports.model``), so
it needs how often a workload releases the GIL.  The GIL probe
(:mod:`runners.gilsamplers`) estimates that from another thread by watching the GIL's
flag change: it needs a second core, where it also misses changes between its reads
(kernel-retake-k1: 1.9 M releases/s read, 17.7 M/s counted, December 2026).  CPython
signals a condition variable at each release and each retake (``drop_gil``,
``take_gil``), so a library preloaded into the process that counts
``pthread_cond_signal`` calls (``kernels/shim/gilcount.c``) counts them exactly:
two signals per release and retake.

The command line (``python -m runners.all``) starts itself again with the library
preloaded (:func:`reexec_counted`, once, before it does anything else;
``DASK_SUITE_GILCOUNT=off`` in the environment switches that off), and
takes ``LD_PRELOAD`` back out of its environment at once (:func:`restore_env`) so
that no process it starts inherits it.  Where the library is not preloaded (a
notebook's ``compare()``, a platform without ``LD_PRELOAD``) :func:`signals` is None
and the probe's estimate stands in, where there is one.

>>> isinstance(available(), bool)
True
"""
from __future__ import annotations

import ctypes
import os
import sys
import sysconfig
import time
from pathlib import Path
from typing import Sequence

__all__ = ["library", "available", "gil_enabled", "signals", "active", "reexec_counted", "restore_env", "ENV", "RESTARTED"]

ENV = "DASK_SUITE_GILCOUNT"  # in the restarted process: RESTARTED + the LD_PRELOAD it had before; set it to anything
RESTARTED = "restarted:"     # else (``DASK_SUITE_GILCOUNT=off``) and the command line is not restarted at all
_SKIP = {"-h", "--help", "--list"}  # nothing measured: not worth a restart
_LIB: list[ctypes.CDLL | None] = []


def library() -> Path | None:
    """The built counting library (``kernels/_gilcount*.so``), else None."""
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    path = Path(__file__).resolve().parent.parent / "kernels" / f"_gilcount{suffix}"
    return path if path.is_file() else None


def gil_enabled() -> bool:
    """Whether the GIL is on in this process now (always True before 3.13)."""
    return sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True


def available() -> bool:
    """Can this platform count: Linux, an interpreter with a GIL, the library built."""
    return sys.platform.startswith("linux") and library() is not None and gil_enabled()


def _loaded() -> ctypes.CDLL | None:
    """The library as this process loaded it at start (``RTLD_NOLOAD``: never a second copy), else None."""
    if not _LIB:
        lib = library()
        handle = None
        if lib is not None and hasattr(os, "RTLD_NOLOAD"):
            try:
                handle = ctypes.CDLL(str(lib), mode=os.RTLD_NOLOAD)
                handle.gilcount_signals.restype = ctypes.c_ulonglong
                handle.gilcount_signals.argtypes = []
            except OSError:
                handle = None
        _LIB.append(handle)
    return _LIB[0]


def signals() -> int | None:
    """``pthread_cond_signal`` calls in this process so far; None where they are not counted."""
    lib = _loaded()
    return None if lib is None else int(lib.gilcount_signals())


def active() -> bool:
    """True when the count moves as the GIL changes hands (a ``time.sleep(0)`` releases and retakes it)."""
    before = signals()
    if before is None:
        return False
    for _ in range(3):
        time.sleep(0)
    after = signals()
    return after is not None and after > before


def reexec_counted(argv: Sequence[str] | None = None) -> None:
    """Start this command again with the counting library preloaded, where it can count and is not yet.

    Replaces the process (same PID, same arguments: ``sys.orig_argv``); returns only when it
    does not (already counted, already tried, nothing to measure, or the platform cannot).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if os.environ.get(ENV) is not None or _SKIP & set(args) or not available() or _loaded() is not None:
        return
    lib = str(library())
    env = dict(os.environ)
    before = env.get("LD_PRELOAD", "")
    env[ENV] = RESTARTED + before
    env["LD_PRELOAD"] = lib + (":" + before if before else "")
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(sys.executable, list(getattr(sys, "orig_argv", [sys.executable, *sys.argv])), env)
    except OSError:  # cannot restart: go on without the count (the probe stands in)
        return


def restore_env() -> None:
    """Give ``LD_PRELOAD`` back the value it had before :func:`reexec_counted`, for the processes this one starts."""
    mark = os.environ.get(ENV) or ""
    if not mark.startswith(RESTARTED):  # not restarted here (or switched off): LD_PRELOAD is the user's
        return
    before = mark[len(RESTARTED):]
    if before:
        os.environ["LD_PRELOAD"] = before
    else:
        os.environ.pop("LD_PRELOAD", None)
