"""The model checked across cores in one command (runners/across_cores.py): the taskset check, the plan, the errors.

The whole command (two runs of the suite) is run by hand where a machine has more cores; here the parts
that decide whether it may run at all are tested.
"""
from __future__ import annotations

import os
import shutil

import pytest

from runners import across_cores

two_cores = pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2 or shutil.which("taskset") is None,
                               reason="needs taskset and at least 2 usable cores")


@two_cores
def test_taskset_is_seen_to_limit_a_child_to_its_cores():
    d = across_cores.taskset_honoured([sorted(os.sched_getaffinity(0))[0]])
    # a child on one core sees one core, and two busy processes there keep no more than that one busy
    assert d["affinity"] == 1 and d["processes"] == 2
    assert d["honoured"] is True and 0.5 < d["cores_busy"] <= 1.25, d["why"]


def test_a_missing_taskset_is_said_not_honoured(monkeypatch):
    monkeypatch.setattr(across_cores.shutil, "which", lambda name: None)
    d = across_cores.taskset_honoured([0])
    assert d["honoured"] is False and "taskset" in d["why"]


def test_a_fit_on_every_core_is_refused_before_anything_runs(capsys, monkeypatch, tmp_path):
    ran = []
    monkeypatch.setattr(across_cores, "taskset_honoured", lambda cpus: ran.append(cpus) or {"honoured": True})
    n = len(os.sched_getaffinity(0))
    assert across_cores.main(["--fit-cores", str(n), "--out", str(tmp_path)]) == 2
    assert "fewer than that" in capsys.readouterr().err and ran == []


def test_a_limit_not_enforced_stops_the_command(capsys, monkeypatch, tmp_path):
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs 2 usable cores")
    monkeypatch.setattr(across_cores, "taskset_honoured",
                        lambda cpus: {"honoured": False, "why": "a child saw 2 cores (asked 1)"})
    monkeypatch.setattr(across_cores, "_run", lambda *a: pytest.fail("a run started"))
    assert across_cores.main(["--fit-cores", "1", "--workers", "2", "--out", str(tmp_path)]) == 1
    assert "taskset does not limit" in capsys.readouterr().err


def test_the_plan_measures_every_worker_count_up_to_the_machine_and_predicts_them(monkeypatch, tmp_path):
    calls = []

    def fake_run(cmd, out, log):
        calls.append(cmd)
        return out / "run"

    monkeypatch.setattr(across_cores, "taskset_honoured", lambda cpus: {"honoured": True, "why": "ok"})
    monkeypatch.setattr(across_cores, "_run", fake_run)
    monkeypatch.setattr(across_cores.os, "sched_getaffinity", lambda pid: set(range(16)))
    monkeypatch.setattr(across_cores, "check", lambda fit, measured: {
        "pairs": [], "workloads": [], "hit_rate": None, "decided": 0, "median_abs_error": None,
        "misses_over_2x": []})
    assert across_cores.main(["--fit-cores", "2", "--out", str(tmp_path)]) == 0
    fit, measured = calls
    assert fit[:3] == ["taskset", "-c", "0,1"] and fit[fit.index("--predict-cores") + 1] == "4,8,16"
    assert measured[measured.index("--schedulers") + 1] == ("sync,threads-2,processes-2,threads-4,processes-4,"
                                                            "threads-8,processes-8,threads-16,processes-16")
    assert (tmp_path / "table.md").read_text().startswith("Fitted on 2 of 16 cores")


@two_cores
def test_a_taskset_that_ignores_its_cores_is_caught(tmp_path, monkeypatch):
    # a stand-in taskset that runs the command on every core: the child sees them all and keeps more busy
    fake = tmp_path / "taskset"
    fake.write_text('#!/bin/sh\nshift 2\nexec "$@"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    d = across_cores.taskset_honoured([sorted(os.sched_getaffinity(0))[0]])
    # (how many cores its processes keep busy depends on what else runs: the tests beside it, here)
    assert d["honoured"] is False and d["affinity"] >= 2 and "(asked 1)" in d["why"], d["why"]


@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP", "SIGKILL"])
def test_a_run_never_outlives_the_command(tmp_path, how):
    # the command (a stand-in for runners.all: a sleeper that notes its pid) is stopped by a signal, or killed
    # outright; the run it started goes too: through _run's finally, or the kernel's parent-death signal
    import signal
    import subprocess
    import sys
    import time

    pidfile = tmp_path / "pid"
    sleeper = f"import os, time; open({str(pidfile)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    outer = (f"import sys; from pathlib import Path; from runners import across_cores as a\n"
             f"a._stop_on_signals()\n"
             f"a._run([sys.executable, '-c', {sleeper!r}], Path({str(tmp_path / 'out')!r}), Path({str(tmp_path / 'log')!r}))")
    proc = subprocess.Popen([sys.executable, "-c", outer], cwd=os.getcwd())
    try:
        for _ in range(200):
            if pidfile.exists() and pidfile.read_text():
                break
            time.sleep(0.05)
        child = int(pidfile.read_text())
        os.kill(proc.pid, getattr(signal, how))
        proc.wait(timeout=30)
        for _ in range(200):
            try:
                os.kill(child, 0)
            except ProcessLookupError:
                break
            # a zombie is gone as far as work goes: its parent (the outer, now dead) was reparented away
            if open(f"/proc/{child}/stat").read().split(")")[-1].split()[0] == "Z":
                break
            time.sleep(0.05)
        else:
            os.kill(child, signal.SIGKILL)
            pytest.fail(f"the run outlived the command ({how})")
    finally:
        if proc.poll() is None:
            proc.kill()
