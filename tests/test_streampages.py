"""The task-stream pages written to disk (reports/streampages.py): in workers while the caller goes on."""
from __future__ import annotations

import multiprocessing
import os

import psutil

from reports import streampages
from reports.load import load
from runners import records


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
