// The FMA peak of one core: a loop of independent fused multiply-adds on registers, no memory traffic,
// for the instruction set the kernels use — what BENCHMARKS.md measures the kernels' GFLOP/s against.
#include "CConvKernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

// 16 independent chains: enough to cover the FMA latency on both FMA units.
__attribute__((target("avx512f,fma")))
static double peak_avx512(int64_t iterations) {
    __m512 acc[16];
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < 16; i++) acc[i] = _mm512_set1_ps((float)i);
    for (int64_t n = 0; n < iterations; n++) {
#pragma GCC unroll 16
        for (int i = 0; i < 16; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    }
    __m512 sum = acc[0];
    for (int i = 1; i < 16; i++) sum = _mm512_add_ps(sum, acc[i]);
    // The sum keeps the loop alive; it is far below 1e30.
    return _mm512_reduce_add_ps(sum) > 1e30f ? -1 : (double)iterations * 16 * 16 * 2;
}

__attribute__((target("avx2,fma")))
static double peak_avx2(int64_t iterations) {
    __m256 acc[12];
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < 12; i++) acc[i] = _mm256_set1_ps((float)i);
    for (int64_t n = 0; n < iterations; n++) {
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    }
    __m256 sum = acc[0];
    for (int i = 1; i < 12; i++) sum = _mm256_add_ps(sum, acc[i]);
    float lanes[8];
    _mm256_storeu_ps(lanes, sum);
    float total = 0;
    for (int i = 0; i < 8; i++) total += lanes[i];
    return total > 1e30f ? -1 : (double)iterations * 12 * 8 * 2;
}
#endif

double convarith_fma_peak_run(int64_t iterations, const char *forced) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    switch (convarith_select_isa(forced)) {
    case 2: return peak_avx512(iterations);
    case 1: return peak_avx2(iterations);
    default: return 0;
    }
#else
    (void)iterations;
    (void)forced;
    return 0;
#endif
}
