/// The zero padding of one spatial axis, possibly different on its two sides.
public struct AxisPadding: Sendable, Hashable, CustomStringConvertible {
    /// Zeros added before the first input unit (top or left in 2-D).
    public var before: Int
    /// Zeros added after the last input unit (bottom or right in 2-D).
    public var after: Int

    /// Padding with `before` zeros at the start and `after` zeros at the end of the axis.
    public init(before: Int, after: Int) {
        self.before = before
        self.after = after
    }

    /// The paper's symmetric padding `p` on both sides.
    public init(_ symmetric: Int) {
        self.init(before: symmetric, after: symmetric)
    }

    /// Whether both sides have the same padding, as in the paper's `p`.
    public var isSymmetric: Bool { before == after }

    /// `p_lo + p_hi`, or `nil` when it does not fit in `Int`.
    public var total: Int? {
        let (sum, overflow) = before.addingReportingOverflow(after)
        return overflow ? nil : sum
    }

    public var description: String { isSymmetric ? "\(before)" : "(\(before), \(after))" }
}

/// A padding given by name rather than by numbers; resolved per axis from the kernel, stride,
/// dilation, input size and convention.
///
/// With `k̂ = d(k − 1) + 1`: `valid` pads nothing; `same` is the convention's SAME (PyTorch: stride 1
/// only, total `k̂ − 1`; TensorFlow and ONNX `SAME_UPPER`: `o = ⌈i/s⌉`, total `max((o − 1)s + k̂ − i, 0)`),
/// the odd unit at the end; `sameLower` puts the odd unit at the start; `half` pads `⌊k̂/2⌋` and `full`
/// pads `k̂ − 1` on both sides (the paper's half and full padding); `causal` pads `k̂ − 1` at the start.
public enum PaddingMode: String, Sendable, Hashable, CaseIterable {
    /// No padding.
    case valid
    /// SAME padding (`same` or ONNX `SAME_UPPER`): the odd unit goes at the end.
    case same
    /// ONNX `SAME_LOWER`: like ``same`` with the odd unit at the start.
    case sameLower = "same_lower"
    /// The paper's half padding, `⌊k̂/2⌋` on both sides (keeps the size for odd kernels, stride 1).
    case half
    /// The paper's full padding, `k̂ − 1` on both sides (every partial overlap is an output).
    case full
    /// Keras `causal`: `k̂ − 1` zeros at the start only, so no output sees a later input.
    case causal

    /// Parses a padding name as the frameworks spell it (`"same_upper"` and `"SAME"` included).
    public init?(name: String) {
        switch name.lowercased() {
        case "valid": self = .valid
        case "same", "same_upper": self = .same
        case "same_lower": self = .sameLower
        case "half": self = .half
        case "full": self = .full
        case "causal": self = .causal
        default: return nil
        }
    }
}

/// The padding of a layer: numbers per axis, or a named mode resolved per axis.
public enum Padding: Sendable, Hashable, CustomStringConvertible {
    /// Explicit padding; one entry per spatial axis, or a single entry applied to every axis.
    case explicit([AxisPadding])
    /// A named padding resolved from the other parameters and the convention.
    case named(PaddingMode)

    /// No padding on any axis.
    public static let zero = Padding.explicit([AxisPadding(0)])

    /// Symmetric padding, one number per axis (or one for all axes).
    public static func symmetric(_ values: [Int]) -> Padding {
        .explicit(values.map(AxisPadding.init))
    }

    public var description: String {
        switch self {
        case .explicit(let axes): "[" + axes.map(\.description).joined(separator: ", ") + "]"
        case .named(let mode): "'\(mode.rawValue)'"
        }
    }
}
