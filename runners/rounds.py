"""Adaptive, interleaved rounds: one workload's, or a group's measured together.

A round visits every (workload, spec) pair it wants once, in a seeded random
order, so the two sides of every ratio are measured seconds apart.  Workloads
with the same ``interleave`` key (a GIL-releasing kernel and its GIL-holding
twin: claims C5, C6 and C8 compare them) share their rounds, so a ratio across
the two workloads is interleaved too.

Every live spec runs until each has the profile's minimum.  Past it,
:attr:`Plan.decide` says what is still undecided; a round then runs only the
specs an undecided comparison names, up to the profile's cap (repeats of a
pair, seconds spent on the workload), and, for the comparisons a claim's rule
reads, further: rounds of only their specs, up to the claim cap (repeats of a
pair, seconds more).  Whatever is undecided at the cap stays so
and is stored in ``rounds.jsonl`` with why the rounds stopped.

What the decider sees per spec is a sample: its ok ``times``, their round
``keys`` (``"session:round"``: the comparisons pair the specs by round) and
the run's ``looks`` (the sequential design that sets the level of every look,
so stopping when a comparison first looks decided keeps its error rate).

A spec far slower than the best (:attr:`Plan.drop`: more than 2× by a
test that holds its own error rate, after two rounds) leaves the rotation
unless an open claim question names it: a decision, stored in
``rounds.jsonl`` under ``dropped`` and read by the recommendation as
"beaten".  Past the run's deadline (``time_budget_s`` of ``compare()`` and
of a user's ``--workloads``) no new repeat starts; the workload stops with
``"time budget"`` and what was still open.

Each round is bracketed by the interference watch (when one is given:
host steal, other processes' CPU); a round it calls a burst is left out of the
samples and so measured again, within the same caps: after :data:`MAX_RERUNS`
re-runs, or once the deadline has passed, a burst is kept, and said so.
"""
from __future__ import annotations

import math
import time
from typing import Any, Callable, Protocol, Sequence, TypeVar

from runners.plan import seeded_shuffle
from runners.records.kinds import twin_label
from workloads.base import Workload

__all__ = ["Rounds", "run_rounds", "specs_of", "capped", "design", "reachable", "MAX_RERUNS", "DESIGN_MARGIN",
           "DESIGN_TAIL", "Undecided", "RoundsPlan", "Measurer", "Watch"]

P = TypeVar("P")  # what a label's open scheduler is to the measurer (a Scheduler in a run, anything in a simulation)
T = TypeVar("T")  # the interference watch's reading at a round's start

MAX_RERUNS = 3  # bursts left out per workload; past it a burst is kept (the machine's new state), and says so
# A workload's own sequential design (:func:`design`): its last planned look is the rounds its caps allow at the pace
# of its first rounds, times DESIGN_MARGIN; a shortened design keeps DESIGN_TAIL of its alpha for looks past it.
DESIGN_MARGIN = 1.25
DESIGN_TAIL = 0.1


class Undecided(Protocol):
    """A comparison still open (:class:`reports.stopping.Open`): what it says, the specs it needs, a claim's or not."""

    @property
    def text(self) -> str: ...

    @property
    def specs(self) -> Sequence[str]: ...

    @property
    def claim(self) -> bool: ...


class RoundsPlan(Protocol):
    """What the rounds read of the run's plan (:class:`runners.plan.Plan`): its minimum, caps, seed and decider."""

    @property
    def min_repeats(self) -> int: ...

    @property
    def max_repeats(self) -> int: ...

    @property
    def budget_s(self) -> float: ...

    @property
    def claim_max_repeats(self) -> int: ...

    @property
    def claim_extra_s(self) -> float: ...

    @property
    def fixed(self) -> bool: ...

    @property
    def order_seed(self) -> int: ...

    @property
    def decide(self) -> Callable[[Workload, dict[str, dict[str, Any]]], Sequence[Undecided]] | None: ...

    # Optional (read with getattr): ``drop(samples, protected, rounds) -> {label: why}``, the specs shown
    # far slower than the best (reports.stopping.far_slower).


class Pools(Protocol[P]):
    """The run's open schedulers by label (:class:`runners.openpools.OpenPools`, or a dict)."""

    def get(self, label: str) -> P | None: ...


class Measurer(Protocol[P]):
    """What measures the rounds' repeats (:class:`runners.repeats.Repeats`): its plan, session, schedulers, and
    ``timed(pool, w, repeat, round)`` -> (status, wall seconds or None)."""

    @property
    def plan(self) -> RoundsPlan: ...

    @property
    def session(self) -> int: ...

    @property
    def pools(self) -> Pools[P]: ...

    def timed(self, pool: P, w: Workload, repeat: int, rnd: int) -> tuple[str, float | None]: ...


class Watch(Protocol[T]):
    """The interference watch (:class:`runners.interference.Watch`): ``start()`` before a round, ``end(token,
    [(workload, "session:round")], may_drop)`` after it, returning why the round is left out as a burst, or ""."""

    def start(self) -> T: ...

    def end(self, token: T, items: list[tuple[str, str]], may_drop: bool = True) -> str: ...


def specs_of(items: Sequence[Undecided]) -> list[str]:
    """The spec labels the undecided *items* name, in first-named order."""
    return list(dict.fromkeys(k for o in items for k in o.specs))


def capped(items: Sequence[Undecided], times: dict[str, list[float]], max_repeats: int, seconds_left: float) -> str:
    """Why another round of the specs *items* need would pass a cap ("" when it would not): a spec at
    *max_repeats*, or the round's expected time (its specs' medians, +20 %) beyond *seconds_left*.

    >>> from types import SimpleNamespace as Item
    >>> t = {"sync": [1.0] * 5, "threads-2": [0.5] * 5}
    >>> both, one = Item(specs=("sync", "threads-2")), Item(specs=("sync",))
    >>> capped([both], t, 10, 2.0), capped([one], t, 5, 9.0), capped([both], t, 10, 1.5)
    ('', 'repeat cap', 'time cap')
    """
    specs = [k for k in specs_of(items) if times.get(k)]
    if not specs or min(len(times[k]) for k in specs) >= max_repeats:
        return "repeat cap"
    expected = 1.2 * sum(sorted(times[k])[len(times[k]) // 2] for k in specs)
    return "time cap" if expected > seconds_left else ""


class Rounds:
    """The state of one workload's rounds: its live pools, ok times and their round keys, what it wants next,
    why it stopped."""

    def __init__(self, w: Workload, live: dict[str, object], times: dict[str, list[float]],
                 keys: dict[str, list[str | None]] | None = None, looks: dict[str, Any] | None = None):
        self.w, self.live, self.times = w, live, times
        self.keys = {k: list((keys or {}).get(k) or [None] * len(v)) for k, v in times.items()}
        self.looks = looks
        self.rnd, self.stop, self.open, self.used, self.extra = 0, "", [], 0.0, 0.0
        self.bursts = 0  # rounds left out after a burst of interference (measured again)
        self.scale = 1.0  # share of the profile's caps in seconds this workload may spend (the run's budget)
        self.fixed_s = 0.0  # seconds its rounds took until every spec had the minimum
        self.claims_only = False  # past the first cap: rounds of a claim's comparisons only
        self.first_cap = ""
        self.wanted = list(live)
        self.dropped: dict[str, str] = {}  # specs shown far slower than the best: label -> why
        self.partners: list[Rounds] = []  # the other workloads of its interleaved group (set by run_rounds)
        self.designed = looks is None or any(times.values())  # its own design is set once; a resumed one keeps the run's
        self.own_looks: dict[str, Any] | None = None  # the design it got of its own (design()), None: the run's

    def samples(self) -> dict[str, dict[str, Any]]:
        """What the decider reads: per live spec, its times, their round keys and the run's looks; and the
        live specs of the group's other workloads still measuring, named ``twin|label``
        (:func:`~runners.records.kinds.twin_label`: a claim that compares a kernel with its twin asks
        about them, paired by the rounds they share)."""
        out = {k: {"times": self.times[k], "keys": self.keys[k], "looks": self.looks} for k in self.live}
        for p in self.partners:
            if not p.stop:
                out.update((twin_label(p.w.name, k), {"times": p.times[k], "keys": p.keys[k], "looks": p.looks})
                           for k in p.live)
        return out

    def add(self, label: str, wall: float, key: str) -> None:
        self.times[label].append(wall)
        self.keys[label].append(key)

    def drop_round(self, key: str) -> int:
        """Leave the repeats of round *key* out (a burst); how many were dropped."""
        n = 0
        for label, ks in self.keys.items():
            keep = [i for i, k in enumerate(ks) if k != key]
            n += len(ks) - len(keep)
            self.times[label] = [self.times[label][i] for i in keep]
            self.keys[label] = [ks[i] for i in keep]
        return n

    def labels(self) -> list[str]:
        return [k for k in self.wanted if k in self.live] or list(self.live)

    def drop_far_slower(self, plan: RoundsPlan) -> None:
        """Leave out the specs shown far slower than the best that no open claim question names."""
        drop = getattr(plan, "drop", None)
        if drop is None or plan.fixed or len(self.live) < 2:
            return
        times = {k: self.times[k] for k in self.live}
        if not drop(times, (), self.rnd):  # nothing far slower (most rounds): no need to ask the claims
            return
        items = plan.decide(self.w, self.samples()) if plan.decide else []
        protected = {k for o in items if o.claim for k in o.specs}
        for label, why in drop(times, sorted(protected), self.rnd).items():
            self.live.pop(label, None)
            self.dropped[label] = why

    def settle(self, plan: RoundsPlan, out_of_time: bool = False) -> None:
        """After a round: stop (decided, capped, fixed, out of time) or choose the specs of the next one."""
        self.rnd += 1
        self.drop_far_slower(plan)
        if not self.live:
            self.stop = "no spec left"
            return
        if out_of_time:
            items = plan.decide(self.w, self.samples()) if plan.decide and not plan.fixed else []
            self.stop, self.open = "time budget", [o.text for o in items]
            return
        if min(len(self.times[k]) for k in self.live) < plan.min_repeats:
            self.wanted = list(self.live)
            self.fixed_s = self.used
            return
        if plan.fixed:
            self.stop, self.open = "fixed repeats", []
            return
        samples = self.samples()
        items = plan.decide(self.w, samples) if plan.decide else []
        items = [o for o in items if all(k in samples for k in o.specs)]  # a spec that left cannot answer
        self.open = [o.text for o in items]
        if not items:
            self.stop = "decided"
            return
        if not self.claims_only:
            why = capped(items, self.times, plan.max_repeats, plan.budget_s * self.scale - self.used)
            if not why:
                self.wanted = specs_of(items)
                return
            self.first_cap = why
        claims = [o for o in items if o.claim]
        why = capped(claims, self.times, plan.claim_max_repeats, plan.claim_extra_s * self.scale - self.extra) if claims else ""
        if claims and not why:
            self.wanted, self.claims_only = specs_of(claims), True
        else:  # "repeat cap"/"time cap": the claim cap that stopped the claims' rounds, else the first cap
            self.stop = why if claims and self.claims_only else self.first_cap


def reachable(r: Rounds, plan: RoundsPlan) -> float:
    """How many rounds *r*'s caps allow at the pace of the rounds it has run: the main cap (repeats, or its seconds
    at the pace so far), then, for a workload a claim reads, the claim's extra seconds of rounds of its two quickest
    specs (generous: a design planned too short spends its later looks from the small tail; a default run's
    array-stencil, planned at 8 from the average spec, went on to 11 pairs of its two quickest)."""
    n = min((len(r.times[k]) for k in r.live), default=0)
    pace = r.used / max(1, r.rnd + 1)
    if pace <= 0:
        return float(plan.claim_max_repeats)
    main = min(float(plan.max_repeats), n + max(0.0, plan.budget_s * r.scale - r.used) / pace)
    if not getattr(r.w, "claims", ()):
        return main
    # a claim's rounds run only its two specs: at most what the two quickest took (a claim may ask of them)
    medians = sorted(sorted(v)[len(v) // 2] for k in r.live if (v := r.times[k]))
    two = sum(medians[:2]) if len(medians) >= 2 else pace * min(1.0, 2 / max(1, len(r.live)))
    if two <= 0:
        return float(plan.claim_max_repeats)
    return min(float(plan.claim_max_repeats), main + plan.claim_extra_s * r.scale / two)


def design(group: list[Rounds], plan: RoundsPlan) -> None:
    """Give *group* its own sequential design, once, just before its first look (every live spec at the minimum).

    The run's design plans a look after every round up to the claim cap (25 on ``quick``), and its
    boundary sets each look's level over all of them; but a workload whose rounds take seconds reaches
    a handful, and pays at its 6th look for 20 it will never make (99.9 % instead of 98 %).  Here the
    last planned look is what :func:`reachable` says the caps allow, times :data:`DESIGN_MARGIN`,
    never more than the run's; the same for every workload of an interleaved group (their pairs share
    rounds).  It depends on how long the first rounds took, never on which side was faster, and is
    fixed before any look, so the boundary's guarantee holds as for any planned design; a look past
    it (a revisit, a faster pace later) spends from the :data:`DESIGN_TAIL` kept for them.
    """
    if all(r.designed for r in group):
        return
    if any(not r.designed and r.live and min(len(r.times[k]) for k in r.live) < plan.min_repeats
           for r in group if not r.stop):
        return  # not yet at the first look
    base = next((r.looks for r in group if r.looks), None)
    for r in group:
        r.designed = True
    paces = [reachable(r, plan) for r in group if r.live]
    if not base or "first" not in base or "last" not in base or not paces:  # (every spec failed: nothing to look at)
        return
    last = min(int(base["last"]), max(int(base["first"]), math.ceil(DESIGN_MARGIN * max(paces))))
    if last < int(base["last"]):
        own = {**base, "last": last, "tail": max(float(base.get("tail", 0.02)), DESIGN_TAIL), "planned_last": base["last"]}
        for r in group:
            r.looks = r.own_looks = own


def _each_once(group: list[Rounds]) -> bool:
    """Every live spec of *group* has a timed repeat: past a deadline, an answer needs at least that."""
    return all(r.times[k] for r in group for k in r.live)


def run_rounds(runner: Measurer[P], group: list[Rounds], clock: Callable[[], float] = time.perf_counter,
               watch: Watch[T] | None = None, deadline: float | None = None) -> None:
    """Rounds over every (workload, spec) pair of *group* until each workload has stopped.

    *runner* measures each repeat (see :class:`Measurer`); *watch*, when given, brackets each round and may
    leave it out as a burst (see :class:`Watch`); *clock* times the caps (a fake one in simulations);
    past *deadline* (on *clock*) no new repeat starts once every live spec has one, and the workloads stop
    with what was still open.
    """
    key = "+".join(r.w.name for r in group)
    for r in group:
        r.partners = [p for p in group if p is not r]
    seed = runner.plan.order_seed
    rnd = 0
    while True:
        active = [r for r in group if not r.stop and r.live]
        if not active:
            return
        pairs = [(r, k) for r in active for k in r.labels()]
        seeded_shuffle(pairs, seed, key if len(group) > 1 else group[0].w.name, runner.session,
                       rnd if len(group) > 1 else active[0].rnd)
        token = watch.start() if watch is not None else None
        late = False
        for r, label in pairs:
            if deadline is not None and clock() >= deadline and _each_once(active):
                late = True  # no pair starts past the deadline (once every spec has a time): the round ends here
                break
            if label not in r.live:
                continue
            pool = runner.pools.get(label)
            t0 = clock()
            status, wall = runner.timed(pool, r.w, len(r.times[label]), r.rnd) if pool is not None else ("gone", None)
            spent = clock() - t0
            r.used += spent
            if r.claims_only:
                r.extra += spent
            if status == "ok":
                r.add(label, wall, f"{runner.session}:{r.rnd}")
            else:  # a failed pair cannot decide: it leaves the rotation
                r.live.pop(label, None)
        if watch is not None:
            # a burst is measured again only within the caps: at most MAX_RERUNS, and never past the deadline (the
            # re-run would start repeats the time budget no longer allows); a kept burst says so in the interference
            may_drop = all(r.bursts < MAX_RERUNS for r in active) and not (deadline is not None and clock() >= deadline)
            burst = watch.end(token, [(r.w.name, f"{runner.session}:{r.rnd}") for r in active], may_drop)
            if burst:
                for r in active:
                    r.bursts += 1 if r.drop_round(f"{runner.session}:{r.rnd}") else 0
        late = late or (deadline is not None and clock() >= deadline and _each_once(active))
        design(group, runner.plan)
        for r in active:
            r.settle(runner.plan, out_of_time=late)
        rnd += 1
