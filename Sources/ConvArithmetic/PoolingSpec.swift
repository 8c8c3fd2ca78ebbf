/// Max or average pooling: a window that slides like a convolution's but has no weights.
///
/// Output size per axis: `o = ⌊(i + p_lo + p_hi − k̂)/s⌋ + 1` (the paper's relationship 7 when
/// unpadded), or with `ceilMode` `⌈(i + p_lo + p_hi − k̂)/s⌉ + 1`, dropping the last window when it would
/// start beyond the input and its left padding (`(o − 1)s ≥ i + p_lo`), as PyTorch and ONNX Runtime do.
public struct PoolingSpec: Sendable, Hashable {
    /// Kernel, stride, dilation and padding.
    public let window: WindowParameters
    /// Max or average.
    public let mode: PoolingMode
    /// Whether the number of windows is rounded up (`ceil_mode`).
    public let ceilMode: Bool
    /// Whether average pooling divides by padded cells too (`count_include_pad`); `nil` means the
    /// convention's default (``PoolingRules/countsPadding(_:)``).
    public let countIncludePad: Bool?
    /// Whose rules apply.
    public let convention: Convention

    /// Pooling from already checked window parameters.
    public init(window: WindowParameters, mode: PoolingMode = .max, ceilMode: Bool = false,
                countIncludePad: Bool? = nil, convention: Convention = .pytorch) {
        self.window = window
        self.mode = mode
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        self.convention = convention
    }

    /// Pooling; `stride` `nil` means the convention's default (the kernel size for PyTorch, Keras, JAX and
    /// MLX, 1 for ONNX).
    /// - Throws: ``ArithmeticError`` for non-positive kernel, stride or dilation, or a negative padding the
    ///   convention refuses.
    public init(kernel: [Int], stride: [Int]? = nil, padding: Padding = .zero, dilation: [Int] = [1],
                mode: PoolingMode = .max, ceilMode: Bool = false, countIncludePad: Bool? = nil,
                convention: Convention = .pytorch) throws(ArithmeticError) {
        // A default stride is the kernel: a kernel of 0 is reported as the kernel, not as the stride it made.
        try WindowParameters.check(kernel, named: "kernel", minimum: 1)
        let stride = stride ?? Self.defaultStride(kernel: kernel, convention: convention)
        self.init(window: try WindowParameters(kernel: kernel, stride: stride, dilation: dilation, padding: padding),
                  mode: mode, ceilMode: ceilMode, countIncludePad: countIncludePad, convention: convention)
        try convention.check(window, operation: .pooling, rank: nil)
    }

    /// The stride a convention gives pooling when none is given: the kernel, or 1.
    static func defaultStride(kernel: [Int], convention: Convention) -> [Int] {
        convention.pooling.defaultStride == .one ? [1] : kernel
    }

    /// The output sizes for spatial input sizes `input`, with every axis resolved.
    /// - Throws: ``ArithmeticError`` where the convention refuses the parameters for this input.
    public func shape(input: [Int]) throws(ArithmeticError) -> LayerShape {
        try checkInput(input, window: window)
        try convention.check(window, operation: .pooling, rank: input.count)
        try checkConventionSupport(rank: input.count)
        var axes: [AxisArithmetic] = []
        axes.reserveCapacity(input.count)
        for axis in input.indices {
            axes.append(try resolveAxis(axis, input: input[axis], rank: input.count))
        }
        return LayerShape(operation: .pooling, convention: convention, axes: axes)
    }

    private func checkConventionSupport(rank: Int) throws(ArithmeticError) {
        let rules = convention.pooling
        let name = convention.displayName
        if ceilMode && !rules.ceilMode {
            throw .unsupported("\(name) pooling has no ceil mode; add the extra padding at the end yourself, or use convention \(Convention.names { $0.pooling.ceilMode })")
        }
        if mode == .average {
            switch (rules.averageDivisor, countIncludePad) {
            case (.excludesPadding, true?):
                throw .unsupported("\(name) average pooling never counts the padding (count_include_pad=false); leave count_include_pad out or use convention \(Convention.names { if case .countIncludePad = $0.pooling.averageDivisor { true } else { false } })")
            case (.includesPadding, false?):
                throw .unsupported("\(name) average pooling always counts the padding (it divides by the kernel size); leave count_include_pad out or use convention \(Convention.names { if case .countIncludePad = $0.pooling.averageDivisor { true } else { false } })")
            default:
                break
            }
        }
        guard (0..<rank).contains(where: { WindowParameters.value(window.dilation, $0) > 1 }) else { return }
        switch rules.dilation {
        case .any:
            break
        case .maxOnly where mode == .average:
            throw .unsupported("\(name)'s average pooling has no dilation; use dilation 1, or max pooling")
        case .maxOnly:
            break
        case .validPaddingAndUnitStrideOnly:
            let strided = (0..<rank).contains { WindowParameters.value(window.stride, $0) > 1 }
            if window.padding.mode == .same || strided {
                throw .unsupported("\(name) (tf.nn.pool) supports dilated pooling only with padding 'valid' and stride 1")
            }
        case .none:
            throw .unsupported("\(name)'s pooling layers have no dilation; use dilation 1, or convention \(Convention.names { $0.pooling.dilation == .any })")
        }
    }

    private func resolveAxis(_ axis: Int, input: Int, rank: Int) throws(ArithmeticError) -> AxisArithmetic {
        let (kernel, stride, dilation) = window.axis(axis)
        let extent = try effectiveKernelSize(kernel: kernel, dilation: dilation, axis: axis)
        let padding = try window.resolvedPadding(axis: axis, input: input, effectiveKernel: extent, stride: stride,
                                                 convention: convention, rank: rank, operation: .pooling)
        try checkPaddingLimits(axis: axis, padding: padding, kernel: kernel, input: input, rank: rank)
        let output = try pooledOutputSize(axis: axis, input: input, effectiveKernel: extent, stride: stride, padding: padding)
        return AxisArithmetic(input: input, kernel: kernel, stride: stride, dilation: dilation, padding: padding,
                              ceilMode: ceilMode, output: output, namedPadding: window.padding.mode)
    }

    private func checkPaddingLimits(axis: Int, padding: AxisPadding, kernel: Int, input: Int, rank: Int) throws(ArithmeticError) {
        let rules = convention.pooling
        let largest = max(padding.before, padding.after)
        if rules.explicitPadding == .maxUpToTwoAxes && window.padding.mode != .same
            && (padding.before != 0 || padding.after != 0)
            && (mode == .average || rank > 2) {
            let layer = mode == .average ? "average pooling" : "3-D max pooling"
            let others = Convention.names { $0.pooling.explicitPadding == .any }
            throw .unsupported("\(convention.displayName) takes explicit pooling padding only for max pooling of 1 or 2 axes "
                + "(tf.nn.max_pool1d/2d); its \(layer) takes padding 'valid' or 'same': use one of those, pad first (tf.pad), "
                + "or use convention \(others)")
        }
        switch rules.paddingLimit {
        case .halfOfRawKernel where largest > kernel / 2:
            // The raw kernel, even when dilation makes the window wider.
            throw .poolingPaddingTooLarge(axis: axis, padding: largest, kernel: kernel, limit: kernel / 2, convention: convention)
        case .belowKernel where largest >= kernel:
            throw .poolingPaddingTooLarge(axis: axis, padding: largest, kernel: kernel, limit: kernel - 1, convention: convention)
        default:
            break
        }
        if rules.average3DNeedsInputAtLeastKernel && mode == .average && rank == 3 && input < kernel {
            throw .inputSmallerThanKernel(axis: axis, input: input, kernel: kernel, convention: convention)
        }
    }

    private func pooledOutputSize(axis: Int, input: Int, effectiveKernel: Int, stride: Int, padding: AxisPadding) throws(ArithmeticError) -> Int {
        let rules = convention.pooling
        let padded = try checkedAdd(try checkedAdd(input, padding.before, "the padded input on axis \(axis)"),
                                    padding.after, "the padded input on axis \(axis)")
        guard padded >= 0 else {
            throw .cropExceedsInput(axis: axis, input: input, paddingBefore: padding.before, paddingAfter: padding.after)
        }
        let span = padded - effectiveKernel
        var output: Int
        if ceilMode {
            output = ceilDivide(span, stride) + 1
            // The last window must start inside the input or its left padding.
            let (start, overflow) = (output - 1).multipliedReportingOverflow(by: stride)
            if output > 0 && (overflow || start >= input + padding.before) { output -= 1 }
        } else if rules.division == .truncating {
            // ONNX Runtime divides as C does, truncating toward zero, so a window that overhangs the padded
            // input by less than one stride still gives one output (measured on ONNX Runtime 1.32).
            output = span / stride + 1
        } else {
            output = floorDivide(span, stride) + 1
        }
        if let largest = rules.largestOutput, output > largest {
            // Measured: PyTorch's pooling reports such sizes wrapped to 32 bits and refuses them
            // (i = 10¹², k = 3, p = 1: "Invalid computed output size: -727379968").
            throw .unsupported("axis \(axis): \(convention.displayName)'s pooling cannot produce an output of \(output) (more than \(largest)); it computes the size in 32 bits (\(Int32(truncatingIfNeeded: output))) and refuses it. Pool in chunks, or use convention \(Convention.names { $0.pooling.largestOutput == nil })")
        }
        guard output > 0 else {
            let rounding = ceilMode ? "⌈(i + p_lo + p_hi − k̂)/s⌉ + 1" : "⌊(i + p_lo + p_hi − k̂)/s⌋ + 1"
            throw .nonPositiveOutput(axis: axis, output: output,
                                     formula: "\(rounding) with i = \(input), padding \(padding), k̂ = \(effectiveKernel), s = \(stride)")
        }
        return output
    }
}
