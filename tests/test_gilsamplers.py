"""This process's GIL samplers (runners/gilsamplers.py): kept across repeats, read before and after each."""
from __future__ import annotations

import pytest

from runners import gilsamplers, meta
from runners.gilsamplers import can_sample_gil, flips, gil_windows, held_share, local_knocker, local_probe

needs_gil = pytest.mark.skipif(not can_sample_gil(), reason="no GIL to sample on this interpreter")


@pytest.fixture(autouse=True)
def _stopped():
    yield
    local_knocker(False)
    local_probe(False)


class _StubProbe:
    window_ms = 5.0

    def started_at(self):
        return 100.0

    def windows(self, since_s=0.0):
        return [(0.0, 1, 10), (0.005, 5, 10), (0.010, 10, 10), (0.015, 0, 10)]


def test_gil_windows_are_relative_to_the_repeat_and_merged_past_the_limit():
    w = gil_windows(_StubProbe(), t0=100.004, wall=0.012)
    assert w["window_s"] == pytest.approx(0.005)
    assert w["t"] == pytest.approx([0.0, 0.001, 0.006, 0.011])  # the window holding t0 starts at 0
    assert w["held"] == [0.1, 0.5, 1.0, 0.0]
    merged = gil_windows(_StubProbe(), t0=100.0, wall=1.0, limit=2)
    assert merged["window_s"] == pytest.approx(0.010) and merged["held"] == [0.3, 0.5]
    assert gil_windows(object(), t0=0.0, wall=1.0) is None  # a probe that keeps no windows


@needs_gil
def test_the_knocker_and_probe_run_once_per_process_until_stopped():
    k = local_knocker(True)
    assert k is not None and local_knocker(True) is k and k.seconds() >= 0
    p = local_probe(True)
    assert p is not None and local_probe(True) is p
    before = p.counts()
    assert held_share(before, p.counts()) is None or 0 <= held_share(before, p.counts()) <= 1
    assert flips(p) is None or len(flips(p)) == 2
    assert local_knocker(False) is None and local_probe(False) is None
    assert not gilsamplers._KNOCKER and not gilsamplers._PROBE


def test_nothing_samples_where_there_is_no_gil(monkeypatch):
    monkeypatch.setattr(meta, "gil_enabled", lambda: False)
    assert not can_sample_gil()
    assert local_knocker(True) is None and local_probe(True) is None


def test_no_gilknocker_means_no_sampling_and_it_is_looked_up_once(monkeypatch):
    calls = []
    monkeypatch.setattr(gilsamplers, "_SAMPLER", [])
    monkeypatch.setattr(meta, "gil_sampler", lambda: calls.append(1) or {"available": False, "reason": "missing"})
    assert not can_sample_gil() and not can_sample_gil()
    assert calls == [1]


def test_held_share_and_flips_without_a_probe():
    assert held_share((10, 100), (40, 200)) == pytest.approx(0.3)
    assert held_share(None, (1, 2)) is None and flips(None) is None


@pytest.mark.parametrize("wait", [True, False])
def test_a_knocker_stopped_for_a_repeat_in_other_processes_does_not_hold_up_the_caller(monkeypatch, wait):
    # Stopping a gilknocker sleeps ~100 ms: 70-odd times a quick run before each processes/distributed repeat
    import threading

    stopped_on, done = [], threading.Event()

    class Slow:
        def stop(self):
            stopped_on.append(threading.current_thread())
            done.set()

    monkeypatch.setattr(gilsamplers, "_KNOCKER", [Slow()])
    assert local_knocker(False, wait=wait) is None and gilsamplers._KNOCKER == []
    assert done.wait(5)
    assert (stopped_on[0] is threading.current_thread()) is wait  # a bare repeat waits; an instrumented one goes on
