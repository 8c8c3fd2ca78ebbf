import ConvArithmetic

/// The transposed convolution as the paper's chapter 4 computes it: a direct, stride-1 convolution over
/// the input stretched with `s − 1` zeros between units and padded `k̂ − 1 − p_lo` before and
/// `k̂ − 1 − p_hi + a` after (the `a` zeros at the end), with the kernel flipped on every spatial axis and
/// its two channel axes swapped. The equivalent convolution's parameters and size come from
/// `ConvArithmetic` (`LayerShape.equivalentDirectConvolution()`).
public enum StretchedTransposedConvolution {
    /// `y` for a transposed-convolution shape, via the stretched input.
    public static func run(_ x: Tensor, weight: Tensor, bias: Tensor?, shape: LayerShape, groups: Int) throws(KernelError) -> Tensor {
        let layout = try LayerTensors(shape: shape, x: x, weight: weight, bias: bias, groups: groups)
        let equivalent: EquivalentDirectConvolution
        do {
            equivalent = try shape.equivalentDirectConvolution()
        } catch {
            throw .arithmetic(error)
        }
        let direct = equivalent.shape
        guard direct.output == shape.output else {
            throw .unsupported("\(shape.convention.displayName)'s transposed size \(shape.output) is not the stretched-input convolution's \(direct.output)")
        }
        let stretched = try stretch(x, strides: shape.axes.map(\.stride), sizes: direct.input, cropBefore: equivalent.axes.map(\.crop.before))
        let flipped = try flipAndSwap(weight, groups: groups, inputChannels: layout.inputChannels, outputChannels: layout.outputChannels)
        return try ReferenceKernels.convolution(stretched, weight: flipped, bias: bias, shape: direct, groups: groups)
    }

    /// `x` with `s − 1` zeros inserted between units on every spatial axis, `cropBefore` units removed at
    /// the start and the result cut to `sizes`.
    static func stretch(_ x: Tensor, strides: [Int], sizes: [Int], cropBefore: [Int]) throws(KernelError) -> Tensor {
        let batchChannels = x.shape[0] * x.shape[1]
        let inputSizes = Array(x.shape[2...])
        var result = try Tensor(zeros: [x.shape[0], x.shape[1]] + sizes)
        let planeIn = inputSizes.reduce(1, *), planeOut = sizes.reduce(1, *)
        var position = [Int](repeating: 0, count: sizes.count)
        for outputOffset in 0..<planeOut {
            var source = 0, isInput = true
            for axis in sizes.indices {
                let stretchedIndex = position[axis] + cropBefore[axis]
                if stretchedIndex % strides[axis] != 0 { isInput = false; break }
                source = source * inputSizes[axis] + stretchedIndex / strides[axis]
            }
            if isInput {
                for plane in 0..<batchChannels { result.data[plane * planeOut + outputOffset] = x.data[plane * planeIn + source] }
            }
            RowMajor.advance(&position, sizes: sizes)
        }
        return result
    }

    /// `[C_in, C_out/g, k…]` → `[C_out, C_in/g, k…]`, every spatial axis reversed.
    static func flipAndSwap(_ weight: Tensor, groups: Int, inputChannels: Int, outputChannels: Int) throws(KernelError) -> Tensor {
        let kernel = Array(weight.shape[2...])
        let taps = kernel.reduce(1, *)
        let inGroup = inputChannels / groups, outGroup = outputChannels / groups
        var result = try Tensor(zeros: [outputChannels, inGroup] + kernel)
        for group in 0..<groups {
            for ci in 0..<inGroup {
                for co in 0..<outGroup {
                    let source = ((group * inGroup + ci) * outGroup + co) * taps
                    let target = ((group * outGroup + co) * inGroup + ci) * taps
                    // Reversing every spatial axis of a row-major block reverses its flat order.
                    for tap in 0..<taps { result.data[target + tap] = weight.data[source + taps - 1 - tap] }
                }
            }
        }
        return result
    }
}
