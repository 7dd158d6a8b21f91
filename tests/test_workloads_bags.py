"""The dask.bag workloads of workloads/bags.py.

Each workload is computed at a tiny size under sync and compared with the same fold done
in plain Python over the lines its generator makes; the generators are seeded per
partition and their lines parse; the check rejects a missing or changed pair.
"""
from __future__ import annotations

import json
from collections import Counter

import dask.bag as db
import pytest

from _computing import assert_deterministic, assert_processes_agree, assert_threads_agree, compute
from workloads import bags

WORKLOADS = (bags.LOGPARSE, bags.JSON, bags.WORDCOUNT)
IDS = [w.name for w in WORKLOADS]
TINY = 400  # lines (or records) of every bag workload: 50 a partition
PARTITIONS = 8  # of the generated lines (test_quick_size_builds_eight_partitions_sending_only_their_numbers)
GENERATORS = (bags.generate_logs, bags.generate_json, bags.generate_text)


@pytest.fixture(scope="module")
def references():
    """Sync results at the tiny size, seed 0, computed once per workload."""
    return {w.name: compute(w, TINY) for w in WORKLOADS}


def _lines(generate, seed: int, size: int) -> list[str]:
    """Every partition's lines, as the bag's tasks generate them."""
    return [line for p in range(PARTITIONS) for line in generate([p], seed, size)]


# -- each workload folds what plain Python folds over the same lines ------------------------


@pytest.mark.parametrize("seed", [0, 5])
def test_logparse_counts_hits_and_bytes_by_path_and_status(seed):
    want: dict[str, list[int]] = {}
    for line in _lines(bags.generate_logs, seed, TINY):
        path, status, size = bags.parse_log(line)
        hits = want.setdefault(f"{path} {status}", [0, 0])
        hits[0] += 1
        hits[1] += size
    got = compute(bags.LOGPARSE, TINY, seed)
    assert bags.check_sorted_equal(got, [(k, tuple(v)) for k, v in want.items()])
    assert sum(hits for _, (hits, _) in got) == TINY  # every generated line parsed


def test_json_folds_active_records_by_kind():
    want: dict[str, list[float]] = {}
    for line in _lines(bags.generate_json, 0, TINY):
        rec = json.loads(line)
        if rec["active"]:
            acc = want.setdefault(rec["kind"], [0, 0.0])
            acc[0] += 1 + len(rec["tags"])
            acc[1] += rec["amount"]
    assert bags.check_sorted_equal(compute(bags.JSON, TINY), [(k, tuple(v)) for k, v in want.items()])


def test_wordcount_counts_every_word():
    want = Counter(word for line in _lines(bags.generate_text, 0, TINY) for word in line.lower().split())
    got = compute(bags.WORDCOUNT, TINY)
    assert dict(got) == dict(want)
    assert sum(want.values()) == 12 * TINY  # twelve words a line


# -- the generators and the parser ----------------------------------------------------------


@pytest.mark.parametrize("generate", GENERATORS, ids=lambda g: g.__name__)
def test_generators_split_the_size_over_the_partitions(generate):
    counts = [len(generate([p], 0, 403)) for p in range(PARTITIONS)]
    assert sum(counts) == 403 and max(counts) - min(counts) <= 1


@pytest.mark.parametrize("generate", GENERATORS, ids=lambda g: g.__name__)
def test_generators_are_seeded_per_partition(generate):
    assert generate([2], 7, 80) == generate([2], 7, 80)
    assert generate([2], 7, 80) != generate([3], 7, 80)
    assert generate([2], 7, 80) != generate([2], 8, 80)


def test_every_generated_log_line_parses():
    lines = bags.generate_logs([0], 0, 400)
    parsed = [bags.parse_log(line) for line in lines]
    assert None not in parsed
    assert all(path.startswith("/") and "?" not in path and 200 <= status < 600 and size >= 0
               for path, status, size in parsed)


def test_parse_log_reads_a_dash_as_no_bytes_and_rejects_other_lines():
    line = '10.1.2.3 - - [09/Mar/2024:12:30:00 +0000] "POST /api/v1/items?id=3 HTTP/1.1" 500 -'
    assert bags.parse_log(line) == ("/api/v1/items", 500, 0)
    assert bags.parse_log("not a log line") is None
    assert bags.parse_log(line.replace("POST", "post")) is None


def test_generated_json_records_have_the_fields_the_fold_reads():
    recs = [json.loads(line) for line in bags.generate_json([1], 0, 80)]
    assert {"id", "user", "kind", "amount", "active", "tags"} <= set(recs[0])
    assert len({r["id"] for r in recs}) == len(recs)  # unique ids
    assert {r["active"] for r in recs} == {True, False}


# -- the check, the seed, the schedulers ---------------------------------------------------


@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_check_rejects_a_missing_or_changed_pair(workload, references):
    reference = references[workload.name]
    assert workload.check(list(reversed(reference)), reference)  # order does not matter
    assert not workload.check(reference[1:], reference)
    key, value = reference[0]
    changed = tuple(v + 1 for v in value) if isinstance(value, tuple) else value + 1
    assert not workload.check([(key, changed), *reference[1:]], reference)


def test_check_sorted_equal_compares_floats_to_rounding():
    assert bags.check_sorted_equal([("a", (1, 0.1 + 0.2))], [("a", (1, 0.3))])
    assert not bags.check_sorted_equal([("a", (1, 0.3001))], [("a", (1, 0.3))])
    assert not bags.check_sorted_equal([("a", 1)], [("b", 1)])


@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_build_is_deterministic(workload, references):
    assert_deterministic(workload, TINY, references[workload.name])


@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_threads_agree_with_sync(workload, references):
    assert_threads_agree(workload, TINY, references[workload.name])


@pytest.mark.slow
@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_processes_agree_with_sync(workload, references):
    assert_processes_agree(workload, TINY, references[workload.name])


# -- what each profile asks ----------------------------------------------------------------


@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_quick_size_builds_eight_partitions_sending_only_their_numbers(workload):
    built = workload.build(workload.size_for("quick"), 0)
    assert workload.in_profile("quick") and isinstance(built, db.Bag)
    # the tasks that generate the lines get a partition number, never the lines themselves
    generating = [t for k, t in dict(built.__dask_graph__()).items() if k[0].startswith("generate_")]
    assert len(generating) == PARTITIONS
    assert len(repr(generating)) < 20_000


def test_bag_workloads_declare_their_collection_and_sweep():
    assert all(w.collection == "bag" and not w.real_data for w in WORKLOADS)
    assert [w.name for w in WORKLOADS if w.sweep] == ["bag-logparse"]  # C11 reads its scaling
    assert bags.LOGPARSE.nbytes(1000) == 95 * 1000


@pytest.mark.slow
@pytest.mark.parametrize("workload", WORKLOADS, ids=IDS)
def test_quick_size_computes_under_sync(workload):
    size = workload.size_for("quick")
    got = compute(workload, size)
    assert got and workload.check(got, got)
    assert not workload.check(got[1:], got)
