"""The harness check (runners/harness_check.py): bare repeats here against plain Dask in a fresh interpreter."""
from __future__ import annotations

from collections import Counter

from runners import records
from runners.harness_check import HarnessCheck
from runners.measure import stop_knocker
from runners.openpools import OpenPools
from runners.plan import Plan
from runners.profiles import PROFILES
from runners.records.kinds import parse
from runners.repeats import Repeats
from runners.rows import Rows
from runners.schedulers.distributed import Distributed
from workloads import catalogue


def test_each_round_times_every_local_scheduler_bare_here_and_plainly_there(tmp_path):
    w = catalogue()["delayed-null"]
    plan = Plan(profile=PROFILES["quick"], workloads={w.name: w}, specs=[], dashboard=False)
    pools = OpenPools(tmp_path, "r", lambda s: None, dashboard=False)
    check = HarnessCheck(plan, Repeats(plan, Rows(tmp_path, "r", 0, "quick"), pools, lambda s: None))
    scheds = [pools.get_or_start(parse("sync")), pools.get_or_start(parse("threads-2"))]
    try:
        check.run(w, [*scheds, Distributed(parse("distributed-1x1"))])  # a cluster is not timed plainly
        child = check.child
        assert child is not None and child.proc.poll() is None  # kept for the next workload
    finally:
        check.close()
        pools.close()
        stop_knocker()
    assert check.child is None and child.proc.poll() is not None
    rows = list(records.read(tmp_path / records.ROWS))
    n = plan.profile.plain_repeats
    assert Counter((r["scheduler"], r["mode"]) for r in rows) == {
        (s, m): n for s in ("sync", "threads-2") for m in ("bare", "plain")}
    assert all(r["control"] == "plain-check" and r["status"] == "ok" and r["wall_s"] > 0 for r in rows)
    assert sorted({r["round"] for r in rows}) == list(range(n))


def test_nothing_is_started_when_no_scheduler_is_timed_plainly(tmp_path):
    w = catalogue()["delayed-null"]
    plan = Plan(profile=PROFILES["quick"], workloads={w.name: w}, specs=[], dashboard=False)
    check = HarnessCheck(plan, Repeats(plan, Rows(tmp_path, "r", 0, "quick"), None, lambda s: None))
    check.run(w, [Distributed(parse("distributed-1x1"))])
    assert check.child is None and not (tmp_path / records.ROWS).exists()
