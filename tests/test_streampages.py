"""The task-stream pages written to disk (reports/streampages.py): in workers while the caller goes on."""
from __future__ import annotations

import multiprocessing
import os

import psutil

from reports import streampages
from reports.load import load
from runners import records
from runners.plan import write_meta


def _run(tmp_path, n_pairs: int):
    run = tmp_path / "r"
    for i in range(n_pairs):
        w, s = f"w{i}", "threads-2"
        records.append(run / records.ROWS, [records.RunRecord(run_id="r", workload=w, scheduler=s, repeat=0,
                                                              wall_s=0.1, kind="threads", workers=2)])
        records.append(records.tasks_path(run, w, s), [
            records.TaskRecord(w, s, 0, f"('t', {k})", "t", "1", str(k % 2), k * 0.01, k * 0.01 + 0.008, "compute", 8)
            for k in range(6)])
    return run


def test_pages_drawn_in_workers_equal_those_drawn_here(tmp_path):
    run = _run(tmp_path, 21)
    job = streampages.PageJob(load(run), run / "streams", jobs=2)
    assert job.ex is not None  # 21 pages: workers started at once, the caller is free meanwhile
    here_dir = tmp_path / "here"
    here = streampages.render_all(load(run), here_dir, jobs=1)
    there = job.result()
    assert job.ex is None  # result() stops the workers
    assert [(p["workload"], p["tasks"]) for p in there] == [(p["workload"], p["tasks"]) for p in here]
    assert [p["workload"] for p in there] == [f"w{i}" for i in range(21)]  # in the rows' order
    assert all((run / p["path"]).is_file() for p in there)


def test_close_leaves_no_worker_behind(tmp_path):
    run = _run(tmp_path, 20)
    job = streampages.PageJob(load(run), run / "streams", jobs=2)
    kids = {p.pid for p in psutil.Process().children(recursive=True)}
    job.close()
    alive = [p for p in psutil.Process().children(recursive=True) if p.pid in kids and p.is_running()
             and p.status() != psutil.STATUS_ZOMBIE]
    assert not multiprocessing.active_children() or not alive


def test_few_pages_are_drawn_here_when_asked(tmp_path):
    run = _run(tmp_path, 3)
    job = streampages.PageJob(load(run), run / "streams")
    assert job.ex is None  # below 20 pages a pool costs more than it saves
    assert len(job.result()) == 3


def test_streams_folder_that_is_a_link_is_refused(tmp_path):
    run = _run(tmp_path, 2)
    outside = tmp_path / "outside"
    outside.mkdir()
    os.symlink(outside, run / "streams")
    res = load(run)
    assert streampages.PageJob(res, run / "streams").result() == []
    assert any("not written" in s for s in res.skipped) and not any(outside.iterdir())


def _timed_run(tmp_path, meta: dict | None = None):
    """Two workloads, each with streams under every spec: an array (default threads) and a bag (default processes)."""
    run = tmp_path / "c"
    times = {("arr", "array"): {"sync": 1.0, "threads-4": 0.6, "threads-2": 0.5, "processes-2": 0.8},  # a C4 sweep
             ("bag", "bag"): {"sync": 1.0, "threads-2": 1.1, "processes-2": 0.6, "processes-2-shipped": 2.0}}
    for (w, coll), specs in times.items():
        for s, t in specs.items():
            kind = s.split("-")[0]
            records.append(run / records.ROWS, [records.RunRecord(
                run_id="c", workload=w, collection=coll, scheduler=s, repeat=r, wall_s=t * (1 + 0.01 * r), kind=kind,
                workers=1 if kind == "sync" else int(s.split("-")[1]), as_shipped=s.endswith("shipped"))
                for r in range(3)])
            records.append(records.tasks_path(run, w, s), [
                records.TaskRecord(w, s, 0, "('t', 0)", "t", "1", "0", 0.0, 0.01, "compute", 8)])
    if meta is not None:
        write_meta(run, meta)
    return run


def test_a_short_profile_draws_each_workloads_fastest_spec_and_dask_default(tmp_path):
    run = _timed_run(tmp_path, {"run_id": "c", "stream_pages": "chosen", "cores": 2})
    res = load(run)
    assert len(streampages.pairs(res)) == 8
    job = streampages.PageJob(res, run / "streams")
    got = {(p["workload"], p["scheduler"]) for p in job.result()}
    # the array's fastest is its default (threads on the run's 2 cores, not the sweep's 4); the bag's fastest is
    # the kept pool, its default as shipped
    assert got == {("arr", "threads-2"), ("bag", "processes-2"), ("bag", "processes-2-shipped")}
    assert job.undrawn == 5
    every = streampages.PageJob(load(run), run / "streams2", which="all")
    assert len(every.result()) == 8 and every.undrawn == 0


def test_the_dashboard_says_how_to_draw_the_streams_a_short_profile_left_out(tmp_path):
    from reports.build import build

    run = _timed_run(tmp_path, {"run_id": "c", "stream_pages": "chosen", "complete": True, "cores": 2})
    summary = build(run, quiet=True)
    assert summary["stream_pages"]["not_drawn"] == 5 and "--streams all" in summary["stream_pages"]["draw_all"]
    assert "--streams all" in (run / "dashboard.html").read_text()
    assert build(run, quiet=True, streams="all")["stream_pages"]["not_drawn"] == 0
