"""What every section reads: the cleaned statistics table, the summary, orderings and colours.

A scheduler's kind and thread count come from its row's columns (``kind``,
``workers``, ``threads_per_worker``), never from its label.

>>> import pandas as pd
>>> df = pd.DataFrame({"scheduler": ["distributed-2x1", "threads-4", "sync", "threads-2"],
...                    "kind": ["distributed", "threads", "sync", "threads"],
...                    "workers": [2, 4, 1, 2], "threads_per_worker": [1, 1, 1, 1]})
>>> scheduler_order(df)
['sync', 'threads-2', 'threads-4', 'distributed-2x1']
>>> threads({"workers": 2, "threads_per_worker": 3}), threads({"nthreads": 4})
(6.0, 4.0)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from reports.fmt import is_number
from runners.records.kinds import KINDS, RANK

if TYPE_CHECKING:
    from reports.dashboard.metrics import Switch
    from reports.load import Results

__all__ = ["View", "view_of", "value", "flag", "column", "threads", "kind", "scheduler_order",
           "workload_order", "KIND_COLOR", "PALETTE"]

PALETTE = ["#555555", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#d62728", "#8c564b", "#e377c2",
           "#17becf", "#bcbd22"]
KIND_COLOR = dict(zip(KINDS, PALETTE))


def value(x: Any) -> float:
    """*x* as a float, NaN when it is not a finite number (for plotting)."""
    return float(x) if is_number(x) else math.nan


def flag(x: Any) -> bool:
    """A stored yes/no (bool, NumPy bool, 0/1); None, NaN and anything else read as no."""
    return x is True or (is_number(x) and float(x) != 0)


def column(df: pd.DataFrame, name: str, default: Any = None) -> pd.Series:
    """Column *name* of *df*, or *default* in every row when the table lacks it."""
    if name in df.columns:
        return df[name]
    return pd.Series([default] * len(df), index=df.index, dtype=object)


def kind(row: Any) -> str:
    """The scheduler kind a row says it ran on ('other' when it does not say)."""
    k = row.get("kind") if hasattr(row, "get") else None
    return k if isinstance(k, str) and k else "other"


def threads(row: Any) -> float:
    """Threads a row ran on: workers × threads per worker (or its ``nthreads``); NaN when unknown."""
    w, t = value(row.get("workers")), value(row.get("threads_per_worker"))
    if not (math.isnan(w) or math.isnan(t)):
        return w * t
    return value(row.get("nthreads"))


def scheduler_order(df: pd.DataFrame) -> list[str]:
    """The scheduler labels of *df*: by kind (sync, threads, processes, distributed, others), then threads."""
    if df.empty or "scheduler" not in df:
        return []
    rank = RANK
    keys = {}
    for _, r in df.drop_duplicates("scheduler").iterrows():
        n, tpw = threads(r), value(r.get("threads_per_worker"))
        keys[str(r["scheduler"])] = (rank.get(kind(r), len(rank)), n if not math.isnan(n) else math.inf,
                                     -tpw if not math.isnan(tpw) else 0, str(r["scheduler"]))
    return sorted(keys, key=keys.__getitem__)


def workload_order(df: pd.DataFrame) -> list[str]:
    """Workloads grouped by collection, then family, then their numeric parameters."""
    if df.empty or "workload" not in df:
        return []
    key = {}
    for _, r in df.drop_duplicates("workload").iterrows():
        params = r.get("params") if isinstance(r.get("params"), dict) else {}
        pv = [value(v) for v in params.values()]
        key[str(r["workload"])] = (str(r.get("collection") or "~"), str(r.get("family") or r["workload"]),
                                   [x if not math.isnan(x) else 0 for x in pv], str(r["workload"]))
    return sorted(key, key=key.__getitem__)


def _clean(table: Any) -> pd.DataFrame:
    """Rows with a workload and a scheduler, both as strings; an empty two-column frame otherwise."""
    df = table.copy() if isinstance(table, pd.DataFrame) else pd.DataFrame()
    if df.empty or not {"workload", "scheduler"} <= set(df.columns):
        return pd.DataFrame(columns=["workload", "scheduler"])
    df = df[df["workload"].notna() & df["scheduler"].notna()].copy()
    df["workload"] = df["workload"].astype(str)
    df["scheduler"] = df["scheduler"].astype(str)
    return df


def _real(df: pd.DataFrame) -> dict[str, bool]:
    out = {}
    for w, g in df.groupby("workload"):
        rd = g["real_data"].iloc[0] if "real_data" in g else False
        out[str(w)] = flag(rd)
    return out


@dataclass
class View:
    """One run as the sections read it (see :func:`view`)."""

    res: Results
    summary: dict[str, Any]
    pages: list[dict[str, Any]]
    df: pd.DataFrame  # the statistics table, rows without a workload or scheduler dropped
    switch: Switch
    meta: dict[str, Any] = field(default_factory=dict)
    machine: dict[str, Any] = field(default_factory=dict)
    schedulers: list[str] = field(default_factory=list)  # every scheduler, ordered
    main: list[str] = field(default_factory=list)  # the run's main specs, without sweep-only ones
    workloads: list[str] = field(default_factory=list)
    real: dict[str, bool] = field(default_factory=dict)

    @property
    def run_id(self) -> str:
        return str(self.summary.get("run_id") or self.res.run_id)

    @property
    def host(self) -> str:
        return str(self.machine.get("host") or self.meta.get("host") or "?")

    def fact(self, key: str) -> Any:
        """A machine fact from the summary, else from meta.json."""
        v = self.machine.get(key)
        return self.meta.get(key) if v is None else v

    def label(self, workload: str) -> str:
        """A workload's axis label: marked when it reads real data."""
        return f"{workload}  ◆ real data" if self.real.get(workload) else workload

    def colour(self, scheduler: str) -> str:
        """One colour per main scheduler, the same in every chart."""
        order = self.main + [s for s in self.schedulers if s not in self.main]
        i = order.index(scheduler) if scheduler in order else len(order)
        return PALETTE[i % len(PALETTE)]

    def main_rows(self) -> pd.DataFrame:
        """Rows of the main specs (sweep-only specs left to the scaling charts)."""
        return self.df[self.df["scheduler"].isin(self.main)] if not self.df.empty else self.df


def view_of(res: Results, table: Any, summary: dict[str, Any], pages: list[dict[str, Any]], switch: Switch) -> View:
    """The :class:`View` of one run."""
    df = _clean(table)
    meta = res.meta or {}
    base, sweep = set(meta.get("specs") or []), set(meta.get("sweep_specs") or [])
    schedulers = scheduler_order(df)
    return View(res=res, summary=summary, pages=[p for p in pages if isinstance(p, dict)], df=df, switch=switch,
                meta=meta, machine=summary.get("machine") or {}, schedulers=schedulers,
                main=[s for s in schedulers if s in base or s not in sweep], workloads=workload_order(df),
                real=_real(df) if not df.empty else {})
