"""Results are appended as JSON lines, read back robustly, and never pickled."""
from __future__ import annotations

import json

from reports.load import load
from runners import records
from runners.records import RunRecord, StartupRecord, TaskRecord


def make_row(**kw):
    base = dict(run_id="r", workload="w", scheduler="sync", repeat=0, wall_s=0.5, kind="sync")
    base.update(kw)
    return RunRecord(**base)


def test_record_round_trips_through_json():
    for rec in (make_row(gil=[{"pid": 1, "contention": 0.5, "seconds": 1.0}]),
                StartupRecord(run_id="r", scheduler="threads-2", kind="threads", start_s=0.1),
                TaskRecord(workload="w", scheduler="sync", repeat=0, key="k", prefix="p",
                           worker="1", thread="2", start=0.0, stop=1.0)):
        d = json.loads(json.dumps(rec.to_dict()))
        assert d["v"] == records.SCHEMA_VERSION
        assert type(rec).from_dict(d) == rec


def test_append_never_rewrites_and_nan_becomes_null(tmp_path):
    p = tmp_path / "rows.jsonl"
    records.append(p, [make_row(repeat=0)])
    first = p.read_text()
    records.append(p, [make_row(repeat=1, wall_s=float("nan"))])
    text = p.read_text()
    assert text.startswith(first)
    assert json.loads(text.splitlines()[1])["wall_s"] is None


def test_read_skips_damaged_lines_and_other_versions(tmp_path):
    p = tmp_path / "rows.jsonl"
    records.append(p, [make_row(repeat=0), make_row(repeat=1)])
    with p.open("a") as f:
        f.write(json.dumps({**make_row(repeat=2).to_dict(), "v": 99}) + "\n")
        f.write('{"v": 1, "workload": "w", "sched')  # cut off mid-line, as by a crash
    skipped: list[str] = []
    got = list(records.read(p, skipped))
    assert [d["repeat"] for d in got] == [0, 1]
    assert len(skipped) == 2
    assert any("schema version 99" in s for s in skipped)
    assert any("incomplete" in s for s in skipped)


def test_load_recovers_rows_without_meta(tmp_path):
    records.append(tmp_path / records.ROWS, [make_row(repeat=i, wall_s=0.1 * (i + 1)) for i in range(3)])
    (tmp_path / records.STARTUP).write_text("")
    res = load(tmp_path)
    assert len(res.rows) == 3
    assert any("meta.json" in s for s in res.skipped)
    assert "w" in res.workload_info()


def test_slug_makes_file_names_safe():
    assert records.slug("distributed@tcp://10.0.0.1:8786-4x2") == "distributed_tcp_10.0.0.1_8786-4x2"
    assert "/" not in records.slug("../../etc/passwd")


def test_version_1_rows_and_meta_are_read_as_the_tuned_reading(tmp_path):
    run = tmp_path / "old"
    run.mkdir()
    (run / records.META).write_text(json.dumps({"v": 1, "spec_details": [{"label": "processes-2", "kind": "processes"}]}))
    old = RunRecord(run_id="r", workload="w", scheduler="processes-2", repeat=0, wall_s=0.5, kind="processes").to_dict()
    del old["as_shipped"]
    (run / records.ROWS).write_text(json.dumps({**old, "v": 1}) + "\n" + json.dumps({"v": 0, "scheduler": "x"}) + "\n")
    res = load(run)
    assert list(res.rows["as_shipped"]) == [False] and res.meta["spec_details"][0]["as_shipped"] is False
    assert res.meta["v"] == records.SCHEMA_VERSION == 2
    assert any("schema version 0" in s for s in res.skipped)  # older than any reader: still skipped, and said


def test_an_as_shipped_row_round_trips():
    r = RunRecord(run_id="r", workload="w", scheduler="processes-2-shipped", repeat=0, wall_s=1.0, kind="processes",
                  as_shipped=True)
    assert RunRecord.from_dict(r.to_dict()).as_shipped is True and r.to_dict()["v"] == 2
