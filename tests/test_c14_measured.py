"""C14 on results folders built from rows measured on this machine, with the GIL flag changed.

The rows (tests/data/c3_rows_measured.jsonl) were measured WITH the GIL; each folder's
meta.json below says otherwise, and says that the test changed it.  What is tested is the
rule and the report path on real timings — not anything about a free-threaded interpreter.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from reports.build import summarise
from reports.compare import compare_runs
from reports.load import load
from runners import records

DATA = Path(__file__).parent / "data" / "c3_rows_measured.jsonl"
LABEL = "GIL flag changed by tests/test_c14_measured.py: these rows were measured with the GIL"


def _rows() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]


def _folder(path: Path, rows: list[dict], gil_enabled: bool, free_threaded: bool, **meta) -> Path:
    path.mkdir(parents=True)
    records.append(path / records.ROWS, rows)
    (path / records.META).write_text(json.dumps({
        "v": records.SCHEMA_VERSION, "run_id": path.name, "cores": 2, "profile": "quick", "cpu_model": "AMD EPYC",
        "gil_enabled": gil_enabled, "free_threaded_build": free_threaded, "synthetic": LABEL, **meta}))
    return path


def _c14(path: Path) -> dict:
    summary, _ = summarise(load(path))
    return {c["id"]: c for c in summary["claims"]}["C14"]


def test_measured_rows_with_the_gil_flag_off_do_not_scale_on_threads(tmp_path):
    v = _c14(_folder(tmp_path / "ft", _rows(), gil_enabled=False, free_threaded=True))
    # These threads really held a GIL: no workload beats sync by C1's bar, so C14 does not hold.
    assert v["verdict"] == "does not hold", v["reason"]
    assert 0.0 <= v["stability"] <= 1.0


def test_processes_rows_relabelled_as_threads_make_c14_hold(tmp_path):
    """Stand-in for a free-threaded build where threads run like processes: labelled as such."""
    rows = [r for r in _rows() if r["scheduler"] != "threads-2"]
    for r in [dict(r) for r in rows if r["scheduler"] == "processes-2"]:
        rows.append({**r, "scheduler": "threads-2", "kind": "threads", "check_detail": LABEL})
    v = _c14(_folder(tmp_path / "ft", rows, gil_enabled=False, free_threaded=True))
    assert v["verdict"] == "holds", v["reason"]


def test_gil_reenabled_by_a_module_is_inconclusive_and_says_which(tmp_path):
    v = _c14(_folder(tmp_path / "ft", _rows(), gil_enabled=True, free_threaded=True, gil_reenabled_by=["some._ext"]))
    assert v["verdict"] == "inconclusive" and "some._ext" in v["reason"]


@pytest.mark.parametrize("gil_enabled, free_threaded", [(True, False)])
def test_a_gil_build_is_inconclusive_saying_why(tmp_path, gil_enabled, free_threaded):
    v = _c14(_folder(tmp_path / "gil", _rows(), gil_enabled, free_threaded))
    assert v["verdict"] == "inconclusive" and "GIL" in v["reason"]


def test_compare_gives_the_single_thread_cost_of_the_free_threaded_build(tmp_path):
    gil = _folder(tmp_path / "gil", _rows(), gil_enabled=True, free_threaded=False)
    ft = _folder(tmp_path / "ft", _rows(), gil_enabled=False, free_threaded=True)
    d = compare_runs(gil, ft)
    cost = d["free_threaded_cost"]
    assert cost["comparable"] is True
    assert set(cost["workloads"]) == {"bag-logparse", "bag-json", "bag-wordcount", "stdlib-re"}
    # The same measured rows on both sides: a ratio of 1 whose interval holds 1 (never a difference).
    for w in cost["workloads"].values():
        c = w["sync_gil_over_free_threaded"]
        assert c["ratio"] == pytest.approx(1.0) and c["outcome"] == "undecided"  # no margin asked: one-sided
        assert c["lo"] <= 1.0 <= c["hi"]
