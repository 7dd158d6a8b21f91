"""The Python API (runners/api.py): compare() measures a user's collection and keeps or removes its folder."""
from __future__ import annotations

import tempfile

import dask
import numpy as np
import pandas as pd
import pytest

import runners.all
from runners import api


@pytest.mark.parametrize("result, reference, same", [
    (pd.Series([2, 1], index=[1, 0]), pd.Series([1, 2]), True),  # frames compare in index order
    (pd.DataFrame({"a": [1.0]}), pd.DataFrame({"a": [1.5]}), False),
    ([1.0, np.nan], [1.0 + 1e-12, np.nan], True),  # numbers compare close, NaN equal to NaN
    (np.arange(3), np.arange(3) + 1, False),
    ("abc", "abc", True),  # neither: ==
    ("abc", "abd", False),
])
def test_default_check(result, reference, same):
    assert api._default_check(result, reference) is same


def test_runners_all_hands_out_the_same_compare():
    assert runners.all.compare is api.compare


def test_compare_adds_sync_and_removes_its_temporary_folder(tmp_path, monkeypatch):
    made = []

    def mkdtemp(prefix=""):
        made.append(tmp_path / f"{prefix}x")
        made[-1].mkdir()
        return str(made[-1])

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    work = [dask.delayed(sum)(range(100)) for _ in range(4)]
    table, rec = api.compare(work, ["threads-2"], repeats=2, name="tiny")
    assert set(table["scheduler"]) == {"sync", "threads-2"}  # the baseline is always measured
    assert rec["workload"] == "tiny" and table["check_ok"].all()
    assert made and not made[0].exists()  # no folder asked for: the temporary one is gone
