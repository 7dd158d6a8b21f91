"""The dask.dataframe workloads of workloads/frames.py.

Each workload is computed at a tiny size under sync and compared with pandas doing the
same on the same generated partitions; the Arrow and object string variants compute the
same; the check ignores row order and rejects changed values.
"""
from __future__ import annotations

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

from _computing import (assert_deterministic, assert_processes_agree, assert_threads_agree, compute,
                        perturbed_frame)
from workloads import frames

WORKLOADS = (frames.GROUPBY, frames.JOIN, frames.STR_ARROW, frames.STR_OBJECT, frames.APPLY)
IDS = [w.name for w in WORKLOADS]
TINY = {"df-groupby": 4_000, "df-join": 4_000, "df-str-arrow": 2_000, "df-str-object": 2_000, "df-apply": 400}
PARTITIONS = range(8)


@pytest.fixture(scope="module")
def references():
    """Sync results at the tiny size, seed 0, computed once per workload."""
    return {w.name: compute(w, TINY[w.name]) for w in WORKLOADS}


def _concat(make, seed: int, size: int) -> pd.DataFrame:
    return pd.concat([make(p, seed, size) for p in PARTITIONS], ignore_index=True)


# -- each workload computes what pandas computes on the same partitions ----------------------


@pytest.mark.parametrize("seed", [0, 2])
def test_groupby_aggregates_by_key(seed):
    size = TINY["df-groupby"]
    frame = _concat(frames._numeric_partition, seed, size)
    assert len(frame) == size
    want = frame.groupby("key").agg({"x": ["mean", "std", "max"], "y": "sum"})
    assert frames.GROUPBY.check(compute(frames.GROUPBY, size, seed), want)


def test_join_merges_on_the_key_and_sums_by_category():
    size = TINY["df-join"]
    left = _concat(frames._join_left, 0, size)
    merged = left.merge(frames._join_right(0, 0), on="key", how="inner")
    want = (merged.x * merged.w).groupby(merged.cat).sum()
    got = compute(frames.JOIN, size)
    assert len(merged) == size  # every left key is in the right frame
    assert frames.JOIN.check(got, want)


@pytest.mark.parametrize("dtype", ["str", "object"])
def test_string_workloads_sum_the_partitions_aggregates(dtype):
    workload = {"str": frames.STR_ARROW, "object": frames.STR_OBJECT}[dtype]
    size = TINY[workload.name]
    parts = pd.concat([frames.string_partition(p, 0, size, dtype) for p in PARTITIONS])
    want = parts.groupby("domain").sum()
    got = compute(workload, size)
    assert workload.check(got, want)
    assert got["count"].sum() == size


def test_string_variants_compute_the_same():
    size = TINY["df-str-arrow"]
    assert frames.STR_ARROW.check(compute(frames.STR_OBJECT, size), compute(frames.STR_ARROW, size))


def test_string_partition_works_in_the_dtype_asked_and_counts_consistently():
    arrow = frames.string_partition(3, 0, 800, "str")
    objects = frames.string_partition(3, 0, 800, "object")
    assert frames.check_frame(arrow, objects)
    assert arrow["count"].sum() == 100  # 800 rows over 8 partitions
    assert set(arrow["domain"]) <= set(frames._DOMAINS)
    assert (arrow["hits"] <= arrow["count"]).all() and (arrow["al"] <= arrow["count"]).all()
    # name "." number "@" domain, upper-cased with "." -> "_": at least 1 + 1 + 1 + len(domain) + 3 characters
    assert (arrow["length"] >= arrow["count"] * (arrow["domain"].str.len() + 6)).all()


def test_apply_scores_rows_and_sums_by_group():
    size = TINY["df-apply"]
    frame = _concat(frames._apply_partition, 0, size)
    a, b = frame["a"], frame["b"]
    score = pd.Series(np.where(a > b, a * 2.0 - b, (a + b) / (1.0 + b.abs())))  # the row function, vectorised
    want = score.groupby(frame["k"]).sum()
    assert frames.APPLY.check(compute(frames.APPLY, size), want)


# -- the check, the seed, the schedulers ---------------------------------------------------


@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_check_ignores_row_order_and_rejects_changed_values(workload, references):
    reference = references[workload.name]
    assert workload.check(reference.iloc[::-1], reference)
    assert not workload.check(perturbed_frame(reference), reference)
    assert not workload.check(reference.iloc[1:], reference)


def test_check_frame_rejects_another_type_or_index():
    s = pd.Series([1.0, 2.0], index=["a", "b"])
    assert not frames.check_frame(s.to_frame(), s)
    assert not frames.check_frame(s.rename({"b": "c"}), s)
    assert frames.check_frame(s * (1 + 1e-9), s)


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


@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_quick_size_builds_from_eight_generated_partitions(workload):
    built = workload.build(workload.size_for("quick"), 0)
    assert workload.in_profile("quick") and isinstance(built, (dd.DataFrame, dd.Series))
    # the graph holds the generating calls, never the generated rows (a few kB, not the quick size's MBs)
    assert len(repr(dict(built.__dask_graph__()))) < 200_000


def test_frame_workloads_declare_their_variants():
    assert all(w.collection == "dataframe" and not w.real_data and not w.sweep for w in WORKLOADS)
    assert frames.STR_ARROW.params == {"dtype": "str"} and frames.STR_OBJECT.params == {"dtype": "object"}
    assert frames.GROUPBY.nbytes(1_000) == 24 * 1_000


@pytest.mark.slow
@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_quick_size_computes_under_sync(workload):
    got = compute(workload, workload.size_for("quick"))
    assert len(got) > 0 and workload.check(got, got)
    assert not workload.check(perturbed_frame(got), got)
