// Copies for the fast path's input layouts: a row split into its stride's phases (the indirect GEMM's
// phase-split copy of a strided convolution's input). Stride 2 — nearly every strided layer — deinterleaves
// a vector at a time on AVX-512 (two loads, two permutes, two stores per 32 floats); other strides, and other
// instruction sets, copy one float at a time.
#include "CConvKernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define CONVARITH_X86 1
#endif

static void split_row_scalar(const float *row, int64_t count, int64_t stride, int64_t pad, float *out, int64_t phase_stride) {
    for (int64_t phase = 0; phase < stride; phase++) {
        // The first float of this phase: (x + pad) mod stride = phase.
        const int64_t first = ((phase - pad) % stride + stride) % stride;
        float *target = out + phase * phase_stride + (first + pad) / stride;
        for (int64_t x = first; x < count; x += stride) *target++ = row[x];
    }
}

#ifdef CONVARITH_X86
__attribute__((target("avx512f")))
static void split_row2_avx512(const float *row, int64_t count, int64_t pad, float *out, int64_t phase_stride) {
    // Float 2j goes to phase pad mod 2 at j + pad div 2; float 2j + 1 to phase (pad + 1) mod 2 at j + (pad + 1) div 2.
    float *evens = out + (pad % 2) * phase_stride + pad / 2;
    float *odds = out + ((pad + 1) % 2) * phase_stride + (pad + 1) / 2;
    const __m512i evenIndex = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i oddIndex = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    for (int64_t x = 0; x < count; x += 32) {
        const int64_t left = count - x;
        const __mmask16 low = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1);
        const __mmask16 high = left >= 32 ? (__mmask16)0xFFFF : left <= 16 ? 0 : (__mmask16)((1u << (left - 16)) - 1);
        const __m512 a = _mm512_maskz_loadu_ps(low, row + x), b = _mm512_maskz_loadu_ps(high, row + x + 16);
        const int64_t evenCount = (left + 1) / 2 < 16 ? (left + 1) / 2 : 16, oddCount = left / 2 < 16 ? left / 2 : 16;
        _mm512_mask_storeu_ps(evens + x / 2, (__mmask16)((1u << evenCount) - 1), _mm512_permutex2var_ps(a, evenIndex, b));
        _mm512_mask_storeu_ps(odds + x / 2, (__mmask16)((1u << oddCount) - 1), _mm512_permutex2var_ps(a, oddIndex, b));
    }
}
#endif

void convarith_split_row(const float *row, int64_t count, int64_t stride, int64_t pad, float *out, int64_t phase_stride, int isa) {
#ifdef CONVARITH_X86
    if (isa == 2 && stride == 2) { split_row2_avx512(row, count, pad, out, phase_stride); return; }
#else
    (void)isa;
#endif
    split_row_scalar(row, count, stride, pad, out, phase_stride);
}
