/// The parameters every sliding-window layer shares: kernel, stride, dilation and padding per axis.
///
/// Each array has one value per spatial axis, or a single value that applies to every axis, so one
/// value serves 1-D, 2-D and 3-D inputs alike. The initializer checks what no framework accepts (a
/// negative kernel, stride or dilation below 1, an unrepresentable dilated kernel); what a framework
/// decides (an empty kernel, negative padding) is checked against the layer's convention, and whether
/// the values fit a given input is decided when a shape is computed.
public struct WindowParameters: Sendable, Hashable {
    /// Kernel size `k` per axis.
    public let kernel: [Int]
    /// Stride `s` per axis.
    public let stride: [Int]
    /// Dilation `d` per axis (1 = a dense kernel).
    public let dilation: [Int]
    /// Zero padding, explicit or named.
    public let padding: Padding

    /// Checks and stores the parameters.
    /// - Throws: ``ArithmeticError`` when a value is out of range or the arrays disagree on the rank.
    public init(kernel: [Int], stride: [Int] = [1], dilation: [Int] = [1], padding: Padding = .zero) throws(ArithmeticError) {
        try Self.check(kernel, named: "kernel", minimum: 0)
        try Self.check(stride, named: "stride", minimum: 1)
        try Self.check(dilation, named: "dilation", minimum: 1)
        if case .explicit(let axes) = padding, axes.isEmpty {
            throw .rankMismatch(parameter: "padding", expected: kernel.count, actual: 0)
        }
        // Every per-axis list longer than one value must have the same length.
        var rank = 1
        for count in [kernel.count, stride.count, dilation.count, padding.explicitCount ?? 1] where count != 1 {
            if rank == 1 { rank = count } else if count != rank {
                throw .rankMismatch(parameter: "the per-axis parameters", expected: rank, actual: count)
            }
        }
        for axis in 0..<max(kernel.count, dilation.count) {
            let k = kernel.count == 1 ? kernel[0] : kernel[axis]
            let d = dilation.count == 1 ? dilation[0] : dilation[axis]
            _ = try effectiveKernelSize(kernel: k, dilation: d, axis: axis)
        }
        self.kernel = kernel
        self.stride = stride
        self.dilation = dilation
        self.padding = padding
    }

    /// Checks that the parameters can describe an input of `rank` spatial axes.
    func checkRank(_ rank: Int) throws(ArithmeticError) {
        guard rank > 0 else { throw .noSpatialAxes }
        if kernel.count != 1 && kernel.count != rank { throw .rankMismatch(parameter: "kernel", expected: rank, actual: kernel.count) }
        if stride.count != 1 && stride.count != rank { throw .rankMismatch(parameter: "stride", expected: rank, actual: stride.count) }
        if dilation.count != 1 && dilation.count != rank { throw .rankMismatch(parameter: "dilation", expected: rank, actual: dilation.count) }
        let paddingCount = padding.explicitCount ?? 1
        if paddingCount != 1 && paddingCount != rank { throw .rankMismatch(parameter: "padding", expected: rank, actual: paddingCount) }
    }

    /// The kernel, stride and dilation of one axis.
    func axis(_ axis: Int) -> (kernel: Int, stride: Int, dilation: Int) {
        (Self.value(kernel, axis), Self.value(stride, axis), Self.value(dilation, axis))
    }

    /// The explicit padding of one axis, or `nil` for a named padding.
    func explicitPadding(_ axis: Int) -> AxisPadding? {
        guard case .explicit(let axes) = padding else { return nil }
        return axes.count == 1 ? axes[0] : axes[axis]
    }

    static func value(_ values: [Int], _ axis: Int) -> Int {
        values.count == 1 ? values[0] : values[axis]
    }

    /// Checks that `values` (one per axis, or one for all) is not empty and none is below `minimum`.
    static func check(_ values: [Int], named name: String, minimum: Int) throws(ArithmeticError) {
        guard !values.isEmpty else { throw .rankMismatch(parameter: name, expected: 1, actual: 0) }
        for (axis, value) in values.enumerated() where value < minimum {
            throw .nonPositive(parameter: name, axis: values.count == 1 ? nil : axis, value: value)
        }
    }
}

extension Padding {
    /// The number of axes an explicit padding lists.
    var explicitCount: Int? {
        if case .explicit(let axes) = self { return axes.count }
        return nil
    }
}

/// `k̂ = d(k − 1) + 1`, the extent of a dilated kernel (0 for an empty kernel).
func effectiveKernelSize(kernel: Int, dilation: Int, axis: Int) throws(ArithmeticError) -> Int {
    if kernel == 0 { return 0 }
    let span = try checkedMultiply(dilation, kernel - 1, "the dilated kernel d(k − 1) + 1 on axis \(axis)")
    return try checkedAdd(span, 1, "the dilated kernel d(k − 1) + 1 on axis \(axis)")
}
