/// The output of a layer for a given input: every spatial axis with its resolved arithmetic.
///
/// Produced by ``ConvolutionSpec/shape(input:)``, ``PoolingSpec/shape(input:)`` and
/// ``TransposedConvolutionSpec/shape(input:)``; everything downstream (explanations, figures, kernels)
/// reads sizes from here instead of recomputing them.
public struct LayerShape: Sendable, Hashable {
    /// Which layer this is.
    public let operation: Operation
    /// The convention whose rules produced the sizes.
    public let convention: Convention
    /// One entry per spatial axis.
    public let axes: [AxisArithmetic]

    /// Creates a shape from resolved axes. Package-internal: outside this package a shape comes only from a
    /// spec's `shape(input:)` or a ``Layer``, which check it, so no kernel is handed a shape whose sizes do not
    /// follow from its parameters (an output of 9 for an input of 4 and a kernel of 3, say).
    package init(operation: Operation, convention: Convention, axes: [AxisArithmetic]) {
        self.operation = operation
        self.convention = convention
        self.axes = axes
    }

    /// The spatial input sizes.
    public var input: [Int] { axes.map(\.input) }
    /// The spatial output sizes.
    public var output: [Int] { axes.map(\.output) }
    /// The number of spatial axes.
    public var rank: Int { axes.count }
    /// "conv2d", "pool1d", "transposed3d"…
    public var name: String { operation.name(rank: rank) }
}

/// Checks input sizes (each at least 1) and the parameters' rank against them.
func checkInput(_ input: [Int], window: WindowParameters) throws(ArithmeticError) {
    try window.checkRank(input.count)
    for (axis, size) in input.enumerated() where size < 1 {
        throw .nonPositive(parameter: "input size", axis: axis, value: size)
    }
}
