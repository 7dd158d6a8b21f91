# cython: boundscheck=False, wraparound=False, cdivision=True, freethreading_compatible=True
"""GIL calibration kernel: holds the GIL for a designed share of every iteration.

Each iteration does a fixed amount of arithmetic, ``units`` steps of one dependent
multiply-add chain (the compiler can neither vectorise nor shorten it, so every
step costs the same time).  The first ``round(share * units)`` steps run holding
the GIL, the rest inside ``with nogil:``::

    for each of `iterations`:
        acc = chain(acc, held)          # GIL held
        with nogil:
            acc = chain(acc, units - held)  # GIL released

So the share of the kernel's time that holds the GIL is *share* by construction
(up to the cost of one release and re-acquire per iteration, ~0.2 µs against
iterations of ~100 µs).  A GIL metric that reads the share of time some thread
holds the GIL should read *share* when the kernel runs alone in one thread; that
is the test :mod:`runners.experiments` (``gil-calibration``) puts the suite's
metric to.

Iterations should be long against the GIL's hand-off (a few µs) and short
against the switch interval (5 ms): a held stretch in C never answers a drop
request, so a waiter waits for the whole stretch; :data:`ITERATION_US` is the
default length.

On a free-threaded build the ``with gil:`` part only keeps the thread attached:
nothing serialises, and the designed share means nothing (the suite's GIL
figures are then None anyway).
"""

__all__ = ["gil_share", "chain_rate", "ITERATION_US"]

ITERATION_US = 100.0  # designed length of one iteration (µs); see the module docstring


cdef inline double _chain(double acc, Py_ssize_t n) noexcept nogil:
    # A dependent chain: each step needs the last, so n steps take n times one step.
    # (Not a fixed point of the step from the start value 1.0: the compiler would
    # fold a chain whose first step returns its input.)
    cdef Py_ssize_t i
    for i in range(n):
        acc = acc * 0.9999999 + 0.5
    return acc


def gil_share(double share, Py_ssize_t iterations, Py_ssize_t units):
    """Run *iterations* iterations of *units* steps each, holding the GIL for *share* of them.

    Returns the chain's final value (so the work cannot be optimised away).

    >>> gil_share(0.5, 10, 1000) > 0
    True
    """
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must be within 0..1; got {share}")
    if iterations < 0 or units < 0:
        raise ValueError(f"iterations and units must be >= 0; got {iterations}, {units}")
    cdef Py_ssize_t held = <Py_ssize_t>(share * units + 0.5)
    cdef Py_ssize_t free = units - held
    cdef Py_ssize_t it
    cdef double acc = 1.0
    for it in range(iterations):
        acc = _chain(acc, held)  # the GIL is held here: this is a def function's body
        with nogil:
            acc = _chain(acc, free)
    return acc


def chain_rate(Py_ssize_t units=2_000_000):
    """Steps of the chain per second on this machine (GIL released while timing).

    >>> chain_rate(100_000) > 0
    True
    """
    import time

    cdef double acc = 1.0
    t0 = time.perf_counter()
    with nogil:
        acc = _chain(acc, units)
    dt = time.perf_counter() - t0
    return units / dt if dt > 0 and acc > 0 else float(units)
