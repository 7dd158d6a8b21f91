"""Faults and interruption: nothing finished is lost, no process is left behind."""
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
from _cli import ROOT, pgid, run_cli

PLUGIN = str(ROOT / "tests" / "plugins" / "faulty.py")


@pytest.mark.slow
def test_raise_hang_and_mismatch_are_recorded_and_the_run_goes_on(tmp_path):
    r = run_cli("--workloads", PLUGIN, "--schedulers", "sync,threads-2,processes-2", "--repeats", "2",
                "--timeout", "3", "--profile", "quick", "--out", str(tmp_path), "--no-dashboard-link",
                timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    (run_dir,) = list(tmp_path.iterdir())
    rows = load(run_dir).rows
    by = rows.groupby("workload")
    boom = by.get_group("faulty-boom")
    assert set(boom["status"]) == {"error"}
    assert (boom["error_type"] == "RuntimeError").all() and boom["traceback"].str.contains("boom").all()
    assert set(by.get_group("faulty-hang")["status"]) == {"timeout"}
    liar = by.get_group("faulty-liar")
    assert "mismatch" in set(liar["status"]) and liar["check_detail"].str.len().gt(0).any()
    fine = by.get_group("faulty-fine")
    assert (fine["status"] == "ok").sum() == 6  # 3 specs x 2 repeats: the run went on
    summary = json.loads((run_dir / "summary.json").read_text())
    assert {f["workload"] for f in summary["failures"]} >= {"faulty-boom", "faulty-hang", "faulty-liar"}
    dash = (run_dir / "dashboard.html").read_text()
    assert "faulty-boom" in dash


def _wait_for(path: Path, pattern: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and pattern in path.read_text():
            return
        assert proc.poll() is None, "run ended before the signal could be sent"
        time.sleep(0.05)
    raise AssertionError(f"{pattern!r} never appeared")


def _count_rows(run_dir: Path) -> int:
    return len(list(records.read(run_dir / records.ROWS)))


@pytest.mark.slow
@pytest.mark.parametrize(
    "sig, when, code",
    [
        (signal.SIGINT, "starting processes-2", 130),  # during pool start-up
        (signal.SIGINT, "[5/", 130),  # during a repeat
        (signal.SIGTERM, "[3/", 143),
        (signal.SIGINT, "rendering reports", 130),  # during the report build
    ],
)
def test_signal_stops_everything_keeps_rows_and_resume_finishes(sig, when, code, tmp_path):
    out = tmp_path / "out"
    err = tmp_path / "err"
    args = [sys.executable, "-m", "runners.all", "--profile", "quick", "--repeats", "2", "--out", str(out),
            "--schedulers", "sync,threads-2,processes-2,distributed-2x1", "--no-dashboard-link",
            "--workloads", "kernel-sleep-nogil,kernel-compute-nogil,bag-json"]
    with err.open("w") as ferr:
        p = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=ferr, start_new_session=True)
        try:
            _wait_for(err, when, p)
            (run_dir,) = list(out.iterdir())
            before = _count_rows(run_dir)
            p.send_signal(sig)
            assert p.wait(timeout=60) == code
        finally:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
    time.sleep(2)
    left = [q for q in psutil.process_iter(["pid", "cmdline"]) if pgid(q.pid) == p.pid]
    assert not left, [q.info for q in left]
    assert _count_rows(run_dir) >= before  # nothing finished was lost
    text = err.read_text()
    assert "--resume" in text
    if when != "rendering reports":  # interrupted while writing them, reports come with --resume
        assert (run_dir / "dashboard.html").exists()  # reports written from what exists
    r = run_cli("--out", str(out), "--resume", run_dir.name, timeout=400)
    assert r.returncode == 0, r.stderr[-1500:]
    meta = json.loads((run_dir / records.META).read_text())
    assert meta["complete"] is True and meta["resumed"]
    rows = load(run_dir).rows
    main = rows[rows["control"].fillna("") == ""]
    counts = main.groupby(["workload", "scheduler"]).size()
    # named schedulers: every selected workload under every one of them
    assert len(counts) == 3 * 4 and (counts >= 2).all(), counts
