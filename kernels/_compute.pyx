# cython: boundscheck=False, wraparound=False, cdivision=True, freethreading_compatible=True
"""Compute kernels: one numeric loop in variants that differ only in how they treat the GIL.

Every variant computes the same number, in the same order, so their results are equal::

    total = sum over i of ( sum over r < repeat of sqrt(1.5 + sin(x[i] + r) * cos(x[i] - r)) )

The inner sum over ``r`` is accumulated per element before it is added to the total,
so a ``prange`` over ``i`` (``kernels._parallel``) with one thread gives the same bits.
The pure-Python twin is :func:`kernels.reference.trig_sum`.

Variants
--------
trig_sum_nogil
    Releases the GIL for the whole loop: runs in parallel in several threads (C5).
trig_sum_gil
    Holds the GIL for the whole loop: serialises in several threads (C5); no faster
    or slower alone (C6).
trig_sum_retake
    Releases the GIL, but re-takes it every ``k`` iterations (``with gil:``) (C7).
trig_sum_callback
    Releases the GIL, but calls a Python callable every ``k`` iterations (C7).

On a free-threaded build
------------------------
No variant keeps state between calls (only locals and a read-only buffer, whose
acquisition Cython counts atomically), so the module declares
``freethreading_compatible`` and importing it leaves the GIL off.  With the GIL off,
``with gil:`` only re-attaches the thread to the interpreter and ``with nogil:`` only
detaches it: no lock is taken, nothing serialises.  So ``trig_sum_gil`` runs in
parallel like ``trig_sum_nogil`` (C5 and C6 then measure attach/detach, not the GIL),
``trig_sum_retake`` pays only the attach/detach every ``k`` iterations (C7 shrinks to
that cost), and ``trig_sum_callback`` runs ``callback`` in each thread at once, which
scales unless the callback itself contends (e.g. on a shared object's lock).  Where the
GIL is on (``PYTHON_GIL=1``, or re-enabled by another module) they mean what they say.
"""
from libc.math cimport sin, cos, sqrt

__all__ = ["trig_sum_nogil", "trig_sum_gil", "trig_sum_retake", "trig_sum_callback"]


# The same formula is written out in _parallel.pyx; tests check the two agree.
cdef inline double _term(double xi, Py_ssize_t r) noexcept nogil:
    return sqrt(1.5 + sin(xi + <double>r) * cos(xi - <double>r))


cdef double _loop(const double[::1] x, Py_ssize_t repeat) noexcept nogil:
    cdef Py_ssize_t i, r
    cdef double total = 0.0, s
    for i in range(x.shape[0]):
        s = 0.0
        for r in range(repeat):
            s += _term(x[i], r)
        total += s
    return total


cdef int _check(Py_ssize_t repeat, Py_ssize_t k) except -1:
    if repeat < 0:
        raise ValueError(f"repeat must be >= 0; got {repeat}")
    if k < 1:
        raise ValueError(f"k must be >= 1; got {k}")
    return 0


def trig_sum_nogil(const double[::1] x, Py_ssize_t repeat=1):
    """Sum of ``sqrt(1.5 + sin(x+r) cos(x-r))`` over x and r < repeat, GIL released for the loop.

    Shows that a compiled loop inside ``with nogil:`` lets other Python threads run:
    two threads calling it finish in about half the time of one doing both calls.
    """
    _check(repeat, 1)
    cdef double out
    with nogil:
        out = _loop(x, repeat)
    return out


def trig_sum_gil(const double[::1] x, Py_ssize_t repeat=1):
    """The loop of :func:`trig_sum_nogil`, holding the GIL throughout.

    Shows that compiled code is not parallel by itself: two threads calling it take
    as long as one thread making both calls.
    """
    _check(repeat, 1)
    return _loop(x, repeat)


def trig_sum_retake(const double[::1] x, Py_ssize_t repeat=1, Py_ssize_t k=1):
    """The loop of :func:`trig_sum_nogil`, re-taking the GIL every ``k`` inner iterations.

    Shows what a ``with gil:`` block in a hot loop costs: with small ``k`` threads
    queue for the GIL and the parallel speedup is lost, with large ``k`` it returns.
    """
    _check(repeat, k)
    cdef Py_ssize_t i, r, c = 0
    cdef double total = 0.0, s
    cdef Py_ssize_t retakes = 0
    with nogil:
        for i in range(x.shape[0]):
            s = 0.0
            for r in range(repeat):
                s += _term(x[i], r)
                c += 1
                if c == k:
                    c = 0
                    with gil:
                        # Nothing to do in Python: the cost shown is taking the GIL.
                        retakes += 1
            total += s
    return total


def trig_sum_callback(const double[::1] x, object callback, Py_ssize_t repeat=1, Py_ssize_t k=1):
    """The loop of :func:`trig_sum_nogil`, calling ``callback()`` every ``k`` inner iterations.

    Shows what calling back into Python (a progress hook, a user function) costs:
    each call runs bytecode holding the GIL, so with small ``k`` threads serialise.
    Exceptions raised by ``callback`` propagate.
    """
    _check(repeat, k)
    if not callable(callback):
        raise TypeError(f"callback must be callable; got {type(callback).__name__}")
    cdef Py_ssize_t i, r, c = 0
    cdef double total = 0.0, s
    with nogil:
        for i in range(x.shape[0]):
            s = 0.0
            for r in range(repeat):
                s += _term(x[i], r)
                c += 1
                if c == k:
                    c = 0
                    with gil:
                        callback()
            total += s
    return total
