"""How busy the machine was while a run measured: its stored rounds' interference, condensed.

Each round's figures (``interference.jsonl``, written by :mod:`runners.interference`: host steal,
CPU of processes outside the suite's tree, load, clock, and whether it was a burst left out of the
decisions and run again) become a few time-weighted figures and one sentence for humans, shown
first on the terminal and the dashboard, and stored under ``interference`` in ``summary.json``.
"""
from __future__ import annotations

from typing import Any

__all__ = ["summarize", "repeat_spread_pct", "free_cores", "used_cores", "QUIET_STEAL_PCT", "QUIET_OTHER_CORES",
           "QUIET_SPREAD_PCT", "SLOW_PACE"]

QUIET_STEAL_PCT = 2.0  # below all of these the summary says "quiet"
QUIET_OTHER_CORES = 0.1
# The repeats' own spread (median over rows of MAD / median, in %): what the probes cannot see (a host's memory
# bandwidth or cache shared with neighbours shows as no steal and no other process, yet moves the times).
QUIET_SPREAD_PCT = 3.0
# The core's pace (runners.interference: a fixed loop timed at each round's ends): a run whose median round ran the
# loop this much slower than the run's best was slowed by something the other probes cannot see (a neighbour on the
# same physical core, a lowered clock).  Not its slowest tenth: the suite's own pools and clusters slow the loop in
# the rounds that use them (a quiet quick run here: 53 of 252 rounds 1.25x or more, its median round 1.1x).
SLOW_PACE = 1.25


def _median(v: list[float]) -> float:
    s = sorted(v)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def _num(x: float) -> str:
    """Short human number: 2 significant digits below 10, whole numbers above.

    >>> _num(0.02), _num(0.4), _num(1.25), _num(1.0142), _num(18.4), _num(100.0), _num(0.0)
    ('0.02', '0.4', '1.2', '1.0', '18', '100', '0')
    """
    if abs(x) >= 10:
        return f"{x:.0f}"
    return f"{x:.1f}" if abs(x) >= 1 else f"{x:.2g}"


def _weighted(rounds: list[dict], key: str) -> float | None:
    pairs = [(r[key], r.get("seconds") or 0.0) for r in rounds if r.get(key) is not None]
    w = sum(s for _, s in pairs)
    if w > 0:
        return sum(v * s for v, s in pairs) / w
    return sum(v for v, _ in pairs) / len(pairs) if pairs else None


def used_cores(rounds: list[dict]) -> float | None:
    """The cores other users took while the run measured: host steal plus other processes' CPU, in cores,
    seconds-weighted over the rounds the decisions kept (a burst re-run is left out), as the runner's
    :class:`runners.interference.Load` counted them while the rounds ran.

    >>> used_cores([{"seconds": 1.0, "steal_cores": 0.0, "other_cores": 0.2},
    ...             {"seconds": 3.0, "steal_cores": 0.1, "other_cores": 0.5},
    ...             {"seconds": 9.0, "steal_cores": 0.0, "other_cores": 1.9, "rerun": True}]).__round__(3)
    0.5
    >>> used_cores([{"seconds": 1.0, "steal_cores": None, "other_cores": 0.2}]) is None
    True
    """
    kept = [{"seconds": r.get("seconds"), "used": r["steal_cores"] + r["other_cores"]} for r in rounds
            if not r.get("rerun") and r.get("steal_cores") is not None and r.get("other_cores") is not None]
    return _weighted(kept, "used")


def free_cores(n: int, used: float | None) -> float | None:
    """The cores a run had: *n* less the cores other users took while it measured (*used*: :func:`used_cores`),
    to 0.1 core, between 1 and *n*; None where it was not measured.

    >>> free_cores(2, 0.36), free_cores(2, 0.02), free_cores(2, 1.7), free_cores(2, None)
    (1.6, 2.0, 1.0, None)
    """
    if used is None:
        return None
    return max(1.0, min(float(n), round(n - float(used), 1)))


def repeat_spread_pct(times_per_row: list[list[float]]) -> float | None:
    """How much repeats of one (workload, spec) varied, over the run: the median over rows with at least 5
    times of each row's median absolute deviation relative to its median, in %.

    >>> repeat_spread_pct([[1.0, 1.0, 1.1, 0.9, 1.0], [2.0, 2.2, 1.8, 2.0, 2.0, 2.4], [1.0]])
    2.5
    >>> repeat_spread_pct([[1.0, 2.0]]) is None
    True
    """
    spreads = []
    for t in times_per_row:
        t = [float(x) for x in t if x is not None and x > 0]
        if len(t) >= 5:
            m = _median(t)
            spreads.append(_median([abs(x - m) for x in t]) / m * 100)
    return round(_median(spreads), 2) if spreads else None


def _quantile(v: list[float], q: float) -> float:
    """The *q* quantile of *v* by linear interpolation between order statistics.

    >>> _quantile([1.0, 2.0, 3.0, 4.0, 5.0], 0.9)
    4.6
    """
    s = sorted(v)
    k = (len(s) - 1) * q
    lo = int(k)
    return s[lo] + (s[min(lo + 1, len(s) - 1)] - s[lo]) * (k - lo)


def pace(rounds: list[dict]) -> dict[str, Any]:
    """The core's pace over the rounds (``pace_s`` of each): the loop's median and best time in µs, and how much
    slower than the best the median round and the slowest tenth of rounds ran (``pace_median_x``, ``pace_p90_x``);
    empty where no round timed it (runs before the loop was added).  The best is the 5th percentile of the
    rounds' times, not the single fastest: one lucky reading of a ~1 ms loop would otherwise make a steady
    machine look slowed in every other round.

    >>> r = [{"pace_s": 6e-4}] * 8 + [{"pace_s": 9e-4}] * 2
    >>> p = pace(r); p["pace_us_best"], p["pace_us_median"], p["pace_median_x"], p["pace_p90_x"], p["pace_slow_rounds"]
    (600.0, 600.0, 1.0, 1.5, 2)
    """
    v = [float(r["pace_s"]) for r in rounds if r.get("pace_s")]
    if not v:
        return {}
    best, med = _quantile(v, 0.05), _median(v)
    return {"pace_us_best": round(best * 1e6, 1), "pace_us_median": round(med * 1e6, 1),
            "pace_median_x": round(med / best, 3), "pace_p90_x": round(_quantile(v, 0.9) / best, 3),
            "pace_slow_rounds": sum(1 for x in v if x >= SLOW_PACE * best), "pace_rounds": len(v)}


def summarize(rounds: list[dict], cores: int | None = None, spread_pct: float | None = None) -> dict[str, Any]:
    """The interference of a run from its stored *rounds* (``between`` dicts plus ``burst``, maybe ``rerun``).

    *cores*, when given, is quoted in the sentence ("of 2").  Means are weighted by round seconds.
    *spread_pct* (:func:`repeat_spread_pct`) is how much the repeats themselves varied: a run is called
    quiet only when that is low too, and the sentence says so when the probes saw nothing but the times moved.

    >>> r = [{"seconds": 1.0, "steal": 0.1, "other_cores": 0.2, "load1": 1.0, "freq_mhz": None, "burst": False},
    ...      {"seconds": 3.0, "steal": 0.2, "other_cores": 0.6, "load1": 1.6, "freq_mhz": None, "burst": True,
    ...       "rerun": True}]
    >>> s = summarize(r, cores=2)
    >>> s["steal_pct"], s["other_cores"], s["bursts"], s["rerun_after_bursts"]
    (17.5, 0.5, 1, 1)
    >>> s["busy"]
    'host steal 18 %, other processes 0.5 cores (of 2), load 1.3, 1 round re-run after bursts'
    >>> summarize([])["busy"]
    'not measured'
    """
    n = len(rounds)
    steal = _weighted(rounds, "steal")
    steal_pct = None if steal is None else round(steal * 100, 3)
    other = _weighted(rounds, "other_cores")
    other = None if other is None else round(other, 4)
    others = [r["other_cores"] for r in rounds if r.get("other_cores") is not None]
    loads = [r["load1"] for r in rounds if r.get("load1") is not None]
    freqs = [r["freq_mhz"] for r in rounds if r.get("freq_mhz") is not None]
    out: dict[str, Any] = {
        "rounds": n,
        "seconds": round(sum(r.get("seconds") or 0.0 for r in rounds), 6),
        "steal_pct": steal_pct,
        "other_cores": other,
        "other_cores_max": max(others) if others else None,
        "load1_median": _median(loads) if loads else None,
        "freq_mhz_min": min(freqs) if freqs else None,
        "freq_mhz_median": _median(freqs) if freqs else None,
        "bursts": sum(1 for r in rounds if r.get("burst")),
        "rerun_after_bursts": sum(1 for r in rounds if r.get("rerun")),
        "repeat_spread_pct": spread_pct,
        "used_cores": None if (used := used_cores(rounds)) is None else round(used, 4),
        "cores_free": free_cores(cores, used) if cores else None,
        **pace(rounds),
    }
    out["state"] = _state(out)
    out["busy"] = _sentence(out, cores)
    return out


def _state(s: dict[str, Any]) -> str:
    """The one reading the terminal and the dashboard both word: ``quiet``, ``busy`` (the probes saw a
    competitor: steal or other processes' CPU), ``noisy`` (they saw none, yet the repeats varied), ``load
    only`` (no probe but the load average, which counts the suite's own processes too) or ``not measured``.

    >>> base = {"rounds": 3, "steal_pct": 0.0, "other_cores": 0.0, "load1_median": 2.3}
    >>> _state(base), _state({**base, "repeat_spread_pct": 5.3}), _state({**base, "steal_pct": 18.0})
    ('quiet', 'noisy', 'busy')
    """
    steal, other = s["steal_pct"], s["other_cores"]
    if s["rounds"] == 0 or (steal is None and other is None and s["load1_median"] is None):
        return "not measured"
    if (steal is not None and steal >= QUIET_STEAL_PCT) or (other is not None and other >= QUIET_OTHER_CORES) \
            or _slowed(s):
        return "busy"
    if steal is None and other is None:
        return "load only"
    spread = s.get("repeat_spread_pct")
    return "noisy" if spread is not None and spread >= QUIET_SPREAD_PCT else "quiet"


def _slowed(s: dict[str, Any]) -> bool:
    """Did the median round run the pace loop :data:`SLOW_PACE` times slower than the run's best?"""
    return (s.get("pace_median_x") or 0) >= SLOW_PACE


def _slow_tail(s: dict[str, Any]) -> bool:
    """Did a tenth of the rounds or more run it that much slower (said, but alone not a busy machine)?"""
    return (s.get("pace_p90_x") or 0) >= SLOW_PACE


def _sentence(s: dict[str, Any], cores: int | None) -> str:
    steal, other, load = s["steal_pct"], s["other_cores"], s["load1_median"]
    if s["state"] == "not measured":
        return "not measured"
    probes_quiet = s["state"] in ("quiet", "noisy")
    spread = s.get("repeat_spread_pct")
    quiet = s["state"] == "quiet"
    parts = []
    if steal is not None:
        parts.append(f"host steal {_num(steal)} %")
    if other is not None:
        parts.append(f"other processes {_num(other)} cores" + (f" (of {cores})" if cores else ""))
    if load is not None and not quiet:
        parts.append(f"load {_num(load)}")
    fmin, fmed = s["freq_mhz_min"], s["freq_mhz_median"]
    if fmin is not None and fmed and fmin < 0.9 * fmed:
        parts.append(f"clock down to {fmin:.0f} MHz (median {fmed:.0f})")
    if _slowed(s):
        parts.append(f"the core ran a fixed loop {_num(s['pace_median_x'])}× slower than its best in the median "
                     f"round, {s['pace_slow_rounds']} of {s['pace_rounds']} rounds {SLOW_PACE:g}× or more"
                     + (" though the probes saw no competitor" if steal is not None and other is not None
                        and steal < QUIET_STEAL_PCT and other < QUIET_OTHER_CORES else ""))
    elif _slow_tail(s):
        parts.append(f"{s['pace_slow_rounds']} of {s['pace_rounds']} rounds ran a fixed loop {SLOW_PACE:g}× or more "
                     f"slower than the core's best (the median round {_num(s['pace_median_x'])}×)")
    if spread is not None and spread >= QUIET_SPREAD_PCT:
        parts.append(f"repeats varied ±{_num(spread)} % (median MAD)"
                     + (" though the probes saw no competitor" if probes_quiet else ""))
    free = s.get("cores_free")
    if cores and free is not None and free < cores:
        parts.append(f"so the parallel-speedup bars were set for the {free:g} of {cores} cores left free")
    rerun, bursts = s["rerun_after_bursts"], s["bursts"]
    if rerun:
        parts.append(f"{rerun} round{'s' if rerun != 1 else ''} re-run after bursts")
    if bursts > rerun:  # kept: past the re-run cap or the time budget, so their times are in the figures
        parts.append(f"{bursts - rerun} burst{'s' if bursts - rerun != 1 else ''}" + (" kept" if rerun else ""))
    return ("quiet: " if quiet else "") + ", ".join(parts)
