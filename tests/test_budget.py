"""The run's whole budget (runners/budget.py): the adaptive rounds get what the fixed costs leave."""
from __future__ import annotations

import pytest

from runners.budget import CEILING, FLOOR, MIN_MEASURED, Budget, process_age


class _Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def _budget(total=100.0):
    clock = _Clock()
    return Budget(total, clock=clock, since=0.0), clock


def test_the_caps_are_whole_until_enough_workloads_were_measured():
    b, clock = _budget()
    clock.t = 90.0
    for _ in range(MIN_MEASURED - 1):
        b.done(30.0)
    assert b.scale(workloads_left=5, flexible_s=10.0) == 1.0 and b.projection(5) is None


def test_the_caps_shrink_with_what_is_left_but_never_below_the_floor():
    b, clock = _budget()
    for _ in range(MIN_MEASURED):
        b.done(5.0)
    clock.t = 20.0
    assert b.scale(workloads_left=2, flexible_s=10.0) == CEILING  # 80 - 20 - 10 = 50 left for 20 s of caps
    clock.t = 38.0
    assert b.scale(workloads_left=2, flexible_s=10.0) == pytest.approx((32 - 5) / 20)  # room, less the margin
    clock.t = 48.0
    assert b.scale(workloads_left=2, flexible_s=10.0) == 1.0  # 22 s left for 20 of caps, 17 past the margin
    clock.t = 45.0
    assert b.scale(workloads_left=2, flexible_s=20.0) == pytest.approx(0.625)  # 80 - 45 - 10 = 25 for 40 s
    clock.t = 70.0
    assert b.scale(workloads_left=2, flexible_s=10.0) == FLOOR
    assert b.projection(2) == pytest.approx((70.0 + 2 * 5.0) / 0.8)


def test_no_budget_means_whole_caps_and_no_warning():
    b = Budget(None, clock=lambda: 1e6, since=0.0)
    for _ in range(5):
        b.done(100.0)
    assert b.scale(3, 10.0) == 1.0 and b.warning("quick", 3) == ""


def test_the_warning_comes_once_when_the_fixed_costs_alone_overrun():
    b, clock = _budget()
    for _ in range(MIN_MEASURED):
        b.done(40.0)
    clock.t = 120.0
    first = b.warning("quick", workloads_left=3)
    assert first.startswith("WARNING: profile quick is planned for 100 s") and "about 300 s" in first
    assert b.warning("quick", workloads_left=3) == ""


def test_a_negative_fixed_cost_counts_as_none():
    b, _ = _budget()
    b.done(-3.0)
    assert b.fixed == [0.0]


def test_the_process_age_is_this_processes():
    assert 0.0 < process_age() < 7 * 24 * 3600


def test_the_plan_counts_pairs_so_heavy_first_workloads_do_not_cut_the_light_ones():
    # quick's first three workloads run five schedulers each, most later ones two: per workload, their fixed
    # cost projected onto 26 light workloads overran the budget and cut every adaptive round to the floor.
    per_workload, clock = _budget(total=180.0)
    per_pair = Budget(180.0, clock=clock, since=0.0)
    for _ in range(MIN_MEASURED):
        per_workload.done(8.0)
        per_pair.done(8.0, pairs=5)
    clock.t = 25.0
    assert per_workload.scale(workloads_left=26, flexible_s=2.0) == FLOOR  # 144 - 25 - 26 * 8 < 0
    assert per_pair.scale(workloads_left=26, flexible_s=2.0, pairs_left=40) == 1.0  # 144 - 25 - 40 * 1.6 = 55 s for 52
    assert per_pair.scale(workloads_left=26, flexible_s=2.0, pairs_left=55) == pytest.approx(31 / 52)
    assert per_workload.warning("quick", workloads_left=26).startswith("WARNING")
    assert per_pair.warning("quick", workloads_left=26, pairs_left=40) == ""


def test_what_is_left_is_shared_by_what_the_adaptive_rounds_really_used():
    # Most workloads stop before their caps (decided, repeat cap): planning each at its full cap cut
    # the middle of quick to the floor and ended the run 50 s under its budget.
    b, clock = _budget(total=180.0)
    assert b.use() == 1.0
    for _ in range(MIN_MEASURED):
        b.done(2.0, pairs=4, adaptive_s=1.0, offered_s=6.0)  # a sixth of the caps used
    clock.t = 20.0
    # 144 - 20 - 60 pairs * 0.5 = 94 s for 20 workloads of 6 s caps used a sixth (at least a quarter): 94 / 30
    assert b.use() == pytest.approx(0.25)
    assert b.scale(workloads_left=20, flexible_s=6.0, pairs_left=60) == CEILING  # (94 - 9) / 30 > 2
    b.done(2.0, pairs=4, adaptive_s=20.0, offered_s=6.0)  # one that used far more (its claims' extra)
    assert b.use() == pytest.approx(23.0 / 24.0)
    assert b.scale(workloads_left=20, flexible_s=6.0, pairs_left=60) == pytest.approx(94 / (120 * 23 / 24))
