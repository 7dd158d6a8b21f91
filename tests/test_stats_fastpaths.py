"""The fast paths of the comparison and of the reruns give the very floats of their plain definitions.

:func:`reports.stats.compare` is asked tens of thousands of times per report (every claim and every
recommendation, on every rerun), so it remembers within one rerun (:func:`reports.stats.memo`), scans the
looks of a rerun incrementally, and takes its t quantiles and medians without scipy.stats or NumPy's
overhead; :func:`reports.resample.draw_rows` draws a row that ran in every round without filtering it.  None
of that may move a figure: each is checked here against the plain computation, bit for bit.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from reports import resample
from reports.intervals import Looks, _t_quantile, median, paired_t, paired_t_sorted
from reports.stats import DECIDED, _first_look, _outcome, compare, memo


def _same(x, y):
    """Equal as floats are bit for bit (NaN equal to NaN), through tuples."""
    if isinstance(x, tuple):
        return len(x) == len(y) and all(_same(a, b) for a, b in zip(x, y))
    if isinstance(x, float) and isinstance(y, float) and math.isnan(x):
        return math.isnan(y)
    return x == y and type(x) is type(y)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 9, 10, 17, 25])
def test_paired_t_of_sorted_values_is_paired_t(n):
    rng = np.random.default_rng(n)
    for trim in (0.0, 0.1, 0.25):
        for _ in range(50):
            d = rng.normal(0.1, 0.2, n).tolist()
            assert _same(paired_t_sorted(sorted(d), 0.97, trim), paired_t(d, 0.97, trim))


def test_t_quantile_is_scipy_stats_t_isf():
    from scipy.stats import t

    levels = [0.0, 1.0, 0.5, 0.95, 0.99, 0.999, 1 - 1e-9] + np.random.default_rng(0).uniform(0, 1, 40).tolist()
    for df in (1, 2, 4, 9, 24, 100):
        for c in levels:
            assert _same(_t_quantile(df, c), float(t.isf((1 - c) / 2, df))), (df, c)


def test_median_is_numpys():
    rng = np.random.default_rng(1)
    for n in range(1, 30):
        for _ in range(20):
            x = (rng.lognormal(0, 1, n) * rng.choice([1e-3, 1.0, 1e3])).tolist()
            assert _same(median(x), float(np.median(x)))


def _scan(d, lk, start, family, margin):
    """The first deciding look as a plain loop: paired_t of every prefix."""
    for k in range(start, len(d)):
        ck = lk.confidence(k)
        ck = 1 - (1 - ck) / family if family > 1 else ck
        e, lo, hi = paired_t(d[:k], ck)
        if math.isfinite(lo) and _outcome(lo, hi, margin) in DECIDED:
            return e, lo, hi, k, ck
    return None


def test_the_incremental_look_scan_finds_the_plain_loops_look():
    rng = np.random.default_rng(2)
    lk = Looks(5, 20)
    found = 0
    for _ in range(400):
        d = rng.normal(rng.choice([0.0, 0.05, 0.3]), 0.1, int(rng.integers(5, 26))).tolist()
        for family, margin in ((1, None), (3, None), (1, 1.1)):
            got, want = _first_look(d, lk, 5, family, margin), _scan(d, lk, 5, family, margin)
            assert (got is None) == (want is None) and (got is None or _same(got, want))
            found += got is not None
    assert found > 100  # the scan did decide on many of them


def _rows(rng, n_rows=6):
    """Rows of one workload measured in the same rounds (one left a round out, one failed), drawn as reruns."""
    n = 12
    keys = [f"0:w:{i}" for i in range(n)]
    rows = {}
    for j in range(n_rows):
        times = (rng.lognormal(0, 0.1, n) * (1 + 0.2 * j)).tolist()
        ks = list(keys)
        if j == 1:
            times, ks = times[1:], ks[1:]
        rows[("w", f"s{j}")] = {"workload": "w", "scheduler": f"s{j}", "times": times, "keys": ks,
                                "gils": [0.5] * len(times), "looks": {"first": 5, "last": 20},
                                "n_failed": int(j == 5), "median_s": float(np.median(times))}
    return rows


QUESTIONS = [{}, {"factor": 1.2}, {"margin": 1.1}, {"family": 3}, {"paired": False}, {"confidence": 0.9},
             {"looks": {"first": 5, "last": 12}}]


def test_compare_inside_a_memo_answers_as_outside_it():
    rng = np.random.default_rng(3)
    rows = _rows(rng)
    drawn = [resample.draw_rows(rows, {}, rng)[0] for _ in range(5)]
    sides = [list(r.values()) for r in [rows] + drawn]
    sides.append([pd.Series(r) for r in rows.values()])
    sides.append([r["times"] for r in rows.values()])
    for rs in sides:
        plain = [compare(a, b, **q) for a in rs for b in rs for q in QUESTIONS]
        with memo():
            twice = [[compare(a, b, **q) for a in rs for b in rs for q in QUESTIONS] for _ in range(2)]
        assert all(_same(tuple(x), tuple(y)) for got in twice for x, y in zip(plain, got))


def test_a_memo_knows_rows_by_identity_and_forgets_at_its_end():
    a, b = [1.0, 1.02, 0.99, 1.01, 1.0], [2.0, 2.1, 2.05, 1.98, 2.02]
    with memo():
        first = compare(a, b)
        assert compare(a, b) is first  # asked again: from memory
        assert compare(a, list(b)) is not first  # an equal list is another side
        assert type(compare(a, b, factor=1).as_dict()["factor"]) is int  # 1 is not 1.0 in the summary
    b[:] = [1.0] * 5  # outside the block nothing is remembered
    assert compare(a, b).outcome != first.outcome


def test_a_row_in_every_round_draws_as_the_general_path_draws_it():
    rng = np.random.default_rng(4)
    rows = _rows(rng)
    prepared = resample.prepare(rows)
    assert [p.whole for p in prepared[0].values()] == [True, False, True, True, True, True]
    general = resample.prepare(rows)
    for p in general[0].values():
        p.whole = False
    for seed in range(20):
        fast = resample.draw_rows(rows, {}, np.random.default_rng(seed), {"w": 16}, prepared)[0]
        slow = resample.draw_rows(rows, {}, np.random.default_rng(seed), {"w": 16}, general)[0]
        assert fast == slow
