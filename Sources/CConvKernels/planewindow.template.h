// The direct window plane kernels, a template instantiated once per instruction set by planekernels.c (private
// to the C target). Before including it, define:
//   PLANE_SUFFIX             the instruction set's suffix of every function name (avx512, avx2, portable)
//   PLANE_TARGET             its target attribute (empty for portable code)
//   PLANE_V, PLANE_LANES     its vector of floats and the floats in one
//   PLANE_LOAD(p), PLANE_STORE(p, v), PLANE_SET1(f), PLANE_ADD(a, b), PLANE_MUL(a, b)
//   PLANE_MAX(acc, v)        the ordered max step: v > acc ? v : acc, lane by lane
//   PLANE_DIVIDE(sum, d)     sum / d, NaN where d is not positive
//   PLANE_MASKED_LOAD(p, bits, neutral)   lane j from p + j when bit j of `bits` is set (the others never
//                            read), else `neutral`'s
//   PLANE_MASKED_STORE(p, bits, v)        lane j of v to p + j when bit j is set
// Every function is static; the file undefines these parameters at its end. It defines
// f32_direct_plane_SUFFIX (the entry point, its arguments checked in debug builds).

#define PLANE_PASTE2(name, suffix) name##_##suffix
#define PLANE_PASTE(name, suffix) PLANE_PASTE2(name, suffix)
#define PLANE_FN(name) PLANE_PASTE(name, PLANE_SUFFIX)

// Vectors `starts[0…nv)` (up to 4; `nv` and `kW` constants where inlined) of every output line of a plane:
// line (oz, oy)'s windows cover depthTaps[oz].count × rowTaps[oy].count source lines, the first at depth
// depthTaps[oz].first and line rowTaps[oy].first (`depthStride` and `lineStride` floats apart; the next taps
// `depthStep` and `lineStep` floats on) and `kW` taps `dW` apart on each (`source` at column −p_w), in that order
// — the sums from +0 or the ordered maxima from `neutral` — then an average divided by
// divisorZ[oz]·divisorY[oy]·divisorX[j] (the reference's product order), stored to line (oz, oy) of `target`
// (`targetDepth` and `targetLine` floats apart). Vector v's tap t reads masked by masks[v·kW + t] when masked[v];
// a line narrower than a vector (`narrowLine`: `outW` below the lanes) is stored masked. `flat`: one depth tap
// for every output (a 2-D plane). Both are constants where inlined.
PLANE_TARGET __attribute__((always_inline)) static inline void PLANE_FN(plane_vectors)(const float *source,
        int64_t depthStride, int64_t lineStride, int64_t depthStep, int64_t lineStep, const plane_taps *depthTaps,
        const plane_taps *rowTaps, int64_t outD, int64_t outH, float *target, int64_t targetDepth, int64_t targetLine,
        int64_t outW, const int64_t *starts, int nv, int64_t kW, int64_t dW, const uint32_t *masks,
        const uint8_t *masked, PLANE_V neutral, const float *divisorZ, const float *divisorY, const float *divisorX,
        int average, int flat, int narrowLine) {
    uint32_t bits[4][8];
    PLANE_V divisors[4];
    int whole[4];
    _Pragma("GCC unroll 4") for (int v = 0; v < nv; v++) {
        whole[v] = !masked[v];
        _Pragma("GCC unroll 8") for (int64_t tx = 0; tx < kW && tx < 8; tx++) {
            bits[v][tx] = whole[v] ? 0 : masks[v * kW + tx];
        }
        divisors[v] = average && outW >= PLANE_LANES ? PLANE_LOAD(divisorX + starts[v]) : PLANE_SET1(1.0f);
    }
    const uint32_t narrow = narrowLine ? (uint32_t)((1u << outW) - 1) : 0;
    if (average && narrow) divisors[0] = PLANE_MASKED_LOAD(divisorX, narrow, PLANE_SET1(1.0f));
    for (int64_t oz = 0; oz < outD; oz++) {
        const plane_taps tz = depthTaps[oz];
        for (int64_t oy = 0; oy < outH; oy++) {
            const plane_taps ty = rowTaps[oy];
            const float *first = source + tz.first * depthStride + ty.first * lineStride;
            PLANE_V acc[4];
            _Pragma("GCC unroll 4") for (int v = 0; v < nv; v++) acc[v] = neutral;
            for (int64_t z = 0; z < (flat ? 1 : tz.count); z++) {
                for (int64_t l = 0; l < ty.count; l++) {
                    const float *line = first + z * depthStep + l * lineStep;
                    _Pragma("GCC unroll 4") for (int v = 0; v < nv; v++) {
                        const float *at = line + starts[v];
                        _Pragma("GCC unroll 8") for (int64_t tx = 0; tx < kW; tx++) {
                            const uint32_t mask = kW <= 8 ? bits[v][tx] : masks[v * kW + tx];
                            const PLANE_V value = whole[v] ? PLANE_LOAD(at + tx * dW)
                                                           : PLANE_MASKED_LOAD(at + tx * dW, mask, neutral);
                            acc[v] = average ? PLANE_ADD(acc[v], value) : PLANE_MAX(acc[v], value);
                        }
                    }
                }
            }
            float *row = target + oz * targetDepth + oy * targetLine;
            const PLANE_V zy = average ? PLANE_SET1(divisorZ[oz] * divisorY[oy]) : neutral;
            _Pragma("GCC unroll 4") for (int v = 0; v < nv; v++) {
                if (average) acc[v] = PLANE_DIVIDE(acc[v], PLANE_MUL(zy, divisors[v]));
                if (narrow) PLANE_MASKED_STORE(row, narrow, acc[v]);
                else PLANE_STORE(row + starts[v], acc[v]);
            }
        }
    }
}

// plane_vectors over every vector of the lines, in groups of up to four (each group's count a constant, and
// whether it is flat or narrow).
PLANE_TARGET __attribute__((always_inline)) static inline void PLANE_FN(plane_lines)(const float *source,
        int64_t depthStride, int64_t lineStride, int64_t depthStep, int64_t lineStep, const plane_taps *depthTaps,
        const plane_taps *rowTaps, int64_t outD, int64_t outH, float *target, int64_t targetDepth, int64_t targetLine,
        int64_t outW, int64_t kW, int64_t dW, const uint32_t *masks, const uint8_t *masked, PLANE_V neutral,
        const float *divisorZ, const float *divisorY, const float *divisorX, int average) {
    const int64_t count = plane_starts(outW, PLANE_LANES);
    // Every output line one depth tap (a 2-D plane, or the separable max's first pass).
    int flat = 1;
    for (int64_t oz = 0; oz < outD; oz++) flat &= depthTaps[oz].count == 1;
    for (int64_t i = 0; i < count; i += 4) {
        const int64_t starts[4] = {plane_start(i, outW, PLANE_LANES), plane_start(i + 1, outW, PLANE_LANES),
                                   plane_start(i + 2, outW, PLANE_LANES), plane_start(i + 3, outW, PLANE_LANES)};
#define PLANE_GROUP(nv, flat, narrow) PLANE_FN(plane_vectors)(source, depthStride, lineStride, depthStep, lineStep, \
        depthTaps, rowTaps, outD, outH, target, targetDepth, targetLine, outW, starts, nv, kW, dW, masks + i * kW, \
        masked + i, neutral, divisorZ, divisorY, divisorX, average, flat, narrow)
        if (outW < PLANE_LANES) {
            PLANE_GROUP(1, 0, 1);
        } else if (flat) {
            switch (count - i) {
            case 1: PLANE_GROUP(1, 1, 0); break;
            case 2: PLANE_GROUP(2, 1, 0); break;
            case 3: PLANE_GROUP(3, 1, 0); break;
            default: PLANE_GROUP(4, 1, 0); break;
            }
        } else {
            switch (count - i) {
            case 1: PLANE_GROUP(1, 0, 0); break;
            case 2: PLANE_GROUP(2, 0, 0); break;
            case 3: PLANE_GROUP(3, 0, 0); break;
            default: PLANE_GROUP(4, 0, 0); break;
            }
        }
#undef PLANE_GROUP
    }
}

// The plane, `kW` a constant where the caller passes one (so that a vector's taps unroll) and the mode too:
// every output line's windows whole, or (separable) a band of `rowsPerBand` output rows at a time, the maxima
// along each of the band's input lines (every depth) to `maxima`, then theirs across the lines.
PLANE_TARGET __attribute__((always_inline)) static inline void PLANE_FN(plane_body)(const float *x, float *y,
        const convarith_window_geometry *g, const float *divisorZ, const float *divisorY, const float *divisorX,
        int average, int separable, float empty, plane_layout layout, int64_t rowsPerBand, int64_t kW, int prepared) {
    const int64_t inD = g->input[0], inH = g->input[1], inW = g->input[2];
    const int64_t outD = g->output[0], outH = g->output[1], outW = g->output[2];
    const int64_t kD = g->kernel[0], kH = g->kernel[1];
    const int64_t sD = g->stride[0], sH = g->stride[1], dD = g->dilation[0], dH = g->dilation[1], dW = g->dilation[2];
    const int64_t pD = g->padding[0], pH = g->padding[1], pW = g->padding[2];
    const PLANE_V neutral = PLANE_SET1(average ? 0.0f : empty);
    if (!prepared) {
        for (int64_t oz = 0; oz < outD; oz++) layout.depthTaps[oz] = plane_taps_on(oz * sD - pD, kD, dD, 0, inD);
    }
    if (!separable) {
        if (!prepared) {
            for (int64_t oy = 0; oy < outH; oy++) layout.rowTaps[oy] = plane_taps_on(oy * sH - pH, kH, dH, 0, inH);
        }
        PLANE_FN(plane_lines)(x - pW, inH * inW, inW, dD * inH * inW, dH * inW, layout.depthTaps, layout.rowTaps, outD,
                              outH, y, outH * outW, outW, outW, kW, dW, layout.masks, layout.masked, neutral, divisorZ,
                              divisorY, divisorX, average);
        return;
    }
    const int64_t pitch = layout.pitch, starts = plane_starts(outW, PLANE_LANES);
    uint8_t *unmasked = layout.masked + starts;
    memset(unmasked, 0, (size_t)starts);
    for (int64_t band = 0; band < outH; band += rowsPerBand) {
        const int64_t rows = outH - band < rowsPerBand ? outH - band : rowsPerBand;
        int64_t lineFirst = band * sH - pH, lineEnd = (band + rows - 1) * sH + (kH - 1) * dH - pH + 1;
        if (lineFirst < 0) lineFirst = 0;
        if (lineEnd > inH) lineEnd = inH;
        const int64_t lines = lineEnd > lineFirst ? lineEnd - lineFirst : 0;
        // Input line (z, lineFirst + j)'s maxima: row z·lines + j — the band's lines as a plane of one-line windows.
        for (int64_t z = 0; z < inD; z++) layout.identity[z] = (plane_taps){z, 1};
        for (int64_t j = 0; j < lines; j++) layout.rowTaps[j] = (plane_taps){j, 1};
        PLANE_FN(plane_lines)(x + lineFirst * inW - pW, inH * inW, inW, 0, 0, layout.identity, layout.rowTaps, inD,
                              lines, layout.maxima, lines * pitch, pitch, outW, kW, dW, layout.masks, layout.masked,
                              neutral, 0, 0, 0, 0);
        for (int64_t oy = 0; oy < rows; oy++) {
            plane_taps ty = plane_taps_on((band + oy) * sH - pH, kH, dH, lineFirst, lineEnd);
            ty.first -= lineFirst;
            layout.rowTaps[oy] = ty;
        }
        PLANE_FN(plane_lines)(layout.maxima, lines * pitch, pitch, dD * lines * pitch, dH * pitch, layout.depthTaps,
                              layout.rowTaps, outD, rows, y + band * outW, outH * outW, outW, outW, 1, 1, 0, unmasked,
                              neutral, 0, 0, 0, 0);
    }
}

// A window plane read straight from `x` (planekernels.c), the common window widths (1 to 3, 5 and 7) and each
// mode a specialised body. `prepared`: the scratch holds the masks and taps a call of the same geometry, mode
// and instruction set left there (the planes after a layer's first).
PLANE_TARGET static void PLANE_FN(f32_direct_plane)(const float *x, float *y, const convarith_window_geometry *g,
        const float *divisorZ, const float *divisorY, const float *divisorX, int mode, float empty, float *scratch,
        int64_t rowsPerBand, int prepared) {
    convarith_check_window(g);
    CONVARITH_ASSERT(g->stride[2] == 1);
    CONVARITH_ASSERT(mode == CONVARITH_GRID_MAX || mode == CONVARITH_GRID_AVERAGE
                     || mode == CONVARITH_GRID_SEPARABLE_MAX);
    CONVARITH_ASSERT(rowsPerBand >= 1 && rowsPerBand <= g->output[1]);
    const plane_layout layout = plane_layout_of(g, scratch);
    if (!prepared) plane_masks(g, PLANE_LANES, layout.masks, layout.masked);
    const int average = mode == CONVARITH_GRID_AVERAGE, separable = mode == CONVARITH_GRID_SEPARABLE_MAX;
#define PLANE_BODY(average, separable, width) \
    PLANE_FN(plane_body)(x, y, g, divisorZ, divisorY, divisorX, average, separable, empty, layout, rowsPerBand, width, \
                         prepared)
#define PLANE_WIDTHS(average, separable) \
    switch (g->kernel[2]) { \
    case 1: PLANE_BODY(average, separable, 1); return; \
    case 2: PLANE_BODY(average, separable, 2); return; \
    case 3: PLANE_BODY(average, separable, 3); return; \
    case 5: PLANE_BODY(average, separable, 5); return; \
    case 7: PLANE_BODY(average, separable, 7); return; \
    default: PLANE_BODY(average, separable, g->kernel[2]); return; \
    }
    if (average) { PLANE_WIDTHS(1, 0) }
    if (separable) { PLANE_WIDTHS(0, 1) }
    PLANE_WIDTHS(0, 0)
#undef PLANE_WIDTHS
#undef PLANE_BODY
}

#undef PLANE_FN
#undef PLANE_PASTE
#undef PLANE_PASTE2
#undef PLANE_SUFFIX
#undef PLANE_TARGET
#undef PLANE_V
#undef PLANE_LANES
#undef PLANE_LOAD
#undef PLANE_STORE
#undef PLANE_SET1
#undef PLANE_ADD
#undef PLANE_MUL
#undef PLANE_MAX
#undef PLANE_DIVIDE
#undef PLANE_MASKED_LOAD
#undef PLANE_MASKED_STORE
