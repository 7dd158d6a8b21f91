"""How busy a run was, condensed from its stored rounds (reports/interference.py)."""
from __future__ import annotations

import pytest

from reports.interference import summarize


def _rec(seconds, steal, other, load=1.0, freq=None, burst=False, rerun=False) -> dict:
    return {"seconds": seconds, "steal": steal, "steal_cores": None, "other_cores": other, "load1": load,
            "freq_mhz": freq, "burst": burst, "rerun": rerun}


def test_summarize_busy_run():
    rounds = [_rec(1.0, 0.10, 0.2, load=1.0, freq=2400.0),
              _rec(3.0, 0.20, 0.6, load=1.3, freq=2000.0, burst=True, rerun=True),
              _rec(4.0, 0.05, 0.1, load=2.0, freq=2400.0, burst=True)]
    s = summarize(rounds, cores=2)
    assert s["rounds"] == 3 and s["seconds"] == 8.0
    assert s["steal_pct"] == pytest.approx(100 * (0.1 + 0.6 + 0.2) / 8)
    assert s["other_cores"] == pytest.approx((0.2 + 1.8 + 0.4) / 8)
    assert s["other_cores_max"] == 0.6 and s["load1_median"] == 1.3
    assert s["freq_mhz_min"] == 2000.0 and s["freq_mhz_median"] == 2400.0
    assert s["bursts"] == 2 and s["rerun_after_bursts"] == 1
    assert s["busy"] == ("host steal 11 %, other processes 0.3 cores (of 2), load 1.3, "
                         "clock down to 2000 MHz (median 2400), 1 round re-run after bursts, 1 burst kept")
    assert "clock" not in summarize(rounds[:1])["busy"]
    assert summarize([rounds[2]])["busy"].endswith(", 1 burst")


def test_summarize_quiet_run_and_unknowns():
    s = summarize([_rec(1.0, 0.003, 0.02), _rec(1.0, 0.003, 0.02)], cores=2)
    assert s["busy"] == "quiet: host steal 0.3 %, other processes 0.02 cores (of 2)"
    s = summarize([_rec(2.0, None, 0.02, load=None)])
    assert s["steal_pct"] is None and s["load1_median"] is None
    assert s["busy"] == "quiet: other processes 0.02 cores"
    s = summarize([_rec(1.0, None, None, load=None)])
    assert s["busy"] == "not measured" and s["other_cores"] is None and s["rounds"] == 1


def test_summarize_empty():
    s = summarize([])
    assert s["rounds"] == 0 and s["busy"] == "not measured"
    assert all(s[k] is None for k in ("steal_pct", "other_cores", "other_cores_max", "load1_median",
                                      "freq_mhz_min", "freq_mhz_median"))
    assert s["bursts"] == 0 and s["rerun_after_bursts"] == 0


def test_noisy_repeats_are_not_called_quiet_even_when_the_probes_saw_nothing():
    from reports.interference import repeat_spread_pct, summarize

    r = [{"seconds": 1.0, "steal": 0.0, "other_cores": 0.0, "load1": 1.0, "freq_mhz": None, "burst": False}]
    calm = [[1.0, 1.01, 0.99, 1.0, 1.02, 0.98]] * 3
    noisy = [[0.36, 0.52, 0.36, 0.53, 0.36, 0.49, 0.52]] * 3
    assert summarize(r, 2, repeat_spread_pct(calm))["busy"].startswith("quiet: ")
    s = summarize(r, 2, repeat_spread_pct(noisy))
    assert not s["busy"].startswith("quiet") and "repeats varied ±" in s["busy"] and "no competitor" in s["busy"]
    assert s["repeat_spread_pct"] == repeat_spread_pct(noisy) > 3


def test_a_core_that_ran_slower_is_said_even_when_steal_and_other_processes_saw_nothing():
    quiet = [{**_rec(1.0, 0.0, 0.0), "pace_s": 6e-4}] * 8
    assert summarize(quiet, cores=2)["busy"].startswith("quiet: ") and summarize(quiet)["pace_median_x"] == 1.0
    slowed = [{**_rec(1.0, 0.0, 0.0), "pace_s": 6e-4}] * 4 + [{**_rec(1.0, 0.0, 0.0), "pace_s": 9e-4}] * 6
    s = summarize(slowed, cores=2)  # the median round ran the loop 1.5x slower than the core's best
    assert s["state"] == "busy" and s["pace_median_x"] >= 1.25 and s["pace_slow_rounds"] == 6
    assert "fixed loop" in s["busy"] and "6 of 10 rounds" in s["busy"] and "no competitor" in s["busy"]
    assert "pace_us_median" not in summarize([_rec(1.0, 0.0, 0.0)])  # older runs: no pace, nothing said


def test_a_tail_of_slow_rounds_is_said_but_does_not_make_a_quiet_machine_busy():
    """The suite's own pools and clusters slow the loop in the rounds that use them: a quiet quick run (16:45, 7
    December; steal 0.08 %, other processes 0.014 cores) ran it 1.25x slower than its best in 53 of 252 rounds
    (delayed-null's 7 of 7, stencil-python's 7 of 9, array-transcendental's 0 of 9) with its median round 1.1x.
    Only the median round says how fast the core was; the tail is said, as the suite's own or the machine's."""
    r = [{**_rec(1.0, 0.0, 0.0), "pace_s": 6e-4}] * 8 + [{**_rec(1.0, 0.0, 0.0), "pace_s": 1.2e-3}] * 2
    s = summarize(r, cores=2)
    assert s["state"] == "quiet" and s["pace_p90_x"] >= 1.25 and s["pace_slow_rounds"] == 2
    assert s["busy"].startswith("quiet: ") and "2 of 10 rounds" in s["busy"], s["busy"]


def test_one_lucky_fast_reading_does_not_make_a_steady_machine_look_slowed():
    steady = [{**_rec(1.0, 0.0, 0.0), "pace_s": 6e-4 * (1 + 0.01 * (i % 5))} for i in range(100)]
    s = summarize(steady + [{**_rec(1.0, 0.0, 0.0), "pace_s": 4e-4}], cores=2)  # one reading 1.5x faster than all
    assert s["state"] == "quiet" and s["pace_p90_x"] < 1.1, s["busy"]


def test_the_cores_other_users_left_set_the_parallel_bars_and_the_sentence_says_so():
    """stress-ng's 40 % of one core beside a run on 2: 1.6 cores free, and the line names the bars it moved."""
    def rec(seconds, steal_cores, other, rerun=False):
        return {**_rec(seconds, steal_cores / 2, other, rerun=rerun), "steal_cores": steal_cores}

    s = summarize([rec(1.0, 0.02, 0.35), rec(3.0, 0.03, 0.36), rec(2.0, 0.0, 1.8, rerun=True)], cores=2)
    assert s["used_cores"] == pytest.approx((0.37 + 3 * 0.39) / 4, abs=1e-4) and s["cores_free"] == 1.6
    assert s["busy"].endswith("so the parallel-speedup bars were set for the 1.6 of 2 cores left free, "
                              "1 round re-run after bursts")
    quiet = summarize([rec(5.0, 0.0, 0.02)], cores=2)
    assert quiet["cores_free"] == 2.0 and "bars" not in quiet["busy"]
    assert summarize([rec(1.0, 0.0, 0.4)])["cores_free"] is None  # cores unknown: nothing to set
    assert summarize([_rec(1.0, 0.1, 0.2)], cores=2)["cores_free"] is None  # no steal figure: not measured
