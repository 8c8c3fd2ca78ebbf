#ifndef CCONVKERNELS_H
#define CCONVKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// A register-blocked micro-kernel: C[mr × nr] (row-major, row stride ldc) = (accumulate ? C : 0) + A·B over
/// k steps, where a holds mr values per step (a packed panel of A) and b holds nr values per step (a packed
/// panel of B).
typedef void (*convarith_microkernel_fn)(int64_t k, const float *a, const float *b, float *c, int64_t ldc, int accumulate);

/// A micro-kernel and its tile.
typedef struct {
    int32_t mr;
    int32_t nr;
    convarith_microkernel_fn kernel;
    const char *name;
} convarith_microkernel;

/// The micro-kernel for this CPU: "avx512" (AVX-512F, 14 × 32), "avx2" (AVX2 + FMA, 6 × 16) or "portable"
/// (4 × 8). `forced` names one to use instead (when the CPU supports it); NULL or "" picks the best.
convarith_microkernel convarith_select_microkernel(const char *forced);

/// Whether the CPU supports the named micro-kernel.
int convarith_supports(const char *name);

/// The instruction set every kernel family uses: 2 (AVX-512), 1 (AVX2 + FMA) or 0 (portable) — `forced`
/// ("avx512", "avx2", "portable") when the CPU supports it (else portable), the best otherwise.
int convarith_select_isa(const char *forced);

/// A plane of a window layer (pooling, depthwise convolution), per axis — depth, height, width: the input and
/// output sizes, the kernel, the stride, the dilation and the padding before the axis (negative: a crop).
typedef struct {
    int64_t input[3];
    int64_t output[3];
    int64_t kernel[3];
    int64_t stride[3];
    int64_t dilation[3];
    int64_t padding[3];
} convarith_window_geometry;

/// A whole plane of a pooling layer, `x` of `g->input` to `y` of `g->output`: each output is the max
/// (`v > m ? v : m`, from `empty`) or the sum of the window's taps on the input, an average divided by
/// `divisorZ[oz]·divisorY[oy]·divisorX[ox]` (tap counts as floats; NaN when 0). Taps are taken in the order
/// depth, height, width. `scratch` holds `convarith_pool_plane_scratch(g)` 8-byte words.
typedef void (*convarith_pool_plane_fn)(const float *x, float *y, const convarith_window_geometry *g, const float *divisorZ,
                                        const float *divisorY, const float *divisorX, int average, float empty,
                                        int64_t *scratch);

/// The 8-byte words of scratch a pooling or depthwise plane of geometry `g` needs (tap ranges, line pointers,
/// edge masks, a padded copy of the plane).
int64_t convarith_pool_plane_scratch(const convarith_window_geometry *g);

/// A whole plane of a depthwise convolution, geometry `g` as for pooling: each output is the sum of the
/// window's taps on the input times `weights[(tz·kH + ty)·kW + tx]` (padding adds nothing), without bias.
/// `scratch` holds `convarith_pool_plane_scratch(g)` 8-byte words.
typedef void (*convarith_depthwise_plane_fn)(const float *x, float *y, const convarith_window_geometry *g, const float *weights,
                                             int64_t *scratch);

/// The window kernels (pooling, depthwise) and the instruction set they use.
typedef struct {
    convarith_pool_plane_fn pool_plane;
    convarith_depthwise_plane_fn depthwise_plane;
    const char *name;
} convarith_row_kernels;

/// The window kernels for this CPU ("avx512", "avx2" or "portable"); `forced` as for the micro-kernel.
convarith_row_kernels convarith_select_row_kernels(const char *forced);

/// A whole pooling plane read straight from `x`, without a padded copy (planekernels.c): geometry `g` with
/// stride 1 along the width; `mode` CONVARITH_GRID_MAX, CONVARITH_GRID_AVERAGE or CONVARITH_GRID_SEPARABLE_MAX
/// (the rows' maxima of `rowsPerBand` output rows' input lines, then theirs across the lines; any strides but the
/// width's). The arguments and the result (bit for bit) are those of `convarith_pool_plane_fn`. `scratch` holds
/// `convarith_direct_plane_scratch(g, rowsPerBand, separable)` floats, 8-byte aligned; `rowsPerBand` is the
/// output's height unless separable. `prepared`: the scratch is as a call with the same geometry and mode left it
/// (a layer's planes after its first), so the masks and taps it holds are not found again.
typedef void (*convarith_direct_plane_fn)(const float *x, float *y, const convarith_window_geometry *g,
                                          const float *divisorZ, const float *divisorY, const float *divisorX, int mode,
                                          float empty, float *scratch, int64_t rowsPerBand, int prepared);

/// The floats of scratch a direct plane of geometry `g` needs (`separable`: for bands of `rowsPerBand` output
/// rows, as `convarith_direct_plane_band_rows` gives), or 0 when it does not serve the geometry (a stride along
/// the width; a window, dilation, padding or plane too large).
int64_t convarith_direct_plane_scratch(const convarith_window_geometry *g, int64_t rowsPerBand, int separable);

/// The most output rows a band of the separable direct plane may hold for its row maxima to stay within `limit`
/// floats (0: not even one row, or the direct plane does not serve the geometry).
int64_t convarith_direct_plane_band_rows(const convarith_window_geometry *g, int64_t limit);

/// The direct plane for this CPU; `forced` as for the micro-kernel.
convarith_direct_plane_fn convarith_select_direct_plane(const char *forced);

/// What a grid window plane computes: each window's max, its average, its max as two passes (the rows'
/// maxima, then theirs down the columns and across the depth; the same result; unit strides only), or the
/// weighted sum of its taps (a depthwise convolution's plane).
enum { CONVARITH_GRID_MAX = 0, CONVARITH_GRID_AVERAGE = 1, CONVARITH_GRID_SEPARABLE_MAX = 2, CONVARITH_GRID_WEIGHTED = 3 };

/// A whole window plane on a grid of its padded input split into its strides' phases (gridkernels.c),
/// `rowsPerBand` output rows at a time (`convarith_grid_band_rows`). Pooling has the arguments and the result
/// of `convarith_pool_plane_fn` (bit for bit); a depthwise plane reads `weights` as
/// `convarith_depthwise_plane_fn` does. `scratch` holds `convarith_grid_scratch(g, limit)` floats.
typedef void (*convarith_grid_window_plane_fn)(const float *x, float *y, const convarith_window_geometry *g, const float *divisorZ,
                                               const float *divisorY, const float *divisorX, const float *weights, int mode, float empty,
                                               float *scratch, int64_t rowsPerBand);

/// The floats of scratch a grid window plane of geometry `g` needs, or 0 when the grid does not serve it:
/// one output row's grid, or the window, larger than `limit` floats.
int64_t convarith_grid_scratch(const convarith_window_geometry *g, int64_t limit);

/// The most output rows a band of geometry `g` may hold for its grid to stay within `limit` floats (0: not
/// even one).
int64_t convarith_grid_band_rows(const convarith_window_geometry *g, int64_t limit);

/// The grid window plane for this CPU; `forced` as for the micro-kernel.
convarith_grid_window_plane_fn convarith_select_grid_window_plane(const char *forced);

/// `target[m] = Σ_t weights[t] · source[m + offsets[t]]` for m < count, fused multiply-adds from +0 in the taps'
/// order, a vector of m at a time (gridkernels.c): the grid's weighted stream, for a transposed depthwise layer's
/// output phases over the zero-padded input.
typedef void (*convarith_weighted_stream_fn)(const float *source, float *target, int64_t count, const int64_t *offsets,
                                             const float *weights, int64_t taps);

/// The weighted stream for this CPU; `forced` as for the micro-kernel.
convarith_weighted_stream_fn convarith_select_weighted_stream(const char *forced);

/// `lanes` planes of one window at once, channels innermost (gridkernels.c): planes `x`, `x + inputCount`, …
/// to `y`, `y + outputCount`, …. `plane`: a depthwise convolution, channel c's weights at `weights + c·taps`;
/// `pool`: a max or average pooling (`mode` CONVARITH_GRID_MAX or CONVARITH_GRID_AVERAGE, the divisors and
/// `empty` as for the grid window plane) — each the same floats as the grid's plane. `scratch` holds
/// `convarith_window_channels_scratch(g, limit)` floats.
typedef struct {
    void (*plane)(const float *x, float *y, const convarith_window_geometry *g, const float *weights, float *scratch);
    void (*pool)(const float *x, float *y, const convarith_window_geometry *g, const float *divisorZ,
                 const float *divisorY, const float *divisorX, int mode, float empty, float *scratch);
    int64_t lanes;
} convarith_window_channels;

/// The floats of scratch the channel-blocked window kernels need for geometry `g`, or 0 when their grid of
/// 16 channels, or its outputs, would exceed `limit` floats.
int64_t convarith_window_channels_scratch(const convarith_window_geometry *g, int64_t limit);

/// The channel-blocked window kernels for this CPU; `forced` as for the micro-kernel.
convarith_window_channels convarith_select_window_channels(const char *forced);

/// An indirect micro-kernel: C[m × n] (row stride ldc) = (accumulate ? C : 0) + A·B over k steps, where A's
/// element (i, p) is a[i·row_stride + p·step_stride] (a packed panel: 1, mr; rows read in place: lda, 1;
/// rows past m repeat row m − 1) and row p of B is the n floats at b + offsets[p]. Only the first m ≤ mr
/// rows and n ≤ nr columns of C are read and written, and only n floats of each row of B are read.
typedef void (*convarith_indirect_fn)(int64_t k, const float *a, int64_t row_stride, int64_t step_stride, const float *b,
                                      const int64_t *offsets, float *c, int64_t ldc, int64_t m, int64_t n, int accumulate);

/// An indirect micro-kernel and its tile.
typedef struct {
    int32_t mr;
    int32_t nr;
    convarith_indirect_fn kernel;
    const char *name;
} convarith_indirect_kernel;

/// The indirect micro-kernel for this CPU: "avx512" (8 × 48), "avx2" (6 × 16) or "portable" (4 × 8);
/// `forced` as for the micro-kernel.
convarith_indirect_kernel convarith_select_indirect_kernel(const char *forced);

/// A positions micro-kernel: C[m × n] (row stride ldc) = (accumulate ? C : 0) + A·B over k steps, where A's
/// element (i, p) is a[i + a_offsets[p]] (row i: the i-th of m consecutive output positions in the input's
/// copy; step p: a window tap's offset from there) and row p of B is the n floats at b + p·ldb (weights
/// packed transposed). Exactly m ≤ mr rows and n ≤ nr columns of C are computed, read and written.
typedef void (*convarith_positions_fn)(int64_t k, const float *a, const int64_t *a_offsets, const float *b, int64_t ldb,
                                       float *c, int64_t ldc, int64_t m, int64_t n, int accumulate);

/// A positions micro-kernel and its largest tile.
typedef struct {
    int32_t mr;
    int32_t nr;
    convarith_positions_fn kernel;
    const char *name;
} convarith_positions_kernel;

/// The positions micro-kernel for this CPU: "avx512" (8 × 48), "avx2" (6 × 16) or "portable" (4 × 8);
/// `forced` as for the micro-kernel.
convarith_positions_kernel convarith_select_positions_kernel(const char *forced);

/// `dst[c · ld_dst + r] = src[r · ld_src + c]` for r < rows, c < cols; `isa` ≥ 1 moves 8 × 8 blocks with AVX.
void convarith_transpose(const float *src, int64_t rows, int64_t cols, int64_t ld_src, float *dst, int64_t ld_dst, int isa);

/// Splits a row of `count` floats into its `stride` phases: float x goes to
/// `out[((x + pad) mod stride) · phase_stride + (x + pad) div stride]` (`pad` ≥ 0). `isa` as
/// `convarith_select_isa` returns it: 2 and 1 deinterleave stride 2 with AVX-512 and AVX2, 0 copies float by float.
void convarith_split_row(const float *row, int64_t count, int64_t stride, int64_t pad, float *out, int64_t phase_stride, int isa);

/// Packs a transposed convolution's weights for its output phases. `w` is a group's weights
/// [in_group × out_group × taps]; phase φ (of `phases`) takes the `counts[φ]` taps listed next in `tap_list`, and
/// its packed weights follow the previous phase's in `out`: panels of `mr` output channels, `[panel][c][place][mr]`
/// (the last panel's lanes past out_group hold no weight: unwritten, or copies of its last row; the kernels never
/// read them). Only channels `first` … `last − 1` are packed (their places in every panel; callers on several
/// threads split the channels). With `isa` ≥ 1, panels of at most 8 rows and at most 343 taps are packed
/// straight from `w` by 8 × 8 register transposes; otherwise `block` channels at a time through `scratch`
/// (block · taps · out_group floats: their weights transposed; `isa` ≥ 1 transposes 8 × 8 blocks with AVX).
void convarith_pack_phase_weights(const float *w, int64_t in_group, int64_t out_group, int64_t taps, int64_t mr,
                                  int64_t phases, const int64_t *counts, const int64_t *tap_list, int64_t first, int64_t last,
                                  float *out, float *scratch, int64_t block, int isa);

/// Scans of a tensor's floats: the index of the first NaN among `count` floats, and of the first whose bits
/// are `bits` (0x80000000: −0), or −1 when there is none.
typedef struct {
    int64_t (*first_nan)(const float *x, int64_t count);
    int64_t (*first_bits)(const float *x, int64_t count, uint32_t bits);
} convarith_float_scans;

/// The scans for this CPU; `forced` as for the micro-kernel.
convarith_float_scans convarith_select_float_scans(const char *forced);

/// Packs the first `rows` rows of a row-major A (`depth` floats each, `lda` apart) into panels of `mr` ≤ 16 rows,
/// `[panel][p][i]` (`out[(panel · depth + p) · mr + i]`); the last panel's rows past `rows` repeat its last row.
void convarith_pack_row_panels(const float *a, int64_t rows, int64_t depth, int64_t lda, int64_t mr, float *out);

/// Copies the first `n` floats of rows `b + offsets[p]`, p < k, to `out + p · ldo`: one tile of an indirect
/// GEMM's B gathered into consecutive rows, which stay in L1 across the tile's row panels (rows of the input
/// a power of two or a plane apart fall in a few cache sets and evict each other).
void convarith_gather_rows(const float *b, const int64_t *offsets, int64_t k, int64_t n, float *out, int64_t ldo);

/// Gathers rows `b + offsets[p]`, p < k, each the runs `runs[2r]` (start, from the row) of `runs[2r + 1]` floats,
/// r < run_count, one after the other, into `out + p · ldo`: one tile of a convolution's B over exactly its
/// outputs, without the virtual columns between output rows. `isa` 2 copies with AVX-512 masks; 1 with AVX2,
/// writing up to 7 floats past each run (`out` needs 8 floats of slack past row k − 1's runs); 0 with memcpy.
void convarith_gather_runs(const float *b, const int64_t *offsets, int64_t k, const int64_t *runs, int64_t run_count,
                           float *out, int64_t ldo, int isa);

/// Gathers rows `b + offsets[p]`, p < k, of a grid of `rows0 × rows1` runs of `n` floats (run `(r0, r1)` at
/// `r0 · pitch0 + r1 · pitch1`) into dense rows `out + p · ldo`, the runs one after the other: a transposed
/// layer's output phase's B without the virtual columns between its output rows.
void convarith_gather_grid(const float *b, const int64_t *offsets, int64_t k, int64_t rows0, int64_t pitch0,
                           int64_t rows1, int64_t pitch1, int64_t n, float *out, int64_t ldo);

/// Asks for the first `n` floats of rows `b + offsets[p]`, p < k, to be brought into the L2 cache (a hint:
/// nothing is read or faulted): the next tile of an indirect GEMM, while the current one is computed.
void convarith_prefetch_rows(const float *b, const int64_t *offsets, int64_t k, int64_t n);

/// `target[2i] = even[i]`, `target[2i + 1] = odd[i]` for `i < count`: two column phases of a stride-2 output row
/// interleaved a vector at a time (`isa` 2 AVX-512, 1 AVX2; 0, and the last pairs, one float at a time).
void convarith_store_pairs(const float *even, const float *odd, int64_t count, float *target, int isa);

/// One output plane of a transposed layer (extents `output`, strides `step`) from its phases' virtual columns:
/// output (z, r, c) is float `(z / s0)·e1·e2 + (r / s1)·e2 + c / s2` of phase `((z mod s0)·s1 + r mod s1)·s2 +
/// c mod s2`, whose columns `phases` points to (NULL: a phase no tap reaches, whose outputs are left as they are).
/// Stride-2 rows are interleaved a vector at a time (`isa` 2 AVX-512, 1 AVX2, 0 one float at a time).
void convarith_assemble_phases(const float *const *phases, int64_t e1, int64_t e2, const int64_t output[3],
                               const int64_t step[3], float *y, int isa);

/// `target[i · step] = values[i]` for i < count; `isa` 2 stores stride-2 runs eight values at a time with AVX-512.
void convarith_store_strided(const float *values, int64_t count, float *target, int64_t step, int isa);

/// The output a col2im scatter adds into: its depth, height and width, the kernel's height and width and its
/// taps, the stride along the width, the dilation and the padding before each axis, and the output plane.
typedef struct {
    int64_t output[3];
    int64_t kernel_height;
    int64_t kernel_width;
    int64_t taps;
    int64_t stride_width;
    int64_t dilation[3];
    int64_t padding[3];
    int64_t output_plane;
} convarith_col2im_geometry;

/// A run of columns on one input row: the first column's offset in the chunk, how many, and z·s_z, y·s_y, x·s_x
/// of the first.
typedef struct {
    int64_t offset;
    int64_t count;
    int64_t z;
    int64_t y;
    int64_t x;
} convarith_col2im_run;

/// col2im: for each row (c, tap) of `cols` (c = row / taps, relative to `y`'s first channel) and each run,
/// adds `cols[row·row_stride + (offset + i)·column_stride]` to the output `x + i·s_x + tap offset` of that row,
/// where it lies inside. Rows and runs are added in order, each output's contributions in the same order
/// whatever `isa` (2 adds stride-2 runs eight at a time with AVX-512).
void convarith_col2im(const float *cols, int64_t rows, int64_t row_stride, int64_t column_stride, const convarith_col2im_run *runs,
                      int64_t run_count, const convarith_col2im_geometry *g, float *y, int isa);

/// A block of at least `bytes` bytes, 64-byte aligned, for scratch (its size in `capacity`): the block the last
/// call gave back when it is large enough and free, else a new one; NULL when memory is exhausted. Give it back
/// with `convarith_scratch_give`.
void *convarith_scratch_take(size_t bytes, size_t *capacity);

/// Gives back a block from `convarith_scratch_take`: the largest block given back, up to 64 MB, is kept for the
/// next taker; the others are freed.
void convarith_scratch_give(void *block, size_t capacity);

/// One part of a parallel loop: `fn(context, part)`.
typedef void (*convarith_part_fn)(void *context, int64_t part);

/// Runs `fn(context, part)` for every part in 0 … parts − 1 on the calling thread and up to `threads − 1`
/// workers of a persistent pool (started on first use; they spin briefly after a job, then sleep), and
/// returns 1 when all are done — or returns 0 at once, having run nothing, when another caller owns the pool.
int convarith_parallel_run(int64_t parts, int64_t threads, convarith_part_fn fn, void *context);

/// Runs `iterations` steps of a register-only loop of independent fused multiply-adds for the instruction set
/// the kernels use (`forced` as for the micro-kernel) and returns the floating-point operations it did (2 per
/// lane and FMA), or 0 for the portable kernel. Timing it gives one core's FMA peak.
double convarith_fma_peak_run(int64_t iterations, const char *forced);

#endif
