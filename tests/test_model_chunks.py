"""Dask's own pool sends tasks in chunks of six (reports/model_chunks.py): what that costs few tasks."""
from __future__ import annotations

import pandas as pd
import pytest

from reports.model_chunks import chunking
from reports.model_inputs import _shipped_start


def test_few_tasks_wait_on_the_worker_with_the_big_chunk_and_many_even_out():
    assert chunking(8, 2) == 1.5  # a chunk of 6 and one of 2: 6 against 4
    assert chunking(12, 2) == 1.0  # two chunks of 6: balanced
    assert chunking(7, 4) == pytest.approx(6 / 2)  # one chunk of 6 and one of 1, on 4 workers that could share 2 each
    assert chunking(3, 1) == 1.0 and chunking(5000, 2) == 1.0 and chunking(8, 2, chunksize=1) == 1.0


def test_the_start_read_off_a_workload_measured_both_ways_leaves_its_chunks_out():
    # 8 tasks: the as-shipped compute paid 1.5x the kept one's time besides its start
    t = pd.DataFrame({"workload": ["a", "a"], "scheduler": ["processes-2", "processes-2-shipped"],
                      "median_s": [0.4, 1.0], "ntasks": [8, 8]})
    assert _shipped_start(t)[0] == {"processes-2": pytest.approx(1.0 - 0.4 * 1.5)}
