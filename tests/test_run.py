"""The measurement loop (runners/run.py): in process on a tiny plan, and end to end with all five specs."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import pandas as pd
import pytest

from reports.load import load
from runners import records
from runners.plan import Plan
from runners.profiles import PROFILES
from runners.records.kinds import parse, parse_list
from runners.run import execute
from workloads import catalogue

from _cli import run_cli

FIVE = "sync,threads-2,processes-2-tuned,distributed-2x1-tuned,distributed-1x2-tuned"
LABELS = {s.label for s in parse_list(FIVE)}  # the tuned readings' labels: processes-2, distributed-2x1, ...
FAST = "kernel-sleep-nogil,kernel-sleep-gil,examples/my_workloads.py"


@pytest.fixture(autouse=True)
def _no_bursts(monkeypatch):
    """These tests count rounds: another test process (pytest -n) must not make a round a burst, measured again."""
    monkeypatch.setattr("runners.interference.BURST_CORES", float("inf"))


def _plan(*workloads, specs=("sync", "threads-2"), repeats=2):
    return Plan(profile=PROFILES["quick"], workloads={w.name: w for w in workloads}, specs=[parse(s) for s in specs],
                repeats=repeats, fixed=True, controls=False, check_plain=False, dashboard=False)


def _main_rows(run_dir):
    return [r for r in records.read(run_dir / records.ROWS) if not r.get("control")]


def test_execute_measures_every_spec_in_rounds_and_records_why_they_stopped(tmp_path):
    said: list[str] = []
    execute(tmp_path, "r1", _plan(catalogue()["delayed-null"]), said.append)
    rows = _main_rows(tmp_path)
    assert sorted((r["scheduler"], r["round"], r["status"]) for r in rows) == [
        (s, i, "ok") for s in ("sync", "threads-2") for i in (0, 1)]
    assert all(r["check_ok"] and r["session"] == 0 and r["ntasks_graph"] > 0 for r in rows)
    (stopped,) = records.read(tmp_path / records.ROUNDS)
    assert (stopped["workload"], stopped["rounds"], stopped["stopped"]) == ("delayed-null", 2, "fixed repeats")
    startup = {r["scheduler"]: r for r in records.read(tmp_path / records.STARTUP)}
    assert sorted(startup) == ["sync", "threads-2"] and all(r["stop_s"] is not None for r in startup.values())
    assert len(list(records.read(tmp_path / records.INTERFERENCE))) == 2  # one record per round
    assert said[-1].startswith("[1/1]") and said[-1].endswith("delayed-null: sync, threads-2")


def test_a_predicting_run_times_what_each_workloads_fresh_workers_import_on_its_sync_rows(tmp_path):
    plan = replace(_plan(catalogue()["delayed-null"], catalogue()["array-transcendental"], specs=("sync",), repeats=1),
                   worker_imports=True)
    execute(tmp_path, "r1", plan)
    got = {r["workload"]: r["extra"] for r in _main_rows(tmp_path)}
    assert all(e["worker_imports_s"] > 0 and e["worker_modules"] >= 1 for e in got.values())
    assert got["array-transcendental"]["worker_modules"] > got["delayed-null"]["worker_modules"]  # NumPy, dask.array
    execute(tmp_path / "plain", "r2", _plan(catalogue()["delayed-null"], specs=("sync",), repeats=1))
    assert not any("worker_imports_s" in (r.get("extra") or {}) for r in _main_rows(tmp_path / "plain"))


def test_a_resumed_run_skips_what_is_finished_and_retries_nothing_else(tmp_path):
    plan = _plan(catalogue()["delayed-null"], specs=("sync",))
    execute(tmp_path, "r1", plan)
    before = (tmp_path / records.ROWS).read_bytes()
    execute(tmp_path, "r1", plan)
    assert (tmp_path / records.ROWS).read_bytes() == before  # the workload's rounds had stopped: finished


def test_a_workload_that_cannot_be_built_fails_under_every_spec_and_the_run_goes_on(tmp_path):
    def broken(size, seed):
        raise MemoryError("too big")

    bad = replace(catalogue()["delayed-null"], name="broken", build=broken)
    execute(tmp_path, "r1", _plan(bad, catalogue()["delayed-null"], repeats=1))
    failed = [r for r in _main_rows(tmp_path) if r["workload"] == "broken"]
    assert sorted(r["scheduler"] for r in failed) == ["sync", "threads-2"]
    assert all(r["status"] == "error" and r["error"] == "build failed: too big" for r in failed)
    stops = {r["workload"]: r["stopped"] for r in records.read(tmp_path / records.ROUNDS)}
    assert stops == {"broken": "build failed", "delayed-null": "fixed repeats"}


def test_a_result_that_disagrees_with_sync_is_a_mismatch_with_its_size(tmp_path):
    w = catalogue()["delayed-null"]
    liar = replace(w, name="liar", check=lambda result, reference: False)
    execute(tmp_path, "r1", _plan(liar, specs=("sync",), repeats=1))
    (row,) = _main_rows(tmp_path)
    assert row["status"] == "mismatch" and row["check_detail"]


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
    # A round the interference watch left out (other tests load the machine) was measured again: its rows stay
    # in the file, marked by the watch, and do not count.
    burst = [(w, f"{s}:{r}") in res.bursts for w, s, r in zip(main["workload"], main["session"], main["round"])]
    main = main[~pd.Series(burst, index=main.index)]
    counts = main.groupby(["workload", "scheduler"]).size()
    assert set(main["scheduler"]) == LABELS
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
                "command", "profile", "load_avg_at_start", "thread_env", "allocator"):
        assert key in meta, key
    assert meta["versions"]["dask"] and meta["versions"]["Cython"]
    assert meta["complete"] is True
    if sys.platform.startswith("linux"):  # glibc: the runner fixed its thresholds before it timed anything
        assert meta["allocator"] == {"set": True, "mmap_threshold": 32 * 2**20, "trim_threshold": 64 * 2**20}
    st = load(run_dir).startup
    assert set(st["scheduler"]) == LABELS
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
    for sched in sorted(LABELS):
        assert records.tasks_path(run_dir, "my-tokenise", sched).exists()


@pytest.mark.slow
def test_run_renders_reports(tiny_run):
    run_dir, r = tiny_run
    dash = (run_dir / "dashboard.html").read_text()
    assert "<html" in dash.lower()
    import re
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', dash)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert {row["scheduler"] for row in summary["table"]} == LABELS
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
