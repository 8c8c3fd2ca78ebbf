import ConvArithmetic

/// Convolution, transposed convolution and pooling written for clarity: loops that read like the
/// definitions, over the ``WindowWalk`` of the layer's resolved shape. Every size comes from the
/// `LayerShape` the arithmetic core computed; these functions never decide a size themselves.
public enum ReferenceKernels {
    /// `y[n, o_c, out] = b[o_c] + Σ_{c in o_c's group} Σ_taps w[o_c, c, tap] · x[n, c, q(out, tap)]`,
    /// zero where `q` falls in the padding.
    /// - Parameters:
    ///   - x: `[N, C_in, i…]`.
    ///   - weight: `[C_out, C_in/groups, k…]`.
    ///   - bias: `[C_out]`, optional.
    ///   - shape: the layer's sizes per axis.
    ///   - groups: channel groups.
    public static func convolution(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, shape: LayerShape,
                                   groups: Int = 1) throws(KernelError) -> Tensor {
        guard shape.operation == .convolution else { throw .unsupported("convolution needs a convolution's shape, got \(shape.name)") }
        let layout = try LayerTensors(shape: shape, x: x, weight: weight, bias: bias, groups: groups)
        let outputCount = shape.output.reduce(1, *)
        var y = [Float](repeating: 0, count: layout.outputShape.reduce(1, *))
        if let bias { for index in y.indices { y[index] = bias.data[index / outputCount % layout.outputChannels] } }
        ConvolutionProducts(walk: shape.windowWalk, batch: layout.batch, inputChannels: layout.inputChannels,
                            outputChannels: layout.outputChannels, groups: groups).forEach { xi, wi, yi in
            y[yi] += weight.data[wi] * x.data[xi]
        }
        return Tensor(uncheckedShape: layout.outputShape, data: y)
    }

    /// The transposed convolution as the paper's first description: each input value scatters its
    /// kernel-weighted copy onto the output, along the associated convolution's window walk —
    /// `y[n, o_c, q(j, tap)] += w[c, o_c', tap] · x[n, c, j]`.
    /// - Parameters:
    ///   - x: `[N, C_in, i'…]`.
    ///   - weight: `[C_in, C_out/groups, k…]`.
    ///   - bias: `[C_out]`, optional.
    ///   - shape: the layer's sizes per axis.
    ///   - groups: channel groups.
    public static func transposedConvolution(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, shape: LayerShape,
                                             groups: Int = 1) throws(KernelError) -> Tensor {
        guard shape.operation == .transposedConvolution else {
            throw .unsupported("transposed convolution needs a transposed convolution's shape, got \(shape.name)")
        }
        let layout = try LayerTensors(shape: shape, x: x, weight: weight, bias: bias, groups: groups)
        let walk = shape.windowWalk  // the associated convolution: from o' (its input) to i' (its output)
        let inGroup = layout.inputChannels / groups, outGroup = layout.outputChannels / groups
        let xCount = walk.outputCount, yCount = walk.inputCount, tapCount = walk.tapCount
        var y = [Float](repeating: 0, count: layout.outputShape.reduce(1, *))
        for n in 0..<layout.batch {
            for oc in 0..<layout.outputChannels {
                let base = (n * layout.outputChannels + oc) * yCount
                for index in 0..<yCount { y[base + index] = bias?.data[oc] ?? 0 }
            }
        }
        walk.forEachWindow { j, taps in
            for n in 0..<layout.batch {
                for c in 0..<layout.inputChannels {
                    let group = c / inGroup
                    let value = x.data[(n * layout.inputChannels + c) * xCount + j]
                    for ocLocal in 0..<outGroup {
                        let oc = group * outGroup + ocLocal
                        let wBase = (c * outGroup + ocLocal) * tapCount
                        let yBase = (n * layout.outputChannels + oc) * yCount
                        for tap in taps {
                            guard let q = tap.input else { continue }
                            y[yBase + q] += weight.data[wBase + tap.tap] * value
                        }
                    }
                }
            }
        }
        return Tensor(uncheckedShape: layout.outputShape, data: y)
    }

    /// Max or average pooling over each window.
    ///
    /// Max pooling ignores padding; a window entirely in the padding gives the convention's
    /// `emptyMaxWindow` (−∞, or ONNX Runtime's −3.4028235e38); a NaN in a window gives NaN or is passed
    /// over by the convention's `maxNaN`, and −0 and +0 compare by its `maxOfZeros`. Average pooling divides by the taps inside
    /// the padded input when the convention counts the padding (`PoolingRules.countsPadding(_:)` of
    /// `countIncludePad`), else by the taps on real input.
    public static func pooling(_ x: Tensor, shape: LayerShape, mode: PoolingMode,
                               countIncludePad: Bool? = nil) throws(KernelError) -> Tensor {
        guard shape.operation == .pooling else { throw .unsupported("pooling needs a pooling shape, got \(shape.name)") }
        let layout = try LayerTensors(shape: shape, x: x, weight: nil, bias: nil, groups: 1)
        let includePad = shape.convention.pooling.countsPadding(countIncludePad)
        let empty = shape.convention.pooling.emptyMaxWindow
        let propagatesNaN = shape.convention.pooling.maxNaN == .propagates
        let positiveZero = shape.convention.pooling.maxOfZeros == .positive
        let walk = shape.windowWalk
        let inputCount = walk.inputCount, outputCount = walk.outputCount
        let planes = layout.batch * layout.inputChannels
        var y = [Float](repeating: 0, count: layout.outputShape.reduce(1, *))
        walk.forEachWindow { output, taps in
            let counted = includePad ? taps.count(where: \.insidePaddedInput) : taps.count(where: { $0.input != nil })
            for plane in 0..<planes {
                let xBase = plane * inputCount
                var result: Float
                switch mode {
                case .max:
                    result = empty
                    // The first of equal maxima (−0 before 0), as ONNX Runtime's and PyTorch's loops compare
                    // (`v > m`), or +0 above −0 (JAX); a NaN is kept, and then stays, when the convention
                    // propagates it.
                    for tap in taps {
                        guard let input = tap.input else { continue }
                        let v = x.data[xBase + input]
                        if v > result || (propagatesNaN && v.isNaN) || (positiveZero && v == 0 && result == 0 && v.sign == .plus) {
                            result = v
                        }
                    }
                case .average:
                    var sum: Float = 0
                    for tap in taps { if let input = tap.input { sum += x.data[xBase + input] } }
                    result = counted > 0 ? sum / Float(counted) : .nan
                }
                y[plane * outputCount + output] = result
            }
        }
        return Tensor(uncheckedShape: layout.outputShape, data: y)
    }
}
