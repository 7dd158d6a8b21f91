"""The terminal summary: every section present, no line wider than asked."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from reports import stats, terminal
from reports.recommend import recommend
from reports.verdicts import decide
from runners.records import RunRecord
from runners.spec import parse

LONG = "a-very-long-workload-name-that-goes-on-and-on-and-on"


def timed(workload, medians, *, collection="array", spread=0.02):
    rows = []
    for label, m in medians.items():
        s = parse(label)
        for i, f in enumerate((1 - spread, 1.0, 1 + spread)):
            rows.append(RunRecord(run_id="t", workload=workload, scheduler=label, repeat=i, wall_s=m * f,
                                  kind=s.kind, workers=s.workers, threads_per_worker=s.threads_per_worker,
                                  collection=collection, gil_median=0.5, bytes_moved=123456789).to_dict())
    return rows


def summary_and_table(cores=2):
    specs = {"sync": 12.5, "threads-2": 0.0061, "processes-2": 1.0, "distributed-2x1": 150.0,
             "distributed-1x2": 0.5}
    rows = pd.DataFrame(timed(LONG, specs) + timed("bag-json", specs, collection="bag"))
    t = stats.table(rows)
    res = SimpleNamespace(meta={"cores": cores, "gil_enabled": True}, rows=rows)
    summary = {
        "run_id": "20261123-000000-abcd", "profile": "quick", "complete": True,
        "machine": {"cores": cores, "python": "3.11.7 (main)", "gil_enabled": True},
        "claims": decide(t, res), "recommendations": recommend(t, res),
        "instrumentation_overhead": {"ratio": 1.02, "pairs": [{}, {}]},
        "aa_control": {"workload": "array-transcendental", "scheduler": "threads-2", "ratio": 1.03,
                       "noise": 0.03, "verdict": "same", "false_difference": False},
        "failures": [{"workload": LONG, "scheduler": "processes-2", "repeat": 0, "status": "error",
                      "error_type": "ValueError", "error": "x" * 300}],
        "skipped": ["rows.jsonl: line 3 " + "y" * 200],
    }
    return summary, t


@pytest.mark.parametrize("width", [100, 80])
def test_render_fits_the_width(width):
    s, t = summary_and_table()
    out = terminal.render(s, t, width=width)
    assert all(len(line) <= width for line in out.splitlines())


def test_render_has_every_section():
    s, t = summary_and_table()
    out = terminal.render(s, t)
    for needle in ("20261123-000000-abcd", "2 cores", "quick", "claims", "recommendations", "C14",
                   "instrumentation overhead", "A/A noise", "failures (1)", "skipped:", "thr-2", "bag-json"):
        assert needle in out


def test_render_empty_table_and_summary():
    out = terminal.render({}, pd.DataFrame())
    assert "no results" in out
    assert all(len(line) <= 100 for line in out.splitlines())


def test_flatten_reads_intervals():
    assert terminal.flatten({"s": {"value": 1.5, "lo": 1.2, "hi": 1.9}}) == ["s=1.5 [1.2-1.9]"]
