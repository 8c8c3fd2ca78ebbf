/// A direct convolution: kernel, stride, dilation and padding per axis, and the convention whose rules
/// apply.
///
/// Output size per axis (the paper's relationship 6, with dilation and asymmetric padding as the
/// frameworks extend it): `o = ⌊(i + p_lo + p_hi − k̂)/s⌋ + 1` with `k̂ = d(k − 1) + 1`.
///
/// ```swift
/// let conv = try ConvolutionSpec(kernel: [7], stride: [2], padding: .symmetric([3]))
/// try conv.shape(input: [224, 224]).output   // [112, 112]
/// ```
public struct ConvolutionSpec: Sendable, Hashable {
    /// Kernel, stride, dilation and padding.
    public let window: WindowParameters
    /// Whose rules apply.
    public let convention: Convention

    /// A convolution from already checked window parameters.
    public init(window: WindowParameters, convention: Convention = .pytorch) {
        self.window = window
        self.convention = convention
    }

    /// A convolution; single-element arrays apply to every axis.
    /// - Throws: ``ArithmeticError`` for non-positive kernel, stride or dilation, or a negative padding the
    ///   convention refuses.
    public init(kernel: [Int], stride: [Int] = [1], padding: Padding = .zero, dilation: [Int] = [1],
                convention: Convention = .pytorch) throws(ArithmeticError) {
        self.init(window: try WindowParameters(kernel: kernel, stride: stride, dilation: dilation, padding: padding),
                  convention: convention)
        try convention.check(window, operation: .convolution, rank: nil)
    }

    /// The output sizes for spatial input sizes `input`, with every axis resolved.
    /// - Throws: ``ArithmeticError`` where the convention refuses the parameters for this input.
    public func shape(input: [Int]) throws(ArithmeticError) -> LayerShape {
        try checkInput(input, window: window)
        try convention.check(window, operation: .convolution, rank: input.count)
        var axes: [AxisArithmetic] = []
        axes.reserveCapacity(input.count)
        for axis in input.indices {
            axes.append(try resolveAxis(axis, input: input[axis], rank: input.count))
        }
        return LayerShape(operation: .convolution, convention: convention, axes: axes)
    }

    private func resolveAxis(_ axis: Int, input: Int, rank: Int) throws(ArithmeticError) -> AxisArithmetic {
        let (kernel, stride, dilation) = window.axis(axis)
        let extent = try effectiveKernelSize(kernel: kernel, dilation: dilation, axis: axis)
        let padding = try window.resolvedPadding(axis: axis, input: input, effectiveKernel: extent, stride: stride,
                                                 convention: convention, rank: rank, operation: .convolution)
        let output = try windowCount(axis: axis, input: input, effectiveKernel: extent, stride: stride, padding: padding,
                                     division: convention.convolution.division, cropping: convention.padding.cropping)
        return AxisArithmetic(input: input, kernel: kernel, stride: stride, dilation: dilation, padding: padding,
                              output: output, namedPadding: window.padding.mode)
    }
}

extension Padding {
    /// The named mode, if this padding is named.
    public var mode: PaddingMode? {
        if case .named(let mode) = self { return mode }
        return nil
    }
}
