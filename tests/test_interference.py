"""Interference readings (runners/interference.py): snapshots, attribution to other processes, bursts, summaries.

About 2 s of real time: an idle reading, one orphaned busy process and one busy loop here, ~0.8 s each.  The
machine may be noisy (2 cores, another benchmark), so the only timings asserted are coarse: the orphan shows up
as other processes, our own loop does not (absolutely only when the idle reading was quiet).
"""
from __future__ import annotations

import math
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runners import interference
from runners.interference import BURST_CORES, Baseline, Load, Probe, Snapshot, Watch

linux_only = pytest.mark.skipif(not os.path.exists("/proc/stat"), reason="needs /proc/stat")
FIELDS = ("busy_s", "steal_s", "total_s", "own_s", "load1", "freq_mhz")


def _busy_here(seconds: float) -> None:
    t = time.monotonic()
    while time.monotonic() - t < seconds:
        pass


@linux_only
def test_snapshot_fields_are_numbers_or_none_and_monotone():
    p = Probe()
    a = p.snapshot()
    _busy_here(0.05)
    b = p.snapshot()
    for s in (a, b):
        for f in FIELDS:
            v = getattr(s, f)
            assert v is None or (isinstance(v, float) and math.isfinite(v) and v >= 0), (f, v)
    assert None not in (a.busy_s, a.total_s, a.steal_s, a.own_s)
    assert b.t > a.t and b.busy_s >= a.busy_s and b.total_s >= a.total_s and b.own_s >= a.own_s
    assert a.total_s >= a.busy_s + a.steal_s
    x = p.between(a, b)
    assert set(x) == {"seconds", "steal", "steal_cores", "other_cores", "load1", "freq_mhz", "pace_s"}
    assert x["seconds"] > 0 and 0 <= x["steal"] <= 1 and x["other_cores"] >= 0
    assert 0 < x["pace_s"] < 0.5 and x["pace_s"] == pytest.approx((a.pace_s + b.pace_s) / 2)


def test_the_pace_loop_times_the_cores_speed_when_another_process_shares_it():
    # the loop's time is the CPU it got: on one core beside other processes spinning there, a share of it.
    # (What it is for is a core that runs slower, a neighbour on its hyperthread or a lowered clock, which no
    # test can stage; a process beside it on the same core is what one can.)
    import os

    from runners.interference import _pace

    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("needs sched_setaffinity")
    before = os.sched_getaffinity(0)
    core = {min(before)}
    os.sched_setaffinity(0, core)
    try:
        alone = min(_pace(300_000) for _ in range(3))  # ~10 ms: longer than a time slice
        # three spinners: the loop gets a quarter of the core, still well under half where a test running in
        # parallel shared it with the loop alone too (a half then, a fifth now)
        spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(3)]
        try:
            for s in spinners:
                os.sched_setaffinity(s.pid, core)
            time.sleep(0.2)
            shared = min(_pace(300_000) for _ in range(3))
        finally:
            for s in spinners:
                s.kill()
                s.wait()
    finally:
        os.sched_setaffinity(0, before)
    assert shared > 1.6 * alone, (alone, shared)


def _orphan_window(p: Probe, tmp_path: Path, seconds: float) -> dict:
    """`between` over *seconds* while an orphaned python (no descendant of ours) spins a core."""
    pidfile = tmp_path / f"pid{time.monotonic_ns()}"
    code = (f"import os, time\nopen({str(pidfile)!r} + '.tmp', 'w').write(str(os.getpid()))\n"
            f"os.rename({str(pidfile)!r} + '.tmp', {str(pidfile)!r})\n"
            f"t = time.time()\nwhile time.time() - t < {seconds + 0.4}: pass\n")
    sh = subprocess.Popen(["sh", "-c", f"{shlex.quote(sys.executable)} -c {shlex.quote(code)} &"])
    sh.wait(timeout=5)  # the shell is gone: the python child is reparented away from us
    pid = None
    try:
        deadline = time.monotonic() + 5
        while not pidfile.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        pid = int(pidfile.read_text())
        a = p.snapshot()
        time.sleep(seconds)
        return p.between(a, p.snapshot())
    finally:
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _attribution_fails(p: Probe, tmp_path: Path) -> str:
    """Why one try at (idle, orphan, our own loop) contradicts the attribution, "" when it does not."""
    idle = p.idle(0.3)
    orphan = _orphan_window(p, tmp_path, 0.8)
    a, cpu0 = p.snapshot(), time.process_time()
    _busy_here(0.8)
    b, cpu1 = p.snapshot(), time.process_time()
    own = p.between(a, b)
    quiet = idle["other_cores"] + idle["steal_cores"] < 0.2
    checks = {
        "orphan above 0.3 cores": orphan["other_cores"] > 0.3,  # extra load can only add to this
        "our CPU counted as our own": b.own_s - a.own_s >= 0.8 * (cpu1 - cpu0) - 0.05,
        "our loop below the orphan": orphan["other_cores"] - own["other_cores"] > 0.25,  # own CPU subtracted
        "our loop below 0.3 cores on a quiet machine": not quiet or own["other_cores"] < 0.3,
    }
    failed = [k for k, ok in checks.items() if not ok]
    return f"{failed}: idle {idle}, orphan {orphan}, own loop {own}" if failed else ""


@pytest.fixture
def not_a_subreaper():
    """This process as an ordinary parent for the test: an in-process ``runners.all.main`` run earlier in the
    session (tests/test_cli.py) made it a child subreaper, which would adopt the orphan into our own tree."""
    import ctypes

    if not sys.platform.startswith("linux"):
        yield
        return
    libc = ctypes.CDLL(None, use_errno=True)
    flag = ctypes.c_int(0)
    if libc.prctl(37, ctypes.byref(flag), 0, 0, 0) != 0:  # PR_GET_CHILD_SUBREAPER
        yield
        return
    if flag.value:
        libc.prctl(36, 0, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER off
    try:
        yield
    finally:
        if flag.value:
            libc.prctl(36, 1, 0, 0, 0)


@linux_only
@pytest.mark.usefixtures("not_a_subreaper")
def test_an_orphan_counts_as_other_and_our_own_busy_loop_does_not(tmp_path: Path):
    p = Probe()
    if p.snapshot().own_s is None:
        pytest.skip("psutil cannot read our own process tree here")
    why = []
    for _ in range(3):  # another benchmark starting or stopping mid-try can upset one try, not three
        why.append(_attribution_fails(p, tmp_path))
        if not why[-1]:
            return
    pytest.fail("\n".join(why))


def test_snapshots_of_a_vanished_root_degrade_to_none():
    p = Probe(root_pid=2**22 + 12345)  # above pid_max on Linux: no such process
    s = p.snapshot()
    assert s.own_s is None
    assert p.between(s, p.snapshot())["other_cores"] is None


def test_a_failing_proc_stat_reader_gives_none(monkeypatch):
    def boom():
        raise OSError("denied")

    monkeypatch.setattr(interference, "_read_proc_stat", boom)
    p = Probe()
    a = p.snapshot()
    b = p.snapshot()
    assert (a.busy_s, a.steal_s, a.total_s) == (None, None, None)
    x = p.between(a, b)
    assert x["steal"] is None and x["steal_cores"] is None and x["other_cores"] is None
    assert Baseline(x).burst(x) == "" and Baseline(x).values == []


def test_missing_proc_stat_and_cpufreq_give_none(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(interference, "PROC_STAT", str(tmp_path / "nope"))
    monkeypatch.setattr(interference, "CPUFREQ_GLOB", str(tmp_path / "cpu*" / "scaling_cur_freq"))
    s = Probe().snapshot()
    assert s.busy_s is None and s.total_s is None and s.freq_mhz is None


def test_cpufreq_is_read_in_mhz(monkeypatch, tmp_path: Path):
    for i, khz in enumerate((1200000, 2400000)):
        (tmp_path / f"cpu{i}").mkdir()
        (tmp_path / f"cpu{i}" / "scaling_cur_freq").write_text(f"{khz}\n")
    monkeypatch.setattr(interference, "CPUFREQ_GLOB", str(tmp_path / "cpu*" / "scaling_cur_freq"))
    assert Probe().snapshot().freq_mhz == 1800.0


def test_proc_stat_fields(monkeypatch, tmp_path: Path):
    stat = tmp_path / "stat"
    stat.write_text("cpu  100 20 30 400 50 6 4 40 70 0\ncpu0 1 2 3 4 5 6 7 8 9 0\n")
    monkeypatch.setattr(interference, "PROC_STAT", str(stat))
    monkeypatch.setattr(interference, "_TICK", 100.0)
    busy, steal, total = interference._read_proc_stat()
    assert busy == pytest.approx(1.6) and steal == pytest.approx(0.4) and total == pytest.approx(6.5)


def _r(other: float, steal: float = 0.0, seconds: float = 1.0) -> dict:
    return {"seconds": seconds, "steal": None, "steal_cores": steal, "other_cores": other, "load1": 1.0,
            "freq_mhz": None}


def test_baseline_steady_load_is_no_burst_and_a_jump_is():
    b = Baseline(_r(0.4))
    for v in (0.45, 0.5, 0.38, 0.6):
        x = _r(v)
        assert b.burst(x) == ""
        b.add(x)
    jump = _r(1.3, steal=0.1)
    why = b.burst(jump)
    assert why.startswith("other processes 1.3 cores, steal 0.1 cores vs baseline 0.45 (+0.95 > 0.5)")
    assert f"> {BURST_CORES}" in why
    assert b.burst(_r(1.3, steal=0.1, seconds=0.05)) == ""  # excess CPU-seconds below BURST_MIN_CPU_S
    assert b.burst(_r(0.4 + BURST_CORES)) == ""  # not more than the margin


def test_baseline_ignores_none_and_is_not_moved_by_bursts():
    b = Baseline()
    assert b.burst(_r(5.0)) == ""  # no baseline yet: cannot judge
    b.add({"seconds": 1.0, "steal_cores": None, "other_cores": 3.0})
    b.add({"seconds": 1.0, "steal_cores": 0.0, "other_cores": None})
    assert b.values == [] and b.level is None
    b.add(_r(0.1))
    assert b.burst({"seconds": 1.0, "steal_cores": 0.0, "other_cores": None}) == ""
    assert b.burst(_r(2.0)) != ""
    assert b.level == pytest.approx(0.1)


class _Scripted(Probe):
    """A probe whose windows are given: idle first, then one per round."""

    def __init__(self, windows):
        self.windows = list(windows)

    def snapshot(self):
        return None

    def between(self, a, b):
        return self.windows.pop(0)

    def idle(self, seconds=0.5):
        return self.windows.pop(0)


def test_the_watch_counts_what_other_users_took_over_the_rounds_it_kept():
    """Load: the idle reading and every kept round, seconds-weighted; a burst the loop re-runs is left out, as
    the report's used_cores leaves out the rounds stored with ``rerun``."""
    from reports.interference import used_cores

    written: list[dict] = []
    load = Load()
    w = Watch(written.extend, probe=_Scripted([_r(0.0, seconds=0.3), _r(0.4), _r(0.4, steal=0.1, seconds=2.0),
                                                _r(3.0)]), load=load)
    assert load.cores == pytest.approx(0.0)
    for _ in range(3):
        w.end(w.start(), [("w", "0:0")])
    assert [x["rerun"] for x in written] == [False, False, True]
    assert load.cores == pytest.approx((0.4 * 1 + 0.5 * 2) / 3.3)
    assert used_cores(written) == pytest.approx((0.4 * 1 + 0.5 * 2) / 3.0)  # the stored rounds: no idle reading


def test_snapshot_is_frozen():
    s = Snapshot(0.0, None, None, None, None, None, None)
    with pytest.raises(AttributeError):
        s.t = 1.0  # type: ignore[misc]
