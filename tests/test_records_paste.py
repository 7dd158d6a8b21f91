"""The code to paste (runners/records/paste.py): valid Python with every knob the measurement used."""
from __future__ import annotations

import ast

import dask
import pytest

from runners.records.kinds import parse
from runners.records.paste import code, one_line

LABELS = ["sync", "threads-2", "processes-2", "processes-2-shipped", "distributed-2x1", "distributed-1x2-shipped",
          "distributed@tcp://10.0.0.1:8786"]


@pytest.mark.parametrize("label", LABELS)
def test_every_snippet_is_python_that_names_its_workers(label):
    text = code(parse(label))
    ast.parse(text)
    spec = parse(label)
    if spec.kind in ("threads", "processes"):
        assert f"{spec.workers}" in text
    if spec.kind == "distributed" and not spec.address:
        assert f"n_workers={spec.workers}, threads_per_worker={spec.threads_per_worker}" in text


def test_the_readings_differ_where_the_measurement_did():
    tuned, shipped = code(parse("processes-2")), code(parse("processes-2-shipped"))
    assert "pool=pool, chunksize=1" in tuned and 'get_context("spawn")' in tuned
    assert "pool=" not in shipped and "num_workers=2" in shipped
    assert "with LocalCluster" in code(parse("distributed-2x1-shipped"))  # a one-off: started for the compute
    assert "client = Client(cluster)" in code(parse("distributed-2x1"))  # kept


def test_one_line_is_the_deciding_line_without_imports_or_comments():
    assert one_line(parse("threads-2")) == 'dask.config.set(scheduler="threads", num_workers=2)'
    assert one_line(parse("processes-2-shipped")) == 'dask.config.set(scheduler="processes", num_workers=2)'


def test_the_threads_snippet_does_what_it_says():
    ns: dict = {}
    saved = {k: dask.config.config[k] for k in ("scheduler", "num_workers") if k in dask.config.config}
    try:
        exec(code(parse("threads-3")), ns)  # sets Dask's config for the rest of the program, as pasted
        assert dask.config.get("scheduler") == "threads" and dask.config.get("num_workers") == 3
        assert dask.compute(dask.delayed(sum)([1, 2]))[0] == 3
    finally:
        for k in ("scheduler", "num_workers"):
            dask.config.config.pop(k, None)
        dask.config.config.update(saved)
