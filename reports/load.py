"""Read a results folder back: metadata, rows, start-up costs, task streams.

Only JSON is read; nothing from the folder is executed or unpickled.  Damaged
or foreign lines are skipped and listed in :attr:`Results.skipped`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from runners import records

__all__ = ["Results", "load", "load_tasks"]


@dataclass
class Results:
    """Everything stored of one run."""

    path: Path
    meta: dict[str, Any]
    rows: pd.DataFrame
    startup: pd.DataFrame
    skipped: list[str] = field(default_factory=list)
    rounds: list[dict[str, Any]] = field(default_factory=list)  # per workload: rounds run and why they stopped
    interference: list[dict[str, Any]] = field(default_factory=list)  # per round: what competed for the CPU
    model_checks: list[dict[str, Any]] = field(default_factory=list)  # models fitted on other runs, scored on this one

    @property
    def bursts(self) -> set[tuple[str, str]]:
        """``(workload, "session:round")`` of the rounds left out after a burst of interference."""
        return {(str(w), str(k)) for d in self.interference if d.get("rerun")
                for w, k in (d.get("items") or []) if w is not None and k is not None}

    @property
    def looks(self) -> dict[str, Any] | None:
        """The run's sequential design (None: a fixed number of repeats, or a run from before it)."""
        lk = self.meta.get("looks")
        return lk if isinstance(lk, dict) and "first" in lk and "last" in lk else None

    @property
    def own_looks(self) -> dict[str, dict[str, Any]]:
        """The workloads that got a sequential design of their own (:func:`runners.rounds.design`): name -> looks."""
        out: dict[str, dict[str, Any]] = {}
        for d in self.rounds:
            lk = d.get("looks") if isinstance(d, dict) else None
            if isinstance(lk, dict) and "first" in lk and "last" in lk and d.get("workload") is not None:
                out.setdefault(str(d["workload"]), lk)
        return out

    @property
    def run_id(self) -> str:
        return str(self.meta.get("run_id") or self.path.name)

    def workload_info(self) -> dict[str, dict[str, Any]]:
        """name -> stored workload info (collection, claims, family, params, real_data, ...)."""
        info = {w["name"]: w for w in self.meta.get("workloads", []) if isinstance(w, dict) and "name" in w}
        # Rows carry enough to stand in when meta.json is missing.
        if not self.rows.empty:
            for name, g in self.rows.groupby("workload", sort=False):
                if name not in info:
                    r = g.iloc[0]
                    info[name] = {
                        "name": name, "collection": r.get("collection", ""), "claims": r.get("claims", []),
                        "family": r.get("family") or name, "params": r.get("params", {}) or {},
                        "real_data": bool(r.get("real_data", False)), "description": "",
                        "input_bytes": r.get("input_bytes", 0), "size": r.get("size", 0),
                    }
        return info


_ROW_COLUMNS = [f.name for f in records.RunRecord.__dataclass_fields__.values()]


def load(path: str | Path) -> Results:
    """Load a results folder; never raises for damaged content, only for a missing folder."""
    path = Path(path)
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such results folder")
    skipped: list[str] = []
    meta: dict[str, Any] = {}
    mp = path / records.META
    if mp.exists():
        try:
            meta = json.loads(mp.read_text())
            if isinstance(meta, dict) and meta.get("v") in records.READABLE:
                meta = records.upgrade(meta)
            if meta.get("v") != records.SCHEMA_VERSION:
                skipped.append(f"{records.META}: schema version {meta.get('v')!r}, read as far as it goes")
        except (json.JSONDecodeError, OSError) as e:
            skipped.append(f"{records.META}: unreadable ({e}); reports use the rows alone")
            meta = {}
    else:
        skipped.append(f"{records.META}: missing; reports use the rows alone")
    rows = pd.DataFrame(list(records.read(path / records.ROWS, skipped)))
    if rows.empty:
        rows = pd.DataFrame(columns=_ROW_COLUMNS)
    for c in _ROW_COLUMNS:
        if c not in rows.columns:
            rows[c] = None
    startup = pd.DataFrame(list(records.read(path / records.STARTUP, skipped)))
    rounds = [{**{k: d.get(k) for k in ("workload", "session", "rounds", "stopped", "undecided", "bursts", "scale")},
               **({"dropped": d["dropped"]} if d.get("dropped") else {}),
               **({"revisit": True} if d.get("revisit") else {}),
               **({"preparation": d["preparation"]} if isinstance(d.get("preparation"), dict) else {}),
               **({"looks": d["looks"]} if isinstance(d.get("looks"), dict) else {})}
              for d in records.read(path / records.ROUNDS, skipped)]
    interference = [d for d in records.read(path / records.INTERFERENCE, skipped) if isinstance(d, dict)]
    return Results(path=path, meta=meta, rows=rows, startup=startup, skipped=skipped, rounds=rounds,
                   interference=interference, model_checks=_model_checks(path, skipped))


def _model_checks(path: Path, skipped: list[str]) -> list[dict[str, Any]]:
    """The scores saved by ``python -m reports.model_check FIT <path>`` (oldest first); a damaged one is skipped."""
    folder = path / records.MODEL_CHECKS
    out = []
    for p in sorted(folder.glob("*.json")) if folder.is_dir() and not folder.is_symlink() else []:
        try:
            d = json.loads(p.read_text())
        except (json.JSONDecodeError, OSError, UnicodeDecodeError) as e:
            skipped.append(f"{records.MODEL_CHECKS}/{p.name}: unreadable ({e})")
            continue
        if isinstance(d, dict) and isinstance(d.get("pairs"), list):
            out.append(d)
    return out


def load_tasks(path: str | Path, workload: str, scheduler: str, skipped: list[str] | None = None) -> pd.DataFrame:
    """The stored task stream of (*workload*, *scheduler*), every repeat."""
    p = records.tasks_path(Path(path), workload, scheduler)
    return pd.DataFrame(list(records.read(p, skipped)))
