"""What the cost model reads of a run (reports/model_inputs.py): the run's constants and a workload's sync inputs."""
from __future__ import annotations

import pandas as pd
import pytest

from _factories import timed
from reports import model_inputs
from reports.model_inputs import ASSUMED_THROUGHPUT, constants, overhead, throughput, workload_inputs
from reports.table import table


def pickle_rows(payload, nbytes, dumps, loads, pipe=None, status="ok"):
    ops = {"dumps": dumps, "loads": loads, **({"pipe": pipe} if pipe is not None else {})}
    return [{"workload": "pickle-throughput", "status": status, "wall_s": w,
             "params": {"op": op, "payload": payload, "bytes": nbytes}} for op, ws in ops.items() for w in ws]


def calibration_rows(share, threads, walls, mode="bare", grain=None, measured=None, iterations=None):
    params = {"designed_share": share, "threads": threads, **({"grain": grain} if grain else {}),
              **({"iterations": iterations} if iterations else {}), "metric": None if mode == "bare" else "probe"}
    return [{"workload": "gil-calibration", "status": "ok", "mode": mode, "wall_s": w, "params": params,
             "extra": {"measured": measured}} for w in walls]


def test_overhead_per_task_from_delayed_null_under_each_spec():
    t = table(pd.DataFrame(timed("delayed-null", {"sync": 0.01, "threads-2": 0.02}, collection="delayed",
                                 ntasks=100) + timed("other", {"sync": 5.0}, ntasks=10)))
    c = constants(t)
    assert c["overhead_s"] == pytest.approx({"sync": 1e-4, "threads-2": 2e-4})
    assert c["throughput_Bps"] == {} and c["throughput_source"] == "assumed"
    assert c["core_availability"] is None and c["handoff_s"] is None and c["startup_s"] == {}


def test_throughput_is_bytes_over_the_median_round_trip():
    rows = (pickle_rows("ndarray", 1e6, dumps=[0.001, 0.002, 0.003], loads=[0.002], pipe=[0.005])
            + pickle_rows("dicts", 1e6, dumps=[0.01], loads=[0.01])
            + pickle_rows("dicts", 1e6, dumps=[9.0], loads=[9.0], status="error")  # failed: not counted
            + pickle_rows("half", 1e6, dumps=[0.01], loads=[]))  # no loads: no figure
    c = constants(pd.DataFrame(), rows)
    assert c["throughput_Bps"] == pytest.approx({"ndarray": 1e6 / 0.009, "dicts": 1e6 / 0.02})
    assert c["throughput_source"] == "pickle-throughput"


def test_throughput_by_collection_and_when_unmeasured():
    c = {"throughput_Bps": {"ndarray": 1e9, "dicts": 1e7}}
    assert throughput(c, "bag") == 1e7 and throughput(c, "delayed") == 1e7
    assert throughput(c, "array") == 1e9 and throughput(c, "dataframe") == 1e9
    assert throughput({"throughput_Bps": {"dicts": 1e7}}, "array") == 1e7  # the slowest measured stands in
    assert throughput({"throughput_Bps": {}}, "array") == ASSUMED_THROUGHPUT


def test_core_availability_from_the_bare_gil_free_calibration_cells():
    rows = (calibration_rows(0.0, 1, [1.0, 1.0, 1.0]) + calibration_rows(0.0, 2, [1.25, 1.25])
            + calibration_rows(0.5, 2, [9.0]))  # a GIL-holding cell says nothing of free cores
    assert constants(pd.DataFrame(), rows)["core_availability"] == pytest.approx(0.8)
    rows = calibration_rows(0.0, 1, [1.0]) + calibration_rows(0.0, 2, [0.9])
    assert constants(pd.DataFrame(), rows)["core_availability"] == 1.0  # capped


def test_startup_medians_per_label():
    st = pd.DataFrame({"scheduler": ["processes-2"] * 3 + ["distributed-2x1"], "start_s": [0.2, 0.4, None, 1.5]})
    assert constants(pd.DataFrame(), None, st)["startup_s"] == {"processes-2": pytest.approx(0.3),
                                                               "distributed-2x1": 1.5}
    assert constants(pd.DataFrame(), None, [{"scheduler": "x"}])["startup_s"] == {}


def _fine_cells(walls: tuple[tuple[int, float], ...]) -> list[dict]:
    """The fine-grained calibration cell at a GIL share of 0.5, bare and probed (0.6 measured), per (threads, wall)."""
    rows = []
    for t, wall in walls:
        rows += calibration_rows(0.5, t, [wall], grain="fine", iterations=1_000_000)
        rows += calibration_rows(0.5, t, [wall], mode="instrumented", grain="fine", measured=0.6,
                                 iterations=1_000_000)
    return rows


def test_handoff_cost_from_the_fine_calibration_cell():
    rows = _fine_cells(((1, 0.10), (2, 0.40)))
    # Amdahl: 0.10 * 1.6 = 0.16 s; 0.24 s more over 2 million releases: 120 ns each.
    assert model_inputs._handoff_cost(pd.DataFrame(rows)) == pytest.approx(120e-9)
    assert constants(pd.DataFrame(), rows)["handoff_s"] == pytest.approx(120e-9)
    no_probe = [r for r in rows if r["mode"] == "bare"]
    assert model_inputs._handoff_cost(pd.DataFrame(no_probe)) is None


def test_a_handoff_from_threads_that_never_ran_at_once_is_stood_in_for_and_said():
    rows = _fine_cells(((1, 0.10), (2, 0.17)))
    two_cores = rows + calibration_rows(0.0, 1, [0.1]) + calibration_rows(0.0, 2, [0.1])
    one_core = rows + calibration_rows(0.0, 1, [0.1]) + calibration_rows(0.0, 2, [0.2])  # two threads took turns
    c = constants(pd.DataFrame(), two_cores)
    assert c["handoff_s"] == pytest.approx(5e-9) and c["handoff_source"] == "gil-calibration"
    c = constants(pd.DataFrame(), one_core)
    assert c["core_availability"] == pytest.approx(0.5)
    assert c["handoff_s"] == model_inputs.ASSUMED_HANDOFF_S and c["handoff_source"].startswith("assumed")


def test_overhead_falls_back_to_the_same_kind_at_the_nearest_worker_count():
    c = {"overhead_s": {"sync": 1.0, "threads-2": 2.0, "threads-8": 8.0, "distributed-4x1": 4.0,
                        "distributed@tcp://10.0.0.1:8786": 9.0, "not a label": 7.0}}
    assert overhead(c, "threads", "threads-2", 2) == 2.0
    assert overhead(c, "threads", "threads-3", 3) == 2.0 and overhead(c, "threads", "threads-6", 6) == 8.0
    assert overhead(c, "sync", "sync", 1) == 1.0
    assert overhead(c, "distributed", "distributed-2x2", 2) == 4.0  # an existing cluster's size is unknown
    assert overhead(c, "distributed", "distributed@tcp://10.0.0.1:8786", 1) == 9.0  # its own, when measured
    assert overhead(c, "processes", "processes-2", 2) is None


def _inputs_table(**kw):
    rows = timed("w", {"sync": 2.0, "threads-2": 1.0, "processes-2": 1.2, "distributed-2x1": 1.5},
                 gil={"sync": 0.3}, ntasks=40, collection="bag", **kw)
    return table(pd.DataFrame(rows)), rows


def test_workload_inputs_from_the_sync_row_and_the_probe():
    t, rows = _inputs_table(bytes_moved={"processes-2": 8e6, "distributed-2x1": 3e6})
    for r in rows:
        if r["kind"] == "sync":
            r["extra"] = {"gil_held": 0.6, "gil_release_rate": 1000.0, "bytes_tasks": 5e6}
    inp = workload_inputs(t, pd.DataFrame(rows), "w")
    assert inp["T1"] == pytest.approx(2.0) and inp["n"] == 40 and inp["collection"] == "bag"
    assert (inp["g"], inp["g_source"], inp["release_rate"]) == (pytest.approx(0.6), "probe", 1000.0)
    assert (inp["bytes"], inp["bytes_source"]) == (8e6, "processes")  # measured under a process pool
    assert inp["bytes_d"] == {"distributed-2x1": 3e6}  # what the cluster's workers fetched


def test_workload_inputs_fall_back_to_gilknocker_and_the_sync_estimate():
    t, rows = _inputs_table()
    for r in rows:
        if r["kind"] == "sync":
            r["extra"] = {"bytes_tasks": 5e6}
    inp = workload_inputs(t, pd.DataFrame(rows), "w")
    assert (inp["g"], inp["g_source"]) == (pytest.approx(0.3), "gilknocker")
    assert (inp["bytes"], inp["bytes_source"]) == (5e6, "sync estimate")
    inp = workload_inputs(t, None, "w")
    assert inp["bytes"] is None and inp["bytes_source"] is None and inp["release_rate"] is None


def test_workload_inputs_leave_out_controls_and_need_a_sync_time():
    t, rows = _inputs_table()
    for r in rows:
        if r["kind"] == "sync":
            r["extra"] = {"gil_held": 0.9}
    control = {**rows[0], "control": "overhead", "extra": {"gil_held": 0.0}}
    bare = {**rows[0], "mode": "bare", "extra": {"gil_held": 0.0}}
    inp = workload_inputs(t, pd.DataFrame(rows + [control, bare] * 10), "w")
    assert inp["g"] == pytest.approx(0.9)
    no_sync = table(pd.DataFrame(timed("v", {"threads-2": 1.0})))
    assert workload_inputs(no_sync, None, "v") is None


def test_num_extra_and_frame():
    assert model_inputs.num("1e3") == 1000.0 and model_inputs.num(float("inf")) is None
    assert model_inputs.extra({"extra": {"a": "2"}}, "a") == 2.0 and model_inputs.extra({"extra": None}, "a") is None
    assert model_inputs.extra(next(pd.DataFrame({"extra": [{"a": 1}]}).itertuples()), "a") == 1.0  # a record
    assert model_inputs.extra(object(), "a") is None
    df = pd.DataFrame({"a": [1]})
    assert model_inputs.frame(df) is df and model_inputs.frame(None).empty and len(model_inputs.frame([{}])) == 1


def test_gil_contention_from_the_share_one_cell_two_threads_against_one():
    # Two threads doing one thread's work each took 2.16x its time: 8 % lost to each other.
    rows = (calibration_rows(1.0, 1, [0.10, 0.10, 0.11]) + calibration_rows(1.0, 2, [0.216, 0.216])
            + calibration_rows(0.5, 2, [9.0]) + _fine_cells(((1, 0.10), (2, 9.0))))  # other cells say nothing of it
    assert model_inputs._contention(pd.DataFrame(rows)) == pytest.approx(0.08)
    c = constants(pd.DataFrame(), rows)
    assert c["contention"] == pytest.approx(0.08) and c["contention_source"] == "gil-calibration"
    faster = calibration_rows(1.0, 1, [0.10]) + calibration_rows(1.0, 2, [0.19])
    assert model_inputs._contention(pd.DataFrame(faster)) == 0.0  # never negative
    assert model_inputs._contention(pd.DataFrame(calibration_rows(1.0, 1, [0.1]))) is None
    assert constants(pd.DataFrame(), [])["contention"] is None


def test_gil_contention_from_threads_that_never_ran_at_once_is_stood_in_for_and_said():
    held = calibration_rows(1.0, 1, [0.10]) + calibration_rows(1.0, 2, [0.201])  # one core: they took turns
    one_core = held + calibration_rows(0.0, 1, [0.1]) + calibration_rows(0.0, 2, [0.2])
    c = constants(pd.DataFrame(), one_core)
    assert c["contention"] == model_inputs.ASSUMED_CONTENTION and c["contention_source"].startswith("assumed")
    two_cores = held + calibration_rows(0.0, 1, [0.1]) + calibration_rows(0.0, 2, [0.1])
    assert constants(pd.DataFrame(), two_cores)["contention"] == pytest.approx(0.005)


def test_what_dask_s_own_pool_adds_to_a_compute_is_read_off_workloads_measured_both_ways():
    t = table(pd.DataFrame(timed("bag-json", {"processes-2": 0.10, "processes-2-shipped": 0.45, "sync": 0.15})
                           + timed("bag-logparse", {"processes-2": 0.12, "processes-2-shipped": 0.52})
                           + timed("stdlib-re", {"processes-2-shipped": 3.0})))  # no kept twin: says nothing
    c = constants(t, None, pd.DataFrame({"scheduler": ["processes-2"], "start_s": [0.6]}))
    assert c["shipped_start_s"] == {"processes-2": pytest.approx(0.375)}
    assert model_inputs.shipped_start(c, "processes", "processes-4", 4) == (pytest.approx(0.375),
                                                                            "as shipped less kept (processes-2)")
    c.pop("shipped_start_s")
    assert model_inputs.shipped_start(c, "processes", "processes-2", 2) == (0.6, "the kept pool's start-up")
    assert model_inputs.shipped_start({}, "processes", "processes-2", 2) == (None, "the kept pool's start-up")


def test_a_cluster_fitted_on_too_few_cores_is_charged_the_pace_of_its_busiest_process():
    rows = pd.DataFrame(timed("delayed-null", {"distributed-1x1": 0.64, "sync": 0.008}, collection="delayed",
                              ntasks=200))
    rows.loc[rows["scheduler"] == "distributed-1x1", "cpu_s"] = 0.30  # the worker's CPU: the rest is client and scheduler
    c = {**constants(table(rows)), "fit_cores": 1}
    worker, other = c["cluster_split"]["distributed-1x1"]
    assert (worker, other) == (pytest.approx(0.0015), pytest.approx(0.0017))
    assert model_inputs.cluster_overhead(c, "distributed-2x1", 2, 2) == pytest.approx(0.0017)  # client and scheduler
    assert model_inputs.cluster_overhead({**c, "cluster_split": {"distributed-1x1": (4e-3, 1e-3)}},
                                         "distributed-2x1", 2, 2) == pytest.approx(2e-3)  # two workers share 4 ms
    assert model_inputs.cluster_overhead(c, "distributed-1x1", 1, 2) is None  # measured as such: its own figure
    assert model_inputs.cluster_overhead({**c, "fit_cores": 2}, "distributed-2x1", 2, 2) is None  # same cores


def test_a_workload_whose_workers_import_more_is_charged_the_difference_on_an_as_shipped_pool():
    # Fitted where only a bag ran both ways (its workers import json: 0.25 s), a kernel's workers import NumPy and
    # its compiled module (0.65 s): its as-shipped compute was under-predicted by 40-45 % with the bag's start alone.
    from reports.model import predict_spec

    rows = (timed("bag-json", {"sync": 0.2, "processes-2": 0.15, "processes-2-shipped": 0.65}, collection="bag")
            + timed("kernel", {"sync": 0.13, "processes-2": 0.08}))
    imports = {"bag-json": 0.25, "kernel": 0.65}
    for r in rows:
        if r["kind"] == "sync":
            r["extra"] = {"worker_imports_s": imports[r["workload"]]}
    df = pd.DataFrame(rows)
    t = table(df)
    c = constants(t, df, None)
    assert c["shipped_start_s"] == {"processes-2": pytest.approx(0.5)} and c["shipped_imports_s"] == {"processes-2": 0.25}
    kernel = workload_inputs(t, df, "kernel")
    assert kernel["imports_s"] == 0.65
    p = predict_spec(kernel, "processes", 2, 1, 2, {**c, "overhead_s": {}}, shipped=True)
    assert p["terms"]["startup"] == pytest.approx(0.9) and "+0.40 s for this workload's worker imports" in p["startup_source"]
    del kernel["imports_s"]  # a run that did not time the imports: the measured start alone, as before
    assert predict_spec(kernel, "processes", 2, 1, 2, {**c, "overhead_s": {}}, shipped=True)["terms"]["startup"] == \
        pytest.approx(0.5)
