"""The plot that decided each claim (reports/dashboard/claimplots.py), as the claim's record names it."""
from __future__ import annotations

import pandas as pd
import pytest
from bokeh.models import FixedTicker, GlyphRenderer, Span

from _claimdata import cmp, summary_claim as claim
from _dashboard import make_view
from reports.claims import CLAIMS
from reports.claims.record import DRAWINGS
from reports.dashboard import claimplots


def test_every_drawing_a_record_may_name_is_drawn():
    assert set(claimplots.DRAW) == set(DRAWINGS)
    assert claimplots.DEFAULT.drawing == "comparisons"


@pytest.mark.parametrize("cid", sorted(c for c in CLAIMS if CLAIMS[c].plot is not None))
def test_each_claim_gets_the_caption_its_record_names(cid, tmp_path):
    caption, _ = claimplots.plot(claim(cid, numbers={"w": {"x": cmp(1.2, 1.1, 1.3, "above")}}),
                                 make_view(tmp=tmp_path))
    # a drawing with nothing of its own to draw falls back to the comparisons, with the default caption
    assert caption in (CLAIMS[cid].plot.caption, claimplots.DEFAULT.caption)
    if CLAIMS[cid].plot.drawing == "comparisons":
        assert caption == CLAIMS[cid].plot.caption


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
