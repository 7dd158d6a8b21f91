# cython: boundscheck=False, wraparound=False, cdivision=True, freethreading_compatible=True
"""A GIL sampler that never takes the GIL: the share of time some thread holds it.

gilknocker (the sampler the suite started with) times how long *its own* probe
waits to acquire the GIL, every polling interval.  Its figure depends on how
long the holder keeps the GIL in one stretch and on the polling interval, not
only on how much of the time it is held: a pure-Python thread reads about
``switch interval / (switch interval + polling interval)`` (0.83 at 5 ms and
1 ms), and a kernel that holds the GIL for 75 µs of every 100 µs reads a few
per cent (the probe waits only for the rest of the stretch it lands in).  The
``gil-calibration`` experiment shows it.

:class:`GilProbe` instead looks at the interpreter's own GIL flag (``locked``
in CPython's ``struct _gil_runtime_state``) from a thread that runs without
the GIL, at random intervals (uniform in 0.5..1.5 × the mean, so a periodic
kernel cannot alias with it).  The share of samples that found the flag set is
the share of time some thread held the GIL, with the binomial error of the
sample count; taking nothing, it slows no thread that wants the GIL.

Where the flag cannot be read (a CPython without the internal headers this was
built against, or another interpreter), :data:`FLAG` is False and the probe
falls back to timing its own ``with gil:`` (a sample counts as held when the
acquisition took longer than :data:`HELD_NS`): the same estimator, but each
sample then takes the GIL for a moment.  On a free-threaded build there is no
GIL: :func:`available` is False.
"""
from libc.stdint cimport uint32_t, uint64_t, int64_t
from libc.stdlib cimport calloc, free

cdef extern from *:
    """
    #include <time.h>
    /* 3.12 is left out: its internal pycore_interp.h clashes with the public headers once
       Python.h is in (objimpl.h); there the probe times its own acquisitions instead. */
    #if !defined(Py_GIL_DISABLED) && PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030E0000 \
        && !(PY_VERSION_HEX >= 0x030C0000 && PY_VERSION_HEX < 0x030D0000)
    #  ifndef Py_BUILD_CORE
    #    define Py_BUILD_CORE 1
    #    define SUITE_UNDEF_BUILD_CORE 1
    #  endif
    #  if PY_VERSION_HEX < 0x030C0000
    #    include "internal/pycore_runtime.h"
    #  else
    #    include "internal/pycore_interp.h"
    #  endif
    #  ifdef SUITE_UNDEF_BUILD_CORE
    #    undef Py_BUILD_CORE
    #  endif
    #  define SUITE_GIL_FLAG 1
    static void *suite_gil_state = NULL;
    /* Called once with the GIL held: where the main interpreter's GIL lives. */
    static int suite_gil_init(void) {
    #  if PY_VERSION_HEX < 0x030C0000
        suite_gil_state = (void *)&_PyRuntime.ceval.gil;
    #  else
        suite_gil_state = (void *)PyInterpreterState_Main()->ceval.gil;
    #  endif
        return suite_gil_state != NULL;
    }
    /* 1 while some thread holds the GIL; read without taking it (an atomic load). */
    static int suite_gil_locked(void) {
    #  if PY_VERSION_HEX < 0x030D0000
        return _Py_atomic_load_relaxed(&((struct _gil_runtime_state *)suite_gil_state)->locked) != 0;
    #  else
        return _Py_atomic_load_int_relaxed(&((struct _gil_runtime_state *)suite_gil_state)->locked) != 0;
    #  endif
    }
    #else
    #  define SUITE_GIL_FLAG 0
    static int suite_gil_init(void) { return 0; }
    static int suite_gil_locked(void) { return -1; }
    #endif
    static int64_t suite_now_ns(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
    }
    static void suite_sleep_ns(int64_t ns) {
        struct timespec t;
        t.tv_sec = ns / 1000000000LL;
        t.tv_nsec = ns % 1000000000LL;
        nanosleep(&t, NULL);
    }
    """
    int SUITE_GIL_FLAG
    int suite_gil_init()
    int suite_gil_locked() noexcept nogil
    int64_t suite_now_ns() noexcept nogil
    void suite_sleep_ns(int64_t ns) noexcept nogil

__all__ = ["GilProbe", "FLAG", "HELD_NS", "BURST", "MEAN_INTERVAL_US", "available"]

FLAG = bool(SUITE_GIL_FLAG) and bool(suite_gil_init())
cdef int64_t _HELD_NS = 2_000
cdef Py_ssize_t _BURST = 64
BURST = _BURST  # flag reads in a row after each sample (see GilProbe.flips)
HELD_NS = _HELD_NS  # fallback only: an acquisition slower than this (ns) found the GIL held
MEAN_INTERVAL_US = 200.0  # default mean time between samples


def available():
    """True where there is a GIL to sample (not on a free-threaded build with the GIL off).

    >>> isinstance(available(), bool)
    True
    """
    import sys

    check = getattr(sys, "_is_gil_enabled", None)
    return bool(check()) if check is not None else True


cdef class GilProbe:
    """Samples whether the GIL is held, from a thread of its own, until :meth:`stop`.

    Read cumulative counts with :meth:`counts` before and after the code of
    interest; the share held is ``(held1 - held0) / (total1 - total0)``.
    :meth:`windows` gives the same counts per window of *window_ms* (newest
    last), for drawing the GIL over time.

    Parameters
    ----------
    mean_interval_us
        Mean time between samples (each is drawn uniformly in 0.5..1.5 × this).
    window_ms
        Width of the windows of :meth:`windows`.
    max_windows
        Windows kept (older ones are dropped).

    >>> p = GilProbe(100.0); p.start()
    >>> import time; time.sleep(0.05); p.stop()
    >>> held, total = p.counts(); total > 50 and 0 <= held <= total
    True
    """

    cdef volatile int _stop
    cdef public double mean_interval_us
    cdef public double window_ms
    cdef uint64_t _held
    cdef uint64_t _total
    cdef uint64_t _flips
    cdef int64_t _burst_ns
    cdef uint64_t _seed
    cdef int64_t _t0
    cdef Py_ssize_t _max_windows
    cdef object _thread
    # Ring of windows, written by the sampling thread without the GIL: window k lives
    # at k % max_windows; _win_k says which k a slot holds (-1: none yet).
    cdef int64_t *_win_k
    cdef uint32_t *_win_held
    cdef uint32_t *_win_total
    cdef readonly bint flag

    def __cinit__(self, *args, **kwargs):
        self._win_k = NULL
        self._win_held = NULL
        self._win_total = NULL

    def __dealloc__(self):
        self._stop = 1  # the thread holds a reference to self while it runs: it has ended here
        free(self._win_k)
        free(self._win_held)
        free(self._win_total)

    def __init__(self, double mean_interval_us=MEAN_INTERVAL_US, double window_ms=5.0, Py_ssize_t max_windows=65_536):
        if mean_interval_us <= 0 or window_ms <= 0 or max_windows < 1:
            raise ValueError("mean_interval_us and window_ms must be > 0 and max_windows >= 1; "
                             f"got {mean_interval_us}, {window_ms}, {max_windows}")
        self.mean_interval_us = mean_interval_us
        self.window_ms = window_ms
        self._max_windows = max_windows
        self._stop = 1
        self._held = 0
        self._total = 0
        self._flips = 0
        self._burst_ns = 0
        self._seed = 0x9E3779B97F4A7C15
        self._thread = None
        self.flag = FLAG
        self._win_k = <int64_t *>calloc(max_windows, sizeof(int64_t))
        self._win_held = <uint32_t *>calloc(max_windows, sizeof(uint32_t))
        self._win_total = <uint32_t *>calloc(max_windows, sizeof(uint32_t))
        if self._win_k == NULL or self._win_held == NULL or self._win_total == NULL:
            raise MemoryError("no memory for the probe's windows")
        cdef Py_ssize_t i
        for i in range(max_windows):
            self._win_k[i] = -1

    def start(self):
        """Start sampling in a daemon thread (no-op when already running)."""
        import threading

        cdef Py_ssize_t i
        if self._thread is not None:
            return
        for i in range(self._max_windows):  # windows count from this start
            self._win_k[i] = -1
        self._stop = 0
        self._t0 = suite_now_ns()
        self._thread = threading.Thread(target=self._run, name="suite-gil-probe", daemon=True)
        self._thread.start()

    def stop(self):
        """Stop sampling and wait for the thread (within a sample interval)."""
        self._stop = 1
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    @property
    def running(self):
        return self._thread is not None

    def counts(self):
        """``(held, total)`` samples since the probe was made."""
        return int(self._held), int(self._total)

    def flips(self):
        """``(changes, seconds)``: GIL flag changes seen in the probe's bursts, and the bursts' time.

        After each sample the probe reads the flag :data:`BURST` more times in a row
        (a few hundred ns) and counts how often it changed: changes over burst time
        estimate how often the GIL is taken and released, which the hand-off cost of
        the cost model multiplies.  Zero where the flag cannot be read.
        """
        return int(self._flips), self._burst_ns / 1e9

    def elapsed(self):
        """Seconds since :meth:`start`."""
        return (suite_now_ns() - self._t0) / 1e9

    def started_at(self):
        """When :meth:`start` ran, on the monotonic clock (``time.perf_counter``'s on Linux)."""
        return self._t0 / 1e9

    def windows(self, double since_s=0.0):
        """``[(t_s, held, total)]`` per window since *since_s* (seconds since :meth:`start`)."""
        cdef double w = self.window_ms / 1e3
        cdef Py_ssize_t i
        out = []
        for i in range(self._max_windows):
            k = self._win_k[i]
            if k >= 0 and (k + 1) * w >= since_s and self._win_total[i] > 0:
                out.append((k * w, int(self._win_held[i]), int(self._win_total[i])))
        out.sort()
        return out

    def _run(self):
        cdef int64_t mean_ns = <int64_t>(self.mean_interval_us * 1000.0)
        cdef int64_t wait, t, t1, win_ns = <int64_t>(self.window_ms * 1e6)
        cdef int64_t k
        cdef Py_ssize_t slot
        cdef uint64_t x = self._seed
        cdef int held, prev, cur
        cdef Py_ssize_t j
        cdef uint64_t flips = self._flips
        cdef bint use_flag = self.flag
        with nogil:
            while not self._stop:
                # xorshift64: a uniform draw for the next interval, 0.5..1.5 x the mean
                x ^= x << 13
                x ^= x >> 7
                x ^= x << 17
                wait = mean_ns // 2 + <int64_t>(x % <uint64_t>(mean_ns if mean_ns > 0 else 1))
                suite_sleep_ns(wait)
                if use_flag:
                    held = suite_gil_locked()
                    prev = held
                    t = suite_now_ns()
                    for j in range(_BURST):
                        cur = suite_gil_locked()
                        flips += cur != prev
                        prev = cur
                    self._burst_ns += suite_now_ns() - t
                    self._flips = flips
                else:
                    t = suite_now_ns()
                    with gil:
                        t1 = suite_now_ns()
                    held = (t1 - t) > _HELD_NS
                k = (suite_now_ns() - self._t0) // win_ns
                slot = k % self._max_windows
                if self._win_k[slot] != k:  # a new window (or one that wrapped around)
                    self._win_held[slot] = 0
                    self._win_total[slot] = 0
                    self._win_k[slot] = k
                self._win_held[slot] += held
                self._win_total[slot] += 1
                self._held += held
                self._total += 1
        self._seed = x
