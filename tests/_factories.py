"""Small factories for synthetic measurement rows, shared by the report tests."""
from __future__ import annotations

import numpy as np

from runners.records import RunRecord
from runners.records.kinds import parse

REPEATS = 6  # a comparison needs >= 5 ok repeats a side (reports.stats.MIN_REPEATS)


def factors(n, spread=0.02, seed=None):
    """*n* multipliers around 1 within +-*spread*: evenly spaced (median exactly 1), or seeded uniform draws.

    >>> factors(3, 0.1).tolist()
    [0.9, 1.0, 1.1]
    """
    if seed is not None:
        return 1 + spread * np.random.default_rng(seed).uniform(-1, 1, n)
    return np.linspace(1 - spread, 1 + spread, n) if n > 1 else np.ones(n)


def timed(workload, medians, *, claims=(), collection="array", family=None, params=None, gil=None,
          bytes_moved=None, ntasks=None, spread=0.02, n=REPEATS, seed=None, failures=None, session=0,
          rounds=False):
    """Raw rows of *workload*: *n* ok repeats per ``{label: median}`` at +-*spread*, then its failures.

    *n*, *spread* and *seed* are one value for every label or a ``{label: value}`` dict (labels not
    in it get the default).  With a *seed* the repeats are uniform draws (label-specific streams),
    without one evenly spaced.  *failures* maps a label to the statuses of its failed repeats,
    e.g. ``{"sync": ["mismatch", "error"]}``; those rows come after the ok ones.  With *rounds* repeat i
    ran in round i (so the table gives it a pairing key); without, outside the rounds (round -1).
    """
    gil = gil or {}
    rows = []

    def per(x, label, default):
        return x.get(label, default) if isinstance(x, dict) else x

    for j, (label, m) in enumerate(medians.items()):
        s = parse(label)
        sd = per(seed, label, None)
        fs = factors(per(n, label, REPEATS), per(spread, label, 0.02), None if sd is None else sd + 7919 * j)
        statuses = ["ok"] * len(fs) + list((failures or {}).get(label, ()))
        for i, status in enumerate(statuses):
            ok = status == "ok"
            rows.append(RunRecord(
                run_id="t", workload=workload, scheduler=label, repeat=i, wall_s=float(m * fs[i]) if ok else None,
                status=status, kind=s.kind, workers=s.workers, threads_per_worker=s.threads_per_worker, as_shipped=s.as_shipped,
                family=family or workload, collection=collection, claims=list(claims), params=dict(params or {}),
                gil_min=gil.get(label), gil_median=gil.get(label), gil_max=gil.get(label),
                bytes_moved=(bytes_moved or {}).get(label), ntasks_captured=ntasks, ntasks_graph=ntasks,
                check_ok=None if status == "error" else ok, error_type="ValueError" if status == "error" else "",
                error="boom" if status == "error" else "", check_detail="differs" if status == "mismatch" else "",
                session=session, round=i if rounds else -1,
            ).to_dict())
    return rows
