// Indirect micro-kernels for the fast convolution path: C[m × n] (+)= A·B where row p of B starts at
// b + offsets[p] — the input itself (or its zero-padded, phase-split copy), so B is never packed: a
// convolution's window taps are fixed offsets from its output positions. A's element (i, p) is
// a[i·row_stride + p·step_stride]: a packed panel (row stride 1, step stride mr) or row-major rows read in
// place (row stride lda, step stride 1); rows at or beyond m repeat row m − 1, and their results are
// dropped. Lanes at or beyond n are never read nor written (masked loads and stores). Each variant is
// compiled for its instruction set with a target attribute and chosen at run time, like the packed
// micro-kernels.
#include "CConvKernels.h"
#include "checks.h"
#include "dispatch.h"
#include "portable.h"
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CONVARITH_X86 1
#endif

// ---- portable: 4 × 8 ------------------------------------------------------------------------------------
// A tile narrower than 8 columns, one float at a time.
static void f32_indirect_gemm_4x8_portable_narrow(int64_t k, const float *const arow[4], int64_t step_stride, const float *b,
                                     const int64_t *offsets, float *c, int64_t ldc, int64_t rows, int64_t lanes,
                                     int accumulate) {
    float acc[4][8] = {{0}};
    if (accumulate)
        for (int64_t i = 0; i < rows; i++)
            for (int64_t j = 0; j < lanes; j++) acc[i][j] = c[i * ldc + j];
    for (int64_t p = 0; p < k; p++) {
        const float *bp = b + offsets[p];
        for (int i = 0; i < 4; i++) {
            const float ai = arow[i][p * step_stride];
            for (int64_t j = 0; j < lanes; j++) acc[i][j] += ai * bp[j];
        }
    }
    for (int64_t i = 0; i < rows; i++)
        for (int64_t j = 0; j < lanes; j++) c[i * ldc + j] = acc[i][j];
}

// A tile of 4 to 7 columns: its first four in one 4-float vector a row, the rest one float at a time (a 7 × 7
// output's 55 virtual columns end in a tile of 7).
static void f32_indirect_gemm_4x8_portable_half(int64_t k, const float *const arow[4], int64_t step_stride,
                                                const float *b, const int64_t *offsets, float *c, int64_t ldc,
                                                int64_t rows, int64_t lanes, int accumulate) {
    convarith_v4 acc[4];
    float rest[4][3] = {{0}};
    for (int i = 0; i < 4; i++) {
        acc[i] = accumulate && i < rows ? v4_load(c + i * ldc) : v4_splat(0);
        if (accumulate && i < rows)
            for (int64_t j = 4; j < lanes; j++) rest[i][j - 4] = c[i * ldc + j];
    }
    for (int64_t p = 0; p < k; p++) {
        const float *bp = b + offsets[p];
        const convarith_v4 b0 = v4_load(bp);
        for (int i = 0; i < 4; i++) {
            const float ai = arow[i][p * step_stride];
            acc[i] += v4_splat(ai) * b0;
            for (int64_t j = 4; j < lanes; j++) rest[i][j - 4] += ai * bp[j];
        }
    }
    for (int64_t i = 0; i < rows; i++) {
        v4_store(c + i * ldc, acc[i]);
        for (int64_t j = 4; j < lanes; j++) c[i * ldc + j] = rest[i][j - 4];
    }
}

// A full-width tile: the accumulators in eight 4-float vectors (NEON on ARM, SSE on x86-64). Rows past `m`
// repeat the last row's weights and are computed but not stored.
static void f32_indirect_gemm_4x8_portable(int64_t k, const float *a, int64_t row_stride, int64_t step_stride, const float *b,
                              const int64_t *offsets, float *c, int64_t ldc, int64_t m, int64_t n, int accumulate) {
    const int64_t rows = m < 4 ? m : 4, lanes = n < 8 ? n : 8;
    const float *arow[4];
    for (int i = 0; i < 4; i++) arow[i] = a + (i < m ? i : m - 1) * row_stride;
    if (lanes < 8) {
        if (lanes >= 4)
            f32_indirect_gemm_4x8_portable_half(k, arow, step_stride, b, offsets, c, ldc, rows, lanes, accumulate);
        else
            f32_indirect_gemm_4x8_portable_narrow(k, arow, step_stride, b, offsets, c, ldc, rows, lanes, accumulate);
        return;
    }
    convarith_v4 acc[4][2];
    for (int i = 0; i < 4; i++) {
        const int64_t source = i < rows ? i : 0;
        acc[i][0] = accumulate ? v4_load(c + source * ldc) : v4_splat(0);
        acc[i][1] = accumulate ? v4_load(c + source * ldc + 4) : v4_splat(0);
    }
    for (int64_t p = 0; p < k; p++) {
        const float *bp = b + offsets[p];
        const convarith_v4 b0 = v4_load(bp), b1 = v4_load(bp + 4);
        for (int i = 0; i < 4; i++) {
            const convarith_v4 ai = v4_splat(arow[i][p * step_stride]);
            acc[i][0] += ai * b0;
            acc[i][1] += ai * b1;
        }
    }
    for (int64_t i = 0; i < rows; i++) {
        v4_store(c + i * ldc, acc[i][0]);
        v4_store(c + i * ldc + 4, acc[i][1]);
    }
}

#ifdef CONVARITH_X86
// ---- AVX2 + FMA: 6 × 16 ---------------------------------------------------------------------------------
__attribute__((target("avx2,fma")))
static inline __m256i lane_mask_avx2(int64_t lanes) {
    const int32_t count = lanes <= 0 ? 0 : lanes >= 8 ? 8 : (int32_t)lanes;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// A full tile (16 columns) loads and stores B and C unmasked: with two mask vectors live the loop would
// need 17 registers (a spill every step), and masked stores are slow on some CPUs. Narrower tiles (a
// chunk's edge) run the masked variant.
#define INDIRECT_AVX2(NAME, MASKED)                                                                               \
    __attribute__((target("avx2,fma"))) static void NAME(int64_t k, const float *a, int64_t row_stride,          \
                                                        int64_t step_stride, const float *b,                     \
                                                        const int64_t *offsets, float *c, int64_t ldc, int64_t m, \
                                                        int64_t n, int accumulate) {                              \
        const __m256i m0 = lane_mask_avx2(n), m1 = lane_mask_avx2(n - 8);                                        \
        (void)m0; (void)m1;                                                                                      \
        const float *arow[6];                                                                                    \
        for (int i = 0; i < 6; i++) arow[i] = a + (i < m ? i : m - 1) * row_stride;                             \
        __m256 acc[6][2];                                                                                        \
        _Pragma("GCC unroll 6") for (int i = 0; i < 6; i++) {                                                   \
            if (accumulate && i < m) {                                                                           \
                acc[i][0] = MASKED ? _mm256_maskload_ps(c + i * ldc, m0) : _mm256_loadu_ps(c + i * ldc);         \
                acc[i][1] = MASKED ? _mm256_maskload_ps(c + i * ldc + 8, m1) : _mm256_loadu_ps(c + i * ldc + 8); \
            } else {                                                                                             \
                acc[i][0] = _mm256_setzero_ps();                                                                 \
                acc[i][1] = _mm256_setzero_ps();                                                                 \
            }                                                                                                    \
        }                                                                                                        \
        for (int64_t p = 0; p < k; p++) {                                                                        \
            const float *bp = b + offsets[p];                                                                    \
            const __m256 b0 = MASKED ? _mm256_maskload_ps(bp, m0) : _mm256_loadu_ps(bp);                         \
            const __m256 b1 = MASKED ? _mm256_maskload_ps(bp + 8, m1) : _mm256_loadu_ps(bp + 8);                 \
            const int64_t step = p * step_stride;                                                                \
            _Pragma("GCC unroll 6") for (int i = 0; i < 6; i++) {                                               \
                const __m256 ai = _mm256_broadcast_ss(arow[i] + step);                                           \
                acc[i][0] = _mm256_fmadd_ps(ai, b0, acc[i][0]);                                                  \
                acc[i][1] = _mm256_fmadd_ps(ai, b1, acc[i][1]);                                                  \
            }                                                                                                    \
        }                                                                                                        \
        _Pragma("GCC unroll 6") for (int i = 0; i < 6; i++) {                                                   \
            if (i < m) {                                                                                         \
                if (MASKED) {                                                                                    \
                    _mm256_maskstore_ps(c + i * ldc, m0, acc[i][0]);                                             \
                    _mm256_maskstore_ps(c + i * ldc + 8, m1, acc[i][1]);                                         \
                } else {                                                                                         \
                    _mm256_storeu_ps(c + i * ldc, acc[i][0]);                                                    \
                    _mm256_storeu_ps(c + i * ldc + 8, acc[i][1]);                                                \
                }                                                                                                \
            }                                                                                                    \
        }                                                                                                        \
    }

INDIRECT_AVX2(f32_indirect_gemm_6x16_avx2_full, 0)
INDIRECT_AVX2(f32_indirect_gemm_6x16_avx2_masked, 1)

// A tile of 8 columns or fewer (the last of a row of outputs, a small layer's): one vector of B a step and six
// multiply-adds, instead of the two-vector loop's twelve with the second vector masked out (a 7 × 7 output's
// 55 virtual columns end in a tile of 7).
__attribute__((target("avx2,fma"))) static void f32_indirect_gemm_6x8_avx2(int64_t k, const float *a,
        int64_t row_stride, int64_t step_stride, const float *b, const int64_t *offsets, float *c, int64_t ldc,
        int64_t m, int64_t n, int accumulate) {
    const __m256i m0 = lane_mask_avx2(n);
    const float *arow[6];
    for (int i = 0; i < 6; i++) arow[i] = a + (i < m ? i : m - 1) * row_stride;
    __m256 acc[6];
    _Pragma("GCC unroll 6") for (int i = 0; i < 6; i++) {
        acc[i] = accumulate && i < m ? _mm256_maskload_ps(c + i * ldc, m0) : _mm256_setzero_ps();
    }
    for (int64_t p = 0; p < k; p++) {
        const __m256 b0 = _mm256_maskload_ps(b + offsets[p], m0);
        const int64_t step = p * step_stride;
        _Pragma("GCC unroll 6") for (int i = 0; i < 6; i++) {
            acc[i] = _mm256_fmadd_ps(_mm256_broadcast_ss(arow[i] + step), b0, acc[i]);
        }
    }
    _Pragma("GCC unroll 6") for (int i = 0; i < 6; i++) {
        if (i < m) _mm256_maskstore_ps(c + i * ldc, m0, acc[i]);
    }
}

__attribute__((target("avx2,fma")))
static void f32_indirect_gemm_6x16_avx2(int64_t k, const float *a, int64_t row_stride, int64_t step_stride, const float *b,
                          const int64_t *offsets, float *c, int64_t ldc, int64_t m, int64_t n, int accumulate) {
    if (n >= 16) f32_indirect_gemm_6x16_avx2_full(k, a, row_stride, step_stride, b, offsets, c, ldc, m, n, accumulate);
    else if (n > 8)
        f32_indirect_gemm_6x16_avx2_masked(k, a, row_stride, step_stride, b, offsets, c, ldc, m, n, accumulate);
    else f32_indirect_gemm_6x8_avx2(k, a, row_stride, step_stride, b, offsets, c, ldc, m, n, accumulate);
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
    __attribute__((target("avx512f,fma"))) static void NAME(int64_t k, const float *a, int64_t row_stride,          \
                                                           int64_t step_stride, const float *b,                     \
                                                           const int64_t *offsets, float *c, int64_t ldc, int64_t m, \
                                                           int64_t n, int accumulate) {                              \
        __mmask16 masks[VECTORS];                                                                                    \
        for (int v = 0; v < VECTORS; v++) masks[v] = lane_mask_avx512(n - 16 * v);                                  \
        const float *arow[8];                                                                                        \
        for (int i = 0; i < 8; i++) arow[i] = a + (i < m ? i : m - 1) * row_stride;                                 \
        __m512 acc[8][VECTORS];                                                                                      \
        _Pragma("GCC unroll 8") for (int i = 0; i < 8; i++) {                                                       \
            _Pragma("GCC unroll 3") for (int v = 0; v < VECTORS; v++) acc[i][v] =                                    \
                accumulate && i < m ? _mm512_maskz_loadu_ps(masks[v], c + i * ldc + 16 * v) : _mm512_setzero_ps();   \
        }                                                                                                            \
        for (int64_t p = 0; p < k; p++) {                                                                            \
            const float *bp = b + offsets[p];                                                                        \
            const int64_t step = p * step_stride;                                                                    \
            __m512 row[VECTORS];                                                                                     \
            _Pragma("GCC unroll 3") for (int v = 0; v < VECTORS; v++) row[v] = _mm512_maskz_loadu_ps(masks[v], bp + 16 * v); \
            _Pragma("GCC unroll 8") for (int i = 0; i < 8; i++) {                                                   \
                const __m512 ai = _mm512_set1_ps(arow[i][step]);                                                     \
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

INDIRECT_AVX512(f32_indirect_gemm_8x16_avx512, 1)
INDIRECT_AVX512(f32_indirect_gemm_8x32_avx512, 2)
INDIRECT_AVX512(f32_indirect_gemm_8x48_avx512_whole, 3)

__attribute__((target("avx512f,fma")))
static void f32_indirect_gemm_8x48_avx512(int64_t k, const float *a, int64_t row_stride, int64_t step_stride, const float *b,
                            const int64_t *offsets, float *c, int64_t ldc, int64_t m, int64_t n, int accumulate) {
    if (n > 32) f32_indirect_gemm_8x48_avx512_whole(k, a, row_stride, step_stride, b, offsets, c, ldc, m, n, accumulate);
    else if (n > 16) f32_indirect_gemm_8x32_avx512(k, a, row_stride, step_stride, b, offsets, c, ldc, m, n, accumulate);
    else f32_indirect_gemm_8x16_avx512(k, a, row_stride, step_stride, b, offsets, c, ldc, m, n, accumulate);
}
#endif

convarith_indirect_kernel convarith_select_indirect_kernel(const char *forced) {
    CONVARITH_CHOOSE(forced,
                     ((convarith_indirect_kernel){4, 8, f32_indirect_gemm_4x8_portable, "portable"}),
                     ((convarith_indirect_kernel){6, 16, f32_indirect_gemm_6x16_avx2, "avx2"}),
                     ((convarith_indirect_kernel){8, 48, f32_indirect_gemm_8x48_avx512, "avx512"}))
}

void convarith_pack_row_panels(const float *a, int64_t rows, int64_t depth, int64_t lda, int64_t mr, float *out) {
    CONVARITH_ASSERT(rows >= 1 && mr >= 1 && mr <= 16 && lda >= depth);
    for (int64_t panel = 0; panel * mr < rows; panel++) {
        const float *source[16];
        for (int64_t i = 0; i < mr; i++) {
            const int64_t row = panel * mr + i < rows ? panel * mr + i : rows - 1;
            source[i] = a + row * lda;
        }
        float *target = out + panel * depth * mr;
        for (int64_t p = 0; p < depth; p++)
            for (int64_t i = 0; i < mr; i++) target[p * mr + i] = source[i][p];
    }
}

// n floats from `from` to `to`: the common widths (a tile's 16 or 48 columns, a compact phase's rows of 4, 8 or
// 16 outputs) as fixed-size copies, a few vector moves each; others as variable ones.
static inline void copy_floats(const float *from, float *to, int64_t n) {
    switch (n) {
    case 4: memcpy(to, from, 4 * sizeof(float)); break;
    case 8: memcpy(to, from, 8 * sizeof(float)); break;
    case 16: memcpy(to, from, 16 * sizeof(float)); break;
    case 48: memcpy(to, from, 48 * sizeof(float)); break;
    default: memcpy(to, from, (size_t)n * sizeof(float)); break;
    }
}

void convarith_gather_rows(const float *b, const int64_t *offsets, int64_t k, int64_t n, float *out, int64_t ldo) {
    for (int64_t p = 0; p < k; p++) copy_floats(b + offsets[p], out + p * ldo, n);
}

void convarith_gather_grid(const float *b, const int64_t *offsets, int64_t k, int64_t rows0, int64_t pitch0,
                           int64_t rows1, int64_t pitch1, int64_t n, float *out, int64_t ldo) {
    CONVARITH_ASSERT(k >= 0 && rows0 >= 0 && rows1 >= 0 && n >= 0 && ldo >= rows0 * rows1 * n);
    for (int64_t p = 0; p < k; p++) {
        const float *source = b + offsets[p];
        float *target = out + p * ldo;
        for (int64_t r0 = 0; r0 < rows0; r0++)
            for (int64_t r1 = 0; r1 < rows1; r1++)
                copy_floats(source + r0 * pitch0 + r1 * pitch1, target + (r0 * rows1 + r1) * n, n);
    }
}

// One row's runs, one after the other: AVX-512 a masked vector at a time; AVX2 whole vectors, a run's last one
// loaded under a mask and stored whole (up to 7 floats past the run: the next run, or the row's slack, rewrites
// them); portable with memcpy.
#ifdef CONVARITH_X86
__attribute__((target("avx512f")))
static void gather_runs_avx512(const float *source, const int64_t *runs, int64_t run_count, float *target) {
    for (int64_t r = 0; r < run_count; r++) {
        const float *from = source + runs[2 * r];
        const int64_t n = runs[2 * r + 1];
        for (int64_t j = 0; j < n; j += 16) {
            const __mmask16 mask = n - j >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (n - j)) - 1);
            _mm512_mask_storeu_ps(target + j, mask, _mm512_maskz_loadu_ps(mask, from + j));
        }
        target += n;
    }
}

__attribute__((target("avx2")))
static void gather_runs_avx2(const float *source, const int64_t *runs, int64_t run_count, float *target) {
    static const int32_t lanes[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    for (int64_t r = 0; r < run_count; r++) {
        const float *from = source + runs[2 * r];
        const int64_t n = runs[2 * r + 1];
        int64_t j = 0;
        for (; j + 8 <= n; j += 8) _mm256_storeu_ps(target + j, _mm256_loadu_ps(from + j));
        if (j < n) {
            const __m256i mask = _mm256_loadu_si256((const __m256i *)(lanes + 8 - (n - j)));
            _mm256_storeu_ps(target + j, _mm256_maskload_ps(from + j, mask));
        }
        target += n;
    }
}
#endif

void convarith_gather_runs(const float *b, const int64_t *offsets, int64_t k, const int64_t *runs, int64_t run_count,
                           float *out, int64_t ldo, int isa) {
    CONVARITH_ASSERT(k >= 0 && run_count >= 0);
    for (int64_t p = 0; p < k; p++) {
        const float *source = b + offsets[p];
        float *target = out + p * ldo;
#ifdef CONVARITH_X86
        if (isa == 2) { gather_runs_avx512(source, runs, run_count, target); continue; }
        if (isa == 1) { gather_runs_avx2(source, runs, run_count, target); continue; }
#else
        (void)isa;
#endif
        for (int64_t r = 0; r < run_count; r++) {
            memcpy(target, source + runs[2 * r], (size_t)runs[2 * r + 1] * sizeof(float));
            target += runs[2 * r + 1];
        }
    }
}

void convarith_prefetch_rows(const float *b, const int64_t *offsets, int64_t k, int64_t n) {
    for (int64_t p = 0; p < k; p++) {
        const char *row = (const char *)(b + offsets[p]);
        for (int64_t byte = 0; byte < n * (int64_t)sizeof(float); byte += 64) __builtin_prefetch(row + byte, 0, 2);
    }
}
