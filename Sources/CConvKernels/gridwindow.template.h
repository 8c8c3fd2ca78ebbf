// The grid window kernels, a template instantiated once per instruction set by gridkernels.c (private to
// the C target). Before including it, define:
//   GRID_SUFFIX             the instruction set's suffix of every function name (avx512, avx2, portable)
//   GRID_ISA                its number for convarith_transpose (2, 1, 0)
//   GRID_TARGET             its target attribute (empty for portable code)
//   GRID_V, GRID_LANES      its vector of floats and the floats in one
//   GRID_LOAD(p), GRID_STORE(p, v), GRID_SET1(f)
//   GRID_ADD(a, b), GRID_MUL(a, b), GRID_FMADD(a, b, c) (a·b + c)
//   GRID_MAX(acc, v)        the ordered max step: v > acc ? v : acc, lane by lane
//   GRID_DIVIDE(sum, d)     sum / d, NaN where d is not positive
// Every function is static; the file may be included once per instruction set in one translation unit, and
// undefines these parameters at its end. It defines f32_grid_plane_SUFFIX, f32_depthwise_channels_SUFFIX,
// f32_pool_channels_SUFFIX and f32_weighted_stream_SUFFIX (the entry points, their arguments checked in debug builds).

#define GRID_PASTE2(name, suffix) name##_##suffix
#define GRID_PASTE(name, suffix) GRID_PASTE2(name, suffix)
#define GRID_FN(name) GRID_PASTE(name, GRID_SUFFIX)

// target[m] for m < count: the window of source[m + offsets[t]], t < taps, in that order — the sum from +0 or
// the ordered max from `start` — four vectors of outputs at a time (four independent chains), then one at a
// time, the tail as the last whole vector again (target is not source, so the outputs computed twice are the
// same), or one float at a time when count is below a vector.
GRID_TARGET __attribute__((always_inline)) static inline void GRID_FN(grid_stream_mode)(const float *source,
        float *target, int64_t count, const int64_t *offsets, int64_t taps, float start, int average) {
    const GRID_V neutral = GRID_SET1(start);
    int64_t m = 0;
    for (; m + 4 * GRID_LANES <= count; m += 4 * GRID_LANES) {
        GRID_V a0 = neutral, a1 = neutral, a2 = neutral, a3 = neutral;
        for (int64_t t = 0; t < taps; t++) {
            const float *at = source + m + offsets[t];
            const GRID_V v0 = GRID_LOAD(at), v1 = GRID_LOAD(at + GRID_LANES);
            const GRID_V v2 = GRID_LOAD(at + 2 * GRID_LANES), v3 = GRID_LOAD(at + 3 * GRID_LANES);
            if (average) {
                a0 = GRID_ADD(a0, v0); a1 = GRID_ADD(a1, v1); a2 = GRID_ADD(a2, v2); a3 = GRID_ADD(a3, v3);
            } else {
                a0 = GRID_MAX(a0, v0); a1 = GRID_MAX(a1, v1); a2 = GRID_MAX(a2, v2); a3 = GRID_MAX(a3, v3);
            }
        }
        GRID_STORE(target + m, a0);
        GRID_STORE(target + m + GRID_LANES, a1);
        GRID_STORE(target + m + 2 * GRID_LANES, a2);
        GRID_STORE(target + m + 3 * GRID_LANES, a3);
    }
    for (; m < count && count >= GRID_LANES; m += GRID_LANES) {
        if (m + GRID_LANES > count) m = count - GRID_LANES;
        GRID_V a = neutral;
        for (int64_t t = 0; t < taps; t++) {
            const GRID_V v = GRID_LOAD(source + m + offsets[t]);
            a = average ? GRID_ADD(a, v) : GRID_MAX(a, v);
        }
        GRID_STORE(target + m, a);
    }
    for (; m < count; m++) {
        float a = start;
        for (int64_t t = 0; t < taps; t++) {
            const float v = source[m + offsets[t]];
            a = average ? a + v : (v > a ? v : a);
        }
        target[m] = a;
    }
}

// The weighted sums from +0 (weights[t] for tap t, fused multiply-adds in the taps' order), as above.
GRID_TARGET static void GRID_FN(grid_stream_weighted)(const float *source, float *target, int64_t count,
        const int64_t *offsets, const float *weights, int64_t taps) {
    int64_t m = 0;
    for (; m + 4 * GRID_LANES <= count; m += 4 * GRID_LANES) {
        GRID_V a0 = GRID_SET1(0.0f), a1 = a0, a2 = a0, a3 = a0;
        for (int64_t t = 0; t < taps; t++) {
            const float *at = source + m + offsets[t];
            const GRID_V w = GRID_SET1(weights[t]);
            a0 = GRID_FMADD(w, GRID_LOAD(at), a0);
            a1 = GRID_FMADD(w, GRID_LOAD(at + GRID_LANES), a1);
            a2 = GRID_FMADD(w, GRID_LOAD(at + 2 * GRID_LANES), a2);
            a3 = GRID_FMADD(w, GRID_LOAD(at + 3 * GRID_LANES), a3);
        }
        GRID_STORE(target + m, a0);
        GRID_STORE(target + m + GRID_LANES, a1);
        GRID_STORE(target + m + 2 * GRID_LANES, a2);
        GRID_STORE(target + m + 3 * GRID_LANES, a3);
    }
    for (; m < count && count >= GRID_LANES; m += GRID_LANES) {
        if (m + GRID_LANES > count) m = count - GRID_LANES;
        GRID_V a = GRID_SET1(0.0f);
        for (int64_t t = 0; t < taps; t++) a = GRID_FMADD(GRID_SET1(weights[t]), GRID_LOAD(source + m + offsets[t]), a);
        GRID_STORE(target + m, a);
    }
    for (; m < count; m++) {
        float a = 0.0f;
        for (int64_t t = 0; t < taps; t++) a += weights[t] * source[m + offsets[t]];
        target[m] = a;
    }
}

// The stream of `mode`: each with its mode a constant.
GRID_TARGET static void GRID_FN(grid_stream)(const float *source, float *target, int64_t count,
        const int64_t *offsets, const float *weights, int64_t taps, float start, int mode) {
    if (mode == CONVARITH_GRID_WEIGHTED) GRID_FN(grid_stream_weighted)(source, target, count, offsets, weights, taps);
    else if (mode == CONVARITH_GRID_AVERAGE) GRID_FN(grid_stream_mode)(source, target, count, offsets, taps, start, 1);
    else GRID_FN(grid_stream_mode)(source, target, count, offsets, taps, start, 0);
}

// Row `count` floats of an average's sums divided by zy · divisorX[j] (the reference's product order), or copied.
GRID_TARGET static void GRID_FN(grid_row_out)(const float *sums, float *row, int64_t count, float zy,
        const float *divisorX, int average) {
    if (!average) {
        memcpy(row, sums, (size_t)count * sizeof(float));
        return;
    }
    const GRID_V scale = GRID_SET1(zy);
    int64_t j = 0;
    for (; j + GRID_LANES <= count; j += GRID_LANES) {
        GRID_STORE(row + j, GRID_DIVIDE(GRID_LOAD(sums + j), GRID_MUL(scale, GRID_LOAD(divisorX + j))));
    }
    // The tail as the row's last whole vector, again over some outputs (the same values).
    if (j < count && count >= GRID_LANES) {
        j = count - GRID_LANES;
        GRID_STORE(row + j, GRID_DIVIDE(GRID_LOAD(sums + j), GRID_MUL(scale, GRID_LOAD(divisorX + j))));
        return;
    }
    for (; j < count; j++) {
        const float divisor = zy * divisorX[j];
        row[j] = divisor > 0.0f ? sums[j] / divisor : __builtin_nanf("");
    }
}

// `count` floats from `from` to `to`, a vector at a time, the tail as the last whole vector again.
GRID_TARGET static inline void GRID_FN(grid_copy)(const float *from, float *to, int64_t count) {
    if (count < GRID_LANES) {
        for (int64_t j = 0; j < count; j++) to[j] = from[j];
        return;
    }
    for (int64_t j = 0; j < count; j += GRID_LANES) {
        const int64_t at = j + GRID_LANES > count ? count - GRID_LANES : j;
        GRID_STORE(to + at, GRID_LOAD(from + at));
    }
}

// The band's grid (see gridkernels.c) from `x`'s plane: phase (qz, qy, qx)'s element (uz, uy, ux) is
// padded-input element (uz·s_d + qz, first + uy·s_h + qy, ux·s_w + qx) — x at that place less the padding
// where it lies on the input, else `neutral`.
// `unit`: every stride is 1 (a constant where the caller passes one, so the phases' loops fold away).
GRID_TARGET __attribute__((always_inline)) static inline void GRID_FN(grid_fill)(const float *x,
        const convarith_window_geometry *g, const convarith_grid_band *band, float neutral, float *grid, int unit) {
    const int64_t inD = g->input[0], inH = g->input[1], inW = g->input[2];
    const int64_t pD = g->padding[0], pH = g->padding[1], pW = g->padding[2];
    const int64_t sD = unit ? 1 : g->stride[0], sH = unit ? 1 : g->stride[1], sW = unit ? 1 : g->stride[2];
    const int64_t lz = band->length[0], ly = band->length[1], lx = band->length[2];
    for (int64_t qz = 0; qz < sD; qz++) {
        for (int64_t qy = 0; qy < sH; qy++) {
            for (int64_t qx = 0; qx < sW; qx++) {
                float *phase = grid + ((qz * sH + qy) * sW + qx) * band->phase;
                // The phase's columns on the input: ux in [lo, hi), input column ux·s_w + qx − p_w.
                int64_t lo = pW > qx ? (pW - qx + sW - 1) / sW : 0, hi = (inW + pW - qx + sW - 1) / sW;
                if (hi > lx) hi = lx;
                if (lo > hi) lo = hi;
                for (int64_t uz = 0; uz < lz; uz++) {
                    for (int64_t uy = 0; uy < ly; uy++) {
                        float *line = phase + (uz * ly + uy) * lx;
                        const int64_t z = uz * sD + qz - pD, yy = band->first + uy * sH + qy - pH;
                        if (z < 0 || z >= inD || yy < 0 || yy >= inH || hi == lo) {
                            for (int64_t c = 0; c < lx; c++) line[c] = neutral;
                            continue;
                        }
                        const float *source = x + (z * inH + yy) * inW + qx - pW;
                        for (int64_t c = 0; c < lo; c++) line[c] = neutral;
                        if (sW == 1) GRID_FN(grid_copy)(source + lo, line + lo, hi - lo);
                        else for (int64_t c = lo; c < hi; c++) line[c] = source[c * sW];
                        for (int64_t c = hi; c < lx; c++) line[c] = neutral;
                    }
                }
            }
        }
    }
}

// A window plane over its grid, a band of output rows at a time (see gridkernels.c); `unit` as for grid_fill.
GRID_TARGET __attribute__((always_inline)) static inline void GRID_FN(grid_plane_strides)(const float *x, float *y,
        const convarith_window_geometry *g, const float *divisorZ, const float *divisorY, const float *divisorX, const float *weights, int mode, float empty, float *scratch, int64_t rowsPerBand, int unit) {
    const int average = mode == CONVARITH_GRID_AVERAGE, separable = mode == CONVARITH_GRID_SEPARABLE_MAX;
    const float neutral = average || mode == CONVARITH_GRID_WEIGHTED ? 0.0f : empty;
    const int64_t kD = g->kernel[0], kH = g->kernel[1], kW = g->kernel[2];
    const int64_t dD = g->dilation[0], dH = g->dilation[1], dW = g->dilation[2];
    const int64_t sD = unit ? 1 : g->stride[0], sH = unit ? 1 : g->stride[1], sW = unit ? 1 : g->stride[2];
    const int64_t outD = g->output[0], outH = g->output[1], outW = g->output[2];
    const convarith_grid_band widest = grid_band(g, 0, rowsPerBand);
    float *grid = scratch, *sums = grid + widest.size, *rows = sums + widest.size;
    int64_t *offsets = (int64_t *)(rows + widest.size + (widest.size % 2));
    for (int64_t first = 0; first < outH; first += rowsPerBand) {
        const int64_t bandRows = outH - first < rowsPerBand ? outH - first : rowsPerBand;
        const convarith_grid_band band = grid_band(g, first, bandRows);
        const int64_t ly = band.length[1], lx = band.length[2];
        GRID_FN(grid_fill)(x, g, &band, neutral, grid, unit);
        // The band's outputs on a phase: from (0, 0, 0) to (outD − 1, bandRows − 1, outW − 1).
        const int64_t count = ((outD - 1) * ly + bandRows - 1) * lx + outW;
        const float *source = grid;
        int64_t taps = 0;
        if (separable) {
            // Unit strides: one phase. The rows' maxima first, then theirs down the columns and across the depth.
            for (int64_t tx = 0; tx < kW; tx++) offsets[tx] = tx * dW;
            GRID_FN(grid_stream)(grid, rows, band.size - (kW - 1) * dW, offsets, weights, kW, empty,
                    CONVARITH_GRID_MAX);
            for (int64_t tz = 0; tz < kD; tz++)
                for (int64_t ty = 0; ty < kH; ty++) offsets[taps++] = (tz * dD * ly + ty * dH) * lx;
            source = rows;
        } else {
            // Tap t·d of an axis of stride s: phase (t·d) mod s, (t·d) div s places on (no division at stride 1).
            for (int64_t tz = 0; tz < kD; tz++) {
                const int64_t qz = sD == 1 ? 0 : tz * dD % sD, uz = sD == 1 ? tz * dD : tz * dD / sD;
                for (int64_t ty = 0; ty < kH; ty++) {
                    const int64_t qy = sH == 1 ? 0 : ty * dH % sH, uy = sH == 1 ? ty * dH : ty * dH / sH;
                    for (int64_t tx = 0; tx < kW; tx++) {
                        const int64_t qx = sW == 1 ? 0 : tx * dW % sW, ux = sW == 1 ? tx * dW : tx * dW / sW;
                        offsets[taps++] = ((qz * sH + qy) * sW + qx) * band.phase + (uz * ly + uy) * lx + ux;
                    }
                }
            }
        }
        GRID_FN(grid_stream)(source, sums, count, offsets, weights, taps, neutral,
                separable ? CONVARITH_GRID_MAX : mode);
        for (int64_t oz = 0; oz < outD; oz++) {
            for (int64_t r = 0; r < bandRows; r++) {
                const float zy = average ? divisorZ[oz] * divisorY[first + r] : 1.0f;
                GRID_FN(grid_row_out)(sums + (oz * ly + r) * lx, y + (oz * outH + first + r) * outW, outW, zy,
                        divisorX, average);
            }
        }
    }
}

GRID_TARGET static void GRID_FN(f32_grid_plane)(const float *x, float *y, const convarith_window_geometry *g,
        const float *divisorZ, const float *divisorY, const float *divisorX, const float *weights, int mode, float empty, float *scratch, int64_t rowsPerBand) {
    convarith_check_window(g);
    CONVARITH_ASSERT(rowsPerBand >= 1 && rowsPerBand <= g->output[1]);
    CONVARITH_ASSERT(mode != CONVARITH_GRID_SEPARABLE_MAX
                     || (g->stride[0] == 1 && g->stride[1] == 1 && g->stride[2] == 1));
    if (g->stride[0] == 1 && g->stride[1] == 1 && g->stride[2] == 1) {
        GRID_FN(grid_plane_strides)(x, y, g, divisorZ, divisorY, divisorX, weights, mode, empty, scratch,
                rowsPerBand, 1);
    } else {
        GRID_FN(grid_plane_strides)(x, y, g, divisorZ, divisorY, divisorX, weights, mode, empty, scratch,
                rowsPerBand, 0);
    }
}

// The taps t < k of one axis whose input place o·s + t·d − p lies inside 0 … i − 1: [*first, *end), within
// 0 … k (empty when none; a window wholly in the leading padding gives k … k).
static inline void GRID_FN(inside_taps)(int64_t o, int64_t i, int64_t k, int64_t s, int64_t d, int64_t p,
                                        int64_t *first, int64_t *end) {
    // (Without a division where the dilation is 1: this runs for every four outputs of a 3 × 3 window too.)
    const int64_t low = p - o * s, high = i - 1 + p - o * s;
    int64_t from = low <= 0 ? 0 : d == 1 ? low : (low + d - 1) / d;
    if (from > k) from = k;
    int64_t last = high < 0 ? -1 : d == 1 ? high : high / d;
    if (last > k - 1) last = k - 1;
    *first = from;
    *end = last + 1 > from ? last + 1 : from;
    CONVARITH_ASSERT(0 <= *first && *first <= *end && *end <= k);
}

// GRID_LANES planes of one window at once, channels innermost (gridkernels.c): the planes `x`, `inputCount`
// floats apart, copied into a channel-blocked grid of their padded input (a vector of the block's channels at
// each place; the padding zero, or `empty` for a max); every output is then a vector of the block's channels —
// a depthwise convolution's fused multiply-adds of the taps' weight vectors, an average's sum divided by its
// divisor, or a max — its taps in the taps' order (as on the grid of one plane: the same floats), four outputs
// at a time along a row; the outputs copied back to their planes, `outputCount` floats apart.
// `mode`: CONVARITH_GRID_WEIGHTED, _AVERAGE or _MAX, a constant where the entry points pass one. `skips` (a
// depthwise window, `depthwise_skips_padding`): each output row and each four outputs multiply only their taps
// inside the input.
GRID_TARGET __attribute__((always_inline)) static inline void GRID_FN(window_channels)(const float *x, float *y,
        const convarith_window_geometry *g, const float *weights, const float *divisorZ, const float *divisorY,
        const float *divisorX, int mode, float empty, float *scratch, int skips) {
    convarith_check_window(g);
    const int64_t inD = g->input[0], inH = g->input[1], inW = g->input[2];
    const int64_t outD = g->output[0], outH = g->output[1], outW = g->output[2];
    const int64_t kD = g->kernel[0], kH = g->kernel[1], kW = g->kernel[2], taps = kD * kH * kW;
    const int64_t sD = g->stride[0], sH = g->stride[1], sW = g->stride[2];
    const int64_t dD = g->dilation[0], dH = g->dilation[1], dW = g->dilation[2];
    const int64_t pD = g->padding[0], pH = g->padding[1], pW = g->padding[2];
    const int64_t depth = (outD - 1) * sD + (kD - 1) * dD + 1, height = (outH - 1) * sH + (kH - 1) * dH + 1;
    const int64_t width = (outW - 1) * sW + (kW - 1) * dW + 1;
    const int64_t inputCount = inD * inH * inW, outputCount = outD * outH * outW;
    float *grid = scratch, *out = grid + depth * height * width * GRID_LANES, *tapWeights = out + outputCount * GRID_LANES;
    int64_t *offsets = (int64_t *)(tapWeights + taps * GRID_LANES + (taps * GRID_LANES) % 2);
    const int weighted = mode == CONVARITH_GRID_WEIGHTED, average = mode == CONVARITH_GRID_AVERAGE;
    // A window starts from +0 (sums) or `empty` (max), and the padding holds the same.
    const GRID_V start = GRID_SET1(weighted || average ? 0.0f : empty);
    // The grid: the padding's value, then each input row's floats of every channel at their places.
    // The block's planes transposed at once (8 × 8 blocks in registers): straight into the grid where it is the
    // input (no padding, every place read: a global pooling); else, when the input is no larger than the grid,
    // into a staging area whose rows of vectors are then moved to their places; else row by row.
    const int whole = pD == 0 && pH == 0 && pW == 0 && depth == inD && height == inH && width == inW;
    const int staged = !whole && inputCount <= depth * height * width;
    float *staging = (float *)(offsets + taps);
    if (whole) convarith_transpose(x, GRID_LANES, inputCount, inputCount, grid, GRID_LANES, GRID_ISA);
    if (staged) convarith_transpose(x, GRID_LANES, inputCount, inputCount, staging, GRID_LANES, GRID_ISA);
    const int64_t lo = pW < width ? pW : width, hi = pW + inW < width ? pW + inW : width;
    for (int64_t a = 0; a < depth; a++) {
        const int64_t z = a - pD;
        for (int64_t b = 0; b < height; b++) {
            const int64_t yy = b - pH;
            float *line = grid + (a * height + b) * width * GRID_LANES;
            if (z < 0 || z >= inD || yy < 0 || yy >= inH || hi <= lo) {
                for (int64_t c = 0; c < width; c++) GRID_STORE(line + c * GRID_LANES, start);
                continue;
            }
            for (int64_t c = 0; c < lo; c++) GRID_STORE(line + c * GRID_LANES, start);
            for (int64_t c = hi; c < width; c++) GRID_STORE(line + c * GRID_LANES, start);
            const int64_t first = (z * inH + yy) * inW + lo - pW;
            if (staged) {
                for (int64_t c = 0; c < hi - lo; c++) {
                    GRID_STORE(line + (lo + c) * GRID_LANES, GRID_LOAD(staging + (first + c) * GRID_LANES));
                }
            } else if (!whole) {
                convarith_transpose(x + first, GRID_LANES, hi - lo, inputCount, line + lo * GRID_LANES, GRID_LANES,
                                    GRID_ISA);
            }
        }
    }
    if (weighted) {
        for (int64_t t = 0; t < taps; t++) {
            for (int64_t channel = 0; channel < GRID_LANES; channel++) {
                tapWeights[t * GRID_LANES + channel] = weights[channel * taps + t];
            }
        }
    }
    int64_t t = 0;
    for (int64_t tz = 0; tz < kD; tz++)
        for (int64_t ty = 0; ty < kH; ty++)
            for (int64_t tx = 0; tx < kW; tx++) offsets[t++] = ((tz * dD * height + ty * dH) * width + tx * dW) * GRID_LANES;
// One tap `k` of the window: `value` into accumulator `acc`.
#define WINDOW_STEP(acc, k, value) \
    acc = weighted ? GRID_FMADD(GRID_LOAD(tapWeights + (k) * GRID_LANES), value, acc) \
        : average ? GRID_ADD(acc, value) : GRID_MAX(acc, value)
    // `skips`: a depthwise window multiplies only its taps inside the input (`depthwise_skips_padding`); four
    // outputs together take the taps inside for any. A constant at each call, so the loops without it are as before.
    int64_t tz0 = 0, tz1 = kD, ty0 = 0, ty1 = kH, tx0 = 0, tx1 = kW, unused = 0;
    for (int64_t oz = 0; oz < outD; oz++) {
        if (skips) GRID_FN(inside_taps)(oz, inD, kD, sD, dD, pD, &tz0, &tz1);
        for (int64_t oy = 0; oy < outH; oy++) {
            if (skips) GRID_FN(inside_taps)(oy, inH, kH, sH, dH, pH, &ty0, &ty1);
            const float *base = grid + ((oz * sD * height + oy * sH) * width) * GRID_LANES;
            float *row = out + (oz * outH + oy) * outW * GRID_LANES;
            int64_t ox = 0;
            for (; ox + 4 <= outW; ox += 4) {
                const float *at = base + ox * sW * GRID_LANES;
                const int64_t step = sW * GRID_LANES;
                // The taps inside for the last output start first, those for the first end last.
                if (skips) {
                    GRID_FN(inside_taps)(ox + 3, inW, kW, sW, dW, pW, &tx0, &unused);
                    GRID_FN(inside_taps)(ox, inW, kW, sW, dW, pW, &unused, &tx1);
                }
                GRID_V a0 = start, a1 = start, a2 = start, a3 = start;
#define WINDOW_FOUR(k)                                        \
    do {                                                      \
        const float *tap = at + offsets[k];                   \
        WINDOW_STEP(a0, k, GRID_LOAD(tap));                   \
        WINDOW_STEP(a1, k, GRID_LOAD(tap + step));            \
        WINDOW_STEP(a2, k, GRID_LOAD(tap + 2 * step));        \
        WINDOW_STEP(a3, k, GRID_LOAD(tap + 3 * step));        \
    } while (0)
                // Every tap in one loop where all are inside (the nested loops cost a 3 × 3 window 10–30 %).
                if (tz1 - tz0 == kD && ty1 - ty0 == kH && tx1 - tx0 == kW) {
                    for (int64_t k = 0; k < taps; k++) WINDOW_FOUR(k);
                } else {
                    for (int64_t tz = tz0; tz < tz1; tz++) {
                        for (int64_t ty = ty0; ty < ty1; ty++) {
                            const int64_t line = (tz * kH + ty) * kW;
                            for (int64_t k = line + tx0; k < line + tx1; k++) WINDOW_FOUR(k);
                        }
                    }
                }
#undef WINDOW_FOUR
                GRID_STORE(row + ox * GRID_LANES, a0);
                GRID_STORE(row + (ox + 1) * GRID_LANES, a1);
                GRID_STORE(row + (ox + 2) * GRID_LANES, a2);
                GRID_STORE(row + (ox + 3) * GRID_LANES, a3);
            }
            for (; ox < outW; ox++) {
                const float *at = base + ox * sW * GRID_LANES;
                if (skips) GRID_FN(inside_taps)(ox, inW, kW, sW, dW, pW, &tx0, &tx1);
                GRID_V a = start;
                if (tz1 - tz0 == kD && ty1 - ty0 == kH && tx1 - tx0 == kW) {
                    for (int64_t k = 0; k < taps; k++) WINDOW_STEP(a, k, GRID_LOAD(at + offsets[k]));
                } else {
                    for (int64_t tz = tz0; tz < tz1; tz++) {
                        for (int64_t ty = ty0; ty < ty1; ty++) {
                            const int64_t line = (tz * kH + ty) * kW;
                            for (int64_t k = line + tx0; k < line + tx1; k++) {
                                WINDOW_STEP(a, k, GRID_LOAD(at + offsets[k]));
                            }
                        }
                    }
                }
                GRID_STORE(row + ox * GRID_LANES, a);
            }
            // An average's sums divided by (divisorZ · divisorY) · divisorX, the reference's product order.
            if (average) {
                const float zy = divisorZ[oz] * divisorY[oy];
                for (int64_t j = 0; j < outW; j++) {
                    const GRID_V d = GRID_SET1(zy * divisorX[j]);
                    GRID_STORE(row + j * GRID_LANES, GRID_DIVIDE(GRID_LOAD(row + j * GRID_LANES), d));
                }
            }
        }
    }
#undef WINDOW_STEP
    convarith_transpose(out, outputCount, GRID_LANES, GRID_LANES, y, outputCount, GRID_ISA);
}

// The weighted stream (grid_stream_weighted) as an entry point: a transposed depthwise layer's output phase over
// its padded input.
GRID_TARGET static void GRID_FN(f32_weighted_stream)(const float *source, float *target, int64_t count,
        const int64_t *offsets, const float *weights, int64_t taps) {
    CONVARITH_ASSERT(count >= 0 && taps >= 1);
    GRID_FN(grid_stream_weighted)(source, target, count, offsets, weights, taps);
}

// Whether a depthwise window of geometry `g` skips its taps on the padding: where its span along some padded axis
// is more than half the input's (a 31 × 31 window over 14 × 14 has at most 196 of its 961 taps inside; the
// ranges' bookkeeping cost a 3 × 3 window over 7 × 7, 82 % of its taps inside, 8 %).
static inline int GRID_FN(depthwise_skips_padding)(const convarith_window_geometry *g) {
    for (int axis = 0; axis < 3; axis++) {
        if (g->padding[axis] > 0 && 2 * ((g->kernel[axis] - 1) * g->dilation[axis] + 1) > g->input[axis]) return 1;
    }
    return 0;
}

// A depthwise convolution of GRID_LANES planes at once (window_channels), channel c's weights at weights + c·taps.
GRID_TARGET static void GRID_FN(f32_depthwise_channels)(const float *x, float *y,
        const convarith_window_geometry *g, const float *weights, float *scratch) {
    if (GRID_FN(depthwise_skips_padding)(g)) {
        GRID_FN(window_channels)(x, y, g, weights, NULL, NULL, NULL, CONVARITH_GRID_WEIGHTED, 0.0f, scratch, 1);
    } else {
        GRID_FN(window_channels)(x, y, g, weights, NULL, NULL, NULL, CONVARITH_GRID_WEIGHTED, 0.0f, scratch, 0);
    }
}

// A max or average pooling of GRID_LANES planes at once (window_channels): `mode` CONVARITH_GRID_MAX or
// CONVARITH_GRID_AVERAGE, the divisors and `empty` as for the grid plane.
GRID_TARGET static void GRID_FN(f32_pool_channels)(const float *x, float *y, const convarith_window_geometry *g,
        const float *divisorZ, const float *divisorY, const float *divisorX, int mode, float empty, float *scratch) {
    CONVARITH_ASSERT(mode == CONVARITH_GRID_MAX || mode == CONVARITH_GRID_AVERAGE);
    if (mode == CONVARITH_GRID_AVERAGE) {
        GRID_FN(window_channels)(x, y, g, NULL, divisorZ, divisorY, divisorX, CONVARITH_GRID_AVERAGE, empty, scratch,
                                 0);
    } else {
        GRID_FN(window_channels)(x, y, g, NULL, NULL, NULL, NULL, CONVARITH_GRID_MAX, empty, scratch, 0);
    }
}

#undef GRID_FN
#undef GRID_PASTE
#undef GRID_PASTE2
#undef GRID_SUFFIX
#undef GRID_ISA
#undef GRID_TARGET
#undef GRID_V
#undef GRID_LANES
#undef GRID_LOAD
#undef GRID_STORE
#undef GRID_SET1
#undef GRID_ADD
#undef GRID_MUL
#undef GRID_FMADD
#undef GRID_MAX
#undef GRID_DIVIDE
