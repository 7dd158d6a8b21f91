"""Task-stream pages: one per (workload, scheduler), standalone, escaped, small for huge graphs."""
from __future__ import annotations

import re
import time

import numpy as np
import pandas as pd

from reports import streampages, taskstream
from reports.load import load
from runners import records

XSS = "<script>alert(1)</script>"


def test_render_all_pages(synthetic_run):
    res = load(synthetic_run)
    pages = streampages.render_all(res, synthetic_run / "streams")
    got = {(p["workload"], p["scheduler"]) for p in pages}
    assert got == {("array-x", "threads-2"), ("array-x", "distributed-2x1"), (XSS, "sync")}
    for p in pages:
        text = (synthetic_run / p["path"]).read_text()
        assert p["path"].startswith("streams/") and not p["sampled"]
        assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']?https?:", text, re.I)
        assert XSS not in text
        assert "median repeat" in text
    dist = (synthetic_run / "streams" / "array-x__distributed-2x1.html").read_text()
    assert "transfer" in dist and "../perf/array-x__distributed-2x1.html" in dist


def test_render_all_damaged_streams(tmp_path):
    run = tmp_path / "r"
    p = records.tasks_path(run, "w", "threads-2")
    records.append(p, [{"workload": "w", "scheduler": "threads-2", "start": 0.1}])  # no stop, no key
    records.append(p, [{"workload": "w", "scheduler": "threads-2", "start": 0.0, "stop": 0.2, "repeat": None}])
    with p.open("a") as f:
        f.write('{"v": 1, "workload": "w", "sched')  # cut off mid-line
    res = load(run)
    pages = streampages.render_all(res, run / "streams")
    assert [x["tasks"] for x in pages] == [1]
    assert any("incomplete" in s for s in res.skipped)


def test_taskstream_100k_tasks_fast_and_small(tmp_path):
    run = tmp_path / "big"
    n = 100_000
    rng = np.random.default_rng(1)
    start = np.sort(rng.random(n) * 30.0)
    w = rng.integers(0, 8, n)
    rows = pd.DataFrame({
        "v": records.SCHEMA_VERSION, "workload": "big", "scheduler": "distributed-8x2", "repeat": 0,
        "key": [f"('task-{i % 40}-0123456789abcdef', {i})" for i in range(n)],
        "prefix": [f"task-{i % 40}" for i in range(n)], "worker": [f"tcp://10.0.0.1:{4000 + x}" for x in w],
        "thread": [f"tcp://10.0.0.1:{4000 + x}/{i % 2}" for i, x in enumerate(w)], "start": start,
        "stop": start + rng.exponential(0.002, n), "action": np.where(np.arange(n) % 20 == 0, "transfer", "compute"),
        "nbytes": 1000,
    })
    p = records.tasks_path(run, "big", "distributed-8x2")
    p.parent.mkdir(parents=True)
    rows.to_json(p, orient="records", lines=True)
    res = load(run)
    t0 = time.perf_counter()
    pages = streampages.render_all(res, run / "streams")
    elapsed = time.perf_counter() - t0
    assert len(pages) == 1 and pages[0]["sampled"] and pages[0]["tasks"] == 95_000
    out = run / pages[0]["path"]
    size = out.stat().st_size
    text = out.read_text()
    assert size <= 15 * 2**20, size
    assert elapsed < 10, elapsed
    assert "Sampled:" in text and "100,000" in text


def test_sample_keeps_longest():
    df = pd.DataFrame({"start": np.zeros(100), "stop": np.arange(100, dtype=float)})
    out, msg = taskstream.sample(df, limit=10)
    assert len(out) == 10 and 99.0 in set(out["stop"]) and "10 of 100" in msg
    same, msg = taskstream.sample(df, limit=100)
    assert len(same) == 100 and msg == ""


def test_occupancy_counts_all():
    df = pd.DataFrame({"start": [0.0, 0.0, 1.0], "stop": [2.0, 2.0, 2.0], "action": "compute"})
    occ = taskstream.occupancy(df, bins=5)
    assert occ["running"].max() == 3
