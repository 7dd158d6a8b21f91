"""The run's whole budget: planned from the fixed costs measured as the run goes.

A profile's caps in seconds (:class:`runners.profiles.Profile` ``budget_s``,
``claim_extra_s``) were tuned on one machine; warm-ups, the minimum rounds,
start-ups, the controls and the reports are not adaptive at all.  On a slower
or busier machine the fixed costs grow and the run would take twice its
budget *and* measure fewer rounds.  :class:`Budget` plans against the
profile's whole budget (``run_budget_s``) instead: after each workload it
knows what the fixed part of a workload costs here (its time less its
adaptive rounds) per (workload, scheduler) pair it measured, projects that
onto the pairs left (the first workloads run five schedulers, most later ones
two: per workload, the first three made quick's plan 185 s where the run took
150 s, and cut every adaptive round in between to the floor), keeps a reserve for
what follows the workloads (the experiments, the controls, the reports) and
gives the adaptive rounds of the next workload the share of their caps that
still fits (:meth:`Budget.scale`, :data:`FLOOR`..1: never less than half, or a
slow and busy machine would decide nothing and still overrun).  Most workloads
stop before their caps (decided, or at their repeat cap): what is left is
shared by what the adaptive rounds really used of the caps offered so far
(:meth:`Budget.use`, at least :data:`USE_FLOOR`), not by the caps themselves,
which would plan every workload at its full cap (quick here: the middle third
of the run at the floor, and the run ended 50 s under its budget).  Where there
is room, the caps grow, up to :data:`CEILING`, so the comparisons still open
get the rounds the budget allows (a quiet quick run here: 142 s of 180 with
every cap whole, most verdicts fragile).  When even the fixed costs do not
fit, it says so once, with its estimate (:meth:`Budget.warning`).

>>> now = [0.0]
>>> b = Budget(100.0, clock=lambda: now[0], since=0.0)
>>> b.scale(workloads_left=6, flexible_s=5.0)  # nothing measured yet: the profile's caps
1.0
>>> now[0] = 30.0; b.done(10.0); b.done(10.0); b.done(10.0)
>>> b.scale(workloads_left=3, flexible_s=5.0)  # 100 * 0.8 - 30 - 3 * 10 = 20 left for 15 s of caps
1.0
>>> now[0] = 60.0; b.done(fixed_s=30.0)
>>> b.scale(workloads_left=2, flexible_s=5.0)  # 80 - 60 - 2 * 10 (the median) = 0 left: the floor
0.5
>>> b.done(fixed_s=30.0, pairs=5)  # 6 s a pair: the median pair costs 10 s still
>>> b.scale(workloads_left=2, flexible_s=5.0, pairs_left=1)  # 80 - 60 - 1 * 10 = 10 left for 10 s of caps
1.0
>>> now[0] = 65.0; b.warning("quick", workloads_left=2)[:46]
'WARNING: profile quick is planned for 100 s on'
"""
from __future__ import annotations

import time
from typing import Callable

__all__ = ["Budget", "RESERVE", "process_age", "answer_scale"]

RESERVE = 0.2  # share of the budget kept for what follows the workloads: experiments, controls, reports
MIN_MEASURED = 3  # workloads measured before the budget plans: the first carries every pool's start-up
FLOOR = 0.5  # the caps are never cut by more than half: below that a slow, busy machine would decide nothing
USE_FLOOR = 0.25  # the share of their caps the adaptive rounds are planned to use, at the least
CEILING = 2.0  # where the budget has room, the caps grow up to this much (open comparisons get more rounds) ...
MARGIN = 0.05  # ... keeping this share of the budget aside besides the reserve (a late workload may run long)


def _median(x: list[float]) -> float:
    s = sorted(x)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def answer_scale(left_s: float, groups_left: int, budget_s: float) -> float:
    """Under a whole answer's time budget (``compare()``, a user's ``--workloads``): the share of the profile's
    per-workload cap in seconds (*budget_s*) that gives the next workload group its part of the *left_s*
    seconds still left, shared evenly over the *groups_left* groups (this one included).

    The profile's caps are sized for a run of two dozen workloads (5 s each on ``default``); the answer's
    budget is what a user waits for, and the deadline stops the rounds wherever they are.

    >>> answer_scale(40.0, 1, 5.0), answer_scale(40.0, 4, 5.0), answer_scale(-1.0, 2, 5.0)
    (8.0, 2.0, 0.0)
    """
    return max(0.0, left_s) / max(1, groups_left) / budget_s if budget_s > 0 else 1.0


def process_age() -> float:
    """Seconds since this process started (imports included); 0 where unknown."""
    try:
        import psutil

        return max(0.0, time.time() - psutil.Process().create_time())
    except Exception:
        return 0.0


class Budget:
    """See the module docstring.  *total_s* None: no run-level budget (``scale`` is always 1)."""

    def __init__(self, total_s: float | None, clock: Callable[[], float] = time.perf_counter,
                 since: float | None = None, reserve: float = RESERVE):
        self.total = total_s
        self.clock = clock
        self.t0 = clock() - process_age() if since is None else since
        self.reserve = reserve
        self.fixed: list[float] = []  # per (workload, scheduler) pair
        self.adaptive = self.offered = 0.0  # seconds the adaptive rounds used, of those their caps offered
        self.warned = False

    def elapsed(self) -> float:
        return self.clock() - self.t0

    def done(self, fixed_s: float, pairs: int = 1, adaptive_s: float = 0.0, offered_s: float = 0.0) -> None:
        """A workload (or an interleaved group) is done; *fixed_s*: its seconds outside adaptive rounds,
        over its *pairs* (workload, scheduler) pairs; *adaptive_s* of the *offered_s* its caps allowed."""
        self.fixed.append(max(0.0, fixed_s) / max(1, pairs))
        self.adaptive += max(0.0, adaptive_s)
        self.offered += max(0.0, offered_s)

    def use(self) -> float:
        """The share of their caps the adaptive rounds are planned to use: what they used so far (1 before
        :data:`MIN_MEASURED` workloads, or while no cap was offered), :data:`USE_FLOOR`..1."""
        if len(self.fixed) < MIN_MEASURED or self.offered <= 0:
            return 1.0
        return min(1.0, max(USE_FLOOR, self.adaptive / self.offered))

    def projection(self, workloads_left: int, pairs_left: int | None = None) -> float | None:
        """The run's projected seconds with no adaptive round at all (None before a workload is measured);
        *pairs_left*: the (workload, scheduler) pairs left, one per workload when not given."""
        if len(self.fixed) < MIN_MEASURED:
            return None
        per = _median(self.fixed)
        return (self.elapsed() + (workloads_left if pairs_left is None else pairs_left) * per) / (1 - self.reserve)

    def scale(self, workloads_left: int, flexible_s: float, pairs_left: int | None = None) -> float:
        """The share of the caps in seconds (*flexible_s* per workload) the next workload may spend."""
        if self.total is None or len(self.fixed) < MIN_MEASURED or workloads_left <= 0 or flexible_s <= 0:
            return 1.0
        per = _median(self.fixed)
        fixed = (workloads_left if pairs_left is None else pairs_left) * per
        left = self.total * (1 - self.reserve) - self.elapsed() - fixed
        planned = workloads_left * flexible_s * self.use()
        if left <= planned:
            return max(FLOOR, left / planned)
        return min(CEILING, max(1.0, (left - MARGIN * self.total) / planned))

    def warning(self, profile: str, workloads_left: int, pairs_left: int | None = None) -> str:
        """Once, when the fixed costs alone do not fit the budget: what the run will do about it ("" else)."""
        p = self.projection(workloads_left, pairs_left)
        if self.warned or self.total is None or p is None or p <= self.total:
            return ""
        self.warned = True
        return (f"WARNING: profile {profile} is planned for {self.total:.0f} s on 2 cores; at this machine's pace "
                f"(measured on {len(self.fixed)} workload(s)) its fixed costs alone come to about {p:.0f} s: the "
                f"adaptive rounds are cut to fit, so fewer comparisons may be decided")
