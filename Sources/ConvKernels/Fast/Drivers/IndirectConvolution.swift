import CConvKernels
import ConvArithmetic

extension FastKernels {
    /// Depth (rows of B) per pass of the indirect GEMM: the taps' input lines of one tile stay in L1.
    static let indirectDepthBlock = 256
    /// Floats of C per chunk of columns (a thread's working set of C, in L2).
    static let indirectChunkFloats = 1 << 15

    /// How an indirect GEMM's `rows × columns` output is shared between threads — by columns (whole tiles
    /// each) or, when there are too few column tiles to go round evenly (a small, deep layer), by rows
    /// (whole panels of the kernel's rows each), whichever gives the busiest thread less work (rows too where as
    /// good, when asked and A is the larger operand by far) — and walked in chunks of columns whose C stays in L2.
    struct TileSplit {
        /// The number of parts (threads used).
        let parts: Int
        /// Parts across the columns and across the rows (one of the two is 1).
        let columnParts: Int, rowParts: Int
        /// Rows per row part, a whole number of the kernel's panels.
        let rowShare: Int
        let chunk: Int
        let tile: Int

        /// The split of `rows × columns` for up to `threads` threads; `rowsWhenTied`: rows also when they are as
        /// good as columns and A is the larger operand by far (gathered transposed phases).
        init(columns: Int, rows: Int, threads: Int, kernel: IndirectKernel, rowsWhenTied: Bool = false) {
            tile = kernel.columns
            let mr = kernel.rows
            let tiles = (columns + tile - 1) / tile, panels = (rows + mr - 1) / mr
            let byColumns = max(1, min(threads, tiles)), byRows = max(1, min(threads, panels))
            // The busiest part's work in panel-columns: a share of whole tiles, or a share of whole panels.
            let columnShare = ((columns + byColumns - 1) / byColumns + tile - 1) / tile * tile
            let busiestByColumns = panels * min(columnShare, columns)
            let busiestByRows = (panels + byRows - 1) / byRows * columns
            // Rows only when clearly better: column parts share B's reads, row parts each read all of B — or, where
            // asked, as good when A is the larger operand by far (column parts would each read all of it: DCGAN's
            // gathered 256 → 128 phases, 128 output channels over 64 columns, took 0.77 ms at two threads split by
            // columns, 0.59 by rows).
            if 10 * busiestByRows < 9 * busiestByColumns
                || (rowsWhenTied && busiestByRows <= busiestByColumns && rows >= 2 * columns) {
                (columnParts, rowParts) = (1, byRows)
                rowShare = (panels + byRows - 1) / byRows * mr
            } else {
                (columnParts, rowParts) = (byColumns, 1)
                rowShare = rows
            }
            parts = columnParts * rowParts
            let share = ((columns + columnParts - 1) / columnParts + tile - 1) / tile * tile
            chunk = max(tile, min(share, indirectChunkFloats / max(min(rowShare, rows), 1) / tile * tile))
        }

        /// The rows of part `part` among `rows` (empty for a part with none).
        func rows(of part: Int, among rows: Int) -> Range<Int> {
            let row = part / columnParts
            return min(row * rowShare, rows)..<min((row + 1) * rowShare, rows)
        }

        /// Part `part`'s share of `columns` columns (whole tiles; empty for a part with none).
        func share(of columns: Int, part: Int) -> Range<Int> {
            let share = ((columns + columnParts - 1) / columnParts + tile - 1) / tile * tile
            let first = min(part % columnParts * share, columns)
            return first..<min(first + share, columns)
        }

        /// `body(start, width)` for each chunk of part `part`'s share of `columns` columns — only of the
        /// columns in `grid`'s runs (those between runs hold no output, and are not computed). With `alignment`,
        /// a run's first chunk ends at an aligned column, so that the chunks after it start on one.
        func forEachChunk(of columns: Int, part: Int, grid: VirtualGrid, alignment: ColumnAlignment? = nil,
                          _ body: (_ start: Int, _ width: Int) -> Void) {
            let share = ((columns + columnParts - 1) / columnParts + tile - 1) / tile * tile
            let first = min(part % columnParts * share, columns)
            grid.forEachRun(in: first..<min(first + share, columns)) { run in
                var start = run.lowerBound
                while start < run.upperBound {
                    var end = min(start + chunk, run.upperBound)
                    if let alignment, end < run.upperBound { end = alignment.chunkEnd(from: start, to: end) }
                    body(start, end - start)
                    start = end
                }
            }
        }
    }

    /// A convolution as an indirect GEMM over its ``IndirectLayout``: per sample and group, the input is
    /// padded and phase-split once (or read as it is), the weights read in place, and
    /// `C[C_out/g × V] = W · B` computed tile by tile by the ``IndirectKernel``, B's rows read in place.
    /// Threads split the virtual columns (the outputs, compacted; or the rows); each works through chunks of
    /// them, blocked over the depth. With
    /// `gathers` (``ConvolutionPlan/gathersTiles``) the weights are packed in panels first, and each tile's rows
    /// of B are gathered into consecutive rows before its panels run. `weightsTapMajor`: `weight` holds each output
    /// channel's weights already in tap-major order (``tapMajorWeights(_:groups:inGroup:outGroup:taps:isa:)``, which
    /// a ``PreparedLayer`` makes once), as banded taps read them; otherwise they are reordered per call.
    static func indirectConvolution(_ x: Tensor, weight: Tensor, bias: Tensor?, layout: LayerTensors, plan: IndirectLayout,
                                    groups: Int, threads: Int, kernel: IndirectKernel,
                                    gathers: Bool = false, weightsTapMajor: Bool = false) -> Tensor {
        let geometry = plan.geometry
        let inGroup = layout.inputChannels / groups, outGroup = layout.outputChannels / groups
        let depth = inGroup * geometry.taps, plane = geometry.outputCount, columns = plan.virtualCount
        // Banded taps read the depth tap-major (their taps one range of it), the weights reordered to match.
        let bands = plan.tapBands
        let offsets = bands == nil ? plan.offsets(channels: inGroup) : plan.tapMajorOffsets(channels: inGroup)
        // Gathered tiles read the weights packed in panels (from the tap-major order when banded).
        let panels = gathers
        var y = uninitialized(layout.outputShape.reduce(1, *))
        // Compacted, the columns are the outputs themselves: one run, written straight to y.
        let compacts = plan.compactsColumns
        let split = TileSplit(columns: compacts ? plane : columns, rows: outGroup, threads: threads, kernel: kernel)
        let grid = compacts ? plan.outputGrid : plan.grid
        // A tile's first panel waits on each of its rows of B from L3 when the input is larger than an L2 (the
        // rows are far apart: too many streams for the hardware prefetcher), so the next tile's rows are
        // prefetched — where there are panels enough to pay for the prefetches (conv1d 256 × 16000: 2.5–5 %
        // faster at one and two threads; layers of 4–8 panels measured 3–8 % slower with it).
        let readFloats = plan.copies ? inGroup * plan.channelVolume : inGroup * geometry.inputCount
        let prefetch = (min(split.rowShare, outGroup) + kernel.rows - 1) / kernel.rows >= 16 && readFloats > 1 << 18
        // The copy on cache-line boundaries (its channels are whole lines apart).
        let preparedCount = plan.copies ? inGroup * plan.channelVolume : 0
        // Per part: its chunk of C (unless C is written in place), then its gathered tile of B when the tiles'
        // rows are gathered — with the weights packed in panels, as the gathered tile's reads want them.
        let chunkFloats = plan.isCompact || compacts ? 0 : outGroup * split.chunk
        // (8 floats of slack: the AVX2 gather of runs stores whole vectors.)
        // (A group of compacted tiles, ``IndirectLayout/tileGroup``, gathers each tile into its own slot.)
        // (16 floats more: the first slot is placed on a cache line.)
        let gatherFloats = gathers || compacts ? plan.tileGroup * gatherSlot(kernel, depth: depth) + 16 : 0
        // Rectangles of outputs (a 2-D layer's columns banded): a piece's C before its scatter into y.
        let tileFloats = compacts && bands?.splitsColumns == true ? outGroup * split.chunk : 0
        let panelFloats = (outGroup + kernel.rows - 1) / kernel.rows * kernel.rows * depth
        let orders = bands != nil && !weightsTapMajor
        let orderedFloats = orders ? groups * outGroup * depth : 0
        let packedFloats = orderedFloats + (panels ? groups * panelFloats : 0)
        let partFloats = chunkFloats + gatherFloats + tileFloats
        var scratch = uninitialized(max(1, split.parts * partFloats + packedFloats))
        let gatherOffsets = (0..<(gathers || compacts ? indirectDepthBlock : 0)).map { Int64($0 * kernel.columns) }
        withScratch(floats: preparedCount) { prepared in
            gatherOffsets.withUnsafeBufferPointer { gatherOffsetBuffer in
                offsets.withUnsafeBufferPointer { offsetBuffer in
                    withPointers(x, weight, &y, &scratch) { xBase, wBase, yBase, partScratch in
                        guard let offsetBase = offsetBuffer.baseAddress else { return }
                        // The weights in tap-major order (banded), split over the threads, then packed in panels.
                        let orderedBase = partScratch + split.parts * partFloats
                        let packedBase = orderedBase + orderedFloats
                        let source = orders ? UnsafePointer(orderedBase) : wBase
                        if orders {
                            forEachShare(of: groups * outGroup, threads: threads) { rows in
                                for row in rows {
                                    convarith_transpose(wBase + row * depth, Int64(inGroup), Int64(geometry.taps),
                                                        Int64(geometry.taps), orderedBase + row * depth, Int64(inGroup),
                                                        kernel.isa)
                                }
                            }
                        }
                        if panels {
                            // Every group's panels, split over the threads.
                            let panelCount = (outGroup + kernel.rows - 1) / kernel.rows
                            forEachShare(of: groups * panelCount, threads: threads) { shares in
                                for index in shares {
                                    let (group, first) = (index / panelCount, index % panelCount * kernel.rows)
                                    convarith_pack_row_panels(source + (group * outGroup + first) * depth,
                                                              Int64(min(kernel.rows, outGroup - first)), Int64(depth),
                                                              Int64(depth), Int64(kernel.rows),
                                                              packedBase + group * panelFloats + first * depth)
                                }
                            }
                        }
                        for group in 0..<groups {
                            // A: the group's weights [C_out/g × (c, tap)], rows read in place (or packed in panels).
                            let weights = panels ? IndirectA.packed(packedBase + group * panelFloats)
                                : IndirectA.rows(source + group * outGroup * depth, lda: depth)
                            for n in 0..<layout.batch {
                                let xGroup = xBase + (n * layout.inputChannels + group * inGroup) * geometry.inputCount
                                let yGroup = yBase + (n * layout.outputChannels + group * outGroup) * plane
                                let b = plan.input(xGroup, channels: inGroup, buffer: prepared, threads: threads,
                                                   isa: kernel.isa)
                                // In-place tiles (not gathered) start on lines where B's rows allow it.
                                let alignment = gathers || compacts ? nil
                                    : ColumnAlignment(b: b, offsets: offsetBase,
                                                      depths: 0..<min(depth, indirectDepthBlock), kernel: kernel)
                                FastThreads.run(parts: split.parts, threads: threads) { part in
                                    let rows = split.rows(of: part, among: outGroup)
                                    guard !rows.isEmpty else { return }
                                    let mine = partScratch + part * partFloats
                                    let tile = tileFloats > 0 ? mine + chunkFloats + gatherFloats : nil
                                    let gather = gathers || compacts ? gatherOffsetBuffer.baseAddress.map {
                                        TileGather(rows: lineAligned(mine + chunkFloats), offsets: $0)
                                    } : nil
                                    let a = weights.advanced(byRows: rows.lowerBound, depth: depth,
                                                             panelRows: kernel.rows)
                                    let yRows = yGroup + rows.lowerBound * plane
                                    if compacts, let gather, let bands, bands.splitsColumns {
                                        // Each rectangle's part of the share, in pieces of a chunk, over its taps.
                                        bands.forEachPiece(of: split.share(of: plane, part: part), channels: inGroup,
                                                           chunk: split.chunk) { piece in
                                            multiplyCompact(kernel, a: a, rows: rows.count, depth: depth, b: b,
                                                            offsets: offsetBase, runs: piece.runs, layout: plan,
                                                            c: yRows, ldc: plane, gather: gather,
                                                            depths: piece.depths, pieceC: tile)
                                        }
                                        return
                                    }
                                    if compacts, let gather {
                                        split.forEachChunk(of: plane, part: part, grid: grid) { start, width in
                                            guard let bands else {
                                                multiplyCompact(kernel, a: a, rows: rows.count, depth: depth, b: b,
                                                                offsets: offsetBase, runs: [start..<(start + width)],
                                                                layout: plan, c: yRows, ldc: plane, gather: gather,
                                                                tileGroup: plan.tileGroup)
                                                return
                                            }
                                            // Each band's part of the chunk over the band's taps alone.
                                            let chunk = start..<(start + width)
                                            bands.forEachPiece(of: chunk, channels: inGroup) { piece in
                                                multiplyCompact(kernel, a: a, rows: rows.count, depth: depth, b: b,
                                                                offsets: offsetBase, runs: piece.runs, layout: plan,
                                                                c: yRows, ldc: plane, gather: gather,
                                                                depths: piece.depths)
                                            }
                                        }
                                        return
                                    }
                                    split.forEachChunk(of: columns, part: part, grid: grid,
                                                       alignment: alignment) { start, width in
                                        // Banded in place (a layout without gaps, y written directly): each band's
                                        // part of the chunk over the band's taps alone.
                                        if let bands, plan.isCompact {
                                            let chunk = start..<(start + width)
                                            bands.forEachPiece(of: chunk, channels: inGroup) { piece in
                                                // In place, bands are never rectangles: one run, one range of taps.
                                                let run = piece.runs[0]
                                                multiplyIndirect(kernel, a: a, rows: rows.count, depth: depth,
                                                                 b: b + run.lowerBound, offsets: offsetBase,
                                                                 columns: run.count, c: yRows + run.lowerBound,
                                                                 ldc: plane, prefetch: prefetch, gather: gather,
                                                                 depths: piece.depths.first ?? 0..<0)
                                            }
                                            return
                                        }
                                        let (target, ldc) = plan.isCompact ? (yRows + start, plane) : (mine, width)
                                        multiplyIndirect(kernel, a: a, rows: rows.count, depth: depth, b: b + start,
                                                         offsets: offsetBase, columns: width, c: target, ldc: ldc,
                                                         prefetch: prefetch, gather: gather)
                                        if !plan.isCompact {
                                            grid.scatter(mine, ldc: width, rows: rows.count,
                                                         columns: start..<(start + width), into: yRows, plane: plane,
                                                         isa: kernel.isa)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let bias { addBias(bias, to: &y, channels: layout.outputChannels, plane: plane) }
        return Tensor(uncheckedShape: layout.outputShape, data: y)
    }

    /// Each output channel's weights `[C_in/g × taps]` reordered tap-major (`[taps × C_in/g]`), as the banded taps
    /// of an indirect GEMM read them (``TapBands``): the same floats, moved.
    static func tapMajorWeights(_ weight: Tensor, groups: Int, inGroup: Int, outGroup: Int, taps: Int,
                                isa: Int32) -> Tensor {
        let depth = inGroup * taps
        var ordered = uninitialized(groups * outGroup * depth)
        weight.data.withUnsafeBufferPointer { w in
            ordered.withUnsafeMutableBufferPointer { target in
                guard let source = w.baseAddress, let base = target.baseAddress else { return }
                for row in 0..<(groups * outGroup) {
                    convarith_transpose(source + row * depth, Int64(inGroup), Int64(taps), Int64(taps),
                                        base + row * depth, Int64(inGroup), isa)
                }
            }
        }
        return Tensor(uncheckedShape: weight.shape, data: ordered)
    }

    /// Runs `body` on up to `threads` threads over `count` items split into contiguous ranges.
    static func forEachShare(of count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        let parts = max(1, min(threads, count))
        let share = (count + parts - 1) / parts
        FastThreads.run(parts: parts, threads: threads) { part in body(min(part * share, count)..<min((part + 1) * share, count)) }
    }

    /// A of an indirect GEMM: packed in panels of the kernel's rows (`[panel][k][mr]`), row-major rows
    /// read in place (`a[row · lda + k]`), or columns read in place (`a[row + k · ld]`: Aᵀ stored row-major,
    /// as a transposed convolution's weights are for its col2im GEMM).
    enum IndirectA {
        case packed(UnsafePointer<Float>)
        case rows(UnsafePointer<Float>, lda: Int)
        case columns(UnsafePointer<Float>, ld: Int)

        /// The same A from row `row` on (a multiple of `panelRows` for a packed A) of a `depth`-deep A.
        func advanced(byRows row: Int, depth: Int, panelRows: Int) -> IndirectA {
            switch self {
            case .packed(let base): .packed(base + row / panelRows * depth * panelRows)
            case .rows(let base, let lda): .rows(base + row * lda, lda: lda)
            case .columns(let base, let ld): .columns(base + row, ld: ld)
            }
        }

        /// Element (i, k) of panel p of a `depth`-deep A with panels of `panelRows` rows is at
        /// `base + p·panel + i·row + k·step`.
        func strides(depth: Int, panelRows mr: Int) -> (base: UnsafePointer<Float>, panel: Int, row: Int, step: Int) {
            switch self {
            case .packed(let base): (base, depth * mr, 1, mr)
            case .rows(let base, let lda): (base, mr * lda, lda, 1)
            case .columns(let base, let ld): (base, mr, 1, ld)
            }
        }
    }

    /// Floats of one gathered tile of B of a `depth`-deep GEMM: up to ``indirectDepthBlock`` rows of the kernel's
    /// columns, and 8 of slack (the AVX2 gather of runs stores whole vectors), rounded up to whole cache lines so
    /// that a group's slots keep the first one's alignment.
    static func gatherSlot(_ kernel: IndirectKernel, depth: Int) -> Int {
        (min(depth, indirectDepthBlock) * kernel.columns + 8 + 15) / 16 * 16
    }

    /// The first float at or after `pointer` on a 64-byte cache line (at most 15 floats on).
    static func lineAligned(_ pointer: UnsafeMutablePointer<Float>) -> UnsafeMutablePointer<Float> {
        pointer + (16 - Int(bitPattern: pointer) / 4 % 16) % 16
    }

    /// Row panels from which a tile's rows of B are gathered into consecutive rows before its panels run.
    static let gatherPanels = 8

    /// A buffer for tiles of B gathered into consecutive rows: slots of ``gatherSlot(_:depth:)`` floats (one, or a
    /// group's, ``IndirectLayout/tileGroup``), each up to ``indirectDepthBlock`` rows of the kernel's columns, and
    /// the offsets of those rows in a slot (`p · columns`).
    struct TileGather {
        let rows: UnsafeMutablePointer<Float>
        let offsets: UnsafePointer<Int64>
    }

    /// `C[rows × columns] = A · B` (row `k` of B at `b + offsets[k]`) for one chunk of columns: depth
    /// blocks outermost (a tile's input lines stay in L1 across the row panels), then tiles, then row panels.
    /// With `prefetch`, the next tile's rows of B are asked into L2 while a tile is computed.
    /// `depths`: the rows of B (and A's columns) multiplied — a band's taps (``TapBands``); none writes zeros.
    static func multiplyIndirect(_ kernel: IndirectKernel, a: IndirectA, rows: Int, depth: Int,
                                 b: UnsafePointer<Float>, offsets: UnsafePointer<Int64>, columns: Int,
                                 c: UnsafeMutablePointer<Float>, ldc: Int, prefetch: Bool = false,
                                 gather: TileGather? = nil, depths: Range<Int>? = nil) {
        let depths = depths ?? 0..<depth
        guard !depths.isEmpty else {
            for row in 0..<rows { (c + row * ldc).update(repeating: 0, count: columns) }
            return
        }
        let (mr, nr) = (kernel.rows, kernel.columns)
        let panels = (rows + mr - 1) / mr
        // Element (i, k) of panel p's A at base + p·panelStride + i·rowStride + k·stepStride.
        let (aBase, panelStride, rowStride, stepStride) = a.strides(depth: depth, panelRows: mr)
        var k0 = depths.lowerBound
        while k0 < depths.upperBound {
            let length = min(indirectDepthBlock, depths.upperBound - k0)
            // Rows of B read in place that all start off a line: a narrower first tile, then every tile on lines.
            let gathering = gather != nil && panels >= gatherPanels
            let lead = columns >= 2 * nr && !gathering
                ? ColumnAlignment(b: b, offsets: offsets, depths: k0..<(k0 + length), kernel: kernel)?.first ?? 0 : 0
            var column = 0
            while column < columns {
                let width = min(column == 0 && lead > 0 ? lead : nr, columns - column)
                if prefetch && column + width < columns {
                    convarith_prefetch_rows(b + column + width, offsets + k0, Int64(length),
                                            Int64(min(nr, columns - column - width)))
                }
                var (tileB, tileOffsets) = (b + column, offsets + k0)
                if let gather, gathering {
                    convarith_gather_rows(b + column, offsets + k0, Int64(length), Int64(width), gather.rows, Int64(nr))
                    (tileB, tileOffsets) = (UnsafePointer(gather.rows), gather.offsets)
                }
                for panel in 0..<panels {
                    let target = c + panel * mr * ldc + column, height = Int64(min(mr, rows - panel * mr))
                    kernel.function(Int64(length), aBase + panel * panelStride + k0 * stepStride, Int64(rowStride), Int64(stepStride),
                                    tileB, tileOffsets, target, Int64(ldc), height, Int64(width),
                                    k0 > depths.lowerBound ? 1 : 0)
                }
                column += width
            }
            k0 += length
        }
    }
}

extension FastKernels {
    /// `C[rows × outputs] = A · B` over runs of a convolution's outputs (``IndirectLayout/compactsColumns``):
    /// each tile's rows of B gathered from the runs of its output rows on the virtual grid (row `k` of B at
    /// `b + offsets[k]`) into consecutive rows of exactly its outputs, then multiplied by every row panel; `c`
    /// is output 0's place (row stride `ldc`). One run: depth blocks outermost, as
    /// ``multiplyIndirect(_:a:rows:depth:b:offsets:columns:c:ldc:prefetch:gather:depths:)``, C written in
    /// place. Several (a rectangle of outputs, ``TapBands``): tiles across the runs, the piece's C in `pieceC`
    /// (`rows` × its outputs) and then scattered to its outputs. One run with `tileGroup` above 1
    /// (``IndirectLayout/tileGroup``): up to that many tiles gathered into their own slots of `gather` (which
    /// holds `tileGroup` slots of ``gatherSlot(_:depth:)`` floats), then each panel across them.
    ///
    /// `depths`: the rows of B (and A's columns) multiplied, in ranges — a band's taps (``TapBands``); none
    /// writes zeros.
    static func multiplyCompact(_ kernel: IndirectKernel, a: IndirectA, rows: Int, depth: Int, b: UnsafePointer<Float>,
                                offsets: UnsafePointer<Int64>, runs: [Range<Int>], layout: IndirectLayout,
                                c: UnsafeMutablePointer<Float>, ldc: Int, gather: TileGather,
                                depths: [Range<Int>]? = nil, pieceC: UnsafeMutablePointer<Float>? = nil,
                                tileGroup: Int = 1) {
        let depths = depths ?? [0..<depth]
        guard depths.contains(where: { !$0.isEmpty }) else {
            for run in runs {
                for row in 0..<rows { (c + row * ldc + run.lowerBound).update(repeating: 0, count: run.count) }
            }
            return
        }
        let (mr, nr) = (kernel.rows, kernel.columns)
        let panels = (rows + mr - 1) / mr
        let (aBase, panelStride, rowStride, stepStride) = a.strides(depth: depth, panelRows: mr)
        let (_, o1, o2) = layout.geometry.output
        let (_, e1, e2) = layout.extents
        // Every depth block of every range, in order: (first row, rows, whether it adds to C).
        var blocks: [(k0: Int, length: Int, accumulates: Bool)] = []
        for range in depths {
            var k0 = range.lowerBound
            while k0 < range.upperBound {
                let length = min(indirectDepthBlock, range.upperBound - k0)
                blocks.append((k0, length, !blocks.isEmpty))
                k0 += length
            }
        }
        // A tile's runs on the virtual grid: (start, count) for each output row it meets — at most one per column.
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: 2 * nr) { runStorage in
            guard let runBase = runStorage.baseAddress else { return }
            // The grid runs of outputs [first, first + width) of one run; returns their count.
            @inline(__always) func gridRuns(from first: Int, width: Int, after count: Int) -> Int {
                var j = first, count = count
                while j < first + width {
                    let q0 = j / (o1 * o2), rest = j % (o1 * o2), q1 = rest / o2, q2 = rest % o2
                    let run = min(o2 - q2, first + width - j)
                    runBase[2 * count] = Int64((q0 * e1 + q1) * e2 + q2)
                    runBase[2 * count + 1] = Int64(run)
                    count += 1
                    j += run
                }
                return count
            }
            // Multiplies one depth block of a gathered tile (in `slot`) by panel `panel` into `target`.
            @inline(__always) func multiply(_ block: (k0: Int, length: Int, accumulates: Bool), panel: Int,
                                            slot: UnsafeMutablePointer<Float>, width: Int,
                                            target: UnsafeMutablePointer<Float>, ldc: Int) {
                kernel.function(Int64(block.length), aBase + panel * panelStride + block.k0 * stepStride,
                                Int64(rowStride), Int64(stepStride), UnsafePointer(slot), gather.offsets,
                                target + panel * mr * ldc, Int64(ldc), Int64(min(mr, rows - panel * mr)),
                                Int64(width), block.accumulates ? 1 : 0)
            }
            // Gathers one depth block of a tile's rows and multiplies them by every panel into `target`.
            @inline(__always) func multiply(_ block: (k0: Int, length: Int, accumulates: Bool), runCount: Int,
                                            width: Int, target: UnsafeMutablePointer<Float>, ldc: Int) {
                convarith_gather_runs(b, offsets + block.k0, Int64(block.length), runBase, Int64(runCount), gather.rows,
                                      Int64(nr), kernel.isa)
                for panel in 0..<panels {
                    multiply(block, panel: panel, slot: gather.rows, width: width, target: target, ldc: ldc)
                }
            }
            if runs.count == 1 {
                let outputs = runs[0]
                let slot = gatherSlot(kernel, depth: depth)
                for block in blocks {
                    var first = outputs.lowerBound
                    while first < outputs.upperBound {
                        // A group of tiles (``IndirectLayout/tileGroup``): each gathered into its slot, then each
                        // panel across them, so that a row's tiles are stored one after the other.
                        let tiles = min(tileGroup, (outputs.upperBound - first + nr - 1) / nr)
                        guard tiles > 1 else {
                            let width = min(nr, outputs.upperBound - first)
                            multiply(block, runCount: gridRuns(from: first, width: width, after: 0), width: width,
                                     target: c + first, ldc: ldc)
                            first += width
                            continue
                        }
                        for tile in 0..<tiles {
                            let start = first + tile * nr, width = min(nr, outputs.upperBound - start)
                            convarith_gather_runs(b, offsets + block.k0, Int64(block.length), runBase,
                                                  Int64(gridRuns(from: start, width: width, after: 0)),
                                                  gather.rows + tile * slot, Int64(nr), kernel.isa)
                        }
                        for panel in 0..<panels {
                            for tile in 0..<tiles {
                                let start = first + tile * nr, width = min(nr, outputs.upperBound - start)
                                multiply(block, panel: panel, slot: gather.rows + tile * slot, width: width,
                                         target: c + start, ldc: ldc)
                            }
                        }
                        first = min(first + tiles * nr, outputs.upperBound)
                    }
                }
                return
            }
            // Several runs: C of the whole piece in `pieceC` (`width` columns), depth blocks outermost as above, each
            // tile across the runs; then each run's columns scattered to its outputs.
            guard let pieceC else { return }
            let width = runs.reduce(0) { $0 + $1.count }
            for block in blocks {
                var run = 0, next = runs[0].lowerBound, column = 0
                while run < runs.count {
                    var tileWidth = 0, runCount = 0
                    while tileWidth < nr && run < runs.count {
                        let count = min(nr - tileWidth, runs[run].upperBound - next)
                        runCount = gridRuns(from: next, width: count, after: runCount)
                        tileWidth += count
                        next += count
                        if next == runs[run].upperBound {
                            run += 1
                            if run < runs.count { next = runs[run].lowerBound }
                        }
                    }
                    multiply(block, runCount: runCount, width: tileWidth, target: pieceC + column, ldc: width)
                    column += tileWidth
                }
            }
            var column = 0
            for run in runs {
                for row in 0..<rows {
                    (c + row * ldc + run.lowerBound).update(from: pieceC + row * width + column, count: run.count)
                }
                column += run.count
            }
        }
    }
}

extension FastKernels {
    /// Columns of B per copied block in ``multiplyDenseRows(_:a:rows:depth:b:rowStride:columns:c:ldc:buffer:)``.
    static func denseBlockColumns(_ kernel: IndirectKernel) -> Int { 10 * kernel.columns }

    /// Floats between rows of a copied block: the block's width rounded up to an odd number of cache lines,
    /// so that its rows fall in different cache sets (rows of a power-of-two plane would all share a few).
    static func denseBlockStride(_ kernel: IndirectKernel) -> Int { oddLineStride(denseBlockColumns(kernel)) }

    /// Scratch floats one caller of ``multiplyDenseRows(_:a:rows:depth:b:rowStride:columns:c:ldc:buffer:)`` needs.
    static func denseScratchCount(_ kernel: IndirectKernel, depth: Int) -> Int { depth * denseBlockStride(kernel) + depth * 2 }

    /// `C[rows × columns] = A · B` for a dense row-major B (`B[k, j] = b[k · rowStride + j]`), a block of
    /// columns at a time copied into `buffer` (``denseScratchCount(_:depth:)`` floats) at a stride that
    /// keeps its rows apart in the cache, then multiplied by the indirect kernel.
    static func multiplyDenseRows(_ kernel: IndirectKernel, a: IndirectA, rows: Int, depth: Int,
                                  b: UnsafePointer<Float>, rowStride: Int, columns: Int,
                                  c: UnsafeMutablePointer<Float>, ldc: Int, buffer: UnsafeMutablePointer<Float>) {
        let block = denseBlockColumns(kernel), stride = denseBlockStride(kernel)
        let offsets = UnsafeMutableRawPointer(buffer + depth * stride).bindMemory(to: Int64.self, capacity: depth)
        for k in 0..<depth { offsets[k] = Int64(k * stride) }
        var start = 0
        while start < columns {
            let width = min(block, columns - start)
            for k in 0..<depth { (buffer + k * stride).update(from: b + k * rowStride + start, count: width) }
            multiplyIndirect(kernel, a: a, rows: rows, depth: depth, b: buffer, offsets: offsets, columns: width, c: c + start, ldc: ldc)
            start += width
        }
    }
}
