"""End to end: the runner on a tiny run with all five specs, into a temp folder."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from reports.load import load
from runners import records

from _cli import ROOT, run_cli

FIVE = "sync,threads-2,processes-2,distributed-2x1,distributed-1x2"
FAST = "kernel-sleep-nogil,kernel-sleep-gil,examples/my_workloads.py"


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    r = run_cli("--profile", "quick", "--repeats", "2", "--schedulers", FIVE, "--workloads", FAST,
                "--out", str(out), "--no-dashboard-link")
    assert r.returncode == 0, r.stderr[-2000:]
    (run_dir,) = [p for p in out.iterdir() if p.is_dir()]
    return run_dir, r


@pytest.mark.slow
def test_run_writes_one_row_per_repeat_for_every_spec(tiny_run):
    run_dir, _ = tiny_run
    res = load(run_dir)
    main = res.rows[res.rows["control"].fillna("") == ""]
    counts = main.groupby(["workload", "scheduler"]).size()
    assert set(main["scheduler"]) == set(FIVE.split(","))
    assert set(main["workload"]) == {"kernel-sleep-nogil", "kernel-sleep-gil", "my-rolling-energy", "my-tokenise"}
    assert (counts == 2).all(), counts
    assert (main["status"] == "ok").all(), main[main["status"] != "ok"][["workload", "scheduler", "error"]]
    assert main["check_ok"].all()
    assert not res.skipped


@pytest.mark.slow
def test_run_records_metadata_and_startup(tiny_run):
    run_dir, _ = tiny_run
    meta = json.loads((run_dir / records.META).read_text())
    for key in ("cores", "cpu_model", "python", "versions", "blas", "gil_enabled", "switch_interval_s",
                "command", "profile", "load_avg_at_start", "thread_env"):
        assert key in meta, key
    assert meta["versions"]["dask"] and meta["versions"]["Cython"]
    assert meta["complete"] is True
    st = load(run_dir).startup
    assert set(st["scheduler"]) == set(FIVE.split(","))
    assert (st[st["kind"] == "distributed"]["start_s"] > 0).all()


@pytest.mark.slow
def test_instruments_measure_under_every_scheduler(tiny_run):
    run_dir, _ = tiny_run
    t = load(run_dir).rows
    t = t[t["control"].fillna("") == ""]
    # Task streams: as many tasks captured as the graph has (or a recorded mismatch).
    assert (t["ntasks_captured"] > 0).all()
    # Bytes: zero by construction for shared memory, positive across processes.
    assert (t[t["kind"].isin(["sync", "threads"])]["bytes_moved"] == 0).all()
    assert (t[t["kind"].isin(["processes", "distributed"])]["bytes_moved"] > 0).all()
    # GIL contention in every process that ran tasks.
    assert t["gil_median"].notna().all()
    procs = t[t["scheduler"] == "processes-2"]["gil"].map(len)
    assert (procs >= 1).all()
    # CPU time: counted in clock ticks, so a sleeping kernel may honestly use none; the computing ones do.
    assert (t["cpu_s"] >= 0).all() and (t["peak_rss"] > 0).all()
    assert (t[t["workload"].str.startswith("my-")]["cpu_s"] > 0).all()
    for sched in FIVE.split(","):
        assert records.tasks_path(run_dir, "my-tokenise", sched).exists()


@pytest.mark.slow
def test_run_renders_reports(tiny_run):
    run_dir, r = tiny_run
    dash = (run_dir / "dashboard.html").read_text()
    assert "<html" in dash.lower()
    import re
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', dash)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert {row["scheduler"] for row in summary["table"]} == set(FIVE.split(","))
    assert str(run_dir / "dashboard.html") in r.stdout or "dashboard" in r.stdout
    assert "leftover" not in r.stderr


@pytest.mark.slow
def test_reports_rebuild_from_the_folder_alone(tiny_run, tmp_path):
    import shutil

    run_dir, _ = tiny_run
    copy = tmp_path / run_dir.name
    shutil.copytree(run_dir, copy)
    for f in ("dashboard.html", "summary.json"):
        (copy / f).unlink()
    r = subprocess.run([sys.executable, "-m", "reports.build", str(copy), "-q"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert (copy / "dashboard.html").stat().st_size > 10_000
    assert json.loads((copy / "summary.json").read_text())["run_id"] == run_dir.name


@pytest.mark.slow
def test_compare_from_a_notebook_returns_table_and_recommendation(tmp_path):
    import dask.array as da

    from runners.all import compare

    x = da.random.default_rng(3).random((1_000, 1_000), chunks=250)
    table, rec = compare(lambda: (x @ x.T).sum(), ["threads-2"], repeats=2, name="gram", collection="array",
                         out=tmp_path)
    assert set(table["scheduler"]) == {"sync", "threads-2"}
    assert table["check_ok"].all() and table["median_s"].notna().all()
    assert rec["workload"] == "gram" and rec["scheduler"] in {"sync", "threads-2"}
    assert "GIL" in rec["explanation"] or "gil" in rec["explanation"].lower()
    assert list(tmp_path.iterdir())  # the results folder is kept where asked
