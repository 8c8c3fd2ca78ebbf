import ConvArithmetic

/// What a node of a network computes, with every parameter its output shape needs.
public enum NetworkOperation: Sendable, Hashable {
    /// Convolution, pooling or transposed convolution: sizes decided by the core under the convention.
    case window(WindowLayer)
    /// Global max or average pooling: every spatial axis becomes 1 (`keepDimensions: false` drops them,
    /// as Keras's `GlobalAveragePooling2D` does).
    case globalPooling(PoolingMode, keepDimensions: Bool)
    /// Adaptive pooling (PyTorch's `AdaptiveAvgPool2d((7, 7))`): every spatial axis becomes its output
    /// size (one for all axes, or one per axis), whatever the input's.
    case adaptivePooling(PoolingMode, outputSize: [Int])
    /// A layer that keeps the shape: an activation, dropout, identity (`kind` names it, e.g. `relu`).
    case shapePreserving(kind: String)
    /// Batch or instance normalization over the channels (2·C learned parameters when `affine`).
    case normalization(kind: String, affine: Bool)
    /// Flattens the axes from `startAxis` on into one: PyTorch's `nn.Flatten` (start 1) keeps the leading
    /// axes, ONNX's `Flatten` (`collapsesLeadingAxes`) gives a 2-D `[Π leading, Π rest]`.
    case flatten(startAxis: Int, collapsesLeadingAxes: Bool)
    /// A fully connected layer on the last axis: `[…, in] → […, out]` (`in·out` weights, `out` biases);
    /// `inputFeatures`, when given, must match the input.
    case linear(inputFeatures: Int?, outputFeatures: Int, hasBias: Bool)
    /// Integer-factor upsampling of the spatial axes (one factor per axis, or one for all).
    case upsample(factors: [Int])
    /// Concatenation along `axis` (1 = channels); every other axis must agree.
    case concatenate(axis: Int)
    /// An elementwise combination of several inputs (`kind` e.g. `add`, `mul`): with `broadcasting`, the
    /// NumPy/ONNX rule; without it, every input must have the same shape (a skip connection's add).
    case elementwise(kind: String, broadcasting: Bool)
    /// A reshape to fixed dimensions (ONNX `Reshape` with a constant shape: `0` copies the input's
    /// dimension, one `-1` is inferred; `allowZero` keeps a 0 as 0).
    case reshape(target: [Int], allowZero: Bool)
    /// Explicit padding of the spatial axes (ONNX `Pad` with constant pads): `before` and `after` per
    /// axis of the whole tensor.
    case pad(before: [Int], after: [Int])
    /// Resizing to a fixed size, or by fixed scales, per axis of the whole tensor (ONNX `Resize`/`Upsample`).
    case resize(sizes: [Int]?, scales: [Double]?)
    /// A matrix product with a constant right operand of shape `weight` (ONNX `MatMul`, `Gemm`).
    case matrixProduct(weight: [Int], transposeWeight: Bool, hasBias: Bool)
    /// An ONNX operator evaluated from its inputs' shapes and, where it needs them, values (`Shape`,
    /// `Gather`, a `Reshape` whose target is computed, `Slice`, `Split`…).
    case onnx(ONNXOperator)
    /// ONNX `If`: output `outputIndex` of the branch its condition (the node's first input) selects. When
    /// the condition is computed at run time, the branches must agree on the output's shape. The
    /// branches read the enclosing graph's tensors by name.
    case conditional(thenBranch: Network, elseBranch: Network, outputIndex: Int)
    /// ONNX `Loop`: output `outputIndex` — a loop-carried value (known when the body keeps its shape from
    /// one iteration to the next) or a scan output (known when the trip count is a known value and no
    /// condition can stop the loop early). The body reads the enclosing graph's tensors by name; its
    /// inputs are the iteration number, the condition and the carried values.
    case loop(body: Network, outputIndex: Int)
    /// A node whose output shape this package cannot know: an unsupported operator, or one whose output
    /// depends on tensor values that are not constants (`reason` says which).
    case unknown(kind: String, reason: String)
}
