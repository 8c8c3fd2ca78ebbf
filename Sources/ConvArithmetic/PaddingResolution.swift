extension WindowParameters {
    /// The zero padding of one axis of a direct window (convolution, pooling, or the direct convolution
    /// associated with a transposed one) over `input` units, with named paddings resolved by the
    /// convention's rule.
    func resolvedPadding(axis: Int, input: Int, effectiveKernel: Int, stride: Int,
                         convention: Convention, rank: Int, operation: Operation) throws(ArithmeticError) -> AxisPadding {
        if let explicit = explicitPadding(axis) { return explicit }
        guard case .named(let mode) = padding else { return AxisPadding(0) }
        let span = effectiveKernel - 1
        switch mode {
        case .valid:
            return AxisPadding(0)
        case .half:
            return AxisPadding(effectiveKernel / 2)
        case .full:
            return AxisPadding(span)
        case .causal:
            if convention == .tensorflow && (operation != .convolution || rank != 1) {
                throw .unsupported("Keras supports padding 'causal' for 1-D convolutions only (Conv1D); this is a \(operation.name(rank: rank)); use convention onnx for explicit (\(span), 0) padding")
            }
            return AxisPadding(before: span, after: 0)
        case .same, .sameLower:
            if mode == .sameLower && convention == .tensorflow {
                throw .unsupported("TensorFlow has no SAME_LOWER padding (its SAME puts the odd unit at the end); use 'same' or convention onnx")
            }
            let total: Int
            if convention == .pytorch {
                // PyTorch: stride 1 only; the total keeps the size, i + (k̂ − 1) − k̂ + 1 = i.
                guard stride == 1 else { throw .sameRequiresUnitStride(axis: axis, stride: stride) }
                total = span
            } else {
                // TensorFlow / ONNX: the output is ⌈i/s⌉ and the padding is whatever that takes.
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
