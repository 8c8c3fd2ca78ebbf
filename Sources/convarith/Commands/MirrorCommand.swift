import ArgumentParser
import ConvArithmetic
import ConvEval
import ConvNetReports
import ConvNets

/// `convarith mirror`: the decoder that restores an encoder's sizes, or the check of a given decoder.
struct MirrorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror",
        abstract: "The transposed-convolution decoder that restores every size of an encoder, or check a decoder against it.",
        discussion: helpText("""
            With one file: for each convolution and pooling layer of the encoder (a chain of layers), last \
            first, the transposed convolution with the same kernel, stride, padding and dilation and the \
            output padding a = (i + p_lo + p_hi − k̂) mod s that gives back its input size exactly \
            (Relationship 13 of the seed, 14 of the paper). It is printed as a layer stack you can paste.

            With two files: the decoder's size changes against the encoder's sizes, last first; a layer \
            that misses is named with the output padding that would fix it. The exit status is 1 when a \
            size differs.

            Examples:
              convarith mirror encoder.yaml
              convarith mirror encoder.yaml decoder.yaml
              convarith mirror encoder.yaml --input 1x3x101x101 --json
              convarith mirror encoder.yaml --stack --out decoder.yaml
            """)
    )

    @Argument(help: "The encoder's layer stack, then optionally a decoder's.")
    var files: [String]

    @Option(name: [.short, .long], parsing: .unconditional, help: "The encoder's input shape N×C×spatial… (overrides the file's).")
    var input: AxisList?

    @Flag(name: .long, help: "Print only the decoder's layer stack (YAML that reads back as the same network).")
    var stack = false

    @Option(name: .long, help: "Write the decoder's layer stack to this file instead (implies --stack).")
    var out: String?

    @OptionGroup var format: OutputFormatOptions

    func validate() throws {
        guard (1...2).contains(files.count) else { throw ValidationError("give the encoder's file, and optionally a decoder's (got \(files.count) files)") }
        if (stack || out != nil) && (files.count == 2 || format.json) {
            throw ValidationError("--stack and --out write the decoder made for one encoder, as YAML; drop the decoder file or --json")
        }
        if let input, input.values.count < 3 || input.values.contains(where: { $0 < 1 }) {
            throw ValidationError("--input needs the full shape N×C×spatial… with sizes of at least 1, e.g. 1x3x224x224")
        }
    }

    func run() throws {
        var encoder = try Self.load(files[0])
        if let input { encoder = encoder.withInputShape(input.values) }
        guard encoder.inputs.first?.shape != nil else {
            printError("error: \(files[0]) gives no input shape; add 'input: [N, C, spatial…]' or pass --input")
            throw ExitCode(1)
        }
        if files.count == 2 {
            var decoder = try Self.load(files[1])
            if decoder.inputs.first?.shape == nil, let output = encoder.analyze().layers.last?.outputShape {
                decoder = decoder.withInputShape(output)
            }
            let comparisons = try exitingOnError { () throws(NetworkError) in try Mirror.compare(decoder: decoder, with: encoder) }
            if format.json {
                print(JSONWriter.string(.object([("layers", .array(comparisons.map { comparison in
                    var members: [(key: String, value: JSONValue)] = [
                        ("name", .string(comparison.decoderLayer)),
                        ("output", comparison.produced.map(NetworkReportJSON.integers) ?? .null),
                        ("expected", comparison.expected.map(NetworkReportJSON.integers) ?? .null),
                        ("matches", .bool(comparison.matches)),
                    ]
                    if let advice = comparison.advice { members.append(("advice", .string(advice))) }
                    return .object(members)
                }))])))
            } else {
                for comparison in comparisons {
                    let produced = comparison.produced.map(sizes) ?? "error"
                    let expected = comparison.expected.map(sizes) ?? "—"
                    let mark = comparison.matches ? "ok" : "MISMATCH"
                    var line = "\(SafeText.visible(comparison.decoderLayer)): \(produced), encoder \(expected)  \(mark)"
                    if let advice = comparison.advice { line += "\n    \(SafeText.visible(advice))" }
                    print(line)
                }
                let misses = comparisons.filter { !$0.matches }.count
                // No comparison at all: neither the encoder nor the decoder changes a size (a decoder without one
                // against an encoder with some ends in a comparison of its own).
                print(comparisons.isEmpty ? "the decoder restores every encoder size (neither changes a spatial size)"
                      : misses == 0 ? "the decoder restores every encoder size"
                      : "\(misses) of \(comparisons.count) size changes do not restore the encoder's size")
            }
            // Scripts read the reason on standard error too: a decoder layer that fails, or nothing compared.
            if let failed = comparisons.first(where: { $0.produced == nil }) {
                printError("error: the decoder fails at '\(failed.decoderLayer)': \(failed.advice ?? "no output shape")")
            } else if let end = comparisons.last, end.decoderLayer == Mirror.decoderEnd {
                let lead = comparisons.count == 1 ? "the decoder changes no spatial size"
                    : "the decoder stops at \(end.produced.map(sizes) ?? "—")"
                printError("error: \(lead); \(end.advice ?? "the encoder's input size is not restored")")
            } else if let first = comparisons.first(where: { !$0.matches }) {
                let misses = comparisons.filter { !$0.matches }.count
                printError("error: \(misses) of \(comparisons.count) size changes do not restore the encoder's size, the first at "
                           + "'\(SafeText.visible(first.decoderLayer))'" + (first.advice.map { ": \(SafeText.visible($0))" } ?? ""))
            }
            if comparisons.contains(where: { !$0.matches }) { throw ExitCode(1) }
            return
        }
        let decoder = try exitingOnError { () throws(NetworkError) in try Mirror.decoder(for: encoder) }
        let steps = try exitingOnError { () throws(NetworkError) in try Mirror.steps(for: encoder) }
        if let out {
            // The stack alone, written whole or not at all.
            var file = try OutputFile(path: out)
            try file.write(Array((StackWriter.yaml(decoder, steps: steps) + "\n").utf8))
            try file.close()
            return
        }
        if stack {
            print(StackWriter.yaml(decoder, steps: steps))
            return
        }
        if format.json {
            print(NetworkReportJSON.text(decoder.analyze()))
            return
        }
        print(NetworkTable.text(decoder.analyze(), convention: decoder.convention))
        print("\nAs a layer stack:")
        print(StackWriter.yaml(decoder, steps: steps))
    }

    static func load(_ path: String) throws -> Network {
        do {
            return try NetworkFile.load(path: path)
        } catch {
            printError("error: \(error)")
            if case .unreadable = error { throw ExitCode(66) }
            throw ExitCode(1)
        }
    }
}
