# cython: boundscheck=False, wraparound=False, freethreading_compatible=True
"""Blocking kernels: sleep in the C library, with and without the GIL.

A sleep uses no CPU, so these separate the GIL from the cores: :func:`sleep_nogil`
in two threads overlaps even on one core, :func:`sleep_gil` never does (C5), and
alone the two take the same time (C6).

Free-threaded builds: the module keeps no state (``errno`` is per thread), so it
declares ``freethreading_compatible`` and importing it leaves the GIL off.  With the
GIL off, "holding the GIL" only means the thread stays attached to the interpreter:
two :func:`sleep_gil` calls overlap like :func:`sleep_nogil` (C5's contrast is gone),
but an attached sleeper delays the stop-the-world pauses of the garbage collector,
so other threads can still stall behind it.  Where the GIL is on (``PYTHON_GIL=1``,
or re-enabled by another module) both mean what they say on a GIL build.
"""
from libc.errno cimport errno, EINTR
from posix.time cimport nanosleep, timespec

__all__ = ["sleep_nogil", "sleep_gil"]


cdef int _sleep(long long us) noexcept nogil:
    cdef timespec req, rem
    req.tv_sec = us // 1_000_000
    req.tv_nsec = (us % 1_000_000) * 1000
    while nanosleep(&req, &rem) != 0:
        if errno != EINTR:
            return -1
        req = rem  # interrupted by a signal: sleep the rest
    return 0


def sleep_nogil(long long us):
    """Sleep ``us`` microseconds with ``nanosleep``, the GIL released; returns ``us``.

    Shows blocking that other Python threads can overlap (I/O, a lock wait, a device call).
    """
    if us < 0:
        raise ValueError(f"us must be >= 0; got {us}")
    cdef int rc
    with nogil:
        rc = _sleep(us)
    if rc != 0:
        raise OSError("nanosleep failed")
    return us


def sleep_gil(long long us):
    """Sleep ``us`` microseconds with ``nanosleep``, holding the GIL; returns ``us``.

    Shows a blocking call that forgot to release the GIL: every other Python thread
    waits for it, so two threads take twice as long as one.
    """
    if us < 0:
        raise ValueError(f"us must be >= 0; got {us}")
    if _sleep(us) != 0:
        raise OSError("nanosleep failed")
    return us
