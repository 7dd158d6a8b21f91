"""The words of a recommendation (reports/headline.py): break-even, the kept pool, memory, the headline."""
from __future__ import annotations

import re

import pytest

from reports.headline import break_even, code_of, kept_pool, memory_note, span
from reports.stats import compare


@pytest.mark.parametrize("start, shipped, tuned, expected", [(1.5, 1.45, 0.48, 2), (1.5, 0.4, 0.48, None),
                                                             (0.0, 1.0, 0.5, 1), (10.0, 1.1, 1.0, 100)])
def test_break_even_is_the_start_over_the_saving_per_compute(start, shipped, tuned, expected):
    assert break_even(start, shipped, tuned) == expected


def _row(label, kind, times, **kw):
    return {"scheduler": label, "kind": kind, "times": times, "keys": [f"0:{i}" for i in range(len(times))],
            "median_s": sorted(times)[len(times) // 2], **kw}


def test_the_kept_pool_says_after_how_many_computes_it_pays_off_and_when_its_start_is_unknown():
    shipped = _row("processes-2-shipped", "processes", [1.45, 1.5, 1.4, 1.47, 1.44], as_shipped=True)
    tuned = _row("processes-2", "processes", [0.48, 0.5, 0.47, 0.49, 0.48])
    text, ev = kept_pool(shipped, tuned, {"processes-2": 1.5})
    assert ev["break_even"] == 2 and "pays off after 2 computes" in text
    text, ev = kept_pool(shipped, tuned, {})
    assert ev.get("break_even") is None and "start" in text


def test_memory_is_said_only_where_it_is_several_times_the_baselines():
    words = memory_note({"scheduler": "processes-2", "peak_rss": 820e6}, {"scheduler": "sync", "peak_rss": 200e6})
    assert words["ratio"] == pytest.approx(4.1) and "sync" in words["words"]
    assert memory_note({"scheduler": "processes-2", "peak_rss": None}, {"scheduler": "sync", "peak_rss": 2e8}) is None


def test_a_span_prints_the_estimate_with_its_own_interval_and_never_one_times_faster():
    s = span(compare([1.0] * 5, [1.5, 1.6, 1.55, 1.52, 1.58]))
    assert re.fullmatch(r"[\d.]+× \[[\d.]+–[\d.]+\]", s), s
    assert code_of(None) == (None, None)
