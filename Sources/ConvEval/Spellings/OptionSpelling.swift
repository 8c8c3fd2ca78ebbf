import ConvArithmetic

/// How parameters are written on the command line and in the server's URLs — one spelling for both:
/// sizes `224x224` (or `224,224`, `224×224`, or one value for every axis), paddings `1`, `1x2`, `0:1`
/// (before:after) or a name, operations `conv`, `pool`, `transposed` and their aliases.
public enum OptionSpelling {
    /// Per-axis sizes: `224x224`, `224,224`, `224×224` or `224`; `nil` unless every part is a whole number.
    public static func sizes(_ text: String) -> [Int]? {
        let parts = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "x" || $0 == "," || $0 == "×" })
        let values = parts.compactMap { Int($0) }
        guard !values.isEmpty, values.count == parts.count else { return nil }
        return values
    }

    /// A padding: a number (`1`), per axis (`1x2`), per side (`0:1` = 0 before, 1 after; `0:1x1`), or a name
    /// (`same`, `valid`, `same_lower`, `half`, `full`, `causal`).
    public static func padding(_ text: String) -> Padding? {
        if let mode = PaddingMode(name: text) { return .named(mode) }
        var axes: [AxisPadding] = []
        for part in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "x" || $0 == "," || $0 == "×" }) {
            let sides = part.split(separator: ":").map { Int($0) }
            switch sides.count {
            case 1: guard let p = sides[0] else { return nil }; axes.append(AxisPadding(p))
            case 2: guard let lo = sides[0], let hi = sides[1] else { return nil }; axes.append(AxisPadding(before: lo, after: hi))
            default: return nil
            }
        }
        return axes.isEmpty ? nil : .explicit(axes)
    }

    /// An operation: `conv` (`convolution`), `pool` (`pooling`, `maxpool`, `avgpool`), `transposed`
    /// (`transpose`, `deconv`, `conv-transpose`).
    public static func operation(_ text: String) -> Operation? {
        switch text.lowercased() {
        case "conv", "convolution": .convolution
        case "pool", "pooling", "maxpool", "avgpool": .pooling
        case "transposed", "transpose", "deconv", "conv-transpose": .transposedConvolution
        default: nil
        }
    }

    /// Per-axis values for `rank` axes: one value repeated, or exactly `rank` values; `nil` otherwise.
    public static func perAxis(_ values: [Int], rank: Int) -> [Int]? {
        if values.count == 1 { return Array(repeating: values[0], count: rank) }
        return values.count == rank ? values : nil
    }
}
