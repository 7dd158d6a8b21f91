"""Small factories for synthetic measurement rows, shared by the report tests."""
from __future__ import annotations

from runners.records import RunRecord
from runners.spec import parse


def timed(workload, medians, *, claims=(), collection="array", family=None, params=None, gil=None,
          bytes_moved=None, ntasks=None, spread=0.02):
    """Raw rows of *workload*: three repeats per ``{label: median}`` at +-spread."""
    gil = gil or {}
    rows = []
    for label, m in medians.items():
        s = parse(label)
        for i, f in enumerate((1 - spread, 1.0, 1 + spread)):
            rows.append(RunRecord(
                run_id="t", workload=workload, scheduler=label, repeat=i, wall_s=m * f, kind=s.kind,
                workers=s.workers, threads_per_worker=s.threads_per_worker, family=family or workload,
                collection=collection, claims=list(claims), params=dict(params or {}),
                gil_min=gil.get(label), gil_median=gil.get(label), gil_max=gil.get(label),
                bytes_moved=(bytes_moved or {}).get(label), ntasks_captured=ntasks, ntasks_graph=ntasks,
            ).to_dict())
    return rows
