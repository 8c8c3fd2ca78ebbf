import CConvKernels

extension FastKernels {
    /// Depth (rows of the packed weights) per pass of the positions GEMM: a pass's block of one panel of
    /// weights (`128 · 48` floats, 24 KB) stays in L1 while every position tile reads it.
    static let positionsDepthBlock = 128

    /// A tile of the positions GEMM: `height` consecutive output positions on one output row, the first at
    /// virtual index `virtual` of the layout and at `position` in the output plane.
    struct PositionTile {
        let virtual: Int
        let position: Int
        let height: Int
    }

    /// The tiles covering every output position of `plan`: each output row's `O₂` positions in
    /// `⌈O₂ / rows⌉` tiles of heights as even as possible (a 7-wide row is one tile of 7).
    static func positionTiles(_ plan: IndirectLayout, rows: Int) -> [PositionTile] {
        let (o0, o1, o2) = plan.geometry.output
        let (_, e1, e2) = plan.extents
        let count = (o2 + rows - 1) / rows
        var tiles: [PositionTile] = []
        tiles.reserveCapacity(o0 * o1 * count)
        for z in 0..<o0 {
            for y in 0..<o1 {
                var x = 0
                for index in 0..<count {
                    let height = o2 / count + (index < o2 % count ? 1 : 0)
                    tiles.append(PositionTile(virtual: (z * e1 + y) * e2 + x, position: (z * o1 + y) * o2 + x, height: height))
                    x += height
                }
            }
        }
        return tiles
    }

    /// Whether a layer's indirect GEMM would leave much of its tiles empty — few virtual columns for the
    /// kernel's width, as in a deep layer's 7 × 7 output (55 columns: a 48-wide tile and a 16-wide one holding
    /// 7) — where the positions GEMM fills its tiles: output rows of at least four positions (shorter tiles
    /// wait on their loads) and output channels enough for whole vectors.
    static func prefersPositions(_ plan: IndirectLayout, outGroup: Int, kernel: MicroKernel) -> Bool {
        let indirect = kernel.indirect, positions = kernel.positions
        let (_, _, o2) = plan.geometry.output
        guard o2 >= 4, outGroup >= 2 * positions.columns / 3 else { return false }
        // Lanes the indirect GEMM computes: whole vectors of 16 (of 8 on AVX2) over the virtual columns.
        let vector = indirect.columns >= 48 ? 16 : 8
        var computed = 0
        plan.grid.forEachRun(in: 0..<plan.virtualCount) { run in
            computed += run.count / indirect.columns * indirect.columns + (run.count % indirect.columns + vector - 1) / vector * vector
        }
        let rowsComputed = (outGroup + indirect.rows - 1) / indirect.rows * indirect.rows
        let indirectShare = Double(plan.geometry.outputCount * outGroup) / Double(computed * rowsComputed)
        let lanesComputed = (outGroup + vector - 1) / vector * vector
        let positionsShare = Double(outGroup) / Double(lanesComputed)
        return indirectShare < 0.8 * positionsShare
    }

    /// A convolution as the positions GEMM over its ``IndirectLayout``: per sample and group, the input is
    /// padded and phase-split once (or read as it is), and `yᵀ[Πo × C_out/g] = A · Wᵀ` is computed tile by
    /// tile by the ``PositionsKernel`` — A's rows read in place at each tap's offset — into a buffer
    /// transposed into the output. `Wᵀ` is packed a block at a time (the kernel's columns by a depth block:
    /// 24 KB, in L1 while every position tile reads it), so the weights are read once and never copied
    /// whole. Threads split the output channels, whole vectors each.
    static func positionsConvolution(_ x: Tensor, weight: Tensor, bias: Tensor?, layout: LayerTensors, plan: IndirectLayout,
                                     groups: Int, threads: Int, kernel: PositionsKernel) -> Tensor {
        let geometry = plan.geometry
        let inGroup = layout.inputChannels / groups, outGroup = layout.outputChannels / groups
        let depth = inGroup * geometry.taps, plane = geometry.outputCount
        let offsets = plan.offsets(channels: inGroup)
        let tiles = positionTiles(plan, rows: kernel.rows)
        var y = uninitialized(layout.outputShape.reduce(1, *))
        let vectors = (outGroup + 15) / 16
        let parts = max(1, min(threads, vectors))
        let share = (vectors + parts - 1) / parts * 16
        let copyCount = plan.copies ? inGroup * plan.channelVolume : 0
        // yᵀ in a buffer whose rows are an odd number of cache lines apart (the transpose reads it down its columns).
        let lines = (outGroup + 15) / 16, ldc = (lines % 2 == 0 ? lines + 1 : lines) * 16
        let ldb = kernel.columns, blockCount = positionsDepthBlock * ldb
        var none: [Float] = [0]
        withScratch(floats: copyCount + plane * ldc + parts * blockCount) { buffer in
            let prepared = buffer, transposed = buffer + copyCount, blocks = transposed + plane * ldc
            offsets.withUnsafeBufferPointer { offsetBuffer in
                withPointers(x, weight, &y, &none) { xBase, wBase, yBase, _ in
                    guard let offsetBase = offsetBuffer.baseAddress else { return }
                    for group in 0..<groups {
                        let weights = wBase + group * outGroup * depth
                        for n in 0..<layout.batch {
                            let xGroup = xBase + (n * layout.inputChannels + group * inGroup) * geometry.inputCount
                            let yGroup = yBase + (n * layout.outputChannels + group * outGroup) * plane
                            if plan.copies {
                                forEachShare(of: inGroup, threads: threads) { plan.prepare(xGroup, channels: $0, into: prepared, isa: kernel.isa) }
                            }
                            let a = plan.copies ? UnsafePointer(prepared) : xGroup
                            FastThreads.run(parts: parts, threads: threads) { part in
                                let channels = min(part * share, outGroup)..<min((part + 1) * share, outGroup)
                                guard !channels.isEmpty else { return }
                                let block = blocks + part * blockCount
                                var column = channels.lowerBound
                                while column < channels.upperBound {
                                    let width = min(kernel.columns, channels.upperBound - column)
                                    var k0 = 0
                                    while k0 < depth {
                                        let length = min(positionsDepthBlock, depth - k0)
                                        // block[k][j] = w[column + j][k0 + k]
                                        convarith_transpose(weights + column * depth + k0, Int64(width), Int64(length), Int64(depth),
                                                            block, Int64(ldb), kernel.isa)
                                        // The next block's weights (the same rows, further on, or the next panel's first) are
                                        // asked into L2 a few rows before each tile, so that they arrive while this block is used.
                                        let next = k0 + length < depth ? (column, k0 + length) : (column + width, 0)
                                        let nextRows = next.0 < channels.upperBound ? min(kernel.columns, channels.upperBound - next.0) : 0
                                        let nextLength = min(positionsDepthBlock, depth - next.1)
                                        for (index, tile) in tiles.enumerated() {
                                            let first = index * nextRows / tiles.count, last = (index + 1) * nextRows / tiles.count
                                            if first < last {
                                                convarith_prefetch_block(weights + (next.0 + first) * depth + next.1, Int64(last - first), Int64(depth),
                                                                         Int64(nextLength))
                                            }
                                            kernel.function(Int64(length), a + tile.virtual, offsetBase + k0, block, Int64(ldb),
                                                            transposed + tile.position * ldc + column, Int64(ldc), Int64(tile.height),
                                                            Int64(width), k0 > 0 ? 1 : 0)
                                        }
                                        k0 += length
                                    }
                                    column += width
                                }
                                convarith_transpose(transposed + channels.lowerBound, Int64(plane), Int64(channels.count), Int64(ldc),
                                                    yGroup + channels.lowerBound * plane, Int64(plane), kernel.isa)
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
