"""Claim cards (reports/dashboard/claims.py) and the plot that decided each claim (claimplots.py)."""
from __future__ import annotations

import html
import re

import pandas as pd
import pytest
from bokeh.models import FixedTicker, GlyphRenderer, Span

from _dashboard import make_view, plots, quick_summary, shown  # noqa: F401  (quick_summary is a fixture)
from reports.dashboard import claimplots, claims


def cmp(ratio, lo=None, hi=None, outcome="undecided", reason="why"):
    return {"outcome": outcome, "ratio": ratio, "lo": lo, "hi": hi, "factor": 1.0, "n": [6, 6], "reason": reason}


def claim(cid="C1", verdict="holds", stability=0.97, numbers=None, **kw):
    return {"id": cid, "claim": f"text of {cid}", "verdict": verdict, "stability": stability,
            "fragile": stability is not None and stability < 0.9, "reason": f"reason of {cid}",
            "threshold": f"rule of {cid}", "numbers": numbers if numbers is not None else
            {"bar": 1.3, "array-x": {"speedup": cmp(1.9, 1.7, 2.1, "above"), "gil_median": 0.1}}, **kw}


def test_card_shows_verdict_stability_reason_rule_and_plot(tmp_path):
    items = [claims.card(claim(), make_view(tmp=tmp_path))]
    text = shown(items)
    assert ">holds</span>" in text and "rerun agreement 97%" in text
    assert "reason of C1" in text and "<b>Rule:</b> rule of C1" in text
    assert "Threads vs sync, per array workload" in text  # the caption of C1's plot
    assert len(plots(items)) == 1


def test_fragile_verdict_is_never_a_plain_holds(tmp_path):
    text = shown([claims.card(claim(stability=0.62), make_view(tmp=tmp_path))])
    assert "holds (fragile)" in text and ">holds</span>" not in text
    assert "rerun agreement 62%" in text and "class='badge fragile'" in text


def test_card_folds_the_numbers_into_a_nested_table(tmp_path):
    text = shown([claims.card(claim(), make_view(tmp=tmp_path))])
    folded = text[text.index("<details>"):]
    assert "<table class='nested'>" in folded and "array-x" in folded
    assert re.search(r"1\.9× \[1\.7–2\.1\] (above|faster)", folded)
    assert "speedup=" not in folded and "gil_median=" not in folded  # not key=value text


def test_card_without_a_measurement_says_so(tmp_path):
    items = [claims.card(claim("C14", "inconclusive", 1.0, {"gil_enabled": True}), make_view(tmp=tmp_path))]
    assert "No plot: the rule had no measurement to compare" in shown(items) and plots(items) == []


def test_claims_section_tally_and_rows(tmp_path):
    cs = [claim("C1"), claim("C2", "does not hold"), claim("C3", "inconclusive", 0.5), claim("C4", stability=None)]
    assert claims.tally(cs) == {"holds": 2, "does not hold": 1, "inconclusive": 1, "fragile": 1}
    items = claims.section(make_view({"claims": cs + ["junk"]}, tmp=tmp_path))
    text = shown(items)
    assert "4 claims: " in text and "2 holds" in text and "1 fragile" in text and "rerun agreement –" in text
    assert len(items) == 1 + 2  # the intro, then rows of three cards


def test_claims_section_without_claims_says_so(tmp_path):
    assert "No claim verdicts in this summary" in shown(claims.section(make_view({}, tmp=tmp_path)))


def test_comparisons_are_labelled_by_where_they_sit():
    numbers = {"bar": 1.3, "a": {"speedup": cmp(1.2), "gil_median": 0.1},
               "b": {"group": "numeric", "threads_speedup": cmp(1.1), "processes_speedup": cmp(2.0)},
               "slowdown_0_5ms": cmp(2.6), "deep": {"x": {"y": {"z": cmp(1.0)}}}}
    assert [label for label, _ in claimplots.comparisons(numbers)] == [
        "a", "b threads speedup (numeric)", "b processes speedup (numeric)", "slowdown 0.5ms"]


def test_forest_draws_every_comparison_with_the_bar(tmp_path):
    caption, f = claimplots.plot(claim(), make_view(tmp=tmp_path))
    assert caption == "Threads vs sync, per array workload"
    assert [s.location for s in f.center if isinstance(s, Span)] == [1, 1.3]
    src = [r for r in f.renderers if isinstance(r, GlyphRenderer)][0].data_source
    assert src.data["y"] == ["array-x"] and src.data["x"] == [1.9] and src.data["fill"] != ["white"]


def test_curves_read_threads_from_the_rows_not_the_labels(tmp_path):
    """C4's curve: x is workers × threads per worker of the row, whatever its label says."""
    df = pd.DataFrame({"workload": ["stencil-numpy"] * 3, "scheduler": ["sync", "odd@label", "threads-2"],
                       "kind": ["sync", "threads", "threads"], "workers": [1, 4, 2], "threads_per_worker": [1, 1, 1]})
    numbers = {"curves": {"stencil-numpy": {"odd@label": 1.5, "threads-2": 1.8, "missing-row": 9.0}}}
    caption, f = claimplots.plot(claim("C4", numbers=numbers), make_view({"machine": {"cores": 2}}, df, tmp=tmp_path))
    assert caption == "Stencil speedup by threads"
    lines = [r.data_source.data for r in f.renderers if "t" in r.data_source.data]
    assert lines[0]["x"] == [2.0, 4.0] and lines[0]["y"] == [1.8, 1.5]
    ideal = [r for r in f.renderers if "t" not in r.data_source.data][0].data_source.data
    assert list(ideal["y"]) == [1, 2, 2]  # speedup = threads up to the 2 cores, level after


def test_curves_without_rows_fall_back_to_the_comparisons(tmp_path):
    numbers = {"python_speedup": cmp(1.05, 0.9, 1.1, "equivalent"), "curves": {"stencil-numpy": {"threads-2": 1.8}}}
    caption, f = claimplots.plot(claim("C4", numbers=numbers), make_view(tmp=tmp_path))
    assert caption == claimplots.DEFAULT.caption and f is not None


def test_by_k_plots_speedup_against_k(tmp_path):
    numbers = {"kernel-retake": {"k1": cmp(0.9, 0.8, 1.0), "k4096": cmp(1.6, 1.4, 1.8, "above")},
               "kernel-callback": {"k1": cmp(1.0)}, "missing": ["kernel-x"]}
    caption, f = claimplots.plot(claim("C7", numbers=numbers), make_view(tmp=tmp_path))
    assert "by k" in caption and isinstance(f.xaxis[0].ticker, FixedTicker) and f.xaxis[0].ticker.ticks == [1, 4096]
    assert f.y_range.start < 0.8 and f.y_range.end > 1.8  # the intervals fit


def test_per_task_plots_microseconds_per_scheduler(tmp_path):
    numbers = {"per_task_us": {"sync": 59.0, "threads-2": 93.7, "distributed-2x1": 2827.4, "bad": None}}
    caption, f = claimplots.plot(claim("C9", numbers=numbers), make_view(tmp=tmp_path))
    assert caption == "Wall time per null task" and list(f.x_range.factors) == ["sync", "threads-2", "distributed-2x1"]
    src = f.renderers[0].data_source.data
    assert src["t"] == ["59 µs", "93.7 µs", "2.83 ms"]


def test_defaults_plots_best_or_equivalent_per_collection(tmp_path):
    numbers = {"array": {"default": "threads-2", "workloads": 3, "default_best_or_equivalent": 2, "verdict": "holds"},
               "bag": {"default": "processes-2", "workloads": 4, "default_best_or_equivalent": 0,
                       "verdict": "inconclusive"}}
    _, f = claimplots.plot(claim("C12", numbers=numbers), make_view(tmp=tmp_path))
    assert list(f.y_range.factors) == ["bag (processes-2)", "array (threads-2)"]
    assert f.renderers[2].data_source.data["t"] == ["2 of 3", "0 of 4"]


def test_a_new_claim_gets_the_default_plot(tmp_path):
    caption, f = claimplots.plot(claim("C99", numbers={"w": {"x": cmp(1.2, 1.1, 1.3, "above")}}),
                                 make_view(tmp=tmp_path))
    assert caption == claimplots.DEFAULT.caption and f is not None
    assert claimplots.plot(claim("C99", numbers={"missing": ["w"]}), make_view(tmp=tmp_path))[1] is None


@pytest.mark.parametrize("lo,hi,expected", [(0.8, 1.9, [1, 1.25, 1.5]), (0.6, 14, [1, 2, 4, 8]),
                                            (0.05, 60, [0.1, 0.3, 1, 3, 10, 30])])
def test_log_ticks_round_and_spread(lo, hi, expected):
    assert claimplots.log_ticks(lo, hi) == expected


def test_quick_run_every_claim_a_card_each_measured_one_a_plot(quick_summary, tmp_path):
    res, summary, table = quick_summary
    v = make_view(summary, table, res)
    items = claims.section(v)
    text = shown(items)
    measured = [c for c in summary["claims"] if claimplots.plot(c, v)[1] is not None]
    assert text.count("<span class='id'>") == len(summary["claims"]) == 14
    assert len(plots(items)) == len(measured)
    for c in summary["claims"]:
        assert f"rerun agreement {round(c['stability'] * 100)}%" in text and html.escape(c["reason"], quote=True) in text
