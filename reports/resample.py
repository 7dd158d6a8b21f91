"""The one resampler: reruns of a run drawn from its own rounds, and the agreement figure read from them.

Every figure that says how likely a verdict or a recommendation is to come
out the same again is read from :func:`rerun` draws, here and nowhere else.

A draw imitates an independent rerun of the same measurements:

* **Whole rounds.**  The rounds of each group of rows measured together (one
  workload, or a twin pair sharing its rounds: the pairing keys
  ``"session:group:round"``) are drawn with replacement, and every row of
  the group takes its time *and* its GIL figure from the drawn round: pairs
  stay pairs, twins stay twins, a GIL figure stays with its time.  Each round
  is drawn from its *stratum*, the rounds with the same rows in them: a row
  that left the rounds early (its questions answered) keeps its count and
  its pairs, as a rerun of the loop would measure it (drawn from all rounds,
  a row in 5 of 7 fell under the 5 repeats a decision needs in ~40 % of the
  draws, and a verdict 1.94x [1.82-2.07] against a bar of 1.4 showed 0.64).
* **Where the truth may lie.**  A bootstrap of one run scatters around *this
  run's* estimate; a rerun scatters around the truth, which is itself only
  known to within this run's error.  Each row of a draw is therefore shifted
  (log scale) by its mean deviation under a second, independent draw of the
  group's rounds, the same draw for every row of the group (so drift shared
  within a round stays shared), scaled by :data:`SHIFT`.  The draws then
  spread about as a rerun does around the estimate (the predictive
  distribution), not half as much.
* **Few rounds.**  A group of few rounds (:data:`SMALL_ROUNDS`) is scaled up
  more (:func:`shift_scale`: a t's spread, not a normal's), and each draw
  takes a spread of its own from what the run's spread after pairing allows,
  adding the part its rounds lack to every value: a verdict the loop decided
  on its first five rounds, because they happened to agree closely, is not
  shown as surely reproduced (see :data:`SMALL_SPREAD`).
* Rows without round keys (older runs, experiments' cells) are drawn repeat
  by repeat, with the same shift.
* **Read as the loop reads.**  A drawn row is marked ``rerun``; a paired
  comparison of drawn rows is decided at the first look (the run's sequential
  design, from its minimum up to the pairs drawn) at which it decides, as
  the adaptive loop of a rerun would have stopped there.

:func:`agreements` gives each answer the share of reruns whose answer equals
it: :data:`LEAST` reruns for every figure, and up to :data:`RERUNS` for
those still within three Monte Carlo errors of the 0.9 cut (with 1 000 draws
the Monte Carlo error at 0.9 is 0.0095; a figure far from the cut is settled
on its side of it sooner).  That
it predicts what a rerun gives is checked by simulating the real loop
(``python -m runners.selfcheck``): verdicts shown at >= 0.9 must be
reproduced by an independent rerun at least 85 % of the time, each decile
within 0.05 of its figure.

>>> import numpy as np
>>> rows = {("w", "a"): {"times": [1.0, 1.1, 0.9, 1.0, 1.05], "keys": ["0:w:0", "0:w:1", "0:w:2", "0:w:3", "0:w:4"],
...                      "gils": [0.1] * 5, "workload": "w", "median_s": 1.0}}
>>> d = draw_rows(rows, {}, np.random.default_rng(0))[0]
>>> len(d[("w", "a")]["times"]), d[("w", "a")]["keys"][0]
(5, 'w#0')
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import replace
from functools import lru_cache
from typing import Any, Callable, Hashable

import numpy as np

from reports import forked
from reports.fmt import is_number
from reports.intervals import median
from reports.stats import memo

__all__ = ["RERUNS", "DEFAULT_RERUNS", "LEAST", "SHIFT", "shift_scale", "prepare", "draw_rows", "rerun", "agreement", "agreements"]

# Scale of the "where the truth may lie" shift.  1 is the flat-prior predictive of a fixed-n design; 1.3 because
# a bootstrap of n rounds under-spreads by (n - 1) / n and a sample the loop stopped on carries the luck that
# stopped it.  Fixed by the calibration simulation (python -m runners.selfcheck: each decile within 0.05).
SHIFT = 1.3


@lru_cache(maxsize=256)
def shift_scale(n: int) -> float:
    """The shift's scale for a group of *n* rounds: :data:`SHIFT`, or more where n is small.

    A rerun's mean log ratio lies about this run's within ``s sqrt(2 / n) t(n - 1)``; a draw spreads by
    a bootstrap mean (variance ``(n - 1) / n * s^2 / n``) plus the shift (``shift^2`` times as much), so
    matching the t's variance needs ``shift^2 = (n + 3) / (n - 3)``: 2.0 at 5 rounds, 1.36 at 10, the
    calibrated :data:`SHIFT` from 11 on.  Without it a verdict decided on the minimum 5 rounds (the long
    workloads, which the time caps stop there) showed a rerun agreement of 0.96 and was reproduced by
    ~55 % of independent reruns (``python -m runners.selfcheck --base-s 0.6``).

    >>> shift_scale(5), round(shift_scale(10), 3), shift_scale(40), shift_scale(2)
    (2.0, 1.363, 1.3, 3.0)
    """
    if n <= 4:
        return 3.0  # too few rounds to decide anything (MIN_REPEATS): a wide shift, never read for a verdict
    return max(SHIFT, math.sqrt((n + 3) / (n - 3)))
# Monte Carlo error of a share near 0.9: sqrt(0.9 * 0.1 / 1000) = 0.0095.  DASK_SUITE_RERUNS lowers it where the
# figure's precision does not matter (the test suite's end-to-end runs).
DEFAULT_RERUNS = 1000
RERUNS = max(20, int(os.environ.get("DASK_SUITE_RERUNS") or DEFAULT_RERUNS))


def _group(key: Any, workload: str) -> str:
    """The group of a pairing key ``"session:group:round"`` (its workload for ``"session:round"`` keys)."""
    parts = str(key).split(":")
    return f"{parts[0]}:{parts[1]}" if len(parts) >= 3 else f"{parts[0]}:{workload}"


@lru_cache(maxsize=1024)
def _tags(label: str, count: int) -> tuple[str, ...]:
    """The keys of a drawn group's rounds: ``label#0`` .. ``label#count-1``."""
    return tuple(f"{label}#{j}" for j in range(count))


class _Row:
    """One row, prepared once for many draws: its times, GIL figures and where each of its group's rounds is
    (``whole``: it ran in every one of them)."""

    __slots__ = ("row", "workload", "times", "logs", "mean", "gils", "group", "label", "pos", "whole", "h", "df")

    def __init__(self, row: dict[str, Any], group: str | None, keys: list[Any], order: dict[Any, int] | None):
        self.row = row
        self.workload = str(row.get("workload"))
        self.times = [float(t) for t in row.get("times") or []]
        times = np.asarray(self.times, float)
        self.logs = np.log(times) if times.size else times
        self.mean = float(self.logs.mean()) if times.size else 0.0
        g = list(row.get("gils") or [])
        self.gils = [g[i] if i < len(g) and is_number(g[i]) else None for i in range(times.size)]
        self.group = group
        self.label = group.split(":", 1)[1] if group is not None else None
        self.pos = None
        self.whole = False
        self.h = 0.0  # the spread left after pairing (log scale) and its degrees of freedom (set by prepare)
        self.df = 0
        if order is not None:  # where this row's repeat of each round of the group is (-1: not in it)
            self.pos = np.full(len(order), -1, dtype=int)
            for i, k in enumerate(keys):
                self.pos[order[k]] = i
            self.whole = bool((self.pos >= 0).all())


def prepare(rows: dict[Hashable, dict[str, Any]]) -> tuple[dict[Hashable, _Row], dict[str, list[Any]],
                                                            dict[str, list[np.ndarray]]]:
    """Rows, the round keys of each group and its strata (the rounds with the same rows in them, as arrays of
    round positions), ready for :func:`draw_rows` (once per run, many draws)."""
    groups: dict[str, list[Any]] = {}
    meta: dict[Hashable, tuple[str | None, list[Any]]] = {}
    for name, r in rows.items():
        n = len(r.get("times") or [])
        keys = list(r.get("keys") or [None] * n)
        g = None
        if n and len(keys) == n and all(k is not None for k in keys) and len(set(keys)) == n:
            g = _group(keys[0], str(r.get("workload")))
            ks = groups.setdefault(g, [])
            seen = set(ks)
            ks += [k for k in keys if k not in seen]
        meta[name] = (g, keys)
    order = {g: {k: i for i, k in enumerate(ks)} for g, ks in groups.items()}
    prep = {name: _Row(rows[name], g, keys, order.get(g) if g else None) for name, (g, keys) in meta.items()}
    strata: dict[str, list[np.ndarray]] = {}
    for g, ks in groups.items():
        members = [p.pos >= 0 for p in prep.values() if p.group == g]
        pattern: dict[tuple, list[int]] = {}
        for i in range(len(ks)):
            pattern.setdefault(tuple(bool(m[i]) for m in members), []).append(i)
        strata[g] = [np.asarray(v, dtype=int) for v in pattern.values()]
    for g, ks in groups.items():
        members = [p for p in prep.values() if p.group == g]
        h, df = _residual_sd(members, len(ks))
        for p in members:
            p.h, p.df = h, df
    return prep, groups, strata


# Small groups: a verdict decided on a few rounds was decided because they happened to agree closely, and a
# bootstrap of those rounds agrees as closely again.  Where a group has at most SMALL_ROUNDS rounds, each draw
# also takes a spread for its rerun from what the run's own spread allows (sigma^2 df / chi^2(df): the spread
# after pairing, with its degrees of freedom), and every drawn value gets the part of it the data lack
# (times SMALL_SPREAD), as noise on the log scale.  Fixed by the calibration simulation at 0.6-s repeats
# (python -m runners.selfcheck --base-s 0.6, 2 000 draws): verdicts shown >= 0.9 were reproduced 87 % of the
# time (51-57 % without); at 0.05-s repeats (the acceptance check's) every decile stays within 0.05.
SMALL_ROUNDS = 9
SMALL_SPREAD = 2.0


def _residual_sd(members: list[_Row], rounds: int) -> tuple[float, int]:
    """The spread of a group's log times about their row and round means (what pairing by round leaves), pooled,
    and its degrees of freedom; a group of one row: about its mean.  (0.0, 0) where there are too few.

    >>> rows = {"a": {"times": [1.0, 2.0, 1.0], "keys": ["0:w:0", "0:w:1", "0:w:2"], "workload": "w"},
    ...         "b": {"times": [2.0, 4.0, 2.0], "keys": ["0:w:0", "0:w:1", "0:w:2"], "workload": "w"}}
    >>> prep, groups, _ = prepare(rows)
    >>> h, df = _residual_sd(list(prep.values()), 3); round(h, 9), df  # b is twice a in every round: nothing left
    (0.0, 2)
    >>> rows["b"]["times"] = [2.0, 4.4, 1.8]
    >>> h, df = _residual_sd(list(prepare(rows)[0].values()), 3); round(h, 3), df
    (0.071, 2)
    """
    m = np.full((len(members), rounds), np.nan)
    for i, p in enumerate(members):
        if p.pos is None:
            continue
        at = p.pos >= 0
        m[i, at] = p.logs[p.pos[at]]
    rows_mean = np.nanmean(m, axis=1, keepdims=True)
    dev = m - rows_mean
    counts = np.sum(~np.isnan(m), axis=0)
    round_mean = np.where(counts > 1, np.nansum(dev, axis=0) / np.maximum(counts, 1), 0.0)
    res = dev - np.where(counts > 1, round_mean, 0.0)[None, :]
    ok = ~np.isnan(res)
    df = ok.sum() - len(members) - int((counts > 1).sum()) + 1
    if len(members) < 2 or df < 2:
        x = dev[ok]
        d = x.size - len(members)
        return (float(np.sqrt((x ** 2).sum() / d)), int(d)) if d >= 2 else (0.0, 0)
    return float(np.sqrt((res[ok] ** 2).sum() / df)), int(df)


def _pick(ks: list[Any], strata: list[np.ndarray], length: int, rng: np.random.Generator) -> np.ndarray:
    """The rounds a rerun of a group draws: each of its rounds replaced by one drawn from its stratum (the
    rounds with the same rows in them), so every row keeps its count and every pair of rows its pairs, in
    the order the loop ran them; then, to *length*, rounds drawn from them all."""
    if len(strata) == 1:
        return rng.integers(len(ks), size=max(len(ks), length))
    pick = np.empty(len(ks), dtype=int)
    for st in strata:
        pick[st] = st[rng.integers(st.size, size=st.size)]
    if length > len(ks):
        pick = np.concatenate([pick, rng.integers(len(ks), size=length - len(ks))])
    return pick


def draw_rows(rows: dict[Hashable, dict[str, Any]], cells: dict[str, list[float]],
              rng: np.random.Generator, lengths: dict[str, int] | None = None, prepared: Any = None,
              only: set[str] | None = None) -> tuple[dict[Hashable, dict[str, Any]], dict[str, list[float]]]:
    """One rerun of *rows* (table rows with ``times``, ``keys``, ``gils``) and *cells* (see the module docstring).

    *lengths* (by group: a twin pair's interleave key, else the workload) sets how many rounds a rerun may
    run where the run itself did not stop at a time cap (a rerun would have gone on to its last look before
    calling a comparison undecided); other groups draw as many rounds as they had.  *prepared*: the result
    of :func:`prepare` for these rows (when drawing many reruns of one run).  *only*: the workloads whose
    rows are drawn (the others are kept as measured: what is left to decide does not read them).
    """
    lengths = lengths or {}
    prep, groups, strata = prepared if prepared is not None else prepare(rows)
    if only is not None:  # only the rows of these workloads are drawn; the rest stay as measured
        prep = {k: p for k, p in prep.items() if p.workload in only}
        drawn = {p.group for p in prep.values()}
        groups = {g: ks for g, ks in groups.items() if g in drawn}
    pick, shift, spread = {}, {}, {}
    n_rounds = {g: len(ks) for g, ks in groups.items()}
    for g, ks in groups.items():
        pick[g] = _pick(ks, strata[g], lengths.get(g.split(":", 1)[-1], 0), rng)
        shift[g] = rng.integers(len(ks), size=len(ks))
    if SMALL_SPREAD:
        for name, p in prep.items():
            if p.group is not None and p.df >= 1 and p.group not in spread and n_rounds[p.group] <= SMALL_ROUNDS:
                spread[p.group] = SMALL_SPREAD * p.h * math.sqrt(max(0.0, p.df / rng.chisquare(p.df) - 1.0))
    out: dict[Hashable, dict[str, Any]] = dict(rows) if only is not None else {}
    for name, p in prep.items():
        n = len(p.times)
        if not n:
            out[name] = p.row
            continue
        if p.group is not None:
            idx, again = p.pos[pick[p.group]], p.pos[shift[p.group]]
            tags = _tags(p.label, idx.size)
            if p.whole:  # in every round drawn: nothing to leave out
                keys: list[Any] = list(tags)
            else:
                slots = np.flatnonzero(idx >= 0)
                idx = idx[slots]
                again = again[again >= 0]
                keys = [tags[j] for j in slots.tolist()]
        else:  # no rounds: repeat by repeat
            idx = rng.integers(n, size=n)
            again = rng.integers(n, size=n)
            keys = [None] * n
        if not idx.size:
            out[name] = p.row
            continue
        # The mean as ndarray.mean() takes it (NumPy's sum over the count), without its overhead.
        f = (math.exp(shift_scale(n_rounds.get(p.group, n)) * (float(np.add.reduce(p.logs[again])) / again.size - p.mean))
             if again.size else 1.0)
        at = idx.tolist()
        h = spread.get(p.group, 0.0) if p.group is not None else 0.0
        if h:
            z = rng.standard_normal(len(at)).tolist()
            t = [p.times[i] * f * math.exp(h * zz) for i, zz in zip(at, z)]
        else:
            t = [p.times[i] * f for i in at]  # Python's float product: NumPy's, without an array for a few values
        gl = [p.gils[i] for i in at]
        known = [x for x in gl if x is not None]
        out[name] = {**p.row, "times": t, "keys": keys, "gils": gl, "rerun": True, "median_s": median(t),
                     "gil_median": median(known) if known else p.row.get("gil_median")}
    new_cells = {}
    for k, v in cells.items():
        if len(v) < 2:
            new_cells[k] = v
            continue
        x = np.asarray(v, float)
        lx = np.log(x)
        f = math.exp(shift_scale(x.size) * (float(lx[rng.integers(x.size, size=x.size)].mean()) - float(lx.mean())))
        new_cells[k] = list(x[rng.integers(x.size, size=x.size)] * f)
    return out, new_cells


_PREPARED: dict[int, tuple[Any, Any]] = {}  # the context being redrawn, prepared once


def rerun(ctx: Any, rng: np.random.Generator, only: set[str] | None = None) -> Any:
    """A rerun of the rules' :class:`reports.evidence.Context` (rows and cells drawn, everything else kept)."""
    prepared = _PREPARED.get(id(ctx))
    if prepared is None or prepared[0] is not ctx:
        _PREPARED.clear()
        prepared = (ctx, prepare(ctx.rows))
        _PREPARED[id(ctx)] = prepared
    rows, cells = draw_rows(ctx.rows, ctx.cells, rng, getattr(ctx, "lengths", None), prepared[1], only)
    return replace(ctx, rows=rows, cells=cells)


def agreement(point: Any, answers: list[Any]) -> float | None:
    """Share of *answers* (one per rerun) equal to *point*; None without reruns.

    >>> agreement("holds", ["holds", "holds", "inconclusive", "holds"])
    0.75
    """
    if not answers:
        return None
    return round(sum(a == point for a in answers) / len(answers), 4)


LEAST = min(100, RERUNS)  # reruns every figure gets; those near the 0.9 cut go on to RERUNS
CUT = 0.9


def _near_cut(seen: list[Any], point: Any) -> bool:
    """Is the share so far within three Monte Carlo errors of the cut (so more reruns could move it across)?"""
    n = len(seen)
    p = sum(a == point for a in seen) / n if n else 0.0
    return abs(p - CUT) <= 3 * max(math.sqrt(p * (1 - p) / n), 1 / n) if n else True


def agreements(ctx: Any, points: dict[str, Any], answer: Callable[[Any, set[str]], dict[str, Any]],
               seed: int = 0, least: int = LEAST, most: int = RERUNS,
               scope: Callable[[str], set[str] | None] | None = None, split: bool = True) -> dict[str, float | None]:
    """The rerun agreement of each point answer in *points*: *answer*(drawn context, keys still wanted) gives
    the drawn answers.  Every key gets *least* reruns; those whose share is still within three Monte Carlo
    errors of the 0.9 cut go on to *most* (1000: a Monte Carlo error of 0.0095 at the cut), the rest are
    settled on which side of the cut they lie.  *scope*(key) names the workloads a key reads (None: all):
    past the first *least* reruns only those of the keys still wanted are drawn again.  Each rerun is answered
    inside one :func:`reports.stats.memo`: its rows, compared again and again, are read once.

    With *split* and a second core, the reruns past *least* are shared with a forked copy of this process
    (:func:`_in_fork`): two seeded streams of half each, the same figures for the same seed whoever draws
    them, in about half the time; where it cannot fork, or the copy fails, this process draws both.
    """
    rng = np.random.default_rng(seed)
    seen: dict[str, list[Any]] = {k: [] for k in points}
    for _ in range(least):
        with memo():  # one rerun's rows compared many times over, never changed
            got = answer(rerun(ctx, rng), set(points))
        for k in points:
            seen[k].append(got.get(k))
    live = {k for k in points if _near_cut(seen[k], points[k])}
    if live and most > least:
        scopes = [scope(k) for k in live] if scope is not None else [None]
        only = None if any(s is None for s in scopes) else set().union(*scopes)

        def draws(stream: int, count: int) -> dict[str, list[Any]]:
            r = np.random.default_rng([seed, stream])
            out: dict[str, list[Any]] = {k: [] for k in live}
            for _ in range(count):
                with memo():
                    got = answer(rerun(ctx, r, only), live)
                for k in live:
                    out[k].append(got.get(k))
            return out

        rest = most - least
        half = rest // 2  # two streams, whoever draws them: the figures do not depend on the fork
        child = forked.fork(lambda: draws(2, half)) if split and half and forked.cores() > 1 else None
        t0 = time.monotonic()
        mine = draws(1, rest - half)
        # The copy draws as much as this process did: waiting far longer means it is stuck (a lock held at the fork).
        theirs = forked.collect(child, max(30.0, 3 * (time.monotonic() - t0))) if child is not None else None
        for part in (mine, theirs if theirs is not None else draws(2, half)):
            for k, v in part.items():
                seen[k] += v
    return {k: agreement(points[k], seen[k]) for k in points}
