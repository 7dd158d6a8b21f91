"""Recommendations on synthetic tables: fastest wins, ties go to the simpler spec."""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from reports import stats
from reports.recommend import recommend
from _factories import timed as _timed


def timed(workload, medians, **kw):
    """Rows of *workload* (see _factories.timed), with 10 tasks a repeat unless told."""
    return _timed(workload, medians, **{"ntasks": 10, **kw})


def recs(*groups, cores=2):
    rows = pd.DataFrame([r for g in groups for r in g])
    res = SimpleNamespace(meta={"cores": cores}, rows=rows)
    return {r["workload"]: r for r in recommend(stats.table(rows), res)}


def test_recommend_picks_the_faster_and_explains_with_the_gil():
    r = recs(timed("my-parse", {"sync": 1.0, "threads-2": 1.0, "processes-2": 0.55}, collection="delayed",
                   gil={"threads-2": 0.93}, bytes_moved={"processes-2": 2e6}))["my-parse"]
    assert r["scheduler"] == "processes-2"
    assert "0.93 of the time a thread waited for the GIL" in r["explanation"]
    assert "2.0 MB" in r["explanation"]
    assert r["evidence"]["gil_median"] == 0.93
    assert r["differs_from_default"] and r["default"] == "threads-2"


def test_recommend_prefers_the_simpler_within_noise():
    r = recs(timed("tiny", {"sync": 1.0, "threads-2": 0.99, "processes-2": 0.98}))["tiny"]
    assert r["scheduler"] == "sync"
    assert r["evidence"]["tied_with_fastest"]


def test_recommend_threads_over_processes_when_tied():
    r = recs(timed("np", {"sync": 1.0, "threads-2": 0.52, "processes-2": 0.51}, gil={"threads-2": 0.05}))["np"]
    assert r["scheduler"] == "threads-2"
    assert not r["differs_from_default"]


def test_recommend_one_per_workload_and_skips_experiments():
    conv = [dict(r, collection="experiment") for r in timed("convoy", {"threads-1": 0.05, "threads-2": 0.1})]
    out = recs(timed("a", {"sync": 1.0, "threads-2": 0.5}), timed("b", {"sync": 1.0}), conv)
    assert set(out) == {"a", "b"}


def test_recommend_empty_table():
    assert recommend(pd.DataFrame(), None) == []
