// Checks the C kernels of CConvKernels against plain loops, for whatever machine it is compiled for: built
// natively it checks the kernels the CPU selects (CONVARITH_KERNEL_ISA-style names on the command line force
// one); cross-compiled for aarch64 (scripts/check-arm-kernels.sh) and run under qemu-user it checks the
// portable kernels as ARM runs them — their vector extensions become NEON, the only fast path there.
//
// Every case prints nothing when it agrees; a disagreement prints the case and the worst difference. The last
// line counts the cases and the failures; the exit status is 1 when any failed (or none ran).
#include "CConvKernels.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cases = 0, failures = 0;
static uint64_t state = 0x9E3779B97F4A7C15ull;

static float random_float(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (float)((int64_t)(state % 2001) - 1000) / 500.0f;
}

static int64_t random_below(int64_t bound) { return (int64_t)((state = state * 6364136223846793005ull + 1442695040888963407ull) >> 33) % bound; }

static float *random_floats(int64_t count) {
    float *values = malloc(sizeof(float) * (size_t)(count > 0 ? count : 1));
    for (int64_t i = 0; i < count; i++) values[i] = random_float();
    return values;
}

// Compares `count` floats within `tolerance` of the larger magnitude (NaN only against NaN); reports the case.
static void expect_close(const char *what, const float *got, const float *want, int64_t count, float tolerance) {
    cases++;
    float worst = 0;
    int64_t at = -1;
    for (int64_t i = 0; i < count; i++) {
        if (isnan(got[i]) || isnan(want[i])) {
            if (!(isnan(got[i]) && isnan(want[i]))) { worst = INFINITY; at = i; break; }
            continue;
        }
        float difference = fabsf(got[i] - want[i]) / fmaxf(1.0f, fabsf(want[i]));
        if (difference > worst) { worst = difference; at = i; }
    }
    if (worst > tolerance) {
        failures++;
        printf("FAIL %s: element %lld got %g, want %g\n", what, (long long)at, at >= 0 ? got[at] : 0.0, at >= 0 ? want[at] : 0.0);
    }
}

static void check_microkernel(const char *isa) {
    convarith_microkernel kernel = convarith_select_microkernel(isa);
    int64_t depths[] = {1, 3, 17, 64, 257};
    for (int d = 0; d < 5; d++) {
        for (int accumulate = 0; accumulate < 2; accumulate++) {
            int64_t k = depths[d], mr = kernel.mr, nr = kernel.nr, ldc = nr + 3;
            float *a = random_floats(mr * k), *b = random_floats(nr * k), *c = random_floats(mr * ldc);
            float *want = malloc(sizeof(float) * (size_t)(mr * ldc));
            memcpy(want, c, sizeof(float) * (size_t)(mr * ldc));
            for (int64_t i = 0; i < mr; i++)
                for (int64_t j = 0; j < nr; j++) {
                    float sum = accumulate ? want[i * ldc + j] : 0;
                    for (int64_t p = 0; p < k; p++) sum += a[p * mr + i] * b[p * nr + j];
                    want[i * ldc + j] = sum;
                }
            kernel.kernel(k, a, b, c, ldc, accumulate);
            char what[96];
            snprintf(what, sizeof what, "%s micro-kernel %dx%d k=%lld accumulate=%d", kernel.name, kernel.mr, kernel.nr, (long long)k, accumulate);
            expect_close(what, c, want, mr * ldc, 1e-5f);
            free(a), free(b), free(c), free(want);
        }
    }
}

static void check_indirect(const char *isa) {
    convarith_indirect_kernel kernel = convarith_select_indirect_kernel(isa);
    // 40 random tiles, then every width 1…nr of a full-height tile, each packed or in place, accumulating or not.
    for (int trial = 0; trial < 40 + 4 * (int)kernel.nr; trial++) {
        int64_t mr = kernel.mr, nr = kernel.nr;
        int64_t m = trial < 40 ? 1 + random_below(mr) : mr;
        int64_t n = trial < 40 ? 1 + random_below(nr) : 1 + (trial - 40) / 4;
        int64_t k = 1 + random_below(40);
        int packed = trial % 2, accumulate = (trial / 2) % 2;
        // A: a packed panel (row stride 1, step stride mr) or rows read in place (row stride lda, step 1).
        int64_t lda = k + random_below(5);
        int64_t row_stride = packed ? 1 : lda, step_stride = packed ? mr : 1;
        float *a = random_floats(packed ? mr * k : lda * m);
        int64_t source_count = 4096;
        float *b = random_floats(source_count);
        int64_t *offsets = malloc(sizeof(int64_t) * (size_t)k);
        for (int64_t p = 0; p < k; p++) offsets[p] = random_below(source_count - n);
        int64_t ldc = nr + 5;
        float *c = random_floats(mr * ldc), *want = malloc(sizeof(float) * (size_t)(mr * ldc));
        memcpy(want, c, sizeof(float) * (size_t)(mr * ldc));
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                float sum = accumulate ? want[i * ldc + j] : 0;
                for (int64_t p = 0; p < k; p++) sum += a[i * row_stride + p * step_stride] * b[offsets[p] + j];
                want[i * ldc + j] = sum;
            }
        kernel.kernel(k, a, row_stride, step_stride, b, offsets, c, ldc, m, n, accumulate);
        char what[128];
        snprintf(what, sizeof what, "%s indirect %lldx%lld k=%lld %s accumulate=%d", kernel.name, (long long)m, (long long)n, (long long)k,
                 packed ? "packed" : "in place", accumulate);
        expect_close(what, c, want, mr * ldc, 1e-5f);
        free(a), free(b), free(offsets), free(c), free(want);
    }
}

static void check_positions(const char *isa) {
    convarith_positions_kernel kernel = convarith_select_positions_kernel(isa);
    for (int trial = 0; trial < 40; trial++) {
        int64_t m = 1 + random_below(kernel.mr), n = 1 + random_below(kernel.nr), k = 1 + random_below(40);
        int accumulate = trial % 2;
        int64_t source_count = 2048, ldb = n + random_below(9);
        float *a = random_floats(source_count), *b = random_floats(k * ldb);
        int64_t *offsets = malloc(sizeof(int64_t) * (size_t)k);
        for (int64_t p = 0; p < k; p++) offsets[p] = random_below(source_count - m);
        int64_t ldc = kernel.nr + 7;
        float *c = random_floats(kernel.mr * ldc), *want = malloc(sizeof(float) * (size_t)(kernel.mr * ldc));
        memcpy(want, c, sizeof(float) * (size_t)(kernel.mr * ldc));
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                float sum = accumulate ? want[i * ldc + j] : 0;
                for (int64_t p = 0; p < k; p++) sum += a[i + offsets[p]] * b[p * ldb + j];
                want[i * ldc + j] = sum;
            }
        kernel.kernel(k, a, offsets, b, ldb, c, ldc, m, n, accumulate);
        char what[128];
        snprintf(what, sizeof what, "%s positions %lldx%lld k=%lld accumulate=%d", kernel.name, (long long)m, (long long)n, (long long)k, accumulate);
        expect_close(what, c, want, kernel.mr * ldc, 1e-5f);
        free(a), free(b), free(offsets), free(c), free(want);
    }
}

// A window layer's plane: pooling (max, average) and depthwise, against the loops of the header's words.
static void check_windows(const char *isa) {
    convarith_row_kernels kernels = convarith_select_row_kernels(isa);
    for (int trial = 0; trial < 60; trial++) {
        convarith_window_geometry geometry;
        const convarith_window_geometry *g = &geometry;
        for (int axis = 0; axis < 3; axis++) {
            int64_t kernel = axis == 0 ? 1 + random_below(2) : 1 + random_below(4);
            int64_t stride = 1 + random_below(3), dilation = 1 + random_below(2), before = random_below(kernel);
            int64_t input = axis == 0 ? 1 + random_below(3) : 1 + random_below(40);
            int64_t span = dilation * (kernel - 1) + 1;
            if (input + 2 * before < span) input = span;  // at least one output
            int64_t output = (input + 2 * before - span) / stride + 1;
            geometry.input[axis] = input, geometry.output[axis] = output, geometry.kernel[axis] = kernel;
            geometry.stride[axis] = stride, geometry.dilation[axis] = dilation, geometry.padding[axis] = before;
        }
        int64_t inputCount = g->input[0] * g->input[1] * g->input[2], outputCount = g->output[0] * g->output[1] * g->output[2];
        float *x = random_floats(inputCount), *weights = random_floats(g->kernel[0] * g->kernel[1] * g->kernel[2]);
        float *y = malloc(sizeof(float) * (size_t)outputCount), *want = malloc(sizeof(float) * (size_t)outputCount);
        int64_t *scratch = malloc(sizeof(int64_t) * (size_t)(convarith_pool_plane_scratch(g) + 1));
        // Tap counts inside the input per output index and axis (the average's divisors).
        float *divisors[3];
        for (int axis = 0; axis < 3; axis++) {
            divisors[axis] = malloc(sizeof(float) * (size_t)g->output[axis]);
            for (int64_t o = 0; o < g->output[axis]; o++) {
                int count = 0;
                for (int64_t t = 0; t < g->kernel[axis]; t++) {
                    int64_t i = o * g->stride[axis] + t * g->dilation[axis] - g->padding[axis];
                    count += i >= 0 && i < g->input[axis];
                }
                divisors[axis][o] = (float)count;
            }
        }
        for (int mode = 0; mode < 3; mode++) {  // max, average, depthwise
            for (int64_t oz = 0; oz < g->output[0]; oz++)
                for (int64_t oy = 0; oy < g->output[1]; oy++)
                    for (int64_t ox = 0; ox < g->output[2]; ox++) {
                        float value = mode == 0 ? -INFINITY : 0;
                        for (int64_t tz = 0; tz < g->kernel[0]; tz++)
                            for (int64_t ty = 0; ty < g->kernel[1]; ty++)
                                for (int64_t tx = 0; tx < g->kernel[2]; tx++) {
                                    int64_t iz = oz * g->stride[0] + tz * g->dilation[0] - g->padding[0], iy = oy * g->stride[1] + ty * g->dilation[1] - g->padding[1];
                                    int64_t ix = ox * g->stride[2] + tx * g->dilation[2] - g->padding[2];
                                    if (iz < 0 || iz >= g->input[0] || iy < 0 || iy >= g->input[1] || ix < 0 || ix >= g->input[2]) continue;
                                    float v = x[(iz * g->input[1] + iy) * g->input[2] + ix];
                                    if (mode == 0) value = v > value ? v : value;
                                    else if (mode == 1) value += v;
                                    else value += v * weights[(tz * g->kernel[1] + ty) * g->kernel[2] + tx];
                                }
                        if (mode == 1) value /= divisors[0][oz] * divisors[1][oy] * divisors[2][ox];
                        want[(oz * g->output[1] + oy) * g->output[2] + ox] = value;
                    }
            if (mode < 2) kernels.pool_plane(x, y, g, divisors[0], divisors[1], divisors[2], mode == 1, -INFINITY, scratch);
            else kernels.depthwise_plane(x, y, g, weights, scratch);
            char what[160];
            snprintf(what, sizeof what, "%s %s plane %lldx%lldx%lld k %lldx%lldx%lld s %lldx%lldx%lld", kernels.name,
                     mode == 0 ? "max" : mode == 1 ? "average" : "depthwise", (long long)g->input[0], (long long)g->input[1], (long long)g->input[2],
                     (long long)g->kernel[0], (long long)g->kernel[1], (long long)g->kernel[2], (long long)g->stride[0], (long long)g->stride[1], (long long)g->stride[2]);
            expect_close(what, y, want, outputCount, mode == 0 ? 0.0f : 1e-5f);
            // A block of channels at once: `lanes` copies of the plane (and of its weights), each giving `want`.
            if (convarith_window_channels_scratch(g, 1 << 20) > 0) {
                const convarith_window_channels block = convarith_select_window_channels(isa);
                const int64_t taps = g->kernel[0] * g->kernel[1] * g->kernel[2], lanes = block.lanes;
                float *xs = malloc(sizeof(float) * (size_t)(inputCount * lanes)), *ys = malloc(sizeof(float) * (size_t)(outputCount * lanes));
                float *ws = malloc(sizeof(float) * (size_t)(taps * lanes));
                float *blockScratch = malloc(sizeof(float) * (size_t)convarith_window_channels_scratch(g, 1 << 20));
                for (int64_t c = 0; c < lanes; c++) {
                    memcpy(xs + c * inputCount, x, sizeof(float) * (size_t)inputCount);
                    memcpy(ws + c * taps, weights, sizeof(float) * (size_t)taps);
                }
                if (mode == 2) block.plane(xs, ys, g, ws, blockScratch);
                else block.pool(xs, ys, g, divisors[0], divisors[1], divisors[2], mode == 1 ? CONVARITH_GRID_AVERAGE : CONVARITH_GRID_MAX,
                                -INFINITY, blockScratch);
                for (int64_t c = 0; c < lanes; c++) {
                    char blockWhat[200];
                    snprintf(blockWhat, sizeof blockWhat, "channel %lld of a block: %s", (long long)c, what);
                    expect_close(blockWhat, ys + c * outputCount, want, outputCount, mode == 0 ? 0.0f : 1e-5f);
                }
                free(xs), free(ys), free(ws), free(blockScratch);
            }
            // The grid: in bands of a few rows (a small limit), and whole; max also as two passes at unit strides.
            const int unit = g->stride[0] == 1 && g->stride[1] == 1 && g->stride[2] == 1;
            for (int64_t limit = 192; limit <= 1 << 15; limit *= 16) {
                int64_t floats = convarith_grid_scratch(g, limit), rows = convarith_grid_band_rows(g, limit);
                if (floats == 0 || rows == 0) continue;
                float *gridScratch = malloc(sizeof(float) * (size_t)floats);
                for (int separable = 0; separable <= (mode == 0 && unit); separable++) {
                    const int gridMode = mode == 2 ? CONVARITH_GRID_WEIGHTED : mode == 1 ? CONVARITH_GRID_AVERAGE
                                         : separable ? CONVARITH_GRID_SEPARABLE_MAX : CONVARITH_GRID_MAX;
                    convarith_select_grid_window_plane(isa)(x, y, g, divisors[0], divisors[1], divisors[2], weights, gridMode, -INFINITY,
                                                            gridScratch, rows);
                    char gridWhat[200];
                    snprintf(gridWhat, sizeof gridWhat, "grid%s %lld rows a band: %s", separable ? " separable" : "", (long long)rows, what);
                    expect_close(gridWhat, y, want, outputCount, mode == 0 ? 0.0f : 1e-5f);
                }
                free(gridScratch);
            }
            // The direct plane (stride 1 along the width): whole windows, and the max in bands of rows' maxima
            // (a small limit, and whole); each run twice, the second time on the masks and taps the first left.
            for (int separable = 0; separable <= (mode == 0) && g->stride[2] == 1; separable++) {
                for (int64_t limit = 192; limit <= 1 << 15; limit *= 16) {
                    const int64_t rows = separable ? convarith_direct_plane_band_rows(g, limit) : g->output[1];
                    const int64_t floats = rows > 0 ? convarith_direct_plane_scratch(g, rows, separable) : 0;
                    if (mode == 2 || floats == 0) continue;
                    float *planeScratch = malloc(sizeof(float) * (size_t)(floats + 1));
                    const int planeMode = mode == 1 ? CONVARITH_GRID_AVERAGE
                                          : separable ? CONVARITH_GRID_SEPARABLE_MAX : CONVARITH_GRID_MAX;
                    for (int prepared = 0; prepared <= 1; prepared++) {
                        for (int64_t i = 0; i < outputCount; i++) y[i] = NAN;
                        convarith_select_direct_plane(isa)(x, y, g, divisors[0], divisors[1], divisors[2], planeMode,
                                                           -INFINITY, planeScratch, rows, prepared);
                        char planeWhat[220];
                        snprintf(planeWhat, sizeof planeWhat, "direct%s %lld rows a band%s: %s",
                                 separable ? " separable" : "", (long long)rows, prepared ? ", prepared" : "", what);
                        expect_close(planeWhat, y, want, outputCount, mode == 0 ? 0.0f : 1e-5f);
                    }
                    free(planeScratch);
                    if (!separable) break;
                }
            }
        }
        for (int axis = 0; axis < 3; axis++) free(divisors[axis]);
        free(x), free(weights), free(y), free(want), free(scratch);
    }
}

static void check_assembled_phases(int isa) {
    // An output plane from its phases' columns: strides 1–4 per axis, rows of every length to 40 (the vector
    // interleaves' tails), a phase left out (its outputs untouched).
    for (int trial = 0; trial < 60; trial++) {
        const int64_t step[3] = {1 + random_below(2), 1 + random_below(3), 1 + random_below(4)};
        const int64_t output[3] = {1 + random_below(3), 1 + random_below(7), 1 + random_below(40)};
        const int64_t e1 = (output[1] + step[1] - 1) / step[1] + random_below(3), e2 = (output[2] + step[2] - 1) / step[2] + random_below(3);
        const int64_t slab = e1 * e2, columns = ((output[0] + step[0] - 1) / step[0]) * slab;
        const int64_t phaseCount = step[0] * step[1] * step[2], plane = output[0] * output[1] * output[2];
        const int64_t missing = trial % 3 == 0 ? random_below(phaseCount) : -1;
        float *data = random_floats(columns * phaseCount), *y = random_floats(plane), *want = malloc(sizeof(float) * (size_t)plane);
        const float **phases = malloc(sizeof(float *) * (size_t)phaseCount);
        for (int64_t q = 0; q < phaseCount; q++) phases[q] = q == missing ? NULL : data + q * columns;
        memcpy(want, y, sizeof(float) * (size_t)plane);
        for (int64_t z = 0; z < output[0]; z++)
            for (int64_t r = 0; r < output[1]; r++)
                for (int64_t c = 0; c < output[2]; c++) {
                    const int64_t q = ((z % step[0]) * step[1] + r % step[1]) * step[2] + c % step[2];
                    if (q == missing) continue;
                    want[(z * output[1] + r) * output[2] + c] = phases[q][(z / step[0]) * slab + (r / step[1]) * e2 + c / step[2]];
                }
        convarith_assemble_phases(phases, e1, e2, output, step, y, isa);
        expect_close("assemble_phases", y, want, plane, 0);
        free(data), free(y), free(want), free(phases);
    }
}

static void check_copies(int isa) {
    // A transpose of every shape up to 19 × 19, a split of rows into 1–4 phases (stride 2 of every length to 70,
    // the vector paths' tails), and phase weights packed — with the instruction set's paths (`isa`: 2 AVX-512,
    // 1 AVX2, 0 portable).
    for (int64_t rows = 1; rows < 20; rows += 3)
        for (int64_t cols = 1; cols < 20; cols += 2) {
            float *src = random_floats(rows * (cols + 2)), *dst = random_floats(cols * (rows + 1)), *want = malloc(sizeof(float) * (size_t)(cols * (rows + 1)));
            memcpy(want, dst, sizeof(float) * (size_t)(cols * (rows + 1)));
            for (int64_t r = 0; r < rows; r++)
                for (int64_t c = 0; c < cols; c++) want[c * (rows + 1) + r] = src[r * (cols + 2) + c];
            convarith_transpose(src, rows, cols, cols + 2, dst, rows + 1, isa);
            expect_close("transpose", dst, want, cols * (rows + 1), 0);
            free(src), free(dst), free(want);
        }
    for (int64_t stride = 1; stride <= 4; stride++)
        for (int64_t count = 1; count < 70; count += stride == 2 ? 1 : 7) {
            int64_t pad = random_below(3), phase = (count + pad) / stride + 2;
            float *row = random_floats(count), *out = calloc((size_t)(stride * phase), sizeof(float)), *want = calloc((size_t)(stride * phase), sizeof(float));
            for (int64_t x = 0; x < count; x++) want[((x + pad) % stride) * phase + (x + pad) / stride] = row[x];
            convarith_split_row(row, count, stride, pad, out, phase, isa);
            expect_close("split_row", out, want, stride * phase, 0);
            free(row), free(out), free(want);
        }
    // A tile's rows gathered into consecutive rows, and rows of A packed in panels (the last repeating its last row).
    for (int64_t n = 1; n <= 48; n += 5) {
        const int64_t k = 1 + random_below(40), ldo = 48;
        float *b = random_floats(k * 64 + 48), *got = calloc((size_t)(k * ldo), sizeof(float)), *want = calloc((size_t)(k * ldo), sizeof(float));
        int64_t *offsets = malloc(sizeof(int64_t) * (size_t)k);
        for (int64_t p = 0; p < k; p++) {
            offsets[p] = random_below(k * 64);
            for (int64_t j = 0; j < n; j++) want[p * ldo + j] = b[offsets[p] + j];
        }
        convarith_gather_rows(b, offsets, k, n, got, ldo);
        expect_close("gather_rows", got, want, k * ldo, 0);
        free(b), free(got), free(want), free(offsets);
    }
    // A phase's grid of runs gathered into dense rows (the widths with fixed-size copies, 4, 8 and 16, and others).
    for (int trial = 0; trial < 40; trial++) {
        const int64_t widths[] = {4, 8, 16, 1, 3, 7, 9, 20}, n = widths[trial % 8];
        const int64_t rows0 = 1 + random_below(3), rows1 = 1 + random_below(5), pitch1 = n + random_below(4);
        const int64_t pitch0 = rows1 * pitch1 + random_below(5), k = 1 + random_below(30);
        const int64_t ldo = rows0 * rows1 * n + random_below(17);
        const int64_t span = rows0 * pitch0 + n;
        float *b = random_floats(k * 8 + span), *got = calloc((size_t)(k * ldo), sizeof(float));
        float *want = calloc((size_t)(k * ldo), sizeof(float));
        int64_t *offsets = malloc(sizeof(int64_t) * (size_t)k);
        for (int64_t p = 0; p < k; p++) {
            offsets[p] = random_below(k * 8);
            for (int64_t r0 = 0; r0 < rows0; r0++)
                for (int64_t r1 = 0; r1 < rows1; r1++)
                    for (int64_t j = 0; j < n; j++)
                        want[p * ldo + (r0 * rows1 + r1) * n + j] = b[offsets[p] + r0 * pitch0 + r1 * pitch1 + j];
        }
        convarith_gather_grid(b, offsets, k, rows0, pitch0, rows1, pitch1, n, got, ldo);
        expect_close("gather_grid", got, want, k * ldo, 0);
        free(b), free(got), free(want), free(offsets);
    }
    for (int64_t rows = 1; rows <= 20; rows += 3) {
        const int64_t depth = 1 + random_below(30), lda = depth + random_below(3), mr = 1 + random_below(16), panels = (rows + mr - 1) / mr;
        float *a = random_floats(rows * lda), *got = malloc(sizeof(float) * (size_t)(panels * depth * mr));
        float *want = malloc(sizeof(float) * (size_t)(panels * depth * mr));
        for (int64_t panel = 0; panel < panels; panel++)
            for (int64_t p = 0; p < depth; p++)
                for (int64_t i = 0; i < mr; i++) {
                    const int64_t row = panel * mr + i < rows ? panel * mr + i : rows - 1;
                    want[(panel * depth + p) * mr + i] = a[row * lda + p];
                }
        convarith_pack_row_panels(a, rows, depth, lda, mr, got);
        expect_close("pack_row_panels", got, want, panels * depth * mr, 0);
        free(a), free(got), free(want);
    }
    // Phase weights: w [in × out × k·k] of a stride-s transposed layer, panels of mr rows ([panel][c][place][mr],
    // phase after phase), channels [first, last) only; lanes past `out` are not compared (never read).
    for (int trial = 0; trial < 60; trial++) {
        const int64_t in = 1 + random_below(12), out = 1 + random_below(30), k = 1 + random_below(5), s = 1 + random_below(3);
        const int64_t mrs[] = {4, 6, 8, 16}, mr = mrs[random_below(4)], taps = k * k, phases = s * s, panels = (out + mr - 1) / mr;
        int64_t counts[9], list[25], listed = 0;
        for (int64_t py = 0; py < s; py++)
            for (int64_t px = 0; px < s; px++) {
                counts[py * s + px] = 0;
                for (int64_t ty = py; ty < k; ty += s)
                    for (int64_t tx = px; tx < k; tx += s) list[listed++] = ty * k + tx, counts[py * s + px]++;
            }
        const int64_t first = random_below(in), last = first + 1 + random_below(in - first), total = panels * mr * in * taps;
        float *w = random_floats(in * out * taps), *got = calloc((size_t)total, sizeof(float));
        float *want = calloc((size_t)total, sizeof(float));
        float *scratch = malloc(sizeof(float) * (size_t)(in * taps * out));
        convarith_pack_phase_weights(w, in, out, taps, mr, phases, counts, list, first, last, got, scratch, 1 + random_below(4), isa);
        int64_t region = 0, place0 = 0;
        for (int64_t phase = 0; phase < phases; phase++) {
            for (int64_t panel = 0; panel < panels; panel++)
                for (int64_t c = first; c < last; c++)
                    for (int64_t place = 0; place < counts[phase]; place++)
                        for (int64_t l = 0; l < mr && panel * mr + l < out; l++) {
                            const int64_t at = region + ((panel * in + c) * counts[phase] + place) * mr + l;
                            want[at] = w[(c * out + panel * mr + l) * taps + list[place0 + place]];
                        }
            for (int64_t panel = 0; panel < panels; panel++)  // lanes past `out`: whatever was packed
                for (int64_t c = first; c < last; c++)
                    for (int64_t place = 0; place < counts[phase]; place++)
                        for (int64_t l = out - panel * mr; l < mr; l++)
                            if (l >= 0) want[region + ((panel * in + c) * counts[phase] + place) * mr + l] =
                                got[region + ((panel * in + c) * counts[phase] + place) * mr + l];
            region += panels * in * counts[phase] * mr;
            place0 += counts[phase];
        }
        char what[160];
        snprintf(what, sizeof what, "phase weights in %lld out %lld k %lld s %lld mr %lld", (long long)in, (long long)out, (long long)k,
                 (long long)s, (long long)mr);
        expect_close(what, got, want, total, 0);
        free(w), free(got), free(want), free(scratch);
    }
}

// The scans: the first NaN, and the first −0, at every place in and around a 64-float block, and none in a
// clean tensor (whose zeros are all +0).
static void check_scans(const char *isa) {
    convarith_float_scans scans = convarith_select_float_scans(isa);
    for (int64_t count = 0; count < 200; count += 13) {
        float *x = random_floats(count);
        for (int64_t i = 0; i < count; i++) if (x[i] == 0) x[i] = 0.0f;
        cases++;
        if (scans.first_nan(x, count) != -1 || scans.first_bits(x, count, 0x80000000u) != -1) {
            failures++;
            printf("FAIL scans: %lld clean floats\n", (long long)count);
        }
        for (int64_t at = 0; at < count; at += 5) {
            const float special[2] = {NAN, -0.0f};
            for (int kind = 0; kind < 2; kind++) {
                x[at] = special[kind];
                if (at + 3 < count) x[at + 3] = special[kind];
                cases++;
                const int64_t got = kind == 0 ? scans.first_nan(x, count) : scans.first_bits(x, count, 0x80000000u);
                if (got != at) {
                    failures++;
                    printf("FAIL scans (%s): %lld floats, at %lld, got %lld\n", kind == 0 ? "NaN" : "-0", (long long)count, (long long)at, (long long)got);
                }
                x[at] = 1;
                if (at + 3 < count) x[at + 3] = 1;
            }
        }
        free(x);
    }
}

// The thread pool: every part runs once, from two threads.
static void add_part(void *context, int64_t part) { __atomic_fetch_add((int64_t *)context + part, 1, __ATOMIC_RELAXED); }

static void check_pool(void) {
    for (int round = 0; round < 200; round++) {
        int64_t counts[37] = {0};
        int64_t parts = 1 + round % 37;
        int ran = convarith_parallel_run(parts, 2, add_part, counts);
        float got = 0, want = 0;
        for (int64_t part = 0; part < parts; part++) got += counts[part] == 1, want += 1;
        cases++;
        if (!ran || got != want) {
            failures++;
            printf("FAIL thread pool round %d: ran %d, %g of %g parts once\n", round, ran, got, want);
            return;
        }
    }
}

int main(int argc, char **argv) {
    const char *isa = argc > 1 ? argv[1] : NULL;
    check_microkernel(isa);
    check_indirect(isa);
    check_positions(isa);
    check_windows(isa);
    check_copies(convarith_select_isa(isa));
    check_assembled_phases(convarith_select_isa(isa));
    check_scans(isa);
    check_pool();
    printf("%d cases, %d failed (%s kernels)\n", cases, failures, convarith_select_microkernel(isa).name);
    return failures == 0 && cases > 0 ? 0 : 1;
}
