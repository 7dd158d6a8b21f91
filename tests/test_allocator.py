"""The allocator's state (runners/allocator.py): one glibc threshold setting in every process the suite times in."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from runners import allocator

ROOT = Path(__file__).resolve().parents[1]

# Ten 1 MiB blocks made and freed, eight times over: the minor page faults that costs after two warm-ups.
_FAULTS = """
import resource, sys
if sys.argv[1] == "settled":
    from runners.allocator import settle
    settle()
import numpy as np
faults = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_minflt
def once():
    blocks = [np.ones(2**17) for _ in range(10)]
    del blocks
once(); once()
f0 = faults()
for _ in range(8):
    once()
print(faults() - f0)
"""


def _faults(mode: str) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for k in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"):
        env.pop(k, None)
    r = subprocess.run([sys.executable, "-c", _FAULTS, mode], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return int(r.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's thresholds")
def test_a_settled_process_keeps_its_pages_where_a_fresh_one_faults_them_in_again():
    """The state the suite fixes is the one that tilted times between runs: in a fresh interpreter glibc hands
    the freed 10 MiB back (above its trim threshold) and faults it in again on every pass; settled, it keeps it."""
    fresh, settled = _faults("fresh"), _faults("settled")
    assert fresh >= 8 * 10 * 64  # at least a 64th of every page again (2 MiB huge pages at most)
    assert settled * 20 < fresh


def test_settle_records_what_it_set_and_does_it_once():
    first = allocator.settle()
    assert allocator.state() == first == allocator.settle()
    if first["set"]:
        assert first == {"set": True, "mmap_threshold": allocator.MMAP_THRESHOLD,
                         "trim_threshold": allocator.TRIM_THRESHOLD}
        assert allocator.TRIM_THRESHOLD == 2 * allocator.MMAP_THRESHOLD == 64 * 2**20
    else:  # no glibc: left as it is, and the reason said
        assert first["why"]
