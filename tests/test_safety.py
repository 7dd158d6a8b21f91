"""A results folder under attack and faults: nothing written outside it, nothing lost, nothing left running.

End to end: a build with planted links writes nothing outside the run, rows survive a
cut-off line, a second run on a locked folder is refused, a write error stops the run with
one line, peak memory under ``processes`` is per repeat, and file names of task streams
cannot collide.  The pieces have their own tests: safe writes, the lock and workers that end
with their parent in tests/test_records_files.py, the real-data cache in
tests/test_workloads_flights.py.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from reports.build import build
from runners import records
from _cli import run_cli

# -- files are created afresh: no link is followed -------------------------------------------


def _victim(tmp_path: Path, name: str) -> Path:
    v = tmp_path / "victims" / name
    v.parent.mkdir(exist_ok=True)
    v.write_text(f"victim {name}\n")
    return v


def _plant(link: Path, target: Path) -> None:
    if link.exists() or link.is_symlink():
        link.unlink()
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)


def test_build_with_planted_links_writes_nothing_outside(synthetic_run, tmp_path, capfd):
    build(synthetic_run, quiet=True)  # streams/ and its BokehJS exist now
    capfd.readouterr()
    pages = sorted((synthetic_run / "streams").glob("*.html"))
    js = sorted((synthetic_run / "streams" / "static" / "js").glob("bokeh*.js"))
    assert pages and js
    planted = {synthetic_run / f for f in ("summary.json", "summary.json.tmp", "dashboard.html",
                                           "dashboard.html.tmp")}
    planted |= {pages[0], pages[0].with_name(pages[0].name + ".tmp"), js[0]}
    victims = {}
    for i, link in enumerate(sorted(planted)):
        victims[link] = _victim(tmp_path, f"v{i}")
        _plant(link, victims[link])
    build(synthetic_run, quiet=True)
    err = capfd.readouterr().err
    for link, v in victims.items():
        assert v.read_text() == f"victim {v.name}\n", f"{v} overwritten through {link.name}"
        assert not link.is_symlink(), link
        rel = link.relative_to(synthetic_run).as_posix()
        assert rel in err, (rel, err)
    assert json.loads((synthetic_run / "summary.json").read_text())["run_id"] == synthetic_run.name
    assert (synthetic_run / "dashboard.html").stat().st_size > 100_000
    assert len([ln for ln in err.splitlines() if ln.strip()]) == len(planted)


def test_build_refuses_a_linked_streams_folder(synthetic_run, tmp_path, capfd):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (synthetic_run / "streams").symlink_to(outside)
    build(synthetic_run, quiet=True)
    assert not list(outside.iterdir())
    assert "streams" in capfd.readouterr().err
    assert (synthetic_run / "dashboard.html").is_file()


def test_bokehjs_is_checked_by_content_not_size(synthetic_run):
    from bokeh.util.paths import bokehjs_path

    build(synthetic_run, quiet=True)
    (js,) = [p for p in (synthetic_run / "streams" / "static" / "js").glob("bokeh*.js") if p.name == "bokeh.min.js"]
    good = (Path(bokehjs_path()) / "js" / js.name).read_bytes()
    js.write_bytes(b"x" * len(good))  # same size, other content
    build(synthetic_run, quiet=True)
    assert hashlib.sha256(js.read_bytes()).digest() == hashlib.sha256(good).digest()


def test_write_meta_is_not_written_through_a_link(tmp_path):
    from runners.plan import write_meta

    run = tmp_path / "run"
    run.mkdir()
    v1, v2 = _victim(tmp_path, "meta"), _victim(tmp_path, "meta-tmp")
    _plant(run / records.META, v1)
    _plant(run / (records.META + ".tmp"), v2)
    write_meta(run, {"run_id": "x"})
    assert v1.read_text() == "victim meta\n" and v2.read_text() == "victim meta-tmp\n"
    assert json.loads((run / records.META).read_text())["run_id"] == "x"
    assert not (run / records.META).is_symlink()


def test_append_does_not_follow_a_planted_rows_link(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    v = _victim(tmp_path, "rows")
    _plant(run / records.ROWS, v)
    with pytest.raises(records.WriteError, match="link"):
        records.append(run / records.ROWS, [{"workload": "w"}])
    assert v.read_text() == "victim rows\n"


# -- appends after a cut-off line, one run per folder ----------------------------------------


def _row(i: int) -> records.RunRecord:
    return records.RunRecord(run_id="r", workload="w", scheduler="sync", repeat=i, wall_s=0.1)


def test_append_after_a_cut_off_line_starts_on_a_new_line(tmp_path):
    p = tmp_path / records.ROWS
    records.append(p, [_row(0)])
    with p.open("a") as f:
        f.write(json.dumps(_row(1).to_dict())[:40])  # a crash mid-write
    records.append(p, [_row(2), _row(3)])
    skipped: list[str] = []
    assert [d["repeat"] for d in records.read(p, skipped)] == [0, 2, 3]
    assert len(skipped) == 1  # only the cut-off line itself


def _resumable(out: Path, run_id: str = "20260101-000000-lock") -> Path:
    run = out / run_id
    run.mkdir(parents=True)
    (run / records.META).write_text(json.dumps({
        "v": records.SCHEMA_VERSION, "run_id": run_id, "profile": "quick", "schedulers_arg": "sync",
        "workloads_arg": "delayed-null", "repeats": 1, "seed": 42}))
    return run


def _main(args, capsys):
    from runners.all import main

    with pytest.raises(SystemExit) as e:
        main(args)
    err = capsys.readouterr().err
    return e.value.code, [line for line in err.splitlines() if line.strip()]


def test_second_run_on_a_locked_folder_is_refused(tmp_path):
    run = _resumable(tmp_path)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        (run / records.LOCK).write_text(f"{sleeper.pid}\n")
        r = run_cli("--out", str(tmp_path), "--resume", run.name, timeout=120)
    finally:
        sleeper.kill()
        sleeper.wait()
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2
    assert len(lines) == 1 and lines[0].startswith("ERROR:") and str(sleeper.pid) in lines[0], lines
    assert sorted(p.name for p in run.iterdir()) == [records.LOCK, records.META]  # nothing measured


@pytest.mark.parametrize("bad", ["../elsewhere", "a/b", "/tmp/abs-run", "..", "."])
def test_resume_takes_a_run_id_not_a_path(bad, tmp_path, capsys):
    _resumable(tmp_path / "elsewhere", "")  # a valid run folder outside --out
    if bad == "/tmp/abs-run":
        bad = str(tmp_path / "elsewhere")
    code, lines = _main(["--out", str(tmp_path / "out"), "--resume", bad], capsys)
    assert code == 2 and len(lines) == 1 and "run id" in lines[0], lines
    assert not (tmp_path / "elsewhere" / "rows.jsonl").exists()


# -- write errors --------------------------------------------------------------------------


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "disk full"), (errno.EROFS, "read-only"),
                                         (errno.EIO, os.strerror(errno.EIO))])
def test_append_write_error_is_named(code, words, tmp_path, monkeypatch):
    p = tmp_path / records.ROWS
    records.append(p, [_row(0)])
    before = p.read_bytes()

    def fail(fd, data):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(records.schema, "write_all", fail)
    with pytest.raises(records.WriteError) as e:
        records.append(p, [_row(1)])
    assert words in str(e.value) and records.ROWS in str(e.value)
    assert p.read_bytes() == before


def test_write_error_stops_the_run_with_one_error_line(tmp_path, capsys, monkeypatch):
    real = records.schema.write_all
    calls = {"n": 0, "first": None}

    def fill_up(fd, data):  # the disk fills after the first rows
        calls["n"] += 1
        if calls["n"] > 3:
            calls["first"] = calls["first"] or os.readlink(f"/proc/self/fd/{fd}")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(records.schema, "write_all", fill_up)
    code, lines = _main(["--out", str(tmp_path), "--profile", "quick", "--workloads", "delayed-null,delayed-busy-10",
                         "--schedulers", "sync", "--repeats", "3", "--no-tasks", "--no-dashboard-link"], capsys)
    errors = [ln for ln in lines if ln.startswith("ERROR")]
    assert code == 1 and len(errors) == 1, lines
    assert "disk full" in errors[0] and calls["first"] in errors[0]  # the first write that failed
    assert not any(" is gone" in ln for ln in lines)
    assert any("--resume" in ln for ln in lines)
    (run,) = list(tmp_path.iterdir())
    assert len(list(records.read(run / records.ROWS))) >= 1  # what was written is kept


# -- peak memory under processes is per repeat ---------------------------------------------


def _allocate(mib: int) -> float:
    import numpy as np

    a = np.ones(mib * 2**20 // 8)
    return float(a[-1])


def test_processes_peak_rss_is_per_repeat():
    import dask

    from runners.measure import Instruments, measure
    from runners.schedulers import for_spec as open_pool
    from runners.records.kinds import parse

    with open_pool(parse("processes-1"), dashboard=False) as pool:
        big = measure(pool, [dask.delayed(_allocate)(400)], Instruments())
        small = measure(pool, [dask.delayed(_allocate)(1)], Instruments())
    assert big.peak_rss > 400 * 2**20
    assert small.peak_rss < big.peak_rss - 300 * 2**20, (small.peak_rss, big.peak_rss)


def test_worker_peak_rss_covers_a_freed_peak_and_resets():
    from runners.schedulers._procworker import _PeakRss

    peak = _PeakRss()
    peak.reset()
    base = peak.peak(1.0)
    _allocate(300)  # allocated and freed inside the "task"
    assert peak.peak(1.0) > base + 250 * 2**20
    peak.reset()
    assert peak.peak(1.0) < base + 50 * 2**20


def test_compare_removes_its_temporary_folder(tmp_path, monkeypatch):
    import dask

    from runners.all import compare

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    table, rec = compare(lambda: dask.delayed(sum)([1, 2, 3]), ["sync"], repeats=1, name="tiny")
    assert list(table["scheduler"]) == ["sync"] and rec["workload"] == "tiny"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("dask-suite-")]


# -- task-stream file names cannot collide -------------------------------------------------


@pytest.mark.parametrize("a, b", [(("a/b", "sync"), ("a_b", "sync")), (("a__b", "c"), ("a", "b__c")),
                                  (("x", "distributed@tcp://h:1-1x1"), ("x", "distributed_tcp_h_1-1x1"))])
def test_task_stream_names_do_not_collide(a, b, tmp_path):
    assert records.tasks_path(tmp_path, *a) != records.tasks_path(tmp_path, *b)
    assert records.stem(*a) != records.stem(*b)


def test_task_stream_pages_do_not_collide(tmp_path):
    from reports import streampages
    from reports.load import load

    run = tmp_path / "run"
    for w in ("a/b", "a_b"):
        records.append(records.tasks_path(run, w, "sync"), [records.TaskRecord(
            workload=w, scheduler="sync", repeat=0, key=f"k-{w}", prefix="k", worker="1", thread="1",
            start=0.0, stop=0.1)])
    pages = streampages.render_all(load(run), run / "streams")
    assert len({p["path"] for p in pages}) == 2
    for p in pages:
        assert f"k-{p['workload']}" in (run / p["path"]).read_text()


def test_plain_names_keep_their_readable_file_names(tmp_path):
    assert records.tasks_path(tmp_path, "array-x", "distributed-2x1").name == "array-x__distributed-2x1.jsonl"
