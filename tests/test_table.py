"""The statistics table (reports/table.py): per-pair rows, derived columns, round keys, bursts left out."""
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
    assert r["threads-2"]["vs_sync"] == "above" and r["threads-2"]["speedup"] == pytest.approx(2.0)
    assert r["threads-2"]["speedup_lo"] <= 2.0 <= r["threads-2"]["speedup_hi"]
    # vs sync is a one-sided question at 1x: a 2 % gap inside the noise stays undecided, never "equivalent"
    assert r["processes-2"]["vs_sync"] == "undecided"
    assert r["processes-2"]["speedup_lo"] < 1 < r["processes-2"]["speedup_hi"]
    assert r["distributed-2x1"]["vs_sync"] == "below"
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
    assert r["threads-2"]["n_failed"] == 0 and r["threads-2"]["vs_sync"] == "above"
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
    assert r["threads-2"]["vs_sync"] == "undecided" and r["threads-2"]["median_s"] == pytest.approx(1.0)
    assert r["threads-2"]["speedup"] == pytest.approx(1.0, abs=0.02)


def test_table_threads_follow_the_spec_of_the_rows_kind():
    t = stattable.table(pd.DataFrame(timed("w", {"sync": 1.0, "threads-4": 0.3, "processes-2": 0.6,
                                                 "distributed-2x3": 0.4})))
    assert dict(zip(t["scheduler"], t["nthreads"])) == {"sync": 1, "threads-4": 4, "processes-2": 2,
                                                        "distributed-2x3": 6}
    rows = timed("w", {"sync": 1.0, "threads-2": 0.5})
    for r in rows:
        if r["scheduler"] == "threads-2":
            r["kind"] = None  # a damaged row that does not say its kind: what it says it ran on
    t = stattable.table(pd.DataFrame(rows))
    assert t.set_index("scheduler").loc["threads-2", "nthreads"] == 2


# --- round keys, GIL figures, bursts, the first round -------------------------------------------

def test_table_keys_pair_repeats_by_session_group_and_round():
    rows = timed("w", {"sync": 1.0, "threads-2": 0.5}, rounds=True) + timed(
        "w", {"sync": 1.0, "threads-2": 0.5}, rounds=True, session=1, n=2)
    rows += timed("kernel-a", {"sync": 1.0}, rounds=True) + timed("outside", {"sync": 1.0})
    t = stattable.table(pd.DataFrame(rows), {"kernel-a": {"interleave": "kernels"}})
    r = by_sched(t)
    assert r["sync"]["keys"] == [f"0:w:{i}" for i in range(6)] + ["1:w:0", "1:w:1"]
    assert r["threads-2"]["keys"] == r["sync"]["keys"]
    # twins measured in the same rounds share a group (their interleave key); repeats outside rounds have none
    assert by_sched(t, "kernel-a")["sync"]["keys"] == [f"0:kernels:{i}" for i in range(6)]
    assert by_sched(t, "outside")["sync"]["keys"] == [None] * 6


def test_table_vs_sync_is_paired_by_round():
    # Each round's drift (+-30 %) falls on both specs of the round: only a paired comparison sees the 1.2x.
    drift = [1.0, 1.3, 0.7, 1.15, 0.85, 1.0]
    rows = timed("w", {"sync": 1.0, "threads-2": 1 / 1.2}, rounds=True, spread=0.0)
    for r in rows:
        r["wall_s"] *= drift[r["round"]] * (1 + 0.01 * (r["round"] % 2) * (1 if r["scheduler"] == "sync" else -1))
    r = by_sched(stattable.table(pd.DataFrame(rows)))["threads-2"]
    assert r["vs_sync"] == "above" and r["speedup_lo"] > 1.15
    unpaired = compare(r["times"], by_sched(stattable.table(pd.DataFrame(rows)))["sync"]["times"])
    assert unpaired.outcome == "undecided"


def test_table_keeps_each_repeats_gil_figure_beside_its_time():
    rows = timed("w", {"sync": 1.0, "threads-2": 0.5}, rounds=True, spread=0.1)
    for r in rows:
        r["gil_median"] = 0.1 * r["round"] if r["scheduler"] == "threads-2" else None
    thr = by_sched(stattable.table(pd.DataFrame(rows)))["threads-2"]
    assert thr["gils"] == pytest.approx([0.1 * i for i in range(6)])
    assert len(thr["gils"]) == len(thr["times"]) == len(thr["keys"])
    assert thr["gil_median"] == pytest.approx(0.25)


def test_table_leaves_out_rounds_marked_as_bursts():
    rows = timed("w", {"sync": 1.0, "threads-2": 0.5}, rounds=True)
    for r in rows:
        if r["round"] == 2:
            r["wall_s"] *= 5  # the burst
    t = stattable.table(pd.DataFrame(rows), bursts={("w", "0:2"), ("other", "0:3")})
    r = by_sched(t)
    for s in ("sync", "threads-2"):
        assert r[s]["n"] == 5 and r[s]["n_disturbed"] == 1
        assert "0:w:2" not in r[s]["keys"] and max(r[s]["times"]) < 1.1 * r[s]["median_s"]
    assert by_sched(stattable.table(pd.DataFrame(rows)))["sync"]["n_disturbed"] == 0


def test_table_stores_the_runs_looks_on_every_row():
    looks = {"first": 5, "last": 25, "alpha": 0.05, "tail": 0.02}
    t = stattable.table(pd.DataFrame(timed("w", {"sync": 1.0, "threads-2": 0.5}, rounds=True)), looks=looks)
    assert all(x == looks for x in t["looks"])
    assert all(x is None for x in stattable.table(pd.DataFrame(timed("w", {"sync": 1.0})))["looks"])


def test_table_flags_a_first_round_off_the_rest():
    rows = timed("w", {"sync": 1.0, "threads-2": 0.5}, rounds=True)
    for r in rows:
        if r["scheduler"] == "sync" and r["round"] == 0:
            r["wall_s"] = 1.3
    r = by_sched(stattable.table(pd.DataFrame(rows)))
    assert r["sync"]["first_round"] == pytest.approx(1.3, rel=0.03) and r["sync"]["transient"]
    assert not r["threads-2"]["transient"] and abs(r["threads-2"]["first_round"] - 1) < 0.1
    # the first round is the first by session and round, whatever order the rows were stored in
    shuffled = [r for r in reversed(rows)]
    assert by_sched(stattable.table(pd.DataFrame(shuffled)))["sync"]["transient"]
    assert stattable.first_round([1.0] * 4, None) is None


def test_table_never_leaves_out_a_failure_in_a_burst_round():
    """A burst round is measured again; a failed repeat is not (its spec leaves the rotation): it must count."""
    rows = timed("w", {"sync": 1.0, "threads-2": 0.5}, rounds=True, n={"threads-2": 3},
                 failures={"threads-2": ["error"]})
    for r in rows:
        if r["status"] == "error":
            r["round"] = 3  # failed in round 3, which the watch then called a burst
    thr = by_sched(stattable.table(pd.DataFrame(rows), bursts={("w", "0:3")}))["threads-2"]
    assert thr["n_failed"] == 1 and thr["vs_sync"] == "undecided" and "failed" in thr["vs_sync_reason"]


def test_a_workload_with_a_design_of_its_own_carries_it_and_decides_at_its_level():
    """The same six paired rounds: at the run's design (25 looks planned) undecided, at a workload's own
    (8 looks, runners.rounds.design) decided; a comparison of two workloads of different designs takes the
    stricter at its look."""
    run = {"first": 5, "last": 25, "alpha": 0.05, "tail": 0.02, "shape": 0.25}
    own = {**run, "last": 8, "tail": 0.1}
    rows = timed("own", {"sync": 1.0, "threads-2": 0.85}, n=6, spread=0.12, seed=3, rounds=True) \
        + timed("run", {"sync": 1.0, "threads-2": 0.85}, n=6, spread=0.12, seed=3, rounds=True)
    t = stattable.table(pd.DataFrame(rows), looks=run, own_looks={"own": own})
    row = {(r["workload"], r["scheduler"]): r for r in t.to_dict("records")}
    assert row["own", "sync"]["looks"] == own and row["run", "sync"]["looks"] == run
    at_own = compare(row["own", "sync"], row["own", "threads-2"])
    at_run = compare(row["run", "sync"], row["run", "threads-2"])
    assert at_own.confidence < at_run.confidence and at_own.hi - at_own.lo < at_run.hi - at_run.lo
    across = compare(row["own", "sync"], row["run", "threads-2"])
    assert across.confidence == pytest.approx(max(at_own.confidence, at_run.confidence))
