// Window kernels on a grid: a plane (a band of its output rows at a time, so the grid stays in L2) is first
// copied into a grid that holds its padding (the neutral value: `empty` for max, +0 for sums) and is split
// into its strides' phases (for stride 2 along a row: the even columns, then the odd ones), so that every
// tap of output (z, y, x) lies at a fixed offset from the output's own place (z·L_h + y)·L_w + x on a phase.
// The band's outputs are then one stream of loads over the grid — a vector of outputs is a vector of
// consecutive places, across the ends of lines too (the few outputs past a line's end are computed and
// dropped) — with no masks, edges, gathers or per-row setup. Max pooling at unit strides whose windows have
// more than one line and column runs as two streams: the rows' maxima, then theirs down the columns and
// across the depth. The rows are copied to the output last (averages divided there, in the reference's
// product order).
//
// Pooling gives the reference's floats bit for bit: taps meet each output in its order (depth, height, width),
// and the padding's taps change nothing — adding +0 to a sum that started at +0 (never −0) leaves it as it
// was, and `empty > m` never holds. The separable max takes, like the reference, the first of equal maxima
// (−0 and 0) in the reference's order, and passes over NaN inputs as it does. A depthwise
// plane (weighted taps) accumulates with fused multiply-adds in the same order, its padding taps adding w·0.
#include "CConvKernels.h"
#include "checks.h"
#include "dispatch.h"
#include "portable.h"
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CONVARITH_X86 1
#endif

// A band of output rows and its grid: every stride's phases (s_d·s_h·s_w of them), each `length` long on
// each axis — the padded input's elements the band's windows read, a phase the elements at one remainder
// of each axis's stride. `first` is the padded input's row the band starts at.
typedef struct {
    int64_t first, length[3], phase, size;
} convarith_grid_band;

// The grid of output rows [first, first + rows), or a size of 0 when a length or the grid overflows.
static convarith_grid_band grid_band(const convarith_window_geometry *g, int64_t first, int64_t rows) {
    convarith_grid_band band = {0, {0, 0, 0}, 0, 0};
    int64_t phase = 1, phases = 1;
    for (int axis = 0; axis < 3; axis++) {
        const int64_t outputs = axis == 1 ? rows : g->output[axis], s = g->stride[axis];
        int64_t reach, span;
        // The padded input's elements the outputs' windows cover: (outputs − 1)·s + (k − 1)·d + 1.
        if (__builtin_mul_overflow(outputs - 1, s, &span) ||
            __builtin_mul_overflow(g->kernel[axis] - 1, g->dilation[axis], &reach) ||
            __builtin_add_overflow(span, reach, &span) || __builtin_add_overflow(span, 1, &span)) {
            return band;
        }
        band.length[axis] = s == 1 ? span : span / s + (span % s != 0);
        if (__builtin_mul_overflow(phase, band.length[axis], &phase) || __builtin_mul_overflow(phases, s, &phases)) {
            return band;
        }
    }
    if (__builtin_mul_overflow(phase, phases, &band.size)) {
        band.size = 0;
        return band;
    }
    band.first = first * g->stride[1];
    band.phase = phase;
    return band;
}

// Whether a geometry's window and limit are within what the grid serves: at most `limit` taps (their count
// not overflowing), and a limit below 2⁴⁰ (so that the scratch's three grids cannot overflow).
static int grid_accepts(const convarith_window_geometry *g, int64_t limit) {
    int64_t taps;
    return limit > 0 && limit <= (1ll << 40) && !__builtin_mul_overflow(g->kernel[0], g->kernel[1], &taps) &&
           !__builtin_mul_overflow(taps, g->kernel[2], &taps) && taps <= limit;
}

int64_t convarith_grid_band_rows(const convarith_window_geometry *g, int64_t limit) {
    if (!grid_accepts(g, limit)) return 0;
    int64_t low = 0, high = g->output[1];
    while (low < high) {
        const int64_t middle = high - (high - low) / 2;
        const convarith_grid_band band = grid_band(g, 0, middle);
        if (band.size > 0 && band.size <= limit) low = middle;
        else high = middle - 1;
    }
    return low;
}

int64_t convarith_grid_scratch(const convarith_window_geometry *g, int64_t limit) {
    const int64_t rows = convarith_grid_band_rows(g, limit);
    if (rows == 0) return 0;
    const convarith_grid_band band = grid_band(g, 0, rows);
    // The grid, the sums and the rows' maxima (a float more to align what follows), then the taps' offsets
    // (8 bytes each).
    return 3 * band.size + 1 + 2 * g->kernel[0] * g->kernel[1] * g->kernel[2];
}

// ---- portable: 4-float vectors (NEON on ARM, SSE on x86-64) ----------------------------------------------
typedef int32_t convarith_v4i __attribute__((vector_size(16)));

static inline convarith_v4 grid_select(convarith_v4i mask, convarith_v4 yes, convarith_v4 no) {
    return (convarith_v4)(((convarith_v4i)yes & mask) | ((convarith_v4i)no & ~mask));
}

#define GRID_SUFFIX portable
#define GRID_ISA 0
#define GRID_TARGET
#define GRID_V convarith_v4
#define GRID_LANES 4
#define GRID_LOAD(p) v4_load(p)
#define GRID_STORE(p, v) v4_store(p, v)
#define GRID_SET1(f) v4_splat(f)
#define GRID_ADD(a, b) ((a) + (b))
#define GRID_MUL(a, b) ((a) * (b))
#define GRID_FMADD(a, b, c) ((a) * (b) + (c))
#define GRID_MAX(acc, v) grid_select((v) > (acc), v, acc)
#define GRID_DIVIDE(sum, d) grid_select((d) > v4_splat(0.0f), (sum) / (d), v4_splat(__builtin_nanf("")))
#include "gridwindow.template.h"

#ifdef CONVARITH_X86
// ---- AVX2: 8 floats a vector --------------------------------------------------------------------------------
#define GRID_SUFFIX avx2
#define GRID_ISA 1
#define GRID_TARGET __attribute__((target("avx2,fma")))
#define GRID_V __m256
#define GRID_LANES 8
#define GRID_LOAD(p) _mm256_loadu_ps(p)
#define GRID_STORE(p, v) _mm256_storeu_ps(p, v)
#define GRID_SET1(f) _mm256_set1_ps(f)
#define GRID_ADD(a, b) _mm256_add_ps(a, b)
#define GRID_MUL(a, b) _mm256_mul_ps(a, b)
#define GRID_FMADD(a, b, c) _mm256_fmadd_ps(a, b, c)
#define GRID_MAX(acc, v) _mm256_blendv_ps(acc, v, _mm256_cmp_ps(v, acc, _CMP_GT_OQ))
#define GRID_DIVIDE(sum, d) _mm256_blendv_ps(_mm256_set1_ps(__builtin_nanf("")), _mm256_div_ps(sum, d), \
                                             _mm256_cmp_ps(d, _mm256_setzero_ps(), _CMP_GT_OQ))
#include "gridwindow.template.h"

// ---- AVX-512: 16 floats a vector ------------------------------------------------------------------------------
#define GRID_SUFFIX avx512
#define GRID_ISA 2
#define GRID_TARGET __attribute__((target("avx512f,fma")))
#define GRID_V __m512
#define GRID_LANES 16
#define GRID_LOAD(p) _mm512_loadu_ps(p)
#define GRID_STORE(p, v) _mm512_storeu_ps(p, v)
#define GRID_SET1(f) _mm512_set1_ps(f)
#define GRID_ADD(a, b) _mm512_add_ps(a, b)
#define GRID_MUL(a, b) _mm512_mul_ps(a, b)
#define GRID_FMADD(a, b, c) _mm512_fmadd_ps(a, b, c)
#define GRID_MAX(acc, v) _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, acc, _CMP_GT_OQ), acc, v)
#define GRID_DIVIDE(sum, d) _mm512_mask_div_ps(_mm512_set1_ps(__builtin_nanf("")), \
                                               _mm512_cmp_ps_mask(d, _mm512_setzero_ps(), _CMP_GT_OQ), sum, d)
#include "gridwindow.template.h"
#endif

int64_t convarith_window_channels_scratch(const convarith_window_geometry *g, int64_t limit) {
    if (!grid_accepts(g, limit)) return 0;
    // The phases' grid of every output row is at least the unsplit grid (each phase rounds its length up).
    const convarith_grid_band band = grid_band(g, 0, g->output[1]);
    int64_t outputs;
    if (band.size == 0 || band.size > limit / 16 || __builtin_mul_overflow(g->output[0], g->output[1], &outputs) ||
        __builtin_mul_overflow(outputs, g->output[2], &outputs) || outputs > limit / 16) {
        return 0;
    }
    // For 16 lanes at most: the grid, the outputs, the taps' weight vectors, the taps' offsets (8 bytes each),
    // then the staged input (used when it is no larger than the grid).
    const int64_t taps = g->kernel[0] * g->kernel[1] * g->kernel[2];
    return 16 * (band.size + outputs + taps) + 2 + 2 * taps + 16 * band.size;
}

convarith_grid_window_plane_fn convarith_select_grid_window_plane(const char *forced) {
    CONVARITH_CHOOSE(forced, f32_grid_plane_portable, f32_grid_plane_avx2, f32_grid_plane_avx512)
}

convarith_weighted_stream_fn convarith_select_weighted_stream(const char *forced) {
    CONVARITH_CHOOSE(forced, f32_weighted_stream_portable, f32_weighted_stream_avx2, f32_weighted_stream_avx512)
}

convarith_window_channels convarith_select_window_channels(const char *forced) {
    CONVARITH_CHOOSE(forced,
                     ((convarith_window_channels){f32_depthwise_channels_portable, f32_pool_channels_portable, 4}),
                     ((convarith_window_channels){f32_depthwise_channels_avx2, f32_pool_channels_avx2, 8}),
                     ((convarith_window_channels){f32_depthwise_channels_avx512, f32_pool_channels_avx512, 16}))
}
