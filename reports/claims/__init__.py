"""The claims: one record per claim, the registry that orders them, and their verdicts.

:mod:`reports.claims.record`
    :class:`Claim`: id, text, the scheduler kinds it reads, its verdict, its questions, its plot
:mod:`reports.claims.arrays`, :mod:`~reports.claims.python`, :mod:`~reports.claims.kernels`, :mod:`~reports.claims.tasks`, :mod:`~reports.claims.frames`, :mod:`~reports.claims.defaults`, :mod:`~reports.claims.convoy`
    the claims by topic, each record beside its verdict, its questions and the bars they share
:mod:`reports.claims.registry`
    :data:`CLAIMS` in order, and what a workload's claims ask of its measurements
:mod:`reports.claims.questions`
    the comparisons a verdict reads, and which of them a run has not answered yet (the runner's stop rule)
:mod:`reports.claims.verdicts`
    :func:`decide`: every claim's verdict with its rerun agreement

The runner never imports this package: its composition root (:mod:`runners.all`)
hands the claims' kinds and questions to the plan.
"""
from __future__ import annotations

from reports.claims.questions import Question, still_open
from reports.claims.record import Claim, Plot
from reports.claims.registry import CLAIMS, IDS, questions_for
from reports.claims.verdicts import FRAGILE, RESAMPLES, decide, too_noisy

__all__ = ["Claim", "Plot", "CLAIMS", "IDS", "questions_for", "decide", "too_noisy", "RESAMPLES", "FRAGILE",
           "Question", "still_open"]
