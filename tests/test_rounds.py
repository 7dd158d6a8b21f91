"""The interleaved rounds (runners/rounds.py): round keys, samples for the decider, burst rounds measured again."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from runners.rounds import MAX_RERUNS, Rounds, run_rounds

BURST_WALL = 10.0  # what a repeat measures in a burst round (the fake watch flags those rounds)


class _Runner:
    """Just enough of a measurer (runners.repeats.Repeats): fixed times per spec, a round counter; a burst where
    the watch says so."""

    def __init__(self, walls, session=0, watch=None, min_repeats=5, decide=None):
        self.plan = SimpleNamespace(order_seed=3, min_repeats=min_repeats, fixed=decide is None, decide=decide,
                                    max_repeats=20, budget_s=1e9, claim_max_repeats=20, claim_extra_s=1e9)
        self.walls, self.session = walls, session
        self.pools = {k: object() for k in walls}
        self.ran: list[tuple[int, str]] = []
        self.watch = watch

    def timed(self, pool, w, repeat, rnd):
        label = next(k for k, p in self.pools.items() if p is pool)
        self.ran.append((rnd, label))
        burst = self.watch is not None and self.watch.is_burst(w.name, rnd)
        return "ok", BURST_WALL if burst else self.walls[label] * (1 + 0.01 * rnd)


class _Watch:
    """A fake interference watch: rounds of *bursts* (or every round) are bursts; honours *may_drop* as the real
    one does, and records what it was told."""

    def __init__(self, bursts=(), always=False):
        self.bursts, self.always = set(bursts), always
        self.calls: list[tuple[int, list[tuple[str, str]], bool]] = []
        self.n = 0
        self.current: set[tuple[str, int]] = set()

    def is_burst(self, workload, rnd):
        return self.always or rnd in self.bursts

    def start(self):
        self.n += 1
        return self.n

    def end(self, token, items, may_drop=True):
        self.calls.append((token, list(items), may_drop))
        burst = self.always or any(int(k.split(":")[-1]) in self.bursts for _, k in items)
        return "burst: other processes busy" if burst and may_drop else ""


def _state(walls, name="w", keys=None, looks=None, times=None):
    r = _Runner(walls)
    return Rounds(SimpleNamespace(name=name), dict(r.pools), times or {k: [] for k in walls}, keys, looks)


def _run(walls, session=0, watch=None, names=("w",)):
    runner = _Runner(walls, session, watch)
    states = [Rounds(SimpleNamespace(name=n), dict(runner.pools), {k: [] for k in walls}) for n in names]
    run_rounds(runner, states, clock=lambda: 0.0, watch=watch)
    return runner, states


def test_samples_carry_times_keys_session_round_and_looks():
    runner, (r,) = _run({"sync": 1.0, "threads-2": 0.5}, session=2)
    assert r.stop == "fixed repeats"
    for label in ("sync", "threads-2"):
        assert r.keys[label] == [f"2:{i}" for i in range(5)]
    looks = {"first": 5, "last": 25}
    s = _state({"sync": 1.0}, looks=looks)
    s.add("sync", 1.0, "0:0")
    assert s.samples() == {"sync": {"times": [1.0], "keys": ["0:0"], "looks": looks}}


def test_prior_times_come_with_their_keys_or_none():
    s = _state({"sync": 1.0, "threads-2": 0.5}, keys={"sync": ["0:0", "0:1"]},
               times={"sync": [1.0, 1.1], "threads-2": [0.5]})
    assert s.keys == {"sync": ["0:0", "0:1"], "threads-2": [None]}


def test_a_burst_round_is_dropped_and_measured_again():
    watch = _Watch(bursts={2})
    runner, (r,) = _run({"sync": 1.0, "threads-2": 0.5}, watch=watch)
    assert r.bursts == 1 and r.stop == "fixed repeats"
    for label in ("sync", "threads-2"):
        assert r.keys[label] == ["0:0", "0:1", "0:3", "0:4", "0:5"]
        assert BURST_WALL not in r.times[label] and len(r.times[label]) == 5
    assert len(runner.ran) == 2 * 6  # one more round than the five kept
    assert [c[1] for c in watch.calls][2] == [("w", "0:2")] and all(c[2] for c in watch.calls)


def test_after_max_reruns_bursts_are_kept():
    watch = _Watch(always=True)
    runner, (r,) = _run({"sync": 1.0}, watch=watch)
    assert MAX_RERUNS == 3
    assert r.bursts == MAX_RERUNS
    assert r.keys["sync"] == [f"0:{i}" for i in range(MAX_RERUNS, MAX_RERUNS + 5)]
    assert r.times["sync"] == [BURST_WALL] * 5  # kept: the machine's new state
    assert [c[2] for c in watch.calls] == [True] * MAX_RERUNS + [False] * 5


def test_a_burst_drops_the_round_of_every_workload_of_a_group():
    watch = _Watch(bursts={1})
    runner, (a, b) = _run({"sync": 1.0, "threads-2": 0.5}, watch=watch, names=("k-gil", "k-nogil"))
    assert a.bursts == b.bursts == 1
    assert a.keys["sync"] == b.keys["threads-2"] == ["0:0", "0:2", "0:3", "0:4", "0:5"]
    assert sorted(watch.calls[1][1]) == [("k-gil", "0:1"), ("k-nogil", "0:1")]


def test_without_a_watch_nothing_is_dropped():
    runner, (r,) = _run({"sync": 1.0})
    assert r.bursts == 0 and len(r.times["sync"]) == 5 and len(runner.ran) == 5


def test_drop_round_removes_that_rounds_repeats_only():
    s = _state({"sync": 1.0, "threads-2": 0.5})
    for i, k in enumerate(("0:0", "0:1", "0:2")):
        s.add("sync", 1.0 + i, k)
        s.add("threads-2", 0.5 + i, k)
    assert s.drop_round("0:1") == 2
    assert s.times == {"sync": [1.0, 3.0], "threads-2": [0.5, 2.5]}
    assert s.keys == {"sync": ["0:0", "0:2"], "threads-2": ["0:0", "0:2"]}
    assert s.drop_round("0:9") == 0


def test_the_decider_reads_paired_samples():
    seen = []

    def decide(w, samples):
        seen.append(samples)
        return []

    runner = _Runner({"sync": 1.0, "threads-2": 0.5}, decide=decide)
    r = Rounds(SimpleNamespace(name="w"), dict(runner.pools), {"sync": [], "threads-2": []}, None, {"first": 5})
    run_rounds(runner, [r], clock=lambda: 0.0)
    assert r.stop == "decided" and len(seen) == 1
    s = seen[0]
    assert s["sync"]["keys"] == s["threads-2"]["keys"] == [f"0:{i}" for i in range(5)]
    assert s["sync"]["looks"] == {"first": 5} and s["threads-2"]["times"] == pytest.approx(
        [0.5 * (1 + 0.01 * i) for i in range(5)])


class _Open:
    def __init__(self, text, specs, claim=False):
        self.text, self.specs, self.claim = text, tuple(specs), claim


def test_a_spec_shown_far_slower_leaves_after_two_rounds_unless_a_claim_needs_it():
    from reports.stopping import far_slower

    walls = {"sync": 1.0, "threads-2": 1.2, "processes-2": 9.0}
    for claim, kept in ((False, False), (True, True)):
        runner = _Runner(walls, decide=lambda w, s, c=claim: [_Open("sync vs processes-2", ("sync", "processes-2"), c)])
        runner.plan.fixed, runner.plan.drop = False, far_slower
        r = Rounds(SimpleNamespace(name="w"), dict(runner.pools), {k: [] for k in walls})
        run_rounds(runner, [r], clock=lambda: 0.0)
        ran = [label for _, label in runner.ran]
        assert ("processes-2" in r.dropped) is not kept
        assert (ran.count("processes-2") == 2) is not kept  # dropped after its second round
        if not kept:
            assert "more than 2× slower than sync after 2 rounds" in r.dropped["processes-2"]


def test_past_the_deadline_no_repeat_starts_and_what_was_open_is_kept():
    now = [0.0]

    class _Slow(_Runner):
        def timed(self, pool, w, repeat, rnd):
            now[0] += 1.0  # every repeat takes a second
            return super().timed(pool, w, repeat, rnd)

    runner = _Slow({"sync": 1.0, "threads-2": 0.5}, decide=lambda w, s: [_Open("sync vs threads-2", ("sync", "threads-2"))])
    runner.plan.fixed = False
    r = Rounds(SimpleNamespace(name="w"), dict(runner.pools), {"sync": [], "threads-2": []})
    run_rounds(runner, [r], clock=lambda: now[0], deadline=5.0)
    assert r.stop == "time budget" and r.open == ["sync vs threads-2"]
    assert len(runner.ran) == 5 and r.rnd == 3  # the fifth repeat reached the deadline: the third round ended there


def test_even_past_the_deadline_every_spec_gets_one_repeat():
    now = [0.0]

    class _Slow(_Runner):
        def timed(self, pool, w, repeat, rnd):
            now[0] += 10.0
            return super().timed(pool, w, repeat, rnd)

    runner = _Slow({"sync": 1.0, "threads-2": 0.5, "processes-2": 2.0},
                   decide=lambda w, s: [_Open("sync vs threads-2", ("sync", "threads-2"))])
    runner.plan.fixed = False
    r = Rounds(SimpleNamespace(name="w"), dict(runner.pools), {k: [] for k in runner.walls})
    run_rounds(runner, [r], clock=lambda: now[0], deadline=1.0)
    assert r.stop == "time budget" and {label for _, label in runner.ran} == set(runner.walls) and len(runner.ran) == 3



def test_past_the_deadline_a_burst_round_is_kept_not_measured_again():
    """A burst re-run starts repeats the time budget no longer allows (a compare() of 5 000 tiny tasks whose
    first round, a burst at 95 s, was measured again: 204 s for a 60-s budget): past the deadline it is kept."""
    now = [0.0]

    class _Slow(_Runner):
        def timed(self, pool, w, repeat, rnd):
            now[0] += 10.0
            return super().timed(pool, w, repeat, rnd)

    watch = _Watch(always=True)
    runner = _Slow({"sync": 1.0, "threads-2": 0.5}, watch=watch,
                   decide=lambda w, s: [_Open("sync vs threads-2", ("sync", "threads-2"))])
    runner.plan.fixed = False
    r = Rounds(SimpleNamespace(name="w"), dict(runner.pools), {k: [] for k in runner.walls})
    run_rounds(runner, [r], clock=lambda: now[0], watch=watch, deadline=15.0)
    assert len(runner.ran) == 2 and r.stop == "time budget"
    assert [c[2] for c in watch.calls] == [False]  # the watch was told the round may not be dropped
    assert r.times == {"sync": [BURST_WALL], "threads-2": [BURST_WALL]} and r.bursts == 0

# --- a design of its own ------------------------------------------------------------------------

QUICK_LOOKS = {"first": 5, "last": 25, "alpha": 0.05, "tail": 0.02, "shape": 0.25}


def _designed(walls, names=("w",), claims=("C3",), prior=None, budget_s=2.2, claim_extra_s=4.5):
    """The rounds of *names* (one interleaved group) on the quick profile's caps, a real clock of the walls' seconds,
    a decider that never decides (so the caps stop them): what design each got."""
    from runners.rounds import design  # noqa: F401  (the step under test runs inside run_rounds)

    now = [0.0]
    runner = _Runner(walls, decide=lambda w, samples: [SimpleNamespace(text="open", specs=list(walls), claim=True)])
    runner.plan = SimpleNamespace(order_seed=3, min_repeats=5, fixed=False, decide=runner.plan.decide, max_repeats=10,
                                  budget_s=budget_s, claim_max_repeats=25, claim_extra_s=claim_extra_s)
    timed = runner.timed

    def ticking(pool, w, repeat, rnd):
        status, wall = timed(pool, w, repeat, rnd)
        now[0] += wall
        return status, wall

    runner.timed = ticking
    states = [Rounds(SimpleNamespace(name=n, claims=claims), dict(runner.pools),
                     {k: list((prior or {}).get(k, [])) for k in walls}, None, dict(QUICK_LOOKS)) for n in names]
    run_rounds(runner, states, clock=lambda: now[0])
    return states


def test_a_workload_of_long_rounds_plans_the_looks_its_caps_allow():
    """Four specs at 0.6 s: 2.4 s a round; the caps (2.2 s, then 4.5 s of rounds of two) allow ~8 rounds."""
    (r,) = _designed({"sync": 0.6, "threads-2": 0.6, "processes-2": 0.6, "processes-2-shipped": 0.6})
    assert 5 <= r.looks["last"] < 25 and r.looks["tail"] == 0.1 and r.looks["planned_last"] == 25
    assert min(len(t) for t in r.times.values()) <= r.looks["last"]  # the caps stopped it within its own looks
    from reports.intervals import Looks

    assert Looks.of(r.looks).confidence(6) < Looks.of(QUICK_LOOKS).confidence(6)  # a narrower interval at 6 pairs


def test_a_workload_of_short_rounds_keeps_the_runs_design():
    (r,) = _designed({"sync": 0.01, "threads-2": 0.01})
    assert r.looks == QUICK_LOOKS


def test_a_workload_no_claim_reads_plans_only_its_main_cap():
    (with_claim,) = _designed({"sync": 0.3, "threads-2": 0.3})
    (without,) = _designed({"sync": 0.3, "threads-2": 0.3}, claims=())
    assert without.looks["last"] <= 15 < with_claim.looks["last"]  # 10 rounds at most, x 1.5


def test_an_interleaved_group_shares_one_design():
    a, b = _designed({"sync": 0.5, "threads-2": 0.5}, names=("kernel-a", "kernel-b"))
    assert a.looks == b.looks and a.looks["last"] < 25


def test_a_resumed_workload_keeps_the_design_its_first_looks_had():
    (r,) = _designed({"sync": 0.6, "threads-2": 0.6, "processes-2": 0.6}, prior={"sync": [0.6] * 5})
    assert r.looks == QUICK_LOOKS


def test_a_workload_whose_every_spec_failed_needs_no_design():
    from runners.rounds import design

    r = Rounds(SimpleNamespace(name="w", claims=("C1",)), {}, {"sync": [], "threads-2": []}, None, dict(QUICK_LOOKS))
    design([r], SimpleNamespace(min_repeats=5, max_repeats=10, budget_s=2.2, claim_max_repeats=25, claim_extra_s=4.5))
    assert r.designed and r.looks == QUICK_LOOKS


def test_a_claims_rounds_are_planned_at_the_pace_of_the_two_quickest_specs():
    """A slow spec in the first rounds does not shorten the claim rounds its two quick ones will run."""
    (all_slow,) = _designed({"sync": 0.6, "threads-2": 0.6, "distributed-2x1": 0.6})
    (one_slow,) = _designed({"sync": 0.1, "threads-2": 0.1, "distributed-2x1": 1.1})
    assert all_slow.looks["last"] < one_slow.looks["last"]
