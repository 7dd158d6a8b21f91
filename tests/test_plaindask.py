"""Plain Dask in a fresh interpreter: the harness check's other side."""
from __future__ import annotations

import io
import json

from runners import plaindask
from runners.plaindask import PlainChild
from runners.records.kinds import parse
from workloads import catalogue


def test_plain_child_times_a_workload_and_says_what_went_wrong():
    w = catalogue()["delayed-null"]
    child = PlainChild("quick", 42, [])
    try:
        got = [child.time(w, parse(label)) for label in ("sync", "threads-2", "processes-1")]
        assert all(g.get("wall_s", 0) > 0 for g in got), got
        bad = child.time(type("W", (), {"name": "no-such-workload"})(), parse("sync"))
        assert "error" in bad and "no-such-workload" in bad["error"]
    finally:
        child.close()
    assert child.proc.poll() is not None  # the interpreter is gone


def test_main_answers_one_line_per_request_and_refuses_a_kind_not_timed_plainly(monkeypatch):
    requests = [{"workload": "delayed-null", "scheduler": "sync"},
                {"workload": "delayed-null", "scheduler": "distributed-1x1"}]
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(json.dumps(r) + "\n" for r in requests)))
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr(plaindask, "die_with_parent", lambda pid=None: None)
    plaindask.main(["quick", "42"])
    timed, refused = [json.loads(line) for line in out.getvalue().splitlines()]
    assert timed["wall_s"] > 0
    assert "distributed is not timed against plain Dask" in refused["error"]
