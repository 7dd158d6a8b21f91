"""The GIL hand-over counter (runners/gilcount.py, kernels/shim/gilcount.c): exact on one core too."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from runners import gilcount

ROOT = Path(__file__).resolve().parent.parent
needs_counter = pytest.mark.skipif(not gilcount.available(), reason="no counting library on this platform")


def _python(code: str, preload: bool, cores: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", gilcount.ENV)}
    if preload:
        env["LD_PRELOAD"] = str(gilcount.library())
    cmd = [sys.executable, "-c", code]
    if cores is not None:
        cmd = ["taskset", "-c", cores, *cmd]
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


_RETAKES = """
import json, numpy as np
from kernels._compute import trig_sum_retake, trig_sum_nogil
from runners import gilcount
x = np.random.default_rng(0).random(5000)
a = gilcount.signals(); trig_sum_retake(x, 8, k=1); b = gilcount.signals(); trig_sum_nogil(x, 8); c = gilcount.signals()
print(json.dumps({"retake": None if a is None else b - a, "nogil": None if b is None else c - b}))
"""


@needs_counter
def test_two_signals_per_release_and_retake_even_on_one_core():
    # 5 000 elements x 8 terms, a `with gil:` block per term: 40 000 releases and retakes.  On one
    # core, where the GIL probe reads nothing, the count is as exact as on two.
    cores = "0" if _has_taskset() else None
    got = _python(_RETAKES, preload=True, cores=cores)
    assert 80_000 <= got["retake"] <= 80_000 + 200  # + what other threads' GIL takes add (none here)
    assert got["nogil"] <= 50  # the GIL-free loop: released once


def test_without_the_library_preloaded_nothing_is_counted():
    got = _python(_RETAKES, preload=False)
    assert got == {"retake": None, "nogil": None}
    assert gilcount.signals() is None or os.environ.get(gilcount.ENV) is not None


@needs_counter
def test_the_command_line_restarts_itself_counted_and_keeps_the_library_from_its_children():
    code = ("import json, os; from runners import gilcount; gilcount.reexec_counted([]); gilcount.restore_env(); "
            "print(json.dumps({'active': gilcount.active(), 'preload': os.environ.get('LD_PRELOAD'), "
            "'pid': os.getpid()}))")
    got = _python(code, preload=False)
    assert got["active"] is True and got["preload"] is None


@needs_counter
def test_a_users_own_preload_is_kept_for_the_children():
    lib = str(gilcount.library())
    code = ("import json, os; from runners import gilcount; gilcount.reexec_counted([]); gilcount.restore_env(); "
            "print(json.dumps({'active': gilcount.active(), 'preload': os.environ.get('LD_PRELOAD')}))")
    env = {k: v for k, v in os.environ.items() if k != gilcount.ENV}
    env["LD_PRELOAD"] = lib  # stands for a user's own preload (any library): it must come back as it was
    out = subprocess.run([sys.executable, "-c", code.replace("reexec_counted([])", "reexec_counted(['x'])")],
                         env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["active"] is True and got["preload"] == lib  # already counted: no restart, nothing taken away


def test_nothing_to_measure_no_restart(monkeypatch):
    calls = []
    monkeypatch.setattr(os, "execve", lambda *a: calls.append(a))
    monkeypatch.delenv(gilcount.ENV, raising=False)
    gilcount.reexec_counted(["--list"])
    gilcount.reexec_counted(["--help"])
    assert calls == []


@needs_counter
def test_a_sync_repeat_records_the_counted_release_rate():
    code = """
import json, numpy as np, dask
from runners.measure import Instruments
from runners.schedulers.inprocess import measure_in_process
from kernels._compute import trig_sum_retake
x = np.random.default_rng(0).random(20000)
m = measure_in_process(lambda: trig_sum_retake(x, 8, k=1), Instruments(tasks=False, gil=True, bytes=False,
                       resources=False), None, here=True)
print(json.dumps({"rate": m.extra.get("gil_release_rate"), "source": m.extra.get("gil_release_source"),
                  "wall": m.wall_s}), flush=True)
import os
os._exit(0)  # as the command line leaves: gilknocker's thread can abort interpreter finalisation
"""
    got = _python(code, preload=True)
    assert got["source"] == "counted"
    assert got["rate"] * got["wall"] == pytest.approx(160_000, rel=0.02)  # 20 000 x 8 releases, + the samplers'


def _has_taskset() -> bool:
    try:
        return subprocess.run(["taskset", "-c", "0", "true"], capture_output=True).returncode == 0
    except OSError:
        return False


def test_switched_off_it_neither_restarts_nor_touches_a_users_preload(monkeypatch):
    calls = []
    monkeypatch.setattr(os, "execve", lambda *a: calls.append(a))
    monkeypatch.setenv(gilcount.ENV, "off")
    monkeypatch.setenv("LD_PRELOAD", "/usr/lib/users-own.so")
    gilcount.reexec_counted([])
    gilcount.restore_env()
    assert calls == [] and os.environ["LD_PRELOAD"] == "/usr/lib/users-own.so"
