"""Statistics over stored repeats: one comparison, the table, the controls.

The comparison (:func:`compare`) is the only way this suite says that one
sample of wall times is faster than another.  Its estimate is the
Hodges–Lehmann shift of the log times (the median of all pairwise differences
``log b_j - log a_i``), reported as a ratio ``b / a`` ("A is this many times
faster than B"), with the exact distribution-free 95 % interval that inverts
the Mann–Whitney test.  Against a stated *factor* the outcome is one of:

``equivalent``
    the whole interval lies within the equivalence margin around the factor
    (``factor / margin .. factor * margin``): any difference is smaller than
    the margin, with 95 % confidence;
``faster``
    the whole interval lies above the factor (A is more than *factor* times faster);
``slower``
    the whole interval lies below it (A is less than *factor* times faster;
    with factor 1: A is slower);
``undecided``
    anything else, and always when a side has fewer than :data:`MIN_REPEATS`
    ok repeats, a failed or mismatched repeat, or is unstable — with the reason.

A threshold is tested on the samples scaled by it: ``compare(a, b, 1.3)``
compares ``1.3 * a`` with ``b``, so the interval of the scaled samples must
clear 1 (the Hodges–Lehmann interval is equivariant, so this is the interval
of ``b / a`` divided by 1.3).

>>> c = compare([1.0, 1.02, 0.99, 1.01, 1.0], [2.0, 2.1, 2.05, 1.98, 2.02])
>>> c.outcome, round(c.ratio, 2)
('faster', 2.02)
>>> compare([1.0, 1.1], [2.0, 2.1]).outcome
'undecided'
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd

from reports.fmt import is_number

__all__ = [
    "MIN_REPEATS",
    "MARGIN",
    "PRECISION",
    "median_interval_width",
    "CONFIDENCE",
    "UNSTABLE_SPREAD",
    "MIN_TIME_S",
    "Comparison",
    "compare",
    "hodges_lehmann",
    "open_questions",
    "Open",
    "pending",
]

MIN_REPEATS = 5  # ok repeats a side needs before it can decide anything
MARGIN = 1.10  # equivalence: the interval within x/1.1 .. x*1.1 of the factor
PRECISION = 0.10  # the adaptive rounds want each median known to within ±10 % (when the cap allows)
CONFIDENCE = 0.95
UNSTABLE_SPREAD = 1.0  # a row whose IQR exceeds its median is erratic (bimodal, disturbed): not compared
MIN_TIME_S = 1e-3  # ... or whose median is under 1 ms (timer and call overhead)

OUTCOMES = ("faster", "slower", "equivalent", "undecided")


class Comparison(NamedTuple):
    """The answer of :func:`compare`: how many times faster A is than B, and how sure.

    ``ratio``, ``lo``, ``hi`` are the estimate and 95 % interval of
    ``time(B) / time(A)`` (None when undecided for want of data).
    """

    outcome: str
    ratio: float | None
    lo: float | None
    hi: float | None
    factor: float
    margin: float
    n_a: int
    n_b: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        r = lambda x: None if x is None or not math.isfinite(x) else round(float(x), 4)  # noqa: E731
        return {"outcome": self.outcome, "ratio": r(self.ratio), "lo": r(self.lo), "hi": r(self.hi),
                "factor": self.factor, "n": [self.n_a, self.n_b], "reason": self.reason}

    def words(self, a: str = "A", b: str = "B") -> str:
        """The comparison as a sentence whose wording follows the outcome.

        >>> compare([1.0] * 5, [1.5, 1.6, 1.55, 1.52, 1.58]).words("threads-2", "sync")
        'threads-2 1.55× faster than sync (95 % CI 1.5–1.6)'
        """
        if self.ratio is None:
            return f"{a} vs {b}: undecided ({self.reason})"
        ci = f"95 % CI {_g(self.lo)}–{_g(self.hi)}"
        if self.outcome == "equivalent":
            return f"{a} and {b} equivalent: {_g(self.ratio)}× ({ci}, within ±{self.margin - 1:.0%} of {_g(self.factor)}×)"
        if self.outcome == "undecided":
            return f"{a} vs {b}: {_g(self.ratio)}× ({ci}), undecided against {_g(self.factor)}×"
        if self.factor == 1.0:
            if self.outcome == "faster":
                return f"{a} {_g(self.ratio)}× faster than {b} ({ci})"
            return f"{a} {_g(1 / self.ratio)}× slower than {b} ({ci})"
        side = "above" if self.outcome == "faster" else "below"
        return f"{a} vs {b}: {_g(self.ratio)}× ({ci}), {side} {_g(self.factor)}×"


def _g(x: float | None) -> str:
    """Three significant digits, never in exponent notation ('2050', not '2.05e+03')."""
    if x is None:
        return "?"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:.0f}"


@lru_cache(maxsize=4096)
def _u_counts(n: int, m: int) -> np.ndarray:
    """Number of orderings of *n* vs *m* values with Mann–Whitney U = 0..n*m (no ties).

    >>> _u_counts(2, 2).tolist()
    [1.0, 1.0, 2.0, 1.0, 1.0]
    """
    if n == 0 or m == 0:
        return np.ones(1)
    a = _u_counts(n - 1, m)
    b = _u_counts(n, m - 1)
    out = np.zeros(n * m + 1)
    out[m:m + a.size] += a  # the largest of all values belongs to A: it beats all m of B
    out[:b.size] += b  # it belongs to B: beats nothing of A
    return out


def _critical(n: int, m: int, confidence: float = CONFIDENCE) -> int:
    """k such that [D_(k), D_(nm-k+1)] (1-based) of the sorted pairwise differences covers >= *confidence*.

    0 when no interval reaches the confidence (too few values).

    >>> _critical(5, 5), _critical(3, 3)
    (3, 0)
    """
    alpha = (1 - confidence) / 2
    if n * m <= 3600:
        c = _u_counts(n, m)
        cdf = np.cumsum(c) / c.sum()
        # largest k with P(U <= k - 1) <= alpha
        k = int(np.searchsorted(cdf, alpha, side="right"))
        return k
    from scipy.stats import norm

    mu, sd = n * m / 2, math.sqrt(n * m * (n + m + 1) / 12)
    return max(0, int(math.floor(mu - norm.ppf(1 - alpha) * sd)))


def hodges_lehmann(a: Sequence[float], b: Sequence[float], confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Estimate and interval of the shift ``b - a`` (median of pairwise differences).

    The interval is the exact one that inverts the two-sided Mann–Whitney test;
    infinite when the samples are too small to reach *confidence*.

    >>> hodges_lehmann([1, 2, 3, 4, 5], [11, 12, 13, 14, 15])
    (10.0, 7.0, 13.0)
    """
    d = np.sort(np.subtract.outer(np.asarray(b, float), np.asarray(a, float)).ravel())
    est = float(np.median(d))
    k = _critical(len(a), len(b), confidence)
    if k < 1:
        return est, -math.inf, math.inf
    return est, float(d[k - 1]), float(d[d.size - k])


def _side(x: Any) -> tuple[list[float], str]:
    """Times of one side and why it cannot decide ('' when it can)."""
    if isinstance(x, (Mapping, pd.Series)):
        times = [float(t) for t in (x.get("times") if x.get("times") is not None else []) if is_number(t)]
        failed = int(x.get("n_failed") or 0)
        if failed:
            return times, f"{failed} failed or mismatched repeat(s)"
        if x.get("check_ok") is False:
            return times, "its result disagreed with the sync reference"
        if bool(x.get("unstable")) and x.get("unstable_reason"):
            return times, f"unstable: {x.get('unstable_reason')}"
        return times, ""
    return [float(t) for t in x if is_number(t)], ""


def compare(a: Any, b: Any, factor: float = 1.0, margin: float = MARGIN, min_n: int = MIN_REPEATS,
            names: tuple[str, str] = ("A", "B"), confidence: float = CONFIDENCE) -> Comparison:
    """Is *a* faster than *b* by more than *factor*?  See the module docstring.

    *a* and *b* are sequences of wall times, or table rows (mappings with
    ``times``, ``n_failed``, ``check_ok``, ``unstable``, ``unstable_reason``)
    whose failures make the comparison undecided.

    >>> compare([1.0] * 5, [1.02, 1.01, 1.03, 1.0, 1.02]).outcome
    'equivalent'
    >>> row = {"times": [1.0] * 6, "n_failed": 1}
    >>> compare(row, [2.0] * 6).reason
    'A: 1 failed or mismatched repeat(s)'
    """
    ta, why_a = _side(a)
    tb, why_b = _side(b)
    bad = [f"{nm}: {w}" for nm, w in zip(names, (why_a, why_b)) if w]
    few = [f"{nm} has {len(t)} ok repeat(s), needs {min_n}" for nm, t in zip(names, (ta, tb)) if len(t) < min_n]
    if any(t <= 0 for t in ta + tb):
        bad.append("non-positive times")
    if bad or few or not ta or not tb:
        est = (float(np.median(tb)) / float(np.median(ta))) if ta and tb and min(ta + tb) > 0 else None
        return Comparison("undecided", est, None, None, factor, margin, len(ta), len(tb), "; ".join(bad + few))
    # Scale A by the factor: the interval of log(b) - log(factor * a) must clear 0.
    la = np.log(np.asarray(ta)) + math.log(factor)
    lb = np.log(np.asarray(tb))
    est, lo, hi = hodges_lehmann(la, lb, confidence)
    ratio, rlo, rhi = factor * math.exp(est), factor * math.exp(lo), factor * math.exp(hi)
    m = math.log(margin)
    if lo >= -m and hi <= m:
        out, why = "equivalent", f"interval within ±{margin - 1:.0%} of {factor:g}×"
    elif lo > 0:
        out, why = "faster", f"interval above {factor:g}×"
    elif hi < 0:
        out, why = "slower", f"interval below {factor:g}×"
    else:
        out, why = "undecided", f"interval {rlo:.3g}–{rhi:.3g} spans {factor:g}× and is wider than the ±{margin - 1:.0%} margin"
    return Comparison(out, ratio, rlo, rhi, factor, margin, len(ta), len(tb), why)


class Open(NamedTuple):
    """A comparison still undecided: its text, the spec labels it needs, and whether a claim reads it."""

    text: str
    specs: tuple[str, ...]
    claim: bool = False


def pending(samples: Mapping[str, Sequence[float]], failed: Mapping[str, int] | None = None,
            factors: Sequence[float] = (1.0,)) -> list[Open]:
    """What the recommendation of one workload still needs: :func:`open_questions` with the specs named."""
    failed = failed or {}
    live = {k: list(v) for k, v in samples.items() if not failed.get(k)}
    if len(live) < 2:
        return []
    meds = {k: float(np.median(v)) if v else math.inf for k, v in live.items()}
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
        w = median_interval_width(v)
        if w is None or w > 2 * PRECISION:
            out.append(Open(f"{k} median" + (f" ±{w / 2:.0%}" if w is not None else ": too few repeats"), (k,)))
    return out


def open_questions(samples: Mapping[str, Sequence[float]], failed: Mapping[str, int] | None = None,
                   factors: Sequence[float] = (1.0,)) -> list[str]:
    """The comparisons of one workload that are still undecided, as text.

    What the recommendation reads: every spec against ``sync`` (when
    measured), and the fastest spec against every other, at each of
    *factors*; and every median known to within ±:data:`PRECISION`.  Specs
    with failed repeats are left out (they stay undecided whatever more
    rounds would show).  What the claims read is added by
    :func:`reports.rules.questions.still_open`.

    >>> open_questions({"sync": [1.0] * 5, "threads-2": [0.5, 0.51, 0.5, 0.49, 0.52]})
    []
    >>> open_questions({"sync": [1.0] * 3, "threads-2": [0.5] * 3})[0]
    'threads-2 vs sync'
    >>> open_questions({"sync": [0.8, 1.0, 1.2, 0.9, 1.1], "threads-2": [0.5, 0.51, 0.5, 0.49, 0.52]})
    ['sync median ±20%']
    """
    return [o.text for o in pending(samples, failed, factors)]


def median_interval_width(times: Sequence[float], confidence: float = CONFIDENCE) -> float | None:
    """Width of the distribution-free interval of the median, relative to the median (None below 5 values).

    The interval is [x_(k), x_(n-k+1)] of the sorted times, with k the largest
    order such that a Binomial(n, 1/2) falls below k with probability at most
    (1 - confidence) / 2.

    >>> round(median_interval_width([1.0, 1.01, 0.99, 1.02, 0.98, 1.0]), 3)
    0.04
    >>> median_interval_width([1.0] * 4) is None
    True
    """
    from scipy.stats import binom

    t = np.sort(np.asarray([x for x in times if is_number(x)], dtype=float))
    n = t.size
    k = int(binom.ppf((1 - confidence) / 2, n, 0.5))  # P(X <= k - 1) <= alpha/2 for this k (0-based below)
    while k > 0 and binom.cdf(k - 1, n, 0.5) > (1 - confidence) / 2:
        k -= 1
    if k < 1 and n >= 5:
        k = 1  # five values: the full range covers the median with 94 %, the best there is
    if k < 1:
        return None
    med = float(np.median(t))
    return float((t[n - k] - t[k - 1]) / med) if med > 0 else None
