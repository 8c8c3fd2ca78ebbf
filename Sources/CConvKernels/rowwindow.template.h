// The row window kernels, a template instantiated once per vector instruction set by rowkernels.c (private
// to the C target). Before including it, define:
//   ROW_SUFFIX, ROW_TARGET     the suffix of every function name (avx512, avx2) and the target attribute
//   ROW_V, ROW_INDEX           the vector of floats and of 32-bit indices; ROW_LANES floats a vector,
//                              ROW_FULL the bits of all lanes
//   ROW_SET1(f), ROW_ADD(a, b), ROW_FMADD(a, b, c) (a·b + c), ROW_MAX(acc, v) (v > acc ? v : acc, ordered)
//   ROW_LOAD_S1(at), ROW_LOAD_S2(at), ROW_LOAD_GATHER(at): a vector of outputs' taps at stride 1, 2 or any
//   ROW_MASKED_S1(at, bits), ROW_MASKED_S2(at, bits), ROW_MASKED_GATHER(at, bits): the same, the lanes
//                              outside `bits` (for stride 2: the floats of the 2·LANES − 1 its loads cover)
//                              the value `neutral`
//   ROW_LOAD_LANES(at, bits), ROW_STORE(at, bits, v), ROW_DIVIDE(acc, d) (NaN where d is not positive)
//   ROW_GATHER_INDEX(s), ROW_EVENS: the values of `gather` and `evens`
//   ROW_SPAN_LOAD(at, bits), ROW_EVENS_OF(a, b), ROW_ODDS_OF(a, b), ROW_NEXT(e, n) (e's lanes 1… then n's
//                              lane 0), ROW_SPAN_SETUP (declares what these read besides `evens`: `odds`, `rotate`)
//   ROW_EVENS_RAW(a, b), ROW_ODDS_RAW(a, b), ROW_UNRAW(v): the even and odd floats in one lane order of the
//                              ISA's choosing (the same for both), and that order put right
//   ROW_MASKED_PLANE           the plane that masks every tap, for planes whose padded copy would be large
// The ISA macros may read the names `neutral`, `gather`, `evens`, `odds` and `rotate`, which are in scope
// where they are used. The file undefines these parameters at its end.

#define ROW_PASTE2(name, suffix) name##_##suffix
#define ROW_PASTE(name, suffix) ROW_PASTE2(name, suffix)
#define ROW_FN(name) ROW_PASTE(name, ROW_SUFFIX)

// One tap into an accumulator: the weighted sum, the sum or the ordered max.
#define ROW_STEP(acc, weight, value, mode) \
    ((mode) == MODE_WEIGHTED ? ROW_FMADD(weight, value, acc) \
     : (mode) == MODE_AVERAGE ? ROW_ADD(acc, value) : ROW_MAX(acc, value))

// A vector of outputs' taps by the load `load` (stride 1, 2 or a gather), masked by `bits` when `masked`.
ROW_TARGET __attribute__((always_inline)) static inline ROW_V ROW_FN(row_load)(const float *at, int load,
        int masked, int64_t bits, ROW_V neutral, ROW_INDEX gather, ROW_INDEX evens) {
    (void)neutral, (void)gather, (void)evens, (void)bits;
    if (load == ROW_LOAD_KIND_S1) return masked ? ROW_MASKED_S1(at, bits) : ROW_LOAD_S1(at);
    if (load == ROW_LOAD_KIND_S2) return masked ? ROW_MASKED_S2(at, bits) : ROW_LOAD_S2(at);
    return masked ? ROW_MASKED_GATHER(at, bits) : ROW_LOAD_GATHER(at);
}

// Every accumulator of `rows` rows of `vectors` vectors set to `neutral`.
ROW_TARGET __attribute__((always_inline)) static inline void ROW_FN(row_reset)(ROW_V acc[2][4], int rows, int vectors,
        ROW_V neutral) {
    _Pragma("GCC unroll 2") for (int r = 0; r < rows; r++) {
        _Pragma("GCC unroll 4") for (int v = 0; v < vectors; v++) acc[r][v] = neutral;
    }
}

// The accumulators of `rows` rows of `vectors` vectors stored (averages divided first), the last vector's
// `job->last` lanes only: the job's rows `repetition` steps down the plane (`rowAdvance` floats a step).
ROW_TARGET __attribute__((always_inline)) static inline void ROW_FN(row_store)(const convarith_row_job *job,
        ROW_V acc[2][4], int rows, int vectors, int mode, int64_t repetition) {
    _Pragma("GCC unroll 2") for (int r = 0; r < rows; r++) {
        _Pragma("GCC unroll 4") for (int v = 0; v < vectors; v++) {
            const uint32_t stored = v == vectors - 1 ? job->last : ROW_FULL;
            if (mode == MODE_AVERAGE) {
                const float zy = job->divisorZ * job->divisorY[repetition * rows + r];
                const ROW_V divisor = ROW_SET1(zy) * ROW_LOAD_LANES(job->divisorX + ROW_LANES * v, stored);
                acc[r][v] = ROW_DIVIDE(acc[r][v], divisor);
            }
            ROW_STORE(job->row[r] + repetition * job->rowAdvance + ROW_LANES * v, stored, acc[r][v]);
        }
    }
}

// `rows` (1 or 2) output rows at once, `vectors` (1–4) vectors each, every tap loaded by `load`: row r's
// lines are job->lines[r], its output job->row[r]; then the same `job->repeat − 1` more times, the lines
// `lineAdvance` floats further down each time. Vectors whose taps all lie on the line read unmasked; the first
// and last read with their per-tap masks when given.
ROW_TARGET __attribute__((always_inline)) static inline void ROW_FN(row_inner)(const convarith_row_job *job,
        ROW_INDEX gather, ROW_INDEX evens, int rows, int vectors, int load, int mode) {
    const ROW_V neutral = ROW_SET1(job->start);
    const int64_t *firstMasks = job->firstMasks, *lastMasks = job->lastMasks;
    for (int64_t repetition = 0; repetition < job->repeat; repetition++) {
        const int64_t shift = job->offset + repetition * job->lineAdvance;
        ROW_V acc[2][4];
        ROW_FN(row_reset)(acc, rows, vectors, neutral);
        for (int64_t l = 0; l < job->lineCount; l++) {
            for (int64_t tx = 0; tx < job->kW; tx++) {
                const ROW_V weight = mode == MODE_WEIGHTED ? ROW_SET1(job->weightLines[l][tx]) : neutral;
                _Pragma("GCC unroll 2") for (int r = 0; r < rows; r++) {
                    const float *base = job->lines[r][l] + shift + tx * job->dW;
                    _Pragma("GCC unroll 4") for (int v = 0; v < vectors; v++) {
                        const float *at = base + ROW_LANES * v * job->sW;
                        const int64_t *masks = v == 0 && firstMasks ? firstMasks
                                               : v == vectors - 1 && lastMasks ? lastMasks : 0;
                        const ROW_V value = masks ? ROW_FN(row_load)(at, load, 1, masks[tx], neutral, gather, evens)
                                            : ROW_FN(row_load)(at, load, 0, 0, neutral, gather, evens);
                        acc[r][v] = ROW_STEP(acc[r][v], weight, value, mode);
                    }
                }
            }
        }
        ROW_FN(row_store)(job, acc, rows, vectors, mode, repetition);
    }
}

// Stride 2, a window 2 or 3 wide (`kw`) and no dilation (nearly every strided pool): each line's span under
// a vector of outputs, floats [0, 2·LANES) from its start, is loaded once; tap 0 is its even floats, tap 1
// its odd ones, and tap 2 the even ones moved by one lane (with the next vector's first even float, or, for
// the last vector, float 2·LANES loaded alone) — two loads and up to three shuffles a line and vector instead
// of two loads and a shuffle per tap. The taps still meet each output in the order 0, 1, 2. The span's masks
// come from the taps' (float j < 2·LANES − 1 as tap 0's bit j, float 2·LANES − 1 as tap 1's last bit, float
// 2·LANES as tap 2's).
ROW_TARGET __attribute__((always_inline)) static inline void ROW_FN(row_span)(const convarith_row_job *job,
        ROW_INDEX evens, int rows, int vectors, int kw, int mode) {
    const int64_t lanes = ROW_LANES;
    const ROW_V neutral = ROW_SET1(job->start);
    ROW_SPAN_SETUP
    const int64_t *firstMasks = job->firstMasks, *lastMasks = job->lastMasks;
    uint32_t low[4], high[4];
    _Pragma("GCC unroll 4") for (int v = 0; v < vectors; v++) {
        const int64_t *masks = v == 0 && firstMasks ? firstMasks : v == vectors - 1 && lastMasks ? lastMasks : 0;
        low[v] = masks ? (uint32_t)(masks[0] & ROW_FULL) : ROW_FULL;
        high[v] = masks ? (uint32_t)(((masks[0] >> lanes) & (ROW_FULL >> 1)) | (((masks[1] >> (2 * lanes - 2)) & 1) << (lanes - 1))) : ROW_FULL;
    }
    const int64_t *tailMasks = vectors == 1 && firstMasks ? firstMasks : lastMasks;
    const uint32_t tail = kw == 3 ? (uint32_t)(tailMasks ? (tailMasks[2] >> (2 * lanes - 2)) & 1 : 1) : 0;
    for (int64_t repetition = 0; repetition < job->repeat; repetition++) {
        const int64_t shift = job->offset + repetition * job->lineAdvance;
        ROW_V acc[2][4];
        ROW_FN(row_reset)(acc, rows, vectors, neutral);
        for (int64_t l = 0; l < job->lineCount; l++) {
            const ROW_V w0 = mode == MODE_WEIGHTED ? ROW_SET1(job->weightLines[l][0]) : neutral;
            const ROW_V w1 = mode == MODE_WEIGHTED ? ROW_SET1(job->weightLines[l][1]) : neutral;
            const ROW_V w2 = mode == MODE_WEIGHTED && kw == 3 ? ROW_SET1(job->weightLines[l][2]) : neutral;
            _Pragma("GCC unroll 2") for (int r = 0; r < rows; r++) {
                const float *base = job->lines[r][l] + shift;
                ROW_V even[5], odd[4];
                _Pragma("GCC unroll 4") for (int v = 0; v < vectors; v++) {
                    const ROW_V a = ROW_SPAN_LOAD(base + 2 * lanes * v, low[v]);
                    const ROW_V b = ROW_SPAN_LOAD(base + 2 * lanes * v + lanes, high[v]);
                    // A window 2 wide never moves lanes across outputs: its taps stay in the raw order, which
                    // every step keeps lane for lane, and the accumulators are put right once, before the store.
                    even[v] = kw == 2 ? ROW_EVENS_RAW(a, b) : ROW_EVENS_OF(a, b);
                    odd[v] = kw == 2 ? ROW_ODDS_RAW(a, b) : ROW_ODDS_OF(a, b);
                }
                even[vectors] = kw == 3 ? ROW_SPAN_LOAD(base + 2 * lanes * vectors, tail) : neutral;
                _Pragma("GCC unroll 4") for (int v = 0; v < vectors; v++) {
                    const ROW_V taps[3] = {even[v], odd[v], kw == 3 ? ROW_NEXT(even[v], even[v + 1]) : neutral};
                    const ROW_V weight[3] = {w0, w1, w2};
                    _Pragma("GCC unroll 3") for (int t = 0; t < kw; t++) acc[r][v] = ROW_STEP(acc[r][v], weight[t], taps[t], mode);
                }
            }
        }
        if (kw == 2) {
            _Pragma("GCC unroll 2") for (int r = 0; r < rows; r++) {
                _Pragma("GCC unroll 4") for (int v = 0; v < vectors; v++) acc[r][v] = ROW_UNRAW(acc[r][v]);
            }
        }
        ROW_FN(row_store)(job, acc, rows, vectors, mode, repetition);
    }
}

// The inner kernel for `count` vectors (two rows of `count` when `paired`), its load kind and mode all
// constants where they are inlined: one specialised kernel per combination, as the switches below spell out.
ROW_TARGET __attribute__((always_inline)) static inline void ROW_FN(row_shape)(const convarith_row_job *job,
        ROW_INDEX gather, ROW_INDEX evens, int paired, int count, int load, int mode) {
    if (load == ROW_LOAD_KIND_SPAN2 || load == ROW_LOAD_KIND_SPAN3) {
        const int kw = load == ROW_LOAD_KIND_SPAN3 ? 3 : 2;
        if (paired) {
            if (count == 2) ROW_FN(row_span)(job, evens, 2, 2, kw, mode);
            else ROW_FN(row_span)(job, evens, 2, 1, kw, mode);
        } else {
            switch (count) {
            case 4: ROW_FN(row_span)(job, evens, 1, 4, kw, mode); break;
            case 3: ROW_FN(row_span)(job, evens, 1, 3, kw, mode); break;
            case 2: ROW_FN(row_span)(job, evens, 1, 2, kw, mode); break;
            default: ROW_FN(row_span)(job, evens, 1, 1, kw, mode); break;
            }
        }
        return;
    }
    if (paired) {
        if (count == 2) ROW_FN(row_inner)(job, gather, evens, 2, 2, load, mode);
        else ROW_FN(row_inner)(job, gather, evens, 2, 1, load, mode);
    } else {
        switch (count) {
        case 4: ROW_FN(row_inner)(job, gather, evens, 1, 4, load, mode); break;
        case 3: ROW_FN(row_inner)(job, gather, evens, 1, 3, load, mode); break;
        case 2: ROW_FN(row_inner)(job, gather, evens, 1, 2, load, mode); break;
        default: ROW_FN(row_inner)(job, gather, evens, 1, 1, load, mode); break;
        }
    }
}

ROW_TARGET __attribute__((always_inline)) static inline void ROW_FN(row_load_kind)(const convarith_row_job *job,
        ROW_INDEX gather, ROW_INDEX evens, int paired, int count, int load, int mode) {
    switch (load) {
    case ROW_LOAD_KIND_S1: ROW_FN(row_shape)(job, gather, evens, paired, count, ROW_LOAD_KIND_S1, mode); break;
    case ROW_LOAD_KIND_S2: ROW_FN(row_shape)(job, gather, evens, paired, count, ROW_LOAD_KIND_S2, mode); break;
    case ROW_LOAD_KIND_SPAN2: ROW_FN(row_shape)(job, gather, evens, paired, count, ROW_LOAD_KIND_SPAN2, mode); break;
    case ROW_LOAD_KIND_SPAN3: ROW_FN(row_shape)(job, gather, evens, paired, count, ROW_LOAD_KIND_SPAN3, mode); break;
    default: ROW_FN(row_shape)(job, gather, evens, paired, count, ROW_LOAD_KIND_GATHER, mode); break;
    }
}

// One call of the specialised inner kernel for a job (the switch over the mode, then the load, then the shape).
ROW_TARGET __attribute__((always_inline)) static inline void ROW_FN(row_call)(const convarith_row_job *job,
        ROW_INDEX gather, ROW_INDEX evens, int paired, int count, int load, int mode) {
    switch (mode) {
    case MODE_MAX: ROW_FN(row_load_kind)(job, gather, evens, paired, count, load, MODE_MAX); break;
    case MODE_AVERAGE: ROW_FN(row_load_kind)(job, gather, evens, paired, count, load, MODE_AVERAGE); break;
    default: ROW_FN(row_load_kind)(job, gather, evens, paired, count, load, MODE_WEIGHTED); break;
    }
}

// A whole plane with the vector kernels, or with the kernel that masks every tap when the plane's padded
// copy would be large.
ROW_TARGET static void ROW_FN(f32_window_plane)(const float *x, float *y, const convarith_window_geometry *g,
        const float *divisorZ, const float *divisorY, const float *divisorX, int mode, float empty, const float *weights, int64_t *scratch) {
    if (g->stride[2] > (1 << 27)) {
        f32_window_plane_portable(x, y, g, divisorZ, divisorY, divisorX, mode, empty, weights, scratch);
        return;
    }
    const int64_t lanesPerVector = ROW_LANES;
    const ROW_INDEX gather = ROW_GATHER_INDEX(g->stride[2]);
    const ROW_INDEX evens = ROW_EVENS;
    const float start = mode == MODE_MAX ? empty : 0.0f;
    const int64_t vectorCount = (g->output[2] + lanesPerVector - 1) / lanesPerVector;
    // Per-tap masks of the first and last vector, when they are the only ones that read outside the line;
    // otherwise the plane copied once, each line padded with the neutral value (or, were that copy large,
    // the kernel that masks every tap).
    const int suffice = edges_suffice(g, lanesPerVector);
    if (!suffice && pool_copy_floats(g, lanesPerVector) == 0) {
        ROW_MASKED_PLANE(x, y, g, divisorZ, divisorY, divisorX, mode, empty, weights, scratch);
        return;
    }
    int64_t *edgeFirst = scratch + pool_index_words(g), *edgeLast = edgeFirst + g->kernel[2];
    const int64_t copyStride = suffice ? 0 : pool_line_stride(g, lanesPerVector);
    const float *source = x;
    int64_t lineStride = g->input[2];
    if (copyStride > 0) {
        float *copy = (float *)(edgeLast + g->kernel[2]);
        const int64_t inW = g->input[2], pW = g->padding[2];
        const ROW_V neutral = ROW_SET1(start);
        for (int64_t line = 0; line < g->input[0] * g->input[1]; line++) {
            float *target = copy + line * copyStride;
            for (int64_t i = 0; i < copyStride; i += lanesPerVector) ROW_STORE(target + i, ROW_FULL, neutral);
            memcpy(target + pW, x + line * inW, (size_t)inW * sizeof(float));
        }
        source = copy + pW;
        lineStride = copyStride;
    } else {
        // A vector whose lanes all lie on the line reads unmasked.
        if (!edge_masks(0, lanesPerVector, g, edgeFirst)) edgeFirst = 0;
        if (!edge_masks(vectorCount - 1, lanesPerVector, g, edgeLast)) edgeLast = 0;
    }
    const int64_t outD = g->output[0], outH = g->output[1], outW = g->output[2];
    const int64_t kD = g->kernel[0], kH = g->kernel[1], kW = g->kernel[2], sW = g->stride[2], dW = g->dilation[2], pW = g->padding[2];
    const float **linesA = (const float **)(scratch + 2 * kW), **weightsA = linesA + kD * kH;
    const float **linesB = weightsA + kD * kH, **weightsB = linesB + kD * kH;
    const uint32_t last = outW % lanesPerVector == 0 ? ROW_FULL : (1u << (outW % lanesPerVector)) - 1;
    const int load = sW == 1 ? ROW_LOAD_KIND_S1
                     : sW == 2 && dW == 1 && kW == 3 ? ROW_LOAD_KIND_SPAN3
                     : sW == 2 && dW == 1 && kW == 2 ? ROW_LOAD_KIND_SPAN2
                     : sW == 2 ? ROW_LOAD_KIND_S2 : ROW_LOAD_KIND_GATHER;
    // Rows whose every vertical tap lies on the (copied) input: [interiorFirst, interiorEnd). Rows of up to eight
    // vectors run all of these in one call per group of four vectors, the taps' lines moved down a row (or a pair)
    // at a time: a narrow row's own setup cost as much as its taps. Wider rows go one call a row, in row order.
    const int64_t sH = g->stride[1], pH = g->padding[1], reach = (g->kernel[1] - 1) * g->dilation[1];
    const int64_t interiorFirst = (pH + sH - 1) / sH;
    const int64_t interiorEnd = g->input[1] - 1 + pH - reach < 0 ? 0 : (g->input[1] - 1 + pH - reach) / sH + 1;
    for (int64_t oz = 0; oz < outD; oz++) {
        for (int64_t oy = 0; oy < outH;) {
            const int64_t lineCount = row_lines(g, oz, oy, source, lineStride, weights, linesA, weightsA);
            // Narrow rows go two at a time (twice the independent chains) when the next row has the same taps.
            int paired = 0;
            if (vectorCount <= 2 && oy + 1 < outH
                && row_lines(g, oz, oy + 1, source, lineStride, weights, linesB, weightsB) == lineCount) {
                paired = 1;
                for (int64_t l = 0; l < lineCount; l++) paired &= weightsA[l] == weightsB[l];
            }
            const int64_t step = 1 + paired;
            const int64_t end = interiorEnd < outH ? interiorEnd : outH;
            const int64_t repeat = vectorCount <= 8 && oy >= interiorFirst && oy + step <= end ? (end - oy) / step : 1;
            for (int64_t v0 = 0; v0 < vectorCount; v0 += 4) {
                const int64_t count = vectorCount - v0 < 4 ? vectorCount - v0 : 4;
                const int isLast = v0 + count == vectorCount;
                const int64_t i0 = lanesPerVector * v0;
                const convarith_row_job job = {
                    .lines = {linesA, linesB}, .lineCount = lineCount, .offset = i0 * sW - pW, .weightLines = weightsA,
                    .kW = kW, .sW = sW, .dW = dW, .start = start, .divisorZ = mode == MODE_AVERAGE ? divisorZ[oz] : 1.0f,
                    .divisorY = mode == MODE_AVERAGE ? divisorY + oy : 0, .divisorX = divisorX ? divisorX + i0 : 0,
                    .repeat = repeat, .lineAdvance = step * sH * lineStride, .rowAdvance = step * outW,
                    .row = {y + (oz * outH + oy) * outW + i0, y + (oz * outH + oy + paired) * outW + i0},
                    .last = isLast ? last : ROW_FULL,
                    // A single vector that is first and last: its masks (edge_masks of vector 0) bound both sides.
                    .firstMasks = copyStride == 0 && v0 == 0 ? edgeFirst : 0,
                    .lastMasks = copyStride == 0 && isLast && !(v0 == 0 && count == 1) ? edgeLast : 0,
                };
                ROW_FN(row_call)(&job, gather, evens, paired, (int)count, load, mode);
            }
            oy += step * repeat;
        }
    }
}

#undef ROW_STEP
#undef ROW_FN
#undef ROW_PASTE
#undef ROW_PASTE2
#undef ROW_SUFFIX
#undef ROW_TARGET
#undef ROW_V
#undef ROW_INDEX
#undef ROW_LANES
#undef ROW_FULL
#undef ROW_SET1
#undef ROW_ADD
#undef ROW_FMADD
#undef ROW_MAX
#undef ROW_LOAD_S1
#undef ROW_LOAD_S2
#undef ROW_LOAD_GATHER
#undef ROW_MASKED_S1
#undef ROW_MASKED_S2
#undef ROW_MASKED_GATHER
#undef ROW_LOAD_LANES
#undef ROW_STORE
#undef ROW_DIVIDE
#undef ROW_GATHER_INDEX
#undef ROW_EVENS
#undef ROW_SPAN_LOAD
#undef ROW_EVENS_OF
#undef ROW_ODDS_OF
#undef ROW_EVENS_RAW
#undef ROW_ODDS_RAW
#undef ROW_UNRAW
#undef ROW_NEXT
#undef ROW_SPAN_SETUP
#undef ROW_MASKED_PLANE
