"""The layout advice (reports/layout.py): which split of the cores into workers × threads, and why."""
from __future__ import annotations

from typing import Any

import numpy as np

from reports.evidence import Context
from reports.layout import BEATS_DASK, DASK_PICK, FASTEST, advise, choose, healthy

NOISE = np.array([1.0, 1.02, 0.98, 1.01, 0.99, 1.03, 0.97])  # seven rounds of small noise
OTHER = np.roll(NOISE, 3)  # the same noise in other rounds: a pair's ratios vary by a few per cent


def _row(workers: int, threads: int, scale: float, noise: Any = NOISE, shipped: bool = False,
         **figures: Any) -> dict[str, Any]:
    """A table row of a tuned (or as-shipped) LocalCluster of *workers* × *threads*, times *scale* × *noise*."""
    times = [float(scale * x) for x in noise]
    label = f"distributed-{workers}x{threads}" + ("-shipped" if shipped else "")
    return {"workload": "w", "scheduler": label, "kind": "distributed", "workers": workers,
            "threads_per_worker": threads, "nthreads": workers * threads, "as_shipped": shipped, "times": times,
            "keys": [f"0:{i}" for i in range(len(times))], "median_s": float(np.median(times)), "n_failed": 0,
            "check_ok": True, "unstable": False, **figures}


def _ctx(*rows: dict[str, Any], n: int = 2) -> Context:
    return Context(cores=n, n=n, gil_enabled=True, free_threaded=False, openmp=None,
                   rows={(r["workload"], r["scheduler"]): r for r in rows})


def test_a_gil_bound_workload_gets_processes_and_the_gil_as_the_reason():
    (a,) = advise(_ctx(_row(2, 1, 1.0, gil_median=0.02, ntasks=100, per_task_us=10_000.0),
                       _row(1, 2, 1.9, gil_median=0.62, ntasks=100, per_task_us=19_000.0)))
    assert (a["workload"], a["layout"], a["status"]) == ("w", "distributed-2x1", FASTEST)
    assert a["comparison"]["outcome"] == "above" and a["comparison"]["lo"] > 1.5  # 1x2 / 2x1, with its interval
    assert (a["comparison"]["a"], a["comparison"]["b"]) == ("distributed-2x1", "distributed-1x2")
    assert "GIL 62% of the time under distributed-1x2 (high: favours processes" in a["why"]
    assert "per-task cost: 10 ms under distributed-2x1, 19 ms under distributed-1x2" in a["why"]
    assert a["rows"] == {"distributed-2x1": 1.0, "distributed-1x2": 1.9} and a["dask_pick"] == "distributed-2x1"


def test_an_undecided_pair_keeps_dasks_pick_and_says_so():
    rough = np.array([1.0, 1.4, 0.7, 1.3, 0.75, 1.2, 0.8])  # the two sides' noise does not cancel
    (a,) = advise(_ctx(_row(2, 1, 1.0), _row(1, 2, 0.97, noise=rough[::-1])))
    assert (a["layout"], a["status"], a["comparison"]["outcome"]) == ("distributed-2x1", DASK_PICK, "undecided")
    assert "no layout shown faster than Dask's own pick distributed-2x1" in a["why"]
    assert "the status quo needs no evidence" in a["why"]


def test_an_equivalent_faster_layout_still_keeps_dasks_pick():
    (a,) = advise(_ctx(_row(2, 1, 1.0), _row(1, 2, 0.99, noise=OTHER)))
    assert (a["layout"], a["status"], a["comparison"]["outcome"]) == ("distributed-2x1", DASK_PICK, "equivalent")


def test_bytes_moved_between_workers_favour_threads():
    (a,) = advise(_ctx(_row(2, 1, 2.0, bytes_moved=80e6, ntasks=200), _row(1, 2, 1.0, bytes_moved=1e6, ntasks=200)))
    assert (a["layout"], a["status"]) == ("distributed-1x2", FASTEST)
    assert "400 kB under distributed-2x1, 5 kB under distributed-1x2 (many: favours threads" in a["why"]


def test_missing_figures_read_not_measured():
    (a,) = advise(_ctx(_row(2, 1, 1.0), _row(1, 2, 1.5)))
    assert "GIL share under distributed-1x2: not measured" in a["why"]
    assert "bytes moved per task under N×1 vs 1×N: not measured" in a["why"]
    assert "per-task cost: not measured" in a["why"]


def test_no_advice_without_two_healthy_tuned_layouts():
    failed = _row(1, 2, 0.5, n_failed=1)
    assert advise(_ctx(_row(2, 1, 1.0), failed)) == []
    assert advise(_ctx(_row(2, 1, 1.0), _row(2, 1, 3.0, shipped=True))) == []  # the as-shipped cluster is no layout
    assert advise(_ctx(_row(1, 1, 1.0), n=1)) == []
    assert not healthy(_row(1, 2, 1.0, unstable=True)) and not healthy(_row(1, 2, 1.0, check_ok=False))


def test_an_unhealthy_layout_is_named_and_left_out():
    rows = [_row(2, 1, 1.0), _row(1, 2, 2.0), {**_row(1, 2, 0.5), "scheduler": "distributed-1x2", "n_failed": 2}]
    a = choose(rows, 2)
    assert a is not None and a["layout"] == "distributed-2x1"
    assert "left out (failed, mismatched or unstable): distributed-1x2" in a["why"]


def test_sixteen_cores_beat_dasks_pick_only_when_shown_faster_than_it():
    ahead = advise(_ctx(_row(16, 1, 1.0), _row(1, 16, 1.01, noise=OTHER), _row(4, 4, 1.6), n=16))[0]
    assert (ahead["layout"], ahead["status"]) == ("distributed-16x1", BEATS_DASK)
    assert ahead["dask_pick"] == "distributed-4x4"
    assert ahead["comparison"]["b"] == "distributed-4x4" and ahead["comparison"]["outcome"] == "above"
    tied = advise(_ctx(_row(16, 1, 2.0), _row(1, 16, 1.0), _row(4, 4, 1.01, noise=OTHER), n=16))[0]
    assert (tied["layout"], tied["status"], tied["comparison"]["b"]) == ("distributed-4x4", DASK_PICK, "distributed-4x4")
    assert "beats Dask's own pick" in ahead["why"] and "(not shown faster than distributed-1x16)" in ahead["why"]
