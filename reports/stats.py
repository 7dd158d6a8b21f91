"""Statistics over stored repeats: the one comparison, its sequential design, what is still open.

The comparison (:func:`compare`) is the only way this suite says that one
sample of wall times is faster than another.  It reports ``time(B) / time(A)``
("A is this many times faster than B"), an interval, and an outcome that
answers the question asked:

*Paired* wherever both sides ran in the same round (rows carry ``keys``,
``"session:group:round"``, beside their ``times``; twins that share rounds
pair too): the per-round log ratios ``log b - log a`` are one sample; the
estimate is their mean (trimmed by 10 % a side from 10 pairs on, see
:func:`paired_t`) and the interval Student's t on them (Yuen's, when
trimmed) — the analysis of a paired design on the log scale.  Drift that falls on both sides of a round cancels.  Why t and not the
signed-rank test: no distribution-free paired test can reach 95 % on five
pairs (the smallest two-sided p of the signed-rank test on 5 pairs is 1/16),
let alone the stricter level of a sequential look, so it would hold every
comparison to eight or more rounds; the t interval decides a large effect on
five, and its error rates under this machine's noise (skewed outliers
included) are checked by simulating the real loop (:mod:`runners.selfcheck`).  *Unpaired* only where there is no
pairing (plain lists of times, rows of different runs or of workloads that did
not share rounds): the Hodges–Lehmann shift of the two samples with the exact
Mann–Whitney interval.  ``method`` says which was used.

The outcome against a *factor* (a bar) is ``above`` (the whole interval above
it: A more than *factor* times faster), ``below`` (the whole interval below
it) or ``undecided``.  Equivalence is a separate question, asked by passing a
*margin*: ``equivalent`` (the interval within ``factor / margin .. factor *
margin``), ``not equivalent`` (the interval wholly outside that band) or
``undecided``.  Too few repeats, a failed or mismatched repeat, or an
unstable row is always ``undecided``, with the reason.

The confidence of the interval follows the run's :class:`Looks`: the adaptive
rounds look at a comparison after every round and stop when it is decided, so
the level per look is set by a Pocock-type boundary over the planned looks
(``first`` .. ``last`` pairs) that holds the error of the whole sequence of
looks at ``alpha`` (5 % two-sided, 2.5 % a side), with a share of alpha kept
for looks past ``last`` (a resumed run).  Without looks (controls, a fixed
number of repeats) the interval is the fixed-n 95 % one.

>>> c = compare([1.0, 1.02, 0.99, 1.01, 1.0], [2.0, 2.1, 2.05, 1.98, 2.02])
>>> c.outcome, round(c.ratio, 2), c.method
('above', 2.02, 'unpaired')
>>> compare([1.0, 1.1], [2.0, 2.1]).outcome
'undecided'
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd

from reports.fmt import is_number
from reports.intervals import CONFIDENCE, MIN_REPEATS, Looks, hodges_lehmann, median_interval_width, paired_t

__all__ = [
    "MIN_REPEATS",
    "MARGIN",
    "PRECISION",
    "CONFIDENCE",
    "UNSTABLE_SPREAD",
    "MIN_TIME_S",
    "Comparison",
    "compare",
    "Open",
    "pending",
    "times_of",
]

MARGIN = 1.10  # equivalence where a rule asks it without its own band: within x/1.1 .. x*1.1
PRECISION = 0.10  # the adaptive rounds want each median known to within ±10 % (when the cap allows)
UNSTABLE_SPREAD = 1.0  # a row whose IQR exceeds its median is erratic (bimodal, disturbed): not compared
MIN_TIME_S = 1e-3  # ... or whose median is under 1 ms (timer and call overhead)

OUTCOMES = ("above", "below", "equivalent", "not equivalent", "undecided")


class Comparison(NamedTuple):
    """The answer of :func:`compare`: how many times faster A is than B, and how sure.

    ``ratio``, ``lo``, ``hi`` are the estimate and interval of
    ``time(B) / time(A)`` (lo/hi None when undecided for want of data);
    ``confidence`` is the interval's level, ``method`` ``paired`` or
    ``unpaired``, ``pairs`` the rounds both sides ran in.
    """

    outcome: str
    ratio: float | None
    lo: float | None
    hi: float | None
    factor: float
    margin: float | None
    n_a: int
    n_b: int
    reason: str
    method: str = ""
    pairs: int = 0
    confidence: float = CONFIDENCE

    def as_dict(self) -> dict[str, Any]:
        r = lambda x: None if x is None or not math.isfinite(x) else round(float(x), 4)  # noqa: E731
        return {"outcome": self.outcome, "ratio": r(self.ratio), "lo": r(self.lo), "hi": r(self.hi),
                "factor": self.factor, "n": [self.n_a, self.n_b], "reason": self.reason, "method": self.method,
                "pairs": self.pairs, "confidence": round(self.confidence, 4)}

    @property
    def ci(self) -> str:
        """The interval with its level: ``99 % CI 1.5–1.6``."""
        return f"{_level(self.confidence)} CI {_g(self.lo)}–{_g(self.hi)}"

    def words(self, a: str = "A", b: str = "B") -> str:
        """The comparison as a sentence whose wording follows the outcome.

        >>> compare([1.0] * 5, [1.5, 1.6, 1.55, 1.52, 1.58]).words("threads-2", "sync")
        'threads-2 1.55× faster than sync (95 % CI 1.5–1.6)'
        >>> compare([1.0] * 5, [1.0, 1.02, 1.01, 0.99, 1.0], margin=1.1).words()
        'A and B equivalent: B/A 1× (95 % CI 0.99–1.02, within ±10% of 1×)'
        """
        if self.ratio is None or self.lo is None:
            est = "" if self.ratio is None else f" (B/A {_g(self.ratio)}× so far)"
            return f"{a} vs {b}: undecided{est} ({self.reason})"
        if self.outcome in ("equivalent", "not equivalent"):
            band = f"within ±{(self.margin or MARGIN) - 1:.0%} of {_g(self.factor)}×"
            word = "equivalent" if self.outcome == "equivalent" else "not equivalent"
            return f"{a} and {b} {word}: B/A {_g(self.ratio)}× ({self.ci}, {'' if word == 'equivalent' else 'not '}{band})"
        if self.outcome == "undecided":
            return f"{a} vs {b}: {_g(self.ratio)}× ({self.ci}), undecided against {_g(self.factor)}×"
        if self.factor == 1.0:
            if self.outcome == "above":
                return f"{a} {_g(self.ratio)}× faster than {b} ({self.ci})"
            return (f"{a} {_g(1 / self.ratio)}× slower than {b} "
                    f"({_level(self.confidence)} CI {_g(1 / self.hi)}–{_g(1 / self.lo)})")
        return f"{a} vs {b}: {_g(self.ratio)}× ({self.ci}), {self.outcome} {_g(self.factor)}×"


def _level(conf: float) -> str:
    """'95 %', '98.6 %'."""
    p = conf * 100
    return f"{p:.0f} %" if abs(p - round(p)) < 0.05 else f"{p:.1f} %"


def _g(x: float | None) -> str:
    """Three significant digits, never in exponent notation ('2050', not '2.05e+03')."""
    if x is None:
        return "?"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:.0f}"


def times_of(x: Any) -> list[float]:
    """The ok times of a side (a row, a sample mapping or a list)."""
    if isinstance(x, (Mapping, pd.Series)):
        t = x.get("times")
        return [float(v) for v in (t if t is not None else []) if is_number(v)]
    return [float(v) for v in x if is_number(v)]


def _side(x: Any) -> tuple[list[float], list[Any] | None, str, Any]:
    """Times, their round keys (None: unpaired), why the side cannot decide ('' when it can), its looks."""
    if isinstance(x, (Mapping, pd.Series)):
        raw = x.get("times")
        raw = list(raw) if raw is not None else []
        keys = x.get("keys")
        keys = list(keys) if keys is not None and len(keys) == len(raw) else None
        ok = [i for i, t in enumerate(raw) if is_number(t)]
        times = [float(raw[i]) for i in ok]
        keys = [keys[i] for i in ok] if keys is not None else None
        looks = x.get("looks")
        if x.get("missing"):
            return times, keys, str(x.get("missing")), looks
        failed = int(x.get("n_failed") or 0)
        if failed:
            return times, keys, f"{failed} failed or mismatched repeat(s)", looks
        if x.get("check_ok") is False:
            return times, keys, "its result disagreed with the sync reference", looks
        if bool(x.get("unstable")) and x.get("unstable_reason"):
            return times, keys, f"unstable: {x.get('unstable_reason')}", looks
        return times, keys, "", looks
    return times_of(x), None, "", None


def _pairs(ta: list[float], ka: list[Any] | None, tb: list[float], kb: list[Any] | None) -> tuple[list[float], list[float]]:
    """The times of the rounds both sides ran in, in round order."""
    if ka is None or kb is None:
        return [], []
    da = {}
    for k, t in zip(ka, ta):
        if k is not None and str(k) != "" and k not in da:
            da[k] = t
    db = {}
    for k, t in zip(kb, tb):
        if k in da and k not in db:
            db[k] = t
    common = sorted(db, key=str)
    return [da[k] for k in common], [db[k] for k in common]


def compare(a: Any, b: Any, factor: float = 1.0, margin: float | None = None, min_n: int = MIN_REPEATS,
            names: tuple[str, str] = ("A", "B"), confidence: float | None = None, looks: Any = None,
            paired: bool = True, family: int = 1) -> Comparison:
    """Is *a* faster than *b* by more than *factor* (or, with *margin*, equivalent to it)?  See the module
    docstring.

    *a* and *b* are sequences of wall times, or rows (mappings with ``times``
    and optionally ``keys``, ``looks``, ``n_failed``, ``check_ok``,
    ``unstable``, ``unstable_reason``, ``missing``) whose failures make the
    comparison undecided.  *confidence* fixes the level; otherwise the rows'
    (or *looks*') sequential design sets it, else 95 %.  *family* > 1
    divides the error rate among that many comparisons (Bonferroni): for a
    rule that passes or fails on any one of several.

    >>> compare([1.0] * 5, [1.02, 1.01, 1.03, 1.0, 1.02], margin=1.1).outcome
    'equivalent'
    >>> row = {"times": [1.0] * 6, "n_failed": 1}
    >>> compare(row, [2.0] * 6).reason
    'A: 1 failed or mismatched repeat(s)'
    >>> ra = {"times": [1.0, 1.3, 0.8, 1.1, 0.9, 1.2, 1.0], "keys": list(range(7))}
    >>> rb = {"times": [t * 1.1 for t in ra["times"]], "keys": list(range(7))}
    >>> c = compare(ra, rb); c.method, c.outcome, round(c.lo, 3)
    ('paired', 'above', 1.1)
    """
    ta, ka, why_a, la = _side(a)
    tb, kb, why_b, lb = _side(b)
    lk = Looks.of(looks if looks is not None else (la if la is not None else lb))
    bad = [f"{nm}: {w}" for nm, w in zip(names, (why_a, why_b)) if w]
    if any(t <= 0 for t in ta + tb):
        bad.append("non-positive times")
    pa, pb = _pairs(ta, ka, tb, kb) if paired else ([], [])
    use_pairs = len(pa) >= min_n
    if use_pairs:
        few = []
    else:
        few = [f"{nm} has {len(t)} ok repeat(s), needs {min_n}" for nm, t in zip(names, (ta, tb)) if len(t) < min_n]
    n = len(pa) if use_pairs else min(len(ta), len(tb))
    conf = confidence if confidence is not None else (lk.confidence(n) if lk is not None else CONFIDENCE)
    if family > 1 and conf > 0:
        conf = 1 - (1 - conf) / family
    if bad or few or not ta or not tb:
        est = (float(np.median(tb)) / float(np.median(ta))) if ta and tb and min(ta + tb) > 0 else None
        return Comparison("undecided", est, None, None, factor, margin, len(ta), len(tb), "; ".join(bad + few),
                          "", len(pa) if use_pairs else 0, conf)
    if use_pairs:
        method = "paired"
        d = np.log(np.asarray(pb)) - np.log(np.asarray(pa)) - math.log(factor)
        if lk is not None and confidence is None and _is_rerun(a, b):
            # A rerun drawn by reports.resample is read as the adaptive loop would read it: the first look
            # at which the comparison decides is where that rerun would have stopped.
            for k in range(max(lk.first, min_n), n):
                ck = lk.confidence(k)
                ck = 1 - (1 - ck) / family if family > 1 else ck
                e, lo_k, hi_k = paired_t(d[:k], ck)
                if math.isfinite(lo_k) and _outcome(lo_k, hi_k, margin) in DECIDED:
                    d, n, conf = d[:k], k, ck
                    break
        est, lo, hi = paired_t(d, conf)
    else:
        method = "unpaired"
        est, lo, hi = hodges_lehmann(np.log(np.asarray(ta)) + math.log(factor), np.log(np.asarray(tb)), conf)
    ratio = factor * math.exp(est)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return Comparison("undecided", ratio, None, None, factor, margin, len(ta), len(tb),
                          f"{n} {'pairs' if use_pairs else 'repeats'} cannot reach a {_level(conf)} interval",
                          method, n if use_pairs else 0, conf)
    rlo, rhi = factor * math.exp(lo), factor * math.exp(hi)
    span = f"interval {rlo:.3g}–{rhi:.3g}"
    out = _outcome(lo, hi, margin)
    band = f"±{(margin or MARGIN) - 1:.0%} of {factor:g}×"
    why = {"equivalent": f"interval within {band}", "not equivalent": f"interval outside {band}",
           "above": f"interval above {factor:g}×", "below": f"interval below {factor:g}×"}.get(
        out, f"{span} neither within nor outside {band}" if margin is not None else f"{span} spans {factor:g}×")
    return Comparison(out, ratio, rlo, rhi, factor, margin, len(ta), len(tb), why, method, n if use_pairs else 0,
                      conf)


DECIDED = ("above", "below", "equivalent", "not equivalent")


def _outcome(lo: float, hi: float, margin: float | None) -> str:
    """The outcome of a log-scale interval [lo, hi] of ``log(b / (factor * a))`` (see :func:`compare`)."""
    if margin is not None:
        m = math.log(margin)
        if lo >= -m and hi <= m:
            return "equivalent"
        return "not equivalent" if lo > m or hi < -m else "undecided"
    return "above" if lo > 0 else ("below" if hi < 0 else "undecided")


def _is_rerun(a: Any, b: Any) -> bool:
    return any(isinstance(x, Mapping) and bool(x.get("rerun")) for x in (a, b))


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
