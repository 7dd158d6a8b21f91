"""The GIL calibration kernel and probe (kernels/_calib.pyx, kernels/_gilprobe.pyx, runners/calibration.py).

Real threads, a second or two in all; only directions and structure are asserted, never times.
"""
from __future__ import annotations

import threading
import time

import pytest

from reports import gilcalibration
from runners import calibration
from runners.gilsamplers import KNOCKER_KW, can_sample_gil

_calib = pytest.importorskip("kernels._calib")
_gilprobe = pytest.importorskip("kernels._gilprobe")
needs_gil = pytest.mark.skipif(not can_sample_gil(), reason="no GIL to sample on this interpreter")


def test_calib_kernel_validates_its_share():
    with pytest.raises(ValueError, match="share must be within 0..1"):
        _calib.gil_share(1.5, 1, 10)
    assert _calib.gil_share(0.5, 3, 100) > 0


@needs_gil
def test_probe_reads_a_75_percent_kernel_far_above_a_25_percent_one():
    units = int(_calib.chain_rate() * _calib.ITERATION_US * 1e-6)
    probe = _gilprobe.GilProbe()
    probe.start()
    try:
        read = {}
        for share in (0.25, 0.75):
            a = probe.counts()
            _calib.gil_share(share, 1500, units)  # ~0.15 s
            b = probe.counts()
            read[share] = (b[0] - a[0]) / (b[1] - a[1])
    finally:
        probe.stop()
    assert read[0.75] - read[0.25] > 0.3
    assert read[0.25] < 0.5 < read[0.75]


@needs_gil
def test_probe_sees_a_spinning_python_thread_and_not_an_idle_one():
    probe = _gilprobe.GilProbe(100.0)
    probe.start()
    try:
        time.sleep(0.05)
        a = probe.counts()
        time.sleep(0.1)
        b = probe.counts()
        stop = threading.Event()
        t = threading.Thread(target=lambda: [0 for _ in iter(lambda: stop.is_set(), True)])
        t.start()
        time.sleep(0.1)
        c = probe.counts()
        stop.set()
        t.join()
    finally:
        probe.stop()
    idle = (b[0] - a[0]) / (b[1] - a[1])
    busy = (c[0] - b[0]) / (c[1] - b[1])
    assert idle < 0.2 < 0.8 < busy
    assert probe.windows()  # the same samples per window, for drawing the GIL over time


@needs_gil
def test_gil_calibration_rows_cover_every_cell_bare_and_instrumented():
    rows = calibration.run_gil_calibration("quick", 1, run_s=0.01, metrics=("probe",))
    cells = {(r["params"]["threads"], r["params"]["designed_share"], r["params"]["metric"]) for r in rows}
    assert cells == {(t, s, m) for t in (1, 2) for s in calibration.SHARES for m in (None, "probe")}
    assert all(r["control"] == "calibration" and r["wall_s"] > 0 for r in rows)
    assert {r["mode"] for r in rows} == {"bare", "instrumented"}
    assert all(r["extra"]["measured"] is None for r in rows if r["mode"] == "bare")


def test_pickle_throughput_rows_have_bytes_per_second():
    rows = calibration.run_pickle_throughput("quick", 1)
    assert {(r["params"]["payload"], r["params"]["op"]) for r in rows} == {
        (p, o) for p in ("ndarray", "dicts") for o in ("dumps", "loads", "pipe")}
    assert all(r["extra"]["bytes_per_s"] > 0 for r in rows)


def test_knocker_sampled_share_of_the_suite_settings():
    assert 0.8 < gilcalibration.knocker_sampled_share(KNOCKER_KW) < 0.95


@needs_gil
def test_sync_run_records_gil_held_and_the_bytes_processes_would_pickle():
    import dask.array as da

    from runners.measure import Instruments, measure
    from runners.records.kinds import SchedulerSpec
    from runners.schedulers import for_spec

    x = da.random.default_rng(0).random((400, 400), chunks=(200, 200))
    with for_spec(SchedulerSpec("sync"), dashboard=False) as pool:
        m = measure(pool, [(x + x.T).sum()], Instruments())
    # The transpose needs whole 320 kB blocks of x in other tasks: they would be pickled.
    assert m.extra["bytes_tasks"] >= 320_000
    assert 0.0 <= m.extra["gil_held"] <= 1.0


def test_task_stream_page_draws_the_gil_under_the_lanes():
    import pandas as pd

    from reports import taskstream

    tasks = pd.DataFrame([{"repeat": 0, "key": f"k{i}", "prefix": "f", "worker": "1", "thread": str(i % 2),
                           "start": 0.01 * i, "stop": 0.01 * i + 0.02, "action": "compute"} for i in range(6)])
    rows = pd.DataFrame([{"repeat": 0, "wall_s": 0.08, "extra": {"gil_windows": {
        "window_s": 0.005, "t": [0.0, 0.005, 0.01], "held": [1.0, 0.98, 1.0]}}}])
    html, _ = taskstream.page(tasks, "w", "threads-2", rows)
    assert "GIL held in this process" in html
    html, _ = taskstream.page(tasks, "w", "threads-2", rows.assign(extra=[{}]))
    assert "GIL held in this process" not in html
