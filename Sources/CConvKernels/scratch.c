// One scratch block kept between calls of the fast path. A large layer's padded copy of its input (16 MB for
// a 256-channel signal of 16,000 samples) is fresh memory on every call, and the kernel zero-fills each of
// its pages on first touch (4,096 page faults a call, taken by both threads at once under the address
// space's lock). The block a call gives back is kept — the largest one, up to a bound — for the next call
// that needs no more; a concurrent caller that finds it taken allocates its own.
#include "CConvKernels.h"
#include <pthread.h>
#include <stdlib.h>

// The largest block kept: 64 MB. Larger ones are freed when given back.
static const size_t KEPT_BYTES = (size_t)64 << 20;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void *kept;
static size_t keptBytes;

void *convarith_scratch_take(size_t bytes, size_t *capacity) {
    pthread_mutex_lock(&lock);
    if (kept && keptBytes >= bytes) {
        void *block = kept;
        *capacity = keptBytes;
        kept = NULL;
        keptBytes = 0;
        pthread_mutex_unlock(&lock);
        return block;
    }
    pthread_mutex_unlock(&lock);
    const size_t rounded = (bytes + 63) / 64 * 64;
    void *block = NULL;
    if (posix_memalign(&block, 64, rounded ? rounded : 64) != 0) return NULL;
    *capacity = rounded;
    return block;
}

void convarith_scratch_give(void *block, size_t capacity) {
    if (!block) return;
    if (capacity > KEPT_BYTES) { free(block); return; }
    pthread_mutex_lock(&lock);
    void *dropped = block;
    if (!kept || capacity > keptBytes) {
        dropped = kept;
        kept = block;
        keptBytes = capacity;
    }
    pthread_mutex_unlock(&lock);
    free(dropped);
}
