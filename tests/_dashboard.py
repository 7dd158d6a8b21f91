"""Shared by the dashboard tests: a real-looking run, a View over any summary, and what sections show."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from bokeh.models import Div, Plot

from _factories import timed
from reports.dashboard.metrics import Switch
from reports.dashboard.view import View, view_of
from reports.load import Results, load
from runners import records

REAL_RUNS = Path("/tmp/q1")  # a real quick run, where one was made on this machine

# Synthetic stand-in: enough workloads for several rules to read real comparisons.
SYNTHETIC = [
    ("array-transcendental", {"sync": 1.0, "threads-2": 0.55, "processes-2": 0.8}, ("C1", "C2"), "array", {}),
    ("array-object-math", {"sync": 1.0, "threads-2": 1.0}, ("C1",), "array", {}),
    ("delayed-null", {"sync": 0.01, "threads-2": 0.015, "processes-2": 0.1, "distributed-2x1": 0.4}, ("C9",),
     "delayed", {}),
    ("bag-json", {"sync": 1.0, "threads-2": 1.0, "processes-2": 0.6}, ("C3",), "bag", {}),
]


def real_run_folder() -> Path | None:
    """The first complete results folder under :data:`REAL_RUNS`, if any."""
    if not REAL_RUNS.is_dir():
        return None
    for d in sorted(REAL_RUNS.iterdir()):
        if (d / records.META).is_file() and (d / records.ROWS).is_file():
            return d
    return None


def write_quick_run(folder: Path) -> Path:
    """A small results folder from :func:`_factories.timed` rows (used when no real run is at hand)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, medians, claims, coll, params in SYNTHETIC:
        rows += timed(name, medians, claims=claims, collection=coll, params=params, gil={"threads-2": 0.4},
                      ntasks=100)
    records.append(folder / records.ROWS, rows)
    meta = {"v": records.SCHEMA_VERSION, "run_id": folder.name, "profile": "quick", "host": "testhost", "cores": 2,
            "cpu_model": "Test CPU", "python": "3.11", "gil_enabled": True, "complete": True,
            "specs": ["sync", "threads-2", "processes-2", "distributed-2x1"], "sweep_specs": [],
            "workloads": [{"name": n, "collection": c, "claims": list(cl), "family": n, "params": p,
                           "description": f"desc of {n}"} for n, _, cl, c, p in SYNTHETIC]}
    (folder / records.META).write_text(json.dumps(meta))
    return folder


def quick_run(tmp: Path) -> Path:
    """A copy of the real quick run in *tmp* when there is one, else a synthetic one."""
    real = real_run_folder()
    if real is None:
        return write_quick_run(tmp / "20260101-000000-synthetic")
    dst = tmp / real.name
    shutil.copytree(real, dst, ignore=shutil.ignore_patterns("*.html", "streams", "summary.json"))
    return dst


def make_view(summary: dict[str, Any] | None = None, table: pd.DataFrame | None = None, res: Results | None = None,
              pages: list[dict[str, Any]] | None = None, tmp: Path | None = None) -> View:
    """A :class:`View` of *summary* and *table* (an empty run folder under *tmp* stands in for *res*)."""
    if res is None:
        folder = (tmp or Path(".")) / "empty-run"
        folder.mkdir(exist_ok=True)
        res = load(folder)
    return view_of(res, table if table is not None else pd.DataFrame(), summary or {}, pages or [], Switch())


def models(items: list[Any], kind: type) -> list[Any]:
    """Every Bokeh model of *kind* in the layout *items* (nested layouts included)."""
    out = []
    for item in items:
        out += [m for m in item.references() if isinstance(m, kind)]
    return out


def shown(items: list[Any]) -> str:
    """The HTML of every Div in *items*, joined."""
    return "\n".join(d.text for d in models(items, Div))


def plots(items: list[Any]) -> list[Any]:
    """Every figure in *items*."""
    return models(items, Plot)


@pytest.fixture(scope="session")
def quick_summary(tmp_path_factory):
    """(results, summary, table) of the quick run (real when there is one): ``reports.build.summarise``."""
    from reports.build import summarise

    res = load(quick_run(tmp_path_factory.mktemp("quick")))
    summary, table = summarise(res)
    return res, summary, table
