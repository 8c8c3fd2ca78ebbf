import ArgumentParser
import ConvArithmetic
import ConvEval

/// `convarith shape`: the output size of one layer.
struct ShapeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shape",
        abstract: "Compute the output size of a convolution, pooling or transposed convolution.",
        discussion: helpText("""
            Examples:
              convarith shape conv -i 224x224 -k 7 -s 2 -p 3 -c 3 -o 64
              convarith shape pool -i 112x112 -k 3 -s 2 -p 1 --ceil-mode
              convarith shape transposed -i 16x16 -k 4 -s 2 -p 1 --json
              convarith shape conv -i 7 -k 3 -s 2 -p same --convention tensorflow
            """)
    )

    @OptionGroup var layer: LayerOptions
    @OptionGroup var format: OutputFormatOptions

    func run() throws {
        let result = EvalResult(layer: try layer.resolve())
        if format.json {
            var answer: [UInt8] = []
            result.write(to: &answer)
            print(String(decoding: answer, as: UTF8.self))
            return
        }
        let shape = result.shape
        var text = "\(shape.name) (\(shape.convention.displayName)): input \(sizes(shape.input)) → output \(sizes(shape.output))"
        if let full = result.outputShape {
            text += "\ntensor: [\(sizes([layer.batch ?? 1, layer.channels ?? 0] + shape.input).replacingTimes())] → [\(sizes(full).replacingTimes())]"
        }
        let paddings = shape.axes.map(\.padding)
        if layer.window.padding != nil || paddings.contains(where: { $0.before != 0 || $0.after != 0 }) {
            text += "\npadding per axis: " + paddings.map(\.description).joined(separator: ", ")
        }
        if shape.operation == .transposedConvolution {
            text += "\noutput padding a: " + shape.axes.map { String($0.outputPadding) }.joined(separator: ", ")
        }
        if let first = shape.relationships.first {
            text += "\n\(first.label): \(first.formula)"
        }
        print(text)
    }
}

extension String {
    /// "1×64×112×112" → "1, 64, 112, 112".
    func replacingTimes() -> String { split(separator: "×").joined(separator: ", ") }
}
