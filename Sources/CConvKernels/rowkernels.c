// Kernels for the fast path's window loops: a whole plane of a pooling layer or of a depthwise convolution,
// its output rows computed a vector of outputs at a time with the window's taps accumulated in registers
// (max, sum, or weighted sum) and each output stored once. Like the micro-kernels, each variant is compiled
// for its instruction set with a target attribute and chosen at run time.
//
// Taps meet each output in the reference's order (depth, height, then width), so sums round as there. The
// max is `input >= m ? input : m` (an ordered comparison, from `empty`), the reference loop's Swift.max(m,
// input): a NaN input is passed over as there.
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

// Walks the output rows of a plane: for each (oz, oy), the window's lines that lie on the input (line
// (z, y) at source + (z·inH + y)·lineStride; the caller defines both), then the body with `lines` (their
// pointers, at most kD·kH), `weightLines` (the weights of each line's taps, when weighted) and `lineCount`,
// and `row` the output row.
#define CONVARITH_FOR_EACH_ROW(...) \
    const int64_t inD = g->input[0], inH = g->input[1], inW = g->input[2], outD = g->output[0], outH = g->output[1], outW = g->output[2]; \
    const int64_t kD = g->kernel[0], kH = g->kernel[1], kW = g->kernel[2], sD = g->stride[0], sH = g->stride[1], sW = g->stride[2]; \
    const int64_t dD = g->dilation[0], dH = g->dilation[1], dW = g->dilation[2], pD = g->padding[0], pH = g->padding[1], pW = g->padding[2]; \
    int64_t *ranges = scratch; \
    const float **lines = (const float **)(scratch + 2 * kW); \
    const float **weightLines = (const float **)(scratch + 2 * kW + kD * kH); \
    tap_ranges(inW, outW, kW, sW, dW, pW, ranges); \
    (void)inD; (void)ranges; \
    for (int64_t oz = 0; oz < outD; oz++) { \
        for (int64_t oy = 0; oy < outH; oy++) { \
            float *row = y + (oz * outH + oy) * outW; \
            int64_t lineCount = 0; \
            for (int64_t tz = 0; tz < kD; tz++) { \
                const int64_t z = oz * sD - pD + tz * dD; \
                if (z < 0 || z >= inD) continue; \
                for (int64_t ty = 0; ty < kH; ty++) { \
                    const int64_t yy = oy * sH - pH + ty * dH; \
                    if (yy < 0 || yy >= inH) continue; \
                    weightLines[lineCount] = weights ? weights + (tz * kH + ty) * kW : 0; \
                    lines[lineCount++] = source + (z * inH + yy) * lineStride; \
                } \
            } \
            const float zy = mode == MODE_AVERAGE ? divisorZ[oz] * divisorY[oy] : 1.0f; \
            (void)zy; (void)weightLines; \
            __VA_ARGS__ \
        } \
    }

// The scratch of a plane: 2·kW range words and 4·kD·kH line pointers (two rows' lines and weights), then 2·kW
// edge masks and a copy of the plane whose lines are padded to pool_line_stride(g, lanes) floats, when the
// edge masks do not suffice.
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
static void window_plane_portable(const float *x, float *y, const convarith_window_geometry *g, const float *divisorZ, const float *divisorY,
                                  const float *divisorX, int mode, float empty, const float *weights, int64_t *scratch) {
    const int average = mode == MODE_AVERAGE;
    const float *source = x;
    const int64_t lineStride = g->input[2];
    CONVARITH_FOR_EACH_ROW(
        for (int64_t ox = 0; ox < outW; ox++) {
            float value = mode == MODE_MAX ? empty : 0.0f;
            for (int64_t l = 0; l < lineCount; l++) {
                for (int64_t tx = 0; tx < kW; tx++) {
                    if (ox < ranges[2 * tx] || ox >= ranges[2 * tx + 1]) continue;
                    const float input = lines[l][ox * sW + tx * dW - pW];
                    if (mode == MODE_WEIGHTED) value += weightLines[l][tx] * input;
                    else if (average) value += input;
                    else value = input >= value ? input : value;
                }
            }
            if (average) {
                const float divisor = zy * divisorX[ox];
                value = divisor > 0.0f ? value / divisor : __builtin_nanf("");
            }
            row[ox] = value;
        }
    )
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
// The fallback of the vector kernels below when a plane's windows reach far into the padding and its padded
// copy would be large.
__attribute__((target("avx2")))
static inline __m256i mask_avx2(uint32_t bits) {
    const __m256i lane = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)bits), lane), lane);
}

__attribute__((target("avx2,fma")))
static void window_plane_masked_avx2(const float *x, float *y, const convarith_window_geometry *g, const float *divisorZ, const float *divisorY,
                                     const float *divisorX, int mode, float empty, const float *weights, int64_t *scratch) {
    const int average = mode == MODE_AVERAGE;
    const __m256i gather = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)g->stride[2]));
    const float *source = x;
    const int64_t lineStride = g->input[2];
    CONVARITH_FOR_EACH_ROW(
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
                        const __m256 take = _mm256_and_ps(_mm256_castsi256_ps(mask), _mm256_cmp_ps(value, acc, _CMP_GE_OQ));
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
    )
}

// ---- The vector kernels: AVX2 (8 outputs a vector) and AVX-512 (16) --------------------------------------
// Every vector of outputs accumulates its taps in registers, up to four vectors at a time (four independent
// chains of max or add). Vectors whose taps all lie on the input line read unmasked; a row's first and last
// vector read with per-tap masks (the same for every row, computed once a plane), their other lanes the
// neutral value (`empty` for max: `empty >= m` only when m is `empty`; +0 for sums, which start at +0). When
// windows reach further into the padding than the first vector, the plane is first copied with its lines
// padded by the neutral value. Stride 1 reads by loads, stride 2 by two loads and a permute, larger strides
// by gathers. The last vector of a row stores only its lanes.
//
// Each instruction set is a family of macros, ISA_NAME: its vector type T, LANES, FULL (the bits of all
// lanes), TARGET, SET1, ADD, FMADD, MAX (acc, value → the ordered max step), the loads LOAD_S1, LOAD_S2,
// LOAD_GATHER(at) and MASKED_S1, MASKED_S2, MASKED_GATHER(at, bits) — lane bits, or for stride 2 the bits
// of the 2·LANES − 1 floats its two loads cover; `neutral`, `gather` and `evens` are in scope — STORE(at,
// bits, v) and DIVIDE(acc, divisor) (NaN where the divisor is not positive). INDEX is the type of `gather`
// and `evens`, GATHER_INDEX(sW) and EVENS their values.
#define AVX512_T __m512
#define AVX512_INDEX __m512i
#define AVX512_LANES 16
#define AVX512_FULL 0xFFFFu
#define AVX512_TARGET __attribute__((target("avx512f,fma")))
#define AVX512_SET1(F) _mm512_set1_ps(F)
#define AVX512_ADD(A, B) _mm512_add_ps(A, B)
#define AVX512_FMADD(A, B, C) _mm512_fmadd_ps(A, B, C)
#define AVX512_MAX(ACC, V) _mm512_mask_blend_ps(_mm512_cmp_ps_mask(V, ACC, _CMP_GE_OQ), ACC, V)
#define AVX512_LOAD_S1(AT) _mm512_loadu_ps(AT)
#define AVX512_LOAD_S2(AT) _mm512_permutex2var_ps(_mm512_loadu_ps(AT), evens, _mm512_maskz_loadu_ps(0x7FFF, (AT) + 16))
#define AVX512_LOAD_GATHER(AT) _mm512_i32gather_ps(gather, AT, 4)
#define AVX512_MASKED_S1(AT, M) _mm512_mask_loadu_ps(neutral, (__mmask16)(M), AT)
#define AVX512_MASKED_S2(AT, M) _mm512_permutex2var_ps(_mm512_mask_loadu_ps(neutral, (__mmask16)((M) & 0xFFFF), AT), evens, \
                                                       _mm512_mask_loadu_ps(neutral, (__mmask16)(((M) >> 16) & 0x7FFF), (AT) + 16))
#define AVX512_MASKED_GATHER(AT, M) _mm512_mask_i32gather_ps(neutral, (__mmask16)(M), gather, AT, 4)
#define AVX512_LOAD_LANES(AT, M) _mm512_maskz_loadu_ps((__mmask16)(M), AT)
#define AVX512_STORE(AT, M, V) _mm512_mask_storeu_ps(AT, (__mmask16)(M), V)
#define AVX512_DIVIDE(ACC, D) _mm512_mask_div_ps(_mm512_set1_ps(__builtin_nanf("")), \
                                                 _mm512_cmp_ps_mask(D, _mm512_setzero_ps(), _CMP_GT_OQ), ACC, D)
#define AVX512_GATHER_INDEX(S) _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32((int)(S)))
#define AVX512_EVENS _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30)

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

#define AVX2_T __m256
#define AVX2_INDEX __m256i
#define AVX2_LANES 8
#define AVX2_FULL 0xFFu
#define AVX2_TARGET __attribute__((target("avx2,fma")))
#define AVX2_SET1(F) _mm256_set1_ps(F)
#define AVX2_ADD(A, B) _mm256_add_ps(A, B)
#define AVX2_FMADD(A, B, C) _mm256_fmadd_ps(A, B, C)
#define AVX2_MAX(ACC, V) _mm256_blendv_ps(ACC, V, _mm256_cmp_ps(V, ACC, _CMP_GE_OQ))
#define AVX2_LOAD_S1(AT) _mm256_loadu_ps(AT)
#define AVX2_LOAD_S2(AT) evens_avx2(_mm256_loadu_ps(AT), _mm256_loadu_ps((AT) + 7))
#define AVX2_LOAD_GATHER(AT) _mm256_i32gather_ps(AT, gather, 4)
#define AVX2_MASKED_S1(AT, M) masked_load_avx2(AT, (uint32_t)(M), neutral)
#define AVX2_MASKED_S2(AT, M) evens_avx2(masked_load_avx2(AT, (uint32_t)(M) & 0xFFu, neutral), \
                                         masked_load_avx2((AT) + 7, ((uint32_t)(M) >> 7) & 0xFFu, neutral))
#define AVX2_MASKED_GATHER(AT, M) _mm256_mask_i32gather_ps(neutral, AT, gather, _mm256_castsi256_ps(mask_avx2((uint32_t)(M))), 4)
#define AVX2_LOAD_LANES(AT, M) _mm256_maskload_ps(AT, mask_avx2((uint32_t)(M)))
#define AVX2_STORE(AT, M, V) store_avx2(AT, (uint32_t)(M), V)
#define AVX2_DIVIDE(ACC, D) _mm256_blendv_ps(_mm256_set1_ps(__builtin_nanf("")), _mm256_div_ps(ACC, D), \
                                             _mm256_cmp_ps(D, _mm256_setzero_ps(), _CMP_GT_OQ))
#define AVX2_GATHER_INDEX(S) _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)(S)))
#define AVX2_EVENS _mm256_setzero_si256()

// One tap's value met by an accumulator: a weighted sum, a sum, or the ordered max.
#define CONVARITH_WINDOW_STEP(ISA, ACC, WEIGHT, VALUE) \
    ACC = mode == MODE_WEIGHTED ? ISA##_FMADD(WEIGHT, VALUE, ACC) : mode == MODE_AVERAGE ? ISA##_ADD(ACC, VALUE) : ISA##_MAX(ACC, VALUE)

// The accumulators acc[ROWS][VECTORS] stored to their rows (averages divided first), the last vector's `last` lanes only.
#define CONVARITH_WINDOW_STORE(ISA, ROWS, VECTORS) \
    _Pragma("GCC unroll 2") for (int r = 0; r < ROWS; r++) { \
        _Pragma("GCC unroll 4") for (int v = 0; v < VECTORS; v++) { \
            const uint32_t stored = v == VECTORS - 1 ? last : ISA##_FULL; \
            if (mode == MODE_AVERAGE) { \
                const ISA##_T divisor = ISA##_SET1(zy[r]) * ISA##_LOAD_LANES(divisorX + ISA##_LANES * v, stored); \
                acc[r][v] = ISA##_DIVIDE(acc[r][v], divisor); \
            } \
            ISA##_STORE(row[r] + ISA##_LANES * v, stored, acc[r][v]); \
        } \
    }

// ROWS (1 or 2) output rows at once, VECTORS vectors each: row r's lines are lines[r], its output row[r].
#define CONVARITH_WINDOW_INNER(ISA, NAME, ROWS, VECTORS, LOAD, MASKED, MODE) \
ISA##_TARGET static inline void NAME(const float *const *const *lines, int64_t lineCount, int64_t offset, \
        const float *const *weightLines, int64_t kW, int64_t sW, int64_t dW, float start, const float *zy, \
        const float *divisorX, float *const *row, uint32_t last, const int64_t *firstMasks, const int64_t *lastMasks, \
        ISA##_INDEX gather, ISA##_INDEX evens) { \
    (void)sW; (void)gather; (void)evens; (void)weightLines; (void)zy; (void)divisorX; \
    const int mode = MODE; \
    const ISA##_T neutral = ISA##_SET1(start); \
    ISA##_T acc[ROWS][VECTORS]; \
    _Pragma("GCC unroll 2") for (int r = 0; r < ROWS; r++) { \
        _Pragma("GCC unroll 4") for (int v = 0; v < VECTORS; v++) acc[r][v] = neutral; \
    } \
    for (int64_t l = 0; l < lineCount; l++) { \
        for (int64_t tx = 0; tx < kW; tx++) { \
            const ISA##_T weight = mode == MODE_WEIGHTED ? ISA##_SET1(weightLines[l][tx]) : neutral; \
            _Pragma("GCC unroll 2") for (int r = 0; r < ROWS; r++) { \
                const float *base = lines[r][l] + offset + tx * dW; \
                _Pragma("GCC unroll 4") for (int v = 0; v < VECTORS; v++) { \
                    const float *at = base + ISA##_LANES * v * sW; \
                    const ISA##_T value = v == 0 && firstMasks ? MASKED(at, firstMasks[tx]) \
                                       : v == VECTORS - 1 && lastMasks ? MASKED(at, lastMasks[tx]) : LOAD(at); \
                    CONVARITH_WINDOW_STEP(ISA, acc[r][v], weight, value); \
                } \
            } \
        } \
    } \
    CONVARITH_WINDOW_STORE(ISA, ROWS, VECTORS) \
}

// Stride 2, a window 2 or 3 wide and no dilation (nearly every strided pool): each line's span under a vector
// of outputs, floats [0, 2·LANES) from its start, is loaded once; tap 0 is its even floats, tap 1 its odd ones,
// and tap 2 the even ones moved by one lane (with the next vector's first even float, or, for the last vector,
// float 2·LANES loaded alone) — two loads and up to three shuffles a line and vector instead of two loads and a
// shuffle per tap. The taps still meet each output in the order 0, 1, 2. The span's masks come from the taps'
// (float j < 2·LANES − 1 as tap 0's bit j, float 2·LANES − 1 as tap 1's last bit, float 2·LANES as tap 2's).
// Per instruction set: SPAN_LOAD(at, bits) (masked lanes `neutral`), EVENS_OF / ODDS_OF(a, b) (of the floats of
// a then b), NEXT(e, n) (e's lanes 1… then n's lane 0), with `evens`, `odds` and `rotate` in scope.
#define AVX512_SPAN_LOAD(AT, BITS) ((BITS) == 0xFFFFu ? _mm512_loadu_ps(AT) : _mm512_mask_loadu_ps(neutral, (__mmask16)(BITS), AT))
#define AVX512_EVENS_OF(A, B) _mm512_permutex2var_ps(A, evens, B)
#define AVX512_ODDS_OF(A, B) _mm512_permutex2var_ps(A, odds, B)
#define AVX512_NEXT(E, N) _mm512_castsi512_ps(_mm512_alignr_epi32(_mm512_castps_si512(N), _mm512_castps_si512(E), 1))
#define AVX512_SPAN_INDICES \
    const __m512i odds = _mm512_add_epi32(evens, _mm512_set1_epi32(1)); (void)odds; const int rotate = 0; (void)rotate;
#define AVX2_SPAN_LOAD(AT, BITS) ((BITS) == 0xFFu ? _mm256_loadu_ps(AT) : masked_load_avx2(AT, (uint32_t)(BITS), neutral))
#define AVX2_PAIRS(A, B, IMM) _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(A, B, IMM)), _MM_SHUFFLE(3, 1, 2, 0)))
#define AVX2_EVENS_OF(A, B) AVX2_PAIRS(A, B, _MM_SHUFFLE(2, 0, 2, 0))
#define AVX2_ODDS_OF(A, B) AVX2_PAIRS(A, B, _MM_SHUFFLE(3, 1, 3, 1))
#define AVX2_NEXT(E, N) _mm256_blend_ps(_mm256_permutevar8x32_ps(E, rotate), _mm256_permutevar8x32_ps(N, rotate), 0x80)
#define AVX2_SPAN_INDICES const __m256i rotate = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 0); (void)rotate;

#define CONVARITH_WINDOW_SPAN(ISA, NAME, ROWS, VECTORS, KW, MODE) \
ISA##_TARGET static inline void NAME(const float *const *const *lines, int64_t lineCount, int64_t offset, \
        const float *const *weightLines, int64_t kW, int64_t sW, int64_t dW, float start, const float *zy, \
        const float *divisorX, float *const *row, uint32_t last, const int64_t *firstMasks, const int64_t *lastMasks, \
        ISA##_INDEX gather, ISA##_INDEX evens) { \
    (void)kW; (void)sW; (void)dW; (void)gather; (void)evens; (void)weightLines; (void)zy; (void)divisorX; \
    const int mode = MODE; \
    const int64_t lanes = ISA##_LANES; \
    const ISA##_T neutral = ISA##_SET1(start); \
    ISA##_SPAN_INDICES \
    uint32_t low[VECTORS], high[VECTORS]; \
    _Pragma("GCC unroll 4") for (int v = 0; v < VECTORS; v++) { \
        const int64_t *masks = v == 0 && firstMasks ? firstMasks : v == VECTORS - 1 && lastMasks ? lastMasks : 0; \
        low[v] = masks ? (uint32_t)(masks[0] & ISA##_FULL) : ISA##_FULL; \
        high[v] = masks ? (uint32_t)(((masks[0] >> lanes) & (ISA##_FULL >> 1)) | (((masks[1] >> (2 * lanes - 2)) & 1) << (lanes - 1))) \
                        : ISA##_FULL; \
    } \
    const int64_t *tailMasks = VECTORS == 1 && firstMasks ? firstMasks : lastMasks; \
    const uint32_t tail = KW == 3 ? (uint32_t)(tailMasks ? (tailMasks[2] >> (2 * lanes - 2)) & 1 : 1) : 0; \
    ISA##_T acc[ROWS][VECTORS]; \
    _Pragma("GCC unroll 2") for (int r = 0; r < ROWS; r++) { \
        _Pragma("GCC unroll 4") for (int v = 0; v < VECTORS; v++) acc[r][v] = neutral; \
    } \
    for (int64_t l = 0; l < lineCount; l++) { \
        const ISA##_T w0 = mode == MODE_WEIGHTED ? ISA##_SET1(weightLines[l][0]) : neutral; \
        const ISA##_T w1 = mode == MODE_WEIGHTED ? ISA##_SET1(weightLines[l][1]) : neutral; \
        const ISA##_T w2 = mode == MODE_WEIGHTED && KW == 3 ? ISA##_SET1(weightLines[l][2]) : neutral; \
        _Pragma("GCC unroll 2") for (int r = 0; r < ROWS; r++) { \
            const float *base = lines[r][l] + offset; \
            ISA##_T even[VECTORS + 1], odd[VECTORS]; \
            _Pragma("GCC unroll 4") for (int v = 0; v < VECTORS; v++) { \
                const ISA##_T a = ISA##_SPAN_LOAD(base + 2 * lanes * v, low[v]); \
                const ISA##_T b = ISA##_SPAN_LOAD(base + 2 * lanes * v + lanes, high[v]); \
                even[v] = ISA##_EVENS_OF(a, b); \
                odd[v] = ISA##_ODDS_OF(a, b); \
            } \
            even[VECTORS] = KW == 3 ? ISA##_SPAN_LOAD(base + 2 * lanes * VECTORS, tail) : neutral; \
            _Pragma("GCC unroll 4") for (int v = 0; v < VECTORS; v++) { \
                const ISA##_T taps[3] = {even[v], odd[v], KW == 3 ? ISA##_NEXT(even[v], even[v + 1]) : neutral}; \
                const ISA##_T weight[3] = {w0, w1, w2}; \
                _Pragma("GCC unroll 3") for (int t = 0; t < KW; t++) CONVARITH_WINDOW_STEP(ISA, acc[r][v], weight[t], taps[t]); \
            } \
        } \
    } \
    CONVARITH_WINDOW_STORE(ISA, ROWS, VECTORS) \
}
#define CONVARITH_WINDOW_SPANS_MODE(ISA, SUFFIX, K, M, MODE) \
    CONVARITH_WINDOW_SPAN(ISA, inner1_span##K##_##SUFFIX##_##M, 1, 1, K, MODE) \
    CONVARITH_WINDOW_SPAN(ISA, inner2_span##K##_##SUFFIX##_##M, 1, 2, K, MODE) \
    CONVARITH_WINDOW_SPAN(ISA, inner3_span##K##_##SUFFIX##_##M, 1, 3, K, MODE) \
    CONVARITH_WINDOW_SPAN(ISA, inner4_span##K##_##SUFFIX##_##M, 1, 4, K, MODE) \
    CONVARITH_WINDOW_SPAN(ISA, pair1_span##K##_##SUFFIX##_##M, 2, 1, K, MODE) \
    CONVARITH_WINDOW_SPAN(ISA, pair2_span##K##_##SUFFIX##_##M, 2, 2, K, MODE)
#define CONVARITH_WINDOW_SPANS(ISA, SUFFIX, K) \
    CONVARITH_WINDOW_SPANS_MODE(ISA, SUFFIX, K, max, MODE_MAX) \
    CONVARITH_WINDOW_SPANS_MODE(ISA, SUFFIX, K, average, MODE_AVERAGE) \
    CONVARITH_WINDOW_SPANS_MODE(ISA, SUFFIX, K, weighted, MODE_WEIGHTED)

// One inner kernel per vector count, load and mode (the mode a constant, so its branches fold away).
#define CONVARITH_WINDOW_INNERS_MODE(ISA, SUFFIX, LOAD, MASKED, M, MODE) \
    CONVARITH_WINDOW_INNER(ISA, inner1_##SUFFIX##_##M, 1, 1, LOAD, MASKED, MODE) \
    CONVARITH_WINDOW_INNER(ISA, inner2_##SUFFIX##_##M, 1, 2, LOAD, MASKED, MODE) \
    CONVARITH_WINDOW_INNER(ISA, inner3_##SUFFIX##_##M, 1, 3, LOAD, MASKED, MODE) \
    CONVARITH_WINDOW_INNER(ISA, inner4_##SUFFIX##_##M, 1, 4, LOAD, MASKED, MODE) \
    CONVARITH_WINDOW_INNER(ISA, pair1_##SUFFIX##_##M, 2, 1, LOAD, MASKED, MODE) \
    CONVARITH_WINDOW_INNER(ISA, pair2_##SUFFIX##_##M, 2, 2, LOAD, MASKED, MODE)
#define CONVARITH_WINDOW_INNERS(ISA, SUFFIX, LOAD, MASKED) \
    CONVARITH_WINDOW_INNERS_MODE(ISA, SUFFIX, LOAD, MASKED, max, MODE_MAX) \
    CONVARITH_WINDOW_INNERS_MODE(ISA, SUFFIX, LOAD, MASKED, average, MODE_AVERAGE) \
    CONVARITH_WINDOW_INNERS_MODE(ISA, SUFFIX, LOAD, MASKED, weighted, MODE_WEIGHTED)
CONVARITH_WINDOW_INNERS(AVX512, s1_avx512, AVX512_LOAD_S1, AVX512_MASKED_S1)
CONVARITH_WINDOW_INNERS(AVX512, s2_avx512, AVX512_LOAD_S2, AVX512_MASKED_S2)
CONVARITH_WINDOW_INNERS(AVX512, gather_avx512, AVX512_LOAD_GATHER, AVX512_MASKED_GATHER)
CONVARITH_WINDOW_SPANS(AVX512, avx512, 2)
CONVARITH_WINDOW_SPANS(AVX512, avx512, 3)
CONVARITH_WINDOW_INNERS(AVX2, s1_avx2, AVX2_LOAD_S1, AVX2_MASKED_S1)
CONVARITH_WINDOW_INNERS(AVX2, s2_avx2, AVX2_LOAD_S2, AVX2_MASKED_S2)
CONVARITH_WINDOW_INNERS(AVX2, gather_avx2, AVX2_LOAD_GATHER, AVX2_MASKED_GATHER)
CONVARITH_WINDOW_SPANS(AVX2, avx2, 2)
CONVARITH_WINDOW_SPANS(AVX2, avx2, 3)

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

// Calls the inner kernel N (inner1…4: one row of 1–4 vectors; pair1, pair2: two rows) for the loads and mode SUFFIX.
#define CONVARITH_CALL(N, SUFFIX) N##_##SUFFIX(rowLines, lineCount, offset, weightLines, kW, sW, dW, start, zy, \
                                            divisorX ? divisorX + i0 : 0, rows, lastLanes, firstMasks, lastMasks, gather, evens)
#define CONVARITH_CALLS_MODE(SUFFIX) if (paired) { if (count == 2) CONVARITH_CALL(pair2, SUFFIX); else CONVARITH_CALL(pair1, SUFFIX); } \
    else switch (count) { case 4: CONVARITH_CALL(inner4, SUFFIX); break; case 3: CONVARITH_CALL(inner3, SUFFIX); break; \
                          case 2: CONVARITH_CALL(inner2, SUFFIX); break; default: CONVARITH_CALL(inner1, SUFFIX); }
#define CONVARITH_CALLS(SUFFIX) switch (mode) { case MODE_MAX: CONVARITH_CALLS_MODE(SUFFIX##_max) break; \
                                                case MODE_AVERAGE: CONVARITH_CALLS_MODE(SUFFIX##_average) break; \
                                                default: CONVARITH_CALLS_MODE(SUFFIX##_weighted) }

// The lines (and weight rows) of output row (oz, OY) that lie on the input; evaluates to their count.
#define CONVARITH_ROW_LINES(OY, LINES, WEIGHTS) ({ \
        int64_t count_ = 0; \
        for (int64_t tz = 0; tz < kD; tz++) { \
            const int64_t z = oz * sD - pD + tz * dD; \
            if (z < 0 || z >= inD) continue; \
            for (int64_t ty = 0; ty < kH; ty++) { \
                const int64_t yy = (OY) * sH - pH + ty * dH; \
                if (yy < 0 || yy >= inH) continue; \
                WEIGHTS[count_] = weights ? weights + (tz * kH + ty) * kW : 0; \
                LINES[count_++] = source + (z * inH + yy) * lineStride; \
            } \
        } \
        count_; })

// A whole plane with the vector kernels of ISA (the loads and mode SUFFIX_ISA), or with the kernel that masks
// every tap when the plane's padded copy would be large.
#define CONVARITH_WINDOW_PLANE(ISA, NAME, S1, S2, SPAN2, SPAN3, GATHER) \
ISA##_TARGET static void NAME(const float *x, float *y, const convarith_window_geometry *g, const float *divisorZ, const float *divisorY, \
                              const float *divisorX, int mode, float empty, const float *weights, int64_t *scratch) { \
    if (g->stride[2] > (1 << 27)) { window_plane_portable(x, y, g, divisorZ, divisorY, divisorX, mode, empty, weights, scratch); return; } \
    const int64_t lanesPerVector = ISA##_LANES; \
    const ISA##_INDEX gather = ISA##_GATHER_INDEX(g->stride[2]); \
    const ISA##_INDEX evens = ISA##_EVENS; \
    const float start = mode == MODE_MAX ? empty : 0.0f; \
    const int64_t vectorCount = (g->output[2] + lanesPerVector - 1) / lanesPerVector; \
    /* Per-tap masks of the first and last vector, when they are the only ones that read outside the line; */ \
    /* otherwise the plane copied once, each line padded with the neutral value (or, were that copy large, */ \
    /* the kernel that masks every tap). */ \
    const int suffice = edges_suffice(g, lanesPerVector); \
    if (!suffice && pool_copy_floats(g, lanesPerVector) == 0) { \
        window_plane_masked_avx2(x, y, g, divisorZ, divisorY, divisorX, mode, empty, weights, scratch); \
        return; \
    } \
    int64_t *edgeFirst = scratch + pool_index_words(g), *edgeLast = edgeFirst + g->kernel[2]; \
    const int64_t copyStride = suffice ? 0 : pool_line_stride(g, lanesPerVector); \
    const float *source = x; \
    int64_t lineStride = g->input[2]; \
    if (copyStride > 0) { \
        float *copy = (float *)(edgeLast + g->kernel[2]); \
        const int64_t inW = g->input[2], pW = g->padding[2]; \
        const ISA##_T neutral = ISA##_SET1(start); \
        for (int64_t line = 0; line < g->input[0] * g->input[1]; line++) { \
            float *target = copy + line * copyStride; \
            for (int64_t i = 0; i < copyStride; i += lanesPerVector) ISA##_STORE(target + i, ISA##_FULL, neutral); \
            memcpy(target + pW, x + line * inW, (size_t)inW * sizeof(float)); \
        } \
        source = copy + pW; \
        lineStride = copyStride; \
    } else { \
        /* A vector whose lanes all lie on the line reads unmasked. */ \
        if (!edge_masks(0, lanesPerVector, g, edgeFirst)) edgeFirst = 0; \
        if (!edge_masks(vectorCount - 1, lanesPerVector, g, edgeLast)) edgeLast = 0; \
    } \
    const int64_t inD = g->input[0], inH = g->input[1], outD = g->output[0], outH = g->output[1], outW = g->output[2]; \
    const int64_t kD = g->kernel[0], kH = g->kernel[1], kW = g->kernel[2], sD = g->stride[0], sH = g->stride[1], sW = g->stride[2]; \
    const int64_t dD = g->dilation[0], dH = g->dilation[1], dW = g->dilation[2], pD = g->padding[0], pH = g->padding[1], pW = g->padding[2]; \
    const float **linesA = (const float **)(scratch + 2 * kW), **weightsA = linesA + kD * kH; \
    const float **linesB = weightsA + kD * kH, **weightsB = linesB + kD * kH; \
    const uint32_t last = outW % lanesPerVector == 0 ? ISA##_FULL : (1u << (outW % lanesPerVector)) - 1; \
    for (int64_t oz = 0; oz < outD; oz++) { \
        for (int64_t oy = 0; oy < outH;) { \
            const int64_t lineCount = CONVARITH_ROW_LINES(oy, linesA, weightsA); \
            /* Narrow rows go two at a time (twice the independent chains) when the next row has the same taps. */ \
            int paired = 0; \
            if (vectorCount <= 2 && oy + 1 < outH && CONVARITH_ROW_LINES(oy + 1, linesB, weightsB) == lineCount) { \
                paired = 1; \
                for (int64_t l = 0; l < lineCount; l++) paired &= weightsA[l] == weightsB[l]; \
            } \
            const float *const *rowLines[2] = {linesA, linesB}; \
            const float *const *weightLines = weightsA; \
            const float zys[2] = {mode == MODE_AVERAGE ? divisorZ[oz] * divisorY[oy] : 1.0f, \
                                  mode == MODE_AVERAGE && paired ? divisorZ[oz] * divisorY[oy + 1] : 1.0f}; \
            for (int64_t v0 = 0; v0 < vectorCount; v0 += 4) { \
                const int64_t count = vectorCount - v0 < 4 ? vectorCount - v0 : 4; \
                const int isLast = v0 + count == vectorCount; \
                const uint32_t lastLanes = isLast ? last : ISA##_FULL; \
                /* A single vector that is first and last: its masks (edge_masks of vector 0) bound both sides. */ \
                const int64_t *firstMasks = copyStride == 0 && v0 == 0 ? edgeFirst : 0; \
                const int64_t *lastMasks = copyStride == 0 && isLast && !(v0 == 0 && count == 1) ? edgeLast : 0; \
                const int64_t i0 = lanesPerVector * v0, offset = i0 * sW - pW; \
                float *const rows[2] = {y + (oz * outH + oy) * outW + i0, y + (oz * outH + oy + paired) * outW + i0}; \
                const float *zy = zys; \
                if (sW == 1) { CONVARITH_CALLS(S1) } \
                else if (sW == 2 && dW == 1 && kW == 3) { CONVARITH_CALLS(SPAN3) } \
                else if (sW == 2 && dW == 1 && kW == 2) { CONVARITH_CALLS(SPAN2) } \
                else if (sW == 2) { CONVARITH_CALLS(S2) } \
                else { CONVARITH_CALLS(GATHER) } \
            } \
            oy += 1 + paired; \
        } \
    } \
}
CONVARITH_WINDOW_PLANE(AVX2, window_plane_avx2, s1_avx2, s2_avx2, span2_avx2, span3_avx2, gather_avx2)
CONVARITH_WINDOW_PLANE(AVX512, window_plane_avx512, s1_avx512, s2_avx512, span2_avx512, span3_avx512, gather_avx512)
#undef CONVARITH_ROW_LINES
#endif

// The public entry points of each instruction set: pooling (max or average) and depthwise planes.
#define CONVARITH_ENTRY_POINTS(SUFFIX, ATTRIBUTE) \
ATTRIBUTE static void pool_plane_##SUFFIX(const float *x, float *y, const convarith_window_geometry *g, const float *divisorZ, const float *divisorY, \
                                          const float *divisorX, int average, float empty, int64_t *scratch) { \
    convarith_check_window(g); \
    window_plane_##SUFFIX(x, y, g, divisorZ, divisorY, divisorX, average ? MODE_AVERAGE : MODE_MAX, empty, 0, scratch); \
} \
ATTRIBUTE static void depthwise_plane_##SUFFIX(const float *x, float *y, const convarith_window_geometry *g, const float *weights, int64_t *scratch) { \
    convarith_check_window(g); \
    window_plane_##SUFFIX(x, y, g, 0, 0, 0, MODE_WEIGHTED, 0.0f, weights, scratch); \
}
CONVARITH_ENTRY_POINTS(portable, )
#ifdef CONVARITH_X86
CONVARITH_ENTRY_POINTS(avx2, __attribute__((target("avx2,fma"))))
CONVARITH_ENTRY_POINTS(avx512, __attribute__((target("avx512f,fma"))))
#endif

convarith_row_kernels convarith_select_row_kernels(const char *forced) {
    CONVARITH_CHOOSE(forced,
                     ((convarith_row_kernels){pool_plane_portable, depthwise_plane_portable, "portable"}),
                     ((convarith_row_kernels){pool_plane_avx2, depthwise_plane_avx2, "avx2"}),
                     ((convarith_row_kernels){pool_plane_avx512, depthwise_plane_avx512, "avx512"}))
}
