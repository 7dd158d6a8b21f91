"""Rebuilding a run's reports from its folder alone (reports/build.py)."""
from __future__ import annotations

import json

import pytest

from reports import build
from reports.load import load


def test_build_writes_summary_dashboard_and_pages_from_the_folder_alone(synthetic_run, capsys):
    summary = build.build(synthetic_run, quiet=True)
    assert capsys.readouterr().out == ""  # quiet: nothing printed
    on_disk = json.loads((synthetic_run / "summary.json").read_text())
    assert on_disk["run_id"] == summary["run_id"] == synthetic_run.name
    assert on_disk["v"] == build.SUMMARY_VERSION
    assert [c["id"] for c in on_disk["claims"]][:3] == ["C1", "C2", "C3"]
    assert all("rerun_agreement" in c for c in on_disk["claims"])
    # the failed repeat of the run is listed, not dropped
    assert any(f["status"] == "error" and f["scheduler"] == "processes-2" for f in on_disk["failures"])
    pages = sorted(p.name for p in (synthetic_run / "streams").glob("*.html"))
    assert len(pages) == 3
    dash = (synthetic_run / "dashboard.html").read_text()
    assert all(f"streams/{p}" in dash for p in pages)


def test_summarise_keeps_the_design_and_the_interference(synthetic_run):
    summary, table = build.summarise(load(synthetic_run))
    assert not table.empty and "times" in table.columns
    assert "times" not in summary["table"][0]  # the table's raw times stay out of summary.json
    assert "comparison" in summary["design"] and "interference" in summary


def test_main_refuses_a_folder_that_is_not_there(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        build.main([str(tmp_path / "nope")])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("ERROR:") and "no such results folder" in err
