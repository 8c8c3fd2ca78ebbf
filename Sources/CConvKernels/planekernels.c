// Direct window planes: a pooling plane whose windows move one column at a time (stride 1 along the width),
// read straight from its input — no padded copy of the plane in, no copy of its outputs out. Each output line
// is a few vectors of outputs, each vector its window's taps on the input lines the window covers (lines off
// the input skipped: they hold only padding) and, along the line, one load per tap, masked where the vector's
// lanes reach off the line (the padding). A line narrower than a vector ends with an overlapping vector (the
// line's last whole vector, its outputs computed again) or, when the line is narrower than one vector, a masked
// store. A max may instead take two passes: each input line's windows' maxima along the width, then theirs
// across the lines.
//
// The results are the reference's floats bit for bit: taps meet each output in the order depth, height, width;
// a padding tap of a sum adds +0 to a sum that started at +0, and of a max never wins (`empty > m` never
// holds), so skipping it changes nothing; the separable max takes, like the reference, the first of equal
// maxima (−0 and 0) in the reference's order, and passes over NaN inputs as it does (the caller's rules fix
// both up where a convention asks).
#include "CConvKernels.h"
#include "checks.h"
#include "dispatch.h"
#include "portable.h"
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CONVARITH_X86 1
#endif

// The fewest lanes a vector of any instruction set holds, and the most.
enum { PLANE_FEWEST_LANES = 4, PLANE_MOST_LANES = 16 };

// The vectors of a line of `outW` outputs at `lanes` a vector.
static inline int64_t plane_starts(int64_t outW, int64_t lanes) { return (outW + lanes - 1) / lanes; }

// The first output of vector `i`: i·lanes, but the last of a line whose width is not a multiple of the lanes
// starts `lanes` before its end (or at 0 on a line narrower than a vector).
static inline int64_t plane_start(int64_t i, int64_t outW, int64_t lanes) {
    return (i + 1) * lanes <= outW ? i * lanes : (outW >= lanes ? outW - lanes : 0);
}

// The taps of one axis whose positions lie in [low, high): `count` of them from `first`'s position. Tap t's
// position is base + t·d (a window of k taps); a dilation of 1 needs no division.
typedef struct {
    int64_t first, count;
} plane_taps;

static inline plane_taps plane_taps_on(int64_t base, int64_t k, int64_t d, int64_t low, int64_t high) {
    int64_t t0 = 0, t1 = k;
    if (base < low) t0 = d == 1 ? low - base : (low - base + d - 1) / d;
    if (base + (k - 1) * d >= high) t1 = high - 1 - base < 0 ? 0 : d == 1 ? high - base : (high - 1 - base) / d + 1;
    if (t1 < t0) t1 = t0;
    if (t0 > k) t0 = t1 = k;
    return (plane_taps){base + t0 * d, t1 - t0};
}

// Where the scratch puts each piece: each output depth's and row's (or input line's) taps on the input, the
// depths' as one-line windows, every vector's masks (one per
// horizontal tap), whether each vector reads off the line (twice as many bytes: the second half all 0 for
// the separable max's second pass), and the separable max's row maxima (`pitch` floats a
// line).
typedef struct {
    plane_taps *depthTaps, *rowTaps, *identity;
    uint32_t *masks;
    uint8_t *masked;
    float *maxima;
    int64_t pitch;
} plane_layout;

// The floats of each piece but the maxima; the maxima's pitch.
static inline int64_t plane_fixed_floats(const convarith_window_geometry *g) {
    const int64_t starts = plane_starts(g->output[2], PLANE_FEWEST_LANES);
    const int64_t rows = g->output[1] > g->input[1] ? g->output[1] : g->input[1];
    return 4 * (g->output[0] + rows + g->input[0]) + starts * g->kernel[2] + (2 * starts + 3) / 4 + 1;
}
static inline int64_t plane_pitch(const convarith_window_geometry *g) {
    return (g->output[2] + PLANE_MOST_LANES - 1) / PLANE_MOST_LANES * PLANE_MOST_LANES;
}

static inline plane_layout plane_layout_of(const convarith_window_geometry *g, float *scratch) {
    const int64_t starts = plane_starts(g->output[2], PLANE_FEWEST_LANES);
    const int64_t rows = g->output[1] > g->input[1] ? g->output[1] : g->input[1];
    plane_layout layout;
    layout.depthTaps = (plane_taps *)(void *)scratch;
    layout.rowTaps = layout.depthTaps + g->output[0];
    layout.identity = layout.rowTaps + rows;
    layout.masks = (uint32_t *)(void *)(layout.identity + g->input[0]);
    layout.masked = (uint8_t *)(void *)(layout.masks + starts * g->kernel[2]);
    layout.maxima = scratch + plane_fixed_floats(g);
    layout.pitch = plane_pitch(g);
    return layout;
}

// Every vector's masks for every horizontal tap: bit j when lane j's tap lies on the line [0, inW); and whether
// some tap of the vector has a lane off it.
static void plane_masks(const convarith_window_geometry *g, int64_t lanes, uint32_t *masks, uint8_t *masked) {
    const int64_t inW = g->input[2], outW = g->output[2], kW = g->kernel[2], dW = g->dilation[2], pW = g->padding[2];
    const uint32_t full = (uint32_t)((1ull << lanes) - 1);
    for (int64_t i = 0; i < plane_starts(outW, lanes); i++) {
        const int64_t at = plane_start(i, outW, lanes);
        masked[i] = 0;
        for (int64_t tx = 0; tx < kW; tx++) {
            // Lanes [low, high) lie on the line.
            const int64_t column = at + tx * dW - pW;
            const int64_t low = column >= 0 ? 0 : -column < lanes ? -column : lanes;
            const int64_t high = inW - column >= lanes ? lanes : inW - column > low ? inW - column : low;
            const uint32_t bits = (uint32_t)(((1ull << high) - 1) & ~((1ull << low) - 1));
            masks[i * kW + tx] = bits;
            masked[i] |= bits != full;
        }
    }
}

// Whether the direct plane serves a geometry: stride 1 along the width; sizes, strides, dilations, paddings
// and each window's reach small enough that no position (o·s + t·d − p) nor any sum on the way to one
// overflows; and masks, taps and lines' tables (plane_fixed_floats) of at most 2²² floats. The other window
// kernels serve the rest.
static int plane_accepts(const convarith_window_geometry *g) {
    for (int axis = 0; axis < 3; axis++) {
        int64_t reach;
        if (g->input[axis] > (1 << 24) || g->output[axis] > (1 << 24) || g->stride[axis] > (1ll << 30) ||
            g->dilation[axis] > (1ll << 30) || g->padding[axis] > (1ll << 40) || g->padding[axis] < -(1ll << 40) ||
            __builtin_mul_overflow(g->kernel[axis] - 1, g->dilation[axis], &reach) || reach > (1ll << 40)) {
            return 0;
        }
    }
    int64_t lines;
    return g->stride[2] == 1 && g->kernel[2] <= (1 << 12) &&
           !__builtin_mul_overflow(g->kernel[0], g->kernel[1], &lines) && lines <= (1 << 16) &&
           plane_starts(g->output[2], PLANE_FEWEST_LANES) * g->kernel[2] <= (1 << 22) &&
           plane_fixed_floats(g) <= (1 << 22);
}

int64_t convarith_direct_plane_band_rows(const convarith_window_geometry *g, int64_t limit) {
    if (!plane_accepts(g) || limit <= 0 || limit > (1ll << 40)) return 0;
    // A band of r output rows reads min(inH, (r − 1)·s_h + (k_h − 1)·d_h + 1) lines of each depth.
    int64_t reach, perLine;
    if (__builtin_mul_overflow(g->kernel[1] - 1, g->dilation[1], &reach) ||
        __builtin_mul_overflow(g->input[0], plane_pitch(g), &perLine)) {
        return 0;
    }
    const int64_t lines = limit / perLine;
    if (lines >= g->input[1]) return g->output[1];
    if (lines < reach + 1) return 0;
    const int64_t rows = (lines - reach - 1) / g->stride[1] + 1;
    return rows < g->output[1] ? rows : g->output[1];
}

int64_t convarith_direct_plane_scratch(const convarith_window_geometry *g, int64_t rowsPerBand, int separable) {
    if (!plane_accepts(g) || rowsPerBand < 1 || rowsPerBand > g->output[1]) return 0;
    if (!separable) return plane_fixed_floats(g);
    // The band's input lines of every depth, `pitch` floats each (each factor below 2⁴¹: no product overflows
    // unchecked, and an absurd band is refused).
    int64_t lines, maxima;
    if (__builtin_mul_overflow(rowsPerBand - 1, g->stride[1], &lines) ||
        __builtin_add_overflow(lines, (g->kernel[1] - 1) * g->dilation[1] + 1, &lines)) {
        return 0;
    }
    if (lines > g->input[1]) lines = g->input[1];
    if (__builtin_mul_overflow(g->input[0], lines, &maxima) ||
        __builtin_mul_overflow(maxima, plane_pitch(g), &maxima) || maxima > (1ll << 40)) {
        return 0;
    }
    return plane_fixed_floats(g) + maxima;
}

// ---- portable: 4-float vectors (NEON on ARM, SSE on x86-64) ----------------------------------------------
typedef int32_t convarith_plane_v4i __attribute__((vector_size(16)));

static inline convarith_v4 plane_select(convarith_plane_v4i mask, convarith_v4 yes, convarith_v4 no) {
    return (convarith_v4)(((convarith_plane_v4i)yes & mask) | ((convarith_plane_v4i)no & ~mask));
}

static inline convarith_v4 plane_masked_load_v4(const float *p, uint32_t bits, convarith_v4 neutral) {
    convarith_v4 v = neutral;
    for (int j = 0; j < 4; j++) {
        if (bits & (1u << j)) v[j] = p[j];
    }
    return v;
}

static inline void plane_masked_store_v4(float *p, uint32_t bits, convarith_v4 v) {
    for (int j = 0; j < 4; j++) {
        if (bits & (1u << j)) p[j] = v[j];
    }
}

#define PLANE_SUFFIX portable
#define PLANE_TARGET
#define PLANE_V convarith_v4
#define PLANE_LANES 4
#define PLANE_LOAD(p) v4_load(p)
#define PLANE_STORE(p, v) v4_store(p, v)
#define PLANE_SET1(f) v4_splat(f)
#define PLANE_ADD(a, b) ((a) + (b))
#define PLANE_MUL(a, b) ((a) * (b))
#define PLANE_MAX(acc, v) plane_select((v) > (acc), v, acc)
#define PLANE_DIVIDE(sum, d) plane_select((d) > v4_splat(0.0f), (sum) / (d), v4_splat(__builtin_nanf("")))
#define PLANE_MASKED_LOAD(p, bits, neutral) plane_masked_load_v4(p, bits, neutral)
#define PLANE_MASKED_STORE(p, bits, v) plane_masked_store_v4(p, bits, v)
#include "planewindow.template.h"

#ifdef CONVARITH_X86
// ---- AVX2: 8 floats a vector --------------------------------------------------------------------------------
__attribute__((target("avx2"))) static inline __m256i plane_mask_avx2(uint32_t bits) {
    const __m256i lane = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)bits), lane), lane);
}

__attribute__((target("avx2"))) static inline __m256 plane_masked_load_avx2(const float *p, uint32_t bits,
                                                                            __m256 neutral) {
    const __m256i mask = plane_mask_avx2(bits);
    return _mm256_blendv_ps(neutral, _mm256_maskload_ps(p, mask), _mm256_castsi256_ps(mask));
}

#define PLANE_SUFFIX avx2
#define PLANE_TARGET __attribute__((target("avx2,fma")))
#define PLANE_V __m256
#define PLANE_LANES 8
#define PLANE_LOAD(p) _mm256_loadu_ps(p)
#define PLANE_STORE(p, v) _mm256_storeu_ps(p, v)
#define PLANE_SET1(f) _mm256_set1_ps(f)
#define PLANE_ADD(a, b) _mm256_add_ps(a, b)
#define PLANE_MUL(a, b) _mm256_mul_ps(a, b)
#define PLANE_MAX(acc, v) _mm256_blendv_ps(acc, v, _mm256_cmp_ps(v, acc, _CMP_GT_OQ))
#define PLANE_DIVIDE(sum, d) _mm256_blendv_ps(_mm256_set1_ps(__builtin_nanf("")), _mm256_div_ps(sum, d), \
                                              _mm256_cmp_ps(d, _mm256_setzero_ps(), _CMP_GT_OQ))
#define PLANE_MASKED_LOAD(p, bits, neutral) plane_masked_load_avx2(p, bits, neutral)
#define PLANE_MASKED_STORE(p, bits, v) _mm256_maskstore_ps(p, plane_mask_avx2(bits), v)
#include "planewindow.template.h"

// ---- AVX-512: 16 floats a vector ------------------------------------------------------------------------------
#define PLANE_SUFFIX avx512
#define PLANE_TARGET __attribute__((target("avx512f,fma")))
#define PLANE_V __m512
#define PLANE_LANES 16
#define PLANE_LOAD(p) _mm512_loadu_ps(p)
#define PLANE_STORE(p, v) _mm512_storeu_ps(p, v)
#define PLANE_SET1(f) _mm512_set1_ps(f)
#define PLANE_ADD(a, b) _mm512_add_ps(a, b)
#define PLANE_MUL(a, b) _mm512_mul_ps(a, b)
#define PLANE_MAX(acc, v) _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, acc, _CMP_GT_OQ), acc, v)
#define PLANE_DIVIDE(sum, d) _mm512_mask_div_ps(_mm512_set1_ps(__builtin_nanf("")), \
                                                _mm512_cmp_ps_mask(d, _mm512_setzero_ps(), _CMP_GT_OQ), sum, d)
#define PLANE_MASKED_LOAD(p, bits, neutral) _mm512_mask_loadu_ps(neutral, (__mmask16)(bits), p)
#define PLANE_MASKED_STORE(p, bits, v) _mm512_mask_storeu_ps(p, (__mmask16)(bits), v)
#include "planewindow.template.h"
#endif

convarith_direct_plane_fn convarith_select_direct_plane(const char *forced) {
    CONVARITH_CHOOSE(forced, f32_direct_plane_portable, f32_direct_plane_avx2, f32_direct_plane_avx512)
}
