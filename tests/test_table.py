"""The statistics table (reports/table.py): per-pair rows, derived columns, resampling."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from reports import table as stattable
from reports.stats import compare
from _factories import timed

A = [1.0, 1.01, 0.99, 1.02, 0.98, 1.0]


def test_compare_rows_from_the_table_carry_their_failures():
    t = stattable.table(pd.DataFrame(timed("w", {"sync": 1.0, "threads-2": 0.1}, failures={"threads-2": ["mismatch"]})))
    thr = t.set_index("scheduler").loc["threads-2"].to_dict()
    assert thr["n_failed"] == 1 and thr["check_ok"] is False
    c = compare(thr, t.set_index("scheduler").loc["sync"].to_dict())
    assert c.outcome == "undecided" and "failed or mismatched" in c.reason


def test_describe_times_flags_spread_and_tiny_medians():
    assert stattable.describe_times([1.0, 3.0, 0.3, 1.0, 3.5])["unstable"]  # IQR 270 % of the median
    d = stattable.describe_times([0.0005] * 5)
    assert d["unstable"] and "1 ms" in d["unstable_reason"]
    assert stattable.describe_times([])["unstable_reason"] == "no successful repeat"


def by_sched(t, workload="w"):
    return {r["scheduler"]: r for r in t[t["workload"] == workload].to_dict("records")}


def test_table_vs_sync_outcomes():
    specs = {"sync": 1.0, "threads-2": 0.5, "processes-2": 1.02, "distributed-2x1": 1.5}
    t = stattable.table(pd.DataFrame(timed("w", specs, ntasks=100)))
    r = by_sched(t)
    assert r["threads-2"]["vs_sync"] == "faster" and r["threads-2"]["speedup"] == pytest.approx(2.0)
    assert r["threads-2"]["speedup_lo"] <= 2.0 <= r["threads-2"]["speedup_hi"]
    assert r["processes-2"]["vs_sync"] == "equivalent"
    assert r["distributed-2x1"]["vs_sync"] == "slower"
    assert pd.isna(r["sync"]["vs_sync"]) and r["sync"]["speedup"] == pytest.approx(1.0)
    assert r["sync"]["n"] == 6 and r["sync"]["median_s"] == pytest.approx(1.0)
    assert r["sync"]["per_task_us"] == pytest.approx(1e4)


def test_table_counts_failures_and_mismatches():
    rows = timed("w", {"sync": 1.0, "threads-2": 0.5}, failures={"threads-2": ["error", "mismatch"]})
    r = by_sched(stattable.table(pd.DataFrame(rows)))
    thr = r["threads-2"]
    assert thr["n_failed"] == 2 and thr["n"] == 6 and thr["check_ok"] is False
    assert thr["vs_sync"] == "undecided" and "2 failed or mismatched" in thr["vs_sync_reason"]
    assert any(f.startswith("error: ValueError boom") for f in thr["failures"])
    assert any(f.startswith("mismatch") for f in thr["failures"])
    assert r["sync"]["n_failed"] == 0 and r["sync"]["check_ok"] is True


def test_table_too_few_repeats_is_undecided_vs_sync():
    r = by_sched(stattable.table(pd.DataFrame(timed("w", {"sync": 1.0, "threads-2": 0.5}, n=3))))
    assert r["threads-2"]["vs_sync"] == "undecided" and "needs 5" in r["threads-2"]["vs_sync_reason"]


def test_table_does_not_count_failed_rows_a_later_session_retried():
    earlier = timed("w", {"threads-2": 0.5}, n=0, failures={"threads-2": ["error", "error"]}, session=0)
    later = timed("w", {"sync": 1.0, "threads-2": 0.5}, session=1)
    r = by_sched(stattable.table(pd.DataFrame(earlier + later)))
    assert r["threads-2"]["n_failed"] == 0 and r["threads-2"]["vs_sync"] == "faster"
    # a failure in the latest session still counts
    again = timed("w", {"threads-2": 0.5}, n=0, failures={"threads-2": ["error"]}, session=1)
    r = by_sched(stattable.table(pd.DataFrame(earlier + later + again)))
    assert r["threads-2"]["n_failed"] == 1 and r["threads-2"]["vs_sync"] == "undecided"


def test_table_leaves_out_skipped_schedulers_and_experiments():
    rows = timed("w", {"sync": 1.0, "threads-2": 0.5})
    skipped = [dict(r, status="skipped", wall_s=None) for r in timed("w", {"processes-2": 1.0}, n=1)]
    cells = timed("convoy", {"threads-2": 0.1}, collection="experiment")
    t = stattable.table(pd.DataFrame(rows + skipped + cells))
    assert set(zip(t["workload"], t["scheduler"])) == {("w", "sync"), ("w", "threads-2")}


def test_table_leaves_out_control_rows():
    rows = timed("w", {"sync": 1.0, "threads-2": 0.5})
    ctrl = [dict(r, control="A", wall_s=100.0) for r in rows]
    r = by_sched(stattable.table(pd.DataFrame(rows + ctrl)))
    assert r["sync"]["median_s"] == pytest.approx(1.0) and r["sync"]["n"] == 6


def test_derive_recomputes_after_a_change_of_times():
    t = stattable.table(pd.DataFrame(timed("w", {"sync": 1.0, "threads-2": 0.5})))
    flat = list(np.linspace(0.98, 1.02, 6))
    t["times"] = [flat if s == "threads-2" else x for s, x in zip(t["scheduler"], t["times"])]
    r = by_sched(stattable.derive(t))
    assert r["threads-2"]["vs_sync"] == "equivalent" and r["threads-2"]["median_s"] == pytest.approx(1.0)


def test_resample_table_draws_from_each_rows_own_times():
    t = stattable.table(pd.DataFrame(timed("w", {"sync": 1.0, "threads-2": 0.5}, spread=0.1)))
    r = stattable.resample_table(t, np.random.default_rng(0))
    for before, after in zip(t.to_dict("records"), r.to_dict("records")):
        assert len(after["times"]) == len(before["times"]) and set(after["times"]) <= set(before["times"])
    assert set(by_sched(r)) == {"sync", "threads-2"}


