// A persistent pool of worker threads for the fast path's parallel loops. A parallel loop of a few
// hundred microseconds cannot afford to wake sleeping threads each time (tens of microseconds on a
// virtual machine), so workers spin for a while after each job, watching for the next, and only then
// sleep on a condition variable. One caller at a time owns the pool; a second concurrent caller is told
// it is busy and runs its loop another way.
//
// A job lives on the caller's stack. Workers claim its parts with an atomic counter; the caller runs
// parts too, waits until every part is done, unpublishes the job and then waits until no worker is still
// looking at it (`busy`: a worker counts itself in before it reads the job pointer).
#include "CConvKernels.h"
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CONVARITH_PAUSE() _mm_pause()
#else
#define CONVARITH_PAUSE() ((void)0)
#endif

enum { MAX_WORKERS = 255 };
// How long a worker watches for the next job before it sleeps.
static const int64_t SPIN_NANOSECONDS = 200000;

typedef struct {
    convarith_part_fn fn;
    void *context;
    int64_t parts;
    int64_t helpers;        // workers 0 … helpers − 1 take part
    _Atomic int64_t next;   // the next unclaimed part
    _Atomic int64_t done;   // parts finished
} job_t;

static pthread_mutex_t owner = PTHREAD_MUTEX_INITIALIZER;   // held by the caller of a job
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static _Atomic uint64_t generation;
static _Atomic(job_t *) current;
static _Atomic int64_t busy;
static _Atomic int64_t sleepers;
static int64_t started;     // workers started (under `owner`)
// The generation each worker was started in: it takes part in the next one (the job its starter is
// about to publish), however late it gets to run.
static uint64_t start_generation[MAX_WORKERS];

static int64_t nanoseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void run_parts(job_t *job) {
    for (;;) {
        const int64_t part = atomic_fetch_add(&job->next, 1);
        if (part >= job->parts) return;
        job->fn(job->context, part);
        atomic_fetch_add(&job->done, 1);
    }
}

static void *worker(void *argument) {
    const int64_t index = (int64_t)(intptr_t)argument;
    uint64_t seen = start_generation[index];
    for (;;) {
        // Watch for the next job, then sleep until one comes.
        const int64_t deadline = nanoseconds() + SPIN_NANOSECONDS;
        for (int spins = 0; atomic_load_explicit(&generation, memory_order_acquire) == seen; spins++) {
            CONVARITH_PAUSE();
            if ((spins & 255) == 255 && nanoseconds() > deadline) {
                pthread_mutex_lock(&sleep_lock);
                atomic_fetch_add(&sleepers, 1);
                while (atomic_load(&generation) == seen) pthread_cond_wait(&wake, &sleep_lock);
                atomic_fetch_sub(&sleepers, 1);
                pthread_mutex_unlock(&sleep_lock);
                break;
            }
        }
        seen = atomic_load(&generation);
        atomic_fetch_add(&busy, 1);
        job_t *job = atomic_load(&current);
        if (job && index < job->helpers) run_parts(job);
        atomic_fetch_sub(&busy, 1);
    }
    return 0;
}

int convarith_parallel_run(int64_t parts, int64_t threads, convarith_part_fn fn, void *context) {
    if (threads > MAX_WORKERS + 1) threads = MAX_WORKERS + 1;
    if (pthread_mutex_trylock(&owner) != 0) return 0;
    while (started < threads - 1) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        start_generation[started] = atomic_load(&generation);
        const int failed = pthread_create(&thread, &attributes, worker, (void *)(intptr_t)started);
        pthread_attr_destroy(&attributes);
        if (failed) break;
        started++;
    }
    job_t job = {fn, context, parts, (threads - 1 < started ? threads - 1 : started), 0, 0};
    atomic_store(&current, &job);
    atomic_fetch_add_explicit(&generation, 1, memory_order_release);
    if (atomic_load(&sleepers) > 0) {
        pthread_mutex_lock(&sleep_lock);
        pthread_cond_broadcast(&wake);
        pthread_mutex_unlock(&sleep_lock);
    }
    run_parts(&job);
    while (atomic_load_explicit(&job.done, memory_order_acquire) < parts) CONVARITH_PAUSE();
    atomic_store(&current, (job_t *)0);
    while (atomic_load(&busy) > 0) CONVARITH_PAUSE();
    pthread_mutex_unlock(&owner);
    return 1;
}
