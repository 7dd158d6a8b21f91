"""dask.dataframe workloads: numeric kernels (GIL mostly released) vs Python-object work.

Partitions are generated inside their tasks with ``dd.from_map`` from
``(seed, partition)``.  dask converts object string columns that come out of
``from_map`` to Arrow strings (``dataframe.convert-string``), so the two string
workloads do their string work *inside* the partition task, where the dtype is
the one they chose, and hand on only small per-key aggregates.

>>> r = GROUPBY.build(4_000, 0).compute(scheduler="sync")
>>> GROUPBY.check(r, r), GROUPBY.check(r, r * 1.001)
(True, False)
"""
from __future__ import annotations

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workloads.base import Workload

__all__ = [
    "APPLY",
    "GROUPBY",
    "JOIN",
    "STR_ARROW",
    "STR_OBJECT",
    "check_frame",
    "string_partition",
]

_PARTITIONS = 8
_GROUPS = 1_000
_JOIN_KEYS = 20_000
_DOMAINS = ("example.com", "dask.org", "python.org", "numpy.org", "pandas.pydata.org",
            "arrow.apache.org", "mail.net", "corp.example")
_NAMES = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
          "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter")


def _rows(size: int, partition: int) -> int:
    return size // _PARTITIONS + (1 if partition < size % _PARTITIONS else 0)


def _rng(seed: int, partition: int) -> np.random.Generator:
    return np.random.default_rng([seed, partition])


def _numeric_partition(partition: int, seed: int, size: int) -> pd.DataFrame:
    n = _rows(size, partition)
    rng = _rng(seed, partition)
    return pd.DataFrame({
        "key": rng.integers(0, _GROUPS, n),
        "x": rng.standard_normal(n),
        "y": rng.random(n),
    })


def _numeric_frame(size: int, seed: int) -> dd.DataFrame:
    meta = _numeric_partition(0, 0, 0)
    return dd.from_map(_numeric_partition, range(_PARTITIONS), seed=seed, size=size, meta=meta)


def _build_groupby(size: int, seed: int) -> dd.DataFrame:
    return _numeric_frame(size, seed).groupby("key").agg({"x": ["mean", "std", "max"], "y": "sum"})


def _join_left(partition: int, seed: int, size: int) -> pd.DataFrame:
    n = _rows(size, partition)
    rng = _rng(seed, partition)
    return pd.DataFrame({"key": rng.integers(0, _JOIN_KEYS, n), "x": rng.standard_normal(n)})


def _join_right(partition: int, seed: int) -> pd.DataFrame:
    rng = _rng(seed, 10_000 + partition)
    return pd.DataFrame({
        "key": np.arange(_JOIN_KEYS),
        "w": rng.random(_JOIN_KEYS),
        "cat": rng.integers(0, 50, _JOIN_KEYS),
    })


def _build_join(size: int, seed: int) -> dd.Series:
    left = dd.from_map(_join_left, range(_PARTITIONS), seed=seed, size=size, meta=_join_left(0, 0, 0))
    right = dd.from_map(_join_right, [0], seed=seed, meta=_join_right(0, 0).iloc[:0])
    merged = left.merge(right, on="key", how="inner")
    return merged.assign(z=merged.x * merged.w).groupby("cat").z.sum()


def string_partition(partition: int, seed: int, size: int, dtype: str) -> pd.DataFrame:
    """Generate name/domain strings as *dtype* (``"str"`` or ``"object"``), work on them, aggregate.

    The work: concatenate an email address, upper-case it, replace, measure its
    length, search it, slice it, then group by domain.  Returns one row per
    domain: how many addresses, their total length, how many contain ``"AR"``
    and how many start with ``"AL"``.
    """
    n = _rows(size, partition)
    rng = _rng(seed, partition)
    names = pa.array(_NAMES).take(pa.array(rng.integers(0, len(_NAMES), n)))
    numbers = pa.array(rng.integers(0, 100_000, n)).cast(pa.string())
    local = pd.Series(pd.array(pc.binary_join_element_wise(names, numbers, "."), dtype="str"))
    domain = pd.Series(pd.array(pa.array(_DOMAINS).take(pa.array(rng.integers(0, len(_DOMAINS), n))), dtype="str"))
    if dtype == "object":
        local, domain = local.astype(object), domain.astype(object)
    email = local + "@" + domain
    upper = email.str.upper().str.replace(".", "_", regex=False)
    frame = pd.DataFrame({
        "domain": domain,
        "count": 1,
        "length": upper.str.len(),
        "hits": upper.str.contains("AR", regex=False).astype("int64"),
        "al": (upper.str.slice(0, 2) == "AL").astype("int64"),
    })
    out = frame.groupby("domain", sort=True).sum()
    out.index = out.index.astype(object)
    return out.reset_index()


def _string_meta() -> pd.DataFrame:
    return pd.DataFrame({"domain": pd.Series([], dtype=object), "count": pd.Series([], dtype="int64"),
                         "length": pd.Series([], dtype="int64"), "hits": pd.Series([], dtype="int64"),
                         "al": pd.Series([], dtype="int64")})


def _build_strings(dtype: str):
    def build(size: int, seed: int) -> dd.DataFrame:
        parts = dd.from_map(string_partition, range(_PARTITIONS), seed=seed, size=size, dtype=dtype,
                            meta=_string_meta())
        return parts.groupby("domain").sum()

    return build


def _row_score(row: pd.Series) -> float:
    # Deliberately plain Python on one row: branches and float arithmetic.
    a, b = row["a"], row["b"]
    if a > b:
        return a * 2.0 - b
    return (a + b) / (1.0 + abs(b))


def _build_apply(size: int, seed: int) -> dd.Series:
    frame = dd.from_map(_apply_partition, range(_PARTITIONS), seed=seed, size=size,
                        meta=_apply_partition(0, 0, 0))
    scored = frame.assign(score=frame.apply(_row_score, axis=1, meta=("score", "f8")))
    return scored.groupby("k").score.sum()


def _apply_partition(partition: int, seed: int, size: int) -> pd.DataFrame:
    n = _rows(size, partition)
    rng = _rng(seed, partition)
    return pd.DataFrame({"k": rng.integers(0, 100, n), "a": rng.standard_normal(n), "b": rng.random(n)})


def check_frame(result: pd.DataFrame | pd.Series, reference: pd.DataFrame | pd.Series) -> bool:
    """True when two pandas results agree up to row order (values to ``rtol=1e-7``).

    >>> s = pd.Series([1.0, 2.0], index=["b", "a"])
    >>> check_frame(s, s.sort_index()), check_frame(s, s + 1)
    (True, False)
    """
    if type(result) is not type(reference):
        return False
    try:
        if isinstance(result, pd.Series):
            pd.testing.assert_series_equal(result.sort_index(), reference.sort_index(), check_dtype=False,
                                           check_index_type=False, check_names=False, rtol=1e-7)
        else:
            pd.testing.assert_frame_equal(result.sort_index(), reference.sort_index(), check_dtype=False,
                                          check_index_type=False, check_column_type=False, rtol=1e-7)
    except (AssertionError, TypeError, ValueError):
        return False
    return True


GROUPBY = Workload(
    name="df-groupby",
    collection="dataframe",
    claims=("C10", "C12"),
    sizes={"quick": 2_000_000, "default": 16_000_000, "full": 64_000_000},
    build=_build_groupby,
    check=check_frame,
    nbytes=lambda size: 24 * size,
    description=f"Mean, std, max and sum of two float columns grouped by an int key with {_GROUPS} groups.",
)

JOIN = Workload(
    name="df-join",
    collection="dataframe",
    claims=("C10", "C12"),
    sizes={"quick": 1_500_000, "default": 10_000_000, "full": 40_000_000},
    build=_build_join,
    check=check_frame,
    nbytes=lambda size: 16 * size + 24 * _JOIN_KEYS,
    description=f"Merge of a size-row frame with a {_JOIN_KEYS}-row frame on an int key, then a grouped sum.",
)

STR_ARROW = Workload(
    name="df-str-arrow",
    collection="dataframe",
    claims=("C10", "C12"),
    sizes={"quick": 120_000, "default": 800_000, "full": 3_000_000},
    build=_build_strings("str"),
    check=check_frame,
    nbytes=lambda size: 24 * size,
    description="Concatenate, upper-case, replace, len, contains and slice on Arrow-backed strings, grouped by domain.",
    params={"dtype": "str"},
)

STR_OBJECT = Workload(
    name="df-str-object",
    collection="dataframe",
    claims=("C10", "C12"),
    sizes={"quick": 80_000, "default": 800_000, "full": 3_000_000},
    build=_build_strings("object"),
    check=check_frame,
    nbytes=lambda size: 24 * size,
    description="The same string operations as df-str-arrow on object-dtype strings (Python str objects).",
    params={"dtype": "object"},
)

APPLY = Workload(
    name="df-apply",
    collection="dataframe",
    claims=("C10", "C12"),
    sizes={"quick": 10_000, "default": 160_000, "full": 600_000},
    build=_build_apply,
    check=check_frame,
    nbytes=lambda size: 24 * size,
    description="Row-wise DataFrame.apply(axis=1) of a Python function, summed by group.",
)
