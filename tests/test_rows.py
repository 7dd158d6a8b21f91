"""Where a session writes (runners/rows.py): rows made from what was measured, tasks beside them."""
from __future__ import annotations

from runners import records
from runners.measure import Measurement
from runners.records.kinds import parse
from runners.rows import Rows, prefix
from workloads import catalogue


def _rows(tmp_path, session=1):
    return Rows(tmp_path, "run-1", session=session, profile="quick")


def test_a_row_carries_the_workload_the_spec_and_the_session():
    w = catalogue()["bag-json"]
    row = _rows(None).row(w, parse("distributed-2x1"), 3, status="ok", wall_s=0.5)
    assert (row.run_id, row.workload, row.scheduler, row.repeat, row.session) == ("run-1", "bag-json",
                                                                                   "distributed-2x1", 3, 1)
    assert (row.kind, row.workers, row.threads_per_worker, row.collection) == ("distributed", 2, 1, "bag")
    assert row.size == w.size_for("quick") and row.wall_s == 0.5
    at = _rows(None).row(w, parse("distributed@tcp://h:1"), 0, label="distributed@tcp://h:1-4x2")
    assert at.scheduler == "distributed@tcp://h:1-4x2"  # the scheduler's own label where it knows its size


def test_store_appends_the_row_and_its_task_stream(tmp_path):
    rows = _rows(tmp_path)
    w = catalogue()["bag-json"]
    m = Measurement(wall_s=1.0, result=None, started_at=0.0, tasks=[
        {"key": "('read-json-3f2a9c', 0)", "worker": "1", "thread": "2", "start": 0.1, "stop": 0.2}])
    rows.store(rows.row(w, parse("threads-2"), 0, status="ok"), m)
    rows.store(rows.row(w, parse("threads-2"), 1, status="error"))
    assert [r["repeat"] for r in records.read(tmp_path / records.ROWS)] == [0, 1]
    (task,) = records.read(records.tasks_path(tmp_path, "bag-json", "threads-2"))
    assert task["prefix"] == "read-json" and task["action"] == "compute" and task["repeat"] == 0


def test_experiment_rounds_and_interference_records_carry_the_session(tmp_path):
    rows = _rows(tmp_path, session=2)
    rows.extra([{"workload": "convoy", "scheduler": "threads-1", "repeat": 0, "wall_s": 0.1}])
    rows.rounds("bag-json", 7, "time cap", ["C3: threads-2 vs sync"], bursts=1, scale=0.5)
    rows.interference([{"seconds": 1.0, "steal": 0.0}])
    (x,) = records.read(tmp_path / records.ROWS)
    assert (x["run_id"], x["session"], x["workload"]) == ("run-1", 2, "convoy")
    (r,) = records.read(tmp_path / records.ROUNDS)
    assert (r["session"], r["rounds"], r["undecided"], r["bursts"], r["scale"]) == (2, 7, ["C3: threads-2 vs sync"],
                                                                                   1, 0.5)
    (i,) = records.read(tmp_path / records.INTERFERENCE)
    assert (i["session"], i["seconds"], i["steal"]) == (2, 1.0, 0.0)


def test_prefix_is_dasks_key_split():
    assert prefix("finalize-0af3") == "finalize"
    assert prefix("('getitem-5b7a1f0e9c3d2a4b6e8f0a1c3e5b7d9f', 1, 2)") == "getitem"
