// The grid window kernels, a template instantiated once per instruction set by gridkernels.c (private to
// the C target). Before including it, define:
//   GRID_SUFFIX             the instruction set's suffix of every function name (avx512, avx2, portable)
//   GRID_TARGET             its target attribute (empty for portable code)
//   GRID_V, GRID_LANES      its vector of floats and the floats in one
//   GRID_LOAD(p), GRID_STORE(p, v), GRID_SET1(f)
//   GRID_ADD(a, b), GRID_MUL(a, b)
//   GRID_MAX(acc, v)        the ordered max step: v >= acc ? v : acc, lane by lane
//   GRID_DIVIDE(sum, d)     sum / d, NaN where d is not positive
// Every function is static; the file may be included once per instruction set in one translation unit.

#define GRID_PASTE2(name, suffix) name##_##suffix
#define GRID_PASTE(name, suffix) GRID_PASTE2(name, suffix)
#define GRID_FN(name) GRID_PASTE(name, GRID_SUFFIX)

// target[m] for m < count: the window of source[m + offsets[t]], t < taps, in that order — the sum from +0 or
// the ordered max from `start` — four vectors of outputs at a time (four independent chains), then one, then
// one float.
GRID_TARGET __attribute__((always_inline)) static inline void GRID_FN(grid_stream_mode)(
        const float *source, float *target, int64_t count, const int64_t *offsets, int64_t taps, float start, int average) {
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
        // The tail as the last whole vector, again over some outputs (the same values: target is not source).
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
            a = average ? a + v : (v >= a ? v : a);
        }
        target[m] = a;
    }
}

GRID_TARGET static void GRID_FN(grid_stream)(const float *source, float *target, int64_t count, const int64_t *offsets,
                                             int64_t taps, float start, int average) {
    if (average) GRID_FN(grid_stream_mode)(source, target, count, offsets, taps, start, 1);
    else GRID_FN(grid_stream_mode)(source, target, count, offsets, taps, start, 0);
}

// Row `count` floats of an average's sums divided by zy · divisorX[j] (the reference's product order), or copied.
GRID_TARGET static void GRID_FN(grid_row_out)(const float *sums, float *row, int64_t count, float zy, const float *divisorX, int average) {
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

// The grid of `x`'s plane: x[a − p_d][b − p_h][c − p_w] where that lies on the input, else `neutral`.
GRID_TARGET static void GRID_FN(grid_fill)(const float *x, const convarith_window_geometry *g, const convarith_grid_extent *e,
                                           float neutral, float *padded) {
    const int64_t inD = g->input[0], inH = g->input[1], inW = g->input[2];
    const int64_t pD = g->padding[0], pH = g->padding[1], pW = g->padding[2], width = e->width;
    const int64_t lo = pW < width ? pW : width, hi = pW + inW < width ? pW + inW : width;
    for (int64_t a = 0; a < e->depth; a++) {
        for (int64_t b = 0; b < e->height; b++) {
            float *line = padded + (a * e->height + b) * width;
            const int64_t z = a - pD, yy = b - pH;
            if (z < 0 || z >= inD || yy < 0 || yy >= inH || hi <= lo) {
                for (int64_t c = 0; c < width; c++) line[c] = neutral;
                continue;
            }
            for (int64_t c = 0; c < lo; c++) line[c] = neutral;
            GRID_FN(grid_copy)(x + (z * inH + yy) * inW + (lo - pW), line + lo, hi - lo);
            for (int64_t c = hi; c < width; c++) line[c] = neutral;
        }
    }
}

// A unit-stride pooling plane over its padded grid (see gridkernels.c).
GRID_TARGET static void GRID_FN(grid_plane)(const float *x, float *y, const convarith_window_geometry *g, const float *divisorZ,
                                            const float *divisorY, const float *divisorX, int mode, float empty, float *scratch) {
    const convarith_grid_extent e = grid_extent(g);
    const int average = mode == CONVARITH_GRID_AVERAGE;
    const float neutral = average ? 0.0f : empty;
    float *padded = scratch, *sums = padded + e.size, *rows = sums + e.size;
    int64_t *offsets = (int64_t *)(rows + e.size);
    GRID_FN(grid_fill)(x, g, &e, neutral, padded);
    const int64_t kD = g->kernel[0], kH = g->kernel[1], kW = g->kernel[2];
    const int64_t dD = g->dilation[0], dH = g->dilation[1], dW = g->dilation[2];
    const int64_t outD = g->output[0], outH = g->output[1], outW = g->output[2];
    // The outputs' span on the grid: from (0, 0, 0) to (outD − 1, outH − 1, outW − 1).
    const int64_t count = ((outD - 1) * e.height + outH - 1) * e.width + outW;
    const float *source = padded;
    int64_t taps = 0;
    if (mode == CONVARITH_GRID_SEPARABLE_MAX) {
        for (int64_t tx = 0; tx < kW; tx++) offsets[tx] = tx * dW;
        GRID_FN(grid_stream)(padded, rows, e.size - (kW - 1) * dW, offsets, kW, empty, 0);
        for (int64_t tz = 0; tz < kD; tz++)
            for (int64_t ty = 0; ty < kH; ty++) offsets[taps++] = (tz * dD * e.height + ty * dH) * e.width;
        source = rows;
    } else {
        for (int64_t tz = 0; tz < kD; tz++)
            for (int64_t ty = 0; ty < kH; ty++)
                for (int64_t tx = 0; tx < kW; tx++) offsets[taps++] = (tz * dD * e.height + ty * dH) * e.width + tx * dW;
    }
    GRID_FN(grid_stream)(source, sums, count, offsets, taps, neutral, average);
    for (int64_t oz = 0; oz < outD; oz++) {
        for (int64_t oy = 0; oy < outH; oy++) {
            const float zy = average ? divisorZ[oz] * divisorY[oy] : 1.0f;
            GRID_FN(grid_row_out)(sums + (oz * e.height + oy) * e.width, y + (oz * outH + oy) * outW, outW, zy, divisorX, average);
        }
    }
}

#undef GRID_FN
#undef GRID_PASTE
#undef GRID_PASTE2
