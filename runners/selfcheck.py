"""Check the suite's own decisions by simulation: ``python -m runners.selfcheck --draws N [--json]``.

Drives the real adaptive loop (:func:`runners.rounds.run_rounds`, with the
real stop rule of :func:`reports.claims.questions.still_open`, the real
sequential design of the quick profile and a fake clock) on simulated wall
times, and reads the verdict the way the reports do (the same comparison, the
same rerun agreement of :mod:`reports.resample`).  It prints:

``aa_two_sided``, ``aa_one_sided_max``
    A/A: both specs equally fast, asked "is A faster or slower than B": the
    share of draws that end on a false difference (nominal: 5 %, 2.5 % a side).
``beyond_bar_wrong``
    A true ratio 5 % beyond a bar of 1.2× (either side): the share of draws
    that end on the wrong side (nominal: at most 2.5 %).
``power_above_bar``
    A true ratio 10 % beyond the bar: the share that end on the right side.
``agreement``
    ``[figure shown, share of independent reruns that agreed, verdicts]`` per
    decile of the rerun-agreement figure, true ratios spread around the bar
    (log-uniform within 1.5× either side of it).
``agreement_early_leaver``
    The same, for a verdict one of whose specs leaves the rounds once its
    question is answered while the other goes on for a second question (a
    kernel and its twin in C5/C6, a spec dropped from a workload's rounds):
    the reruns must keep the leaver's repeats and pairs (drawn by strata).
``noise``
    The simulated noise model.

Noise (stated, from what this suite sees on a shared 2-core VM): each
repeat's time is lognormal with its own spread drawn per draw between 0.05
and 0.2 (a busy quick run here: median 0.06 per row, up to 0.3 for the
threaded kernels); each round shifts every spec of the round by a shared
drift (sd 0.15, log scale: the machine's speed moving between rounds); 5 % of
repeats take twice as long (a disturbance).

This module wires the claims' questions into the runner's loop, as the
composition root does (it is one, for the simulation): a command of its own,
not part of a run.
"""
from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from reports.claims.questions import answer, ask, still_open
from reports.intervals import SHAPE
from reports.resample import agreement, draw_rows
from runners.profiles import PROFILES, cores
from runners.rounds import Rounds, run_rounds

__all__ = ["NOISE", "simulate", "main", "one_run"]

NOISE = {"spread": [0.05, 0.2], "drift_sd": 0.15, "outliers": 0.05, "outlier_factor": 2.0, "base_s": 0.05}
BAR = 1.2
SPREAD = 1.5  # the agreement draws' true ratios: log-uniform over BAR / 1.5 .. BAR * 1.5 (effects around a bar)
SIM_RERUNS = 200  # reruns behind each simulated agreement figure: the reports' estimator with 1000; 200 keeps
#                   4000 draws within minutes, and only adds Monte Carlo noise (±0.02) to each figure


@dataclass
class _Plan:
    min_repeats: int
    max_repeats: int
    budget_s: float
    claim_max_repeats: int
    claim_extra_s: float
    looks: dict[str, Any]
    decide: Any
    fixed: bool = False
    order_seed: int = 0


class _Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


class _Sim:
    """A fake runner: two specs whose times are drawn from the noise model; the clock advances by them."""

    def __init__(self, ratio: float, rng: np.random.Generator, plan: _Plan, clock: _Clock,
                 others: dict[str, float] | None = None, base_s: float = NOISE["base_s"]):
        self.plan, self.session, self.clock = plan, 0, clock
        self.pools = {k: object() for k in ("a", "b", *(others or {}))}
        self.rng = rng
        self.sigma = float(rng.uniform(*NOISE["spread"]))
        self.scale = {"a": base_s, "b": base_s * ratio, **{k: base_s * r for k, r in (others or {}).items()}}
        self.drift: dict[int, float] = {}
        self._pool_label = {id(v): k for k, v in self.pools.items()}

    def timed(self, pool: Any, w: Any, repeat: int, rnd: int) -> tuple[str, float]:
        label = self._pool_label[id(pool)]
        d = self.drift.setdefault(rnd, float(self.rng.normal(0, NOISE["drift_sd"])))
        t = self.scale[label] * math.exp(d + self.rng.normal(0, self.sigma))
        if self.rng.random() < NOISE["outliers"]:
            t *= NOISE["outlier_factor"]
        self.clock.t += t
        return "ok", t


class _W:
    name = "sim"
    interleave = ""
    claims = ("sim",)  # its questions are a claim's: the rounds go on to the claim cap, and its design plans them


def one_run(ratio: float, bar: float, rng: np.random.Generator,
            others: dict[str, float] | None = None, base_s: float = NOISE["base_s"]) -> tuple[str, dict[str, Any]]:
    """One run of the real loop on a pair with true ratio ``time(b) / time(a)`` = *ratio*, asked whether it is
    above or below *bar*; returns the verdict (``above``/``below``/``undecided``) and the samples.  *others*:
    more specs with their true ratios to ``a``, each asked the same of ``a`` (the rounds go on for them)."""
    prof = PROFILES["quick"]
    q = ask("SIM", "a", "b", bar)
    questions = [q] + [ask("SIM", "a", k, bar) for k in (others or {})]
    clock = _Clock()
    looks = {"first": prof.repeats, "last": prof.claim_max_repeats or prof.max_repeats, "alpha": 0.05, "tail": 0.02,
             "shape": SHAPE}
    plan = _Plan(prof.repeats, prof.max_repeats, prof.budget_s, prof.claim_max_repeats or prof.max_repeats,
                 prof.claim_extra_s or 0.0, looks, lambda w, samples: still_open(samples, questions),
                 order_seed=int(rng.integers(2**31)))
    sim = _Sim(ratio, rng, plan, clock, others, base_s)
    r = Rounds(_W(), dict(sim.pools), {k: [] for k in sim.pools}, None, looks)
    run_rounds(sim, [r], clock=clock)
    samples = r.samples()
    samples["stopped"] = r.stop
    return _verdict(q, samples["a"], samples["b"]), samples


def _verdict(q: Any, a: Any, b: Any) -> str:
    return {1: "above", -1: "below"}.get(answer(q, a, b), "undecided")


def _agreement(q_bar: float, samples: dict[str, Any], point: str, reruns: int, rng: np.random.Generator) -> float:
    """The rerun agreement the reports would print for this verdict (:mod:`reports.resample`)."""
    q = ask("SIM", "a", "b", q_bar)
    rows = {k: {"times": v["times"], "keys": [f"0:sim:{x.split(':')[-1]}" for x in v["keys"]], "gils": None,
                "workload": "sim", "looks": v["looks"]} for k, v in samples.items() if k != "stopped" and v["times"]}
    lengths = {"sim": samples["a"]["looks"]["last"]} if samples.get("stopped") != "time cap" else {}
    seen = []
    for _ in range(reruns):
        d, _ = draw_rows(rows, {}, rng, lengths)
        seen.append(_verdict(q, d["a"], d["b"]))
    return agreement(point, seen) or 0.0


def _chunk(args: tuple[str, int, int, int, float]) -> list[Any]:
    kind, n, seed, reruns, base_s = args
    rng = np.random.default_rng(seed)
    out: list[Any] = []
    for _ in range(n):
        if kind == "aa":
            out.append(one_run(1.0, 1.0, rng, base_s=base_s)[0])
        elif kind in ("beyond", "power"):
            f = 1.05 if kind == "beyond" else 1.10
            side = 1 if rng.random() < 0.5 else -1
            v = one_run(BAR * f ** side, BAR, rng, base_s=base_s)[0]
            out.append((side, v))
        else:  # agreement: true ratios spread around the bar, an independent rerun of the loop
            ratio = BAR * math.exp(rng.uniform(-math.log(SPREAD), math.log(SPREAD)))
            # early leaver: a third spec near the bar keeps ``a`` in the rounds after ``b`` has its answer
            others = {"c": BAR * 1.03} if kind == "leaver" else None
            v, samples = one_run(ratio, BAR, rng, others, base_s)
            fig = _agreement(BAR, samples, v, reruns, rng)
            v2 = one_run(ratio, BAR, rng, others, base_s)[0]
            out.append((fig, v == v2))
    return out


_KINDS = ("aa", "beyond", "power", "agreement", "leaver")


def _deciles(got: list[tuple[float, bool]]) -> list[list[float]]:
    """``[mean figure shown, share of reruns that agreed, verdicts]`` per decile of the figure."""
    bins: dict[int, list[tuple[float, bool]]] = {}
    for fig, same in got:
        bins.setdefault(min(int(fig * 10), 9), []).append((fig, same))
    return [[round(float(np.mean([f for f, _ in v])), 4), round(float(np.mean([s for _, s in v])), 4), len(v)]
            for _, v in sorted(bins.items())]


def simulate(draws: int, seed: int = 1, reruns: int | None = None, workers: int | None = None,
             kinds: dict[str, int] | None = None, base_s: float = NOISE["base_s"]) -> dict[str, Any]:
    """Every figure of the module docstring from *draws* simulated runs of each kind (*kinds*: draws per kind
    of ``aa``, ``beyond``, ``power``, ``agreement`` instead; a kind given 0 draws reports None)."""
    reruns = SIM_RERUNS if reruns is None else reruns
    workers = workers or cores()
    parts = max(1, workers * 4)
    jobs = []
    per = kinds or {k: draws for k in _KINDS}
    for i, kind in enumerate(_KINDS):
        n = per.get(kind, 0)
        sizes = [n // parts + (1 if j < n % parts else 0) for j in range(parts)]
        jobs += [(kind, s, seed * 1000 + i * 100 + j, reruns, base_s) for j, s in enumerate(sizes) if s]
    if workers > 1:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as ex:
            results = list(ex.map(_chunk, jobs))
    else:
        results = [_chunk(j) for j in jobs]
    got: dict[str, list[Any]] = {k: [] for k in _KINDS}
    for (kind, *_), res in zip(jobs, results):
        got[kind] += res
    share = lambda xs, hit: (sum(map(hit, xs)) / len(xs)) if xs else None  # noqa: E731
    up = share(got["aa"], lambda v: v == "above")
    down = share(got["aa"], lambda v: v == "below")
    wrong = share(got["beyond"], lambda x: (x[0] == 1 and x[1] == "below") or (x[0] == -1 and x[1] == "above"))
    power = share(got["power"], lambda x: (x[0] == 1 and x[1] == "above") or (x[0] == -1 and x[1] == "below"))
    r5 = lambda x: None if x is None else round(x, 5)  # noqa: E731
    table, leaver = _deciles(got["agreement"]), _deciles(got["leaver"])
    return {"draws": draws, "draws_per_kind": per, "aa_two_sided": None if up is None else r5(up + down),
            "aa_one_sided_max": None if up is None else r5(max(up, down)), "aa_above": r5(up), "aa_below": r5(down),
            "beyond_bar_wrong": r5(wrong), "power_above_bar": r5(power), "agreement": table,
            "agreement_early_leaver": leaver, "noise": {**NOISE, "base_s": base_s}, "bar": BAR, "agreement_spread": SPREAD,
            "reruns": reruns, "profile": "quick",
            "design": "paired comparisons (trimmed t on per-round log ratios) at the level of the quick profile's "
                      "group-sequential boundary, one look per round"}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m runners.selfcheck",
        description="Simulate the suite's adaptive loop on noisy times and report its error rates (A/A false "
                    "differences, wrong side of a bar, power) and how well the rerun agreement figure predicts a "
                    "rerun. Nothing is measured; a few minutes on 2 cores for 4000 draws.")
    p.add_argument("--draws", type=int, default=1000, help="simulated runs of each kind (default 1000)")
    p.add_argument("--seed", type=int, default=1, help="seed of the simulation (default 1)")
    p.add_argument("--reruns", type=int, default=None, help=f"reruns behind each agreement figure (default "
                   f"{SIM_RERUNS}; the reports draw 1000)")
    p.add_argument("--base-s", type=float, default=NOISE["base_s"], metavar="SECONDS",
                   help=f"what one repeat of the faster spec takes (default {NOISE['base_s']:g}: a short workload "
                        "whose rounds reach the claim cap; 0.6: one the time caps stop after a few rounds, as the "
                        "bag workloads of quick, which then plan fewer looks of their own)")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    a = p.parse_args(argv)
    if a.draws < 10:
        print("ERROR: --draws must be at least 10", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    if not a.base_s > 0:
        print("ERROR: --base-s must be a positive number of seconds", file=sys.stderr)
        return 2
    d = simulate(a.draws, a.seed, a.reruns, base_s=a.base_s)
    d["seconds"] = round(time.perf_counter() - t0, 1)
    if a.json:
        print(json.dumps(d))
        return 0
    print(f"{d['draws']} simulated runs of each kind in {d['seconds']} s (noise: {d['noise']})")
    print(f"A/A false difference: {d['aa_two_sided']:.2%} two-sided (above {d['aa_above']:.2%}, "
          f"below {d['aa_below']:.2%}); nominal 5 %, 2.5 % a side")
    print(f"true ratio 5 % beyond the {BAR}× bar, wrong side: {d['beyond_bar_wrong']:.2%} (nominal <= 2.5 %)")
    print(f"true ratio 10 % beyond the bar, right side: {d['power_above_bar']:.2%}")
    print("rerun agreement shown -> share of independent reruns that agreed (verdicts):")
    for fig, obs, n in d["agreement"]:
        print(f"  {fig:.3f} -> {obs:.3f}  ({n})")
    print("the same where one spec of the pair left the rounds early:")
    for fig, obs, n in d["agreement_early_leaver"]:
        print(f"  {fig:.3f} -> {obs:.3f}  ({n})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
