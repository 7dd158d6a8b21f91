"""What each claim's rule asks of one workload's measurements, so the runner can measure until it is answered.

A rule decides from comparisons at its own bars (C1: threads more than 1.2×
faster than sync on 2 cores).  Those bars are declared beside the rule as a
``questions`` function ``(workload, n) -> [Question]``; the runner keeps
adding interleaved rounds, with only the specs an open question names, while
any is open (see :func:`still_open`), up to the profile's caps.

A :class:`Question` about specs *a* and *b* is answered once the 95 %
interval of ``time(b) / time(a)`` (see :func:`reports.stats.compare`) lies
above *up* or below *down* — or, with a *margin*, inside the equivalence band
around *up* — and still does so in at least :data:`STABLE` of
:data:`RESAMPLES` bootstrap resamples of the two samples: the verdict's
stability (:mod:`reports.rules`) resamples the same way, so a comparison on
the edge is measured further rather than left fragile.  A question with
``b=None`` asks for *a*'s median to within ±:data:`reports.stats.PRECISION`
(rules that compare rows of different workloads).  ``a="best"`` stands for
the fastest other spec measured so far (C12: the default against the best).

>>> q = Question("threads-2", "sync", 1.2, 1.2, None, "C1")
>>> [o.text for o in still_open({"sync": [1.0] * 5, "threads-2": [0.5, 0.52, 0.49, 0.51, 0.5]}, [q], recommend=False)]
[]
>>> [o.text for o in still_open({"sync": [1.0] * 5, "threads-2": [0.8, 0.9, 0.85, 0.75, 0.95]}, [q], recommend=False)]
['C1: threads-2 vs sync at 1.2×']
"""
from __future__ import annotations

import math
from typing import Mapping, NamedTuple, Sequence

import numpy as np

from reports.stats import PRECISION, Open, compare, median_interval_width, pending

__all__ = ["Question", "still_open", "ask", "gain", "same", "precise", "label", "STABLE", "RESAMPLES"]

STABLE = 0.95  # share of resamples that must give the same answer
RESAMPLES = 100


class Question(NamedTuple):
    """One comparison a rule reads (see the module docstring)."""

    a: str
    b: str | None
    up: float
    down: float
    margin: float | None
    claim: str


def label(kind: str, n: int) -> str:
    """The spec label of *kind* at *n* workers, as the runner names them.

    >>> label("sync", 2), label("threads", 4), label("distributed", 2)
    ('sync', 'threads-4', 'distributed-2x1')
    """
    if kind == "sync":
        return "sync"
    return f"distributed-{n}x1" if kind == "distributed" else f"{kind}-{n}"


def ask(claim: str, a: str, b: str, bar: float, margin: float | None = None) -> Question:
    """A one-sided test at *bar* (with *margin*: the rule reads the outcome, so equivalence answers too)."""
    return Question(a, b, bar, bar, margin, claim)


def gain(claim: str, a: str, b: str, no_gain: float = 1.1) -> Question:
    """:func:`reports.evidence.gains`: *a* faster than *b*, or less than *no_gain* faster."""
    return Question(a, b, 1.0, no_gain, None, claim)


def same(claim: str, a: str, b: str, margin: float) -> Question:
    """Equivalence within *margin* (answered also when the interval leaves the band)."""
    return Question(a, b, 1.0, 1.0, margin, claim)


def precise(claim: str, *specs: str) -> list[Question]:
    """Each spec's median known to ±PRECISION (for rules that compare different workloads)."""
    return [Question(s, None, 1.0, 1.0, None, claim) for s in specs]


def _answer(q: Question, a: Sequence[float], b: Sequence[float]) -> int:
    """1: above *up* (or equivalent, with a margin); -1: below *down*; 0: not answered."""
    c = compare(a, b, q.up, margin=q.margin or 1.1)
    if c.lo is None or not math.isfinite(c.lo) or not math.isfinite(c.hi):
        return 0
    if q.margin is not None and c.outcome == "equivalent":
        return 1
    return 1 if c.lo > q.up else (-1 if c.hi < q.down else 0)  # lo, hi: the interval of the ratio itself


def _answered(q: Question, a: Sequence[float], b: Sequence[float]) -> bool:
    first = _answer(q, a, b)
    if first == 0:
        return False
    rng = np.random.default_rng(len(a) * 1000 + len(b))
    xa, xb = np.asarray(a, float), np.asarray(b, float)
    same = sum(_answer(q, rng.choice(xa, xa.size), rng.choice(xb, xb.size)) == first for _ in range(RESAMPLES))
    return same >= STABLE * RESAMPLES


def still_open(samples: Mapping[str, Sequence[float]], questions: Sequence[Question],
               recommend: bool = True) -> list[Open]:
    """The questions of *questions* not yet answered by *samples* (ok times per spec label), as
    :class:`reports.stats.Open` items marked ``claim=True``; then, with *recommend*, what the
    recommendation still needs (:func:`reports.stats.pending`).  Questions about specs
    not measured are skipped."""
    live = {k: list(v) for k, v in samples.items()}
    meds = {k: float(np.median(v)) for k, v in live.items() if v}
    out: list[Open] = []
    for q in questions:
        a = q.a
        if a == "best":
            others = {k: m for k, m in meds.items() if k != q.b}
            if q.b not in live or not others:
                continue
            a = min(others, key=others.get)
        if a not in live or (q.b is not None and q.b not in live):
            continue
        if q.b is None:
            w = median_interval_width(live[a])
            if w is None or w > 2 * PRECISION:
                out.append(Open(f"{q.claim}: {a} median" + (f" ±{w / 2:.0%}" if w is not None else ""), (a,), True))
            continue
        if not _answered(q, live[a], live[q.b]):
            bar = f" at {q.up:g}×" if q.up != 1.0 or q.down != 1.0 else ""
            band = f" ±{q.margin - 1:.0%}" if q.margin is not None and q.up == 1.0 and q.down == 1.0 else ""
            out.append(Open(f"{q.claim}: {a} vs {q.b}{bar}{band}", (a, q.b), True))
    if recommend:
        out += pending(live)
    return out
