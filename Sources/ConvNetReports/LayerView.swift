import ConvArithmetic

/// The single-layer page's address for one layer of a network: the query (`op`, `input`, `kernel`,
/// `stride`, `padding`, `dilation`, `output_padding`, pooling's `mode`, `ceil_mode`, `count_include_pad`, and
/// `convention`) that describes the same layer, sizes and convention included, so the page shows its
/// animation, derivation and equivalent convolution.
public enum LayerView {
    /// The query's fields, in the page's order. The padding is the layer's resolved padding (a named
    /// mode's values), so the page computes the same output under the same convention.
    public static func fields(_ layer: Layer) -> [(name: String, value: String)] {
        let shape = layer.shape
        let axes = shape.axes
        func joined(_ values: [Int]) -> String {
            values.allSatisfy { $0 == values.first } ? "\(values.first ?? 0)" : values.map(String.init).joined(separator: "x")
        }
        let operation = switch shape.operation {
        case .convolution: "conv"
        case .pooling: "pool"
        case .transposedConvolution: "transposed"
        }
        var fields: [(name: String, value: String)] = [
            ("op", operation), ("input", shape.input.map(String.init).joined(separator: "x")),
            ("kernel", joined(axes.map(\.kernel))), ("stride", joined(axes.map(\.stride))),
        ]
        let paddings = axes.map(\.padding)
        fields.append(("padding", paddings.allSatisfy { $0.before == $0.after } ? joined(paddings.map(\.before))
            : paddings.map { "\($0.before):\($0.after)" }.joined(separator: "x")))
        fields.append(("dilation", joined(axes.map(\.dilation))))
        if shape.operation == .transposedConvolution { fields.append(("output_padding", joined(axes.map(\.outputPadding)))) }
        if shape.operation == .pooling {
            fields.append(("mode", layer.poolingMode.rawValue))
            if axes.contains(where: \.ceilMode) { fields.append(("ceil_mode", "true")) }
            if layer.poolingMode == .average, let counted = layer.countIncludePad { fields.append(("count_include_pad", counted ? "true" : "false")) }
        }
        fields.append(("convention", shape.convention.name))
        return fields
    }

    /// The fields as a URL query (`op=conv&input=56x56&…`); every value is digits, letters, `x`, `:` or `_`.
    public static func query(_ layer: Layer) -> String {
        fields(layer).map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }
}
