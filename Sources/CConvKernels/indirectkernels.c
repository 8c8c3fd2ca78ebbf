// Indirect micro-kernels for the fast convolution path: C[m × n] (+)= A·B where A is a packed panel
// (mr values per step) and row p of B starts at b + offsets[p] — the input itself (or its zero-padded,
// phase-split copy), so B is never packed: a convolution's window taps are fixed offsets from its output
// positions. Lanes at or beyond n are never read nor written (masked loads and stores), rows at or beyond
// m are never written. Each variant is compiled for its instruction set with a target attribute and
// chosen at run time, like the packed micro-kernels.
#include "CConvKernels.h"
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CONVARITH_X86 1
#endif

// ---- portable: 4 × 8 ------------------------------------------------------------------------------------
static void indirect_portable(int64_t k, const float *a, const float *b, const int64_t *offsets, float *c, int64_t ldc,
                              int64_t m, int64_t n, int accumulate) {
    float acc[4][8] = {{0}};
    const int64_t rows = m < 4 ? m : 4, lanes = n < 8 ? n : 8;
    if (accumulate)
        for (int64_t i = 0; i < rows; i++)
            for (int64_t j = 0; j < lanes; j++) acc[i][j] = c[i * ldc + j];
    for (int64_t p = 0; p < k; p++) {
        const float *bp = b + offsets[p];
        float row[8] = {0};
        for (int64_t j = 0; j < lanes; j++) row[j] = bp[j];
        for (int i = 0; i < 4; i++) {
            const float ai = a[i];
            for (int j = 0; j < 8; j++) acc[i][j] += ai * row[j];
        }
        a += 4;
    }
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < lanes; j++) c[i * ldc + j] = acc[i][j];
}

// A as rows: row i of the tile's A at a + i·lda (rows past m repeat the last one; their results are dropped).
static void indirect_rows_portable(int64_t k, const float *a, int64_t lda, const float *b, const int64_t *offsets, float *c,
                                   int64_t ldc, int64_t m, int64_t n, int accumulate) {
    float panel[4 * 256];
    for (int64_t k0 = 0; k0 < k; k0 += 256) {
        const int64_t length = k - k0 < 256 ? k - k0 : 256;
        for (int64_t p = 0; p < length; p++)
            for (int i = 0; i < 4; i++) panel[p * 4 + i] = a[(i < m ? i : m - 1) * lda + k0 + p];
        indirect_portable(length, panel, b, offsets + k0, c, ldc, m, n, accumulate || k0 > 0);
    }
}

#ifdef CONVARITH_X86
// ---- AVX2 + FMA: 6 × 16 ---------------------------------------------------------------------------------
__attribute__((target("avx2,fma")))
static inline __m256i lane_mask_avx2(int64_t lanes) {
    const int32_t count = lanes <= 0 ? 0 : lanes >= 8 ? 8 : (int32_t)lanes;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

__attribute__((target("avx2,fma")))
static void indirect_avx2(int64_t k, const float *a, const float *b, const int64_t *offsets, float *c, int64_t ldc,
                          int64_t m, int64_t n, int accumulate) {
    const __m256i m0 = lane_mask_avx2(n), m1 = lane_mask_avx2(n - 8);
    __m256 acc[6][2];
#pragma GCC unroll 6
    for (int i = 0; i < 6; i++) {
        if (accumulate && i < m) {
            acc[i][0] = _mm256_maskload_ps(c + i * ldc, m0);
            acc[i][1] = _mm256_maskload_ps(c + i * ldc + 8, m1);
        } else {
            acc[i][0] = _mm256_setzero_ps();
            acc[i][1] = _mm256_setzero_ps();
        }
    }
    for (int64_t p = 0; p < k; p++) {
        const float *bp = b + offsets[p];
        const __m256 b0 = _mm256_maskload_ps(bp, m0), b1 = _mm256_maskload_ps(bp + 8, m1);
#pragma GCC unroll 6
        for (int i = 0; i < 6; i++) {
            const __m256 ai = _mm256_broadcast_ss(a + i);
            acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);
        }
        a += 6;
    }
#pragma GCC unroll 6
    for (int i = 0; i < 6; i++) {
        if (i < m) {
            _mm256_maskstore_ps(c + i * ldc, m0, acc[i][0]);
            _mm256_maskstore_ps(c + i * ldc + 8, m1, acc[i][1]);
        }
    }
}

__attribute__((target("avx2,fma")))
static void indirect_rows_avx2(int64_t k, const float *a, int64_t lda, const float *b, const int64_t *offsets, float *c,
                               int64_t ldc, int64_t m, int64_t n, int accumulate) {
    float panel[6 * 256];
    for (int64_t k0 = 0; k0 < k; k0 += 256) {
        const int64_t length = k - k0 < 256 ? k - k0 : 256;
        for (int64_t p = 0; p < length; p++)
            for (int i = 0; i < 6; i++) panel[p * 6 + i] = a[(i < m ? i : m - 1) * lda + k0 + p];
        indirect_avx2(length, panel, b, offsets + k0, c, ldc, m, n, accumulate || k0 > 0);
    }
}

// ---- AVX-512F: 8 × 48 -----------------------------------------------------------------------------------
// Eight rows (output channels come in multiples of eight far more often than of fourteen) by up to three
// vectors: 24 accumulators, three loads of B and eight broadcasts of A per step. A tile of 32 or 16
// columns or fewer (the edge of a chunk, a small layer) runs the two- or one-vector loop instead of
// multiplying masked-out lanes.
__attribute__((target("avx512f,fma")))
static inline __mmask16 lane_mask_avx512(int64_t lanes) {
    return lanes <= 0 ? (__mmask16)0 : lanes >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << lanes) - 1);
}

#define INDIRECT_AVX512(NAME, VECTORS)                                                                             \
    __attribute__((target("avx512f,fma"))) static void NAME(int64_t k, const float *a, const float *b,              \
                                                           const int64_t *offsets, float *c, int64_t ldc, int64_t m, \
                                                           int64_t n, int accumulate) {                              \
        __mmask16 masks[VECTORS];                                                                                    \
        for (int v = 0; v < VECTORS; v++) masks[v] = lane_mask_avx512(n - 16 * v);                                  \
        __m512 acc[8][VECTORS];                                                                                      \
        _Pragma("GCC unroll 8") for (int i = 0; i < 8; i++) {                                                       \
            _Pragma("GCC unroll 3") for (int v = 0; v < VECTORS; v++) acc[i][v] =                                    \
                accumulate && i < m ? _mm512_maskz_loadu_ps(masks[v], c + i * ldc + 16 * v) : _mm512_setzero_ps();   \
        }                                                                                                            \
        for (int64_t p = 0; p < k; p++) {                                                                            \
            const float *bp = b + offsets[p];                                                                        \
            __m512 row[VECTORS];                                                                                     \
            _Pragma("GCC unroll 3") for (int v = 0; v < VECTORS; v++) row[v] = _mm512_maskz_loadu_ps(masks[v], bp + 16 * v); \
            _Pragma("GCC unroll 8") for (int i = 0; i < 8; i++) {                                                   \
                const __m512 ai = _mm512_set1_ps(a[i]);                                                              \
                _Pragma("GCC unroll 3") for (int v = 0; v < VECTORS; v++) acc[i][v] = _mm512_fmadd_ps(ai, row[v], acc[i][v]); \
            }                                                                                                        \
            a += 8;                                                                                                  \
        }                                                                                                            \
        _Pragma("GCC unroll 8") for (int i = 0; i < 8; i++) {                                                       \
            if (i < m) {                                                                                             \
                _Pragma("GCC unroll 3") for (int v = 0; v < VECTORS; v++)                                            \
                    _mm512_mask_storeu_ps(c + i * ldc + 16 * v, masks[v], acc[i][v]);                               \
            }                                                                                                        \
        }                                                                                                            \
    }

// The same with A as rows (`a + i·lda`), read in place: a convolution's weights need no packing.
#define INDIRECT_ROWS_AVX512(NAME, VECTORS)                                                                        \
    __attribute__((target("avx512f,fma"))) static void NAME(int64_t k, const float *a, int64_t lda, const float *b,  \
                                                           const int64_t *offsets, float *c, int64_t ldc, int64_t m, \
                                                           int64_t n, int accumulate) {                              \
        __mmask16 masks[VECTORS];                                                                                    \
        for (int v = 0; v < VECTORS; v++) masks[v] = lane_mask_avx512(n - 16 * v);                                  \
        const float *rows[8];                                                                                        \
        for (int i = 0; i < 8; i++) rows[i] = a + (i < m ? i : m - 1) * lda;                                        \
        __m512 acc[8][VECTORS];                                                                                      \
        _Pragma("GCC unroll 8") for (int i = 0; i < 8; i++) {                                                       \
            _Pragma("GCC unroll 3") for (int v = 0; v < VECTORS; v++) acc[i][v] =                                    \
                accumulate && i < m ? _mm512_maskz_loadu_ps(masks[v], c + i * ldc + 16 * v) : _mm512_setzero_ps();   \
        }                                                                                                            \
        for (int64_t p = 0; p < k; p++) {                                                                            \
            const float *bp = b + offsets[p];                                                                        \
            __m512 row[VECTORS];                                                                                     \
            _Pragma("GCC unroll 3") for (int v = 0; v < VECTORS; v++) row[v] = _mm512_maskz_loadu_ps(masks[v], bp + 16 * v); \
            _Pragma("GCC unroll 8") for (int i = 0; i < 8; i++) {                                                   \
                const __m512 ai = _mm512_set1_ps(rows[i][p]);                                                        \
                _Pragma("GCC unroll 3") for (int v = 0; v < VECTORS; v++) acc[i][v] = _mm512_fmadd_ps(ai, row[v], acc[i][v]); \
            }                                                                                                        \
        }                                                                                                            \
        _Pragma("GCC unroll 8") for (int i = 0; i < 8; i++) {                                                       \
            if (i < m) {                                                                                             \
                _Pragma("GCC unroll 3") for (int v = 0; v < VECTORS; v++)                                            \
                    _mm512_mask_storeu_ps(c + i * ldc + 16 * v, masks[v], acc[i][v]);                               \
            }                                                                                                        \
        }                                                                                                            \
    }

INDIRECT_ROWS_AVX512(indirect_rows_avx512_8x16, 1)
INDIRECT_ROWS_AVX512(indirect_rows_avx512_8x32, 2)
INDIRECT_ROWS_AVX512(indirect_rows_avx512_8x48, 3)

__attribute__((target("avx512f,fma")))
static void indirect_rows_avx512(int64_t k, const float *a, int64_t lda, const float *b, const int64_t *offsets, float *c,
                                 int64_t ldc, int64_t m, int64_t n, int accumulate) {
    if (n > 32) indirect_rows_avx512_8x48(k, a, lda, b, offsets, c, ldc, m, n, accumulate);
    else if (n > 16) indirect_rows_avx512_8x32(k, a, lda, b, offsets, c, ldc, m, n, accumulate);
    else indirect_rows_avx512_8x16(k, a, lda, b, offsets, c, ldc, m, n, accumulate);
}

INDIRECT_AVX512(indirect_avx512_8x16, 1)
INDIRECT_AVX512(indirect_avx512_8x32, 2)
INDIRECT_AVX512(indirect_avx512_8x48, 3)

__attribute__((target("avx512f,fma")))
static void indirect_avx512(int64_t k, const float *a, const float *b, const int64_t *offsets, float *c, int64_t ldc,
                            int64_t m, int64_t n, int accumulate) {
    if (n > 32) indirect_avx512_8x48(k, a, b, offsets, c, ldc, m, n, accumulate);
    else if (n > 16) indirect_avx512_8x32(k, a, b, offsets, c, ldc, m, n, accumulate);
    else indirect_avx512_8x16(k, a, b, offsets, c, ldc, m, n, accumulate);
}
#endif

convarith_indirect_kernel convarith_select_indirect_kernel(const char *forced) {
    const convarith_indirect_kernel portable = {4, 8, indirect_portable, indirect_rows_portable, "portable"};
#ifdef CONVARITH_X86
    const convarith_indirect_kernel avx2 = {6, 16, indirect_avx2, indirect_rows_avx2, "avx2"};
    const convarith_indirect_kernel avx512 = {8, 48, indirect_avx512, indirect_rows_avx512, "avx512"};
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
