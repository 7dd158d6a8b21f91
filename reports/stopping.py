"""When to stop measuring: what a workload's recommendation still needs, and which specs are hopeless.

The adaptive rounds (:mod:`runners.rounds`) ask :func:`pending` after every round
which comparisons the recommendation still needs (every one of them a
:func:`reports.stats.compare`, paired and at the sequential design's level), and
:func:`far_slower` which specs are shown too slow to be worth more rounds.
Split from :mod:`reports.stats` (the comparison itself), which keeps under 400 lines.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, Mapping, NamedTuple, Sequence

import numpy as np

from reports.intervals import median_interval_width
from reports.stats import PRECISION, compare, times_of

__all__ = ["Open", "pending", "far_slower", "SLOWER", "DROP_ROUNDS", "DROP_ALPHA"]


class Open(NamedTuple):
    """A comparison still undecided: its text, the spec labels it needs, and whether a claim reads it."""

    text: str
    specs: tuple[str, ...]
    claim: bool = False


def pending(samples: Mapping[str, Any], failed: Mapping[str, int] | None = None,
            factors: Sequence[float] = (1.0,)) -> list[Open]:
    """What the recommendation of one workload still needs, as :class:`Open` items.

    *samples* maps spec labels to times (lists, or sample mappings with
    ``times``, ``keys`` and ``looks`` so that the comparisons are paired and
    sequential).  What the recommendation reads: every spec against ``sync``
    (when measured), and the fastest spec against every other, at each of
    *factors*; and every median known to within ±:data:`PRECISION`.  Specs
    with failed repeats are left out (they stay undecided whatever more
    rounds would show).

    >>> [o.text for o in pending({"sync": [1.0] * 3, "threads-2": [0.5] * 3})][0]
    'threads-2 vs sync'
    >>> [o.text for o in pending({"sync": [0.8, 1.0, 1.2, 0.9, 1.1], "threads-2": [0.5, 0.51, 0.5, 0.49, 0.52]})]
    ['sync median ±20%']
    """
    failed = failed or {}
    live = {k: v for k, v in samples.items() if not failed.get(k)}
    if len(live) < 2:
        return []
    meds = {k: float(np.median(times_of(v))) if times_of(v) else math.inf for k, v in live.items()}
    best = min(meds, key=meds.get)
    pairs = []
    if "sync" in live:
        pairs += [(k, "sync") for k in live if k != "sync"]
    pairs += [(best, k) for k in live if k != best and (best, k) not in pairs and (k, best) not in pairs]
    out = []
    for x, y in pairs:
        for f in factors:
            if compare(live[x], live[y], f).outcome == "undecided":
                out.append(Open(f"{x} vs {y}" + (f" at {f:g}×" if f != 1.0 else ""), (x, y)))
                break
    # The recommendation's figures (and the model) read every median: wanted to within ±PRECISION too.
    for k, v in live.items():
        w = median_interval_width(times_of(v))
        if w is None or w > 2 * PRECISION:
            out.append(Open(f"{k} median" + (f" ±{w / 2:.0%}" if w is not None else ": too few repeats"), (k,)))
    return out


# The early stop for a spec far slower than the best (:func:`far_slower`): "more than SLOWER times the best's
# time", tested after DROP_ROUNDS[0] rounds and at most until DROP_ROUNDS[1]; DROP_ALPHA is the whole chance,
# over those looks and every candidate, of dropping a spec that is not that slow (Bonferroni).
SLOWER = 2.0
DROP_ROUNDS = (2, 4)
DROP_ALPHA = 0.005


def far_slower(samples: Mapping[str, Any], protected: Sequence[str] = (), rounds: int = 2) -> dict[str, str]:
    """Specs shown more than :data:`SLOWER` times slower than the best after *rounds* rounds: label -> why.

    What lets a recommendation stop measuring a hopeless candidate early (5 000 tiny tasks on
    a cluster started per compute) without deciding anything a claim reads: *protected* labels
    (named by an open claim question) are never dropped.  The test: the log times of every spec
    with two or more repeats give one pooled within-spec variance (a spec's repeats vary about
    its own mean; pooling over the workload's specs gives the degrees of freedom two rounds
    cannot), and a spec is dropped when its mean log time exceeds the best's by more than
    log(:data:`SLOWER`) at one-sided level DROP_ALPHA / (looks x candidates), looks being the
    rounds DROP_ROUNDS allows.  Only between those rounds: later, the loop's own comparisons
    decide.  The assumption is a common spread of log times across the specs (their ratios
    are what the suite measures, so a spec twice as slow is not twice as noisy in log terms).

    >>> s = {"sync": [0.50, 0.52], "threads-2": [0.9, 0.95], "processes-2": [5.1, 5.4]}
    >>> far_slower(s)
    {'processes-2': 'more than 2× slower than sync after 2 rounds: 10× [≥ 7×]'}
    >>> far_slower(s, protected=["processes-2"]), far_slower(s, rounds=5)
    ({}, {})
    """
    lo, hi = DROP_ROUNDS
    if not lo <= rounds <= hi:
        return {}
    logs = {k: np.log(np.asarray(times_of(v), dtype=float)) for k, v in samples.items()}
    logs = {k: v for k, v in logs.items() if len(v) >= 2 and np.all(np.isfinite(v))}
    if len(logs) < 2:
        return {}
    df = sum(len(v) - 1 for v in logs.values())
    s2 = sum(float(((v - v.mean()) ** 2).sum()) for v in logs.values()) / df
    best = min(logs, key=lambda k: float(np.median(logs[k])))
    candidates = [k for k in logs if k != best and k not in protected]
    if not candidates:
        return {}
    alpha = DROP_ALPHA / ((hi - lo + 1) * (len(logs) - 1))
    q = _t_one_sided(df, alpha)
    out = {}
    for k in candidates:
        d = float(logs[k].mean() - logs[best].mean())
        low = d - q * math.sqrt(s2 * (1 / len(logs[k]) + 1 / len(logs[best])))
        if low > math.log(SLOWER):
            out[k] = (f"more than {SLOWER:g}× slower than {best} after {rounds} rounds: "
                      f"{math.exp(d):.2g}× [≥ {math.exp(low):.2g}×]")
    return out


@lru_cache(maxsize=256)
def _t_one_sided(df: int, alpha: float) -> float:
    from scipy.stats import t

    return float(t.isf(alpha, df))
