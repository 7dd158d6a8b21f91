"""One claim, one record: its text, the kinds it reads, its verdict, its questions and its plot.

A :class:`Claim` is declared once, in the module of its topic
(:mod:`reports.claims.arrays` holds C1, C2 and C4), beside the verdict and
questions functions it names and the bars they share; :mod:`reports.claims.registry`
orders the records.  The runner reads ``kinds`` and ``scaling`` (which
scheduler kinds to run a workload under, which curves to sweep) and
``questions`` (what to measure until it is answered); the reports read
``verdict`` and ``plot``.

>>> c = Claim("C0", "Nothing is faster than sync.", frozenset({"sync", "threads"}), False,
...           verdict=lambda ctx: {"verdict": "inconclusive"})
>>> c.questions(None, 2), c.plot
([], None)
>>> Claim("C0", "text", frozenset({"gpu"}), False, verdict=c.verdict)
Traceback (most recent call last):
...
ValueError: claim C0: kinds must be among sync, threads, processes, distributed; got ['gpu']
>>> speedup_bar(2, 0.2), speedup_bar(8, 0.2), speedup_bar(8, 0.2, cap=None)
(1.2, 1.6, 2.4)
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Literal, NamedTuple, get_args

from reports.claims.questions import Question
from reports.evidence import Context
from runners.records.kinds import KINDS

__all__ = ["Claim", "Plot", "Drawing", "DRAWINGS", "Verdict", "Questions", "no_questions", "speedup_bar"]

Verdict = Callable[[Context], dict[str, Any]]
Questions = Callable[[Any, int], list[Question]]

# How a claim's deciding plot is drawn (reports.dashboard.claimplots draws each): every comparison in the
# verdict's numbers with its interval, speedup curves by threads, speedup by k, time per task, the default's tally.
Drawing = Literal["comparisons", "curves", "by_k", "per_task", "defaults"]
DRAWINGS: tuple[str, ...] = get_args(Drawing)

_ID = re.compile(r"^C\d+$")


class Plot(NamedTuple):
    """The plot that shows a claim's verdict: how it is drawn, its caption, its axis label."""

    drawing: Drawing
    caption: str
    axis: str


def no_questions(workload: Any, n: int) -> list[Question]:
    """A claim that asks the runner for nothing beyond the minimum of rounds."""
    return []


def speedup_bar(n: int, per_core: float, cap: int | None = 4) -> float:
    """The speedup a parallel spec of *n* workers must clear: 1 + *per_core* per extra core, up to *cap* cores."""
    cores = n if cap is None else min(n, cap)
    return round(1 + per_core * (cores - 1), 2)


@dataclass(frozen=True)
class Claim:
    """One claim of the suite (see the module docstring).

    Parameters
    ----------
    id, text
        ``"C5"`` and the claim in one sentence (docs/CLAIMS.md states it with its experiment).
    kinds
        The scheduler kinds its verdict reads: a lean profile runs its workloads under these only.
    scaling
        About parallel speedup: inconclusive with fewer than 2 cores, and its workloads' sweeps
        run the kinds it reads.
    verdict
        ``verdict(ctx) -> {verdict, numbers, threshold, reason}`` of a :class:`reports.evidence.Context`.
    questions
        ``questions(workload, n) -> [Question]``: the comparisons the verdict reads at *n* workers,
        at the verdict's own bars (the runner measures until they are answered).
    plot
        How the dashboard draws the verdict; None: every comparison with its interval.
    reads
        Workloads (by name) its verdict reads besides those that name it among their ``claims``:
        the runner treats them as serving this claim too (its kinds, its questions, ``--claims``),
        so a claim over workloads that exist is this record alone.
    free_threaded_only
        Decided only on a free-threaded build with the GIL off.  Its verdict says first why a GIL
        build cannot decide it, and checks the cores itself; two runs compared leave it out.
    """

    id: str
    text: str
    kinds: frozenset[str]
    scaling: bool
    verdict: Verdict
    questions: Questions = no_questions
    plot: Plot | None = None
    reads: tuple[str, ...] = ()
    free_threaded_only: bool = False

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"claim id must be C followed by a number; got {self.id!r}")
        if not self.text:
            raise ValueError(f"claim {self.id}: the text must say what is claimed")
        unknown = sorted(set(self.kinds) - set(KINDS))
        if unknown or not self.kinds:
            raise ValueError(f"claim {self.id}: kinds must be among {', '.join(KINDS)}; got {unknown or 'none'}")
        if self.plot is not None and self.plot.drawing not in DRAWINGS:
            raise ValueError(f"claim {self.id}: plot drawing must be one of {', '.join(DRAWINGS)}; "
                             f"got {self.plot.drawing!r}")
        if isinstance(self.reads, str):
            raise ValueError(f"claim {self.id}: reads is a tuple of workload names; got {self.reads!r}")
        object.__setattr__(self, "kinds", frozenset(self.kinds))
        object.__setattr__(self, "reads", tuple(self.reads))
