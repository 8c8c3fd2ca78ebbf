import ArgumentParser
import ConvArithmetic
import ConvEval

/// `convarith explain`: which relationships apply and the step-by-step derivation.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain an output size: the relationships that apply and the derivation, step by step.",
        discussion: helpText("""
            Relationship numbers are the seed write-up's, with the paper's (Dumoulin & Visin 2016) beside
            them where they differ.

            Examples:
              convarith explain conv -i 5 -k 3 -s 2 -p 1
              convarith explain transposed -i 3x3 -k 3 -s 2 -p 1 -a 1
              convarith explain pool -i 5 -k 2 -s 2 --ceil-mode
              convarith explain conv -i 10 -k 3 -d 2 -p same --json
            """)
    )

    @OptionGroup var layer: LayerOptions
    @OptionGroup var format: OutputFormatOptions

    func run() throws {
        let result = EvalResult(layer: try layer.resolve())
        let shape = result.shape
        if format.json {
            print(JSONWriter.string(ExplainAnswer.json(shape)))
            return
        }
        var lines = ["\(shape.name), \(shape.convention.displayName) convention: input \(sizes(shape.input)) → output \(sizes(shape.output))", ""]
        let relationships = shape.relationships
        if relationships.isEmpty {
            lines.append("No relationship of the paper holds on every axis as stated (asymmetric padding, ceil mode, dilation, differing axes, or a convention's own rule); each axis is derived below.")
        } else {
            lines.append("Relationships that hold (most specific first):")
            for relationship in relationships {
                lines.append("  • \(relationship.label) — \(relationship.title): \(relationship.formula)   [\(relationship.condition)]")
            }
        }
        lines.append("")
        for derivation in shape.derivations {
            lines.append(derivation.description)
        }
        print(lines.joined(separator: "\n"))
    }
}
