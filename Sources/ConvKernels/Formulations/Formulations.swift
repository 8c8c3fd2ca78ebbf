import ConvArithmetic

/// Runs a layer with a chosen formulation; the entry point of `convarith run` and of `eval`'s tensor
/// extension.
public enum Formulations {
    /// Which formulation computes the layer.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The fast path (``FastKernels``): packed micro-kernels, direct depthwise and pooling loops, threads.
        case fast
        /// The reference loops.
        case reference
        /// The explicit sparse matrix C (convolution: C·x; transposed convolution: Cᵀ·x).
        case matrix
        /// A transposed convolution as a stride-1 convolution over the stretched, padded input.
        case stretched
    }

    /// `y` for `x` (and weight, bias) through `kind`, for a resolved layer (its groups, pooling mode and
    /// the convention's pooling divisor).
    /// - Throws: ``KernelError`` when tensors do not fit the layer or a formulation does not apply.
    public static func run(_ layer: Layer, x: Tensor, weight: Tensor?, bias: Tensor?, kind: Kind = .fast) throws(KernelError) -> Tensor {
        if let tensors = layer.tensors {
            try LayerTensors.expect("x", x.shape, tensors.x)
        }
        return try run(layer.shape, x: x, weight: weight, bias: bias, groups: layer.groups, poolingMode: layer.poolingMode,
                       countIncludePad: layer.countIncludePad, kind: kind)
    }

    /// Checks tensors of these shapes against a resolved layer and `kind` without their values — what
    /// ``run(_:x:weight:bias:kind:)`` would refuse for their shapes (channels, groups, weight and bias
    /// shapes, the output's memory, a formulation that does not apply) — so that a file's data need not be
    /// read to learn that it does not fit. The work limit is checked by the run itself.
    /// - Throws: ``KernelError`` naming the tensor that does not fit.
    public static func check(_ layer: Layer, x: [Int], weight: [Int]?, bias: [Int]?, kind: Kind = .fast) throws(KernelError) {
        if let tensors = layer.tensors {
            try LayerTensors.expect("x", x, tensors.x)
        }
        let shape = layer.shape
        if let refusal = refusal(shape, kind) { throw refusal }
        _ = try LayerTensors(shape: shape, x: x, weight: weight, bias: bias, groups: layer.groups, workScale: .max)
    }

    /// `y` for `x` (and weight, bias) through `kind`.
    /// - Throws: ``KernelError`` when tensors do not fit the shape or a formulation does not apply
    ///   (pooling has no matrix or stretched form).
    public static func run(_ shape: LayerShape, x: Tensor, weight: Tensor?, bias: Tensor?, groups: Int,
                           poolingMode: PoolingMode = .max, countIncludePad: Bool? = nil,
                           kind: Kind = .fast) throws(KernelError) -> Tensor {
        if let refusal = refusal(shape, kind) { throw refusal }
        switch (shape.operation, kind) {
        case (.pooling, .fast):
            return try FastKernels.pooling(x, shape: shape, mode: poolingMode, countIncludePad: countIncludePad)
        case (.pooling, .reference):
            return try ReferenceKernels.pooling(x, shape: shape, mode: poolingMode, countIncludePad: countIncludePad)
        case (.pooling, _), (.convolution, .stretched):
            throw refusal(shape, kind) ?? .unsupported("\(kind) does not run \(shape.operation)")
        case (_, _) where weight == nil:
            throw .shapeMismatch(tensor: "w", expected: "a weight tensor", actual: [])
        case (.convolution, .fast):
            return try FastKernels.convolution(x, weight: weight!, bias: bias, shape: shape, groups: groups)
        case (.transposedConvolution, .fast):
            return try FastKernels.transposedConvolution(x, weight: weight!, bias: bias, shape: shape, groups: groups)
        case (.convolution, .reference):
            return try ReferenceKernels.convolution(x, weight: weight!, bias: bias, shape: shape, groups: groups)
        case (.convolution, .matrix):
            return try ConvolutionMatrix.convolution(x, weight: weight!, bias: bias, shape: shape, groups: groups)
        case (.transposedConvolution, .reference):
            return try ReferenceKernels.transposedConvolution(x, weight: weight!, bias: bias, shape: shape, groups: groups)
        case (.transposedConvolution, .matrix):
            return try ConvolutionMatrix.transposedConvolution(x, weight: weight!, bias: bias, shape: shape, groups: groups)
        case (.transposedConvolution, .stretched):
            return try StretchedTransposedConvolution.run(x, weight: weight!, bias: bias, shape: shape, groups: groups)
        }
    }

    /// Why `kind` cannot run a layer of `shape`, or `nil` when it can.
    private static func refusal(_ shape: LayerShape, _ kind: Kind) -> KernelError? {
        if let refusal = LayerTensors.unreproducible(shape) { return refusal }
        switch (shape.operation, kind) {
        case (.pooling, .matrix), (.pooling, .stretched):
            return .unsupported("pooling is not linear: it has no matrix or stretched formulation; use impl fast or reference")
        case (.convolution, .stretched):
            return .unsupported("the stretched formulation is the transposed convolution's; a convolution runs as fast, reference or matrix")
        default:
            return nil
        }
    }
}
