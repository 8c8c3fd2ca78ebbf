import ConvArithmetic

extension FastKernels {
    /// Depth (rows of B) per pass of the indirect GEMM: the taps' input lines of one tile stay in L1.
    static let indirectDepthBlock = 256
    /// Floats of C per chunk of columns (a thread's working set of C, in L2).
    static let indirectChunkFloats = 1 << 15

    /// A convolution as an indirect GEMM over its ``IndirectLayout``: per sample and group, the input is
    /// padded and phase-split once (or read as it is), the weights packed once per group, and
    /// `C[C_out/g × V] = W · B` computed tile by tile by the ``IndirectKernel``, B's rows read in place.
    /// Threads split the virtual columns; each works through chunks of them, blocked over the depth.
    static func indirectConvolution(_ x: Tensor, weight: Tensor, bias: Tensor?, layout: LayerTensors, plan: IndirectLayout,
                                    groups: Int, threads: Int, kernel: IndirectKernel) -> Tensor {
        let geometry = plan.geometry
        let inGroup = layout.inputChannels / groups, outGroup = layout.outputChannels / groups
        let depth = inGroup * geometry.taps, plane = geometry.outputCount, columns = plan.virtualCount
        let (mr, nr) = (kernel.rows, kernel.columns)
        let offsets = plan.offsets(channels: inGroup)
        var y = uninitialized(layout.outputShape.reduce(1, *))
        let parts = max(1, min(threads, (columns + nr - 1) / nr))
        let share = ((columns + parts - 1) / parts + nr - 1) / nr * nr
        let chunk = max(nr, min(share, indirectChunkFloats / max(outGroup, 1) / nr * nr))
        // The copy on cache-line boundaries (its channels are whole lines apart).
        let preparedCount = plan.copies ? inGroup * plan.channelVolume : 0
        let prepared = UnsafeMutableRawPointer.allocate(byteCount: preparedCount * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: preparedCount)
        defer { prepared.deallocate() }
        var scratch = uninitialized(plan.isCompact ? 1 : parts * outGroup * chunk)
        offsets.withUnsafeBufferPointer { offsetBuffer in
            withPointers(x, weight, &y, &scratch) { xBase, wBase, yBase, sBase in
                guard let offsetBase = offsetBuffer.baseAddress else { return }
                let chunks = sBase
                for group in 0..<groups {
                    let rows = wBase + group * outGroup * depth
                    let a = PackedGEMM.PackedA(rows: outGroup, depth: depth, panelRows: mr) { rows[$0 * depth + $1] }
                    a.data.withUnsafeBufferPointer { aBuffer in
                        guard let aBase = aBuffer.baseAddress else { return }
                        for n in 0..<layout.batch {
                            let xGroup = xBase + (n * layout.inputChannels + group * inGroup) * geometry.inputCount
                            let yGroup = yBase + (n * layout.outputChannels + group * outGroup) * plane
                            let b: UnsafePointer<Float>
                            if plan.copies {
                                let prepareParts = max(1, min(threads, inGroup))
                                let channelShare = (inGroup + prepareParts - 1) / prepareParts
                                FastThreads.run(parts: prepareParts, threads: threads) { part in
                                    let channels = min(part * channelShare, inGroup)..<min((part + 1) * channelShare, inGroup)
                                    plan.prepare(xGroup, channels: channels, into: prepared)
                                }
                                b = UnsafePointer(prepared)
                            } else {
                                b = xGroup
                            }
                            FastThreads.run(parts: parts, threads: threads) { part in
                                let mine = chunks + part * outGroup * chunk
                                var start = min(part * share, columns)
                                let end = min(start + share, columns)
                                while start < end {
                                    let width = min(chunk, end - start)
                                    let (target, ldc) = plan.isCompact ? (yGroup + start, plane) : (mine, width)
                                    multiplyIndirect(kernel, a: aBase, rows: outGroup, depth: depth, b: b + start, offsets: offsetBase,
                                                     columns: width, c: target, ldc: ldc, mr: mr, nr: nr)
                                    if !plan.isCompact {
                                        plan.scatter(mine, ldc: width, rows: outGroup, columns: start..<(start + width), into: yGroup, plane: plane)
                                    }
                                    start += width
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

    /// `C[rows × columns] = A · B` for one chunk of columns: depth blocks outermost (a tile's input lines
    /// stay in L1 across the row panels), then tiles, then row panels.
    private static func multiplyIndirect(_ kernel: IndirectKernel, a: UnsafePointer<Float>, rows: Int, depth: Int,
                                         b: UnsafePointer<Float>, offsets: UnsafePointer<Int64>, columns: Int,
                                         c: UnsafeMutablePointer<Float>, ldc: Int, mr: Int, nr: Int) {
        let panels = (rows + mr - 1) / mr
        var k0 = 0
        while k0 < depth {
            let length = min(indirectDepthBlock, depth - k0)
            var column = 0
            while column < columns {
                let width = min(nr, columns - column)
                for panel in 0..<panels {
                    kernel.function(Int64(length), a + (panel * depth + k0) * mr, b + column, offsets + k0,
                                    c + panel * mr * ldc + column, Int64(ldc), Int64(min(mr, rows - panel * mr)), Int64(width), k0 > 0 ? 1 : 0)
                }
                column += nr
            }
            k0 += length
        }
    }
}
