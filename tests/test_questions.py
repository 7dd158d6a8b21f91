"""When a claim's question is answered (reports/claims/questions.py), and the rounds that measure until it is."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from reports.claims import questions as qmod
from reports.claims.questions import Question, answer, ask, gain, precise, same, still_open
from reports.claims.kernels import c5_bar
from reports.stats import compare
from reports.stopping import Open
from runners.rounds import Rounds, capped, run_rounds
from workloads import catalogue

CAT = catalogue()


def _texts(samples, qs, recommend=False):
    return [o.text for o in still_open(samples, qs, recommend=recommend)]


def _noisy(median, n, cv=0.02, seed=0):
    rng = np.random.default_rng(seed)
    return list(median * np.exp(rng.normal(0, cv, n)))


# --- when a question is answered ----------------------------------------------------------------

def test_one_sided_question_answered_only_clear_of_its_bar():
    q = [ask("C1", "threads-2", "sync", 1.2)]
    sync = _noisy(1.0, 8)
    assert _texts({"sync": sync, "threads-2": _noisy(0.5, 8, seed=1)}, q) == []  # 2x: above 1.2
    assert _texts({"sync": sync, "threads-2": _noisy(0.98, 8, seed=1)}, q) == []  # 1.02x: below 1.2
    assert _texts({"sync": sync, "threads-2": _noisy(1 / 1.2, 8, seed=1)}, q) == ["C1: threads-2 vs sync at 1.2×"]


def test_too_few_repeats_leave_it_open():
    q = [ask("C1", "threads-2", "sync", 1.2)]
    assert _texts({"sync": [1.0] * 3, "threads-2": [0.5] * 3}, q) == ["C1: threads-2 vs sync at 1.2×"]


def test_an_answer_on_the_edge_is_not_taken_until_the_looks_allow_it():
    from reports.intervals import Looks
    from reports.stats import compare

    sync = [0.568, 1.2266, 0.8254, 0.7163, 1.0568, 1.1504]
    thr = [0.9149, 0.8063, 1.0052, 0.9895, 1.3246, 1.1612]
    c = compare(thr, sync, 1.25)
    assert c.hi < 1.25  # the fixed-n 95 % interval alone answers "below 1.25x" ...
    q = [ask("C4", "threads-2", "sync", 1.25)]
    looks = Looks(5, 25).as_dict()

    def sample(t):
        return {"times": t, "keys": None, "looks": looks}

    assert _texts({"sync": sync, "threads-2": thr}, q) == []  # fixed n: answered
    # ... a run that looks after every round holds each look to a stricter level: still open at 6
    assert _texts({"sync": sample(sync), "threads-2": sample(thr)}, q) == ["C4: threads-2 vs sync at 1.25×"]
    assert _texts({"sync": sample(sync * 3), "threads-2": sample(thr * 3)}, q) == []  # 18 repeats settle it


def test_gain_is_answered_above_or_below_one():
    q = [gain("C3", "processes-2", "sync")]
    sync = _noisy(1.0, 10)
    assert _texts({"sync": sync, "processes-2": _noisy(0.6, 10, seed=2)}, q) == []
    assert _texts({"sync": sync, "processes-2": _noisy(1.2, 10, seed=2)}, q) == []
    assert _texts({"sync": sync, "processes-2": _noisy(0.95, 10, cv=0.1, seed=2)}, q) != []
    # under 10 % faster, decidedly, but not decidedly faster or slower: still open (one bar, at 1)
    assert _texts({"sync": sync, "processes-2": _noisy(0.99, 10, cv=0.03, seed=2)}, q) != []


def test_equivalence_answered_inside_the_band_or_outside_it():
    q = [same("C4", "processes-2", "threads-2", 1.25)]
    t = _noisy(1.0, 10)
    assert _texts({"threads-2": t, "processes-2": _noisy(1.03, 10, seed=4)}, q) == []
    assert _texts({"threads-2": t, "processes-2": _noisy(2.0, 10, seed=4)}, q) == []


def test_others_stands_for_every_other_spec():
    q = [Question("others", "threads-2", 1.2, 1.2, None, "C12")]
    s = {"sync": _noisy(1.0, 8), "threads-2": _noisy(0.8, 8, seed=1), "processes-2": _noisy(0.4, 8, seed=2)}
    assert _texts(s, q) == []  # processes-2 is 2x faster than the default: answered (the default lost)
    s["processes-2"] = _noisy(0.8 / 1.2, 8, seed=2)
    assert _texts(s, q) == ["C12: processes-2 vs threads-2 at 1.2×"]


def test_precision_and_unmeasured_specs():
    assert _texts({"sync": [1.0, 1.5, 0.7, 1.2, 0.9]}, precise("C6", "sync"))[0].startswith("C6: sync median")
    assert _texts({"sync": [1.0] * 5}, precise("C6", "sync")) == []
    assert _texts({"sync": [1.0] * 5}, [ask("C1", "threads-2", "sync", 1.2)]) == []  # threads not measured


def test_claim_items_are_marked_and_recommendation_items_follow():
    out = still_open({"sync": [1.0] * 3, "threads-2": [0.5] * 3}, [ask("C1", "threads-2", "sync", 1.2)])
    assert out[0].claim and out[0].specs == ("threads-2", "sync")
    assert any(not o.claim for o in out[1:])


# --- the rounds ----------------------------------------------------------------------------------

class _Runner:
    """Just enough of runners.run.Runner for run_rounds: a fixed time per spec, a log of what ran."""

    def __init__(self, plan, walls):
        self.plan, self.walls, self.session, self.ran = plan, walls, 0, []
        self.pools = {k: object() for k in walls}
        self.rng = np.random.default_rng(0)

    def timed(self, pool, w, repeat, rnd):
        label = next(k for k, p in self.pools.items() if p is pool)
        self.ran.append((rnd, label))
        return "ok", self.walls[label] * float(np.exp(self.rng.normal(0, 0.01)))


def _plan(decide, **kw):
    base = dict(seed=1, order_seed=1, min_repeats=5, fixed=False, decide=decide, max_repeats=8, budget_s=100.0,
                claim_max_repeats=12, claim_extra_s=100.0)
    return SimpleNamespace(**{**base, **kw})


def test_rounds_run_only_the_specs_an_open_question_names_and_claims_go_to_their_cap():
    w = CAT["array-transcendental"]
    walls = {"sync": 0.01, "threads-2": 0.005, "processes-2": 0.02}

    def decide(_, samples):  # the claim's comparison never settles; the recommendation's neither
        return [Open("C1: threads-2 vs sync at 1.2×", ("threads-2", "sync"), True),
                Open("processes-2 median", ("processes-2",))]

    r = _Runner(_plan(decide), walls)
    state = Rounds(w, dict(r.pools), {k: [] for k in walls})
    run_rounds(r, [state])
    counts = {k: len(v) for k, v in state.times.items()}
    assert counts == {"sync": 12, "threads-2": 12, "processes-2": 8}  # claim cap 12, recommendation cap 8
    assert state.stop == "repeat cap" and state.open[0].startswith("C1:")
    # Every round past the first five ran in a shuffled order; all specs ran in each of the first five.
    assert {lab for rnd, lab in r.ran if rnd < 5} == set(walls)


def test_rounds_stop_with_the_first_cap_when_the_claims_are_answered_after_it():
    walls = {"sync": 0.01, "threads-2": 0.005}
    calls = []

    def decide(_, samples):  # the claim settles two rounds after the first cap; the rest never does
        calls.append(1)
        n = min(len(v["times"]) for v in samples.values())  # samples: {times, keys, looks} per spec
        claim = [Open("C1: threads-2 vs sync at 1.2×", ("threads-2", "sync"), True)] if n < 10 else []
        return claim + [Open("sync median", ("sync",))]

    r = _Runner(_plan(decide), walls)
    state = Rounds(CAT["array-transcendental"], dict(r.pools), {k: [] for k in walls})
    run_rounds(r, [state])
    assert state.stop == "repeat cap" and {k: len(v) for k, v in state.times.items()} == {"sync": 10, "threads-2": 10}


def test_rounds_stop_when_nothing_is_open_and_groups_share_rounds():
    walls = {"sync": 0.01, "threads-2": 0.005}
    r = _Runner(_plan(lambda w, s: []), walls)
    a = Rounds(CAT["kernel-compute-gil"], dict(r.pools), {k: [] for k in walls})
    b = Rounds(CAT["kernel-compute-nogil"], dict(r.pools), {k: [] for k in walls})
    run_rounds(r, [a, b])
    assert a.stop == b.stop == "decided" and a.rnd == b.rnd == 5
    assert len(r.ran) == 2 * 2 * 5


def test_capped_by_time_uses_the_medians():
    t = {"sync": [1.0] * 5, "threads-2": [0.5] * 5}
    assert capped([Open("x", ("sync", "threads-2"))], t, 10, 1.0) == "time cap"
    assert capped([Open("x", ("sync", "threads-2"))], t, 10, 5.0) == ""
    assert capped([Open("x", ("sync",))], t, 5, 5.0) == "repeat cap"


def test_question_type_is_plain_data():
    q = Question("threads-2", "sync", 1.2, 1.2, None, "C1")
    assert q._asdict()["claim"] == "C1"


# --- samples with round keys and looks; the C12 correction ---------------------------------------------

KEYS8 = [f"0:w:{i}" for i in range(8)]
WOBBLE = np.array([0.03, -0.02, 0.01, -0.04, 0.02, 0.0, -0.01, 0.01])


def _sample(times, looks=None):
    return {"times": list(times), "keys": KEYS8, "looks": looks}


def test_still_open_reads_paired_samples():
    # A shared drift of +-30 % per round hides a 1.3x gap from an unpaired look; paired, it is plain.
    drift = np.array([1.0, 1.3, 0.7, 1.2, 0.8, 1.1, 0.9, 1.0])
    q = [ask("C1", "threads-2", "sync", 1.2)]
    sync, thr = drift * np.exp(WOBBLE), drift / 1.3
    assert _texts({"sync": list(sync), "threads-2": list(thr)}, q) == ["C1: threads-2 vs sync at 1.2×"]
    assert _texts({"sync": _sample(sync), "threads-2": _sample(thr)}, q) == []


def test_a_c12_loss_needs_one_candidate_above_the_bar_at_alpha_over_k():
    q = [Question("others", "threads-2", 1.2, 1.2, None, "C12")]
    default = _sample([1.0] * 8)
    near = _sample(np.exp(WOBBLE - WOBBLE.mean()) / 1.23)  # above 1.2x at 95 %, not at 1 - 5 %/3
    slow = _sample([2.0] * 8)
    assert answer(q[0], near, default) == 1
    assert answer(q[0], near, default, family=3) == 0
    assert _texts({"threads-2": default, "processes-2": near}, q) == []  # one candidate: its loss is shown
    three = {"threads-2": default, "processes-2": near, "sync": slow, "distributed-2x1": slow}
    assert _texts(three, q) == ["C12: processes-2 vs threads-2 at 1.2×"]  # three: not yet, corrected for k
    clear = dict(three, **{"processes-2": _sample(np.exp(WOBBLE - WOBBLE.mean()) / 1.3)})
    assert _texts(clear, q) == []


def test_answer_of_an_equivalence_question():
    q = same("C4", "processes-2", "threads-2", 1.25)
    t = _noisy(1.0, 10)
    assert answer(q, t, _noisy(1.03, 10, seed=4)) == 1
    assert answer(q, t, _noisy(2.0, 10, seed=4)) == -1
    assert answer(q, t[:5], _noisy(1.2, 5, cv=0.2, seed=4)) == 0


def test_no_bootstrap_stability_constants_any_more():
    assert not hasattr(qmod, "STABLE") and not hasattr(qmod, "RESAMPLES")


class _TwinRunner(_Runner):
    """Times per (workload, spec): a GIL-releasing kernel 1.7x faster than its twin on two threads, 10 % noise."""

    def timed(self, pool, w, repeat, rnd):
        label = next(k for k, p in self.pools.items() if p is pool)
        self.ran.append((rnd, f"{w.name}|{label}"))
        return "ok", self.walls[(w.name, label)] * float(np.exp(self.rng.normal(0, 0.1)))


def test_twins_measure_until_the_claims_comparison_across_them_is_answered():
    """C5 compares a kernel with its twin: the rounds go on past the minimum (where each median was known to
    ±10 % before, yet the paired interval at the first look's level still spanned the bar) until it is answered."""
    from reports.claims.registry import questions_for

    walls = {("kernel-compute-nogil", "sync"): 0.02, ("kernel-compute-nogil", "threads-2"): 0.0105,
             ("kernel-compute-gil", "sync"): 0.02, ("kernel-compute-gil", "threads-2"): 0.0185}
    r = _TwinRunner(_plan(lambda w, s: still_open(s, questions_for(w, 2), recommend=False),
                          claim_max_repeats=25), walls)
    r.pools = {"sync": object(), "threads-2": object()}
    looks = {"first": 5, "last": 25}
    a, b = (Rounds(CAT[n], dict(r.pools), {"sync": [], "threads-2": []}, None, looks)
            for n in ("kernel-compute-nogil", "kernel-compute-gil"))
    run_rounds(r, [a, b])
    assert a.stop == b.stop == "decided"
    assert a.keys["threads-2"] == b.keys["threads-2"] and len(a.times["threads-2"]) > 5  # paired, past the minimum
    c = compare({"times": a.times["threads-2"], "keys": a.keys["threads-2"], "looks": looks},
                {"times": b.times["threads-2"], "keys": b.keys["threads-2"], "looks": looks}, c5_bar(2))
    assert c.outcome == "above"
