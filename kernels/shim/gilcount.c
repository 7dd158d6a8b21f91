/* Counts the GIL's hand-over signals of the process it is preloaded into (LD_PRELOAD).
 *
 * CPython (3.9-3.12, with the GIL) signals a condition variable each time a thread drops the
 * GIL (drop_gil: gil->cond) and each time one takes it after waiting or on a forced switch
 * (take_gil: gil->switch_cond): two pthread_cond_signal calls per release-and-retake of a
 * kernel's `with gil:` block in a `nogil` loop.  This wrapper counts every call and passes it on.
 * Unlike the GIL probe, which samples the GIL's flag from another thread and so needs a second
 * core to see it change, the count is exact on any number of cores: the cost model's release
 * rate, measured on one core.  No Python here: the library may be loaded into any process.
 *
 * Read with ctypes (runners/gilcount.py): gilcount_signals().
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>

static atomic_ullong signals;
static int (*next_signal)(pthread_cond_t *);

int pthread_cond_signal(pthread_cond_t *cond)
{
    int (*f)(pthread_cond_t *) = __atomic_load_n(&next_signal, __ATOMIC_ACQUIRE);
    if (f == 0) {
        f = (int (*)(pthread_cond_t *))dlsym(RTLD_NEXT, "pthread_cond_signal");
        __atomic_store_n(&next_signal, f, __ATOMIC_RELEASE);
    }
    atomic_fetch_add_explicit(&signals, 1, memory_order_relaxed);
    return f(cond);
}

unsigned long long gilcount_signals(void)
{
    return atomic_load_explicit(&signals, memory_order_relaxed);
}
