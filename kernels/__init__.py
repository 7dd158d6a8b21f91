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

Each compiled module declares ``freethreading_compatible`` (none keeps state between
calls), so on a free-threaded build (``python3.13t``/``3.14t``) importing them does not
turn the GIL back on.  There, with the GIL off, the "GIL-holding" variants hold
nothing that serialises: ``with gil:`` only attaches the calling thread to the
interpreter.  C5–C7 then measure attach/detach costs, not the GIL; each module's
docstring says what its variants become.
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
