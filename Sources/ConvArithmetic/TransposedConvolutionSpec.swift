/// A transposed convolution (fractionally strided convolution): the layer whose forward pass is the
/// backward pass of a direct convolution with the same kernel, stride, padding and dilation.
///
/// Its `padding` is the padding `p` of that associated direct convolution, as in PyTorch and ONNX. Output
/// size per axis (the paper's relationship 14, seed 13, with dilation and asymmetric padding):
/// `o' = s(i' − 1) + a + k̂ − p_lo − p_hi`, where `a` is the output padding. Conventions differ in the
/// default `a` (Keras's `None`), the limit on `a`, named paddings, and how a requested output size is met.
public struct TransposedConvolutionSpec: Sendable, Hashable {
    /// Kernel, stride, dilation and the associated convolution's padding.
    public let window: WindowParameters
    /// Output padding `a` per axis; `nil` means the convention's default (0, or Keras's `None` rule).
    public let outputPadding: [Int]?
    /// A requested output size per axis (PyTorch `output_size`, ONNX `output_shape`, TensorFlow
    /// `output_shape`); the convention derives `a` or the padding from it, or refuses it.
    public let outputSize: [Int]?
    /// Whose rules apply.
    public let convention: Convention

    /// A transposed convolution from already checked window parameters.
    /// - Throws: ``ArithmeticError`` for negative output padding or a non-positive requested size.
    public init(window: WindowParameters, outputPadding: [Int]? = nil, outputSize: [Int]? = nil,
                convention: Convention = .pytorch) throws(ArithmeticError) {
        if let outputPadding {
            guard !outputPadding.isEmpty else { throw .rankMismatch(parameter: "output padding", expected: 1, actual: 0) }
            for (axis, value) in outputPadding.enumerated() where value < 0 {
                throw .negative(parameter: "output padding", axis: outputPadding.count == 1 ? nil : axis, value: value)
            }
        }
        if let outputSize {
            for (axis, value) in outputSize.enumerated() where value < 1 {
                throw .nonPositive(parameter: "output size", axis: axis, value: value)
            }
        }
        self.window = window
        self.outputPadding = outputPadding
        self.outputSize = outputSize
        self.convention = convention
    }

    /// A transposed convolution; single-element arrays apply to every axis.
    /// - Throws: ``ArithmeticError`` for out-of-range parameter values.
    public init(kernel: [Int], stride: [Int] = [1], padding: Padding = .zero, dilation: [Int] = [1],
                outputPadding: [Int]? = nil, outputSize: [Int]? = nil, convention: Convention = .pytorch) throws(ArithmeticError) {
        try self.init(window: try WindowParameters(kernel: kernel, stride: stride, dilation: dilation, padding: padding),
                      outputPadding: outputPadding, outputSize: outputSize, convention: convention)
        try convention.check(window, operation: .transposedConvolution, rank: nil)
    }

    /// The output sizes for spatial input sizes `input` (the paper's `i'`), with every axis resolved.
    /// - Throws: ``ArithmeticError`` where the convention refuses the parameters for this input.
    public func shape(input: [Int]) throws(ArithmeticError) -> LayerShape {
        try checkInput(input, window: window)
        if let outputPadding, outputPadding.count != 1 && outputPadding.count != input.count {
            throw .rankMismatch(parameter: "output padding", expected: input.count, actual: outputPadding.count)
        }
        if let outputSize, outputSize.count != input.count {
            throw .rankMismatch(parameter: "output size", expected: input.count, actual: outputSize.count)
        }
        try convention.check(window, operation: .transposedConvolution, rank: input.count)
        var axes: [AxisArithmetic] = []
        axes.reserveCapacity(input.count)
        for axis in input.indices {
            let rule = TransposedAxisRule(spec: self, axis: axis, input: input[axis], rank: input.count)
            axes.append(try rule.resolve(window))
        }
        return LayerShape(operation: .transposedConvolution, convention: convention, axes: axes)
    }
}
