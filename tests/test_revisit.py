"""The leftover budget on the claim questions a time cap left open (runners/revisit.py)."""
from __future__ import annotations

from types import SimpleNamespace

from runners.revisit import MIN_S, REPORTS, candidates, revisit
from runners.rounds import Rounds


class _Open(SimpleNamespace):
    """An open question as :func:`reports.stopping.pending` and the claims return it."""


def _decide(answer_at):
    """A decider: the claim question sync vs threads-2 is open until threads-2 has *answer_at* repeats."""
    def decide(w, samples):
        n = len(samples.get("threads-2", {}).get("times") or [])
        return [] if n >= answer_at else [_Open(text="C3: threads-2 vs sync at 1.25×", specs=("threads-2", "sync"),
                                                claim=True)]
    return decide


class _Pools:
    def __init__(self):
        self.open: dict[str, object] = {}

    def get(self, label):
        return self.open.get(label)


class _Runner:
    """Just enough of runners.run.Runner: a plan, a budget with *left* seconds, pools, warm-ups, rows, a clock."""

    def __init__(self, left, answer_at=12, total=180.0):
        self.plan = SimpleNamespace(fixed=False, time_budget_s=None, claim_extra_s=4.5, claim_max_repeats=25,
                                    decide=_decide(answer_at), order_seed=1, min_repeats=5, max_repeats=10,
                                    budget_s=2.2)
        self.budget = SimpleNamespace(total=total, elapsed=lambda: total * (1 - REPORTS) - left)
        self.pools = _Pools()
        self.repeats = self
        self.session = 0
        self.warmed: list[str] = []
        self.recorded: list[dict] = []
        self.said: list[str] = []
        self.timed_rounds: list[int] = []
        self.watch = None
        self.rows = self

    # the runner's
    def open_for(self, w, specs):
        for s in specs:
            self.pools.open.setdefault(s.label, object())
        return {s.label: self.pools.open[s.label] for s in specs}

    def say(self, line):
        self.said.append(line)

    # Repeats'
    def warm(self, pool, w):
        self.warmed.append(next(k for k, p in self.pools.open.items() if p is pool))
        return None

    def timed(self, pool, w, repeat, rnd):
        self.timed_rounds.append(rnd)
        return "ok", 0.01

    # Rows'
    def rounds(self, workload, rounds, stop, undecided, bursts=0, scale=1.0, dropped=None, revisit=False, looks=None):
        self.recorded.append({"workload": workload, "rounds": rounds, "stopped": stop, "revisit": revisit})


def _capped(stop="time cap", n=8):
    w = SimpleNamespace(name="bag-json")
    specs = [SimpleNamespace(label=k) for k in ("sync", "threads-2", "processes-2")]
    r = Rounds(w, {s.label: object() for s in specs}, {s.label: [0.01] * n for s in specs},
               {s.label: [f"0:{i}" for i in range(n)] for s in specs})
    r.rnd, r.stop, r.claims_only = n, stop, True
    return [(w, specs)], [r]


def test_a_time_capped_claim_question_gets_the_leftover_and_is_answered():
    runner = _Runner(left=30.0, answer_at=12)
    group, (r,) = _capped()
    revisit(runner, [(group, [r])])
    assert r.stop == "decided" and len(r.times["threads-2"]) == 12
    assert sorted(runner.warmed) == ["sync", "threads-2"]  # closed with the workloads: started and warmed again
    assert "processes-2" not in r.live  # only what the open claim question names
    assert min(runner.timed_rounds) == 8  # the rounds go on from where they stopped (same looks)
    assert runner.recorded == [{"workload": "bag-json", "rounds": 12, "stopped": "decided", "revisit": True}]


def test_nothing_left_or_nothing_open_nothing_revisited():
    runner = _Runner(left=MIN_S / 2)
    group, states = _capped()
    revisit(runner, [(group, states)])
    assert states[0].stop == "time cap" and runner.recorded == []
    for stop in ("decided", "repeat cap"):
        runner = _Runner(left=30.0)
        group, states = _capped(stop=stop)
        assert candidates(runner.plan, [(group, states)]) == []
    runner = _Runner(left=30.0)
    group, states = _capped(n=25)  # at the claim's repeat cap already
    assert candidates(runner.plan, [(group, states)]) == []


def test_the_share_caps_the_revisit():
    runner = _Runner(left=3.0, answer_at=10_000)  # never answered: the time share stops it
    group, (r,) = _capped()
    clock = [0.0]

    def timed(pool, w, repeat, rnd):
        clock[0] += 0.5
        return "ok", 0.01

    runner.timed = timed
    revisit(runner, [(group, [r])], clock=lambda: clock[0])
    assert r.stop == "time cap" and 8 < len(r.times["threads-2"]) < 25 and r.extra <= 3.0


def test_a_time_budget_or_fixed_repeats_never_revisit():
    for kw in ({"fixed": True}, {"time_budget_s": 60.0}):
        runner = _Runner(left=30.0)
        runner.plan = SimpleNamespace(**{**vars(runner.plan), **kw})
        group, states = _capped()
        revisit(runner, [(group, states)])
        assert runner.recorded == []
