"""Scheduler labels parse, validate and round-trip."""
from __future__ import annotations

import pytest

from runners.records.kinds import SchedulerSpec, parse, parse_list


@pytest.mark.parametrize(
    "label",
    ["sync", "threads-1", "threads-16", "processes-2", "distributed-2x1", "distributed-1x2",
     "distributed@tcp://127.0.0.1:8786", "distributed@tls://sched.example.org:8786"],
)
def test_label_round_trips(label):
    assert parse(label).label == label


@pytest.mark.parametrize("label", ["nosuch-2", "threads-0", "threads", "processes-x", "distributed-x",
                                   "distributed-0x1", "distributed-2x0", "", "sync-2", "threads--1"])
def test_bad_label_raises_naming_the_label(label):
    with pytest.raises(ValueError, match="bad scheduler label"):
        parse(label)


def test_spec_validates_in_constructor():
    with pytest.raises(ValueError, match=">= 1"):
        SchedulerSpec("threads", workers=0)
    with pytest.raises(ValueError, match="kind must be one of"):
        SchedulerSpec("gpu")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="address"):
        SchedulerSpec("threads", address="tcp://x:1")


def test_nthreads_counts_every_thread():
    assert parse("sync").nthreads == 1
    assert parse("threads-4").nthreads == 4
    assert parse("distributed-2x3").nthreads == 6


def test_parse_list_keeps_order_and_drops_repeats():
    assert [s.label for s in parse_list("threads-2, sync,threads-2")] == ["threads-2", "sync"]
    with pytest.raises(ValueError):
        parse_list(" , ")
