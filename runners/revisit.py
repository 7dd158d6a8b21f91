"""The run's leftover budget, spent on the claim questions a time cap left open.

The budget (:mod:`runners.budget`) plans each workload's caps as the run goes,
from what the workloads before it cost; it cannot know how long the rest will
take, so it plans with margins.  On a noisy machine its early plan is
pessimistic (a quick run here, repeats varying ±8.6 %: the bag workloads at the
floor of their caps, C3 left ``inconclusive`` at 8 rounds, and the run done
33 s inside its 180), and the seconds it kept aside are spent on nothing.

So once every workload, experiment and control is measured, what is left of
the run's budget (less a share kept for the reports, :data:`REPORTS`) goes
back to the workloads whose rounds stopped at a *time* cap with a claim's
question still open, in schedule order, an equal share each: their schedulers
are started again where they were closed (and warmed up), and their rounds go
on with only the specs the open claim questions name, until answered or at
the claim's repeat cap or its share of the time.  The rounds continue where
they stopped (the same round numbers on, the same sequential looks: the error
rate of the stopping rule counts looks, not seconds), and ``rounds.jsonl``
gets a second record for the workload, marked ``revisit``.
"""
from __future__ import annotations

import time
from typing import Any, Protocol, Sequence

from runners.rounds import Rounds, run_rounds, specs_of

__all__ = ["revisit", "candidates", "REPORTS", "MIN_S"]

REPORTS = 0.1  # share of the run's budget kept for the reports when the leftover is spent (quick: 18 s; ~10 s here)
MIN_S = 2.0  # a share of the leftover under this is not worth starting schedulers again for


class Revisitable(Protocol):
    """What :func:`revisit` uses of the runner (:class:`runners.run.Runner`)."""

    plan: Any
    budget: Any
    pools: Any
    repeats: Any
    rows: Any
    watch: Any
    say: Any

    def open_for(self, w: Any, specs: list[Any]) -> dict[str, Any]: ...


def _claim_items(plan: Any, r: Rounds) -> list[Any]:
    items = plan.decide(r.w, r.samples()) if plan.decide else []
    return [o for o in items if o.claim and all(k in r.live for k in o.specs)]


def candidates(plan: Any, groups: Sequence[tuple[Any, list[Rounds]]]) -> list[tuple[Any, list[Rounds]]]:
    """The groups with a workload stopped at a time cap while a claim question it asks is open (and its
    specs below the claim's repeat cap)."""
    out = []
    for group, states in groups:
        if any(r.stop == "time cap" and any(min(len(r.times[k]) for k in o.specs) < plan.claim_max_repeats
                                            for o in _claim_items(plan, r)) for r in states):
            out.append((group, states))
    return out


def revisit(runner: Revisitable, groups: Sequence[tuple[Any, list[Rounds]]],
            clock: Any = time.perf_counter) -> None:
    """Spend the leftover budget on *groups* (``(schedule slice, their Rounds)``, see the module docstring)."""
    plan, budget = runner.plan, runner.budget
    if plan.fixed or plan.time_budget_s is not None or budget.total is None or not plan.claim_extra_s:
        return
    todo = candidates(plan, groups)
    for i, (group, states) in enumerate(todo):
        left = budget.total * (1 - REPORTS) - budget.elapsed()
        share = left / (len(todo) - i)
        if share < MIN_S:
            return
        t0 = clock()
        names = ", ".join(w.name for w, _ in group)
        runner.say(f"  revisiting {names}: {share:.0f} s of the run's budget were left for its open claim questions")
        again: list[Rounds] = []
        for (w, specs), r in zip(group, states):
            claims = _claim_items(plan, r) if r.stop == "time cap" else []
            if not claims:
                continue
            wanted = specs_of(claims)
            before = {label for label in wanted if runner.pools.get(label) is not None}
            live = runner.open_for(w, [s for s in specs if s.label in wanted])
            for label in [k for k in live if k not in before]:  # started again: warm it up, as the first time
                if runner.repeats.warm(live[label], w) is not None:
                    live.pop(label)
            r.live = {k: live[k] for k in wanted if k in live}
            if r.live:
                again.append(r)
        if not again:
            continue
        for r in again:  # each its part of the share, in seconds of the claim cap
            r.stop, r.claims_only, r.wanted, r.extra = "", True, list(r.live), 0.0
            r.scale = share / len(again) / plan.claim_extra_s
        run_rounds(runner.repeats, again, clock=clock, watch=runner.watch)
        for r in again:
            runner.rows.rounds(r.w.name, r.rnd, r.stop or "no spec left", r.open, r.bursts, round(r.scale, 3),
                               dropped=r.dropped, revisit=True, looks=r.own_looks)
        runner.say(f"  revisited {names} in {clock() - t0:.1f} s: "
                   + "; ".join(f"{r.w.name} {r.stop}" + (f" ({', '.join(r.open[:2])} still open)" if r.open else "")
                               for r in again))
