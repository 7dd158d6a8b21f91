"""Whether a model fitted on one run can be scored on another: the workloads built alike, the cores' pace.

:mod:`reports.model_check` scores a fit against another run's measurements; a workload built at another
size says nothing of it (:func:`different_sizes`), and a core that ran slower in one run than in the other
scales every time (:func:`pace_ratio`, from the pace loop both runs timed).
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from reports.interference import pace
from reports.load import Results

__all__ = ["different_sizes", "pace_ratio"]


def pace_ratio(fit: Results, measured: Results) -> float | None:
    """How much slower the measured run's core ran than the fit's: the ratio of the two runs' median times of the
    pace loop (:mod:`runners.interference`), None where either run did not time it.

    Two runs of one commit on this VM, minutes apart, took 0.075 and 0.123 s for the same ``sync`` compute of a
    compiled kernel, its CPU time moving with it: the machine's speed, not the schedulers, which a model
    fitted on one run cannot know of the other.  The pace loop, timed at every round's ends in both, can.
    """
    a, b = pace(fit.interference).get("pace_us_median"), pace(measured.interference).get("pace_us_median")
    return round(b / a, 4) if a and b else None


def different_sizes(fit: pd.DataFrame, measured: pd.DataFrame) -> dict[str, str]:
    """Workloads of both tables built at different sizes or parameters: workload -> what differs.

    Such a workload is not scored: a model fitted on one problem says nothing of how long another
    takes (runs of different profiles, or of commits that resized a workload).

    >>> f = pd.DataFrame({"workload": ["a", "b"], "size": [1200, 8], "params": [{}, {}]})
    >>> different_sizes(f, pd.DataFrame({"workload": ["a", "b"], "size": [2400, 8], "params": [{}, {}]}))
    {'a': 'size 1200 in the fit, 2400 measured'}
    """
    out: dict[str, str] = {}

    def first(t: pd.DataFrame, col: str) -> dict[str, Any]:
        if col not in t:
            return {}
        return {str(w): v for w, v in zip(t["workload"], t[col]) if v is not None and v == v}

    for col in ("size", "params"):
        a, b = first(fit, col), first(measured, col)
        for wl in a.keys() & b.keys():
            if wl not in out and str(a[wl]) != str(b[wl]):
                out[wl] = f"{col} {a[wl]} in the fit, {b[wl]} measured"
    return out
