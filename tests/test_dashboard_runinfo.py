"""Header, workloads and links, failures, machine (reports/dashboard/runinfo.py)."""
from __future__ import annotations

import pandas as pd

from _dashboard import make_view, shown
from reports.dashboard import runinfo

XSS = "<script>alert(1)</script>"


def test_header_names_the_run_machine_and_interpreter(tmp_path):
    v = make_view({"run_id": "r1", "profile": "quick", "complete": False,
                   "machine": {"host": "vm", "cpu_model": "AMD EPYC", "cores": 2, "memory_bytes": 25.3e9,
                               "python": "3.11.7 (main)", "free_threaded_build": False,
                               "gil_sampler": {"available": True}}}, tmp=tmp_path)
    text = shown(runinfo.header(v))
    assert "run r1 on vm" in text and "AMD EPYC, 2 cores, 25.3 GB" in text and "profile <b>quick</b>" in text
    assert "Python 3.11.7 with the GIL" in text and "run incomplete" in text and "not applicable" not in text


def test_workloads_link_task_streams_and_performance_reports(tmp_path):
    df = pd.DataFrame({"workload": ["array-x", "array-x"], "scheduler": ["sync", "distributed-2x1"],
                       "kind": ["sync", "distributed"], "workers": [1, 2], "threads_per_worker": [1, 1],
                       "collection": ["array"] * 2, "claims": [["C1"]] * 2, "description": [XSS] * 2})
    v = make_view({}, df, tmp=tmp_path, pages=[
        {"workload": "array-x", "scheduler": "distributed-2x1", "path": "streams/d.html", "sampled": True},
        {"workload": "array-x", "scheduler": "sync", "path": "streams/s.html"}])
    perf = v.res.path / "perf"
    perf.mkdir()
    (perf / f"{runinfo.perf_stem('array-x', 'distributed-2x1')}.html").write_text("x")
    (perf / "other__sync.html").write_text("x")
    text = shown(runinfo.workloads_section(v))
    assert text.index("streams/s.html") < text.index("streams/d.html") and "(sampled)" in text
    assert "href='perf/array-x__distributed-2x1.html'" in text
    assert "Other performance reports" in text and "perf/other__sync.html" in text
    assert XSS not in text and "C1" in text


def test_failures_escaped_and_capped(tmp_path):
    fails = [{"workload": "w", "scheduler": "sync", "repeat": i, "status": "error", "error_type": "ValueError",
              "error": XSS} for i in range(runinfo.MAX_FAILURES + 2)]
    text = shown(runinfo.failures_section(make_view({"failures": fails, "skipped": ["rows.jsonl: line 3"]},
                                                    tmp=tmp_path)))
    assert f"Failures ({runinfo.MAX_FAILURES + 2})" in text and "and 2 more" in text and XSS not in text
    assert "Skipped or damaged input" in text and "rows.jsonl: line 3" in text
    assert "None: every repeat finished" in shown(runinfo.failures_section(make_view({}, tmp=tmp_path)))


def test_machine_section(tmp_path):
    v = make_view({"machine": {"host": "vm", "memory_bytes": 8e9, "versions": {"dask": "2026.8.0"}}}, tmp=tmp_path)
    text = shown(runinfo.machine_section(v))
    assert "8 GB" in text and "dask 2026.8.0" in text


def test_the_header_words_the_machine_as_the_terminal_does(tmp_path):
    """A run whose probes saw no competitor is not called busy on the dashboard (the terminal does not call it so)."""
    from reports.interference import repeat_spread_pct, summarize

    r = [{"seconds": 1.0, "steal": 0.0, "other_cores": 0.0, "load1": 2.3, "freq_mhz": None, "burst": False}]
    noisy = summarize(r, 2, repeat_spread_pct([[0.36, 0.52, 0.36, 0.53, 0.36, 0.49, 0.52]] * 3))
    text = shown(runinfo.header(make_view({"interference": noisy}, tmp=tmp_path)))
    assert noisy["busy"] in text and "busy machine" not in text and "nothing else was seen using the CPU" in text
    busy = summarize([{**r[0], "steal": 0.2, "burst": True, "rerun": True}], 2)
    text = shown(runinfo.header(make_view({"interference": busy}, tmp=tmp_path)))
    assert "1 round re-run after bursts — figures from a busy machine" in text and text.count("re-run") == 1
    quiet = summarize(r, 2)
    assert "—" not in shown(runinfo.header(make_view({"interference": quiet}, tmp=tmp_path))).split("Machine while")[1][:200]
