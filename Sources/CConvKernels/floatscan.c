// Finding NaN, or one bit pattern, in a tensor: max pooling under the rules the window kernels do not follow
// themselves. A convention whose windows propagate NaN (PyTorch, JAX, MLX) runs the kernels that pass NaN
// over, then pools again the planes in which this scan finds a NaN; JAX's max, for which +0 is above −0,
// runs the kernels that keep the first of equal maxima, then does the same for planes with a −0 output.
// The scans read 64 floats at a time with no branch inside a block: a tensor with none costs one read.
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

// The floats' bits read as words through a type that may alias them.
typedef uint32_t __attribute__((may_alias)) convarith_float_word;

static inline __attribute__((always_inline)) int64_t first_bits_body(const float *x, int64_t count, uint32_t bits) {
    const convarith_float_word *words = (const convarith_float_word *)(const void *)x;
    int64_t i = 0;
    for (; i + 64 <= count; i += 64) {
        int equal = 0;
        for (int j = 0; j < 64; j++) equal |= words[i + j] == bits;
        if (equal) break;
    }
    for (; i < count; i++)
        if (words[i] == bits) return i;
    return -1;
}

static int64_t f32_first_nan_portable(const float *x, int64_t count) { return first_nan_body(x, count); }
static int64_t f32_first_bits_portable(const float *x, int64_t count, uint32_t bits) {
    return first_bits_body(x, count, bits);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx2")))
static int64_t f32_first_nan_avx2(const float *x, int64_t count) { return first_nan_body(x, count); }
__attribute__((target("avx2")))
static int64_t f32_first_bits_avx2(const float *x, int64_t count, uint32_t bits) {
    return first_bits_body(x, count, bits);
}

__attribute__((target("avx512f")))
static int64_t f32_first_nan_avx512(const float *x, int64_t count) { return first_nan_body(x, count); }
__attribute__((target("avx512f")))
static int64_t f32_first_bits_avx512(const float *x, int64_t count, uint32_t bits) {
    return first_bits_body(x, count, bits);
}
#endif

convarith_float_scans convarith_select_float_scans(const char *forced) {
    CONVARITH_CHOOSE(forced, ((convarith_float_scans){f32_first_nan_portable, f32_first_bits_portable}),
                     ((convarith_float_scans){f32_first_nan_avx2, f32_first_bits_avx2}),
                     ((convarith_float_scans){f32_first_nan_avx512, f32_first_bits_avx512}))
}
