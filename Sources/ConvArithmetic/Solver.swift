/// Answers to the inverse questions of the arithmetic: which padding gives an output size, and which
/// inputs a convolution maps to the same output (why a transposed convolution needs output padding).
public enum Solver {
    /// The paddings of one axis that make a direct window (convolution or pooling without ceil mode)
    /// produce `target` outputs from `input` units.
    public struct PaddingSolution: Sendable, Hashable {
        /// Every total padding `p_lo + p_hi` that gives the target.
        public let totals: ClosedRange<Int>
        /// The smallest symmetric padding `p` (same on both sides) that gives the target, if any.
        public let symmetric: Int?
        /// The smallest total split as evenly as possible, the odd unit at the end (TensorFlow's SAME).
        public let smallest: AxisPadding
    }

    /// The paddings that give `target` outputs: `⌊(i + P − k̂)/s⌋ + 1 = target` holds for every total
    /// `P` with `(target − 1)s + k̂ − i ≤ P ≤ target·s + k̂ − i − 1`, clipped at 0.
    /// - Returns: `nil` when no padding of 0 or more gives the target (it is below what `i` gives unpadded).
    /// - Throws: ``ArithmeticError`` for out-of-range parameters or overflow.
    public static func padding(forOutput target: Int, input: Int, kernel: Int, stride: Int = 1,
                               dilation: Int = 1) throws(ArithmeticError) -> PaddingSolution? {
        try checkPositive(["target output": target, "input size": input, "kernel": kernel, "stride": stride, "dilation": dilation])
        let extent = try effectiveKernelSize(kernel: kernel, dilation: dilation, axis: 0)
        let what = "the padding for the target size"
        let lowest = try checkedSubtract(try checkedAdd(try checkedMultiply(target - 1, stride, what), extent, what), input, what)
        let highest = try checkedAdd(lowest, stride - 1, what)
        guard highest >= 0 else { return nil }
        let totals = max(lowest, 0)...highest
        let even = totals.lowerBound % 2 == 0 ? totals.lowerBound : totals.lowerBound + 1
        let symmetric = even <= totals.upperBound ? even / 2 : nil
        let smallest = AxisPadding(before: totals.lowerBound / 2, after: totals.lowerBound - totals.lowerBound / 2)
        return PaddingSolution(totals: totals, symmetric: symmetric, smallest: smallest)
    }

    /// Every input size that a convolution (or pooling without ceil mode) with these parameters maps to
    /// `output` units: `s` consecutive sizes (fewer near 1). They differ by the units the last window
    /// step leaves unread, `a = (i + p_lo + p_hi − k̂) mod s` — the transposed convolution's output padding
    /// picks one of them.
    /// - Returns: `nil` when no input size of at least 1 gives `output`.
    /// - Throws: ``ArithmeticError`` for out-of-range parameters or overflow.
    public static func inputSizes(forOutput output: Int, kernel: Int, stride: Int = 1, dilation: Int = 1,
                                  padding: AxisPadding = AxisPadding(0)) throws(ArithmeticError) -> ClosedRange<Int>? {
        try checkPositive(["output": output, "kernel": kernel, "stride": stride, "dilation": dilation])
        if padding.before < 0 || padding.after < 0 { throw .negative(parameter: "padding", axis: nil, value: min(padding.before, padding.after)) }
        let extent = try effectiveKernelSize(kernel: kernel, dilation: dilation, axis: 0)
        guard let total = padding.total else { throw .overflow("the total padding") }
        let what = "the input sizes for the output"
        let lowest = try checkedSubtract(try checkedAdd(try checkedMultiply(output - 1, stride, what), extent, what), total, what)
        let highest = try checkedAdd(lowest, stride - 1, what)
        guard highest >= 1 else { return nil }
        return max(lowest, 1)...highest
    }

    /// The transposed layer of `parameters` with the output padding that gives `targets` (one size for every
    /// axis, or one per axis): the layer without output padding gives `o₀`, so `a = target − o₀`, and the
    /// convention's rules decide whether that `a` is allowed (`a < max(s, d)` in PyTorch, `a < s` in ONNX,
    /// none with JAX's named padding). The padding stays as given: ONNX's `output_shape` and PyTorch's
    /// `output_size`, which may move the padding instead, are `LayerParameters.outputSize`.
    /// - Throws: ``ArithmeticError/outputSizeOutOfRange(axis:requested:minimum:maximum:)`` when a target is
    ///   below `o₀`, and the convention's refusal of the output padding.
    public static func outputPadding(forOutput targets: [Int], _ parameters: LayerParameters) throws(ArithmeticError) -> Layer {
        var parameters = parameters
        parameters.outputPadding = nil
        parameters.outputSize = nil
        let base = try Layer(parameters).shape.output
        let wanted = targets.count == 1 ? Array(repeating: targets[0], count: base.count) : targets
        guard wanted.count == base.count else { throw .rankMismatch(parameter: "target", expected: base.count, actual: wanted.count) }
        var paddings: [Int] = []
        for (axis, (target, smallest)) in zip(wanted, base).enumerated() {
            guard target >= smallest else {
                throw .outputSizeOutOfRange(axis: axis, requested: target, minimum: smallest, maximum: Int.max)
            }
            paddings.append(target - smallest)
        }
        parameters.outputPadding = paddings
        return try Layer(parameters)
    }

    private static func checkPositive(_ values: KeyValuePairs<String, Int>) throws(ArithmeticError) {
        for (name, value) in values where value < 1 {
            throw .nonPositive(parameter: name, axis: nil, value: value)
        }
    }
}
