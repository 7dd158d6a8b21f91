"""The dashboard: standalone, complete, escaped, and robust to partial data."""
from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

import pytest

from reports import dashboard
from reports import table as stattable
from reports.build import build, summarise
from reports.load import load
from runners import records

XSS = "<script>alert(1)</script>"


# What each section says when it has nothing to show, and what it draws only from data.
NO_DATA = ("No results: the table is empty", "No claim verdicts", "No recommendations in this summary",
           "No GIL measurements", "result: per-task overhead not measured", "No start-up records",
           "No bytes were serialised", "No instrumentation-overhead control", "No A/A control in this run",
           "No workloads.", "No machine information", "No workload family with a numeric parameter sweep")
FROM_DATA = ("Speedup vs sync", "GIL contention per workload and scheduler", "Per-task overhead (delayed-null)",
             "Start-up and teardown cost", "Bytes serialised per run", "Instrumentation overhead: median",
             "A/A control</b>: array-x on threads-2", "Recommendation per workload")


def _no_remote(text: str) -> None:
    assert not re.search(r"<script[^>]+src=[\"']?https?:", text, re.I)
    assert not re.search(r"<link[^>]+href=[\"']?https?:", text, re.I)


def test_dashboard_standalone_with_sections(synthetic_run):
    build(synthetic_run, quiet=True)
    text = (synthetic_run / "dashboard.html").read_text()
    _no_remote(text)
    assert "Bokeh" in text and len(text) > 500_000  # the library itself is inlined
    for section in ("Speedup matrix", "Claims", "Recommendation per workload", "Scaling curves",
                    "Jacobi stencil", "Break-even", "GIL contention", "Per-task overhead", "Start-up",
                    "Bytes serialised", "Instrumentation overhead", "A/A control",
                    "Workloads, task streams and performance reports", "Failures (1)", "Machine and versions"):
        assert section in text, section
    assert "20260101-000000-test" in text and "testhost" in text
    assert "streams/array-x__distributed-2x1.html" in text
    assert "perf/array-x__distributed-2x1.html" in text
    assert "real data" in text
    for m in dashboard.METRICS:  # the one control offers every metric
        assert f'"{m.key}"' in text
    # Every section shows this run's data, not only its heading.
    shown = html.unescape(text)
    assert [n for n in NO_DATA if n in shown] == []
    assert [d for d in FROM_DATA if d not in shown] == []
    assert "ValueError</code> <img" not in shown and "ValueError" in shown  # the failure, its error escaped
    assert "Test CPU" in shown and "cores" in shown


def test_dashboard_escapes_user_strings(synthetic_run):
    build(synthetic_run, quiet=True)
    text = (synthetic_run / "dashboard.html").read_text()
    assert XSS not in text
    assert "<img src=x onerror=alert(2)>" not in text
    assert "<b>bold?</b>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text or "&amp;lt;script&amp;gt;" in text


def test_dashboard_renders_claims_and_recommendations(synthetic_run, tmp_path):
    res = load(synthetic_run)
    summary, table = summarise(res)
    summary["claims"] = [{"id": "C1", "claim": "threads <win>", "verdict": "holds",
                          "numbers": {"speedup": 1.9, "bad": float("nan")}, "threshold": ">= 1.3", "reason": "x & y"}]
    summary["recommendations"] = [{"workload": XSS, "scheduler": "processes-2", "explanation": "GIL <held>",
                                   "evidence": {"gil": 0.9}}]
    out = tmp_path / "d.html"
    dashboard.render(res, table, summary, [], out)
    text = out.read_text()
    assert "threads &amp;lt;win&amp;gt;" in text or "threads &lt;win&gt;" in text
    assert "GIL &amp;lt;held&amp;gt;" in text or "GIL &lt;held&gt;" in text
    assert XSS not in text


def test_dashboard_empty_folder(tmp_path):
    run = tmp_path / "empty"
    run.mkdir()
    build(run, quiet=True)
    text = (run / "dashboard.html").read_text()
    _no_remote(text)
    shown = html.unescape(text)
    # Each section says it has nothing; none draws a chart from thin air.
    missing = [n for n in NO_DATA if n not in shown and n not in ("No claim verdicts", "No recommendations in this summary")]
    assert missing == []
    assert [d for d in FROM_DATA[1:-1] if d in shown] == []


def test_dashboard_partial_table(synthetic_run, tmp_path):
    """Missing columns, NaNs everywhere, a scheduler without a sync reference."""
    res = load(synthetic_run)
    table = stattable.table(res.rows, res.workload_info())
    table = table[table["scheduler"] != "sync"].drop(columns=["speedup", "gil_max", "kind", "nthreads",
                                                              "unstable_reason", "family", "params"])
    table["median_s"] = np.nan
    table.loc[table.index[:3], "workload"] = None
    out = tmp_path / "partial.html"
    dashboard.render(res, table, {"startup": [{"scheduler": "x", "start_s": None}], "failures": [{}],
                                  "instrumentation_overhead": {"ratio": None, "pairs": [{"ratio": None}]},
                                  "aa_control": {"median_a_s": None}}, [{"path": None}], out)
    _no_remote(out.read_text())
    only = pd.DataFrame({"workload": ["w"], "scheduler": ["threads-2"]})
    dashboard.render(res, only, {}, [], out)
    assert "w" in out.read_text()


def test_dashboard_meta_and_rows_missing(tmp_path):
    run = tmp_path / "r"
    records.append(run / records.ROWS, [records.RunRecord(run_id="r", workload="w", scheduler="threads-2",
                                                          repeat=i, wall_s=0.1) for i in range(3)])
    build(run, quiet=True)
    assert "threads-2" in (run / "dashboard.html").read_text()


@pytest.mark.parametrize("value,expected", [(2.0, "2.00×"), (None, "–"), (float("nan"), "–")])
def test_fmt_speedup(value, expected):
    assert dashboard.fmt(dashboard.METRICS[0], value) == expected


def test_columns_switch_every_metric():
    df = pd.DataFrame({"workload": ["a", "a"], "scheduler": ["sync", "threads-2"], "speedup": [1.0, None],
                       "median_s": [1.0, 0.5], "unstable_reason": ["", "spread"]})
    d = dashboard.columns(df)
    for m in dashboard.METRICS:
        assert len(d[f"v_{m.key}"]) == len(d[f"c_{m.key}"]) == 2
    assert d["t_speedup"] == ["1.00×", "–"]
    assert d["t_wall"][1].endswith("*")
    assert d["c_speedup"][1] == dashboard.NAN_COLOR
