"""Faults and interruption: nothing finished is lost, no process is left behind."""
from __future__ import annotations

import errno
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
    r = run_cli("--workloads", PLUGIN, "--schedulers", "sync,threads-2,processes-2-tuned", "--repeats", "2",
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
    # 3 specs x 2 repeats: the run went on (a round disturbed by a burst on a busy machine is run again, so more)
    ok = fine[fine["status"] == "ok"].groupby("scheduler").size()
    assert set(ok.index) == {"sync", "threads-2", "processes-2"} and ok.min() >= 2
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


def _complete_lines_of(data: bytes) -> bytes:
    """The whole lines of *data*: what a crash at that moment could not take back."""
    return data[: data.rfind(b"\n") + 1]


def _complete_lines(run_dir: Path) -> bytes:
    p = run_dir / records.ROWS
    return p.read_bytes() if p.exists() else b""


def _damaged(run_dir: Path) -> int:
    skipped: list[str] = []
    list(records.read(run_dir / records.ROWS, skipped))
    return len(skipped)


@pytest.mark.slow
@pytest.mark.parametrize(
    "sig, when, code",
    [
        (signal.SIGINT, "starting processes-2", 130),  # during pool start-up
        (signal.SIGINT, "[2/", 130),  # during a repeat (the second workload)
        (signal.SIGTERM, "[3/", 143),
        (signal.SIGHUP, "[3/", 129),  # the terminal closed: handled like SIGTERM
        (signal.SIGINT, "rendering reports", 130),  # during the report build
    ],
)
def test_signal_stops_everything_keeps_rows_and_resume_finishes(sig, when, code, tmp_path):
    out = tmp_path / "out"
    err = tmp_path / "err"
    args = [sys.executable, "-m", "runners.all", "--profile", "quick", "--repeats", "2", "--out", str(out),
            "--schedulers", "sync,threads-2,processes-2-tuned,distributed-2x1-tuned", "--no-dashboard-link",
            "--no-controls", "--no-experiments",  # signals are tested in the measurement and the reports
            "--workloads", "kernel-sleep-nogil,kernel-compute-nogil,bag-json"]
    with err.open("w") as ferr:
        p = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=ferr, start_new_session=True)
        try:
            _wait_for(err, when, p)
            (run_dir,) = list(out.iterdir())
            before = (run_dir / records.ROWS).read_bytes() if (run_dir / records.ROWS).exists() else b""
            p.send_signal(sig)
            assert p.wait(timeout=60) == code
        finally:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
    time.sleep(2)
    left = [q for q in psutil.process_iter(["pid", "cmdline"]) if pgid(q.pid) == p.pid]
    assert not left, [q.info for q in left]
    assert _complete_lines(run_dir).startswith(_complete_lines_of(before))  # nothing finished lost or rewritten
    text = err.read_text()
    assert "--resume" in text
    if when != "rendering reports":  # interrupted while writing them, reports come with --resume
        assert (run_dir / "dashboard.html").exists()  # reports written from what exists
    damaged_before = _damaged(run_dir)
    r = run_cli("--out", str(out), "--resume", run_dir.name, timeout=400)
    assert r.returncode == 0, r.stderr[-1500:]
    assert _complete_lines(run_dir).startswith(_complete_lines_of(before))
    assert _damaged(run_dir) <= damaged_before  # no row of the resume glued onto a cut-off line
    meta = json.loads((run_dir / records.META).read_text())
    assert meta["complete"] is True and meta["resumed"]
    rows = load(run_dir).rows
    main = rows[rows["control"].fillna("") == ""]
    counts = main.groupby(["workload", "scheduler"]).size()
    # named schedulers: every selected workload under every one of them
    assert len(counts) == 3 * 4 and (counts >= 2).all(), counts


def _session(sid: int) -> list[psutil.Process]:
    """Live processes of session *sid*; zombies of it that are ours to reap are reaped first."""
    out = []
    for q in psutil.process_iter(["pid", "status"]):
        try:
            if os.getsid(q.pid) != sid:
                continue
        except OSError:
            continue
        if q.info["status"] == psutil.STATUS_ZOMBIE:
            try:  # adopted by this process (a subreaper): reap it, it is gone
                os.waitpid(q.pid, os.WNOHANG)
                continue
            except ChildProcessError:
                pass
        out.append(q)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("sched", ["processes-2-tuned", "distributed-2x1-tuned", "processes-2-shipped",
                                   "distributed-2x1-shipped"])
def test_sigkill_of_the_runner_leaves_no_process(sched, tmp_path):
    err = tmp_path / "err"
    args = [sys.executable, "-m", "runners.all", "--profile", "quick", "--repeats", "30", "--no-controls",
            "--no-dashboard-link", "--workloads", "bag-json,delayed-busy-1000", "--schedulers", f"sync,{sched}",
            "--out", str(tmp_path / "out")]
    with err.open("w") as ferr:
        p = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=ferr, start_new_session=True)
        try:
            _wait_for(err, f"{sched.removesuffix('-tuned')} up in", p, timeout=240)
            time.sleep(1.5)  # in the middle of a repeat
            deadline = time.monotonic() + 30
            while len(_session(p.pid)) < 3 and time.monotonic() < deadline:  # as shipped: while its pool runs
                time.sleep(0.05)
            before = _session(p.pid)
            assert len(before) >= 3, [q.info for q in before]  # the runner and its workers
            p.kill()
            p.wait()
            deadline = time.monotonic() + 5
            while _session(p.pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            left = _session(p.pid)
        finally:
            for q in _session(p.pid):
                q.kill()
    assert not left, [(q.pid, _cmd(q)) for q in left]


def _cmd(q: psutil.Process) -> str:
    try:
        return " ".join(q.cmdline())[:100]
    except psutil.Error as e:
        return type(e).__name__


def _limit_file_size(limit: int):
    def limit_it() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_it


@pytest.mark.slow
def test_write_error_keeps_rows_names_it_and_resume_loses_no_row(tmp_path):
    """A real write failure (the file-size limit, as a full disk would): one ERROR line, rows kept."""
    out = tmp_path / "out"
    args = [sys.executable, "-m", "runners.all", "--profile", "quick", "--repeats", "5", "--no-tasks",
            "--no-dashboard-link", "--workloads", "delayed-null,delayed-busy-10,delayed-busy-100",
            "--schedulers", "sync,threads-2", "--out", str(out)]
    r = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300,
                       preexec_fn=_limit_file_size(16_000))
    errors = [ln for ln in r.stderr.splitlines() if ln.startswith("ERROR")]
    assert r.returncode == 1, r.stderr[-2000:]
    assert len(errors) == 1 and records.ROWS in errors[0] and os.strerror(errno.EFBIG) in errors[0], errors
    assert "is gone" not in r.stderr and "--resume" in r.stderr
    (run_dir,) = list(out.iterdir())
    kept = _complete_lines(run_dir)
    n_kept = len(list(records.read(run_dir / records.ROWS)))
    assert n_kept >= 5
    r2 = run_cli("--out", str(out), "--resume", run_dir.name, timeout=300)
    assert r2.returncode == 0, r2.stderr[-1500:]
    assert _complete_lines(run_dir).startswith(kept)
    rows = load(run_dir).rows
    assert len(rows) >= n_kept and _damaged(run_dir) <= 1
    assert (rows.groupby(["workload", "scheduler"]).size() >= 5).all()
