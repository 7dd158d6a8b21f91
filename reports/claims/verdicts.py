"""Every claim's verdict, with its rerun agreement: :func:`decide`.

A claim's verdict is ``verdict(ctx) -> {verdict, numbers, threshold, reason}``
of a :class:`reports.evidence.Context` (the record's ``verdict`` function).
:func:`decide` runs every registered claim's, and its *rerun agreement*: the
share of :data:`RESAMPLES` reruns drawn by :mod:`reports.resample` (whole
rounds, pairs and GIL figures together, spread as a rerun spreads) under which
the whole verdict comes out the same — the chance that running the suite
again gives this verdict again, calibrated by simulation (``python -m
runners.selfcheck``).  A verdict whose agreement is under :data:`FRAGILE` is
marked ``fragile``: printed as such, never as a plain ``holds``.  A verdict
left inconclusive by noise says so, with the comparison that could not be
separated from its bar.

>>> from reports.evidence import context
>>> [v["verdict"] for v in decide(context(None, {"cores": 2}))][:2]
['inconclusive', 'inconclusive']
"""
from __future__ import annotations

from typing import Any

from reports.claims.record import Claim
from reports.claims.registry import CLAIMS
from reports.evidence import UNSURE, Context, verdict
from reports.resample import LEAST, RERUNS, agreements

__all__ = ["decide", "too_noisy", "RESAMPLES", "FRAGILE"]

RESAMPLES = RERUNS
FRAGILE = 0.9


def _one(c: Claim, ctx: Context) -> dict[str, Any]:
    """*c*'s verdict on *ctx*; a scaling claim on fewer than 2 cores is inconclusive before its verdict runs."""
    if c.scaling and not c.free_threaded_only and (ctx.cores is None or ctx.cores < 2):
        why = "cores not recorded" if ctx.cores is None else f"{ctx.cores} core"
        return verdict(UNSURE, {"cores": ctx.cores}, "needs at least 2 cores",
                       f"A scaling claim cannot be tested with {why}: parallel workers have no core to run on.")
    try:
        return c.verdict(ctx)
    except Exception as e:  # a verdict must never take the whole report down
        return verdict(UNSURE, {"error": f"{type(e).__name__}: {e}"}, "", f"The rule failed: {type(e).__name__}: {e}.")


def _reads(ctx: Context, cid: str) -> set[str] | None:
    """The workloads claim *cid*'s verdict reads: those tagged with it (and its sweeps' families); None: all."""
    tagged = set(ctx.workloads(cid))
    if not tagged:
        return None
    fams = {(r.get("family") or w) for (w, _), r in ctx.rows.items() if w in tagged}
    return tagged | {w for (w, _), r in ctx.rows.items() if (r.get("family") or w) in fams}


def _walk(numbers: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every (key path, value) of a verdict's numbers, depth first."""
    out = []
    if isinstance(numbers, dict):
        for k, v in numbers.items():
            p = f"{path}.{k}" if path else str(k)
            out.append((p, v))
            out += _walk(v, p)
    return out


def too_noisy(v: dict[str, Any]) -> str:
    """For an inconclusive verdict left so by noise, the comparison that could not be told from its bar:
    "too noisy here to separate 1.2× from 1.35× (interval 1.15–1.65)".

    A comparison counts when its interval spans one of the verdict's stated bars (``bar``, ``numpy_bar``:
    figures are stored at 1× beside the bar they were tested at), or, for a verdict that states none, its own
    factor; a comparison that carries its own ``bar`` (C7: 1.2× at k = 1, 1.3× at the largest k) is read
    against that one only, and where some do, the others (C7's middle k, shown, not tested) are not read.
    An inconclusive left so by missing or too few repeats (no interval) gets no sentence.

    >>> too_noisy({"verdict": "inconclusive", "numbers": {"bar": 1.2, "w": {"speedup": {"outcome": "above",
    ...            "ratio": 1.35, "lo": 1.15, "hi": 1.65, "factor": 1.0}}}})
    'too noisy here to separate 1.2× from 1.35× (interval 1.15–1.65)'
    """
    if v.get("verdict") != UNSURE:
        return ""
    items = _walk(v.get("numbers"))
    bars = [float(x) for k, x in items if k.rsplit(".", 1)[-1].endswith("bar") and isinstance(x, (int, float))
            and not isinstance(x, bool)]
    best = None
    figs = [c for _, c in items
            if isinstance(c, dict) and c.get("lo") is not None and c.get("hi") is not None and c.get("ratio")]
    if any(isinstance(c.get("bar"), (int, float)) for c in figs):  # the verdict marked what it tested: only those
        figs = [c for c in figs if isinstance(c.get("bar"), (int, float))]
    for c in figs:
        own = c.get("bar")
        for bar in [float(own)] if isinstance(own, (int, float)) else bars or [float(c.get("factor") or 1.0)]:
            if c["lo"] < bar < c["hi"] and (best is None or c["hi"] / c["lo"] > best[1]["hi"] / best[1]["lo"]):
                best = (bar, c)
    if best is None:
        return ""
    bar, c = best
    return f"too noisy here to separate {bar:g}× from {c['ratio']:.3g}× (interval {c['lo']:.3g}–{c['hi']:.3g})"


def decide(ctx: Context, resamples: int = RESAMPLES, seed: int = 0) -> list[dict[str, Any]]:
    """A verdict for every registered claim, in order, each with its rerun agreement.

    Returns ``{id, claim, verdict, numbers, threshold, reason, rerun_agreement, stability, fragile}`` per
    claim (``stability``: the same figure under its old name, for readers of older summaries).
    """
    out = [{"id": cid, "claim": c.text, **_one(c, ctx)} for cid, c in CLAIMS.items()]
    points = {v["id"]: v["verdict"] for v in out}
    fig = agreements(ctx, points, lambda d, live: {cid: _one(CLAIMS[cid], d)["verdict"] for cid in live}, seed,
                     most=resamples, least=min(LEAST, resamples), scope=lambda cid: _reads(ctx, cid))
    for v in out:
        s = fig[v["id"]]
        v["rerun_agreement"] = s
        v["stability"] = s
        v["fragile"] = bool(s is not None and s < FRAGILE)
        noisy = too_noisy(v)
        if noisy:
            v["noise"] = noisy
            v["reason"] = f"{v['reason']} Inconclusive: {noisy}."
    return out
