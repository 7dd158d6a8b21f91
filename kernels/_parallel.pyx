# cython: boundscheck=False, wraparound=False, cdivision=True, freethreading_compatible=True
"""Parallel kernel: the loop of ``kernels._compute`` split over OpenMP threads with ``prange``.

A kernel that starts its own threads competes with the scheduler's threads for the
same cores (C8): under ``threads-2`` with ``num_threads=2`` four threads share two cores.

Built without OpenMP (no ``-fopenmp`` in the compiler, or ``SUITE_NO_OPENMP=1``) the
``prange`` runs serially and :data:`OPENMP` is false.

Free-threaded builds: :data:`OPENMP` is set once at import and the loop uses only its
arguments and per-thread locals, so the module declares ``freethreading_compatible``.
The kernel releases the GIL anyway: with or without one it behaves the same.
"""
from cython.parallel cimport prange
from libc.math cimport sin, cos, sqrt

__all__ = ["OPENMP", "trig_sum_prange"]

cdef extern from *:
    """
    #ifdef _OPENMP
    #define SUITE_COMPILED_WITH_OPENMP 1
    #else
    #define SUITE_COMPILED_WITH_OPENMP 0
    #endif
    """
    int SUITE_COMPILED_WITH_OPENMP

# Decided by the C compiler itself (``_OPENMP`` is defined only under -fopenmp).
OPENMP = bool(SUITE_COMPILED_WITH_OPENMP)


# The same formula as _compute._term; tests check the two agree.
cdef inline double _term(double xi, Py_ssize_t r) noexcept nogil:
    return sqrt(1.5 + sin(xi + <double>r) * cos(xi - <double>r))


def trig_sum_prange(const double[::1] x, Py_ssize_t repeat=1, int num_threads=1):
    """The sum of ``kernels._compute.trig_sum_nogil``, with ``i`` split over ``num_threads`` threads.

    Releases the GIL.  With ``num_threads=1`` (or without OpenMP) the result is bitwise
    equal to ``trig_sum_nogil``; with more threads each thread sums a static block of
    ``i`` and the partial sums are added in an order OpenMP chooses, so results agree
    only to rounding.
    """
    if repeat < 0:
        raise ValueError(f"repeat must be >= 0; got {repeat}")
    if num_threads < 1:
        raise ValueError(f"num_threads must be >= 1; got {num_threads}")
    cdef Py_ssize_t i, r
    cdef Py_ssize_t n = x.shape[0]
    cdef double total = 0.0, s
    with nogil:
        for i in prange(n, num_threads=num_threads, schedule="static"):
            s = 0.0
            for r in range(repeat):
                # Not "s +=": that would make s a reduction variable of the prange.
                s = s + _term(x[i], r)
            total += s
    return total
