// Position micro-kernels: the GEMM of a convolution with few output positions turned round, so that the
// positions are the tile's rows (broadcast) and the output channels its lanes. Row i of A is output position
// i of a run of consecutive positions in the input's (padded, phase-split) copy, and its step p is the window
// tap a_offsets[p] from there: A is never materialized, as B is not in the indirect kernels. B is the weights
// packed transposed, row p (one tap of one input channel) holding the output channels' weights. A tile has
// exactly m rows (variants for every m up to mr), so a 7 × 7 output is seven tiles of seven rows with no row
// computed and dropped. Each variant is compiled for its instruction set and chosen at run time.
#include "CConvKernels.h"
#include "dispatch.h"
#include "portable.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CONVARITH_X86 1
#endif

// ---- portable: 4 × 8 ------------------------------------------------------------------------------------
// A full tile (4 rows, 8 columns) keeps its accumulators in eight 4-float vectors (NEON on ARM, SSE on
// x86-64); a partial one goes a float at a time (its rows past `m` must not be read).
static void f32_positions_gemm_4x8_portable(int64_t k, const float *a, const int64_t *a_offsets, const float *b, int64_t ldb, float *c,
                               int64_t ldc, int64_t m, int64_t n, int accumulate) {
    if (m >= 4 && n >= 8) {
        convarith_v4 acc[4][2];
        for (int i = 0; i < 4; i++) {
            acc[i][0] = accumulate ? v4_load(c + i * ldc) : v4_splat(0);
            acc[i][1] = accumulate ? v4_load(c + i * ldc + 4) : v4_splat(0);
        }
        for (int64_t p = 0; p < k; p++) {
            const float *ap = a + a_offsets[p], *bp = b + p * ldb;
            const convarith_v4 b0 = v4_load(bp), b1 = v4_load(bp + 4);
            for (int i = 0; i < 4; i++) {
                const convarith_v4 ai = v4_splat(ap[i]);
                acc[i][0] += ai * b0;
                acc[i][1] += ai * b1;
            }
        }
        for (int i = 0; i < 4; i++) {
            v4_store(c + i * ldc, acc[i][0]);
            v4_store(c + i * ldc + 4, acc[i][1]);
        }
        return;
    }
    float acc[4][8] = {{0}};
    const int64_t rows = m < 4 ? m : 4, lanes = n < 8 ? n : 8;
    if (accumulate)
        for (int64_t i = 0; i < rows; i++)
            for (int64_t j = 0; j < lanes; j++) acc[i][j] = c[i * ldc + j];
    for (int64_t p = 0; p < k; p++) {
        const float *ap = a + a_offsets[p], *bp = b + p * ldb;
        for (int64_t i = 0; i < rows; i++) {
            const float ai = ap[i];
            for (int64_t j = 0; j < lanes; j++) acc[i][j] += ai * bp[j];
        }
    }
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < lanes; j++) c[i * ldc + j] = acc[i][j];
}

#ifdef CONVARITH_X86
typedef void (*positions_variant)(int64_t k, const float *a, const int64_t *a_offsets, const float *b, int64_t ldb, float *c,
                                  int64_t ldc, int64_t n, int accumulate);

// ---- AVX2 + FMA: 6 × 16 ---------------------------------------------------------------------------------
__attribute__((target("avx2,fma")))
static inline __m256i positions_mask_avx2(int64_t lanes) {
    const int32_t count = lanes <= 0 ? 0 : lanes >= 8 ? 8 : (int32_t)lanes;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

#define POSITIONS_AVX2(NAME, ROWS, VECTORS)                                                                           \
    __attribute__((target("avx2,fma"))) static void NAME(int64_t k, const float *a, const int64_t *a_offsets,         \
                                                        const float *b, int64_t ldb, float *c, int64_t ldc, int64_t n, \
                                                        int accumulate) {                                            \
        __m256i masks[VECTORS];                                                                                      \
        for (int v = 0; v < VECTORS; v++) masks[v] = positions_mask_avx2(n - 8 * v);                                 \
        __m256 acc[ROWS][VECTORS];                                                                                   \
        for (int i = 0; i < ROWS; i++)                                                                               \
            for (int v = 0; v < VECTORS; v++)                                                                        \
                acc[i][v] = accumulate ? _mm256_maskload_ps(c + i * ldc + 8 * v, masks[v]) : _mm256_setzero_ps();    \
        for (int64_t p = 0; p < k; p++) {                                                                            \
            const float *ap = a + a_offsets[p], *bp = b + p * ldb;                                                   \
            __m256 row[VECTORS];                                                                                     \
            for (int v = 0; v < VECTORS; v++) row[v] = _mm256_maskload_ps(bp + 8 * v, masks[v]);                     \
            for (int i = 0; i < ROWS; i++) {                                                                         \
                const __m256 ai = _mm256_broadcast_ss(ap + i);                                                       \
                for (int v = 0; v < VECTORS; v++) acc[i][v] = _mm256_fmadd_ps(ai, row[v], acc[i][v]);                \
            }                                                                                                        \
        }                                                                                                            \
        for (int i = 0; i < ROWS; i++)                                                                               \
            for (int v = 0; v < VECTORS; v++) _mm256_maskstore_ps(c + i * ldc + 8 * v, masks[v], acc[i][v]);          \
    }

#define POSITIONS_AVX2_ROWS(R) POSITIONS_AVX2(positions_avx2_##R##x8, R, 1) POSITIONS_AVX2(positions_avx2_##R##x16, R, 2)
POSITIONS_AVX2_ROWS(1) POSITIONS_AVX2_ROWS(2) POSITIONS_AVX2_ROWS(3) POSITIONS_AVX2_ROWS(4) POSITIONS_AVX2_ROWS(5)
POSITIONS_AVX2_ROWS(6)

static const positions_variant positions_avx2_variants[6][2] = {
    {positions_avx2_1x8, positions_avx2_1x16}, {positions_avx2_2x8, positions_avx2_2x16},
    {positions_avx2_3x8, positions_avx2_3x16}, {positions_avx2_4x8, positions_avx2_4x16},
    {positions_avx2_5x8, positions_avx2_5x16}, {positions_avx2_6x8, positions_avx2_6x16},
};

static void f32_positions_gemm_6x16_avx2(int64_t k, const float *a, const int64_t *a_offsets, const float *b, int64_t ldb, float *c,
                           int64_t ldc, int64_t m, int64_t n, int accumulate) {
    if (m <= 0 || n <= 0) return;
    const int64_t rows = m < 6 ? m : 6, vectors = n > 8 ? 2 : 1;
    positions_avx2_variants[rows - 1][vectors - 1](k, a, a_offsets, b, ldb, c, ldc, n < 16 ? n : 16, accumulate);
}

// ---- AVX-512F: 8 × 48 -----------------------------------------------------------------------------------
// Up to eight positions by three vectors of output channels: 24 accumulators, three loads of B and eight
// broadcasts of A per step.
__attribute__((target("avx512f")))
static inline __mmask16 positions_mask_avx512(int64_t lanes) {
    return lanes <= 0 ? (__mmask16)0 : lanes >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << lanes) - 1);
}

#define POSITIONS_AVX512(NAME, ROWS, VECTORS)                                                                            \
    __attribute__((target("avx512f,fma"))) static void NAME(int64_t k, const float *a, const int64_t *a_offsets,         \
                                                           const float *b, int64_t ldb, float *c, int64_t ldc, int64_t n, \
                                                           int accumulate) {                                            \
        __mmask16 masks[VECTORS];                                                                                       \
        for (int v = 0; v < VECTORS; v++) masks[v] = positions_mask_avx512(n - 16 * v);                                  \
        __m512 acc[ROWS][VECTORS];                                                                                      \
        for (int i = 0; i < ROWS; i++)                                                                                  \
            for (int v = 0; v < VECTORS; v++)                                                                           \
                acc[i][v] = accumulate ? _mm512_maskz_loadu_ps(masks[v], c + i * ldc + 16 * v) : _mm512_setzero_ps();   \
        for (int64_t p = 0; p < k; p++) {                                                                               \
            const float *ap = a + a_offsets[p], *bp = b + p * ldb;                                                      \
            __m512 row[VECTORS];                                                                                        \
            for (int v = 0; v < VECTORS; v++) row[v] = _mm512_maskz_loadu_ps(masks[v], bp + 16 * v);                     \
            for (int i = 0; i < ROWS; i++) {                                                                            \
                const __m512 ai = _mm512_set1_ps(ap[i]);                                                                \
                for (int v = 0; v < VECTORS; v++) acc[i][v] = _mm512_fmadd_ps(ai, row[v], acc[i][v]);                   \
            }                                                                                                           \
        }                                                                                                               \
        for (int i = 0; i < ROWS; i++)                                                                                  \
            for (int v = 0; v < VECTORS; v++) _mm512_mask_storeu_ps(c + i * ldc + 16 * v, masks[v], acc[i][v]);         \
    }

#define POSITIONS_AVX512_ROWS(R)                                                                                        \
    POSITIONS_AVX512(positions_avx512_##R##x16, R, 1) POSITIONS_AVX512(positions_avx512_##R##x32, R, 2)                  \
    POSITIONS_AVX512(positions_avx512_##R##x48, R, 3)
POSITIONS_AVX512_ROWS(1) POSITIONS_AVX512_ROWS(2) POSITIONS_AVX512_ROWS(3) POSITIONS_AVX512_ROWS(4)
POSITIONS_AVX512_ROWS(5) POSITIONS_AVX512_ROWS(6) POSITIONS_AVX512_ROWS(7) POSITIONS_AVX512_ROWS(8)

#define POSITIONS_AVX512_ENTRY(R) {positions_avx512_##R##x16, positions_avx512_##R##x32, positions_avx512_##R##x48}
static const positions_variant positions_avx512_variants[8][3] = {
    POSITIONS_AVX512_ENTRY(1), POSITIONS_AVX512_ENTRY(2), POSITIONS_AVX512_ENTRY(3), POSITIONS_AVX512_ENTRY(4),
    POSITIONS_AVX512_ENTRY(5), POSITIONS_AVX512_ENTRY(6), POSITIONS_AVX512_ENTRY(7), POSITIONS_AVX512_ENTRY(8),
};

static void f32_positions_gemm_8x48_avx512(int64_t k, const float *a, const int64_t *a_offsets, const float *b, int64_t ldb, float *c,
                             int64_t ldc, int64_t m, int64_t n, int accumulate) {
    if (m <= 0 || n <= 0) return;
    const int64_t rows = m < 8 ? m : 8, vectors = n > 32 ? 3 : n > 16 ? 2 : 1;
    positions_avx512_variants[rows - 1][vectors - 1](k, a, a_offsets, b, ldb, c, ldc, n < 48 ? n : 48, accumulate);
}
#endif

convarith_positions_kernel convarith_select_positions_kernel(const char *forced) {
    CONVARITH_CHOOSE(forced,
                     ((convarith_positions_kernel){4, 8, f32_positions_gemm_4x8_portable, "portable"}),
                     ((convarith_positions_kernel){6, 16, f32_positions_gemm_6x16_avx2, "avx2"}),
                     ((convarith_positions_kernel){8, 48, f32_positions_gemm_8x48_avx512, "avx512"}))
}
