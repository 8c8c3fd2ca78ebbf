import ConvArithmetic

extension FastKernels {
    /// A transposed convolution by its output phases (``PhaseLayout``): per sample and group the input is
    /// zero-padded once, and per phase `C[C_out/g × V_φ] = W_φ · B_φ` runs on the indirect kernel over the
    /// taps that reach that phase, its columns written to the outputs `φ + s·m`. Threads split each
    /// phase's virtual columns.
    static func transposedPhases(_ x: Tensor, weight: Tensor, bias: Tensor?, layout: LayerTensors, plan: PhaseLayout,
                                 groups: Int, threads: Int, kernel: IndirectKernel) -> Tensor {
        let inGroup = layout.inputChannels / groups, outGroup = layout.outputChannels / groups
        let (k0, k1, k2) = plan.kernel
        let taps = k0 * k1 * k2
        let inputPlane = plan.input.0 * plan.input.1 * plan.input.2
        let plane = plan.output.0 * plan.output.1 * plan.output.2
        let count = layout.outputShape.reduce(1, *)
        var y = plan.hasEmptyPhases ? [Float](repeating: 0, count: count) : uninitialized(count)
        let split = TileSplit(columns: plan.phases.map(\.virtualCount).max() ?? 0, rows: outGroup, threads: threads, kernel: kernel)
        let preparedCount = inGroup * plan.channelVolume
        let prepared = UnsafeMutableRawPointer.allocate(byteCount: max(preparedCount, 1) * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: preparedCount)
        defer { prepared.deallocate() }
        var scratch = uninitialized(split.parts * outGroup * split.chunk)
        let offsets = plan.phases.map { plan.offsets($0, channels: inGroup) }
        let grids = plan.phases.map(plan.grid)
        withPointers(x, weight, &y, &scratch) { xBase, wBase, yBase, chunks in
            for group in 0..<groups {
                // W_φ[c_out × (c, tap)] = w[group·inGroup + c, c_out, tap], every phase's packed once per group.
                let packed = plan.phases.map { phase in
                    packPhaseWeights(wBase + group * inGroup * outGroup * taps, phase: phase, inGroup: inGroup, outGroup: outGroup,
                                     taps: taps, panelRows: kernel.rows)
                }
                for n in 0..<layout.batch {
                    let xGroup = xBase + (n * layout.inputChannels + group * inGroup) * inputPlane
                    let yGroup = yBase + (n * layout.outputChannels + group * outGroup) * plane
                    // The padded copy, once per sample and group.
                    forEachShare(of: inGroup, threads: threads) { plan.prepare(xGroup, channels: $0, into: prepared) }
                    for (phaseIndex, phase) in plan.phases.enumerated() {
                        let depth = inGroup * phase.taps.count, columns = phase.virtualCount
                        packed[phaseIndex].data.withUnsafeBufferPointer { aBuffer in
                            offsets[phaseIndex].withUnsafeBufferPointer { offsetBuffer in
                                guard let aBase = aBuffer.baseAddress, let offsetBase = offsetBuffer.baseAddress else { return }
                                FastThreads.run(parts: split.parts, threads: threads) { part in
                                    let rows = split.rows(of: part, among: outGroup)
                                    guard !rows.isEmpty else { return }
                                    let mine = chunks + part * outGroup * split.chunk
                                    let a = IndirectA.packed(aBase).advanced(byRows: rows.lowerBound, depth: depth, panelRows: kernel.rows)
                                    split.forEachChunk(of: columns, part: part) { start, width in
                                        multiplyIndirect(kernel, a: a, rows: rows.count, depth: depth, b: prepared + start,
                                                         offsets: offsetBase, columns: width, c: mine, ldc: width)
                                        grids[phaseIndex].scatter(mine, ldc: width, rows: rows.count, columns: start..<(start + width),
                                                                  into: yGroup + rows.lowerBound * plane, plane: plane)
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

    /// `W_φ[c_out × (c, tap)] = w[c, c_out, tap]` for the taps of `phase` (`w`: the group's weights
    /// `[inGroup × outGroup × taps]`), packed in panels of `panelRows` rows, reading each weight row once
    /// in its own order.
    static func packPhaseWeights(_ w: UnsafePointer<Float>, phase: PhaseLayout.Phase, inGroup: Int, outGroup: Int, taps: Int,
                                 panelRows mr: Int) -> PackedGEMM.PackedA {
        let tapIndices = phase.taps.map(\.tap), count = tapIndices.count, depth = inGroup * count
        return PackedGEMM.PackedA(rows: outGroup, depth: depth, panelRows: mr) { data in
            guard let base = data.baseAddress else { return }
            tapIndices.withUnsafeBufferPointer { indices in
                for c in 0..<inGroup {
                    for row in 0..<outGroup {
                        let source = w + (c * outGroup + row) * taps
                        // Element (row, k = c·count + j) of panel row / mr at [(panel·depth + k)·mr + row mod mr].
                        let panel = row / mr, lane = row % mr
                        var target = base + ((panel * depth + c * count) * mr + lane)
                        for j in 0..<count {
                            target.pointee = source[indices[j]]
                            target += mr
                        }
                    }
                }
            }
        }
    }
}
