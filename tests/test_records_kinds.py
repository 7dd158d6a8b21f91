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


def test_processes_and_distributed_have_an_as_shipped_and_a_tuned_label():
    assert parse("processes-2-shipped") == SchedulerSpec("processes", 2, as_shipped=True)
    assert parse("processes-2-tuned") == parse("processes-2") == SchedulerSpec("processes", 2)
    assert parse("distributed-2x1-shipped").label == "distributed-2x1-shipped"
    assert parse("processes-2").shipped.label == "processes-2-shipped" and parse("processes-2-shipped").tuned.label == "processes-2"


@pytest.mark.parametrize("label", ["threads-2-shipped", "sync-shipped", "sync-tuned", "distributed@tcp://h:1-shipped"])
def test_only_the_kinds_with_two_readings_take_a_reading_suffix(label):
    with pytest.raises(ValueError, match=r"bad scheduler label|as-shipped|one reading"):
        spec = parse(label)
        assert spec.address is None  # an address swallowing the suffix would be a bug too


def test_a_label_without_a_reading_stands_for_both_and_a_suffix_for_one():
    assert [s.label for s in parse_list("sync,processes-2,distributed-2x1")] == [
        "sync", "processes-2", "processes-2-shipped", "distributed-2x1", "distributed-2x1-shipped"]
    assert [s.label for s in parse_list("processes-2-tuned,distributed-2x1-shipped")] == [
        "processes-2", "distributed-2x1-shipped"]
    assert [s.label for s in parse_list("processes-2", both=False)] == ["processes-2"]
    assert [s.label for s in parse_list("distributed@tcp://h:1")] == ["distributed@tcp://h:1"]  # already started
