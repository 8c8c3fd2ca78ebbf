// Unit-stride pooling on a padded grid: a plane is first copied into a grid whose lines carry the padding
// (the neutral value: `empty` for max, +0 for sums), so that output (z, y, x), placed at grid index
// (z·H' + y)·W' + x, reads tap (tz, ty, tx) at a fixed offset from it. Every output of the plane is then one
// stream over the grid — a vector of outputs is a vector of consecutive grid indices, across the ends of
// lines too (the few outputs past a line's end are computed and dropped) — with no masks, edges or per-row
// setup. Max pooling whose windows have more than one line and column runs as two streams: the rows'
// maxima, then those maxima's down the columns and across the depth. The rows are copied to the output
// last (averages divided there, in the reference's product order).
//
// The result is the reference's bit for bit: taps meet each output in its order (depth, height, width), and
// the padding's taps change nothing — adding +0 to a sum that started at +0 (never −0) leaves it as it
// was, and `empty >= m` holds only where m is `empty`. The separable max takes, like the reference, the last
// of equal maxima (0 and −0) in the reference's order, and passes over NaN inputs as it does.
#include "CConvKernels.h"
#include "checks.h"
#include "dispatch.h"
#include "portable.h"
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CONVARITH_X86 1
#endif

// The grid of a plane: the extent the windows cover on each axis, from the padding's start.
typedef struct {
    int64_t depth, height, width, size;
} convarith_grid_extent;

// The plane's grid, or a size of 0 when an extent or the grid overflows.
static convarith_grid_extent grid_extent(const convarith_window_geometry *g) {
    convarith_grid_extent e = {0, 0, 0, 0};
    int64_t reach[3], size = 1;
    for (int axis = 0; axis < 3; axis++) {
        if (__builtin_mul_overflow(g->kernel[axis] - 1, g->dilation[axis], &reach[axis]) ||
            __builtin_add_overflow(reach[axis], g->output[axis], &reach[axis]) || __builtin_mul_overflow(size, reach[axis], &size)) {
            return e;
        }
    }
    e.depth = reach[0];
    e.height = reach[1];
    e.width = reach[2];
    e.size = size;
    return e;
}

int64_t convarith_grid_scratch(const convarith_window_geometry *g, int64_t limit) {
    for (int axis = 0; axis < 3; axis++) {
        if (g->stride[axis] != 1) return 0;
    }
    const convarith_grid_extent e = grid_extent(g);
    const int64_t taps = g->kernel[0] * g->kernel[1] * g->kernel[2];
    if (e.size == 0 || e.size > limit || taps > limit) return 0;
    // The grid, the sums and the rows' maxima, then the taps' offsets (8 bytes each, 8-byte aligned).
    return (3 * e.size + 1) / 2 * 2 + 2 * taps;
}

// ---- portable: 4-float vectors (NEON on ARM, SSE on x86-64) ----------------------------------------------
typedef int32_t convarith_v4i __attribute__((vector_size(16)));

static inline convarith_v4 grid_select(convarith_v4i mask, convarith_v4 yes, convarith_v4 no) {
    return (convarith_v4)(((convarith_v4i)yes & mask) | ((convarith_v4i)no & ~mask));
}

#define GRID_SUFFIX portable
#define GRID_TARGET
#define GRID_V convarith_v4
#define GRID_LANES 4
#define GRID_LOAD(p) v4_load(p)
#define GRID_STORE(p, v) v4_store(p, v)
#define GRID_SET1(f) v4_splat(f)
#define GRID_ADD(a, b) ((a) + (b))
#define GRID_MUL(a, b) ((a) * (b))
#define GRID_MAX(acc, v) grid_select((v) >= (acc), v, acc)
#define GRID_DIVIDE(sum, d) grid_select((d) > v4_splat(0.0f), (sum) / (d), v4_splat(__builtin_nanf("")))
#include "gridwindow.template.h"
#undef GRID_SUFFIX
#undef GRID_TARGET
#undef GRID_V
#undef GRID_LANES
#undef GRID_LOAD
#undef GRID_STORE
#undef GRID_SET1
#undef GRID_ADD
#undef GRID_MUL
#undef GRID_MAX
#undef GRID_DIVIDE

#ifdef CONVARITH_X86
// ---- AVX2: 8 floats a vector --------------------------------------------------------------------------------
#define GRID_SUFFIX avx2
#define GRID_TARGET __attribute__((target("avx2,fma")))
#define GRID_V __m256
#define GRID_LANES 8
#define GRID_LOAD(p) _mm256_loadu_ps(p)
#define GRID_STORE(p, v) _mm256_storeu_ps(p, v)
#define GRID_SET1(f) _mm256_set1_ps(f)
#define GRID_ADD(a, b) _mm256_add_ps(a, b)
#define GRID_MUL(a, b) _mm256_mul_ps(a, b)
#define GRID_MAX(acc, v) _mm256_blendv_ps(acc, v, _mm256_cmp_ps(v, acc, _CMP_GE_OQ))
#define GRID_DIVIDE(sum, d) _mm256_blendv_ps(_mm256_set1_ps(__builtin_nanf("")), _mm256_div_ps(sum, d), \
                                             _mm256_cmp_ps(d, _mm256_setzero_ps(), _CMP_GT_OQ))
#include "gridwindow.template.h"
#undef GRID_SUFFIX
#undef GRID_TARGET
#undef GRID_V
#undef GRID_LANES
#undef GRID_LOAD
#undef GRID_STORE
#undef GRID_SET1
#undef GRID_ADD
#undef GRID_MUL
#undef GRID_MAX
#undef GRID_DIVIDE

// ---- AVX-512: 16 floats a vector ------------------------------------------------------------------------------
#define GRID_SUFFIX avx512
#define GRID_TARGET __attribute__((target("avx512f,fma")))
#define GRID_V __m512
#define GRID_LANES 16
#define GRID_LOAD(p) _mm512_loadu_ps(p)
#define GRID_STORE(p, v) _mm512_storeu_ps(p, v)
#define GRID_SET1(f) _mm512_set1_ps(f)
#define GRID_ADD(a, b) _mm512_add_ps(a, b)
#define GRID_MUL(a, b) _mm512_mul_ps(a, b)
#define GRID_MAX(acc, v) _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, acc, _CMP_GE_OQ), acc, v)
#define GRID_DIVIDE(sum, d) _mm512_mask_div_ps(_mm512_set1_ps(__builtin_nanf("")), \
                                               _mm512_cmp_ps_mask(d, _mm512_setzero_ps(), _CMP_GT_OQ), sum, d)
#include "gridwindow.template.h"
#endif

// The entry point of each instruction set: the geometry checked in debug builds.
#define CONVARITH_GRID_ENTRY(SUFFIX, ATTRIBUTE) \
ATTRIBUTE static void grid_pool_plane_##SUFFIX(const float *x, float *y, const convarith_window_geometry *g, const float *divisorZ, \
                                               const float *divisorY, const float *divisorX, int mode, float empty, float *scratch) { \
    convarith_check_window(g); \
    CONVARITH_ASSERT(g->stride[0] == 1 && g->stride[1] == 1 && g->stride[2] == 1 && grid_extent(g).size > 0); \
    grid_plane_##SUFFIX(x, y, g, divisorZ, divisorY, divisorX, mode, empty, scratch); \
}
CONVARITH_GRID_ENTRY(portable, )
#ifdef CONVARITH_X86
CONVARITH_GRID_ENTRY(avx2, __attribute__((target("avx2,fma"))))
CONVARITH_GRID_ENTRY(avx512, __attribute__((target("avx512f,fma"))))
#endif

convarith_grid_pool_plane_fn convarith_select_grid_pool_plane(const char *forced) {
    CONVARITH_CHOOSE(forced, grid_pool_plane_portable, grid_pool_plane_avx2, grid_pool_plane_avx512)
}
