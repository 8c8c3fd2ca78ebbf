// Copies for the fast path's layouts. A row split into its stride's phases (the indirect GEMM's phase-split
// copy of a strided convolution's input): stride 2 — nearly every strided layer — deinterleaves a vector at a
// time on AVX-512 (two loads, two permutes, two stores per 32 floats) and AVX2 (two loads, two shuffles and two
// permutes per 16); other strides, and the portable kernels, copy one float at a time. A transposed
// convolution's weights packed for its output phases: panels of up to 8 rows straight from the weights by 8 × 8
// register transposes (AVX2, AVX-512), or each channel's block transposed, then the panels written in order.
#include "CConvKernels.h"
#include "checks.h"
#include <string.h>

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
// The same with AVX2: 16 floats a step, the even and odd ones of each 8 paired by a shuffle, then put in order by
// a permute of 64-bit pairs; the last step's loads and stores masked.
__attribute__((target("avx2")))
static inline __m256 in_order_avx2(__m256 shuffled) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(shuffled), _MM_SHUFFLE(3, 1, 2, 0)));
}

// The first n ≤ 8 floats of v to p: halves, pairs and one float (masked stores of 256 bits are slow on AMD's
// AVX2 cores: the tail of a 14-float row took most of its split).
__attribute__((target("avx2")))
static inline void store_first_avx2(float *p, __m256 v, int64_t n) {
    __m128 part = _mm256_castps256_ps128(v);
    if (n >= 4) {
        _mm_storeu_ps(p, part);
        part = _mm256_extractf128_ps(v, 1);
        p += 4, n -= 4;
    }
    if (n >= 4) {
        _mm_storeu_ps(p, part);
        return;
    }
    if (n >= 2) {
        _mm_storel_pi((__m64 *)(void *)p, part);
        part = _mm_movehl_ps(part, part);
        p += 2, n -= 2;
    }
    if (n >= 1) _mm_store_ss(p, part);
}

__attribute__((target("avx2")))
static void split_row2_avx2(const float *row, int64_t count, int64_t pad, float *out, int64_t phase_stride) {
    float *evens = out + (pad % 2) * phase_stride + pad / 2;
    float *odds = out + ((pad + 1) % 2) * phase_stride + (pad + 1) / 2;
    const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    int64_t x = 0;
    for (; x + 16 <= count; x += 16) {
        const __m256 a = _mm256_loadu_ps(row + x), b = _mm256_loadu_ps(row + x + 8);
        const __m256 even = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)), odd = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
        _mm256_storeu_ps(evens + x / 2, in_order_avx2(even));
        _mm256_storeu_ps(odds + x / 2, in_order_avx2(odd));
    }
    if (x < count) {
        const int64_t left = count - x;
        const __m256i low = _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)left), index);
        const __m256i high = _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)(left - 8)), index);
        const __m256 a = _mm256_maskload_ps(row + x, low), b = _mm256_maskload_ps(row + x + 8, high);
        const __m256 even = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)), odd = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1));
        store_first_avx2(evens + x / 2, in_order_avx2(even), (left + 1) / 2);
        store_first_avx2(odds + x / 2, in_order_avx2(odd), left / 2);
    }
}
#endif

void convarith_split_row(const float *row, int64_t count, int64_t stride, int64_t pad, float *out, int64_t phase_stride, int isa) {
#ifdef CONVARITH_X86
    if (isa == 2 && stride == 2) { split_row2_avx512(row, count, pad, out, phase_stride); return; }
    if (isa == 1 && stride == 2) { split_row2_avx2(row, count, pad, out, phase_stride); return; }
#else
    (void)isa;
#endif
    split_row_scalar(row, count, stride, pad, out, phase_stride);
}

// The most taps the direct phase-weight packer takes (its tables are on the stack): 7 × 7 × 7.
#define CONVARITH_PHASE_TAPS 343

// ---- Phase weights: each channel's [out_group × taps] block transposed, then placed a panel at a time ----

static void transpose_scalar(const float *src, int64_t rows, int64_t cols, int64_t ld_src, float *dst, int64_t ld_dst) {
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++) dst[c * ld_dst + r] = src[r * ld_src + c];
}

#ifdef CONVARITH_X86
// column[c] = lane c of r[0…7], in registers: unpacks, shuffles, then 128-bit lane swaps.
__attribute__((target("avx2")))
static inline void transpose8_registers_avx2(const __m256 r[8], __m256 column[8]) {
    __m256 t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int i = 0; i < 4; i++) {
        column[i] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x20);
        column[i + 4] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x31);
    }
}

// dst[c][r] = src[r][c] for an 8 × 8 block.
__attribute__((target("avx2")))
static inline void transpose8_avx2(const float *src, int64_t ld_src, float *dst, int64_t ld_dst) {
    __m256 r[8], column[8];
    for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(src + i * ld_src);
    transpose8_registers_avx2(r, column);
    for (int i = 0; i < 8; i++) _mm256_storeu_ps(dst + i * ld_dst, column[i]);
}

__attribute__((target("avx2")))
static void transpose_avx2(const float *src, int64_t rows, int64_t cols, int64_t ld_src, float *dst, int64_t ld_dst) {
    const int64_t rows8 = rows / 8 * 8, cols8 = cols / 8 * 8;
    for (int64_t r = 0; r < rows8; r += 8)
        for (int64_t c = 0; c < cols8; c += 8) transpose8_avx2(src + r * ld_src + c, ld_src, dst + c * ld_dst + r, ld_dst);
    // The edges: the last cols % 8 columns of the whole block, and the last rows % 8 rows of the rest.
    transpose_scalar(src + cols8, rows, cols - cols8, ld_src, dst + cols8 * ld_dst, ld_dst);
    transpose_scalar(src + rows8 * ld_src, rows - rows8, cols8, ld_src, dst + rows8, ld_dst);
}

#endif

void convarith_transpose(const float *src, int64_t rows, int64_t cols, int64_t ld_src, float *dst, int64_t ld_dst, int isa) {
#ifdef CONVARITH_X86
    if (isa >= 1) { transpose_avx2(src, rows, cols, ld_src, dst, ld_dst); return; }
#else
    (void)isa;
#endif
    transpose_scalar(src, rows, cols, ld_src, dst, ld_dst);
}

// Copies the lanes of each panel of channels [c0, c0 + cn) from their transposed copy: MR constant lets the
// compiler use fixed-size moves.
#define CONVARITH_PLACE(MR) { \
    float *region = out; \
    const int64_t *list = tap_list; \
    for (int64_t phase = 0; phase < phases; phase++) { \
        const int64_t count = counts[phase]; \
        for (int64_t panel = 0; panel < panels; panel++) { \
            const int64_t lanes = out_group - panel * (MR) < (MR) ? out_group - panel * (MR) : (MR); \
            float *target = region + (panel * in_group + c0) * count * (MR); \
            for (int64_t c = 0; c < cn; c++) { \
                const float *channel = scratch + c * taps * out_group + panel * (MR); \
                for (int64_t place = 0; place < count; place++) { \
                    const float *source = channel + list[place] * out_group; \
                    if (lanes == (MR)) { for (int64_t l = 0; l < (MR); l++) target[l] = source[l]; } \
                    else { for (int64_t l = 0; l < lanes; l++) target[l] = source[l]; } \
                    target += (MR); \
                } \
            } \
        } \
        region += panels * in_group * count * (MR); \
        list += count; \
    } }

#ifdef CONVARITH_X86
// Panels straight from the weights: a panel's rows of one channel are mr · taps consecutive floats ([c_out][tap]);
// eight taps of eight of its rows (rows past the panel or out_group repeat an earlier row) are loaded, transposed
// 8 × 8 in registers, and each tap's lanes stored at its phase's place — no transposed copy, no float-by-float
// placing. `where[t]` is tap t's offset in a panel's run of its phase (phase start + place · mr; −1: no phase),
// `run[t]` the floats per channel of that phase's panels (count · mr). Channels outermost: the weights are read
// once, in order.
__attribute__((target("avx2")))
static void pack_phase_panels_avx2(const float *w, int64_t in_group, int64_t out_group, int64_t taps, int64_t mr,
                                   const int64_t *where, const int64_t *run, int64_t first, int64_t last, float *out) {
    const int64_t panels = (out_group + mr - 1) / mr;
    const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    for (int64_t c = first; c < last; c++) {
        for (int64_t panel = 0; panel < panels; panel++) {
            for (int64_t l0 = 0; l0 < mr; l0 += 8) {
                const int64_t lanes = mr - l0 < 8 ? mr - l0 : 8;
                const __m256i laneMask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)lanes), index);
                const float *rows[8];
                for (int64_t i = 0; i < 8; i++) {
                    const int64_t lane = l0 + (i < lanes ? i : lanes - 1);
                    const int64_t row = panel * mr + lane < out_group ? panel * mr + lane : out_group - 1;
                    rows[i] = w + (c * out_group + row) * taps;
                }
                for (int64_t t0 = 0; t0 < taps; t0 += 8) {
                    const int64_t width = taps - t0 < 8 ? taps - t0 : 8;
                    const __m256i tapMask = _mm256_cmpgt_epi32(_mm256_set1_epi32((int32_t)width), index);
                    __m256 r[8], column[8];  // column[j]: tap t0 + j of the eight rows
                    for (int i = 0; i < 8; i++)
                        r[i] = width == 8 ? _mm256_loadu_ps(rows[i] + t0) : _mm256_maskload_ps(rows[i] + t0, tapMask);
                    transpose8_registers_avx2(r, column);
                    for (int64_t j = 0; j < width; j++) {
                        const int64_t tap = t0 + j;
                        if (where[tap] < 0) continue;
                        float *target = out + where[tap] + (panel * in_group + c) * run[tap] + l0;
                        if (lanes == 8) {
                            _mm256_storeu_ps(target, column[j]);
                        } else if (lanes == 6) {  // four, then two
                            _mm_storeu_ps(target, _mm256_castps256_ps128(column[j]));
                            _mm_storel_pi((__m64 *)(target + 4), _mm256_extractf128_ps(column[j], 1));
                        } else {
                            _mm256_maskstore_ps(target, laneMask, column[j]);
                        }
                    }
                }
            }
        }
    }
}
#endif

void convarith_pack_phase_weights(const float *w, int64_t in_group, int64_t out_group, int64_t taps, int64_t mr,
                                  int64_t phases, const int64_t *counts, const int64_t *tap_list, int64_t first, int64_t last,
                                  float *out, float *scratch, int64_t block, int isa) {
#ifdef CONVARITH_X86
    if (isa >= 1 && mr <= 8 && taps <= CONVARITH_PHASE_TAPS) {
        int64_t where[CONVARITH_PHASE_TAPS], run[CONVARITH_PHASE_TAPS];
        for (int64_t t = 0; t < taps; t++) where[t] = -1, run[t] = 0;
        const int64_t panels = (out_group + mr - 1) / mr;
        int64_t start = 0, listed = 0;
        for (int64_t phase = 0; phase < phases; phase++) {
            for (int64_t place = 0; place < counts[phase]; place++) {
                const int64_t tap = tap_list[listed + place];
                where[tap] = start + place * mr;
                run[tap] = counts[phase] * mr;
            }
            listed += counts[phase];
            start += panels * in_group * counts[phase] * mr;
        }
        pack_phase_panels_avx2(w, in_group, out_group, taps, mr, where, run, first, last, out);
        return;
    }
#endif
    const int64_t panels = (out_group + mr - 1) / mr;
    for (int64_t c0 = first; c0 < last; c0 += block) {
        const int64_t cn = last - c0 < block ? last - c0 : block;
        // scratch[c][tap][c_out] = w[c0 + c][c_out][tap]: every tap's lanes contiguous.
        for (int64_t c = 0; c < cn; c++) {
            const float *channel = w + (c0 + c) * out_group * taps;
            convarith_transpose(channel, out_group, taps, taps, scratch + c * taps * out_group, out_group, isa);
        }
        // Then these channels' part of every phase's panels, in their order: runs of cn · count · mr floats.
        switch (mr) {
        case 8: CONVARITH_PLACE(8) break;
        case 6: CONVARITH_PLACE(6) break;
        case 4: CONVARITH_PLACE(4) break;
        default: CONVARITH_PLACE(mr)
        }
    }
}
#undef CONVARITH_PLACE

// ---- col2im: a transposed convolution's columns added to the outputs their windows cover ----

#ifdef CONVARITH_X86
// target[2i] = values[i], or += with `add`, for i < count: eight values at a time spread to the even lanes of a
// vector, the target's even lanes (added to and) stored alone — the odd ones, another tap's or phase's
// outputs, are not touched.
__attribute__((target("avx512f")))
static void spread_stride2_avx512(float *target, const float *values, int64_t count, int add) {
    for (int64_t i = 0; i < count; i += 8) {
        const int64_t n = count - i < 8 ? count - i : 8;
        const __mmask16 spread = (__mmask16)(((1u << (2 * n)) - 1) & 0x5555u);
        const __m512 v = _mm512_maskz_expand_ps(0x5555, _mm512_maskz_loadu_ps((__mmask16)((1u << n) - 1), values + i));
        float *at = target + 2 * i;
        _mm512_mask_storeu_ps(at, spread, add ? _mm512_add_ps(_mm512_maskz_loadu_ps(spread, at), v) : v);
    }
}
#endif

void convarith_store_strided(const float *values, int64_t count, float *target, int64_t step, int isa) {
#ifdef CONVARITH_X86
    if (isa == 2 && step == 2) { spread_stride2_avx512(target, values, count, 0); return; }
#else
    (void)isa;
#endif
    for (int64_t i = 0; i < count; i++) target[i * step] = values[i];
}

void convarith_col2im(const float *cols, int64_t rows, int64_t row_stride, int64_t column_stride, const convarith_col2im_run *runs,
                      int64_t run_count, const convarith_col2im_geometry *g, float *y, int isa) {
    CONVARITH_ASSERT(g->taps == g->kernel_height * g->kernel_width * (g->taps / (g->kernel_height * g->kernel_width)));
    CONVARITH_ASSERT(g->stride_width >= 1 && g->output_plane == g->output[0] * g->output[1] * g->output[2]);
    const int64_t outD = g->output[0], outH = g->output[1], outW = g->output[2], kH = g->kernel_height, kW = g->kernel_width;
    const int64_t taps = g->taps, sx = g->stride_width, plane = g->output_plane;
    const int64_t dD = g->dilation[0], dH = g->dilation[1], dW = g->dilation[2], pD = g->padding[0], pH = g->padding[1], pW = g->padding[2];
#ifdef CONVARITH_X86
    const int wide = isa == 2 && column_stride == 1 && sx == 2;
#else
    const int wide = 0;
    (void)isa;
#endif
    for (int64_t row = 0; row < rows; row++) {
        const int64_t channel = row / taps, tap = row % taps;
        const int64_t tz = tap / (kH * kW), rest = tap % (kH * kW);
        const int64_t dz = tz * dD - pD, dy = rest / kW * dH - pH, dx = rest % kW * dW - pW;
        const float *source = cols + row * row_stride;
        float *target = y + channel * plane;
        for (int64_t r = 0; r < run_count; r++) {
            const convarith_col2im_run *run = runs + r;
            CONVARITH_ASSERT(run->count >= 1 && run->offset >= 0);
            const int64_t z = run->z + dz, yy = run->y + dy;
            if (z < 0 || z >= outD || yy < 0 || yy >= outH) continue;
            float *line = target + (z * outH + yy) * outW;
            // The run's outputs x = x0 + i·s that fall inside the row.
            const int64_t x0 = run->x + dx;
            const int64_t first = x0 >= 0 ? 0 : (-x0 + sx - 1) / sx;
            int64_t last = x0 < outW ? (outW - 1 - x0) / sx + 1 : 0;
            if (last > run->count) last = run->count;
            if (first >= last) continue;
            const float *values = source + run->offset * column_stride;
#ifdef CONVARITH_X86
            if (wide) { spread_stride2_avx512(line + x0 + 2 * first, values + first, last - first, 1); continue; }
#endif
            for (int64_t i = first; i < last; i++) line[x0 + i * sx] += values[i * column_stride];
        }
    }
}

// ---- A transposed layer's output plane from its phases' columns ----------------------------------------------
// Output row floats 2j and 2j + 1 from phase rows a and b (stride 2 along the row): a vector of pairs at a time.
#ifdef CONVARITH_X86
__attribute__((target("avx512f")))
static int64_t interleave2_avx512(const float *a, const float *b, int64_t pairs, float *row) {
    const __m512i low = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i high = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    int64_t j = 0;
    for (; j + 16 <= pairs; j += 16) {
        const __m512 x = _mm512_loadu_ps(a + j), y = _mm512_loadu_ps(b + j);
        _mm512_storeu_ps(row + 2 * j, _mm512_permutex2var_ps(x, low, y));
        _mm512_storeu_ps(row + 2 * j + 16, _mm512_permutex2var_ps(x, high, y));
    }
    return j;
}

__attribute__((target("avx2")))
static int64_t interleave2_avx2(const float *a, const float *b, int64_t pairs, float *row) {
    int64_t j = 0;
    for (; j + 8 <= pairs; j += 8) {
        const __m256 x = _mm256_loadu_ps(a + j), y = _mm256_loadu_ps(b + j);
        const __m256 low = _mm256_unpacklo_ps(x, y), high = _mm256_unpackhi_ps(x, y);  // pairs 0 1 4 5, 2 3 6 7
        _mm256_storeu_ps(row + 2 * j, _mm256_permute2f128_ps(low, high, 0x20));
        _mm256_storeu_ps(row + 2 * j + 8, _mm256_permute2f128_ps(low, high, 0x31));
    }
    return j;
}
#endif

static void interleave2(const float *a, const float *b, int64_t count, float *row, int isa) {
    const int64_t pairs = count / 2;
    int64_t j = 0;
#ifdef CONVARITH_X86
    if (isa == 2) j = interleave2_avx512(a, b, pairs, row);
    else if (isa == 1) j = interleave2_avx2(a, b, pairs, row);
#else
    (void)isa;
#endif
    for (; j < pairs; j++) row[2 * j] = a[j], row[2 * j + 1] = b[j];
    if (count % 2) row[count - 1] = a[pairs];
}

void convarith_store_pairs(const float *even, const float *odd, int64_t count, float *target, int isa) {
    CONVARITH_ASSERT(count >= 0);
    interleave2(even, odd, 2 * count, target, isa);
}

void convarith_assemble_phases(const float *const *phases, int64_t e1, int64_t e2, const int64_t output[3],
                               const int64_t step[3], float *y, int isa) {
    const int64_t o0 = output[0], o1 = output[1], o2 = output[2], s0 = step[0], s1 = step[1], s2 = step[2];
    CONVARITH_ASSERT(s0 >= 1 && s1 >= 1 && s2 >= 1 && e1 >= 1 && e2 >= 1);
    for (int64_t z = 0; z < o0; z++) {
        for (int64_t r = 0; r < o1; r++) {
            const float *const *row_phases = phases + ((z % s0) * s1 + r % s1) * s2;
            const int64_t v = (z / s0) * e1 * e2 + (r / s1) * e2;
            float *row = y + (z * o1 + r) * o2;
            if (s2 == 2 && o2 >= 2 && row_phases[0] && row_phases[1]) {
                interleave2(row_phases[0] + v, row_phases[1] + v, o2, row, isa);
                continue;
            }
            for (int64_t q = 0; q < s2 && q < o2; q++) {
                if (!row_phases[q]) continue;
                const int64_t count = (o2 - q + s2 - 1) / s2;
                if (s2 == 1) memcpy(row, row_phases[q] + v, (size_t)count * sizeof(float));
                else convarith_store_strided(row_phases[q] + v, count, row + q, s2, isa);
            }
        }
    }
}
