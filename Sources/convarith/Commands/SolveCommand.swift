import ArgumentParser
import ConvArithmetic
import ConvEval
import ConvNets

/// `convarith solve`: the inverse questions.
struct SolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solve",
        abstract: "Inverse questions: the padding for an output size, the output padding for a decoder, the inputs that share an output.",
        subcommands: [PaddingSubcommand.self, OutputPaddingSubcommand.self, InputsSubcommand.self]
    )

    struct PaddingSubcommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "padding",
            abstract: "Which padding makes a convolution produce a target output size?",
            discussion: helpText("""
                With --convention, the padding is checked under that framework's rules and written as its code
                (JSON: an object with the axes, the convention and the code).

                Examples:
                  convarith solve padding -i 224 -k 7 -s 2 --target 112
                  convarith solve padding -i 32x32 -k 3 -d 2 --target 32x32
                  convarith solve padding -i 224 -k 3 -s 2 --target 112 --convention onnx
                """)
        )
        @Option(name: [.short, .long], help: "Input sizes, e.g. 224x224.") var input: AxisList
        @Option(name: .long, help: "Target output sizes.") var target: AxisList
        @Option(name: [.short, .long], help: "Kernel size.") var kernel: AxisList
        @Option(name: [.short, .long], help: "Stride (default 1).") var stride: AxisList?
        @Option(name: [.short, .long], help: "Dilation (default 1).") var dilation: AxisList?
        @Option(name: .long, help: ArgumentHelp("Whose rules check the padding and write it: \(Convention.helpList).", valueName: "convention"))
        var convention: Convention?
        @OptionGroup var format: OutputFormatOptions

        func run() throws {
            let rank = input.values.count
            guard target.values.count == rank else {
                throw ValidationError("--target has \(target.values.count) axes but --input has \(rank)")
            }
            func axes(_ values: [Int], _ option: String) throws -> [Int] {
                guard let expanded = OptionSpelling.perAxis(values, rank: rank) else {
                    throw ValidationError("\(option) has \(values.count) values but --input has \(rank) axes; give one value or one per axis")
                }
                return expanded
            }
            let kernels = try axes(kernel.values, "--kernel"), strides = try axes(stride?.values ?? [1], "--stride")
            let dilations = try axes(dilation?.values ?? [1], "--dilation")
            var answers: [JSONValue] = []
            var lines: [String] = []
            var pads: [AxisPadding] = []
            for axis in 0..<rank {
                let k = kernels[axis], s = strides[axis], d = dilations[axis]
                let i = input.values[axis], o = target.values[axis]
                let solution = try exitingOnError { () throws(ArithmeticError) in
                    try Solver.padding(forOutput: o, input: i, kernel: k, stride: s, dilation: d)
                }
                guard let solution else {
                    printError("error: axis \(axis): no padding gives \(o): even unpadded, i = \(i), k = \(k), s = \(s)\(d != 1 ? ", d = \(d)" : "") gives more outputs; use a larger stride or kernel")
                    throw ExitCode(1)
                }
                let totals = "total padding \(solution.totals.lowerBound)…\(solution.totals.upperBound)"
                if let p = solution.symmetric {
                    lines.append("axis \(axis): padding \(p) on both sides gives \(o) (\(totals))")
                } else {
                    lines.append("axis \(axis): no symmetric padding gives \(o); pad \(solution.smallest.before) before and \(solution.smallest.after) after (\(totals); PyTorch: pad the input with F.pad, TensorFlow/ONNX: SAME puts the odd unit at the end)")
                }
                answers.append(SolveAnswer.padding(axis: axis, solution))
                pads.append(solution.symmetric.map { AxisPadding($0) } ?? solution.smallest)
            }
            guard let convention else {
                print(format.json ? JSONWriter.string(.array(answers)) : lines.joined(separator: "\n"))
                return
            }
            // The padding found, as an explicit layer (ONNX takes any pads), carried to the convention's code.
            let layer = LayerParameters(operation: .convolution, input: input.values, kernel: kernels, stride: strides,
                                        padding: .explicit(pads), dilation: dilations, convention: .onnx)
            let translation = try exitingOnError { () throws(NetworkError) in try PaddingTranslation.translate(layer, to: convention) }
            guard translation.targetLayer.shape.output == target.values else {
                printError("error: under \(convention.displayName)'s rules this padding gives \(sizes(translation.targetLayer.shape.output)), not \(sizes(target.values))")
                throw ExitCode(1)
            }
            if format.json {
                print(JSONWriter.string(.object([("axes", .array(answers)), ("convention", .string(convention.name)),
                                                 ("code", .string(translation.code)), ("notes", .array(translation.notes.map(JSONValue.string)))])))
                return
            }
            lines.append("\(convention.displayName): \(translation.code)")
            lines += translation.notes.map { "  note: \($0)" }
            print(lines.joined(separator: "\n"))
        }
    }

    struct OutputPaddingSubcommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "output-padding",
            abstract: "Which output padding makes a transposed convolution produce a target size (a decoder matching its encoder)?",
            discussion: helpText("""
                Examples:
                  convarith solve output-padding -i 7 -k 3 -s 2 -p 1 --target 14
                  convarith solve output-padding -i 8 -k 3 -s 2 --target 18 --convention onnx
                """)
        )
        @Option(name: [.short, .long], help: "The transposed convolution's input sizes i'.") var input: AxisList
        @Option(name: .long, help: "Target output sizes o'.") var target: AxisList
        @Option(name: [.short, .long], help: "Kernel size.") var kernel: AxisList
        @Option(name: [.short, .long], help: "Stride (default 1).") var stride: AxisList?
        @Option(name: [.short, .long], help: "Padding of the associated convolution.") var padding: PaddingArgument?
        @Option(name: [.short, .long], help: "Dilation (default 1).") var dilation: AxisList?
        @OptionGroup var rules: ConventionOption
        @OptionGroup var format: OutputFormatOptions

        func run() throws {
            // The output padding itself (a = target − o₀), checked under the convention's rules.
            let parameters = LayerParameters(operation: .transposedConvolution, input: input.values, kernel: kernel.values,
                                             stride: stride?.values, padding: padding?.padding, dilation: dilation?.values,
                                             convention: rules.convention)
            let result = EvalResult(layer: try exitingOnError { () throws(ArithmeticError) in
                try Solver.outputPadding(forOutput: target.values, parameters)
            })
            let axes = result.shape.axes
            if format.json {
                print(JSONWriter.string(SolveAnswer.outputPadding(result.shape)))
                return
            }
            for (index, axis) in axes.enumerated() {
                print("axis \(index): output_padding = \(axis.outputPadding) gives \(axis.output) (padding \(axis.padding))")
            }
        }
    }

    struct InputsSubcommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "inputs",
            abstract: "Which input sizes does a convolution map to the same output size? (Why a transposed convolution needs output padding.)",
            discussion: helpText("""
                Examples:
                  convarith solve inputs --output 3 -k 3 -s 2 -p 1
                  convarith solve inputs --output 56 -k 3 -s 2 -p 1 --json
                """)
        )
        @Option(name: .long, help: "The convolution's output size on one axis.") var output: Int
        @Option(name: [.short, .long], help: "Kernel size.") var kernel: Int
        @Option(name: [.short, .long], help: "Stride (default 1).") var stride: Int = 1
        @Option(name: [.short, .long], help: "Padding: p or before:after.") var padding: PaddingArgument?
        @Option(name: [.short, .long], help: "Dilation (default 1).") var dilation: Int = 1
        @OptionGroup var rules: ConventionOption
        @OptionGroup var format: OutputFormatOptions

        /// Input sizes listed one by one (JSON: given as first, last and count beyond this).
        static let listLimit = 64

        func run() throws {
            var axisPadding = AxisPadding(0)
            if let padding = padding?.padding {
                guard case .explicit(let axes) = padding, axes.count == 1 else {
                    throw ValidationError("--padding must be one number or before:after for this question")
                }
                axisPadding = axes[0]
            }
            let range = try exitingOnError { () throws(ArithmeticError) in
                try Solver.inputSizes(forOutput: output, kernel: kernel, stride: stride, dilation: dilation, padding: axisPadding)
            }
            guard let range else {
                printError("error: no input size gives \(output) outputs with these parameters")
                throw ExitCode(1)
            }
            // The convention's rules must take this padding (TensorFlow's explicit pads, for one).
            _ = try exitingOnError { () throws(ArithmeticError) in
                try Layer(LayerParameters(operation: .convolution, input: [range.lowerBound], kernel: [kernel], stride: [stride],
                                          padding: .explicit([axisPadding]), dilation: [dilation], convention: rules.convention))
            }
            // At the smallest (unclamped) input the last window ends exactly: a = i − that input.
            let exact = range.upperBound - (stride - 1)
            let listed = range.count <= Self.listLimit ? range : range.lowerBound...(range.lowerBound + Self.listLimit - 1)
            if format.json {
                print(JSONWriter.string(SolveAnswer.inputs(range, exact: exact, listLimit: Self.listLimit)))
                return
            }
            print("A convolution with k = \(kernel), s = \(stride), padding \(axisPadding)\(dilation != 1 ? ", d = \(dilation)" : "") maps each of these input sizes to \(output):")
            for size in listed {
                print("  i = \(size)   a = (i + p_lo + p_hi − k̂) mod s = \(size - exact)")
            }
            if listed.count < range.count {
                print("  … \(range.count - listed.count) more, up to i = \(range.upperBound) (a = \(range.upperBound - exact)): a grows by 1 with i")
            }
            if range.count > 1 {
                print("The transposed convolution of \(output) can only produce one of them; its output padding a selects which.")
            }
        }

        private func floorModulo(_ a: Int, _ b: Int) -> Int { ((a % b) + b) % b }
    }
}

