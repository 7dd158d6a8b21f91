"""The dashboard page (reports/dashboard/__init__.py): standalone, complete, escaped, robust to partial data."""
from __future__ import annotations

import html
import os
import re

import numpy as np
import pandas as pd
from bokeh.plotting import figure

from _dashboard import make_view, plots, quick_summary, shown  # noqa: F401  (quick_summary is a fixture)
from reports import dashboard
from reports import table as stattable
from reports.build import build, summarise
from reports.claims import IDS
from reports.dashboard import claims, matrix, metrics, runinfo
from reports.load import load
from runners import records

XSS = "<script>alert(1)</script>"

# What each section says when it has nothing to show, and what it draws only from data.
NO_DATA = ("No results: the table is empty", "No claim verdicts", "No recommendations in this summary",
           "No GIL measurements", "result: per-task overhead not measured", "No start-up records",
           "No bytes were serialised", "No instrumentation-overhead control", "No A/A control in this run",
           "No workloads.", "No machine information", "No workload family with a numeric parameter sweep",
           "No harness check in this run", "No record of adaptive rounds")
FROM_DATA = ("Speedup vs sync", "GIL contention per workload and scheduler", "Per-task overhead (delayed-null)",
             "Start-up and teardown cost", "Bytes serialised per run", "Instrumentation overhead: ",
             "A/A control</b>: array-x on threads-2", f"{len(IDS)} claims: ")


def _no_remote(text: str) -> None:
    assert not re.search(r"<script[^>]+src=[\"']?https?:", text, re.I)
    assert not re.search(r"<link[^>]+href=[\"']?https?:", text, re.I)


def test_dashboard_standalone_with_sections(synthetic_run):
    build(synthetic_run, quiet=True)
    text = (synthetic_run / "dashboard.html").read_text()
    _no_remote(text)
    assert "Bokeh" in text and len(text) > 500_000  # the library itself is inlined
    for section in ("Claims: what this run says", "Recommendation per workload", "Speedup matrix", "Scaling curves",
                    "Jacobi stencil", "Break-even", "GIL contention", "Per-task overhead", "Start-up",
                    "Bytes serialised", "Controls: instrumentation overhead", "A/A control", "Adaptive rounds",
                    "Workloads, task streams and performance reports", "Failures (1)", "Machine and versions"):
        assert section in text, section
    assert "20260101-000000-test" in text and "testhost" in text
    assert "streams/array-x__distributed-2x1.html" in text
    assert "perf/array-x__distributed-2x1.html" in text
    assert "real data" in text
    for m in metrics.METRICS:  # the one control offers every metric
        assert f'"{m.key}"' in text
    shown_text = html.unescape(text)
    assert [n for n in NO_DATA if n in shown_text] == ["No harness check in this run",
                                                       "No record of adaptive rounds"]  # the fixture has neither
    assert [d for d in FROM_DATA if d not in shown_text] == []
    assert "ValueError</code> <img" not in shown_text and "ValueError" in shown_text  # the failure, escaped
    assert "Test CPU" in shown_text and "Python 3.11 with the GIL" in shown_text


def test_dashboard_opens_on_the_claims():
    order = [f.__module__ + "." + f.__name__ for f in dashboard.SECTIONS]
    assert order[:3] == ["reports.dashboard.runinfo.header", "reports.dashboard.claims.section",
                         "reports.dashboard.advice.section"]
    assert dashboard.SECTIONS.index(claims.section) < dashboard.SECTIONS.index(matrix.section)


def test_dashboard_escapes_user_strings(synthetic_run):
    build(synthetic_run, quiet=True)
    text = (synthetic_run / "dashboard.html").read_text()
    assert XSS not in text
    assert "<img src=x onerror=alert(2)>" not in text
    assert "<b>bold?</b>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text or "&amp;lt;script&amp;gt;" in text


def test_dashboard_escapes_claims_and_recommendations(synthetic_run, tmp_path):
    res = load(synthetic_run)
    summary, table = summarise(res)
    summary["claims"] = [{"id": "C1", "claim": "threads <win>", "verdict": "holds", "stability": 1.0,
                          "numbers": {"speedup": 1.9, "<k>": float("nan")}, "threshold": ">= 1.3", "reason": "x & y"}]
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
    shown_text = html.unescape(text)
    # Each section says it has nothing; none draws a chart from thin air.
    assert [n for n in NO_DATA if n not in shown_text and n not in ("No claim verdicts",)] == []
    assert [d for d in FROM_DATA[1:-1] if d in shown_text] == []


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
                                  "aa_control": {"median_a_s": None}, "claims": [{"id": "C4"}, "junk"],
                                  "rounds": [{}], "harness_check": {"pairs": [{}]}}, [{"path": None}], out)
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


def test_dashboard_of_the_quick_run_has_a_card_per_claim(quick_summary, tmp_path):
    res, summary, table = quick_summary
    out = tmp_path / "dashboard.html"
    dashboard.render(res, table, summary, [], out)
    text = html.unescape(out.read_text())
    _no_remote(text)
    assert f"{len(summary['claims'])} claims: " in text
    for c in summary["claims"]:
        assert f"<span class='id'>{c['id']}</span>" in text


def test_render_replaces_a_planted_link(synthetic_run, tmp_path):
    res = load(synthetic_run)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    out = synthetic_run / "dashboard.html"
    os.symlink(victim, out)
    dashboard.render(res, pd.DataFrame(), {}, [], out)
    assert victim.read_text() == "keep"
    assert out.is_file() and not out.is_symlink() and "Dask scheduler suite" in out.read_text()


def test_extra_sections_hook(monkeypatch):
    def calibration(entry):
        return figure(title=f"calibration of {len(entry)} keys") if entry else None

    def broken(entry):
        raise ValueError("<bad>")

    monkeypatch.setattr(dashboard, "EXTRAS", [])
    assert dashboard.extra_sections({"gil_calibration": {"a": 1}}) == []  # nothing to add without add-ons
    monkeypatch.setattr(dashboard, "EXTRAS", [("gil_calibration", calibration)])
    assert dashboard.extra_sections({}) == []  # no data: no heading either
    items = dashboard.extra_sections({"gil_calibration": {"points": []}})
    assert "Calibration and cost model" in shown(items[:1])
    assert [f.title.text for f in plots(items)] == ["calibration of 1 keys"]
    monkeypatch.setattr(dashboard, "EXTRAS", [("x", broken)])
    assert "broken failed: ValueError: &lt;bad&gt;" in shown(dashboard.extra_sections({}))


def test_model_plots_are_wired_in():
    cal = {"metric": "probe", "max_error": 0.02, "metrics": {"probe": {"points": [
        {"designed_share": 0.5, "threads": 1, "measured": 0.52, "error": 0.02}]}}}
    titles = [f.title.text for f in plots(dashboard.extra_sections({"gil_calibration": cal}))]
    assert titles == ["GIL calibration: probe reads the designed share within ±0.02 (sync)"]


def test_matrix_section_empty_and_with_data(tmp_path):
    assert "No results: the table is empty" in shown(matrix.section(make_view(tmp=tmp_path)))
    df = pd.DataFrame({"workload": ["a", "a"], "scheduler": ["sync", "threads-2"], "kind": ["sync", "threads"],
                       "workers": [1, 2], "threads_per_worker": [1, 1], "speedup": [1.0, 1.8]})
    v = make_view(table=df, tmp=tmp_path)
    items = matrix.section(v)
    assert v.switch.select in items and len(v.switch.sources) == 1
    assert v.switch.sources[0].data["text"] == ["1×", "1.8×"]


def test_header_says_when_gil_figures_do_not_apply(tmp_path):
    v = make_view({"machine": {"python": "3.14.0", "free_threaded_build": True, "gil_enabled": False,
                               "gil_sampler": {"available": False, "reason": "free-threaded build"}}}, tmp=tmp_path)
    text = shown(runinfo.header(v))
    assert "Python 3.14.0, free-threaded build, GIL off" in text
    assert "GIL figures not applicable: free-threaded build" in text
