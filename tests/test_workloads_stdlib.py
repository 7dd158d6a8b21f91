"""The real-data bag workloads of workloads/stdlib.py: the standard library's own sources.

The files are picked evenly from the sorted list (the seed shifts the pick); each workload
computed under sync folds what its per-file function gives for those files; the scanners
find what a small file of known content holds; the check rejects a changed count.
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter

import dask.bag as db
import pytest

from _computing import assert_deterministic, assert_processes_agree, assert_threads_agree, compute
from workloads import stdlib

WORKLOADS = (stdlib.STDLIB_RE, stdlib.STDLIB_AST)
IDS = [w.name for w in WORKLOADS]
TINY = {"stdlib-re": 16, "stdlib-ast": 4}

SOURCE = '''\
class Plain:
    def method(self, x):
        """Four."""
        return x


async def fetch():  # no docstring
    pass


def documented(a,
               b):
    r"""Not found: the signature spans two lines."""
'''


@pytest.fixture(scope="module")
def references():
    """Sync results at the tiny size, seed 0, computed once per workload."""
    return {w.name: compute(w, TINY[w.name]) for w in WORKLOADS}


# -- the files ------------------------------------------------------------------------------


def test_stdlib_files_sorted_without_site_packages():
    files = stdlib.stdlib_files()
    assert list(files) == sorted(files)
    assert len(files) > 500
    assert not any("site-packages" in f for f in files)


def test_pick_spreads_over_the_corpus_and_shifts_with_the_seed():
    files = stdlib.stdlib_files()
    picked = stdlib._pick(10, 0)
    assert len(set(picked)) == 10 and picked[0] == files[0]
    assert [files.index(p) for p in picked] == [i * len(files) // 10 for i in range(10)]
    assert stdlib._pick(10, 1) == [files[files.index(p) + 1] for p in picked]


def test_pick_above_the_corpus_size_repeats_it():
    files = stdlib.stdlib_files()
    picked = stdlib._pick(len(files) + 3, 0)
    assert picked[:len(files)] == list(files) and picked[len(files):] == list(files[:3])


def test_nbytes_is_the_size_of_the_files_read():
    assert stdlib.STDLIB_RE.nbytes(4) == sum(os.path.getsize(p) for p in stdlib._pick(4, 0))


# -- the scanners ---------------------------------------------------------------------------


def test_scan_definitions_finds_defs_classes_and_one_line_signatures_docstrings(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(SOURCE)
    assert stdlib.scan_definitions(str(path)) == [
        ("class", "Plain", 0), ("def", "method", len("Four.")), ("def", "fetch", 0), ("def", "documented", 0)]


def test_count_nodes_counts_node_types_and_marks_files_that_do_not_parse(tmp_path):
    good, bad = tmp_path / "good.py", tmp_path / "bad.py"
    good.write_text("x = 1\n")
    bad.write_text("def (:\n")
    assert stdlib.count_nodes(str(good)) == {"Module": 1, "Assign": 1, "Name": 1, "Store": 1, "Constant": 1}
    assert stdlib.count_nodes(str(bad)) == {"<error>": 1}


# -- each workload folds what its per-file function gives ----------------------------------


@pytest.mark.parametrize("seed", [0, 4])
def test_stdlib_re_folds_definitions_by_kind(seed):
    size = TINY["stdlib-re"]
    want: dict[str, list[int]] = {}
    for path in stdlib._pick(size, seed):
        for kind, _, doc in stdlib.scan_definitions(path):
            acc = want.setdefault(kind, [0, 0])
            acc[0] += 1
            acc[1] += doc
    got = compute(stdlib.STDLIB_RE, size, seed)
    assert stdlib.STDLIB_RE.check(got, [(k, tuple(v)) for k, v in want.items()])


def test_stdlib_ast_sums_node_counts_over_files():
    size = TINY["stdlib-ast"]
    want = sum((Counter(stdlib.count_nodes(p)) for p in stdlib._pick(size, 0)), Counter())
    assert compute(stdlib.STDLIB_AST, size) == dict(want)


# -- the check, the seed, the schedulers ---------------------------------------------------


def _perturbed(result):
    if isinstance(result, dict):
        return {**result, "Module": result["Module"] + 1}
    (key, (count, doc)), *rest = result
    return [(key, (count + 1, doc)), *rest]


@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_check_rejects_a_changed_count(workload, references):
    reference = references[workload.name]
    assert workload.check(reference, reference)
    assert not workload.check(_perturbed(reference), reference)


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


def test_quick_runs_the_re_scan_only():
    assert stdlib.STDLIB_RE.in_profile("quick") and not stdlib.STDLIB_AST.in_profile("quick")
    assert all(w.real_data and w.collection == "bag" for w in WORKLOADS)


def test_quick_size_builds_a_bag_of_paths_in_about_eight_partitions():
    size = stdlib.STDLIB_RE.size_for("quick")
    built = stdlib._stdlib_bag(size, 0)
    assert isinstance(built, db.Bag) and built.compute(scheduler="sync") == stdlib._pick(size, 0)
    # asked for PARTS (8); dask's from_sequence rounds the partition length down, so 900 files make
    # 8 partitions of 112 and a ninth of 4
    assert stdlib.PARTS <= built.npartitions <= stdlib.PARTS + 1
    assert isinstance(stdlib.STDLIB_RE.build(size, 0), db.Bag)
    assert stdlib._stdlib_bag(2, 0).npartitions == 2  # never more partitions than files


@pytest.mark.slow
def test_quick_size_computes_under_sync():
    workload = stdlib.STDLIB_RE
    got = compute(workload, workload.size_for("quick"))
    assert {k for k, _ in got} == {"def", "class"}
    assert workload.check(got, got) and not workload.check(_perturbed(got), got)


@pytest.mark.parametrize("module", ["workloads.stdlib", "workloads.bags"])
def test_a_bag_workload_module_imports_no_dataframe_library(module):
    """A process pool started per compute (Dask's processes as shipped) imports the module of the task's
    function in every worker: pandas there would be our cost, not the workload's (1.8 s a worker here)."""
    code = f"import sys, {module}; print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
