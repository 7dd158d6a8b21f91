"""The intervals behind :func:`reports.stats.compare`, and the sequential design that sets their level.

* :class:`Looks`: the adaptive rounds' group-sequential boundary (the level of each look).
* :func:`paired_t`: the paired interval (trimmed mean of per-round log ratios, Yuen–Student);
  :func:`paired_t_sorted` the same of values already sorted.
* :func:`hodges_lehmann`: the unpaired interval (Hodges–Lehmann shift, exact Mann–Whitney).
* :func:`median_interval_width`: how well a median is known (the rounds' precision questions);
  :func:`median` the median of a few values, as NumPy gives it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping, Sequence

import numpy as np

from reports.fmt import is_number
from runners.records.schema import SHAPE

__all__ = ["CONFIDENCE", "MIN_REPEATS", "Looks", "SHAPE", "OLD_SHAPE", "TRIM", "paired_t", "paired_t_sorted",
           "hodges_lehmann", "median", "median_interval_width"]

MIN_REPEATS = 5  # ok repeats (or pairs) a side needs before it can decide anything
CONFIDENCE = 0.95
# SHAPE: the boundary c_n = C * (last / n) ** shape (see Looks); a recorded design's, so the record schema's
OLD_SHAPE = 0.25  # the shape of every design stored before it was recorded


@dataclass(frozen=True)
class Looks:
    """The sequential design of the adaptive rounds: a look after every round, ``first`` .. ``last`` pairs.

    :meth:`confidence` is the level of the interval a comparison decided on
    *n* pairs gets.  For ``first <= n <= last`` it is set by a group-sequential
    boundary on the standardised statistic, ``c_n = C * (last / n) ** shape``,
    with C chosen so that a Gaussian random walk crosses it at any of those
    looks with probability ``alpha * (1 - tail)``; past ``last`` each further
    look spends ``alpha * tail / (j (j + 1))`` (j = n - last), which sums to
    the rest.  Whatever the stopping rule, the chance that any look's interval
    misses the true ratio stays at most ``alpha``: an always-valid guarantee
    over the looks, paid for by a wider interval per look than a fixed n would
    give (see :mod:`runners.selfcheck` for the real loop's error rates).

    *shape* (:data:`SHAPE`) places the spending: 0 is Pocock's flat boundary
    (the same level at every look), 0.5 O'Brien–Fleming's (strict early, close
    to the fixed-n level at the cap).  0.25 is kept after trying the others
    on the real loop (``python -m runners.selfcheck``, 2026-12-07): the power
    for a true ratio 10 % beyond a bar was 53.7 % at 0.25 (4 000 draws), 49.9 %
    at 0.1 (2 000) and 46.3 % flat (4 000; A/A 3.25 %), because near a bar the
    short workloads decide late, where a flat boundary is strict (99.0 % at 25
    pairs against 97.7 %).  The long ones stop early on their time caps (of a
    quick run's rows 82 % within 11 pairs), where flat would be kinder (99.0 %
    at 6 pairs against 99.88 %): a design per workload, its last look the
    rounds its caps allow, would serve both.

    >>> lk = Looks(5, 25)
    >>> [round(lk.confidence(n), 3) for n in (5, 10, 25)]
    [0.999, 0.996, 0.977]
    >>> [round(Looks(5, 25, shape=0.0).confidence(n), 3) for n in (5, 10, 25)]
    [0.99, 0.99, 0.99]
    >>> lk.confidence(26) > lk.confidence(25), lk.confidence(4)
    (True, 0.0)
    """

    first: int = MIN_REPEATS
    last: int = 20
    alpha: float = 1 - CONFIDENCE
    tail: float = 0.02
    shape: float = SHAPE

    def confidence(self, n: int) -> float:
        return _confidence(self, n)

    def as_dict(self) -> dict[str, Any]:
        return {"first": self.first, "last": self.last, "alpha": self.alpha, "tail": self.tail, "shape": self.shape,
                "per_look_confidence": round(self.confidence(self.first), 5)}

    @classmethod
    def of(cls, x: Any) -> "Looks | None":
        """Looks from a stored dict or ``[first, last]`` (None: fixed n); a dict stored before the design said its
        shape (2026-12-07) had :data:`OLD_SHAPE`."""
        if isinstance(x, Looks) or x is None:
            return x
        if isinstance(x, Mapping):
            return cls(int(x["first"]), int(x["last"]), float(x.get("alpha", 0.05)), float(x.get("tail", 0.02)),
                       float(x.get("shape", OLD_SHAPE)))
        first, last = x
        return cls(int(first), int(last))


@lru_cache(maxsize=4096)
def _confidence(lk: Looks, n: int) -> float:
    """:meth:`Looks.confidence`, worked out once per design and look (a comparison asks it at every look of every
    rerun)."""
    if n < lk.first:
        return 0.0
    if n <= lk.last:
        last = max(lk.last, lk.first)
        c = _boundary(lk.first, last, lk.alpha * (1 - lk.tail), lk.shape)
        return 1 - 2 * _norm_sf(c * (last / n) ** lk.shape)
    j = n - lk.last
    return 1 - lk.alpha * lk.tail / (j * (j + 1))


def _norm_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2))


@lru_cache(maxsize=64)
def _boundary(first: int, last: int, alpha: float, shape: float) -> float:
    """The constant C of the boundary ``C * (last / n) ** shape`` crossed with probability *alpha* under the null."""
    rng = np.random.default_rng(20261205)
    walk = np.cumsum(rng.standard_normal((100_000, last)), axis=1)[:, first - 1:]
    ns = np.arange(first, last + 1)
    z = np.abs(walk) / np.sqrt(ns) / (last / ns) ** shape
    return float(np.quantile(z.max(axis=1), 1 - alpha))


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


def _k_from(counts: np.ndarray, alpha: float) -> int:
    """Largest k with P(stat <= k - 1) <= alpha/2 (0: no interval reaches the level)."""
    cdf = np.cumsum(counts) / counts.sum()
    return int(np.searchsorted(cdf, alpha / 2 * (1 + 1e-12), side="right"))


def _critical(n: int, m: int, confidence: float = CONFIDENCE) -> int:
    """k such that [D_(k), D_(nm-k+1)] (1-based) of the sorted pairwise differences covers >= *confidence*.

    >>> _critical(5, 5), _critical(3, 3)
    (3, 0)
    """
    alpha = 1 - confidence
    if n * m <= 3600:
        return _k_from(_u_counts(n, m), alpha)
    from scipy.stats import norm

    mu, sd = n * m / 2, math.sqrt(n * m * (n + m + 1) / 12)
    return max(0, int(math.floor(mu - norm.isf(alpha / 2) * sd)))


@lru_cache(maxsize=4096)
def _t_quantile(df: int, confidence: float) -> float:
    """The t quantile of a two-sided *confidence* interval on *df* degrees of freedom.

    The very float ``scipy.stats.t.isf((1 - confidence) / 2, df)`` gives (inside its checks that is
    ``-stdtrit(df, q) * 1 + 0``), from :mod:`scipy.special` alone: importing :mod:`scipy.stats` would add
    about a second to every report build.

    >>> round(_t_quantile(4, 0.95), 4), _t_quantile(4, 1.0), _t_quantile(4, 0.0)
    (2.7764, inf, 0.0)
    """
    from scipy.special import stdtrit

    q = (1 - confidence) / 2
    if q == 0:
        return math.inf
    if not 0 < q < 1:
        return -math.inf if q == 1 else math.nan
    return float(-stdtrit(df, q)) + 0.0  # + 0.0 as t.isf's "* scale + loc" leaves it: 0.0, not -0.0


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


TRIM = 0.10  # the paired comparison trims this share of the log ratios from each end (none below 10 pairs)


def paired_t(d: Sequence[float], confidence: float = CONFIDENCE, trim: float = TRIM) -> tuple[float, float, float]:
    """Trimmed mean of the per-round log ratios *d* and its Yuen–Student interval (infinite below 2 values).

    With ``g = floor(trim * n)`` values cut from each end: the mean of the
    rest, and t on ``h - 1`` degrees of freedom (h = n - 2g) with the
    winsorised variance (Yuen 1974).  Below 10 pairs nothing is cut: Student's
    paired t.  The trim is what keeps a disturbed round (a repeat that took
    twice as long) from widening every interval it falls in.

    >>> [round(x, 3) for x in paired_t([0.1, 0.2, 0.15, 0.12, 0.18])]
    [0.15, 0.099, 0.201]
    >>> [round(x, 3) for x in paired_t([0.1, 0.11, 0.09, 0.1, 0.12, 0.1, 0.08, 0.1, 0.11, 0.9])]
    [0.104, 0.094, 0.114]
    """
    return paired_t_sorted(sorted(float(v) for v in d), confidence, trim)


def paired_t_sorted(x: list[float], confidence: float = CONFIDENCE, trim: float = TRIM) -> tuple[float, float, float]:
    """:func:`paired_t` of values already sorted (ascending floats): what a scan of the growing prefixes of one
    series of log ratios keeps sorted as it goes (:func:`reports.stats.compare` on a rerun).

    Plain Python: n is small (<= a few dozen), and this runs per look, per comparison, per rerun.

    >>> paired_t_sorted([0.1, 0.12, 0.15, 0.18, 0.2]) == paired_t([0.1, 0.2, 0.15, 0.12, 0.18])
    True
    """
    n = len(x)
    if n < 2:
        return (x[0] if n else math.nan), -math.inf, math.inf
    g = int(math.floor(trim * n))
    h = n - 2 * g
    if h < 2:
        g, h = 0, n
    core = x[g:n - g]
    m = math.fsum(core) / h
    lo_v, hi_v = core[0], core[-1]
    w = [lo_v] * g + core + [hi_v] * g  # winsorised: the cut values set to the nearest kept one
    mw = math.fsum(w) / n
    sw2 = math.fsum([(v - mw) ** 2 for v in w]) / (n - 1)
    se = math.sqrt((n - 1) * sw2 / (h * (h - 1)))
    q = _t_quantile(h - 1, confidence) * se
    return m, m - q, m + q


def median(x: Sequence[float]) -> float:
    """The median of a few numbers, the very float ``np.median`` gives (the middle one, or the mean of the middle
    two), without its overhead: asked of every drawn row of every rerun.

    >>> median([3.0, 1.0, 2.0]), median([4.0, 1.0, 2.0, 3.0])
    (2.0, 2.5)
    """
    s = sorted(x)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


@lru_cache(maxsize=1024)
def _median_k(n: int, confidence: float) -> int:
    """The order k of the distribution-free interval [x_(k), x_(n-k+1)] of the median of *n* values."""
    from scipy.stats import binom

    k = int(binom.ppf((1 - confidence) / 2, n, 0.5))
    while k > 0 and binom.cdf(k - 1, n, 0.5) > (1 - confidence) / 2:
        k -= 1
    if k < 1 and n >= 5:
        k = 1  # five values: the full range covers the median with 94 %, the best there is
    return k


def median_interval_width(times: Sequence[float], confidence: float = CONFIDENCE) -> float | None:
    """Width of the distribution-free interval of the median, relative to the median (None below 5 values).

    >>> round(median_interval_width([1.0, 1.01, 0.99, 1.02, 0.98, 1.0]), 3)
    0.04
    >>> median_interval_width([1.0] * 4) is None
    True
    """
    t = np.sort(np.asarray([x for x in times if is_number(x)], dtype=float))
    n = t.size
    k = _median_k(n, confidence)
    if k < 1:
        return None
    med = float(np.median(t))
    return float((t[n - k] - t[k - 1]) / med) if med > 0 else None
