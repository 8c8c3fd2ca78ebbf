// Kernels for the fast pooling path: a plane of a pooling layer, its rows built from sweeps along a row,
// row[i] = max(row[i], input[i·stride]) or row[i] += input[i·stride]. Like the micro-kernels, each variant
// is compiled for its instruction set with a target attribute and chosen at run time.
//
// The max is `input >= row ? input : row` (an ordered comparison), the reference loop's Swift.max(row,
// input), so a NaN input is passed over as there. Lines are combined before the horizontal taps, so taps
// meet in column order: sums may round differently in the last bit, and among equal maxima of different
// sign (−0, +0) another one may win.
#include "CConvKernels.h"
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CONVARITH_X86 1
#endif

static inline void max_row_portable(float *row, const float *input, int64_t count, int64_t stride) {
    for (int64_t i = 0; i < count; i++) {
        const float value = input[i * stride], current = row[i];
        row[i] = value >= current ? value : current;
    }
}

static inline void add_row_portable(float *row, const float *input, int64_t count, int64_t stride) {
    for (int64_t i = 0; i < count; i++) row[i] += input[i * stride];
}

#ifdef CONVARITH_X86
// ---- AVX2: 8 lanes; stride 1 and 2 by loads and shuffles, others by gathers ------------------------------
__attribute__((target("avx2")))
static inline __m256 load_strided_avx2(const float *input, int64_t stride, __m256i gather) {
    if (stride == 1) return _mm256_loadu_ps(input);
    if (stride == 2) {
        const __m256 low = _mm256_loadu_ps(input), high = _mm256_loadu_ps(input + 8);
        // Even lanes of each 128-bit half, then the 64-bit blocks put back in order.
        const __m256 evens = _mm256_shuffle_ps(low, high, _MM_SHUFFLE(2, 0, 2, 0));
        return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(evens), _MM_SHUFFLE(3, 1, 2, 0)));
    }
    return _mm256_i32gather_ps(input, gather, 4);
}

__attribute__((target("avx2")))
static inline void max_row_avx2(float *row, const float *input, int64_t count, int64_t stride) {
    if (stride > (1 << 27)) { max_row_portable(row, input, count, stride); return; }
    const __m256i gather = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)stride));
    int64_t i = 0;
    // Stride 2 reads 16 floats for 8 outputs: stop where that would pass the last input read.
    const int64_t vectorEnd = stride == 2 ? count - 8 : count - 7;
    for (; i < vectorEnd; i += 8) {
        const __m256 value = load_strided_avx2(input + i * stride, stride, gather), current = _mm256_loadu_ps(row + i);
        _mm256_storeu_ps(row + i, _mm256_blendv_ps(current, value, _mm256_cmp_ps(value, current, _CMP_GE_OQ)));
    }
    max_row_portable(row + i, input + i * stride, count - i, stride);
}

__attribute__((target("avx2")))
static inline void add_row_avx2(float *row, const float *input, int64_t count, int64_t stride) {
    if (stride > (1 << 27)) { add_row_portable(row, input, count, stride); return; }
    const __m256i gather = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)stride));
    int64_t i = 0;
    const int64_t vectorEnd = stride == 2 ? count - 8 : count - 7;
    for (; i < vectorEnd; i += 8) {
        const __m256 value = load_strided_avx2(input + i * stride, stride, gather);
        _mm256_storeu_ps(row + i, _mm256_add_ps(_mm256_loadu_ps(row + i), value));
    }
    add_row_portable(row + i, input + i * stride, count - i, stride);
}

// ---- AVX-512: 16 lanes, masked tails ----------------------------------------------------------------------
__attribute__((target("avx512f")))
static inline __m512 load_strided_avx512(const float *input, int64_t stride, __m512i gather, __m512i evens, __mmask16 mask, int64_t lanes) {
    if (stride == 1) return _mm512_maskz_loadu_ps(mask, input);
    if (stride == 2) {
        // lanes outputs read 2·lanes − 1 floats: the low vector's, then what the high one needs of its own.
        const int64_t needed = 2 * lanes - 1;
        const __mmask16 lowMask = (__mmask16)(needed >= 16 ? 0xFFFF : (1u << needed) - 1);
        const __mmask16 highMask = (__mmask16)(needed > 16 ? (1u << (needed - 16)) - 1 : 0);
        const __m512 low = _mm512_maskz_loadu_ps(lowMask, input);
        const __m512 high = _mm512_maskz_loadu_ps(highMask, input + 16);
        return _mm512_permutex2var_ps(low, evens, high);
    }
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), mask, gather, input, 4);
}

__attribute__((target("avx512f")))
static inline void max_row_avx512(float *row, const float *input, int64_t count, int64_t stride) {
    if (stride > (1 << 27)) { max_row_portable(row, input, count, stride); return; }
    const __m512i gather = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32((int)stride));
    const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    for (int64_t i = 0; i < count; i += 16) {
        const int64_t lanes = count - i < 16 ? count - i : 16;
        const __mmask16 mask = (__mmask16)(lanes == 16 ? 0xFFFF : (1u << lanes) - 1);
        const __m512 value = load_strided_avx512(input + i * stride, stride, gather, evens, mask, lanes);
        const __m512 current = _mm512_maskz_loadu_ps(mask, row + i);
        const __mmask16 greater = _mm512_mask_cmp_ps_mask(mask, value, current, _CMP_GE_OQ);
        _mm512_mask_storeu_ps(row + i, mask, _mm512_mask_blend_ps(greater, current, value));
    }
}

__attribute__((target("avx512f")))
static inline void add_row_avx512(float *row, const float *input, int64_t count, int64_t stride) {
    if (stride > (1 << 27)) { add_row_portable(row, input, count, stride); return; }
    const __m512i gather = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), _mm512_set1_epi32((int)stride));
    const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    for (int64_t i = 0; i < count; i += 16) {
        const int64_t lanes = count - i < 16 ? count - i : 16;
        const __mmask16 mask = (__mmask16)(lanes == 16 ? 0xFFFF : (1u << lanes) - 1);
        const __m512 value = load_strided_avx512(input + i * stride, stride, gather, evens, mask, lanes);
        _mm512_mask_storeu_ps(row + i, mask, _mm512_add_ps(_mm512_maskz_loadu_ps(mask, row + i), value));
    }
}
#endif

// A whole plane of a pooling layer. Per output row, the window's input lines are first combined into one
// row of the input's width (max or sum, lines in the reference's order; one line is read in place), then
// each horizontal tap is swept along the output row from it. The output row is written in place; an average
// is divided by divisorZ[oz]·divisorY[oy]·divisorX[ox] (NaN when 0).
#define CONVARITH_POOL_PLANE(NAME, ATTRIBUTE, MAX, ADD) \
ATTRIBUTE static void NAME(const float *x, float *y, const int64_t *g, const float *divisorZ, const float *divisorY, \
                           const float *divisorX, int average, float empty, float *scratch) { \
    const int64_t inD = g[0], inH = g[1], inW = g[2], outD = g[3], outH = g[4], outW = g[5]; \
    const int64_t kD = g[6], kH = g[7], kW = g[8], sD = g[9], sH = g[10], sW = g[11]; \
    const int64_t dD = g[12], dH = g[13], dW = g[14], pD = g[15], pH = g[16], pW = g[17]; \
    const float start = average ? 0.0f : empty; \
    for (int64_t oz = 0; oz < outD; oz++) { \
        for (int64_t oy = 0; oy < outH; oy++) { \
            float *row = y + (oz * outH + oy) * outW; \
            const float *combined = 0; \
            int64_t lines = 0; \
            for (int64_t tz = 0; tz < kD; tz++) { \
                const int64_t z = oz * sD - pD + tz * dD; \
                if (z < 0 || z >= inD) continue; \
                for (int64_t ty = 0; ty < kH; ty++) { \
                    const int64_t yy = oy * sH - pH + ty * dH; \
                    if (yy < 0 || yy >= inH) continue; \
                    const float *line = x + (z * inH + yy) * inW; \
                    if (lines == 0) { \
                        combined = line; \
                    } else { \
                        if (lines == 1) { \
                            /* The first line through the same max from `empty`, so a NaN in it is passed over as the reference does. */ \
                            if (average) { memcpy(scratch, combined, (size_t)inW * sizeof(float)); } \
                            else { for (int64_t i = 0; i < inW; i++) scratch[i] = empty; MAX(scratch, combined, inW, 1); } \
                            combined = scratch; \
                        } \
                        if (average) ADD(scratch, line, inW, 1); else MAX(scratch, line, inW, 1); \
                    } \
                    lines++; \
                } \
            } \
            for (int64_t i = 0; i < outW; i++) row[i] = start; \
            if (lines > 0) { \
                for (int64_t tx = 0; tx < kW; tx++) { \
                    const int64_t offset = tx * dW - pW; \
                    const int64_t first = offset >= 0 ? 0 : (-offset + sW - 1) / sW; \
                    int64_t last = offset < inW ? (inW - 1 - offset) / sW + 1 : 0; \
                    if (last > outW) last = outW; \
                    if (first >= last) continue; \
                    const float *input = combined + first * sW + offset; \
                    if (average) ADD(row + first, input, last - first, sW); else MAX(row + first, input, last - first, sW); \
                } \
            } \
            if (average) { \
                /* Tap counts: their float products are exact below 2^24 taps a window. */ \
                const float zy = divisorZ[oz] * divisorY[oy]; \
                for (int64_t i = 0; i < outW; i++) { \
                    const float divisor = zy * divisorX[i]; \
                    row[i] = divisor > 0.0f ? row[i] / divisor : __builtin_nanf(""); \
                } \
            } \
        } \
    } \
}

CONVARITH_POOL_PLANE(pool_plane_portable, , max_row_portable, add_row_portable)
#ifdef CONVARITH_X86
CONVARITH_POOL_PLANE(pool_plane_avx2, __attribute__((target("avx2"))), max_row_avx2, add_row_avx2)
CONVARITH_POOL_PLANE(pool_plane_avx512, __attribute__((target("avx512f"))), max_row_avx512, add_row_avx512)
#endif

convarith_row_kernels convarith_select_row_kernels(const char *forced) {
    const convarith_row_kernels portable = {pool_plane_portable, "portable"};
#ifdef CONVARITH_X86
    const convarith_row_kernels avx2 = {pool_plane_avx2, "avx2"};
    const convarith_row_kernels avx512 = {pool_plane_avx512, "avx512"};
    switch (convarith_select_isa(forced)) {
    case 2: return avx512;
    case 1: return avx2;
    default: return portable;
    }
#else
    (void)forced;
    return portable;
#endif
}
