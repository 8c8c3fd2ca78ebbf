import ConvArithmetic

/// A mirrored decoder written as a YAML layer stack that ``StackFile`` reads back as the same network:
/// every name is a double-quoted scalar (any character survives), every number is written as the
/// reader expects it.
public enum StackWriter {
    /// The stack of `network`'s transposed convolutions, with the encoder layer each restores as a
    /// comment.
    public static func yaml(_ network: Network, steps: [Mirror.Step]) -> String {
        var lines = ["name: \(SafeText.yamlQuoted(network.name ?? "decoder"))", "convention: \(network.convention.name)"]
        if let shape = network.inputs.first?.shape { lines.append("input: [" + shape.map(String.init).joined(separator: ", ") + "]") }
        lines.append("layers:")
        for (node, step) in zip(network.nodes, steps) {
            guard case .window(let window) = node.operation, let padding = window.padding, case .explicit(let pads) = padding else { continue }
            let paddingText = pads.allSatisfy(\.isSymmetric) ? list(pads.map(\.before)) : "[" + pads.map { "[\($0.before), \($0.after)]" }.joined(separator: ", ") + "]"
            var fields = ["op: transposed", "name: \(SafeText.yamlQuoted(node.name))", "out_channels: \(window.outputChannels ?? 0)",
                          "kernel: \(list(window.kernel))", "stride: \(list(window.stride ?? [1]))", "padding: \(paddingText)",
                          "output_padding: \(list(step.outputPadding))"]
            if let dilation = window.dilation, dilation.contains(where: { $0 != 1 }) { fields.append("dilation: \(list(dilation))") }
            if let groups = window.groups, groups != 1 { fields.append("groups: \(groups)") }
            // A layer without a bias says so: the stack reads back with the parameters the table counted.
            if !window.hasBias { fields.append("bias: false") }
            // The comment holds the encoder's name made visible: a newline in it cannot end the comment.
            let restored = step.restores.dropFirst(2).map(String.init).joined(separator: "×")
            lines.append("  - {" + fields.joined(separator: ", ") + "}   # restores \(restored) of \(SafeText.visible(step.encoderLayer))")
        }
        return lines.joined(separator: "\n")
    }

    /// `3` when every axis agrees, else `[3, 5]`.
    static func list(_ values: [Int]) -> String {
        guard let first = values.first else { return "[]" }
        return values.allSatisfy({ $0 == first }) ? "\(first)" : "[" + values.map(String.init).joined(separator: ", ") + "]"
    }
}
