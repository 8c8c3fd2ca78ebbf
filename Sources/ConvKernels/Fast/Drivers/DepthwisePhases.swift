import CConvKernels

extension FastKernels {
    /// A transposed depthwise convolution (one input and one output channel a group: a bilinear upsampling,
    /// DLA's and FCN's upsampling layers) as its output phases over each plane's zero-padded input
    /// (``ConvolutionPlan/Path/depthwisePhases``): each phase a stride-1 correlation of the plane with the
    /// phase's taps — one weighted stream of loads over the padded copy's virtual columns (the grid's kernel) —
    /// and the phases' rows then interleaved into the plane's output rows (stride 2 a vector at a time). A GEMM
    /// of one input channel by one output channel would leave its tiles all but empty (the col2im GEMM's 4 × 4
    /// stride-2 layer on 64 × 32 × 32: 0.52–0.59 ms). Planes split over the threads; outputs no phase reaches are
    /// zero before the bias.
    static func depthwisePhases(_ x: Tensor, weight: Tensor, bias: Tensor?, layout: LayerTensors, plan: PhaseLayout,
                                threads: Int, kernels: RowKernels, isa: Int32) -> Tensor {
        let outputPlane = plan.output.0 * plan.output.1 * plan.output.2
        let inputPlane = plan.input.0 * plan.input.1 * plan.input.2
        let taps = plan.kernel.0 * plan.kernel.1 * plan.kernel.2
        let channels = layout.outputChannels, planes = layout.batch * channels
        let count = planes * outputPlane
        var y = plan.hasEmptyPhases ? [Float](repeating: 0, count: count) : uninitialized(count)
        let (s0, s1, s2) = plan.strides
        // Each phase's slot among the s0·s1·s2, its columns' place in a part's scratch, offsets and taps.
        var starts: [Int] = [], total = 0
        for phase in plan.phases {
            starts.append(total)
            total += phase.virtualCount
        }
        let slots = plan.phases.map { ($0.index.0 * s1 + $0.index.1) * s2 + $0.index.2 }
        let offsets = plan.phases.map { $0.taps.map { Int64($0.offset) } }
        let tapIndices = plan.phases.map { $0.taps.map(\.tap) }
        let mostTaps = plan.phases.map(\.taps.count).max() ?? 0
        let perPart = plan.channelVolume + total + mostTaps
        let output: [Int64] = [Int64(plan.output.0), Int64(plan.output.1), Int64(plan.output.2)]
        let step: [Int64] = [Int64(s0), Int64(s1), Int64(s2)]
        let (e1, e2) = (Int64(plan.axes[1].extent), Int64(plan.axes[2].extent))
        var none: [Float] = [0]  // the scratch is each part's own
        withPointers(x, weight, &y, &none) { xBase, wBase, yBase, _ in
            forEachPlaneRange(of: planes, threads: threads) { range in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: perPart) { scratch in
                    guard let padded = scratch.baseAddress else { return }
                    let columns = padded + plan.channelVolume, phaseWeights = columns + total
                    var phasePointers = [UnsafePointer<Float>?](repeating: nil, count: s0 * s1 * s2)
                    for (index, slot) in slots.enumerated() {
                        phasePointers[slot] = UnsafePointer(columns + starts[index])
                    }
                    for p in range {
                        let channelWeights = wBase + p % channels * taps
                        plan.prepare(xBase + p * inputPlane, channels: 0..<1, into: padded)
                        for (index, phase) in plan.phases.enumerated() {
                            for (t, tap) in tapIndices[index].enumerated() { phaseWeights[t] = channelWeights[tap] }
                            offsets[index].withUnsafeBufferPointer { phaseOffsets in
                                kernels.weightedStream(padded, columns + starts[index], Int64(phase.virtualCount),
                                                       phaseOffsets.baseAddress, phaseWeights, Int64(phase.taps.count))
                            }
                        }
                        convarith_assemble_phases(phasePointers, e1, e2, output, step, yBase + p * outputPlane, isa)
                    }
                }
            }
        }
        if let bias { addBias(bias, to: &y, channels: channels, plane: outputPlane) }
        return Tensor(uncheckedShape: layout.outputShape, data: y)
    }
}
