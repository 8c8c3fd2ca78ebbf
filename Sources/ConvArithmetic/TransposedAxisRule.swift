/// The per-axis arithmetic of a transposed convolution, decided by the convention's
/// ``TransposedRules`` and ``PaddingRules``. Holds plain numbers only (the spec's arrays are borrowed, not
/// copied, which keeps a shape computation free of reference counting).
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
        let rules = convention.transposed
        // PyTorch ignores output_padding when output_size is given: it derives `a` from the size.
        if let given = givenOutputPadding, requestedSize == nil || rules.outputSize != .outputPaddingRange {
            try checkOutputPaddingLimit(given)
        }
        if let requested = requestedSize {
            return try resolveRequested(requested, extent, window)
        }
        if mode == .same || mode == .sameLower || mode == .valid {
            switch rules.namedPadding {
            case .onnxAutoPad where mode != .valid:
                return try onnxAutoPad(extent)
            case .forwardConvolution(let outputPaddingAllowed):
                return try forwardConvolution(extent, outputPaddingAllowed: outputPaddingAllowed)
            default:
                break
            }
        }
        let padding = try directPadding(extent, window)
        let outputPadding = givenOutputPadding ?? 0
        let output = try transposedOutput(extent, padding: padding, outputPadding: outputPadding)
        return try finish(extent, padding: padding, outputPadding: outputPadding, output: output)
    }

    // MARK: Rules

    private func checkOutputPaddingLimit(_ given: Int) throws(ArithmeticError) {
        switch convention.transposed.outputPaddingLimit {
        case .belowStrideOrDilation where given >= max(stride, dilation), .belowStride where given >= stride:
            throw .outputPaddingTooLarge(axis: axis, outputPadding: given, stride: stride, dilation: dilation, convention: convention)
        default:
            break
        }
    }

    /// `output_size` / `output_shape`.
    private func resolveRequested(_ requested: Int, _ extent: Int, _ window: borrowing WindowParameters) throws(ArithmeticError) -> AxisArithmetic {
        switch convention.transposed.outputSize {
        case .outputPaddingRange:
            // Any size in [base, base + s − 1]; the difference becomes `a`.
            let padding = try directPadding(extent, window)
            let base = try transposedOutput(extent, padding: padding, outputPadding: 0)
            let maximum = try checkedAdd(base, stride - 1, "the largest output size on axis \(axis)")
            guard requested >= base && requested <= maximum else {
                throw .outputSizeOutOfRange(axis: axis, requested: requested, minimum: base, maximum: maximum)
            }
            return try finish(extent, padding: padding, outputPadding: requested - base, output: requested)
        case .derivesPadding:
            // The total padding is whatever makes the size (never negative); explicit pads are ignored.
            let outputPadding = givenOutputPadding ?? 0
            let unpadded = try transposedOutput(extent, padding: AxisPadding(0), outputPadding: outputPadding)
            let padding = Self.split(total: max(0, unpadded - requested), extraAtEnd: mode == .same)
            return try finish(extent, padding: padding, outputPadding: outputPadding, output: requested)
        case .takenAsGiven:
            let padding: AxisPadding
            switch mode {
            case .valid?: padding = AxisPadding(0)
            case .same?: padding = try forwardSamePadding(extent, output: requested)
            default: padding = try directPadding(extent, window)
            }
            let base = try transposedOutput(extent, padding: padding, outputPadding: 0)
            let outputPadding = try checkedSubtract(requested, base, "the output padding on axis \(axis)")
            return try finish(extent, padding: padding, outputPadding: outputPadding, output: requested)
        case .unsupported:
            throw .unsupported("\(convention.displayName)'s transposed convolution takes no output size; give the output padding instead (convarith solve output-padding finds it), or use convention \(Convention.names { $0.transposed.outputSize != .unsupported })")
        }
    }

    /// ONNX `auto_pad` `SAME_UPPER`/`SAME_LOWER`: aim at `i·s`, the padding clamped at 0.
    private func onnxAutoPad(_ extent: Int) throws(ArithmeticError) -> AxisArithmetic {
        let outputPadding = givenOutputPadding ?? 0
        let unpadded = try transposedOutput(extent, padding: AxisPadding(0), outputPadding: outputPadding)
        let target = try checkedMultiply(input, stride, "the SAME output size i·s on axis \(axis)")
        let padding = Self.split(total: max(0, unpadded - target), extraAtEnd: mode == .same)
        return try finish(extent, padding: padding, outputPadding: outputPadding, output: unpadded - padding.before - padding.after)
    }

    /// Keras and `lax.conv_transpose`: `same`/`valid` are the padding of the forward convolution of the
    /// output; without an output padding the size is `i·s` (SAME) or `i·s + max(k̂ − s, 0)` (VALID).
    private func forwardConvolution(_ extent: Int, outputPaddingAllowed: Bool) throws(ArithmeticError) -> AxisArithmetic {
        let name = convention.displayName
        guard mode != .sameLower else {
            throw .paddingModeUnsupported(mode: .sameLower, operation: .transposedConvolution, rank: rank, convention: convention)
        }
        if givenOutputPadding != nil && !outputPaddingAllowed {
            throw .unsupported("\(name)'s transposed convolution with padding '\(mode?.rawValue ?? "")' has no output padding; give explicit padding (then a is added at the end of the stretched input), or leave the output padding out")
        }
        let output: Int
        let padding: AxisPadding
        if mode == .valid {
            padding = AxisPadding(0)
            if let given = givenOutputPadding {
                output = try transposedOutput(extent, padding: padding, outputPadding: given)
            } else {
                output = try checkedAdd(try checkedMultiply(input, stride, "i·s on axis \(axis)"),
                                        max(extent - stride, 0), "the output size on axis \(axis)")
            }
        } else {
            if let given = givenOutputPadding {
                let span = try checkedMultiply(input - 1, stride, "s(i' − 1) on axis \(axis)")
                output = try checkedAdd(span, extent % 2 + given, "the output size on axis \(axis)")
            } else {
                output = try checkedMultiply(input, stride, "i·s on axis \(axis)")
            }
            padding = try forwardSamePadding(extent, output: output)
        }
        let base = try transposedOutput(extent, padding: padding, outputPadding: 0)
        let outputPadding = try checkedSubtract(output, base, "the output padding on axis \(axis)")
        return try finish(extent, padding: padding, outputPadding: outputPadding, output: output)
    }

    /// The padding of the forward SAME convolution over `output`, which must map it back to `i'`
    /// (a SAME convolution maps `o` to `⌈o/s⌉`, whatever the kernel).
    private func forwardSamePadding(_ extent: Int, output: Int) throws(ArithmeticError) -> AxisPadding {
        let forward = ceilDivide(output, stride)
        guard forward == input else {
            throw .transposedOutputInconsistent(axis: axis, output: output, input: input, forwardOutput: forward, convention: convention)
        }
        let span = try checkedMultiply(input - 1, stride, "s(i' − 1) on axis \(axis)")
        let covered = try checkedAdd(span, extent, "s(i' − 1) + k̂ on axis \(axis)")
        return Self.split(total: max(0, covered - output), extraAtEnd: true)
    }

    // MARK: Shared pieces

    /// The padding of the associated direct convolution, named paddings resolved as for a direct window.
    private func directPadding(_ extent: Int, _ window: borrowing WindowParameters) throws(ArithmeticError) -> AxisPadding {
        try window.resolvedPadding(axis: axis, input: input, effectiveKernel: extent, stride: stride,
                                   convention: convention, rank: rank, operation: .transposedConvolution)
    }

    /// The output of the equivalent stride-1 convolution over the stretched input, padded
    /// `p'_lo = k̂ − 1 − p_lo` and `p'_hi = k̂ − 1 − p_hi + a`; with arithmetic cropping this is
    /// `s(i' − 1) + a + k̂ − p_lo − p_hi`.
    private func transposedOutput(_ extent: Int, padding: AxisPadding, outputPadding: Int) throws(ArithmeticError) -> Int {
        switch convention.padding.cropping {
        case .arithmetic:
            let span = try checkedMultiply(input - 1, stride, "the output size s(i' − 1) + a + k̂ − p_lo − p_hi on axis \(axis)")
            let grown = try checkedAdd(try checkedAdd(span, extent, "the output size s(i' − 1) + a + k̂ − p_lo − p_hi on axis \(axis)"), outputPadding, "the output size s(i' − 1) + a + k̂ − p_lo − p_hi on axis \(axis)")
            return try checkedSubtract(grown, try total(padding), "the output size s(i' − 1) + a + k̂ − p_lo − p_hi on axis \(axis)")
        case .inputUnitsBeforeDilation:
            // A negative p' slices whole input units before the s − 1 zeros are inserted.
            let reach = extent - 1
            let before = try checkedSubtract(reach, padding.before, "the output size s(i' − 1) + a + k̂ − p_lo − p_hi on axis \(axis)")
            let after = try checkedAdd(try checkedSubtract(reach, padding.after, "the output size s(i' − 1) + a + k̂ − p_lo − p_hi on axis \(axis)"), outputPadding, "the output size s(i' − 1) + a + k̂ − p_lo − p_hi on axis \(axis)")
            let kept = max(try checkedAdd(try checkedAdd(input, min(before, 0), "the output size s(i' − 1) + a + k̂ − p_lo − p_hi on axis \(axis)"), min(after, 0), "the output size s(i' − 1) + a + k̂ − p_lo − p_hi on axis \(axis)"), 0)
            let stretched = try checkedAdd(try checkedMultiply(kept - 1, stride, "the output size s(i' − 1) + a + k̂ − p_lo − p_hi on axis \(axis)"), 1, "the output size s(i' − 1) + a + k̂ − p_lo − p_hi on axis \(axis)")
            let padded = try checkedAdd(try checkedAdd(stretched, max(before, 0), "the output size s(i' − 1) + a + k̂ − p_lo − p_hi on axis \(axis)"), max(after, 0), "the output size s(i' − 1) + a + k̂ − p_lo − p_hi on axis \(axis)")
            return try checkedAdd(padded - extent, 1, "the output size s(i' − 1) + a + k̂ − p_lo − p_hi on axis \(axis)")
        }
    }

    private func total(_ padding: AxisPadding) throws(ArithmeticError) -> Int {
        guard let total = padding.total else { throw .overflow("the total padding on axis \(axis)") }
        return total
    }

    /// Checks the size (positive; mapped back by the forward convolution where the convention checks it)
    /// and builds the axis.
    private func finish(_ extent: Int, padding: AxisPadding, outputPadding: Int, output: Int) throws(ArithmeticError) -> AxisArithmetic {
        guard output > 0 else {
            throw .nonPositiveOutput(axis: axis, output: output,
                                     formula: "s(i' − 1) + a + k̂ − p_lo − p_hi with i' = \(input), s = \(stride), a = \(max(outputPadding, 0)), k̂ = \(extent), padding \(padding)")
        }
        if convention.transposed.forwardCheck {
            let padded = try checkedAdd(output, try total(padding), "the padded output on axis \(axis)")
            let forward = floorDivide(padded - extent, stride) + 1
            guard forward == input else {
                throw .transposedOutputInconsistent(axis: axis, output: output, input: input, forwardOutput: forward, convention: convention)
            }
        }
        return AxisArithmetic(input: input, kernel: kernel, stride: stride, dilation: dilation, padding: padding,
                              outputPadding: outputPadding, output: output, namedPadding: mode)
    }

    /// Splits a total padding; the odd unit goes at the end (`extraAtEnd`) or at the start.
    static func split(total: Int, extraAtEnd: Bool) -> AxisPadding {
        let small = total / 2, large = total - small
        return extraAtEnd ? AxisPadding(before: small, after: large) : AxisPadding(before: large, after: small)
    }
}
