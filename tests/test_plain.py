"""Plain Dask in a fresh interpreter: the harness check's other side."""
from __future__ import annotations

from runners.plain import PlainChild
from runners.records.kinds import parse
from workloads import catalogue


def test_plain_child_times_a_workload_and_says_what_went_wrong():
    w = catalogue()["delayed-null"]
    child = PlainChild("quick", 42, [])
    try:
        got = [child.time(w, parse(label)) for label in ("sync", "threads-2")]
        assert all(g.get("wall_s", 0) > 0 for g in got), got
        bad = child.time(type("W", (), {"name": "no-such-workload"})(), parse("sync"))
        assert "error" in bad and "no-such-workload" in bad["error"]
    finally:
        child.close()
    assert child.proc.poll() is not None  # the interpreter is gone
