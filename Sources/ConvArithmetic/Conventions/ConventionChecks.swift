/// The checks every layer makes against its convention before resolving an axis, read from the
/// convention's rules.
extension Convention {
    /// Checks the window parameters of an `operation` over `rank` spatial axes (`nil`: before the input
    /// is known): rank limit, smallest kernel, negative padding, strides with dilation.
    /// - Throws: ``ArithmeticError`` naming the rule.
    func check(_ window: borrowing WindowParameters, operation: Operation, rank: Int?) throws(ArithmeticError) {
        if let rank, let maximumRank, rank > maximumRank {
            throw .rankUnsupported(rank: rank, operation: operation, convention: self)
        }
        // A transposed convolution takes the kernels its convolution takes (JAX's conv_transpose is a
        // convolution over the dilated input, a size-0 kernel included); pooling windows are never empty.
        let minimumKernel = operation == .pooling ? 1 : convolution.minimumKernel
        for (axis, value) in window.kernel.enumerated() where value < minimumKernel {
            throw .nonPositive(parameter: "kernel", axis: window.kernel.count == 1 ? nil : axis, value: value)
        }
        if !padding.negativeOperations.contains(operation), case .explicit(let axes) = window.padding {
            for (axis, pad) in axes.enumerated() where pad.before < 0 || pad.after < 0 {
                throw .negative(parameter: "padding", axis: axes.count == 1 ? nil : axis, value: min(pad.before, pad.after))
            }
        }
        if !convolution.stridesWithDilation && operation != .pooling {
            let count = rank ?? max(window.stride.count, window.dilation.count)
            let strides = (0..<count).map { WindowParameters.value(window.stride, $0) }
            let dilations = (0..<count).map { WindowParameters.value(window.dilation, $0) }
            if strides.contains(where: { $0 > 1 }) && dilations.contains(where: { $0 > 1 }) {
                throw .strideWithDilation(stride: strides, dilation: dilations, convention: self)
            }
        }
    }
}

extension Convention {
    /// Whether a named padding exists for this layer under the convention.
    public func accepts(_ mode: PaddingMode, for operation: Operation, rank: Int) -> Bool {
        switch mode {
        case .valid, .half, .full: return true
        case .causal: return !padding.causalOnlyForConvolution1D || (operation == .convolution && rank == 1)
        case .same: return padding.sameOperations.contains(operation)
        case .sameLower:
            guard padding.sameOperations.contains(operation) && padding.sameLower else { return false }
            if operation == .transposedConvolution, case .forwardConvolution = transposed.namedPadding { return false }
            return true
        }
    }
}
