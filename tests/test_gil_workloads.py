"""The convoy experiment of runners/experiments.py (raw threads, no dask).

Its rows, the interpreter state it restores, its profile check.  The GIL workloads of
workloads/gil.py are tested in tests/test_workloads_gil.py.
"""
from __future__ import annotations

import sys
import threading

import pytest

from runners import experiments


def test_convoy_rows_well_formed():
    before = sys.getswitchinterval()
    threads_before = threading.active_count()
    assert experiments.EXPERIMENTS["convoy"].run is experiments.run_convoy
    rows = experiments.run_convoy("quick", 2, calls=5, buffer_size=2_000)
    assert len(rows) == 2 * 2 * 2
    keys = {"workload", "family", "scheduler", "repeat", "wall_s", "params", "claims", "collection"}
    for r in rows:
        assert set(r) == keys
        assert r["workload"] == "convoy" and r["family"] == "convoy" and r["collection"] == "experiment"
        assert r["claims"] == ["C13"]
        assert r["scheduler"] == ("threads-2" if r["params"]["spinner"] else "threads-1")
        assert r["params"]["switch_interval_ms"] in (5.0, 0.5)
        assert isinstance(r["wall_s"], float) and r["wall_s"] > 0
        assert r["repeat"] in (0, 1)
    assert {(r["params"]["spinner"], r["params"]["switch_interval_ms"]) for r in rows} == {
        (s, i) for s in (False, True) for i in (5.0, 0.5)}
    assert sys.getswitchinterval() == before
    assert threading.active_count() == threads_before


def test_convoy_restores_state_on_error(monkeypatch):
    before = sys.getswitchinterval()
    threads_before = threading.active_count()

    def boom(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(experiments, "_time_calls", boom)
    with pytest.raises(RuntimeError, match="boom"):
        experiments.run_convoy("quick", 1, calls=2, buffer_size=100)
    assert sys.getswitchinterval() == before
    assert threading.active_count() == threads_before


def test_convoy_rejects_bad_profile():
    with pytest.raises(ValueError, match="profile"):
        experiments.run_convoy("huge", 1)
    exp = experiments.EXPERIMENTS["convoy"]
    assert exp.claims == ("C13",) and exp.name == "convoy" and exp.description
