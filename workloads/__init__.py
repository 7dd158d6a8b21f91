"""Workloads: declarations of dask work at a size, known by name.

The catalogue is every :class:`~workloads.base.Workload` declared at module level
(alone, or in a module-level list or tuple) in the modules of :data:`MODULES`.
A user's own workloads are loaded the same way from a file or a module name with
:func:`load_plugin`.

>>> cat = catalogue()
>>> "array-transcendental" in cat and cat["array-transcendental"].collection
'array'
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from workloads.base import COLLECTIONS, PROFILES, Workload

__all__ = [
    "Workload",
    "COLLECTIONS",
    "PROFILES",
    "MODULES",
    "PluginError",
    "catalogue",
    "discover",
    "load_plugin",
]

MODULES = (
    "workloads.arrays",
    "workloads.frames",
    "workloads.bags",
    "workloads.tasks",
    "workloads.gil",
    "workloads.flights",
    "workloads.stdlib",
)


class PluginError(ValueError):
    """A user's workload file or module could not be loaded or declares workloads wrongly."""


def discover(*modules: ModuleType) -> dict[str, Workload]:
    """Map name -> workload for every Workload at module level in *modules*.

    Lists and tuples of workloads at module level count too (families of variants).
    """
    found: dict[str, Workload] = {}
    for mod in modules:
        for attr, obj in vars(mod).items():
            if attr.startswith("_"):
                continue
            items = obj if isinstance(obj, (list, tuple)) else (obj,)
            for w in items:
                if isinstance(w, Workload):
                    other = found.get(w.name)
                    if other is not None and other is not w:
                        raise PluginError(f"{mod.__name__}: two workloads are named {w.name!r}")
                    found[w.name] = w
    return found


def catalogue() -> dict[str, Workload]:
    """Every built-in workload, by name, in declaration order."""
    return discover(*(importlib.import_module(m) for m in MODULES))


def _import_file(path: Path) -> ModuleType:
    """Import a workload file as a module named after its stem (``my_work.py`` -> ``my_work``).

    The stem is the name worker processes will know it by: distributed workers get
    the file through ``Client.upload_file`` and import it under that name, while
    the processes scheduler's workers get the functions by value (cloudpickle).
    """
    path = path.resolve()
    name = path.stem
    if not name.isidentifier():
        raise PluginError(f"{path}: the file name must be a Python identifier to be imported by workers")
    existing = sys.modules.get(name)
    if existing is not None:
        if Path(getattr(existing, "__file__", "") or "").resolve() == path:
            return existing
        raise PluginError(f"{path}: a module named {name!r} is already imported from elsewhere; rename the file")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PluginError(f"{path}: not a Python file")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    import cloudpickle

    cloudpickle.register_pickle_by_value(mod)
    return mod


def load_plugin(target: str) -> dict[str, Workload]:
    """Load a user's workloads from a ``.py`` file or an importable module name.

    Raises :class:`PluginError` with a one-line message naming the file and the
    problem: missing file, syntax error, failed import, no workloads, or a
    workload declared wrongly.
    """
    path = Path(target)
    is_file = target.endswith(".py") or path.exists() or "/" in target
    where = str(path) if is_file else target
    try:
        if is_file:
            if not path.is_file():
                raise PluginError(f"{where}: no such workload file")
            mod = _import_file(path)
        else:
            mod = importlib.import_module(target)
    except PluginError:
        raise
    except SyntaxError as e:
        raise PluginError(f"{where}: syntax error at line {e.lineno}: {e.msg}") from None
    except ModuleNotFoundError as e:
        raise PluginError(f"{where}: cannot import module {e.name!r} ({e})") from None
    except (ValueError, TypeError) as e:  # a Workload(...) that fails validation
        raise PluginError(f"{where}: bad workload declaration: {e}") from None
    except Exception as e:
        raise PluginError(f"{where}: failed to import: {type(e).__name__}: {e}") from None
    found = discover(mod)
    if not found:
        raise PluginError(
            f"{where}: declares no workloads (expected module-level workloads.Workload(...) objects)"
        )
    return found
