"""A results folder read back (reports/load.py): rows, start-up, rounds, interference, task streams, damage."""
from __future__ import annotations

import json

import pytest

from _factories import timed
from reports.load import load, load_tasks
from runners import records
from runners.records import StartupRecord, TaskRecord


def write_run(folder, meta=None, rows=None):
    folder.mkdir()
    records.append(folder / records.ROWS, rows if rows is not None else
                   timed("w", {"sync": 1.0, "threads-2": 0.5}, collection="bag", family="fam", params={"k": 1}))
    if meta is not False:
        (folder / records.META).write_text(json.dumps(meta or {"v": records.SCHEMA_VERSION, "run_id": "r1"}))
    return folder


def test_load_reads_every_file_of_a_run(tmp_path):
    run = write_run(tmp_path / "run", {"v": records.SCHEMA_VERSION, "run_id": "r1", "looks": {"first": 5, "last": 20},
                                       "workloads": [{"name": "w", "collection": "bag", "description": "d"}]})
    records.append(run / records.STARTUP, [StartupRecord(run_id="r1", scheduler="threads-2", kind="threads",
                                                         start_s=0.1, stop_s=0.01)])
    records.append(run / records.ROUNDS, [{"workload": "w", "session": 0, "rounds": 6, "stopped": "decided",
                                           "undecided": [], "bursts": 1, "scale": 1.0, "extra": "dropped"}])
    records.append(run / records.INTERFERENCE, [{"seconds": 1.0, "rerun": True, "items": [["w", "0:3"], [None, "x"]]},
                                                {"seconds": 1.0, "items": [["w", "0:4"]]}])
    res = load(run)
    assert res.run_id == "r1" and res.skipped == []
    assert len(res.rows) == 12 and set(res.rows["scheduler"]) == {"sync", "threads-2"}
    assert res.startup.to_dict("records")[0]["start_s"] == 0.1
    assert res.rounds == [{"workload": "w", "session": 0, "rounds": 6, "stopped": "decided", "undecided": [],
                           "bursts": 1, "scale": 1.0}]
    assert res.bursts == {("w", "0:3")}  # only rounds that were run again are left out
    assert res.looks == {"first": 5, "last": 20}
    assert res.workload_info() == {"w": {"name": "w", "collection": "bag", "description": "d"}}


def test_rows_stand_in_for_a_missing_meta(tmp_path):
    res = load(write_run(tmp_path / "run-x", meta=False))
    assert res.run_id == "run-x" and res.looks is None
    assert res.skipped == ["meta.json: missing; reports use the rows alone"]
    info = res.workload_info()["w"]
    assert (info["collection"], info["family"], info["params"], info["description"]) == ("bag", "fam", {"k": 1}, "")


def test_damage_is_skipped_and_said(tmp_path):
    run = write_run(tmp_path / "run", {"v": 99, "run_id": "r1", "looks": {"first": 5}})
    with open(run / records.ROWS, "a") as f:
        f.write('{"v": 1, "workload": "w", "sched')  # cut off mid-line
    with open(run / records.STARTUP, "w") as f:
        f.write('{"v": 0, "scheduler": "sync"}\n')
    res = load(run)
    assert len(res.rows) == 12
    assert res.skipped[0] == "meta.json: schema version 99, read as far as it goes"
    assert any(s.startswith("rows.jsonl:13: incomplete or damaged line") for s in res.skipped)
    assert any(s.startswith("startup.jsonl:1: schema version 0") for s in res.skipped)
    assert res.startup.empty and res.looks is None  # a design without its last look is none
    (run / records.META).write_text("{not json")
    res = load(run)
    assert res.meta == {} and res.skipped[0].startswith("meta.json: unreadable")


def test_an_empty_run_still_has_every_column(tmp_path):
    res = load(write_run(tmp_path / "run", rows=[]))
    assert res.rows.empty and {"workload", "scheduler", "kind", "wall_s", "status"} <= set(res.rows.columns)
    assert res.workload_info() == {} and res.bursts == set()


def test_load_needs_a_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such results folder"):
        load(tmp_path / "nowhere")


def test_load_tasks_reads_one_stream(tmp_path):
    run = write_run(tmp_path / "run")
    tasks = [TaskRecord(workload="w", scheduler="threads-2", repeat=r, key=f"k{i}", prefix="k", worker="7",
                        thread="1", start=0.1 * i, stop=0.1 * i + 0.05) for r in (0, 1) for i in range(3)]
    records.append(records.tasks_path(run, "w", "threads-2"), tasks)
    df = load_tasks(run, "w", "threads-2")
    assert len(df) == 6 and sorted(set(df["repeat"])) == [0, 1]
    skipped: list[str] = []
    assert load_tasks(run, "w", "sync", skipped).empty and skipped == []  # never stored: nothing to say


def test_a_workloads_own_design_is_read_and_the_report_decides_at_it(tmp_path):
    """What the loop looked with (runners.rounds.design, in rounds.jsonl) is what the report reads: a run of
    2026-12-07 stored the designs and the report read the run's, deciding 2 claims fewer than the loop."""
    from reports.build import summarise

    run = write_run(tmp_path / "run", {"v": records.SCHEMA_VERSION, "run_id": "r1",
                                       "looks": {"first": 5, "last": 25, "alpha": 0.05, "tail": 0.02, "shape": 0.25}},
                    timed("w", {"sync": 1.0, "threads-2": 0.85}, n=6, spread=0.12, seed=3, rounds=True))
    own = {"first": 5, "last": 8, "alpha": 0.05, "tail": 0.1, "shape": 0.25, "planned_last": 25}
    records.append(run / records.ROUNDS, [{"workload": "w", "session": 0, "rounds": 6, "stopped": "time cap",
                                           "undecided": [], "bursts": 0, "scale": 1.0, "looks": own}])
    res = load(run)
    assert res.own_looks == {"w": own} and res.rounds[0]["looks"] == own
    summary, table = summarise(res)
    assert all(lk == own for lk in table["looks"]) and summary["design"]["own_last_look"] == {"w": 8}
