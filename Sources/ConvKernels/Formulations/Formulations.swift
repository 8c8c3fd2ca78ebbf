import ConvArithmetic

/// Runs a layer with a chosen formulation; the entry point of `convarith run` and of `eval`'s tensor
/// extension.
public enum Formulations {
    /// Which formulation computes the layer.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The reference loops.
        case reference
        /// The explicit sparse matrix C (convolution: C·x; transposed convolution: Cᵀ·x).
        case matrix
        /// A transposed convolution as a stride-1 convolution over the stretched, padded input.
        case stretched
    }

    /// `y` for `x` (and weight, bias) through `kind`.
    /// - Throws: ``KernelError`` when tensors do not fit the shape or a formulation does not apply
    ///   (pooling has no matrix or stretched form).
    public static func run(_ shape: LayerShape, x: Tensor, weight: Tensor?, bias: Tensor?, groups: Int,
                           poolingMode: PoolingMode = .max, countIncludePad: Bool? = nil,
                           kind: Kind = .reference) throws(KernelError) -> Tensor {
        switch (shape.operation, kind) {
        case (.pooling, .reference):
            return try ReferenceKernels.pooling(x, shape: shape, mode: poolingMode, countIncludePad: countIncludePad)
        case (.pooling, _):
            throw .unsupported("pooling is not linear: it has no matrix or stretched formulation; use impl reference")
        case (_, _) where weight == nil:
            throw .shapeMismatch(tensor: "w", expected: "a weight tensor", actual: [])
        case (.convolution, .reference):
            return try ReferenceKernels.convolution(x, weight: weight!, bias: bias, shape: shape, groups: groups)
        case (.convolution, .matrix):
            return try ConvolutionMatrix.convolution(x, weight: weight!, bias: bias, shape: shape, groups: groups)
        case (.convolution, .stretched):
            throw .unsupported("the stretched formulation is the transposed convolution's; a convolution runs as reference or matrix")
        case (.transposedConvolution, .reference):
            return try ReferenceKernels.transposedConvolution(x, weight: weight!, bias: bias, shape: shape, groups: groups)
        case (.transposedConvolution, .matrix):
            return try ConvolutionMatrix.transposedConvolution(x, weight: weight!, bias: bias, shape: shape, groups: groups)
        case (.transposedConvolution, .stretched):
            return try StretchedTransposedConvolution.run(x, weight: weight!, bias: bias, shape: shape, groups: groups)
        }
    }
}
