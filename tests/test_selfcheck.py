"""The suite's own error rates by simulating its real adaptive loop (runners/selfcheck.py).

The slow test reruns the calibration behind the reports' 5 % claims (about 2500 simulated runs of each kind,
a few minutes on 2 cores); the fast one only checks that the figures come back.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from runners import selfcheck

KEYS = {"draws", "aa_two_sided", "aa_one_sided_max", "aa_above", "aa_below", "beyond_bar_wrong", "power_above_bar",
        "agreement", "agreement_early_leaver", "noise", "bar", "reruns", "profile", "design"}


def _se(p: float, draws: int) -> float:
    return math.sqrt(p * (1 - p) / draws)


def test_simulate_returns_every_figure():
    d = selfcheck.simulate(draws=20, reruns=20, workers=1)
    assert KEYS <= set(d) and d["draws"] == 20 and d["reruns"] == 20
    for k in ("aa_two_sided", "aa_one_sided_max", "aa_above", "aa_below", "beyond_bar_wrong", "power_above_bar"):
        assert 0.0 <= d[k] <= 1.0, k
    assert d["aa_two_sided"] == pytest.approx(d["aa_above"] + d["aa_below"], abs=1e-4)
    assert d["aa_one_sided_max"] == max(d["aa_above"], d["aa_below"])
    assert sum(n for _, _, n in d["agreement"]) == 20
    assert all(0.0 <= fig <= 1.0 and 0.0 <= obs <= 1.0 for fig, obs, _ in d["agreement"])
    assert sum(n for _, _, n in d["agreement_early_leaver"]) == 20


def test_the_early_leaver_draws_leave_one_spec_of_the_pair_out_of_later_rounds():
    rng = np.random.default_rng(3)
    _, samples = selfcheck.one_run(2.0, 1.2, rng, {"c": 1.2 * 1.03})
    a, b, c = (samples[k]["keys"] for k in ("a", "b", "c"))
    assert set(b) <= set(a) and len(b) < len(a) and len(c) == len(a)  # b answered, a and c went on


@pytest.mark.slow
def test_simulated_error_rates_are_nominal():
    aa, near = 10_000, 2_500  # the A/A size over 10 000 draws of the real loop; the near-bar error over 2 500
    d = selfcheck.simulate(draws=aa, reruns=20, workers=2, kinds={"aa": aa, "beyond": near, "power": 500})
    assert d["aa_two_sided"] <= 0.05 + 2 * _se(0.05, aa), d
    assert d["aa_one_sided_max"] <= 0.025 + 2 * _se(0.025, aa), d
    assert d["beyond_bar_wrong"] <= 0.025 + 2 * _se(0.025, near), d
    assert d["power_above_bar"] > 0.25, d  # the loop does decide: a bar 10 % off is found more often than not missed
