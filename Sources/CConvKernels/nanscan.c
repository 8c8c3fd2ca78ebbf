// Finding NaN in a tensor: max pooling under a convention whose windows propagate NaN (PyTorch) runs the
// kernels that pass NaN over, then marks the windows over each NaN this scan finds. The scan reads 64 floats
// at a time with one unordered compare per vector and no branch inside a block, so an input with no NaN
// costs one streaming read.
#include "CConvKernels.h"
#include "dispatch.h"

static inline __attribute__((always_inline)) int64_t first_nan_body(const float *x, int64_t count) {
    int64_t i = 0;
    for (; i + 64 <= count; i += 64) {
        int unordered = 0;
        for (int j = 0; j < 64; j++) unordered |= x[i + j] != x[i + j];
        if (unordered) break;
    }
    for (; i < count; i++)
        if (x[i] != x[i]) return i;
    return -1;
}

static int64_t f32_first_nan_portable(const float *x, int64_t count) { return first_nan_body(x, count); }

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx2")))
static int64_t f32_first_nan_avx2(const float *x, int64_t count) { return first_nan_body(x, count); }

__attribute__((target("avx512f")))
static int64_t f32_first_nan_avx512(const float *x, int64_t count) { return first_nan_body(x, count); }
#endif

convarith_first_nan_fn convarith_select_first_nan(const char *forced) {
    CONVARITH_CHOOSE(forced, f32_first_nan_portable, f32_first_nan_avx2, f32_first_nan_avx512)
}
