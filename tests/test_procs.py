"""Processes (runners/procs.py): signals as Ctrl-C, leftovers stopped, orphans reaped."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

import psutil
import pytest

from runners import procs
from runners.cli import Terminated


def test_a_termination_signal_raises_terminated_with_its_number(monkeypatch):
    monkeypatch.setattr(procs, "RECEIVED", [])  # a stop left recorded would stop every later run of this process
    with pytest.raises(Terminated) as e:
        procs.on_term(signal.SIGTERM, None)
    assert e.value.args[0] == signal.SIGTERM


def test_kill_children_stops_every_process_this_one_started_and_reaps_it():
    # In a child of its own, so that only what that child started is stopped.
    script = ("import subprocess, sys, time; from runners import procs; "
              "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); time.sleep(0.2); "
              "procs.kill_children(); print(p.pid)")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "WARNING: stopping 1 leftover process(es)" in r.stderr
    assert not psutil.pid_exists(int(r.stdout))  # stopped and reaped: not even a zombie



def test_kill_children_does_not_wait_on_the_resource_tracker_while_a_spawned_worker_lives():
    """A spawned worker inherits the resource tracker's pipe: the tracker cannot stop before the worker
    does (a SIGTERM'd run once hung here, its distributed workers still alive)."""
    script = ("import multiprocessing as mp, time\n"
              "from runners import procs\n"
              "if __name__ == '__main__':\n"
              "    p = mp.get_context('spawn').Process(target=time.sleep, args=(60,)); p.start(); time.sleep(1.0)\n"
              "    procs.kill_children(); print(p.pid)\n")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=45)
    assert r.returncode == 0, r.stderr
    assert "WARNING: stopping 1 leftover process(es)" in r.stderr
    assert not psutil.pid_exists(int(r.stdout))

def test_reap_collects_a_child_that_has_exited():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while psutil.Process(child.pid).status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
        time.sleep(0.01)
    procs.reap(grace_s=0.1)
    assert not psutil.pid_exists(child.pid)


def test_is_ours_and_cmdline_hold_up_for_a_process_that_is_gone():
    gone = psutil.Process(subprocess.Popen([sys.executable, "-c", "pass"]).pid)
    gone.wait(timeout=10)
    assert not procs.is_ours(gone) and procs.cmdline(gone) == []
    assert procs.is_ours(psutil.Process()) and procs.cmdline(psutil.Process())


def test_progress_writes_a_line_to_stderr(capsys):
    procs.progress("hello")
    assert capsys.readouterr().err == "hello\n"


def test_a_run_starts_with_no_stop_recorded(monkeypatch):
    """main() forgets stops of an earlier run in the same process (tests run the CLI in-process): one left over
    raised Terminated at the next repeat and took a pytest worker down."""
    from runners import all as cli

    monkeypatch.setattr(procs, "RECEIVED", [signal.SIGTERM])
    monkeypatch.setattr(cli, "_main", lambda args: 1 if procs.RECEIVED else 0)
    monkeypatch.setattr(cli, "become_subreaper", lambda: None)
    monkeypatch.setattr(cli, "kill_children", lambda **kw: None)
    monkeypatch.setattr(cli.signal, "signal", lambda *a: None)
    with pytest.raises(SystemExit) as e:
        cli.main(["--profile", "quick"])
    assert e.value.code == 0 and procs.RECEIVED == []


def test_a_ctrl_c_lost_while_the_reports_are_built_still_ends_the_run_as_interrupted(monkeypatch, tmp_path):
    """A run sent SIGINT at "rendering reports" once exited 0: the KeyboardInterrupt was raised where it was lost
    (a finaliser, while the report build collected garbage).  The recorded stop still decides the status."""
    import reports.build
    from runners import all as cli

    def build(run_dir):
        try:
            procs.on_term(signal.SIGINT, None)  # handled inside a finaliser: raised, and lost
        except KeyboardInterrupt:
            pass
        return {}

    monkeypatch.setattr(procs, "RECEIVED", [])
    monkeypatch.setattr(reports.build, "build", build)
    assert cli._render(tmp_path, 0, False) == 130
    monkeypatch.setattr(procs, "RECEIVED", [])
    monkeypatch.setattr(reports.build, "build", lambda run_dir: {})
    assert cli._render(tmp_path, 0, False) == 0
