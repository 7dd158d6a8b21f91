"""Pure Python and NumPy twins of the compiled kernels, for parity tests.

>>> import numpy as np
>>> x = np.linspace(0.0, 1.0, 5)
>>> abs(trig_sum(x, 3) - trig_sum_numpy(x, 3)) < 1e-9
True
"""
from __future__ import annotations

import math
import time

import numpy as np

__all__ = ["trig_sum", "trig_sum_numpy", "sleep"]


def trig_sum(x, repeat: int = 1) -> float:
    """The loop of ``kernels._compute`` in pure Python, in the same order (same bits).

    Parameters
    ----------
    x
        1-D sequence of floats.
    repeat
        Passes over ``x``: ``total = sum_i sum_{r<repeat} sqrt(1.5 + sin(x_i+r) cos(x_i-r))``.
    """
    total = 0.0
    for xi in x:
        xi = float(xi)
        s = 0.0
        for r in range(repeat):
            s += math.sqrt(1.5 + math.sin(xi + r) * math.cos(xi - r))
        total += s
    return total


def trig_sum_numpy(x: np.ndarray, repeat: int = 1) -> float:
    """The same sum vectorised with NumPy (different summation order: equal to rounding)."""
    x = np.asarray(x, dtype=np.float64)
    s = np.zeros_like(x)
    for r in range(repeat):
        s += np.sqrt(1.5 + np.sin(x + r) * np.cos(x - r))
    return float(s.sum())


def sleep(us: int) -> int:
    """``time.sleep`` for ``us`` microseconds (releases the GIL); returns ``us``."""
    time.sleep(us / 1e6)
    return us
