"""Run the CLI as a user would, in its own session, and check it leaves no process behind."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, timeout: float = 400, **popen) -> subprocess.CompletedProcess:
    """Run ``python -m runners.all`` in its own session; fail if it leaves a process behind."""
    p = subprocess.Popen([sys.executable, "-m", "runners.all", *args], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True, **popen)
    out, err = p.communicate(timeout=timeout)
    time.sleep(2)
    left = [q for q in psutil.process_iter(["pid", "name", "status", "cmdline"]) if pgid(q.pid) == p.pid]
    for q in left:
        q.kill()
    assert not left, f"processes left behind: {[q.info for q in left]}"
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


def pgid(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except OSError:
        return None


