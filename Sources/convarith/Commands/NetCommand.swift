import ArgumentParser
import ConvArithmetic
import ConvNets

/// `convarith net`: the shape table of a whole network.
struct NetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "net",
        abstract: "The shape table of a network: every layer's shapes, parameters, multiply-adds and receptive field.",
        discussion: helpText("""
            FILE is a layer stack in YAML or JSON (see DESIGN.md for the schema: a mapping with 'input', \
            'convention' and 'layers'). Each layer reads the one above it unless 'inputs' names others. \
            The receptive field (RF), its jump (the effective stride) and the effective padding are \
            per spatial axis of the network's input, composed as in Araujo et al., Distill 2019.

            The first layer that cannot have an output shape is reported with the reason, and every \
            layer that does not depend on it is still computed; the exit status is then 1.

            Examples:
              convarith net unet.yaml
              convarith net vgg16.yaml --input 1x3x512x512
              convarith net decoder.json --json
            """)
    )

    @Argument(help: "A YAML or JSON layer stack.")
    var file: String

    @Option(name: [.short, .long], parsing: .unconditional, help: "The input shape N×C×spatial…, e.g. 1x3x224x224 (overrides the file's).")
    var input: AxisList?

    @OptionGroup var format: OutputFormatOptions

    func validate() throws {
        if let input {
            guard input.values.count >= 3 else {
                throw ValidationError("--input needs the full shape N×C×spatial… (for example 1x3x224x224), got \(input.values.count) dimensions")
            }
            guard input.values[0] >= 0, input.values.dropFirst().allSatisfy({ $0 >= 1 }) else {
                throw ValidationError("--input sizes must be at least 1 (the batch at least 0)")
            }
        }
    }

    func run() throws {
        var network: Network
        do {
            network = try NetworkFile.load(path: file)
        } catch {
            printError("error: \(error)")
            if case .unreadable = error { throw ExitCode(66) }
            throw ExitCode(1)
        }
        if let input { network = network.withInputShape(input.values) }
        if let open = network.inputs.first, open.shape == nil {
            let declared = open.declared.isEmpty ? "" : " [\(open.declared.joined(separator: ", "))]"
            let example = open.declared.isEmpty ? "1x3x224x224" : open.declared.map { Int($0).map(String.init) ?? "1" }.joined(separator: "x")
            printError("error: the input '\(open.name)'\(declared) of \(file) has no fixed shape; pass --input N×C×spatial…, e.g. --input \(example)\(open.declared.isEmpty ? ", or add 'input: [N, C, spatial…]' to the file" : "")")
            throw ExitCode(1)
        }
        let report = network.analyze()
        if format.json {
            print(NetworkReportJSON.text(report))
        } else {
            print(NetworkTable.text(report, convention: network.convention))
        }
        if report.firstFailure != nil { throw ExitCode(1) }
    }
}
