"""Compiled Cython kernels that make the GIL visible.

``kernels._compute``
    One numeric loop (``trig_sum_*``) that releases the GIL, holds it, re-takes it every
    ``k`` iterations, or calls back into Python every ``k`` iterations (C5, C6, C7).
``kernels._blocking``
    ``sleep_nogil`` / ``sleep_gil``: a C-library sleep with and without the GIL (C5, C6).
``kernels._parallel``
    ``trig_sum_prange``: the same loop over OpenMP threads (C8).
``kernels.reference``
    Pure Python / NumPy twins, for parity tests.

Every kernel is a ``def`` function: a ``cpdef ... nogil`` function called from Python
does *not* release the GIL, only a ``with nogil:`` block does.
"""
from __future__ import annotations

__all__ = ["openmp_available"]


def openmp_available() -> bool:
    """True when ``kernels._parallel`` was compiled with OpenMP, so ``prange`` runs threads.

    >>> isinstance(openmp_available(), bool)
    True
    """
    from kernels import _parallel

    return bool(_parallel.OPENMP)
