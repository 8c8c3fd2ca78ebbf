// Micro-kernels for the fast convolution path. Each variant is compiled for its instruction set with a
// target attribute and chosen at run time, so one binary runs on any x86-64 (and elsewhere the portable
// kernel), and no compiler flag is needed by the package or its clients.
#include "CConvKernels.h"
#include "dispatch.h"
#include "portable.h"
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CONVARITH_X86 1
#endif

// ---- portable: 4 × 8, the accumulators in eight 4-float vectors (NEON on ARM, SSE on x86-64) --------------
static void f32_gemm_4x8_portable(int64_t k, const float *a, const float *b, float *c, int64_t ldc, int accumulate) {
    convarith_v4 c00 = v4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    if (accumulate) {
        c00 = v4_load(c + 0 * ldc); c01 = v4_load(c + 0 * ldc + 4);
        c10 = v4_load(c + 1 * ldc); c11 = v4_load(c + 1 * ldc + 4);
        c20 = v4_load(c + 2 * ldc); c21 = v4_load(c + 2 * ldc + 4);
        c30 = v4_load(c + 3 * ldc); c31 = v4_load(c + 3 * ldc + 4);
    }
    for (int64_t p = 0; p < k; p++) {
        const float *bp = b + p * 8, *ap = a + p * 4;
        const convarith_v4 b0 = v4_load(bp), b1 = v4_load(bp + 4);
        convarith_v4 ai = v4_splat(ap[0]);
        c00 += ai * b0; c01 += ai * b1;
        ai = v4_splat(ap[1]);
        c10 += ai * b0; c11 += ai * b1;
        ai = v4_splat(ap[2]);
        c20 += ai * b0; c21 += ai * b1;
        ai = v4_splat(ap[3]);
        c30 += ai * b0; c31 += ai * b1;
    }
    v4_store(c + 0 * ldc, c00); v4_store(c + 0 * ldc + 4, c01);
    v4_store(c + 1 * ldc, c10); v4_store(c + 1 * ldc + 4, c11);
    v4_store(c + 2 * ldc, c20); v4_store(c + 2 * ldc + 4, c21);
    v4_store(c + 3 * ldc, c30); v4_store(c + 3 * ldc + 4, c31);
}

#ifdef CONVARITH_X86
// ---- AVX2 + FMA: 6 × 16 ---------------------------------------------------------------------------------
__attribute__((target("avx2,fma")))
static void f32_gemm_6x16_avx2(int64_t k, const float *a, const float *b, float *c, int64_t ldc, int accumulate) {
    __m256 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    if (accumulate) {
        c00 = _mm256_loadu_ps(c + 0 * ldc); c01 = _mm256_loadu_ps(c + 0 * ldc + 8);
        c10 = _mm256_loadu_ps(c + 1 * ldc); c11 = _mm256_loadu_ps(c + 1 * ldc + 8);
        c20 = _mm256_loadu_ps(c + 2 * ldc); c21 = _mm256_loadu_ps(c + 2 * ldc + 8);
        c30 = _mm256_loadu_ps(c + 3 * ldc); c31 = _mm256_loadu_ps(c + 3 * ldc + 8);
        c40 = _mm256_loadu_ps(c + 4 * ldc); c41 = _mm256_loadu_ps(c + 4 * ldc + 8);
        c50 = _mm256_loadu_ps(c + 5 * ldc); c51 = _mm256_loadu_ps(c + 5 * ldc + 8);
    } else {
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = _mm256_setzero_ps();
    }
    for (int64_t p = 0; p < k; p++) {
        const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
        __m256 ai;
        ai = _mm256_broadcast_ss(a + 0); c00 = _mm256_fmadd_ps(ai, b0, c00); c01 = _mm256_fmadd_ps(ai, b1, c01);
        ai = _mm256_broadcast_ss(a + 1); c10 = _mm256_fmadd_ps(ai, b0, c10); c11 = _mm256_fmadd_ps(ai, b1, c11);
        ai = _mm256_broadcast_ss(a + 2); c20 = _mm256_fmadd_ps(ai, b0, c20); c21 = _mm256_fmadd_ps(ai, b1, c21);
        ai = _mm256_broadcast_ss(a + 3); c30 = _mm256_fmadd_ps(ai, b0, c30); c31 = _mm256_fmadd_ps(ai, b1, c31);
        ai = _mm256_broadcast_ss(a + 4); c40 = _mm256_fmadd_ps(ai, b0, c40); c41 = _mm256_fmadd_ps(ai, b1, c41);
        ai = _mm256_broadcast_ss(a + 5); c50 = _mm256_fmadd_ps(ai, b0, c50); c51 = _mm256_fmadd_ps(ai, b1, c51);
        a += 6;
        b += 16;
    }
    _mm256_storeu_ps(c + 0 * ldc, c00); _mm256_storeu_ps(c + 0 * ldc + 8, c01);
    _mm256_storeu_ps(c + 1 * ldc, c10); _mm256_storeu_ps(c + 1 * ldc + 8, c11);
    _mm256_storeu_ps(c + 2 * ldc, c20); _mm256_storeu_ps(c + 2 * ldc + 8, c21);
    _mm256_storeu_ps(c + 3 * ldc, c30); _mm256_storeu_ps(c + 3 * ldc + 8, c31);
    _mm256_storeu_ps(c + 4 * ldc, c40); _mm256_storeu_ps(c + 4 * ldc + 8, c41);
    _mm256_storeu_ps(c + 5 * ldc, c50); _mm256_storeu_ps(c + 5 * ldc + 8, c51);
}

// ---- AVX-512F: 14 × 32 ----------------------------------------------------------------------------------
__attribute__((target("avx512f,fma")))
static void f32_gemm_14x32_avx512(int64_t k, const float *a, const float *b, float *c, int64_t ldc, int accumulate) {
    __m512 acc[14][2];
    for (int i = 0; i < 14; i++) {
        if (accumulate) {
            acc[i][0] = _mm512_loadu_ps(c + i * ldc);
            acc[i][1] = _mm512_loadu_ps(c + i * ldc + 16);
        } else {
            acc[i][0] = _mm512_setzero_ps();
            acc[i][1] = _mm512_setzero_ps();
        }
    }
    for (int64_t p = 0; p < k; p++) {
        const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 14
        for (int i = 0; i < 14; i++) {
            const __m512 ai = _mm512_set1_ps(a[i]);
            acc[i][0] = _mm512_fmadd_ps(ai, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(ai, b1, acc[i][1]);
        }
        a += 14;
        b += 32;
    }
    for (int i = 0; i < 14; i++) {
        _mm512_storeu_ps(c + i * ldc, acc[i][0]);
        _mm512_storeu_ps(c + i * ldc + 16, acc[i][1]);
    }
}
#endif

int convarith_supports(const char *name) {
    if (name == 0 || strcmp(name, "portable") == 0) return 1;
#ifdef CONVARITH_X86
    __builtin_cpu_init();
    if (strcmp(name, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (strcmp(name, "avx512") == 0) return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
#endif
    return 0;
}

int convarith_select_isa(const char *forced) {
    if (forced != 0 && forced[0] != 0) {
        if (strcmp(forced, "avx512") == 0 && convarith_supports("avx512")) return 2;
        if (strcmp(forced, "avx2") == 0 && convarith_supports("avx2")) return 1;
        return 0;
    }
    if (convarith_supports("avx512")) return 2;
    if (convarith_supports("avx2")) return 1;
    return 0;
}

convarith_microkernel convarith_select_microkernel(const char *forced) {
    CONVARITH_CHOOSE(forced,
                     ((convarith_microkernel){4, 8, f32_gemm_4x8_portable, "portable"}),
                     ((convarith_microkernel){6, 16, f32_gemm_6x16_avx2, "avx2"}),
                     ((convarith_microkernel){14, 32, f32_gemm_14x32_avx512, "avx512"}))
}
