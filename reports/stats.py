"""Statistics over stored repeats: the one comparison and its sequential design (what is still open:
:mod:`reports.stopping`).

The comparison (:func:`compare`) is the only way this suite says that one
sample of wall times is faster than another.  It reports ``time(B) / time(A)``
("A is this many times faster than B"), an interval, and an outcome that
answers the question asked:

*Paired* wherever both sides ran in the same round (rows carry ``keys``,
``"session:group:round"``, beside their ``times``; twins that share rounds
pair too): the per-round log ratios ``log b - log a`` are one sample; the
estimate is their mean (trimmed by 10 % a side from 10 pairs on, see
:func:`paired_t`) and the interval Student's t on them (Yuen's, when
trimmed) — the analysis of a paired design on the log scale: drift that falls on both sides of a
round cancels.  Not the signed-rank test: on five pairs its smallest two-sided p is 1/16, so it would
hold every comparison to eight or more rounds; the t interval's error rates under this machine's
noise are checked by simulating the real loop (:mod:`runners.selfcheck`).  *Unpaired* only where there is no
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
from bisect import insort
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from reports.fmt import is_number
from reports.intervals import CONFIDENCE, MIN_REPEATS, Looks, hodges_lehmann, median, paired_t, paired_t_sorted

__all__ = ["MIN_REPEATS", "MARGIN", "PRECISION", "CONFIDENCE", "UNSTABLE_SPREAD", "MIN_TIME_S", "Comparison",
           "compare", "memo", "times_of"]

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


class _Side:
    """One side of a comparison, read once: its ok times, their round keys (None: unpaired), why it cannot
    decide ('' when it can), its stored looks, whether it is a drawn rerun (:mod:`reports.resample`) and
    whether every time is positive; when asked, the log of its times and where each round is."""

    __slots__ = ("times", "keys", "why", "looks", "rerun", "positive", "_design", "_logs", "_rounds")

    def __init__(self, x: Any):
        self.keys: list[Any] | None = None
        self.why, self.looks, self.rerun = "", None, isinstance(x, Mapping) and bool(x.get("rerun"))
        self._design: Looks | None = None
        self._logs: list[float] | None = None
        self._rounds: tuple[dict[Any, int], list[Any]] | None = None
        if isinstance(x, (Mapping, pd.Series)):
            raw = x.get("times")
            raw = list(raw) if raw is not None else []
            keys = x.get("keys")
            keys = list(keys) if keys is not None and len(keys) == len(raw) else None
            ok = [i for i, t in enumerate(raw) if is_number(t)]
            self.times = [float(raw[i]) for i in ok]
            self.keys = [keys[i] for i in ok] if keys is not None else None
            self.looks = x.get("looks")
            self.why = _why(x)
        else:
            self.times = times_of(x)
        self.positive = not self.times or min(self.times) > 0

    @property
    def design(self) -> Looks | None:
        """The side's sequential design (:meth:`Looks.of` its stored looks)."""
        if self._design is None and self.looks is not None:
            self._design = Looks.of(self.looks)
        return self._design

    @property
    def logs(self) -> list[float]:
        """The log of every ok time (NumPy's, as the intervals have always been computed)."""
        if self._logs is None:
            self._logs = np.log(np.asarray(self.times)).tolist()
        return self._logs

    @property
    def rounds(self) -> tuple[dict[Any, int], list[Any]]:
        """Where the first repeat of each round is among the times (keys None or '' are no round), and the
        rounds in round order (by their keys as text, ties in the order run)."""
        if self._rounds is None:
            at: dict[Any, int] = {}
            for i, k in enumerate(self.keys or []):
                if k is not None and str(k) != "" and k not in at:
                    at[k] = i
            self._rounds = at, sorted(at, key=str)
        return self._rounds


def _why(x: Mapping[str, Any] | pd.Series) -> str:
    """Why the row *x* cannot decide anything ('' when it can)."""
    if x.get("missing"):
        return str(x.get("missing"))
    failed = int(x.get("n_failed") or 0)
    if failed:
        return f"{failed} failed or mismatched repeat(s)"
    if x.get("check_ok") is False:
        return "its result disagreed with the sync reference"
    if bool(x.get("unstable")) and x.get("unstable_reason"):
        return f"unstable: {x.get('unstable_reason')}"
    return ""


def _pairs(a: _Side, b: _Side) -> tuple[list[int], list[int]]:
    """Where the rounds both sides ran in are among the times of A and of B, in round order."""
    if a.keys is None or b.keys is None:
        return [], []
    at_a, (at_b, order_b) = a.rounds[0], b.rounds
    common = [k for k in order_b if k in at_a]
    return [at_a[k] for k in common], [at_b[k] for k in common]


class _Memo:
    """What :func:`compare` remembers inside :func:`memo`: each side it read and each answer it gave, by the
    identity of the objects compared (held here, so that no other object takes their id meanwhile)."""

    __slots__ = ("sides", "answers")

    def __init__(self) -> None:
        self.sides: dict[int, tuple[Any, _Side]] = {}
        self.answers: dict[tuple[Any, ...], tuple[Any, Any, Any, Comparison]] = {}

    def side(self, x: Any) -> _Side:
        hit = self.sides.get(id(x))
        if hit is None:
            hit = self.sides[id(x)] = (x, _Side(x))
        return hit[1]


_MEMO: ContextVar[_Memo | None] = ContextVar("reports.stats.memo", default=None)


@contextmanager
def memo() -> Iterator[None]:
    """Inside the block, :func:`compare` reads each row once and answers a question asked again from memory.

    For many comparisons of rows that do not change meanwhile: every claim and every recommendation
    evaluated on one rerun (:func:`reports.resample.agreements`) compares the same drawn rows again and
    again (at other bars, for other claims).  Rows are known by identity, so nothing compared may change
    inside the block.  A block inside another starts afresh.

    >>> row = {"times": [1.0] * 6, "n_failed": 1}
    >>> with memo():
    ...     compare(row, [2.0] * 6) is compare(row, [2.0] * 6), compare(row, row) is compare(row, row)
    (False, True)
    """
    token = _MEMO.set(_Memo())
    try:
        yield
    finally:
        _MEMO.reset(token)


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
    rule that passes or fails on any one of several.  Inside a :func:`memo`
    block a question asked again of the same objects is answered from memory.

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
    m = _MEMO.get()
    if m is None:
        return _compare(_Side(a), _Side(b), factor, margin, min_n, names, confidence, looks, paired, family)
    # The answer keeps the question's numbers as given (1 and 1.0 print apart): their types are in the key too.
    key = (id(a), id(b), id(looks), tuple(names), bool(paired),
           *((type(v), v) for v in (factor, margin, min_n, confidence, family)))
    hit = m.answers.get(key)
    if hit is None:
        c = _compare(m.side(a), m.side(b), factor, margin, min_n, names, confidence, looks, paired, family)
        hit = m.answers[key] = (a, b, looks, c)
    return hit[3]


def _compare(sa: _Side, sb: _Side, factor: float, margin: float | None, min_n: int, names: tuple[str, str],
             confidence: float | None, looks: Any, paired: bool, family: int) -> Comparison:
    """:func:`compare` of two sides read by :class:`_Side`."""
    ta, tb = sa.times, sb.times
    lk = Looks.of(looks) if looks is not None else (sa.design if sa.looks is not None else sb.design)
    bad = [f"{nm}: {w}" for nm, w in zip(names, (sa.why, sb.why)) if w]
    if not (sa.positive and sb.positive):
        bad.append("non-positive times")
    ia, ib = _pairs(sa, sb) if paired else ([], [])
    use_pairs = len(ia) >= min_n
    if use_pairs:
        few = []
    else:
        few = [f"{nm} has {len(t)} ok repeat(s), needs {min_n}" for nm, t in zip(names, (ta, tb)) if len(t) < min_n]
    n = len(ia) if use_pairs else min(len(ta), len(tb))
    if looks is None and sa.looks is not None and sb.looks is not None and sa.design != sb.design:
        # two workloads, each with a design of its own (runners.rounds.design): the stricter at this look
        lk = max((sa.design, sb.design), key=lambda d: d.confidence(n))
    conf = confidence if confidence is not None else (lk.confidence(n) if lk is not None else CONFIDENCE)
    if family > 1 and conf > 0:
        conf = 1 - (1 - conf) / family
    if bad or few or not ta or not tb:
        est = (median(tb) / median(ta)) if ta and tb and sa.positive and sb.positive else None
        return Comparison("undecided", est, None, None, factor, margin, len(ta), len(tb), "; ".join(bad + few),
                          "", len(ia) if use_pairs else 0, conf)
    if use_pairs:
        method = "paired"
        la, lb, lf = sa.logs, sb.logs, math.log(factor)
        d = [lb[j] - la[i] - lf for i, j in zip(ia, ib)]  # log b - log a - log factor, pair by pair
        first = None
        if lk is not None and confidence is None and (sa.rerun or sb.rerun):
            # A rerun drawn by reports.resample is read as the adaptive loop would read it: the first look
            # at which the comparison decides is where that rerun would have stopped.
            first = _first_look(d, lk, max(lk.first, min_n), family, margin)
        if first is None:
            est, lo, hi = paired_t(d, conf)
        else:
            est, lo, hi, n, conf = first
    else:
        method = "unpaired"
        est, lo, hi = hodges_lehmann(np.asarray(sa.logs) + math.log(factor), np.asarray(sb.logs), conf)
    ratio = factor * math.exp(est)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return Comparison("undecided", ratio, None, None, factor, margin, len(ta), len(tb),
                          f"{n} {'pairs' if use_pairs else 'repeats'} cannot reach a {_level(conf)} interval",
                          method, n if use_pairs else 0, conf)
    rlo, rhi = factor * math.exp(lo), factor * math.exp(hi)
    out = _outcome(lo, hi, margin)
    return Comparison(out, ratio, rlo, rhi, factor, margin, len(ta), len(tb), _because(out, factor, margin, rlo, rhi),
                      method, n if use_pairs else 0, conf)


def _because(out: str, factor: float, margin: float | None, rlo: float, rhi: float) -> str:
    """The reason of a decided comparison's outcome *out*, or of why the interval *rlo*..*rhi* left it open."""
    if out in ("above", "below"):
        return f"interval {out} {factor:g}×"
    band = f"±{(margin or MARGIN) - 1:.0%} of {factor:g}×"
    if out == "equivalent":
        return f"interval within {band}"
    if out == "not equivalent":
        return f"interval outside {band}"
    span = f"interval {rlo:.3g}–{rhi:.3g}"
    return f"{span} neither within nor outside {band}" if margin is not None else f"{span} spans {factor:g}×"


def _first_look(d: list[float], lk: Looks, start: int, family: int,
                margin: float | None) -> tuple[float, float, float, int, float] | None:
    """The first look, from *start* pairs on and before the last of *d*, at which the paired interval of the
    pairs seen so far decides: ``(estimate, lo, hi, pairs, level)``; None when none does.  The pairs seen are
    kept sorted as the look moves on (one insertion a look, not a sort)."""
    seen = sorted(d[:start])
    for k in range(start, len(d)):
        ck = lk.confidence(k)
        ck = 1 - (1 - ck) / family if family > 1 else ck
        e, lo, hi = paired_t_sorted(seen, ck)
        if math.isfinite(lo) and _outcome(lo, hi, margin) in DECIDED:
            return e, lo, hi, k, ck
        insort(seen, d[k])
    return None


DECIDED = ("above", "below", "equivalent", "not equivalent")


def _outcome(lo: float, hi: float, margin: float | None) -> str:
    """The outcome of a log-scale interval [lo, hi] of ``log(b / (factor * a))`` (see :func:`compare`)."""
    if margin is not None:
        m = math.log(margin)
        if lo >= -m and hi <= m:
            return "equivalent"
        return "not equivalent" if lo > m or hi < -m else "undecided"
    return "above" if lo > 0 else ("below" if hi < 0 else "undecided")
