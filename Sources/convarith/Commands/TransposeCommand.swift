import ArgumentParser
import ConvArithmetic
import ConvEval

/// `convarith transpose`: the transposed ↔ direct equivalence, both ways.
struct TransposeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transpose",
        abstract: "Show a convolution's associated transposed convolution, or a transposed convolution's equivalent direct convolution.",
        discussion: helpText("""
            For a convolution: the transposed convolution that maps its output back to its input size, with
            a = (i + 2p − k) mod s, and that transposed convolution's equivalent direct convolution.
            For a transposed convolution: the stride-1 direct convolution over the stretched, padded input
            (ĩ', k', s', p', a) and its associated convolution.

            Examples:
              convarith transpose conv -i 5 -k 3 -s 2 -p 1
              convarith transpose transposed -i 3x3 -k 3 -s 2 -p 1 -a 1
              convarith transpose conv -i 6 -k 3 -s 2 -p 1 --json
            """)
    )

    @OptionGroup var layer: LayerOptions
    @OptionGroup var format: OutputFormatOptions

    func validate() throws {
        if layer.operation == .pooling { throw ValidationError("pooling has no transposed counterpart in the paper's sense; use conv or transposed") }
    }

    func run() throws {
        let result = EvalResult(layer: try layer.resolve())
        let shape = result.shape
        guard let associated = shape.associated else {
            printError("error: pooling has no transposed counterpart in the paper's sense; use conv or transposed")
            throw ExitCode(1)
        }
        let transposed = shape.operation == .transposedConvolution ? shape : associated
        let direct = shape.operation == .convolution ? shape : associated
        let equivalents = try exitingOnError { () throws(ArithmeticError) in
            try transposed.axes.map { axis throws(ArithmeticError) in try axis.equivalentConvolution() }
        }
        if format.json {
            guard let answer = try exitingOnError({ () throws(ArithmeticError) in try TransposeAnswer.json(shape) }) else { return }
            print(JSONWriter.string(answer))
            return
        }
        var lines: [String] = []
        lines.append("convolution:            i = \(sizes(direct.input)) → o = \(sizes(direct.output))   (k = \(sizes(direct.axes.map(\.kernel))), s = \(sizes(direct.axes.map(\.stride))), p = \(direct.axes.map(\.padding.description).joined(separator: ", ")))")
        lines.append("transposed convolution: i' = \(sizes(transposed.input)) → o' = \(sizes(transposed.output))   (a = \(sizes(transposed.axes.map(\.outputPadding))))")
        if let relationship = transposed.relationships.first {
            lines.append("                        \(relationship.label): \(relationship.formula)")
        }
        lines.append("")
        lines.append("equivalent direct convolution of the transposed one, per axis:")
        lines.append("  axis   i'   s−1 zeros   ĩ'   k'   s'   p' before   p' after (incl. a)   a   o'")
        for (axis, e) in equivalents.enumerated() {
            let row = [pad(axis, 4), pad(e.input, 4), pad(e.insertedZeros, 11), pad(e.stretchedInput, 4), pad(e.kernel, 4), pad(e.stride, 4),
                       pad(e.padding.before, 11), pad(e.padding.after, 20), pad(e.outputPadding, 3), pad(e.output, 4)]
            lines.append("  " + row.joined(separator: " "))
        }
        lines.append("")
        lines.append("The a extra zeros go at the end of each axis (bottom and right in 2-D), as PyTorch, TensorFlow and ONNX put them.")
        if equivalents.contains(where: { $0.dilation != 1 }) {
            lines.append("The equivalent convolution keeps the kernel's dilation; k̂ = d(k − 1) + 1 replaces k in p'.")
        }
        print(lines.joined(separator: "\n"))
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
