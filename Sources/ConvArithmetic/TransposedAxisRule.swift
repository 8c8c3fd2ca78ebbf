/// The per-axis rules of a transposed convolution under each convention. Holds plain numbers only (the
/// spec's arrays are borrowed, not copied, which keeps a shape computation free of reference counting).
struct TransposedAxisRule {
    let axis: Int
    let input: Int
    let rank: Int
    let kernel: Int
    let stride: Int
    let dilation: Int
    let givenOutputPadding: Int?
    let requestedSize: Int?
    let mode: PaddingMode?
    let convention: Convention

    init(spec: borrowing TransposedConvolutionSpec, axis: Int, input: Int, rank: Int) {
        self.axis = axis
        self.input = input
        self.rank = rank
        (kernel, stride, dilation) = spec.window.axis(axis)
        givenOutputPadding = spec.outputPadding.map { WindowParameters.value($0, axis) }
        requestedSize = spec.outputSize?[axis]
        mode = spec.window.padding.mode
        convention = spec.convention
    }

    func resolve(_ window: borrowing WindowParameters) throws(ArithmeticError) -> AxisArithmetic {
        let extent = try effectiveKernelSize(kernel: kernel, dilation: dilation, axis: axis)
        switch convention {
        case .pytorch: return try pytorch(extent, window)
        case .onnx: return try onnx(extent, window)
        case .tensorflow: return try tensorflow(extent, window)
        }
    }

    // MARK: Conventions

    private func pytorch(_ extent: Int, _ window: borrowing WindowParameters) throws(ArithmeticError) -> AxisArithmetic {
        let padding = try directPadding(extent, window)
        if !padding.isSymmetric && mode != .same && mode != .sameLower {
            throw .asymmetricPadding(axis: axis, before: padding.before, after: padding.after, convention: .pytorch)
        }
        let base = try unpaddedOutput(extent, padding: padding, outputPadding: 0)
        let outputPadding: Int
        if let requested = requestedSize {
            // torch.nn.ConvTranspose: any size in [base, base + s − 1]; the difference becomes `a`.
            let maximum = try checkedAdd(base, stride - 1, "the largest output size on axis \(axis)")
            guard requested >= base && requested <= maximum else {
                throw .outputSizeOutOfRange(axis: axis, requested: requested, minimum: base, maximum: maximum)
            }
            outputPadding = requested - base
        } else {
            outputPadding = givenOutputPadding ?? 0
            guard outputPadding < max(stride, dilation) else {
                throw .outputPaddingTooLarge(axis: axis, outputPadding: outputPadding, stride: stride, dilation: dilation, convention: .pytorch)
            }
        }
        let output = try checkedAdd(base, outputPadding, "the output size on axis \(axis)")
        try checkPositive(output, extent: extent, padding: padding, outputPadding: outputPadding)
        return axisResult(padding: padding, outputPadding: outputPadding, output: output)
    }

    private func onnx(_ extent: Int, _ window: borrowing WindowParameters) throws(ArithmeticError) -> AxisArithmetic {
        let outputPadding = givenOutputPadding ?? 0
        guard outputPadding < max(stride, dilation) else {
            throw .outputPaddingTooLarge(axis: axis, outputPadding: outputPadding, stride: stride, dilation: dilation, convention: .onnx)
        }
        let unpadded = try unpaddedOutput(extent, padding: AxisPadding(0), outputPadding: outputPadding)
        let padding: AxisPadding
        let output: Int
        if let requested = requestedSize {
            // output_shape: the total padding is whatever makes the size (never negative); explicit pads are ignored.
            padding = Self.split(total: max(0, unpadded - requested), extraAtEnd: mode == .same)
            output = requested
        } else if mode == .same || mode == .sameLower {
            let target = try checkedMultiply(input, stride, "the SAME output size i·s on axis \(axis)")
            padding = Self.split(total: max(0, unpadded - target), extraAtEnd: mode == .same)
            output = unpadded - padding.before - padding.after
        } else {
            padding = try directPadding(extent, window)
            output = try checkedSubtract(unpadded, try total(padding), "the output size on axis \(axis)")
        }
        try checkPositive(output, extent: extent, padding: padding, outputPadding: outputPadding)
        // ONNX Runtime checks that the forward convolution maps the output back to the input.
        try checkForward(output: output, extent: extent, padding: padding)
        return axisResult(padding: padding, outputPadding: outputPadding, output: output)
    }

    private func tensorflow(_ extent: Int, _ window: borrowing WindowParameters) throws(ArithmeticError) -> AxisArithmetic {
        if let given = givenOutputPadding, given >= stride {
            throw .outputPaddingTooLarge(axis: axis, outputPadding: given, stride: stride, dilation: dilation, convention: .tensorflow)
        }
        let inputSpan = try checkedMultiply(input - 1, stride, "s(i' − 1) on axis \(axis)")
        let output: Int
        let padding: AxisPadding
        switch mode {
        case .valid?:
            padding = AxisPadding(0)
            if let requested = requestedSize {
                output = requested
            } else if let given = givenOutputPadding {
                output = try unpaddedOutput(extent, padding: padding, outputPadding: given)
            } else {
                // Keras output_padding=None: i·s + max(k̂ − s, 0).
                output = try checkedAdd(try checkedMultiply(input, stride, "i·s on axis \(axis)"),
                                        max(extent - stride, 0), "the output size on axis \(axis)")
            }
        case .same?:
            if let requested = requestedSize {
                output = requested
            } else if let given = givenOutputPadding {
                output = try checkedAdd(inputSpan, extent % 2 + given, "the output size on axis \(axis)")
            } else {
                output = try checkedMultiply(input, stride, "i·s on axis \(axis)")
            }
            // TensorFlow's SAME forward convolution maps o to ⌈o/s⌉, whatever the kernel.
            let forward = ceilDivide(output, stride)
            guard forward == input else {
                throw .transposedOutputInconsistent(axis: axis, output: output, input: input, forwardOutput: forward, convention: .tensorflow)
            }
            // The padding of that forward SAME convolution over the output.
            let covered = try checkedAdd(inputSpan, extent, "s(i' − 1) + k̂ on axis \(axis)")
            padding = Self.split(total: max(0, covered - output), extraAtEnd: true)
        default:
            padding = try directPadding(extent, window)
            if let requested = requestedSize {
                output = requested
            } else {
                output = try unpaddedOutput(extent, padding: padding, outputPadding: givenOutputPadding ?? 0)
            }
        }
        let base = try unpaddedOutput(extent, padding: padding, outputPadding: 0)
        let outputPadding = try checkedSubtract(output, base, "the output padding on axis \(axis)")
        try checkPositive(output, extent: extent, padding: padding, outputPadding: max(outputPadding, 0))
        // tf.nn.conv_transpose accepts an output size only when the forward convolution maps it back.
        try checkForward(output: output, extent: extent, padding: padding)
        return axisResult(padding: padding, outputPadding: outputPadding, output: output)
    }

    // MARK: Shared pieces

    /// The padding of the associated direct convolution, named paddings resolved as for a direct window.
    private func directPadding(_ extent: Int, _ window: borrowing WindowParameters) throws(ArithmeticError) -> AxisPadding {
        try window.resolvedPadding(axis: axis, input: input, effectiveKernel: extent, stride: stride,
                                   convention: convention, rank: rank, operation: .transposedConvolution)
    }

    /// `s(i' − 1) + a + k̂ − p_lo − p_hi`.
    private func unpaddedOutput(_ extent: Int, padding: AxisPadding, outputPadding: Int) throws(ArithmeticError) -> Int {
        let what = "the output size s(i' − 1) + a + k̂ − p_lo − p_hi on axis \(axis)"
        let span = try checkedMultiply(input - 1, stride, what)
        let grown = try checkedAdd(try checkedAdd(span, extent, what), outputPadding, what)
        return try checkedSubtract(grown, try total(padding), what)
    }

    private func total(_ padding: AxisPadding) throws(ArithmeticError) -> Int {
        guard let total = padding.total else { throw .overflow("the total padding on axis \(axis)") }
        return total
    }

    private func checkPositive(_ output: Int, extent: Int, padding: AxisPadding, outputPadding: Int) throws(ArithmeticError) {
        guard output > 0 else {
            throw .nonPositiveOutput(axis: axis, output: output,
                                     formula: "s(i' − 1) + a + k̂ − p_lo − p_hi with i' = \(input), s = \(stride), a = \(outputPadding), k̂ = \(extent), padding \(padding)")
        }
    }

    private func checkForward(output: Int, extent: Int, padding: AxisPadding) throws(ArithmeticError) {
        let padded = try checkedAdd(output, try total(padding), "the padded output on axis \(axis)")
        let forward = floorDivide(padded - extent, stride) + 1
        guard forward == input else {
            throw .transposedOutputInconsistent(axis: axis, output: output, input: input, forwardOutput: forward, convention: convention)
        }
    }

    private func axisResult(padding: AxisPadding, outputPadding: Int, output: Int) -> AxisArithmetic {
        AxisArithmetic(input: input, kernel: kernel, stride: stride, dilation: dilation, padding: padding,
                       outputPadding: outputPadding, output: output, namedPadding: mode)
    }

    /// Splits a total padding; the odd unit goes at the end (`extraAtEnd`) or at the start.
    static func split(total: Int, extraAtEnd: Bool) -> AxisPadding {
        let small = total / 2, large = total - small
        return extraAtEnd ? AxisPadding(before: small, after: large) : AxisPadding(before: large, after: small)
    }
}
