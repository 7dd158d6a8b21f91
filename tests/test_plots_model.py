"""Figures of the cost model and the GIL calibration (reports/plots_model.py), from summary.json's plain dicts."""
from __future__ import annotations

import pytest
from bokeh.models import GlyphRenderer, Range1d

from reports.plots_model import calibration_plot, gil_timeline, model_findings, prediction_plot


def labelled(fig):
    """Renderers drawn from a source with a ``label`` column (the metric and thread count)."""
    return [r for r in fig.renderers if isinstance(r, GlyphRenderer) and "label" in r.data_source.data]


def legend(fig):
    return [item.label["value"] for item in fig.legend[0].items]


def test_calibration_plot_draws_each_metric_and_thread_count():
    pts = [{"designed_share": s, "threads": t, "measured": s + 0.01 * t} for t in (2, 1) for s in (0.5, 0.0, 1.0)]
    cal = {"metric": "probe", "max_error": 0.02, "metrics": {"probe": {"points": pts + ["junk"]},
                                                             "gilknocker": {"points": pts[:3]}}}
    f = calibration_plot(cal)
    assert f.title.text == "GIL calibration: probe reads the designed share within ±0.02 (sync)"
    assert legend(f) == ["y = x", "±0.05", "gilknocker, threads-2", "probe, sync", "probe, threads-2"]
    sync = next(r for r in labelled(f) if r.data_source.data["label"][0] == "probe, sync")
    assert sync.data_source.data["x"] == [0.0, 0.5, 1.0]  # drawn in order of the designed share
    assert calibration_plot({"metrics": {}}).title.text == "GIL calibration"
    assert calibration_plot(None) is None and calibration_plot({"metrics": []}) is None


def _pred(workload, scheduler, measured, predicted, term, **kw):
    return {"workload": workload, "scheduler": scheduler, "measured_s": measured, "predicted_s": predicted,
            "dominant_term": term, "hypothetical": False, "input": False, **kw}


def test_prediction_plot_colours_by_kind_and_labels_the_misses():
    preds = [_pred("a", "threads-2", 1.0, 0.9, "gil"), _pred("a", "processes-2", 0.5, 0.4, "compute", kind="processes"),
             _pred("b", "threads-2", 0.2, 0.8, "handoff"), _pred("a", "sync", 2.0, 2.0, "gil", input=True),
             _pred("a", "threads-8", None, 0.1, "compute", hypothetical=True), _pred("c", "sync", 0.0, 1.0, "gil"),
             _pred("b", "distributed-2x1-shipped", 1.0, 1.1, "overhead")]
    f = prediction_plot({"predictions": preds, "median_abs_error": 0.123, "predicted_best_hit_rate": 0.75})
    assert f.title.text == "Predicted vs measured: median error 12%, best spec predicted 75%"
    assert legend(f) == ["within 2×", "threads", "processes", "distributed"]  # Dask's order of cost per task
    drawn = {r.glyph.fill_color: r.data_source.data["scheduler"] for r in f.renderers if "term" in r.data_source.data
             and "label" not in r.data_source.data}
    assert drawn == {"#1f77b4": ["threads-2", "threads-2"], "#ff7f0e": ["processes-2"],
                     "#2ca02c": ["distributed-2x1-shipped"]}
    assert [r.data_source.data["label"] for r in labelled(f)] == [["b / threads-2"]]  # 4× off: the one miss
    assert f.x_range.start == pytest.approx(0.2 / 1.5) and f.x_range.end == pytest.approx(1.1 * 1.5)


def test_prediction_plot_of_a_model_check_pair():
    pair = {"pairs": [_pred("a", "threads-2", 1.0, 0.9, "gil") | {"kind": "threads"}], "median_abs_error": 0.1,
            "hit_rate": 1.0}
    f = prediction_plot(pair, title="1 core → 2 cores")
    assert f.title.text == "1 core → 2 cores: median error 10%, best spec predicted 100%"


def test_prediction_plot_needs_a_measured_prediction():
    assert prediction_plot(None) is None and prediction_plot({"predictions": []}) is None
    only_input = [_pred("a", "sync", 1.0, 1.0, "gil", input=True)]
    assert prediction_plot({"predictions": only_input}) is None
    f = prediction_plot({"predictions": [_pred("a", "threads-2", 1.0, 0.9, "gil")]})
    assert f.title.text == "Predicted vs measured"


def test_gil_timeline_steps_in_milliseconds_and_shares_the_lanes_range():
    lanes = Range1d(0, 10)
    f = gil_timeline({"window_s": 0.002, "t": [0.0, 0.002, 0.004], "held": [0.1, 1.0, 0.5]}, x_range=lanes,
                     title="t")
    (quad,) = [r for r in f.renderers if "left" in r.data_source.data]
    assert quad.data_source.data["left"] == [0.0, 2.0, 4.0] and quad.data_source.data["right"] == [2.0, 4.0, 6.0]
    assert quad.data_source.data["pct"] == ["10%", "100%", "50%"]
    assert f.x_range is lanes and f.title.text == "t"
    assert gil_timeline({"t": []}) is None and gil_timeline(None) is None


def test_model_findings_list_the_misses_escaped():
    misses = [{"workload": "<b>w</b>", "scheduler": "threads-2", "term": "compute"}] * 25
    div = model_findings({"predictions": [{}], "median_abs_error": 0.2, "predicted_best_hit_rate": 0.5,
                          "hit_decided_workloads": 4, "misses_over_2x": misses})
    assert "&lt;b&gt;w&lt;/b&gt;" in div.text and "<b>w</b>" not in div.text
    assert div.text.count("<tr><td>") == 20 and "Off by more than 2× (25)" in div.text
    assert "median error 20%" in div.text and "on 50% of the 4 workloads" in div.text
    quiet = model_findings({"predictions": [{}]})
    assert "No prediction was off by more than 2×" in quiet.text and "median error –" in quiet.text
    assert model_findings({"predictions": []}) is None and model_findings(None) is None
