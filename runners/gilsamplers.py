"""The GIL samplers of this process: gilknocker's contention and the GIL probe's held share.

Both run process-wide, across repeats (starting one costs more than a quick
repeat), and are read before and after each: :func:`local_knocker`,
:func:`local_probe`.  :func:`held_share` and :func:`gil_windows` turn two
probe readings into the GIL-held share of a repeat and its course over time.
Used by the ``sync`` and ``threads`` measurements and the GIL calibration;
:func:`can_sample_gil` and the knocker's settings (:data:`KNOCKER_KW`) by the
worker processes too.
"""
from __future__ import annotations

import threading
import time
from typing import Any

from runners import meta

try:  # compiled with the package; a source tree without its kernels built has no probe
    from kernels._gilprobe import GilProbe
except ImportError:  # pragma: no cover - the package build compiles it
    GilProbe = None

__all__ = ["Knocker", "local_knocker", "local_probe", "flips", "held_share", "gil_windows", "MAX_GIL_WINDOWS",
           "KNOCKER_KW", "PROBE_KW", "can_sample_gil"]

# gilknocker's defaults sample 10 ms then sleep 100 ms: on a 0.1 s repeat that
# reads anything from 0.00 to 0.95 for the same kernel.  Sampling 10 ms and
# sleeping 1 ms keeps the probe on ~90 % of the time at 1 ms polling.
KNOCKER_KW = dict(polling_interval_micros=1000, sampling_interval_micros=10_000, sleeping_interval_micros=1_000)

_SAMPLER: list[bool] = []  # whether gilknocker imports, looked up once per process


def can_sample_gil() -> bool:
    """True where GIL contention can be sampled: the GIL is on and gilknocker imports.

    Where not, GIL figures are None (not 0); :func:`runners.meta.gil_sampler` says why.
    """
    if not meta.gil_enabled():  # checked every time: an import can turn the GIL back on
        return False
    if not _SAMPLER:
        _SAMPLER.append(bool(meta.gil_sampler()["available"]))
    return _SAMPLER[0]


class Knocker:
    """One gilknocker for this process, kept running across repeats.

    Starting and stopping a KnockKnock costs ~100 ms (its thread's sleep), more
    than a quick repeat: so it runs from the first instrumented repeat on, and a
    repeat reads the contention seconds accumulated during it.  It is stopped for
    bare (uninstrumented) repeats, which must not pay for its probing.
    """

    def __init__(self, kw: dict[str, int] | None = None) -> None:
        from gilknocker import KnockKnock

        # *kw*: other KnockKnock settings (the GIL calibration tries some); the suite's by default.
        self.k = KnockKnock(**(kw or KNOCKER_KW))
        self.k.start()
        self.t0 = time.perf_counter()

    def seconds(self) -> float:
        """Seconds the probe waited for the GIL since start (metric is a fraction)."""
        return self.k.contention_metric * (time.perf_counter() - self.t0)

    def stop(self) -> None:
        self.k.stop()


_KNOCKER: list[Knocker] = []


def local_knocker(on: bool, wait: bool = True) -> Knocker | None:
    """The running process-wide knocker when *on*; stop it when not.

    None where GIL contention cannot be sampled (gilknocker missing, or no GIL):
    the repeat's GIL figures are then None, with the reason in meta.json.
    With *wait* False the stop (~100 ms of the knocker thread's sleep) is left to a
    daemon thread: the caller goes on at once, and the dying knocker's probing may
    overlap the next ~100 ms (what an instrumented repeat in another process may
    allow; a bare repeat waits).  A new knocker can start meanwhile.
    """
    if on and not _KNOCKER and can_sample_gil():
        _KNOCKER.append(Knocker())
    elif not on and _KNOCKER:
        k = _KNOCKER.pop()
        if wait:
            k.stop()
        else:
            threading.Thread(target=k.stop, name="suite-knocker-stop", daemon=True).start()
    return _KNOCKER[0] if _KNOCKER else None


_PROBE: list[Any] = []

# The probe's mean time between samples and its window.  Its thread wakes at every sample, and on a machine whose
# cores all compute that wake-up is taken from the work: measured on 2 cores (array-transcendental at the default
# size under threads-2, 14 interleaved rounds against no probe), a 200 us mean cost 3.4 % [+-1.1], 500 us 1.7 %,
# 1 000 us 0.9 %.  At 1 ms a 0.1 s repeat still gets ~100 samples (its held share to within +-0.1 at worst),
# and a 10 ms window ~10.
PROBE_KW = dict(mean_interval_us=1000.0, window_ms=10.0)


def local_probe(on: bool) -> Any:
    """The running process-wide GIL probe (:class:`kernels._gilprobe.GilProbe`) when *on*; stop it when not.

    It reads whether some thread holds the GIL, at random instants, without taking
    the GIL itself; the share of samples that found it held is the GIL-held share
    that the GIL calibration checks and the cost model reads.  None where there is
    no GIL to sample or the kernels were not built.
    """
    if on and not _PROBE and can_sample_gil():
        if GilProbe is None:
            return None
        p = GilProbe(**PROBE_KW)
        p.start()
        _PROBE.append(p)
    elif not on and _PROBE:
        _PROBE.pop().stop()
    return _PROBE[0] if _PROBE else None


def flips(probe: Any) -> tuple[int, float] | None:
    """The probe's (GIL flag changes, burst seconds) so far; None without a probe that counts them."""
    try:
        return probe.flips() if probe is not None and probe.flag else None
    except AttributeError:  # a probe built before it counted them
        return None


def held_share(before: tuple[int, int] | None, after: tuple[int, int] | None) -> float | None:
    """Share of the probe's samples between two :meth:`GilProbe.counts` that found the GIL held.

    >>> held_share((10, 100), (40, 200))
    0.3
    >>> held_share((0, 5), (0, 5)) is None
    True
    """
    if before is None or after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1])


MAX_GIL_WINDOWS = 400  # windows kept per repeat; longer repeats merge neighbours


def gil_windows(probe: Any, t0: float, wall: float, limit: int = MAX_GIL_WINDOWS) -> dict[str, Any] | None:
    """The probe's GIL-held share over one repeat, window by window: ``{window_s, t, held}``.

    ``t`` is each window's start in seconds since the repeat began (*t0*, a
    ``time.perf_counter`` reading: the probe's clock on Linux), ``held`` the
    share of its samples that found the GIL held.  More than *limit* windows
    are merged in equal groups.  What the task-stream page draws under the lanes.
    """
    try:
        start = probe.started_at()
        wins = [(start + ts - t0, h, n) for ts, h, n in probe.windows(since_s=t0 - start)]
    except AttributeError:  # a probe built before it kept windows
        return None
    wins = [w for w in wins if -probe.window_ms / 1e3 < w[0] < wall and w[2] > 0]
    if not wins:
        return None
    k = -(-len(wins) // limit)  # ceil
    t, held = [], []
    for i in range(0, len(wins), k):
        grp = wins[i:i + k]
        t.append(round(max(0.0, grp[0][0]), 6))
        held.append(round(sum(g[1] for g in grp) / sum(g[2] for g in grp), 3))
    return {"window_s": probe.window_ms / 1e3 * k, "t": t, "held": held}
