"""python -m reports.compare on two synthetic results folders: agreement, swaps, timings, errors."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from reports.claims import CLAIMS, IDS
from reports.compare import _free_threaded_cost, compare_runs, main
from reports.table import table
from runners import records
from _factories import timed


# The claims two GIL runs can agree on: all but those only a free-threaded build decides (C14).
DECIDABLE = [c for c in IDS if not CLAIMS[c].free_threaded_only]


def c2(threads, processes):
    return [r for w in ("array-transcendental", "array-matmul")
            for r in timed(w, {"sync": 1.0, "threads-2": threads, "processes-2": processes}, claims=["C2"])]


def bags(threads=1.0, processes=0.6):
    return [r for w in ("bag-json", "bag-wordcount")
            for r in timed(w, {"sync": 1.0, "threads-2": threads, "processes-2": processes}, claims=["C3", "C11"],
                           collection="bag")]


def write_run(path, rows, cores=2):
    path.mkdir()
    records.append(path / records.ROWS, rows)
    meta = {"v": records.SCHEMA_VERSION, "run_id": path.name, "profile": "quick", "cores": cores,
            "gil_enabled": True, "free_threaded_build": False, "complete": True}
    (path / records.META).write_text(json.dumps(meta))
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("runs")
    a = write_run(base / "a", c2(0.5, 1.0) + bags())
    same = write_run(base / "same", c2(0.5, 1.0) + bags())
    swapped = write_run(base / "swapped", c2(1.0, 0.5) + bags())
    return a, same, swapped


def test_compare_runs_of_the_same_data_agree(runs):
    a, same, _ = runs
    d = compare_runs(a, same)
    assert [c["id"] for c in d["claims"]] == list(IDS) and "C14" not in DECIDABLE
    assert d["claims_total"] == len(DECIDABLE) and d["claims_agree"] == len(DECIDABLE) and d["swaps"] == []
    v = {c["id"]: c for c in d["claims"]}
    assert v["C2"]["a"] == v["C2"]["b"] == "holds" and v["C3"]["a"] == "holds" and v["C11"]["a"] == "holds"
    assert v["C2"]["a_stability"] == 1.0
    assert d["recommendations_total"] == 4 and d["recommendations_agree"] == 4
    assert len(d["timings"]) == 12
    # the same data: B/A 1 with an interval about it -- undecided, never "B faster" or "B slower"
    assert {t["outcome"] for t in d["timings"]} == {"undecided"}
    assert all(t["lo"] <= t["b_over_a"] <= t["hi"] and abs(t["b_over_a"] - 1) < 1e-9 for t in d["timings"])


def test_compare_runs_detects_a_swap(runs):
    a, _, swapped = runs
    d = compare_runs(a, swapped)
    v = {c["id"]: c for c in d["claims"]}
    assert (v["C2"]["a"], v["C2"]["b"]) == ("holds", "does not hold")
    assert v["C2"]["swap"] and not v["C2"]["agree"]
    assert d["swaps"] == ["C2"] and d["claims_agree"] == len(DECIDABLE) - 1
    recs = {r["workload"]: r for r in d["recommendations"]}
    assert (recs["array-matmul"]["a"], recs["array-matmul"]["b"]) == ("threads-2", "processes-2")
    assert d["recommendations_agree"] == 2
    t = {(x["workload"], x["scheduler"]): x for x in d["timings"]}
    assert t[("array-matmul", "threads-2")]["outcome"] == "B slower"
    assert t[("array-matmul", "threads-2")]["b_over_a"] == pytest.approx(2.0)
    assert t[("array-matmul", "processes-2")]["outcome"] == "B faster"


def test_compare_main_prints_the_tables(runs, capsys):
    a, _, swapped = runs
    main([str(a), str(swapped)])
    out = capsys.readouterr().out
    n, span = len(DECIDABLE), f"{DECIDABLE[0]}–{DECIDABLE[-1]}"  # C1–C13 with 14 claims
    assert (f"claims agreeing: {n - 1}/{n} ({span}); holds ↔ does not hold swaps: C2; "
            "recommendations agreeing: 2/4") in out
    assert "SWAP" in out and "time B / time A" in out


def test_compare_main_json(runs, capsys):
    a, same, _ = runs
    main([str(a), str(same), "--json"])
    d = json.loads(capsys.readouterr().out)
    assert d["claims_agree"] == d["claims_total"] == len(DECIDABLE) and d["swaps"] == []


@pytest.mark.parametrize("which", ["first", "second"])
def test_compare_main_rejects_a_folder_that_is_not_a_run(runs, tmp_path, capsys, which):
    a = runs[0]
    empty = tmp_path / "not-a-run"
    empty.mkdir()
    argv = [str(empty), str(a)] if which == "first" else [str(a), str(empty)]
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    cap = capsys.readouterr()
    lines = cap.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"ERROR: {empty}: not a results folder")
    assert cap.out == ""


def test_free_threaded_cost_sets_threads_against_a_process_pool_with_the_gil():
    def run(ft, medians):
        rows = timed("bag-json", medians, claims=["C3"], collection="bag") + timed("other", medians)
        return {"machine": {"free_threaded_build": ft, "cores": 2}, "profile": "quick"}, table(pd.DataFrame(rows))

    gil = run(False, {"sync": 1.0, "threads-2": 1.0, "processes-2": 0.6, "distributed-2x1": 0.9})
    ft = run(True, {"sync": 1.2, "threads-2": 0.6, "processes-2": 0.8})
    d = _free_threaded_cost(*gil, *ft)
    assert d["comparable"] and list(d["workloads"]) == ["bag-json"]  # C3 workloads only
    w = d["workloads"]["bag-json"]
    assert w["sync_gil_over_free_threaded"]["ratio"] == pytest.approx(1 / 1.2, abs=1e-4)  # one thread: the build's cost
    assert w["gil_processes_over_free_threaded_threads"]["ratio"] == pytest.approx(1.0, abs=1e-4)  # threads-2 vs processes-2
    assert _free_threaded_cost(*ft, *gil) == d  # whichever run is A
    assert _free_threaded_cost(*gil, *gil) is None
    other_cpu = ({**ft[0], "machine": {"free_threaded_build": True, "cores": 8}}, ft[1])
    assert not _free_threaded_cost(*gil, *other_cpu)["comparable"]


def test_compare_says_how_each_machine_ran_and_the_pace_between_them(runs, tmp_path, capsys):
    import shutil

    a, same, _ = runs
    x, y = shutil.copytree(a, tmp_path / "x"), shutil.copytree(same, tmp_path / "y")
    records.append(x / records.INTERFERENCE, [{"seconds": 1.0, "steal": 0.0, "other_cores": 0.0, "pace_s": 6e-4}] * 4)
    records.append(y / records.INTERFERENCE, [{"seconds": 1.0, "steal": 0.0, "other_cores": 0.0, "pace_s": 9e-4}] * 4)
    d = compare_runs(x, y)
    assert d["machine"]["pace_b_over_a"] == 1.5 and d["machine"]["a"].startswith("quiet")
    main([str(x), str(y)])
    out = capsys.readouterr().out
    assert "fixed loop in 1.5× A's time" in out and out.count("machine: ") == 2
    assert compare_runs(a, same)["machine"]["pace_b_over_a"] is None  # runs without the loop: nothing claimed
