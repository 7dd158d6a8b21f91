"""The switchable metrics and their columns (reports/dashboard/metrics.py)."""
from __future__ import annotations

import pandas as pd
import pytest
from bokeh.plotting import figure

from reports.dashboard import metrics


@pytest.mark.parametrize("key,value,expected", [("speedup", 2.0, "2×"), ("speedup", None, "–"),
                                                ("speedup", float("nan"), "–"), ("wall", 0.0123, "12.3 ms"),
                                                ("gil", 0.119, "12%"), ("bytes", 162_000, "162 kB"),
                                                ("cores", 1.58, "1.58")])
def test_show(key, value, expected):
    m = {m.key: m for m in metrics.METRICS}[key]
    assert metrics.show(m, value) == expected


def test_columns_switch_every_metric():
    df = pd.DataFrame({"workload": ["a", "a"], "scheduler": ["sync", "threads-2"], "speedup": [1.0, None],
                       "median_s": [1.0, 0.5], "unstable_reason": ["", "spread"], "real_data": [True, None]})
    d = metrics.columns(df)
    for m in metrics.METRICS:
        assert len(d[f"v_{m.key}"]) == len(d[f"c_{m.key}"]) == len(d[f"t_{m.key}"]) == 2
    assert d["t_speedup"] == ["1×", "–"] and d["text"] == d["t_speedup"]
    assert d["t_wall"] == ["1 s", "500 ms*"]  # the unstable row is starred
    assert d["c_speedup"][1] == metrics.NAN_COLOR
    assert d["h_speedup"][1] == "– (no sync reference)" and d["h_flag"] == ["stable", "spread"]
    assert d["h_real"] == ["yes", "no"]


def test_colours_diverge_around_one_for_speedup():
    fill, text = metrics.colours(metrics.METRICS[0], [0.25, 1.0, 4.0])
    assert fill[1] == "#f7f7f7" and fill[0].startswith("#c") and fill[2].startswith("#2")
    assert text[0] == text[2] == "#ffffff"


def test_switch_links_every_registered_chart():
    s = metrics.Switch()
    f = figure()
    s.axes.append(f.yaxis[0])
    s.link()
    assert f.yaxis[0].axis_label == "Speedup vs sync (×)"
    assert [m.key for m in metrics.METRICS] == [k for k, _ in s.select.options]
    assert s.select.js_property_callbacks["change:value"]
