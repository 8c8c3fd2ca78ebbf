import CConvKernels

extension FastKernels {
    /// Depth (rows of the packed weights) per pass of the positions GEMM: a pass's block of one panel of
    /// weights (`128 · 48` floats, 24 KB) stays in L1 while every position tile reads it.
    static let positionsDepthBlock = 128

    /// The weights of a positions GEMM packed once for many calls (a ``PreparedLayer``): per group, `Wᵀ` —
    /// row `(c, tap)` holding every output channel's weight for that input channel and tap — at a row stride
    /// of an odd number of cache lines, so that a block of rows does not crowd a few cache sets.
    struct PositionsWeights: Sendable {
        let data: [Float]
        /// Floats between rows.
        let stride: Int

        /// Packs `w` (`[C_out × C_in/g × k…]`, PyTorch's layout) of `groups` groups of `outGroup` output
        /// channels and `depth` rows each.
        init(_ w: UnsafePointer<Float>, groups: Int, outGroup: Int, depth: Int, isa: Int32) {
            let stride = oddLineStride(outGroup)
            self.stride = stride
            data = [Float](unsafeUninitializedCapacity: groups * depth * stride) { buffer, initialized in
                guard let base = buffer.baseAddress else { return }
                for group in 0..<groups {
                    convarith_transpose(w + group * outGroup * depth, Int64(outGroup), Int64(depth), Int64(depth),
                                        base + group * depth * stride, Int64(stride), isa)
                }
                // The lanes past the output channels are never read (the kernel masks them); zero them anyway.
                for row in 0..<(groups * depth) {
                    (base + row * stride + outGroup).initialize(repeating: 0, count: stride - outGroup)
                }
                initialized = groups * depth * stride
            }
        }
    }

    /// A tile of the positions GEMM: `height` consecutive output positions on one output row, the first at
    /// virtual index `virtual` of the layout and in row `row` of yᵀ.
    struct PositionTile {
        let virtual: Int
        let row: Int
        let height: Int
    }

    /// The tiles covering every output of a grid of `counts` outputs whose virtual rows are `extents` apart:
    /// each output row's `O₂` positions in `⌈O₂ / rows⌉` tiles of heights as even as possible (a 7-wide row is
    /// one tile of 7). yᵀ's rows are the outputs' places in the plane (`compact`), or their virtual indices.
    static func positionTiles(counts: (Int, Int, Int), extents: (Int, Int), rows: Int, compact: Bool) -> [PositionTile] {
        let (o0, o1, o2) = counts
        let (e1, e2) = extents
        let count = (o2 + rows - 1) / rows
        var tiles: [PositionTile] = []
        tiles.reserveCapacity(o0 * o1 * count)
        for z in 0..<o0 {
            for y in 0..<o1 {
                var x = 0
                for index in 0..<count {
                    let height = o2 / count + (index < o2 % count ? 1 : 0)
                    let virtual = (z * e1 + y) * e2 + x
                    tiles.append(PositionTile(virtual: virtual, row: compact ? (z * o1 + y) * o2 + x : virtual, height: height))
                    x += height
                }
            }
        }
        return tiles
    }

    /// What the positions GEMM of a layer needs besides its tensors — its layout, every row of A's offset from
    /// a position, the position tiles — made once per call or once for a ``PreparedLayer``.
    struct PositionsPlan: Sendable {
        let layout: IndirectLayout
        let offsets: [Int64]
        let tiles: [PositionTile]

        init(_ layout: IndirectLayout, inGroup: Int, kernel: PositionsKernel) {
            self.layout = layout
            offsets = layout.offsets(channels: inGroup)
            tiles = positionTiles(counts: layout.geometry.output, extents: (layout.extents.1, layout.extents.2), rows: kernel.rows, compact: true)
        }
    }

    /// Splits `channels` into panels of whole vectors (16 lanes, or the tile's width when narrower) as even
    /// as possible, none wider than the tile's `columns` (64 channels with 48-wide tiles: 32 and 32, not 48
    /// and a 16-wide tile that waits on its loads).
    static func forEachPanel(of channels: Range<Int>, columns: Int, _ body: (Range<Int>) -> Void) {
        let lanes = min(16, columns)
        let vectors = (channels.count + lanes - 1) / lanes, most = columns / lanes
        let panels = (vectors + most - 1) / most
        var start = channels.lowerBound
        for panel in 0..<panels {
            let width = (vectors / panels + (panel < vectors % panels ? 1 : 0)) * lanes
            body(start..<min(start + width, channels.upperBound))
            start += width
        }
    }

    /// `yᵀ[tile rows × panel] = A · B` for every tile (`c`: yᵀ's first column, `ldc` its row stride), a depth
    /// block at a time (its B, `rows × panel.count` at a row stride, from `source(k0, length)`), every tile's
    /// rows read from `a` at each tap's offset.
    static func multiplyPositions(_ kernel: PositionsKernel, tiles: [PositionTile], a: UnsafePointer<Float>, offsets: UnsafePointer<Int64>,
                                  depth: Int, panel: Range<Int>, c: UnsafeMutablePointer<Float>, ldc: Int,
                                  source: (_ k0: Int, _ length: Int) -> (b: UnsafePointer<Float>, ldb: Int)) {
        var k0 = 0
        while k0 < depth {
            let length = min(positionsDepthBlock, depth - k0)
            let (b, ldb) = source(k0, length)
            for tile in tiles {
                kernel.function(Int64(length), a + tile.virtual, offsets + k0, b, Int64(ldb), c + tile.row * ldc + panel.lowerBound, Int64(ldc),
                                Int64(tile.height), Int64(panel.count), k0 > 0 ? 1 : 0)
            }
            k0 += length
        }
    }

    /// A convolution as the positions GEMM over its ``IndirectLayout``: per sample and group, the input is
    /// padded and phase-split once (or read as it is), and `yᵀ[Πo × C_out/g] = A · Wᵀ` is computed tile by
    /// tile by the ``PositionsKernel`` — A's rows read in place at each tap's offset — into a buffer
    /// transposed into the output. `Wᵀ` is `packed` (prepared), or packed from `weight` a block at a time
    /// (a panel of output channels by a depth block: 24 KB, in L1 while every position tile reads it), so the
    /// weights are read once and never copied whole. Threads split the output channels, whole vectors each.
    static func positionsConvolution(_ x: Tensor, weight: Tensor, packed: PositionsWeights? = nil, bias: Tensor?, layout: LayerTensors,
                                     plan: PositionsPlan, groups: Int, threads: Int, kernel: PositionsKernel) -> Tensor {
        let indirect = plan.layout, geometry = indirect.geometry
        let inGroup = layout.inputChannels / groups, outGroup = layout.outputChannels / groups
        let depth = inGroup * geometry.taps, plane = geometry.outputCount
        var y = uninitialized(layout.outputShape.reduce(1, *))
        let vectors = (outGroup + 15) / 16
        let parts = max(1, min(threads, vectors))
        let copyCount = indirect.copies ? inGroup * indirect.channelVolume : 0
        // yᵀ in a buffer whose rows are an odd number of cache lines apart (the transpose reads it down its columns).
        let ldc = oddLineStride(outGroup)
        let blockStride = kernel.columns, blockCount = packed == nil ? positionsDepthBlock * blockStride : 0
        var none: [Float] = [0]
        withScratch(floats: copyCount + plane * ldc + parts * blockCount) { buffer in
            let prepared = buffer, transposed = buffer + copyCount, blocks = transposed + plane * ldc
            withPointers(x, weight, &y, &none) { xBase, wBase, yBase, _ in
                (packed?.data ?? []).withUnsafeBufferPointer { packedBuffer in
                    plan.offsets.withUnsafeBufferPointer { offsetBuffer in
                        guard let offsets = offsetBuffer.baseAddress else { return }
                        // B of a panel's depth block: rows of the prepared Wᵀ, or the block transposed now from the
                        // weights' rows. (Asking the next block's rows into L2 meanwhile measured no faster.)
                        func source(_ group: Int, _ panel: Range<Int>, _ k0: Int, _ length: Int, _ block: UnsafeMutablePointer<Float>)
                            -> (b: UnsafePointer<Float>, ldb: Int) {
                            if let packed, let packedBase = packedBuffer.baseAddress {
                                return (packedBase + (group * depth + k0) * packed.stride + panel.lowerBound, packed.stride)
                            }
                            // block[k][j] = w[panel.lowerBound + j][k0 + k]
                            convarith_transpose(wBase + (group * outGroup + panel.lowerBound) * depth + k0, Int64(panel.count), Int64(length),
                                                Int64(depth), block, Int64(blockStride), kernel.isa)
                            return (UnsafePointer(block), blockStride)
                        }
                        for group in 0..<groups {
                            for n in 0..<layout.batch {
                                let xGroup = xBase + (n * layout.inputChannels + group * inGroup) * geometry.inputCount
                                let yGroup = yBase + (n * layout.outputChannels + group * outGroup) * plane
                                let a = indirect.input(xGroup, channels: inGroup, buffer: prepared, threads: threads, isa: kernel.isa)
                                FastThreads.run(parts: parts, threads: threads) { part in
                                    let first = part * vectors / parts * 16, last = min((part + 1) * vectors / parts * 16, outGroup)
                                    guard first < last else { return }
                                    let block = blocks + part * blockCount
                                    forEachPanel(of: first..<last, columns: kernel.columns) { panel in
                                        multiplyPositions(kernel, tiles: plan.tiles, a: a, offsets: offsets, depth: depth, panel: panel,
                                                          c: transposed, ldc: ldc) { k0, length in source(group, panel, k0, length, block) }
                                    }
                                    convarith_transpose(transposed + first, Int64(plane), Int64(last - first), Int64(ldc), yGroup + first * plane,
                                                        Int64(plane), kernel.isa)
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
}
