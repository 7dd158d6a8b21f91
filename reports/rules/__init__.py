"""The claim rules: one function per claim, found through the registry in :mod:`workloads.claims`.

A rule is ``rule(ctx) -> {verdict, numbers, threshold, reason}`` of a
:class:`reports.evidence.Context`.  :func:`decide` runs every rule, and its
stability: the share of bootstrap resamples of the stored repeats
(:data:`RESAMPLES`, each row's repeats drawn with replacement) under which the
whole rule gives the same verdict.  A verdict whose stability is under
:data:`FRAGILE` is marked ``fragile``: printed as such, never as a plain
``holds``.

>>> from reports.evidence import context
>>> [v["verdict"] for v in decide(context(None, {"cores": 2}))][:2]
['inconclusive', 'inconclusive']
"""
from __future__ import annotations

import importlib
from typing import Any, Callable

import numpy as np

from reports.evidence import UNSURE, Context, verdict
from workloads.claims import CLAIMS

__all__ = ["decide", "rule", "questions", "stability", "RESAMPLES", "FRAGILE"]

RESAMPLES = 200
FRAGILE = 0.9

Rule = Callable[[Context], dict[str, Any]]


def rule(claim_id: str) -> Rule:
    """The rule function of *claim_id* (``"arrays:c1"`` -> :func:`reports.rules.arrays.c1`)."""
    module, name = CLAIMS[claim_id].rule.split(":")
    return getattr(importlib.import_module(f"reports.rules.{module}"), name)


def questions(workload: Any, n: int) -> list[Any]:
    """What the rules of *workload*'s claims ask of its measurements at *n* workers
    (:mod:`reports.rules.questions`), in claim order.

    >>> from workloads import catalogue
    >>> [q.claim + " " + q.a + " vs " + str(q.b) for q in questions(catalogue()["stencil-numpy"], 2)]
    ['C4 threads-2 vs sync', 'C4 threads-4 vs threads-2', 'C4 processes-2 vs threads-2']
    """
    out: list[Any] = []
    for cid in getattr(workload, "claims", ()) or ():
        if cid in CLAIMS:
            ask = getattr(rule(cid), "questions", None)
            out += ask(workload, n) if ask is not None else []
    return out


def _one(claim_id: str, ctx: Context) -> dict[str, Any]:
    c = CLAIMS[claim_id]
    if c.scaling and claim_id != "C14" and (ctx.cores is None or ctx.cores < 2):
        why = "cores not recorded" if ctx.cores is None else f"{ctx.cores} core"
        return verdict(UNSURE, {"cores": ctx.cores}, "needs at least 2 cores",
                       f"A scaling claim cannot be tested with {why}: parallel workers have no core to run on.")
    try:
        return rule(claim_id)(ctx)
    except Exception as e:  # a rule must never take the whole report down
        return verdict(UNSURE, {"error": f"{type(e).__name__}: {e}"}, "", f"The rule failed: {type(e).__name__}: {e}.")


def stability(answers: list[Any], resampled: list[Any]) -> float | None:
    """Share of *resampled* answers equal to the point answer (None without resamples).

    >>> stability(["holds"], ["holds", "holds", "inconclusive", "holds"])
    0.75
    """
    if not resampled:
        return None
    return round(sum(r == answers[0] for r in resampled) / len(resampled), 3)


def decide(ctx: Context, resamples: int = RESAMPLES, seed: int = 0) -> list[dict[str, Any]]:
    """A verdict for every registered claim, in order, each with its stability figure.

    Returns ``{id, claim, verdict, numbers, threshold, reason, stability, fragile}`` per claim.
    """
    out = []
    for cid, c in CLAIMS.items():
        out.append({"id": cid, "claim": c.text, **_one(cid, ctx)})
    rng = np.random.default_rng(seed)
    boot: dict[str, list[str]] = {cid: [] for cid in CLAIMS}
    for _ in range(resamples):
        r = ctx.resample(rng)
        for cid in CLAIMS:
            boot[cid].append(_one(cid, r)["verdict"])
    for v in out:
        s = stability([v["verdict"]], boot[v["id"]])
        v["stability"] = s
        v["fragile"] = bool(s is not None and s < FRAGILE)
    return out
