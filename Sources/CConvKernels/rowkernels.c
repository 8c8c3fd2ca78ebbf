// Kernels for the fast path's window loops: a whole plane of a pooling layer or of a depthwise convolution,
// its output rows computed a vector of outputs at a time with the window's taps accumulated in registers
// (max, sum, or weighted sum) and each output stored once. Like the micro-kernels, each variant is compiled
// for its instruction set with a target attribute and chosen at run time: the vector kernels are one template,
// rowwindow.template.h, included here once for AVX2 and once for AVX-512; the portable plane takes one
// output at a time (the portable kernels take the grid, gridkernels.c, wherever it serves).
//
// Taps meet each output in the reference's order (depth, height, then width), so sums round as there. The
// max is `input > m ? input : m` (an ordered comparison, from `empty`), as the reference loop and ONNX
// Runtime's and PyTorch's compare: the first of equal maxima (−0 before 0) is kept, and a NaN input is passed
// over (PyTorch would propagate it).
#include "CConvKernels.h"
#include "checks.h"
#include "dispatch.h"
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CONVARITH_X86 1
#endif

// What a window computes: its max, its sum (an average, divided afterwards), or its taps' weighted sum.
enum { MODE_MAX = 0, MODE_AVERAGE = 1, MODE_WEIGHTED = 2 };

// How a vector kernel reads a vector of outputs' taps: stride 1 by loads, stride 2 by two loads and a permute,
// other strides by gathers; and stride 2 with windows 2 or 3 wide by loading each line's span once.
enum { ROW_LOAD_KIND_S1 = 0, ROW_LOAD_KIND_S2 = 1, ROW_LOAD_KIND_GATHER = 2, ROW_LOAD_KIND_SPAN2 = 3, ROW_LOAD_KIND_SPAN3 = 4 };

// One call of a vector kernel: up to two output rows (`row`) whose window lines on the input are `lines[r]`
// (`lineCount` of them, the same weights `weightLines` for both), read from `offset` on with the horizontal
// kernel, stride and dilation; `start` the neutral value, `divisorZ` and `divisorY[r]` the rows' depth and
// height divisors and `divisorX` the first vector's width divisors (averages); `last` the lanes of the last
// vector; the first and last vector's per-tap masks when they read outside the line. The call does this
// `repeat` times, the lines `lineAdvance` floats further down each time, the rows `rowAdvance`, and the
// height divisors one row (two when paired): rows whose every vertical tap lies on the input, in one call.
typedef struct {
    const float *const *lines[2];
    int64_t lineCount, offset;
    const float *const *weightLines;
    int64_t kW, sW, dW;
    float start;
    float divisorZ;
    const float *divisorY, *divisorX;
    int64_t repeat, lineAdvance, rowAdvance;
    float *row[2];
    uint32_t last;
    const int64_t *firstMasks, *lastMasks;
} convarith_row_job;

// The outputs [first, last) of a row that horizontal tap tx reads inside the input, for every tap:
// ranges[2·tx], ranges[2·tx + 1].
static void tap_ranges(int64_t inW, int64_t outW, int64_t kW, int64_t sW, int64_t dW, int64_t pW, int64_t *ranges) {
    for (int64_t tx = 0; tx < kW; tx++) {
        const int64_t offset = tx * dW - pW;
        const int64_t first = offset >= 0 ? 0 : (-offset + sW - 1) / sW;
        int64_t last = offset < inW ? (inW - 1 - offset) / sW + 1 : 0;
        if (last > outW) last = outW;
        ranges[2 * tx] = first;
        ranges[2 * tx + 1] = last > first ? last : first;
    }
}

// The lines (and weight rows) of output row (oz, oy) that lie on the input — line (z, y) at
// source + (z·inH + y)·lineStride, its weights at weights + (tz·kH + ty)·kW (when weighted) — and their count.
static inline int64_t row_lines(const convarith_window_geometry *g, int64_t oz, int64_t oy, const float *source, int64_t lineStride,
                                const float *weights, const float **lines, const float **weightLines) {
    int64_t count = 0;
    for (int64_t tz = 0; tz < g->kernel[0]; tz++) {
        const int64_t z = oz * g->stride[0] - g->padding[0] + tz * g->dilation[0];
        if (z < 0 || z >= g->input[0]) continue;
        for (int64_t ty = 0; ty < g->kernel[1]; ty++) {
            const int64_t yy = oy * g->stride[1] - g->padding[1] + ty * g->dilation[1];
            if (yy < 0 || yy >= g->input[1]) continue;
            weightLines[count] = weights ? weights + (tz * g->kernel[1] + ty) * g->kernel[2] : 0;
            lines[count++] = source + (z * g->input[1] + yy) * lineStride;
        }
    }
    return count;
}

// Walks the output rows of a plane for the one-output-at-a-time planes: for each (oz, oy), the body with
// `lines`, `weightLines` and `lineCount` (row_lines), `row` the output row, `zy` its depth·height divisor
// (averages), and `ranges` (tap_ranges), the plane's sizes and kernel in scope.
#define CONVARITH_FOR_EACH_ROW(SOURCE, LINE_STRIDE, ...) \
    const int64_t outD = g->output[0], outH = g->output[1], outW = g->output[2]; \
    const int64_t kW = g->kernel[2], sW = g->stride[2], dW = g->dilation[2], pW = g->padding[2]; \
    int64_t *ranges = scratch; \
    const float **lines = (const float **)(scratch + 2 * kW); \
    const float **weightLines = (const float **)(scratch + 2 * kW + g->kernel[0] * g->kernel[1]); \
    tap_ranges(g->input[2], outW, kW, sW, dW, pW, ranges); \
    for (int64_t oz = 0; oz < outD; oz++) { \
        for (int64_t oy = 0; oy < outH; oy++) { \
            float *row = y + (oz * outH + oy) * outW; \
            const int64_t lineCount = row_lines(g, oz, oy, SOURCE, LINE_STRIDE, weights, lines, weightLines); \
            const float zy = mode == MODE_AVERAGE ? divisorZ[oz] * divisorY[oy] : 1.0f; \
            (void)zy; \
            __VA_ARGS__ \
        } \
    }

static int64_t pool_index_words(const convarith_window_geometry *g) { return 2 * g->kernel[2] + 4 * g->kernel[0] * g->kernel[1]; }

// Floats per padded line of the copy for vectors of `lanes` outputs, or 0 when every vector reads inside the
// line (no padding, and the last vector's lanes all real): [−pW, R) where R covers the taps of every lane of
// the last vector.
static int64_t pool_line_stride(const convarith_window_geometry *g, int64_t lanes) {
    const int64_t inW = g->input[2], outW = g->output[2], kW = g->kernel[2], sW = g->stride[2], dW = g->dilation[2], pW = g->padding[2];
    const int64_t vectors = (outW + lanes - 1) / lanes;
    // One past the last float read: lane lanes·vectors − 1's last tap (stride 2 reads no further than that).
    const int64_t end = (lanes * vectors - 1) * sW + (kW - 1) * dW - pW + 1;
    if (pW == 0 && end <= inW) return 0;
    const int64_t reach = end > inW ? end : inW;
    return (pW + reach + 15) / 16 * 16;
}

// Whether only a row's first and last vector read outside the line: the others' taps all lie on it.
static int edges_suffice(const convarith_window_geometry *g, int64_t lanes) {
    const int64_t inW = g->input[2], outW = g->output[2], kW = g->kernel[2], sW = g->stride[2], dW = g->dilation[2], pW = g->padding[2];
    const int64_t vectors = (outW + lanes - 1) / lanes;
    if (vectors <= 2) return 1;
    // Vector 1's first lane's first tap, and vector (vectors − 2)'s last lane's last tap.
    return lanes * sW - pW >= 0 && (lanes * (vectors - 1) - 1) * sW + (kW - 1) * dW - pW < inW;
}

// Floats of a vector kernel's padded copy of a plane: 0 when the edge masks suffice, or when the copy would be
// larger than four planes (or a million floats) — the kernel that masks every tap runs then.
static int64_t pool_copy_floats(const convarith_window_geometry *g, int64_t lanes) {
    if (edges_suffice(g, lanes)) return 0;
    const int64_t lines = g->input[0] * g->input[1], plane = lines * g->input[2], stride = pool_line_stride(g, lanes);
    const int64_t budget = 4 * plane > (1 << 20) ? 4 * plane : (1 << 20);
    return stride > 0 && lines <= budget / stride ? lines * stride : 0;
}

int64_t convarith_pool_plane_scratch(const convarith_window_geometry *g) {
    // Room for the edge masks (two per tap) and the larger of the AVX2 and AVX-512 kernels' padded copies.
    const int64_t copy8 = pool_copy_floats(g, 8), copy16 = pool_copy_floats(g, 16);
    return pool_index_words(g) + 2 * g->kernel[2] + ((copy8 > copy16 ? copy8 : copy16) + 1) / 2;
}

// ---- portable: one output at a time ----------------------------------------------------------------------
static void f32_window_plane_portable(const float *x, float *y, const convarith_window_geometry *g, const float *divisorZ,
                                      const float *divisorY, const float *divisorX, int mode, float empty, const float *weights,
                                      int64_t *scratch) {
    const int average = mode == MODE_AVERAGE;
    CONVARITH_FOR_EACH_ROW(x, g->input[2], {
        for (int64_t ox = 0; ox < outW; ox++) {
            float value = mode == MODE_MAX ? empty : 0.0f;
            for (int64_t l = 0; l < lineCount; l++) {
                for (int64_t tx = 0; tx < kW; tx++) {
                    if (ox < ranges[2 * tx] || ox >= ranges[2 * tx + 1]) continue;
                    const float input = lines[l][ox * sW + tx * dW - pW];
                    if (mode == MODE_WEIGHTED) value += weightLines[l][tx] * input;
                    else if (average) value += input;
                    else value = input > value ? input : value;
                }
            }
            if (average) {
                const float divisor = zy * divisorX[ox];
                value = divisor > 0.0f ? value / divisor : __builtin_nanf("");
            }
            row[ox] = value;
        }
    })
}

// The masks of vector `vector` of `lanes` outputs for every horizontal tap: bit j of lane j (stride 2: of
// float j of the 2·lanes − 1 its two loads cover) when it lies on the line [0, inW). Returns whether some
// lane is masked.
static int edge_masks(int64_t vector, int64_t lanes, const convarith_window_geometry *g, int64_t *masks) {
    const int64_t inW = g->input[2], kW = g->kernel[2], sW = g->stride[2], dW = g->dilation[2], pW = g->padding[2];
    const int64_t span = sW == 2 ? 2 * lanes - 1 : lanes;
    const uint32_t full = (uint32_t)((1ull << span) - 1);
    int masked = 0;
    for (int64_t tx = 0; tx < kW; tx++) {
        const int64_t first = lanes * vector * sW + tx * dW - pW;
        uint32_t bits = 0;
        if (sW == 2) {
            for (int64_t j = 0; j < span; j++) if (first + j >= 0 && first + j < inW) bits |= 1u << j;
        } else {
            for (int64_t j = 0; j < span; j++) if (first + j * sW >= 0 && first + j * sW < inW) bits |= 1u << j;
        }
        masks[tx] = bits;
        masked |= bits != full;
    }
    return masked;
}

// The lanes [a, b) of a vector (0 ≤ a ≤ b ≤ 32), as a bit mask.
static inline uint32_t lane_bits(int64_t a, int64_t b) {
    if (a < 0) a = 0;
    if (b > 32) b = 32;
    if (b <= a) return 0;
    const uint32_t upper = b >= 32 ? 0xFFFFFFFFu : (1u << b) - 1;
    return upper & ~((1u << a) - 1);
}

#ifdef CONVARITH_X86
// ---- AVX2, every tap masked: 8 outputs a vector, stride 1 by masked loads, others by masked gathers ------
// The fallback of the vector kernels when a plane's windows reach far into the padding and its padded copy
// would be large.
__attribute__((target("avx2")))
static inline __m256i mask_avx2(uint32_t bits) {
    const __m256i lane = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)bits), lane), lane);
}

__attribute__((target("avx2,fma")))
static void f32_window_plane_masked_avx2(const float *x, float *y, const convarith_window_geometry *g, const float *divisorZ, const float *divisorY,
                                     const float *divisorX, int mode, float empty, const float *weights, int64_t *scratch) {
    const int average = mode == MODE_AVERAGE;
    const __m256i gather = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)g->stride[2]));
    CONVARITH_FOR_EACH_ROW(x, g->input[2], {
        for (int64_t i0 = 0; i0 < outW; i0 += 8) {
            const int64_t lanes = outW - i0 < 8 ? outW - i0 : 8;
            __m256 acc = _mm256_set1_ps(mode == MODE_MAX ? empty : 0.0f);
            for (int64_t l = 0; l < lineCount; l++) {
                for (int64_t tx = 0; tx < kW; tx++) {
                    const uint32_t bits = lane_bits(ranges[2 * tx] - i0, (ranges[2 * tx + 1] < i0 + lanes ? ranges[2 * tx + 1] : i0 + lanes) - i0);
                    if (bits == 0) continue;
                    const __m256i mask = mask_avx2(bits);
                    const float *base = lines[l] + (i0 * sW + tx * dW - pW);
                    // Masked lanes are never read, and hold +0 (adding it changes no sum that starts at +0).
                    const __m256 value = sW == 1 ? _mm256_maskload_ps(base, mask)
                                                 : _mm256_mask_i32gather_ps(_mm256_setzero_ps(), base, gather, _mm256_castsi256_ps(mask), 4);
                    if (mode == MODE_WEIGHTED) {
                        acc = _mm256_fmadd_ps(_mm256_set1_ps(weightLines[l][tx]), value, acc);
                    } else if (average) {
                        acc = _mm256_add_ps(acc, value);
                    } else {
                        const __m256 take = _mm256_and_ps(_mm256_castsi256_ps(mask), _mm256_cmp_ps(value, acc, _CMP_GT_OQ));
                        acc = _mm256_blendv_ps(acc, value, take);
                    }
                }
            }
            const __m256i store = mask_avx2(lane_bits(0, lanes));
            if (average) {
                const __m256 divisor = _mm256_mul_ps(_mm256_set1_ps(zy), _mm256_maskload_ps(divisorX + i0, store));
                const __m256 quotient = _mm256_div_ps(acc, divisor);
                acc = _mm256_blendv_ps(_mm256_set1_ps(__builtin_nanf("")), quotient, _mm256_cmp_ps(divisor, _mm256_setzero_ps(), _CMP_GT_OQ));
            }
            _mm256_maskstore_ps(row + i0, store, acc);
        }
    })
}

// AVX2 has no mask registers: a lane mask is a vector (mask_avx2), masked loads give +0 in the other lanes
// (blended with the neutral value), and stride 2 takes the 8 even floats of [at, at + 15) from two
// overlapping loads, of floats 0–7 and 7–14 (so that nothing past float 14 is read, unmasked), by a shuffle
// and a permute of 64-bit pairs.
__attribute__((target("avx2")))
static inline __m256 masked_load_avx2(const float *at, uint32_t bits, __m256 neutral) {
    const __m256i mask = mask_avx2(bits);
    return _mm256_blendv_ps(neutral, _mm256_maskload_ps(at, mask), _mm256_castsi256_ps(mask));
}

__attribute__((target("avx2")))
static inline __m256 evens_avx2(__m256 low, __m256 high) {
    // [0 2 8 10 | 4 6 12 14]: lanes 0, 2 of each half of `low` (floats 0–7), lanes 1, 3 of `high` (7–14).
    const __m256 pairs = _mm256_shuffle_ps(low, high, _MM_SHUFFLE(3, 1, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(pairs), _MM_SHUFFLE(3, 1, 2, 0)));
}

__attribute__((target("avx2")))
static inline void store_avx2(float *at, uint32_t bits, __m256 value) {
    if (bits == 0xFFu) _mm256_storeu_ps(at, value);
    else _mm256_maskstore_ps(at, mask_avx2(bits), value);
}

// ---- The vector kernels: the template for AVX-512 (16 outputs a vector) and AVX2 (8) ------------------------
// Every vector of outputs accumulates its taps in registers, up to four vectors at a time (four independent
// chains of max or add). Vectors whose taps all lie on the input line read unmasked; a row's first and last
// vector read with per-tap masks (the same for every row, computed once a plane), their other lanes the
// neutral value (`empty` for max: `empty > m` never holds; +0 for sums, which start at +0). When
// windows reach further into the padding than the first vector, the plane is first copied with its lines
// padded by the neutral value. The last vector of a row stores only its lanes.
#define ROW_SUFFIX avx512
#define ROW_TARGET __attribute__((target("avx512f,fma")))
#define ROW_V __m512
#define ROW_INDEX __m512i
#define ROW_LANES 16
#define ROW_FULL 0xFFFFu
#define ROW_SET1(F) _mm512_set1_ps(F)
#define ROW_ADD(A, B) _mm512_add_ps(A, B)
#define ROW_FMADD(A, B, C) _mm512_fmadd_ps(A, B, C)
#define ROW_MAX(ACC, V) _mm512_mask_blend_ps(_mm512_cmp_ps_mask(V, ACC, _CMP_GT_OQ), ACC, V)
#define ROW_LOAD_S1(AT) _mm512_loadu_ps(AT)
#define ROW_LOAD_S2(AT) _mm512_permutex2var_ps(_mm512_loadu_ps(AT), evens, _mm512_maskz_loadu_ps(0x7FFF, (AT) + 16))
#define ROW_LOAD_GATHER(AT) _mm512_i32gather_ps(gather, AT, 4)
#define ROW_MASKED_S1(AT, M) _mm512_mask_loadu_ps(neutral, (__mmask16)(M), AT)
#define ROW_MASKED_S2(AT, M) _mm512_permutex2var_ps(_mm512_mask_loadu_ps(neutral, (__mmask16)((M) & 0xFFFF), AT), evens, \
                                                    _mm512_mask_loadu_ps(neutral, (__mmask16)(((M) >> 16) & 0x7FFF), (AT) + 16))
#define ROW_MASKED_GATHER(AT, M) _mm512_mask_i32gather_ps(neutral, (__mmask16)(M), gather, AT, 4)
#define ROW_LOAD_LANES(AT, M) _mm512_maskz_loadu_ps((__mmask16)(M), AT)
#define ROW_STORE(AT, M, V) _mm512_mask_storeu_ps(AT, (__mmask16)(M), V)
#define ROW_DIVIDE(ACC, D) _mm512_mask_div_ps(_mm512_set1_ps(__builtin_nanf("")), _mm512_cmp_ps_mask(D, _mm512_setzero_ps(), _CMP_GT_OQ), \
                                              ACC, D)
#define ROW_GATHER_INDEX(S) _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), \
                                               _mm512_set1_epi32((int)(S)))
#define ROW_EVENS _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)
#define ROW_SPAN_LOAD(AT, BITS) ((BITS) == 0xFFFFu ? _mm512_loadu_ps(AT) : _mm512_mask_loadu_ps(neutral, (__mmask16)(BITS), AT))
#define ROW_EVENS_OF(A, B) _mm512_permutex2var_ps(A, evens, B)
#define ROW_ODDS_OF(A, B) _mm512_permutex2var_ps(A, odds, B)
#define ROW_EVENS_RAW(A, B) ROW_EVENS_OF(A, B)
#define ROW_ODDS_RAW(A, B) ROW_ODDS_OF(A, B)
#define ROW_UNRAW(V) (V)
#define ROW_NEXT(E, N) _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(N), _mm512_castps_si512(E), 1))
#define ROW_SPAN_SETUP const __m512i odds = _mm512_add_epi32(evens, _mm512_set1_epi32(1));
#define ROW_MASKED_PLANE f32_window_plane_masked_avx2
#include "rowwindow.template.h"

#define ROW_SUFFIX avx2
#define ROW_TARGET __attribute__((target("avx2,fma")))
#define ROW_V __m256
#define ROW_INDEX __m256i
#define ROW_LANES 8
#define ROW_FULL 0xFFu
#define ROW_SET1(F) _mm256_set1_ps(F)
#define ROW_ADD(A, B) _mm256_add_ps(A, B)
#define ROW_FMADD(A, B, C) _mm256_fmadd_ps(A, B, C)
#define ROW_MAX(ACC, V) _mm256_blendv_ps(ACC, V, _mm256_cmp_ps(V, ACC, _CMP_GT_OQ))
#define ROW_LOAD_S1(AT) _mm256_loadu_ps(AT)
#define ROW_LOAD_S2(AT) evens_avx2(_mm256_loadu_ps(AT), _mm256_loadu_ps((AT) + 7))
#define ROW_LOAD_GATHER(AT) _mm256_i32gather_ps(AT, gather, 4)
#define ROW_MASKED_S1(AT, M) masked_load_avx2(AT, (uint32_t)(M), neutral)
#define ROW_MASKED_S2(AT, M) evens_avx2(masked_load_avx2(AT, (uint32_t)(M) & 0xFFu, neutral), \
                                        masked_load_avx2((AT) + 7, ((uint32_t)(M) >> 7) & 0xFFu, neutral))
#define ROW_MASKED_GATHER(AT, M) _mm256_mask_i32gather_ps(neutral, AT, gather, _mm256_castsi256_ps(mask_avx2((uint32_t)(M))), 4)
#define ROW_LOAD_LANES(AT, M) _mm256_maskload_ps(AT, mask_avx2((uint32_t)(M)))
#define ROW_STORE(AT, M, V) store_avx2(AT, (uint32_t)(M), V)
#define ROW_DIVIDE(ACC, D) _mm256_blendv_ps(_mm256_set1_ps(__builtin_nanf("")), _mm256_div_ps(ACC, D), \
                                            _mm256_cmp_ps(D, _mm256_setzero_ps(), _CMP_GT_OQ))
#define ROW_GATHER_INDEX(S) _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)(S)))
#define ROW_EVENS _mm256_setzero_si256()
#define ROW_SPAN_LOAD(AT, BITS) ((BITS) == 0xFFu ? _mm256_loadu_ps(AT) : masked_load_avx2(AT, (uint32_t)(BITS), neutral))
#define ROW_PAIRS(A, B, IMM) _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(A, B, IMM)), _MM_SHUFFLE(3, 1, 2, 0)))
#define ROW_EVENS_OF(A, B) ROW_PAIRS(A, B, _MM_SHUFFLE(2, 0, 2, 0))
#define ROW_ODDS_OF(A, B) ROW_PAIRS(A, B, _MM_SHUFFLE(3, 1, 3, 1))
// Raw: [0 2 8 10 | 4 6 12 14] (the shuffle alone); put right by the permute of 64-bit pairs.
#define ROW_EVENS_RAW(A, B) _mm256_shuffle_ps(A, B, _MM_SHUFFLE(2, 0, 2, 0))
#define ROW_ODDS_RAW(A, B) _mm256_shuffle_ps(A, B, _MM_SHUFFLE(3, 1, 3, 1))
#define ROW_UNRAW(V) _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(V), _MM_SHUFFLE(3, 1, 2, 0)))
#define ROW_NEXT(E, N) _mm256_blend_ps(_mm256_permutevar8x32_ps(E, rotate), _mm256_permutevar8x32_ps(N, rotate), 0x80)
#define ROW_SPAN_SETUP const __m256i rotate = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 0); (void)evens;
#define ROW_MASKED_PLANE f32_window_plane_masked_avx2
#include "rowwindow.template.h"
#endif

// The public entry points of each instruction set: pooling (max or average) and depthwise planes.
#define CONVARITH_ENTRY_POINTS(SUFFIX, ATTRIBUTE) \
ATTRIBUTE static void f32_pool_plane_##SUFFIX(const float *x, float *y, const convarith_window_geometry *g, const float *divisorZ, \
                                              const float *divisorY, const float *divisorX, int average, float empty, int64_t *scratch) { \
    convarith_check_window(g); \
    f32_window_plane_##SUFFIX(x, y, g, divisorZ, divisorY, divisorX, average ? MODE_AVERAGE : MODE_MAX, empty, 0, scratch); \
} \
ATTRIBUTE static void f32_depthwise_plane_##SUFFIX(const float *x, float *y, const convarith_window_geometry *g, const float *weights, \
                                                   int64_t *scratch) { \
    convarith_check_window(g); \
    f32_window_plane_##SUFFIX(x, y, g, 0, 0, 0, MODE_WEIGHTED, 0.0f, weights, scratch); \
}
CONVARITH_ENTRY_POINTS(portable, )
#ifdef CONVARITH_X86
CONVARITH_ENTRY_POINTS(avx2, __attribute__((target("avx2,fma"))))
CONVARITH_ENTRY_POINTS(avx512, __attribute__((target("avx512f,fma"))))
#endif

convarith_row_kernels convarith_select_row_kernels(const char *forced) {
    CONVARITH_CHOOSE(forced,
                     ((convarith_row_kernels){f32_pool_plane_portable, f32_depthwise_plane_portable, "portable"}),
                     ((convarith_row_kernels){f32_pool_plane_avx2, f32_depthwise_plane_avx2, "avx2"}),
                     ((convarith_row_kernels){f32_pool_plane_avx512, f32_depthwise_plane_avx512, "avx512"}))
}
