import CConvKernels

extension FastKernels {
    /// A transposed convolution by its output phases (``PhaseLayout``) with the positions GEMM: per phase,
    /// `yᵀ_φ[V_φ × C_out/g] = A_φ · W_φᵀ`, a tile's rows up to 8 outputs of one of the phase's output rows (read
    /// in place from the zero-padded input at each tap's offset), its lanes the output channels; then
    /// transposed and written to the outputs `φ + s·m`. It serves layers whose input has few positions (a
    /// GAN's 4 × 4 and 8 × 8 layers), where a phase's virtual columns fill the indirect GEMM's tiles badly and
    /// the GEMM over the weights needs a col2im scatter. `W_φᵀ` is every phase's weights packed with the output
    /// channels as rows of an odd number of cache lines (``PhaseWeights`` with that row length as its
    /// "panel"): `packedWeights` (one per group, by a ``PreparedLayer``), or packed now by the threads —
    /// per call only where every phase has 64 outputs or more, so that the packing stays a small part of the
    /// call. Threads split the output channels, whole vectors each.
    static func transposedPositions(_ x: Tensor, weight: Tensor, packedWeights: [PhaseWeights]?, bias: Tensor?, layout: LayerTensors,
                                    plan: PhaseLayout, groups: Int, threads: Int, kernel: PositionsKernel) -> Tensor {
        let inGroup = layout.inputChannels / groups, outGroup = layout.outputChannels / groups
        let inputPlane = plan.input.0 * plan.input.1 * plan.input.2
        let plane = plan.output.0 * plan.output.1 * plan.output.2
        let count = layout.outputShape.reduce(1, *)
        var y = plan.hasEmptyPhases ? [Float](repeating: 0, count: count) : uninitialized(count)
        let ldb = positionPhaseStride(outGroup: outGroup), ldc = ldb
        let vectors = (outGroup + 15) / 16
        let parts = max(1, min(threads, vectors))
        let offsets = plan.phases.map { plan.offsets($0, channels: inGroup) }
        let grids = plan.phases.map(plan.grid)
        let tiles = plan.phases.map { phase in
            positionTiles(counts: phase.count, extents: (plan.axes[1].extent, plan.axes[2].extent), rows: kernel.rows, compact: false)
        }
        let columns = plan.phases.map(\.virtualCount).max() ?? 0
        let copyCount = inGroup * plan.channelVolume
        var none: [Float] = [0]
        // The padded copy, yᵀ of a phase (rows: its virtual columns), and its transpose (rows: output channels).
        withScratch(floats: copyCount + columns * ldc + outGroup * columns) { buffer in
            let prepared = buffer, transposed = buffer + copyCount, channelsFirst = transposed + columns * ldc
            withPointers(x, weight, &y, &none) { xBase, wBase, yBase, _ in
                for group in 0..<groups {
                    let packed = packedWeights?[group] ?? PhaseWeights(wBase + group * inGroup * outGroup * plan.kernel.0 * plan.kernel.1 * plan.kernel.2,
                        phases: plan.phases, inGroup: inGroup, outGroup: outGroup, taps: plan.kernel.0 * plan.kernel.1 * plan.kernel.2,
                        panelRows: ldb, isa: kernel.isa, threads: threads)
                    for n in 0..<layout.batch {
                        let xGroup = xBase + (n * layout.inputChannels + group * inGroup) * inputPlane
                        let yGroup = yBase + (n * layout.outputChannels + group * outGroup) * plane
                        forEachShare(of: inGroup, threads: threads) { plan.prepare(xGroup, channels: $0, into: prepared) }
                        for (index, phase) in plan.phases.enumerated() {
                            let depth = inGroup * phase.taps.count, virtual = phase.virtualCount
                            packed.data.withUnsafeBufferPointer { weights in
                                offsets[index].withUnsafeBufferPointer { offsetBuffer in
                                    guard let weightBase = weights.baseAddress, let offsetBase = offsetBuffer.baseAddress else { return }
                                    let b = weightBase + packed.starts[index]
                                    FastThreads.run(parts: parts, threads: threads) { part in
                                        let first = part * vectors / parts * 16, last = min((part + 1) * vectors / parts * 16, outGroup)
                                        guard first < last else { return }
                                        forEachPanel(of: first..<last, columns: kernel.columns) { panel in
                                            multiplyPositions(kernel, tiles: tiles[index], a: prepared, offsets: offsetBase, depth: depth, panel: panel,
                                                              c: transposed, ldc: ldc) { k0, _ in (b + k0 * ldb + panel.lowerBound, ldb) }
                                        }
                                        // yᵀ → y: this part's channels, then to the phase's outputs (the virtual
                                        // columns between output rows hold nothing and are not written).
                                        convarith_transpose(transposed + first, Int64(virtual), Int64(last - first), Int64(ldc),
                                                            channelsFirst + first * virtual, Int64(virtual), kernel.isa)
                                        grids[index].scatter(channelsFirst + first * virtual, ldc: virtual, rows: last - first, columns: 0..<virtual,
                                                             into: yGroup + first * plane, plane: plane, isa: kernel.isa)
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

    /// The row length of the positions phases' packed weights: the output channels, rounded up to an odd
    /// number of cache lines.
    static func positionPhaseStride(outGroup: Int) -> Int { oddLineStride(outGroup) }
}
