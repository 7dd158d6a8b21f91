"""HTML pieces of the dashboard (reports/dashboard/markup.py): tables, badges, the readable numbers."""
from __future__ import annotations

import re

import pytest

from reports.dashboard import markup

XSS = "<script>alert(1)</script>"


def test_numbers_nest_dicts_as_tables_and_comparisons_as_one_line():
    text = markup.numbers({"bar": 1.3, "w": {"speedup": {"outcome": "above", "ratio": 1.39, "lo": 1.04, "hi": 1.64,
                                                         "n": [9, 9], "reason": "interval above 1×"},
                                             "gil_median": 0.1194, "agrees": None, "ok": True, "specs": ["a", "b"]}})
    assert text.count("<table class='nested'>") == 2
    # the outcome word follows the ratio and its interval (the docstring says "faster"; the code prints "above")
    assert re.search(r"1\.39× \[1\.04–1\.64\] (above|faster)", text)
    assert "n 9/9" in text and "interval above 1×" in text
    assert "<td>0.119</td>" in text and "<td>–</td>" in text and "<td>True</td>" in text and "a, b" in text


def test_numbers_without_interval_and_empty_values():
    assert markup.comparison({"outcome": "undecided", "ratio": 0.87, "lo": None, "hi": None}) == "0.87× undecided"
    assert markup.numbers({}) == "–" and markup.numbers(None) == "–" and markup.numbers([]) == "–"
    assert markup.numbers(float("nan")) == "–"


def test_numbers_escape_keys_and_values():
    text = markup.numbers({XSS: XSS, "c": {"outcome": XSS, "ratio": 1.0, "reason": XSS}})
    assert XSS not in text and "&lt;script&gt;" in text


@pytest.mark.parametrize("claim,cls,words", [
    ({"verdict": "holds"}, "ok", "holds"),
    ({"verdict": "does not hold"}, "bad", "does not hold"),
    ({"verdict": "inconclusive"}, "meh", "inconclusive"),
    ({"verdict": "holds", "fragile": True}, "fragile", "holds (fragile)"),
    ({}, "meh", "–"),
])
def test_verdict_badge(claim, cls, words):
    assert markup.verdict_badge(claim) == f"<span class='badge {cls}'>{words}</span>"


def test_stability_text():
    assert markup.stability_text(0.955) == "rerun agreement 96%" and markup.stability_text(None) == "rerun agreement –"


def test_table_numeric_columns_and_widths():
    t = markup.table(["a", "b"], [["x", "1"]], num_cols=(1,), widths=[70])
    assert "<th style='width:70%'>a</th><th>b</th>" in t and '<td>x</td><td class="num">1</td>' in t


def test_note_and_div_share_one_style_sheet_per_page():
    assert markup.note("x", warn=True) == "<div class='warn'>x</div>"
    a, b = markup.div("a"), markup.div("b")
    assert a.stylesheets[0] is b.stylesheets[0] and "badge" in a.stylesheets[0].css
