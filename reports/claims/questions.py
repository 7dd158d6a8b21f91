"""What each claim asks of one workload's measurements, so the runner can measure until it is answered.

A claim's verdict decides from comparisons at its own bars (C1: threads more
than 1.2× faster than sync on 2 cores).  The claim's record
(:class:`reports.claims.record.Claim`) names a ``questions`` function
``(workload, n) -> [Question]`` that asks for those comparisons at the same
bars; the runner keeps adding interleaved rounds, with only the specs an open
question names, while any is open (see :func:`still_open`), up to the
profile's caps.

A :class:`Question` about specs *a* and *b* is answered once the interval of
``time(b) / time(a)`` (:func:`reports.stats.compare`: paired by round, at the
level of the run's sequential design, so looking after every round keeps the
error rate at 5 %) lies above *up* or below *down* — or, with a *margin*,
inside the equivalence band around *up* or wholly outside it.  The verdict
reads the same comparisons at the same level, so a question answered here is
answered there.  A question with ``b=None`` asks for *a*'s median to within
±:data:`reports.stats.PRECISION` (verdicts that compare rows of different
workloads).  ``a="others"`` stands for every other spec measured (C12: the
default — its as-shipped reading where that was measured — against each
candidate, Bonferroni-corrected for choosing one).  A spec named
``twin|label`` (:func:`~runners.records.kinds.twin_label`) is the twin
workload's, in the samples of workloads that share their rounds (C5, C6,
C8: a kernel against its twin, paired by round).

>>> q = Question("threads-2", "sync", 1.2, 1.2, None, "C1")
>>> fast = [0.5, 0.52, 0.49, 0.51, 0.5, 0.5, 0.51, 0.5]
>>> [o.text for o in still_open({"sync": [1.0] * 8, "threads-2": fast}, [q], recommend=False)]
[]
>>> [o.text for o in still_open({"sync": [1.0] * 5, "threads-2": [0.8, 0.9, 0.85, 0.75, 0.95]}, [q], recommend=False)]
['C1: threads-2 vs sync at 1.2×']
"""
from __future__ import annotations

from typing import Any, Mapping, NamedTuple, Sequence

from reports.evidence import on_free_cores
from reports.intervals import median_interval_width
from reports.stats import PRECISION, compare, times_of
from reports.stopping import Open, pending
from runners.records.kinds import SHIPPED, TWIN

__all__ = ["Question", "still_open", "ask", "ask_parallel", "on_cores", "gain", "same", "precise", "answer"]


class Question(NamedTuple):
    """One comparison a claim's verdict reads (see the module docstring)."""

    a: str
    b: str | None
    up: float
    down: float
    margin: float | None
    claim: str
    # A bar for a parallel speedup, moved to the cores other users left free (on_cores), never below this; None:
    # a bar that stays where it is
    floor: float | None = None


def ask(claim: str, a: str, b: str, bar: float) -> Question:
    """A one-sided test at *bar*: above or below it."""
    return Question(a, b, bar, bar, None, claim)


def ask_parallel(claim: str, a: str, b: str, bar: float, floor: float = 1.0) -> Question:
    """:func:`ask` at a bar for a parallel speedup on N cores, which :func:`on_cores` moves to the cores free
    (not below *floor*)."""
    return Question(a, b, bar, bar, None, claim, floor)


def on_cores(q: Question, n: int, free: float | None) -> Question:
    """*q* with its bars moved to the *free* cores of *n* where it asks for a parallel speedup
    (:func:`reports.evidence.on_free_cores`); any other question as it is.

    >>> on_cores(ask_parallel("C5", "threads-2", "sync", 1.4), 2, 1.6).up
    1.24
    >>> on_cores(ask("C3", "a", "b", 1.25), 2, 1.6).up
    1.25
    """
    if q.floor is None:
        return q
    return q._replace(up=on_free_cores(q.up, n, free, q.floor), down=on_free_cores(q.down, n, free, q.floor))


def gain(claim: str, a: str, b: str, bar: float = 1.0) -> Question:
    """:func:`reports.evidence.gains`: *a* more than *bar* times faster than *b*, or less (one bar)."""
    return ask(claim, a, b, bar)


def same(claim: str, a: str, b: str, margin: float) -> Question:
    """Equivalence within *margin*: answered inside the band or wholly outside it."""
    return Question(a, b, 1.0, 1.0, margin, claim)


def precise(claim: str, *specs: str) -> list[Question]:
    """Each spec's median known to ±PRECISION (for verdicts that compare different workloads)."""
    return [Question(s, None, 1.0, 1.0, None, claim) for s in specs]


def answer(q: Question, a: Any, b: Any, family: int = 1) -> int:
    """1: above *up* (or equivalent, for a margin question); -1: below *down* (or not equivalent); 0: open.

    *a*, *b*: times or samples (``times``, ``keys``, ``looks``) of the two specs.
    """
    if q.margin is not None:
        c = compare(a, b, q.up, margin=q.margin)
        return {"equivalent": 1, "not equivalent": -1}.get(c.outcome, 0)
    up = compare(a, b, q.up, family=family)
    if up.outcome == "above":
        return 1
    down = up if q.down == q.up else compare(a, b, q.down)
    return -1 if down.outcome == "below" else 0


def still_open(samples: Mapping[str, Any], questions: Sequence[Question], recommend: bool = True) -> list[Open]:
    """The questions of *questions* not yet answered by *samples* (per spec label: times, or a mapping with
    ``times``, ``keys`` and ``looks``), as :class:`reports.stopping.Open` items marked ``claim=True``; then, with
    *recommend*, what the recommendation still needs (:func:`reports.stopping.pending`).  Questions about specs
    not measured are skipped."""
    live = dict(samples)
    own = {k: v for k, v in live.items() if TWIN not in k}  # a twin's specs (``twin|label``) are not candidates
    out: list[Open] = []
    for q in questions:
        if q.a == "others":  # C12: the default against every candidate; a loss needs one, corrected for k
            if q.b is not None and q.b + SHIPPED in live:  # the default as Dask ships it, where measured
                q = q._replace(b=q.b + SHIPPED)
            if q.b not in live:
                continue
            others = [k for k in own if k != q.b and times_of(own[k])]
            for o in others:
                loses = answer(q, live[o], live[q.b], family=len(others)) == 1
                if not loses and answer(q, live[o], live[q.b]) != -1:
                    out.append(Open(f"{q.claim}: {o} vs {q.b} at {q.up:g}×", (o, q.b), True))
            continue
        if q.a not in live or (q.b is not None and q.b not in live):
            continue
        if q.b is None:
            w = median_interval_width(times_of(live[q.a]))
            if w is None or w > 2 * PRECISION:
                out.append(Open(f"{q.claim}: {q.a} median" + (f" ±{w / 2:.0%}" if w is not None else ""), (q.a,), True))
            continue
        if answer(q, live[q.a], live[q.b]) == 0:
            bar = f" at {q.up:g}×" if q.up != 1.0 or q.down != 1.0 else ""
            band = f" ±{q.margin - 1:.0%}" if q.margin is not None and q.up == 1.0 and q.down == 1.0 else ""
            out.append(Open(f"{q.claim}: {q.a} vs {q.b}{bar}{band}", (q.a, q.b), True))
    if recommend:
        out += pending(own)
    return out

