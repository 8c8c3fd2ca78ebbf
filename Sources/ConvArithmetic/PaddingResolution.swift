extension WindowParameters {
    /// The zero padding of one axis of a direct window (convolution, pooling, or the direct convolution
    /// associated with a transposed one) over `input` units: named paddings resolved by the convention's
    /// rules, and the padding checked against the convention's asymmetry rule.
    func resolvedPadding(axis: Int, input: Int, effectiveKernel: Int, stride: Int,
                         convention: Convention, rank: Int, operation: Operation) throws(ArithmeticError) -> AxisPadding {
        let resolved: AxisPadding
        var named: PaddingMode?
        if let explicit = explicitPadding(axis) {
            resolved = explicit
        } else if case .named(let mode) = padding {
            named = mode
            resolved = try Self.resolve(mode, axis: axis, input: input, effectiveKernel: effectiveKernel, stride: stride,
                                        convention: convention, rank: rank, operation: operation)
        } else {
            resolved = AxisPadding(0)
        }
        // A named SAME's own uneven split is the framework's; other asymmetric paddings follow the rule.
        if !resolved.isSymmetric && named != .same && named != .sameLower
            && !convention.padding.asymmetricOperations.contains(operation) {
            throw .asymmetricPadding(axis: axis, before: resolved.before, after: resolved.after, operation: operation,
                                     convention: convention)
        }
        return resolved
    }

    private static func resolve(_ mode: PaddingMode, axis: Int, input: Int, effectiveKernel: Int, stride: Int,
                                convention: Convention, rank: Int, operation: Operation) throws(ArithmeticError) -> AxisPadding {
        let rules = convention.padding
        let span = max(effectiveKernel - 1, 0)
        switch mode {
        case .valid:
            return AxisPadding(0)
        case .half:
            return AxisPadding(effectiveKernel / 2)
        case .full:
            return AxisPadding(span)
        case .causal:
            if rules.causalOnlyForConvolution1D && (operation != .convolution || rank != 1) {
                throw .paddingModeUnsupported(mode: mode, operation: operation, rank: rank, convention: convention)
            }
            return AxisPadding(before: span, after: 0)
        case .same, .sameLower:
            guard rules.sameOperations.contains(operation), mode == .same || rules.sameLower else {
                throw .paddingModeUnsupported(mode: mode, operation: operation, rank: rank, convention: convention)
            }
            let total: Int
            switch rules.same {
            case .keepsSizeAtUnitStride:
                // The total keeps the size at stride 1: i + (k̂ − 1) − k̂ + 1 = i.
                guard stride == 1 else { throw .sameRequiresUnitStride(axis: axis, stride: stride, convention: convention) }
                total = span
            case .ceilOfInputOverStride:
                // The output is ⌈i/s⌉ and the padding is whatever that takes.
                let output = ceilDivide(input, stride)
                let covered = try checkedAdd(try checkedMultiply(output - 1, stride, "SAME padding (o − 1)s on axis \(axis)"),
                                             effectiveKernel, "SAME padding (o − 1)s + k̂ on axis \(axis)")
                total = max(covered - input, 0)
            }
            let small = total / 2, large = total - small
            return mode == .same ? AxisPadding(before: small, after: large) : AxisPadding(before: large, after: small)
        }
    }
}
