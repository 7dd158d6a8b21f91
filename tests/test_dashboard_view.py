"""What the dashboard sections read (reports/dashboard/view.py): kind and threads from the row, orderings."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from _dashboard import make_view
from reports.dashboard import view


def rows(*specs):
    """(label, kind, workers, threads_per_worker) -> statistics-table rows of one workload."""
    return pd.DataFrame([{"workload": "w", "scheduler": s, "kind": k, "workers": n, "threads_per_worker": t}
                         for s, k, n, t in specs])


def test_scheduler_order_reads_kind_and_threads_from_the_row():
    df = rows(("distributed@tcp://10.0.0.5:8786", "distributed", 3, 2), ("threads-4", "threads", 4, 1),
              ("distributed-2x1", "distributed", 2, 1), ("sync", "sync", 1, 1), ("processes-2", "processes", 2, 1),
              ("threads-2", "threads", 2, 1), ("distributed-1x2", "distributed", 1, 2), ("mystery", None, None, None))
    assert view.scheduler_order(df) == ["sync", "threads-2", "threads-4", "processes-2", "distributed-1x2",
                                        "distributed-2x1", "distributed@tcp://10.0.0.5:8786", "mystery"]


def test_threads_and_kind_from_columns_never_the_label():
    assert view.threads({"scheduler": "threads-8", "workers": 2, "threads_per_worker": 3}) == 6
    assert view.threads({"scheduler": "threads-8", "nthreads": 4}) == 4
    assert math.isnan(view.threads({"scheduler": "threads-8"}))
    assert view.kind({"scheduler": "threads-8"}) == "other" and view.kind({"kind": "processes"}) == "processes"


def test_workload_order_by_collection_family_and_parameters():
    df = pd.DataFrame({"workload": ["busy-1000", "x", "busy-10", "a"],
                       "collection": ["delayed", "array", "delayed", None],
                       "family": ["busy", "x", "busy", None], "params": [{"us": 1000}, {}, {"us": 10}, None]})
    assert view.workload_order(df) == ["x", "busy-10", "busy-1000", "a"]


def test_flag_and_value():
    assert [view.flag(x) for x in (True, np.True_, 1, False, None, float("nan"), "yes")] == [
        True, True, True, False, False, False, False]
    assert view.value("3") != view.value("3") and view.value(2) == 2.0


def test_view_cleans_the_table_and_keeps_sweeps_out_of_the_main_specs(tmp_path):
    df = rows(("sync", "sync", 1, 1), ("threads-2", "threads", 2, 1), ("threads-4", "threads", 4, 1))
    df["real_data"] = [True, True, True]
    df = pd.concat([df, pd.DataFrame({"workload": [None], "scheduler": ["sync"]})], ignore_index=True)
    v = make_view({"run_id": "r1", "machine": {"host": "h"}}, df, tmp=tmp_path)
    assert len(v.df) == 3 and v.run_id == "r1" and v.host == "h"
    assert v.label("w") == "w  ◆ real data" and v.colour("sync") != v.colour("threads-2")


def test_view_main_specs(tmp_path):
    df = rows(("sync", "sync", 1, 1), ("threads-2", "threads", 2, 1), ("threads-4", "threads", 4, 1))
    v = make_view({}, df, tmp=tmp_path)
    assert v.main == ["sync", "threads-2", "threads-4"]  # no meta: every spec is a main one
    res = v.res
    res.meta = {"specs": ["sync", "threads-2"], "sweep_specs": ["threads-4"], "cores": 8}
    v = view.view_of(res, df, {}, [{"path": "p"}, "junk"], v.switch)
    assert v.main == ["sync", "threads-2"] and v.schedulers[-1] == "threads-4"
    assert len(v.main_rows()) == 2 and v.fact("cores") == 8 and v.pages == [{"path": "p"}]
