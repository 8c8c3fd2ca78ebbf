import ArgumentParser
import ConvArithmetic
import ConvEval
import ConvNetReports
import ConvNets

/// `convarith translate`: a layer's padding from one framework's rules to another's.
struct TranslateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "translate",
        abstract: "Carry a layer's padding from one framework to another: the per-side pads, and how the target writes them.",
        discussion: helpText("""
            The layer is read under --from's rules (TensorFlow's SAME, ONNX auto_pad, PyTorch's numbers…) \
            and resolved to explicit pads per side; then the target's way to write the same layer is \
            found and checked by resolving it under --to's rules: a named padding, explicit pads, or a pad \
            of the input first where the target's layer takes one padding per axis (a crop of the output \
            after a transposed convolution).

            Examples:
              convarith translate --from tensorflow --to pytorch conv -i 224 -k 3 -p same
              convarith translate --from onnx --to pytorch conv -i 7 -k 4 -p same_lower
              convarith translate --from pytorch --to tensorflow conv -i 32 -k 3 -s 2 -p 1
              convarith translate --from tensorflow --to jax transposed -i 16 -k 3 -s 2
            """)
    )

    @Option(name: .long, help: ArgumentHelp("Whose rules the layer is written in: \(Convention.helpList).", valueName: "convention"))
    var from: Convention

    @Option(name: .long, help: ArgumentHelp("Whose code to write: \(Convention.helpList).", valueName: "convention"))
    var to: Convention

    @OptionGroup var window: WindowOptions
    @OptionGroup var size: InputOption
    @OptionGroup var channelOptions: ChannelOptions
    @OptionGroup var format: OutputFormatOptions

    func run() throws {
        let parameters = try window.parameters(input: size.values(), channels: channelOptions, convention: from)
        let translation = try exitingOnError { () throws(NetworkError) in try PaddingTranslation.translate(parameters, to: to) }
        let pads = translation.pads.map { "(\($0.before), \($0.after))" }.joined(separator: ", ")
        if format.json {
            print(JSONWriter.string(.object([
                ("from", .string(from.name)), ("to", .string(to.name)),
                ("output", NetworkReportJSON.integers(translation.source.shape.output)),
                ("padding", .array(translation.pads.map { .array([.integer($0.before), .integer($0.after)]) })),
                ("plan", .string(planName(translation.plan))),
                ("code", .string(translation.code)),
                ("notes", .array(translation.notes.map(JSONValue.string))),
            ])))
            return
        }
        let shape = translation.source.shape
        print("\(shape.name) under \(from.displayName): input \(sizes(shape.input)) → output \(sizes(shape.output)); pads per axis (before, after): \(pads)")
        print("\(to.displayName): \(translation.code)")
        for note in translation.notes { print("  note: \(note)") }
    }

    private func planName(_ plan: PaddingTranslation.Plan) -> String {
        switch plan {
        case .named: "named"
        case .explicit: "explicit"
        case .padInputFirst: "pad_input_first"
        case .cropOutputAfter: "crop_output_after"
        }
    }
}
