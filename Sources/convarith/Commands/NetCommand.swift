import ArgumentParser
import ConvArithmetic
import ConvEval
import ConvNetReports
import ConvNets

/// `convarith net`: the shape table of a whole network.
struct NetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "net",
        abstract: "The shape table of a network: every layer's shapes, parameters, multiply-adds and receptive field.",
        discussion: helpText("""
            FILE is a layer stack in YAML or JSON (see docs/stacks.md for the schema: a mapping with 'input', \
            'convention' and 'layers'). Each layer reads the one above it unless 'inputs' names others. \
            The receptive field (RF), its jump (the effective stride) and the effective padding are \
            per spatial axis of the network's input, composed as in Araujo et al., Distill 2019.

            The first layer that cannot have an output shape is reported with the reason, and every \
            layer that does not depend on it is still computed; the exit status is then 1. When no \
            layer fails but an output's shape stays unknown (an operator without a rule, values \
            computed at run time), the first unknown output is named and the exit status is 3.

            --input gives an input's shape at the rank the model declares; name the input for a \
            model with several (a speech model's audio and state). Symbolic sizes an input fixes \
            ('batch') fill the other inputs that use them.

            Examples:
              convarith net unet.yaml
              convarith net vgg16.yaml --input 1x3x512x512
              convarith net vad.onnx --input input=1x576
              convarith net model.onnx --columns name,op,output,kernel,stride
              convarith net decoder.json --json
            """)
    )

    @Argument(help: "A YAML or JSON layer stack.")
    var file: String

    @Option(name: [.short, .long], parsing: .unconditionalSingleValue,
            help: "An input's shape, of the rank the model declares: 1x3x224x224 (the first input) or NAME=1x576; repeat it for several inputs.")
    var input: [InputArgument] = []

    @Option(help: "The table's columns, comma-separated: \(TableColumn.allCases.map(\.rawValue).joined(separator: ",")) (default: all but node, which ONNX models add).")
    var columns: String?

    @Flag(name: .long, help: "Also give, per spatial axis of the first input, the sizes the network accepts (every layer has a shape, every join matches) and the nearest to the one given; at a failing size, the smallest changes of one layer (padding, output padding, ceil mode) that repair it.")
    var acceptedSizes = false

    @OptionGroup var format: OutputFormatOptions

    func validate() throws {
        if let columns, TableColumn.list(columns) == nil {
            throw ValidationError("--columns takes names from \(TableColumn.allCases.map(\.rawValue).joined(separator: ", ")), comma-separated, each once; got '\(columns.prefix(200))'")
        }
        for argument in input {
            guard argument.shape.first.map({ $0 >= 0 }) ?? true, argument.shape.dropFirst().allSatisfy({ $0 >= 1 }) else {
                throw ValidationError("--input sizes must be at least 1 (the batch at least 0), got \(argument.text)")
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
        do {
            network = try network.assigning(input.map(\.assignment))
        } catch {
            printError("error: \(error)")
            throw ExitCode.validationFailure
        }
        if !input.isEmpty {
            // The user described the inputs that matter; a recurrent state's open batch axis is 1.
            let filled = network.fillingBatchDimensions()
            network = filled.network
            for note in filled.assumed { printError("note: \(note)") }
        }
        if let advice = network.openInputsAdvice {
            printError("error: \(advice)\(network.inputs.count == 1 && network.inputs[0].declared.isEmpty ? ", or add 'input: [N, C, spatial…]' to the file" : "")")
            throw ExitCode(1)
        }
        let report = network.analyze()
        let (accepted, solveError) = acceptedSizes ? solveSizes(network) : ([], nil)
        // At a failing size, the smallest changes of one layer that repair it (each one analysis per try).
        let repairs = acceptedSizes && report.status == .failed ? network.repairs() : []
        if format.json {
            var value = NetworkReportJSON.value(report)
            if acceptedSizes, case .object(var members) = value {
                members.append(("accepted_sizes", .array(accepted.map {
                    NetworkSolveJSON.acceptedSizes($0, given: $1, givenShapeFails: report.status == .failed)
                })))
                if let solveError { members.append(("accepted_sizes_error", .string(solveError))) }
                members.append(("repairs", .array(repairs.map(NetworkSolveJSON.repair))))
                value = .object(members)
            }
            print(JSONWriter.string(value))
        } else {
            print(NetworkTable.text(report, convention: network.convention, columns: columns.flatMap(TableColumn.list)))
            for (answer, given) in accepted {
                // Beyond the sizes the rule was checked at, its period still gives the nearest (said so).
                let nearest = answer.nearest(to: given)
                let sizes = [nearest.below, nearest.above].compactMap { $0.map(String.init) }
                let extrapolated = given > answer.evaluatedUpTo ? " (by the rule's period; it was checked up to \(answer.evaluatedUpTo))" : ""
                let verdict = answer.knownToAccept(given) ?? (report.status != .failed) ? "\(given) is accepted"
                    : "\(given) is not" + (sizes.isEmpty ? "" : "; nearest: " + sizes.joined(separator: " and ") + extrapolated)
                print("accepted sizes of axis \(answer.axis): \(answer.description); \(verdict)"
                      + (answer.fixedByModel ? " (the model fixes this axis at \(given): these are the sizes its layers accept once the axis is exported dynamic)" : ""))
            }
            if let failure = report.firstFailure, acceptedSizes {
                print(repairs.isEmpty ? "no change of one layer's padding, output padding or ceil mode repairs \(failure.name) at this size"
                      : "changes of one layer that repair \(failure.name) at this size: " + repairs.map(\.description).joined(separator: "; "))
            }
        }
        if let failure = report.firstFailure {
            // The table keeps the failing row; scripts that read standard error get the reason too, on one line.
            let place = failure.location.map { " (\($0))" } ?? ""
            let message = "error: layer '\(failure.name)'\(place): \(failure.error ?? "no output shape")"
            printError(message.split(whereSeparator: \.isNewline).joined(separator: " "))
        }
        if solveError != nil { throw ExitCode(1) }
        switch report.status {
        case .complete: return
        case .failed: throw ExitCode(1)
        case .unknownOutputs: throw ExitCode(NetCommand.unknownOutputStatus)
        }
    }

    /// The accepted sizes of every spatial axis of the first input, each with the size given — or, when no
    /// rule shows, the reason (printed, and the table still given).
    private func solveSizes(_ network: Network) -> ([(AcceptedSizes, Int)], String?) {
        guard let shape = network.inputs.first?.shape, shape.count >= 3 else {
            let reason = "--accepted-sizes needs a first input of shape [N, C, spatial…]"
            printError("error: \(reason)")
            return ([], reason)
        }
        do {
            // One analysis per size and axis: a progress line on a terminal.
            var progress: ProgressLine?
            return (try network.acceptedSizesOfSpatialAxes { done, total in
                if progress == nil { progress = ProgressLine(total: total, label: "sizes") }
                if done % 16 == 0 || done == total { progress?.update(done) }
            }.map { ($0, shape[$0.axis]) }, nil)
        } catch {
            printError("error: \(error)")
            return ([], error.description)
        }
    }

    /// The exit status when no layer failed but an output's shape is unknown.
    static let unknownOutputStatus: Int32 = 3
}

/// `--input 1x3x224x224` (the first input) or `--input audio=1x576` (`scalar` for a 0-D input).
struct InputArgument: ExpressibleByArgument, Sendable {
    let assignment: InputAssignment
    let text: String

    var shape: [Int] { assignment.shape }

    init?(argument: String) {
        guard let assignment = InputSpelling.assignment(argument) else { return nil }
        text = argument
        self.assignment = assignment
    }
}
